/**
 * What the container does before `kvartal node` starts (entrypoint.sh runs it, then execs the node):
 *
 * 1. A config mounted by the operator (`KVARTAL_CONFIG`) is used as it is: nothing here touches it.
 * 2. Otherwise the config lives in the data volume, `$KVARTAL_HOME/node.yaml`. On first start, when it is
 *    absent, `kvartal init` writes it and creates the node's key in `$KVARTAL_HOME/data`.
 * 3. Every start, `KVARTAL_METRICS_LISTEN` (the metrics port the image's healthcheck reads) and the
 *    district's shared settings are laid over it: `$KVARTAL_OVERLAY_DIR/district.yaml`,
 *    then `$KVARTAL_OVERLAY_DIR/<this host's name>.yaml` if there is one (a Kubernetes ConfigMap, or files
 *    compose mounts). Mappings merge, anything else replaces, `null` removes a field. Comments stay.
 * 4. Unless the overlays pin a non-empty `bootstrap`, the bootstrap list is found anew from `KVARTAL_PEERS`
 *    (host names: compose services, or a StatefulSet's stable DNS names): each peer's metrics port says
 *    its peer id in `kvartal_node_info{peer_id=…,district=…}`; a peer of another district is ignored. The
 *    first name in the list is the seed and waits for no one; any other node waits (up to
 *    `KVARTAL_DISCOVERY_WAIT_SECONDS`) until at least one peer answers.
 *
 * The config is rewritten only when it changes, atomically. Everything it does is logged as one JSON
 * line each on stdout, like the node's own log.
 */
import { existsSync } from 'node:fs'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { isMap, parse, parseDocument, type Document } from 'yaml'
import { CONFIG_FILE, initCommand, validateNodeConfig, type MeterChoice } from '@kvartal/cli'

export interface PrepareEnv {
  /** the data volume: node.yaml and data/ (default /var/lib/kvartal) */
  KVARTAL_HOME?: string
  /** a config the operator mounted: used unchanged */
  KVARTAL_CONFIG?: string
  /** for `kvartal init` on first start */
  KVARTAL_DISTRICT?: string
  KVARTAL_FEEDER?: string
  KVARTAL_METER?: string
  /** the libp2p TCP port (default 4101): init's listen address, and the peers' port in bootstrap addresses */
  KVARTAL_P2P_PORT?: string
  /** where district.yaml and <host>.yaml are (default /etc/kvartal; absent directory: no overlays) */
  KVARTAL_OVERLAY_DIR?: string
  /** this node's metrics port, host:port (the image sets 0.0.0.0:9464 for its healthcheck; an overlay may change it) */
  KVARTAL_METRICS_LISTEN?: string
  /** the district's seed nodes, host names separated by spaces or commas */
  KVARTAL_PEERS?: string
  /** this node's name among KVARTAL_PEERS (default: the host name) */
  KVARTAL_SELF?: string
  /** the peers' metrics port, where their peer id is read (default 9464) */
  KVARTAL_METRICS_PORT?: string
  /** how long a non-seed node waits for a first peer to answer (default 60) */
  KVARTAL_DISCOVERY_WAIT_SECONDS?: string
}

export interface PrepareDeps {
  fetch: (url: string, init: { signal: AbortSignal }) => Promise<{ ok: boolean; text: () => Promise<string> }>
  sleep: (ms: number) => Promise<void>
  log: (fields: Record<string, unknown>) => void
  hostname: () => string
}

