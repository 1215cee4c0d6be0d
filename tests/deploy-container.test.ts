import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { execForm, last, parseContainerfile } from '../deploy/container/containerfile-lint.ts'
import { applyOverlay, discoverBootstrap, peerIdFromMetrics, prepare, type PrepareDeps } from '../deploy/container/prepare.ts'
import { loadNodeConfig } from '@kvartal/cli'

/**
 * The image, checked without building it (tests/deploy-image.test.ts builds it and runs two containers, opt-in
 * with KVARTAL_IMAGE_TEST=1: it takes minutes): the Containerfile parses
 * and runs the node as a non-root user with its volume, ports and healthcheck; and the entrypoint's
 * prepare step, run for real on a temporary volume: kvartal init on first start only, the district's
 * overlays, the bootstrap list found from the peers' metrics ports.
 */

const root = join(import.meta.dirname, '..')
const dir = join(root, 'deploy/container')
const containerfile = parseContainerfile(await readFile(join(dir, 'Containerfile'), 'utf8'))
/** the HEALTHCHECK's script, read from the checkout (the image has it at /opt/kvartal/…) */
const healthcheckText = async (): Promise<string> => {
  const [script] = execForm(/CMD\s+(.*)$/.exec(last(containerfile, 'HEALTHCHECK')!.args)![1])!
  return await readFile(join(root, script.replace(/^\/opt\/kvartal\//, '')), 'utf8')
}
const PEER = '12D3KooWJ1Sh6ky5t5sRrJxBqcRANcj7SsEGZ5P9k8cwgcCRctUS'
const metricsOf = (district: string, peer = PEER): string =>
  `# HELP kvartal_node_info This node\n# TYPE kvartal_node_info ` +
  `gauge\nkvartal_node_info{peer_id="${peer}",trader="ab",district="${district}",settlement="local",version="0.1.0"} 1\n`

describe('the Containerfile', () => {
  it('parses: every instruction known, exec forms valid, the final stage non-root', () => {
    expect(containerfile.problems).toEqual([])
    expect(containerfile.stages.map(s => s.from)).toEqual(['localhost/kvartal-base', 'localhost/kvartal-base'])
    expect(last(containerfile, 'USER')?.args).toBe('10001:10001')
  })

  it('has a volume for the data directory, the two ports, a healthcheck on /health of the metrics port', async () => {
    expect(execForm(last(containerfile, 'VOLUME')!.args)).toEqual(['/var/lib/kvartal'])
    expect(last(containerfile, 'EXPOSE')!.args.split(/\s+/).sort()).toEqual(['4101/tcp', '9464/tcp'])
    const hc = /CMD\s+(.*)$/.exec(last(containerfile, 'HEALTHCHECK')!.args)![1]
    // one word, no arguments (podman-compose 1.0.3 breaks a CMD with arguments): the script in the checkout
    expect(execForm(hc)).toEqual(['/opt/kvartal/deploy/container/healthcheck'])
    expect(await healthcheckText()).toContain('http://127.0.0.1:9464/health')
    expect(last(containerfile, 'ENV')!.args).toMatch(/KVARTAL_HOME=\/var\/lib\/kvartal/)
  })

  it('its entrypoint and CLI wrapper exist, are executable shell scripts, and run the Node 24 set aside from the build', () => {
    const entry = execForm(last(containerfile, 'ENTRYPOINT')!.args)!
    expect(entry).toEqual(['/opt/kvartal/deploy/container/entrypoint.sh'])
    for (const f of ['entrypoint.sh', 'kvartal', 'healthcheck', 'build-base.sh']) {
      const p = join(dir, f)
      expect(statSync(p).mode & 0o111, f).not.toBe(0)
      expect(spawnSync('sh', ['-n', p]).status, `sh -n ${f}`).toBe(0)
    }
    const entryText = spawnSync('cat', [join(dir, 'entrypoint.sh')]).stdout.toString()
    // Node 24 is the `node` devDependency, pruned from the image with the others: the build sets its binary aside
    expect(entryText).toContain('NODE=/usr/local/bin/node')
    const [build, run] = containerfile.stages
    expect(run.instructions.some(i => i.keyword === 'COPY' && i.args === '--from=build /opt/node24/node /usr/local/bin/node')).toBe(true)
    // the dev dependencies are pruned after Node 24's binary is set aside, and the build checks that they are gone
    const npm = build.instructions.find(i => i.keyword === 'RUN' && i.args.includes('npm ci'))!.args
    expect(npm.indexOf('npm prune --omit=dev')).toBeGreaterThan(npm.indexOf('/opt/node24/node'))
    expect(npm).toContain('test ! -e node_modules/vitest')
    expect(entryText).toMatch(/exec "\$NODE" "\$CLI" node --config/)
  })

  it('the build context leaves out node_modules, out/ and .git', async () => {
    const ignore = (await readFile(join(dir, '.containerignore'), 'utf8')).split('\n').map(l => l.trim())
    for (const p of ['.git', '**/node_modules', 'out']) expect(ignore).toContain(p)
    expect(await readFile(join(dir, 'Containerfile.dockerignore'), 'utf8')).toBe(await readFile(join(dir, '.containerignore'), 'utf8'))
  })

  it('the check finds what it is for: an unknown instruction, a root user, a bad exec form', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Containerfile's ${BASE}
    const ok = 'ARG BASE=x\nFROM ${BASE} AS b\nRUN true\nFROM x\nCOPY --from=b /a /a\nUSER 10001\nCMD ["node"]\n'
    expect(parseContainerfile(ok).problems).toEqual([])
    expect(parseContainerfile(ok.replace('RUN true', 'RUNN true')).problems).toEqual(['line 3: RUNN: unknown instruction'])
    expect(parseContainerfile(ok.replace('USER 10001', 'USER root')).problems[0]).toMatch(/runs as root/)
    expect(parseContainerfile(ok.replace('USER 10001\n', '')).problems[0]).toMatch(/no USER/)
    expect(parseContainerfile(ok.replace('["node"]', '["node"')).problems[0]).toMatch(/CMD: .*JSON/)
    expect(parseContainerfile(ok.replace('--from=b', '--from=c')).problems[0]).toMatch(/names no earlier stage/)
  })
})

describe("the entrypoint's prepare step", () => {
  let tmp: string
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'kvartal-container-'))
  })
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  const deps = (answers: Record<string, string | Error>, log: Array<Record<string, unknown>> = []): PrepareDeps & { fetched: string[] } => {
    const fetched: string[] = []
    return {
      fetched,
      fetch: async url => {
        fetched.push(url)
        const a = answers[new URL(url).hostname]
        if (a == null || a instanceof Error) throw a ?? new Error('ENOTFOUND')
        return { ok: true, text: async () => a }
      },
      sleep: vi.fn(async () => {}),
      log: f => {
        log.push(f)
      },
      hostname: () => 'node-3'
    }
  }

  it('first start: init writes the config and the key; the overlays and the found bootstrap make a config the node accepts', async () => {
    const home = join(tmp, 'node-3')
    const log: Array<Record<string, unknown>> = []
    const d = deps(
      {
        'node-1': metricsOf('compose-demo'),
        'node-2': metricsOf('another-district', '12D3KooWQaNpiy8ayXzqHmMLA8qF9F9rbk3b6CNn9RVE9Zmg5i7d'),
        'node-4': new Error('ECONNREFUSED')
      },
      log
    )
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    let config: string
    try {
      config = await prepare(
        {
          KVARTAL_HOME: home,
          KVARTAL_DISTRICT: 'compose-demo',
          KVARTAL_OVERLAY_DIR: join(root, 'deploy/compose'),
          KVARTAL_PEERS: 'node-1 node-2 node-3 node-4'
        },
        d
      )
    } finally {
      stdout.mockRestore()
    }
    expect(config).toBe(join(home, 'node.yaml'))
    expect(existsSync(join(home, 'data'))).toBe(true)
    // node-3 asks the others, not itself; node-2 is of another district, node-4 does not answer
    expect(d.fetched.sort()).toEqual(['http://node-1:9464/metrics', 'http://node-2:9464/metrics', 'http://node-4:9464/metrics'])
    const c = await loadNodeConfig(config)
    expect(c.bootstrap).toEqual([`/dns4/node-1/tcp/4101/p2p/${PEER}`])
    expect(c).toMatchObject({
      district: 'compose-demo',
      mdns: false,
      metrics: { host: '0.0.0.0', port: 9464 },
      listen: ['/ip4/0.0.0.0/tcp/4101'],
      position: [-600],
      slots: { seconds: 60 },
      dataDir: join(home, 'data')
    })
    expect(c.building).toBeUndefined()
    const text = await readFile(config, 'utf8')
    expect(text).toContain('# Units: energy Wh') // init's comments stay
    expect(text).toMatch(/^ {2}seconds: 60 # set by .*district.yaml at every start$/m) // an overlaid value says where it comes from
    expect(log.map(l => l.event)).toEqual(['container-init', 'container-bootstrap', 'container-config'])
    expect((await stat(config)).mode & 0o777).toBe(0o644)

    // a restart: no second init (the key stays), the same config, not rewritten
    const mtime = (await stat(config)).mtimeMs
    const log2: Array<Record<string, unknown>> = []
    await prepare(
      { KVARTAL_HOME: home, KVARTAL_OVERLAY_DIR: join(root, 'deploy/compose'), KVARTAL_PEERS: 'node-1 node-2 node-3 node-4' },
      deps({ 'node-1': metricsOf('compose-demo') }, log2)
    )
    expect(log2.map(l => l.event)).toEqual(['container-bootstrap'])
    expect((await stat(config)).mtimeMs).toBe(mtime)
  })

  it("alone, with the image's environment and nothing mounted: a config whose metrics port is the one the HEALTHCHECK reads", async () => {
    const env = Object.fromEntries(
      last(containerfile, 'ENV')!
        .args.split(/\s+/)
        .map(kv => kv.split('='))
    )
    const home = join(tmp, 'alone')
    const d = deps({})
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      await prepare({ ...env, KVARTAL_HOME: home, KVARTAL_OVERLAY_DIR: join(tmp, 'no-such-dir') }, d)
    } finally {
      stdout.mockRestore()
    }
    const c = await loadNodeConfig(join(home, 'node.yaml'))
    expect(await healthcheckText()).toContain(`http://127.0.0.1:${c.metrics!.port}/health`)
    expect(c).toMatchObject({
      metrics: { host: '0.0.0.0' },
      listen: [`/ip4/0.0.0.0/tcp/${env.KVARTAL_P2P_PORT}`],
      district: 'demo',
      bootstrap: []
    })
    expect(d.fetched).toEqual([])
  })

  it('a pinned bootstrap in the overlay is used as it is: no peer is asked', async () => {
    const home = join(tmp, 'pinned')
    const overlays = join(tmp, 'pinned-etc')
    await mkdir(overlays, { recursive: true })
    const pinned = `/dns4/kvartal-0.kvartal.ns.svc.cluster.local/tcp/4101/p2p/${PEER}`
    await writeFile(join(overlays, 'district.yaml'), `district: pinned\nmdns: false\nbootstrap: [${pinned}]\n`)
    const d = deps({})
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      await prepare(
        { KVARTAL_HOME: home, KVARTAL_OVERLAY_DIR: overlays, KVARTAL_PEERS: 'kvartal-0 kvartal-1', KVARTAL_SELF: 'kvartal-1' },
        d
      )
    } finally {
      stdout.mockRestore()
    }
    expect(d.fetched).toEqual([])
    expect((await loadNodeConfig(join(home, 'node.yaml'))).bootstrap).toEqual([pinned])
  })

  it('a mounted config is used unchanged; a missing one is an error that says so', async () => {
    const mounted = join(tmp, 'mounted.yaml')
    await writeFile(mounted, 'district: x\n')
    const d = deps({})
    expect(await prepare({ KVARTAL_CONFIG: mounted, KVARTAL_PEERS: 'a b' }, d)).toBe(mounted)
    expect(await readFile(mounted, 'utf8')).toBe('district: x\n')
    await expect(prepare({ KVARTAL_CONFIG: join(tmp, 'absent.yaml') }, d)).rejects.toThrow(/no such file/)
  })

  it('an overlay that breaks the config stops the start, naming the field', async () => {
    const home = join(tmp, 'bad')
    const overlays = join(tmp, 'bad-etc')
    await mkdir(overlays, { recursive: true })
    await writeFile(join(overlays, 'district.yaml'), 'district: bad\nslots: { seconds: "60" }\n')
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      await expect(prepare({ KVARTAL_HOME: home, KVARTAL_OVERLAY_DIR: overlays }, deps({}))).rejects.toThrow(/slots\.seconds/)
    } finally {
      stdout.mockRestore()
    }
  })

  it('discovery: the seed waits for no one; another node waits until a peer answers', async () => {
    const o = { peers: ['node-1', 'node-2'], district: 'd', p2pPort: 4101, metricsPort: 9464, waitMs: 60_000 }
    const seed = deps({})
    expect(await discoverBootstrap({ ...o, self: 'node-1' }, seed)).toEqual([])
    expect(seed.sleep).not.toHaveBeenCalled()
    let calls = 0
    const late = deps({})
    late.fetch = async () => {
      calls++
      if (calls < 3) throw new Error('ECONNREFUSED')
      return { ok: true, text: async () => metricsOf('d') }
    }
    expect(await discoverBootstrap({ ...o, self: 'node-2' }, late)).toEqual([`/dns4/node-1/tcp/4101/p2p/${PEER}`])
    expect(late.sleep).toHaveBeenCalledTimes(2)
    const alone = deps({})
    expect(await discoverBootstrap({ ...o, self: 'node-2', waitMs: 0 }, alone)).toEqual([])
  })

  it('reads the peer id from kvartal_node_info, only for its own district', () => {
    expect(peerIdFromMetrics(metricsOf('d'), 'd')).toBe(PEER)
    expect(peerIdFromMetrics(metricsOf('e'), 'd')).toBeUndefined()
    expect(peerIdFromMetrics(metricsOf('d', 'not-a-peer-id'), 'd')).toBeUndefined()
    expect(peerIdFromMetrics('process_cpu_seconds_total 1\n', 'd')).toBeUndefined()
  })

  it('overlays merge mappings, replace other values, remove on null, keep comments', () => {
    const text = 'a: 1 # one\nm:\n  x: 1   # kept\n  y: 2\nl: [1, 2]\ngone: 3\n'
    const out = applyOverlay(text, { m: { y: 3, z: 4 }, l: [5], gone: null, n: { k: 'v' } })
    expect(parse(out)).toEqual({ a: 1, m: { x: 1, y: 3, z: 4 }, l: [5], n: { k: 'v' } })
    expect(out).toContain('# one')
    expect(out).toContain('# kept')
    expect(() => applyOverlay(text, [1])).toThrow(/mapping/)
    // a restart lays the same overlay over its own result: the text must not change (no rewrite each start)
    const flowAndNew = { f: { a: 2 }, n: { k: { deep: 1 } }, l: ['/dns4/node-1/tcp/4101/p2p/' + PEER, '/dns4/node-2/tcp/4101/p2p/' + PEER] }
    const once = applyOverlay('f: { a: 1, b: 2 } # flow\nl: []\n', flowAndNew, 'x.yaml')
    expect(parse(once)).toEqual({ f: { a: 2, b: 2 }, n: { k: { deep: 1 } }, l: flowAndNew.l })
    expect(applyOverlay(once, flowAndNew, 'x.yaml')).toBe(once)
  })
})