const defaultDeps: PrepareDeps = {
  fetch: async (url, init) => await fetch(url, init),
  sleep: async ms => await new Promise(resolve => setTimeout(resolve, ms)),
  log: fields => {
    process.stdout.write(JSON.stringify({ level: fields.level ?? 'info', time: new Date().toISOString(), ...fields }) + '\n')
  },
  hostname
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v != null && !Array.isArray(v)

/** Lays `overlay` over the YAML text: mappings merge, other values replace, null removes. Comments stay. */
export function applyOverlay(text: string, overlay: unknown, source = 'overlay'): string {
  if (overlay == null) return text
  if (!isObj(overlay)) throw new Error(`${source}: an overlay is a YAML mapping of node config fields`)
  const doc = parseDocument(text)
  merge(doc, [], overlay, source)
  return doc.toString()
}

function merge(doc: Document, path: string[], o: Obj, source: string): void {
  for (const [k, v] of Object.entries(o)) {
    const at = [...path, k]
    if (v === null) {
      if (doc.hasIn(at)) doc.deleteIn(at)
      continue
    }
    if (isObj(v)) {
      // a mapping merges field by field, a new one too: each value then carries its comment, and a
      // second start renders the same text as the first
      const map = doc.getIn(at, true)
      if (!isMap(map)) doc.setIn(at, doc.createNode({}, { flow: false }))
      else map.flow = false // a comment per value needs one line per value
      merge(doc, at, v, source)
      continue
    }
    const node = doc.createNode(v, { flow: JSON.stringify(v).length <= 60 })
    // say where the value comes from: an edit here would be overwritten at the next start
    const old = doc.getIn(at, true) as { commentBefore?: string | null } | undefined
    node.comment = ` set by ${source} at every start`
    if (old?.commentBefore != null) node.commentBefore = old.commentBefore
    doc.setIn(at, node)
  }
}

const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{40,}$/

/** The peer id a node's /metrics page states in kvartal_node_info, if it is of `district`. */
export function peerIdFromMetrics(text: string, district: string): string | undefined {
  const line = text.split('\n').find(l => l.startsWith('kvartal_node_info{'))
  if (line == null) return undefined
  const labels = Object.fromEntries([...line.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(m => [m[1], m[2]]))
  if (labels.district !== district || labels.peer_id == null || !PEER_ID.test(labels.peer_id)) return undefined
  return labels.peer_id
}

export const splitPeers = (s: string | undefined): string[] => (s ?? '').split(/[\s,]+/).filter(x => x !== '')
const firstLabel = (host: string): string => host.split('.')[0]

/**
 * Bootstrap multiaddrs of the peers among `peers` that answer now (the node itself left out). A node
 * that is not the list's first waits, asking every 2 s, until at least one answers or `waitMs` passed.
 */
export async function discoverBootstrap(
  o: { peers: string[]; self: string; district: string; p2pPort: number; metricsPort: number; waitMs: number },
  deps: PrepareDeps
): Promise<string[]> {
  const others = o.peers.filter(p => firstLabel(p) !== firstLabel(o.self))
  if (others.length === 0) return []
  const seed = o.peers.length > 0 && firstLabel(o.peers[0]) === firstLabel(o.self)
  const deadline = Date.now() + (seed ? 0 : o.waitMs)
  for (;;) {
    const found = await Promise.all(
      others.map(async host => {
        try {
          const r = await deps.fetch(`http://${host}:${o.metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) })
          const id = r.ok ? peerIdFromMetrics(await r.text(), o.district) : undefined
          return id == null ? undefined : `/dns4/${host}/tcp/${o.p2pPort}/p2p/${id}`
        } catch {
          return undefined
        }
      })
    )
    const addrs = found.filter((a): a is string => a != null)
    if (addrs.length > 0 || Date.now() >= deadline) return addrs
    await deps.sleep(2000)
  }
}

const int = (v: string | undefined, def: number, name: string): number => {
  if (v == null || v === '') return def
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a whole number, got "${v}"`)
  return Number(v)
}

/** Makes the config ready for `kvartal node`; returns its path. */
export async function prepare(env: PrepareEnv, deps: PrepareDeps = defaultDeps): Promise<string> {
  if (env.KVARTAL_CONFIG != null && env.KVARTAL_CONFIG !== '') {
    if (!existsSync(env.KVARTAL_CONFIG))
      throw new Error(`KVARTAL_CONFIG=${env.KVARTAL_CONFIG}: no such file (mount the config there, or unset it to have one generated)`)
    deps.log({ event: 'container-config', config: env.KVARTAL_CONFIG, detail: 'the mounted config, used as it is' })
    return env.KVARTAL_CONFIG
  }
  const home = env.KVARTAL_HOME ?? '/var/lib/kvartal'
  const config = join(home, CONFIG_FILE)
  const p2pPort = int(env.KVARTAL_P2P_PORT, 4101, 'KVARTAL_P2P_PORT')
  if (!existsSync(config)) {
    deps.log({ event: 'container-init', config, detail: 'no config yet: kvartal init writes it and creates the key' })
    await initCommand({
      dir: home,
      ...(env.KVARTAL_DISTRICT != null && env.KVARTAL_DISTRICT !== '' ? { district: env.KVARTAL_DISTRICT } : {}),
      ...(env.KVARTAL_FEEDER != null && env.KVARTAL_FEEDER !== '' ? { feeder: env.KVARTAL_FEEDER } : {}),
      ...(env.KVARTAL_METER != null && env.KVARTAL_METER !== '' ? { meter: env.KVARTAL_METER as MeterChoice } : {}),
      listen: [`/ip4/0.0.0.0/tcp/${p2pPort}`]
    })
  }
  const before = await readFile(config, 'utf8')
  let text = before
  const self = env.KVARTAL_SELF ?? deps.hostname()
  const dir = env.KVARTAL_OVERLAY_DIR ?? '/etc/kvartal'
  const overlays = [join(dir, 'district.yaml'), join(dir, `${firstLabel(self)}.yaml`)].filter(f => existsSync(f))
  // the image's healthcheck reads /health on the metrics port: on, unless an overlay says otherwise
  if (env.KVARTAL_METRICS_LISTEN != null && env.KVARTAL_METRICS_LISTEN !== '')
    text = applyOverlay(text, { metrics: { listen: env.KVARTAL_METRICS_LISTEN } }, 'KVARTAL_METRICS_LISTEN')
  // a bootstrap list in an overlay is pinned; otherwise the last start's discovered list is found anew
  let pinned = false
  for (const f of overlays) {
    let overlay: unknown
    try {
      overlay = parse(await readFile(f, 'utf8'))
    } catch (err) {
      throw new Error(`${f}: not valid YAML: ${(err as Error).message.split('\n')[0]}`)
    }
    text = applyOverlay(text, overlay, f)
    if (isObj(overlay) && Array.isArray(overlay.bootstrap) && overlay.bootstrap.length > 0) pinned = true
  }
  const doc = parse(text) as Obj
  const peers = splitPeers(env.KVARTAL_PEERS)
  if (!pinned && peers.length > 0) {
    const bootstrap = await discoverBootstrap(
      {
        peers,
        self,
        district: String(doc.district),
        p2pPort,
        metricsPort: int(env.KVARTAL_METRICS_PORT, 9464, 'KVARTAL_METRICS_PORT'),
        waitMs: 1000 * int(env.KVARTAL_DISCOVERY_WAIT_SECONDS, 60, 'KVARTAL_DISCOVERY_WAIT_SECONDS')
      },
      deps
    )
    text = applyOverlay(text, { bootstrap }, 'KVARTAL_PEERS discovery')
    deps.log({
      event: 'container-bootstrap',
      level: bootstrap.length > 0 || firstLabel(peers[0]) === firstLabel(self) ? 'info' : 'warn',
      bootstrap,
      detail: bootstrap.length > 0 ? 'peers found by their metrics port' : 'no peer answered: starting alone, others will dial this node'
    })
  }
  // the node would refuse a bad result anyway; say here that the overlay made it, and which field
  try {
    validateNodeConfig(parse(text), home)
  } catch (err) {
    throw new Error(`${config} after the overlays (${overlays.join(', ') || 'none'}): ${(err as Error).message}`)
  }
  if (text !== before) {
    await writeFile(`${config}.tmp`, text, { mode: 0o644 })
    await rename(`${config}.tmp`, config)
    deps.log({ event: 'container-config', config, overlays, detail: "the district's settings laid over it" })
  }
  return config
}

if (import.meta.main) {
  try {
    await prepare(process.env as PrepareEnv)
  } catch (err) {
    process.stderr.write(`kvartal container: ${(err as Error).message}\n`)
    process.exit(1)
  }
}
