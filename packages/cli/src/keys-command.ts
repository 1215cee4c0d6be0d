import { existsSync } from 'node:fs'
import { link, mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { randomBytes } from 'node:crypto'
import { ConfigError, KvartalError, generateSeed, toHex } from '@kvartal/protocol'
import type { Journal } from '@kvartal/node'
import { CONTROL_SOCKET } from './control-file.ts'
import { dataDirOf, output, type ClientOptions } from './client-args.ts'
import type { NodeConfig } from './node-config.ts'

/** A command that writes a node's key (or needs its journal) found the node running. */
export class NodeRunningError extends KvartalError {
  readonly exitCode = 1
  constructor(dataDir: string, action: string, how: string) {
    super('node-running', `a node is running on ${dataDir} (${how}): stop it before ${action} (systemctl stop kvartal-node, or SIGTERM)`)
    this.name = 'NodeRunningError'
  }
}
/** A config, a key or an export file is already there, and --force was not given. */
export class AlreadyExistsError extends KvartalError {
  constructor(message: string) {
    super('exists', message)
    this.name = 'AlreadyExistsError'
  }
}
/** The node has no key yet. */
export class NoKeyError extends KvartalError {
  constructor(dataDir: string) {
    super('no-key', `no node key in ${dataDir}: create one with \`kvartal init\` (or start the node once)`)
    this.name = 'NoKeyError'
  }
}
/** Rotation would break what the old key still has to sign or settle. */
export class RotationRefusedError extends KvartalError {
  readonly exitCode = 1
  readonly reasons: readonly string[]
  constructor(reasons: string[]) {
    super(
      'unsettled',
      'not rotating the key: the old key still has work to finish —\n' + `  - ${reasons.join('\n  - ')}\nNothing was changed.`
    )
    this.reasons = reasons
    this.name = 'RotationRefusedError'
  }
}

/** Where the journal keeps the node's key (the one `kvartal node`, `id`, `verify` and settlement read). */
export const KEY_ENTRY = 'key/ed25519-seed'
/** Retired keys, kept beside the journal: keys/previous-<date>.key. */
export const KEYS_DIR = 'keys'

/**
 * Writes a file atomically with `mode` (a temporary file, fsynced, then renamed or linked into place;
 * the directory fsynced): a crash leaves the old file or the new one, never half of one. Without
 * `overwrite` an existing file is refused, also one that appears meanwhile (link(2) never replaces).
 */
export async function writeFileAtomic(path: string, data: string, mode: number, overwrite: boolean): Promise<void> {
  const dir = dirname(resolve(path))
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`)
  const fh = await open(tmp, 'wx', mode)
  try {
    await fh.chmod(mode)
    await fh.writeFile(data)
    await fh.sync()
  } finally {
    await fh.close()
  }
  try {
    if (overwrite) await rename(tmp, path)
    else await link(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new AlreadyExistsError(`${path} exists: not replacing it (give --force to replace it)`)
    throw err
  }
  await rm(tmp, { force: true })
  const d = await open(dir, 'r')
  try {
    await d.sync()
  } finally {
    await d.close()
  }
}

/** Whether a node answers on the data directory's control socket (a stale socket refuses the connection). */
async function controlSocketAnswers(dataDir: string): Promise<boolean> {
  const socket = join(dataDir, CONTROL_SOCKET)
  if (!existsSync(socket)) return false
  return await new Promise<boolean>(done => {
    const s = connect(socket)
    s.once('connect', () => {
      s.destroy()
      done(true)
    })
    s.once('error', () => {
      done(false)
    })
  })
}

/**
 * The journal of a node that is not running, for a command that reads its key or writes it. A running
 * node is found by its control socket, or, if it has none yet (starting), by the journal's lock.
 */
export async function openStoppedJournal(dataDir: string, action: string, create = false): Promise<Journal> {
  if (await controlSocketAnswers(dataDir)) throw new NodeRunningError(dataDir, action, `its control socket ${CONTROL_SOCKET} answers`)
  if (!create && !existsSync(join(dataDir, 'CURRENT'))) throw new NoKeyError(dataDir)
  const { Journal } = await import('@kvartal/node')
  try {
    return await Journal.open(dataDir)
  } catch (err) {
    for (let e: unknown = err; e != null; e = (e as { cause?: unknown }).cause) {
      if ((e as { code?: string }).code === 'LEVEL_LOCKED') throw new NodeRunningError(dataDir, action, 'its journal is locked')
    }
    throw err
  }
}

// ---- the key file format ----

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
function polymod(values: number[]): number {
  const g = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
  let chk = 1
  for (const v of values) {
    const top = chk >>> 25
    chk = ((chk & 0x1ffffff) << 5) ^ v
    for (let i = 0; i < 5; i++) if (((top >>> i) & 1) === 1) chk ^= g[i]
  }
  return chk >>> 0
}
/** BIP-173 bech32 of `bytes` under `hrp`. */
function bech32(hrp: string, bytes: Uint8Array): string {
  const words: number[] = []
  let acc = 0
  let bits = 0
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      words.push((acc >>> bits) & 31)
    }
  }
  if (bits > 0) words.push((acc << (5 - bits)) & 31)
  const expanded = [...[...hrp].map(c => c.charCodeAt(0) >>> 5), 0, ...[...hrp].map(c => c.charCodeAt(0) & 31)]
  const mod = polymod([...expanded, ...words, 0, 0, 0, 0, 0, 0]) ^ 1
  const checksum = [0, 1, 2, 3, 4, 5].map(i => (mod >>> (5 * (5 - i))) & 31)
  return `${hrp}1${[...words, ...checksum].map(w => BECH32[w]).join('')}`
}
/** The key as IOTA Rebased's wallet and `iota keytool import` take it: bech32 `iotaprivkey`, flag 0x00 (Ed25519) ‖ seed. */
export function iotaPrivateKey(seed: Uint8Array): string {
  return bech32('iotaprivkey', Uint8Array.of(0, ...seed))
}

/**
 * What `kvartal keys export` and a retired key file hold (README "Keys"): JSON, format kvartal-key/1.
 * `seed` is the 32-byte Ed25519 private key (RFC 8032) in hex, the one thing secret; `iotaPrivateKey`
 * is the same key for IOTA tools; the rest are its public faces, to check the file against.
 */
export async function keyDocument(seed: Uint8Array, extra: Record<string, string>): Promise<string> {
  const { identityFromSeed } = await import('@kvartal/mesh')
  const id = await identityFromSeed(seed)
  return (
    JSON.stringify(
      {
        format: 'kvartal-key/1',
        type: 'ed25519',
        seed: toHex(seed),
        iotaPrivateKey: iotaPrivateKey(seed),
        peerId: id.peerId.toString(),
        trader: id.id,
        iotaAddress: id.iotaAddress,
        ...extra
      },
      null,
      2
    ) + '\n'
  )
}

async function faces(seed: Uint8Array): Promise<{ peerId: string; trader: string; iotaAddress: string }> {
  const { identityFromSeed } = await import('@kvartal/mesh')
  const id = await identityFromSeed(seed)
  return { peerId: id.peerId.toString(), trader: id.id, iotaAddress: id.iotaAddress }
}

async function previousKeys(dataDir: string): Promise<string[]> {
  try {
    return (await readdir(join(dataDir, KEYS_DIR)))
      .filter(f => /^previous-.*\.key$/.test(f))
      .sort()
      .map(f => join(dataDir, KEYS_DIR, f))
  } catch {
    return []
  }
}

// ---- rotation ----

/** Why the key may not change now: the old key would still have to sign, settle or finish something. */
export async function rotationBlockers(journal: Journal, c: Pick<NodeConfig, 'district' | 'settlement' | 'slots'>): Promise<string[]> {
  const out: string[] = []
  const holds = await journal.holds()
  if (holds.length > 0)
    out.push(
      `${holds.length} hold(s) promised to buyers are open (negotiations in flight): ` +
        `start the node and let them end (they expire within market.holdSeconds)`
    )
  const trades = await journal.trades()
  const pending = trades.filter(t => t.status === 'pending').length
  if (pending > 0) out.push(`${pending} trade(s) signed by both sides wait for the seller's commit: start the node and let it resolve them`)
  const unsettled: number[] = []
  for (const t of trades) if (t.status === 'committed' && (await journal.getProof(t.id)) == null) unsettled.push(t.decoded.terms.slot)
  if (unsettled.length > 0)
    out.push(
      `${unsettled.length} committed trade(s) (slots ${Math.min(...unsettled)}–${Math.max(...unsettled)}) ` +
        `are not settled yet: their period pays and attests them with this key, as this node's address`
    )
  const last = await journal.lastReadingSlot()
  const ps = c.settlement.periodSlots
  if (last != null) {
    const p = Math.floor(last / ps)
    const end = (p + 1) * ps - 1
    if (last !== end || (await journal.getPeriod(`${c.district}/${p}`)) == null) {
      const endsAt = new Date(c.slots.epochMs + (end + 1) * c.slots.seconds * 1000).toISOString()
      out.push(
        `settlement period ${c.district}/${p} (slots ${p * ps}–${end}, ends ${endsAt}) holds meter readings signed ` +
          `with this key and is not settled: a period's readings must all be by one key. Let the node settle it (the ` +
          `period-settled log line) and stop it before the next slot is read (within ${c.slots.seconds} s), then rotate`
      )
    }
  }
  const { PACKAGES, PROVIDER_LEGS, RIDE_RECEIPTS } = await import('@kvartal/node')
  const mobility = (
    await Promise.all(['channels', PACKAGES, PROVIDER_LEGS, RIDE_RECEIPTS].map(async k => (await journal.records(k)).length))
  ).reduce((a, b) => a + b, 0)
  if (mobility > 0)
    out.push(
      `${mobility} mobility record(s) (trip channels, bookings, ride receipts) are bound to this key: its trip channels can only ` +
        `be continued with it. Rotation is not supported for a node with ` +
        `a mobility history yet; use a new data directory for a new key`
    )
  return out
}

/**
 * Replaces the node's key: the old one is first written to keys/previous-<date>.key (0600, atomically),
 * then the new one into the journal (one synced write). A crash between the two leaves the old key in
 * use and a copy of it on disk; nothing is lost.
 */
export async function replaceKey(
  journal: Journal,
  dataDir: string,
  now = new Date()
): Promise<{ old: Uint8Array; seed: Uint8Array; previousFile: string }> {
  const old = await journal.loadSeed()
  if (old == null) throw new NoKeyError(dataDir)
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  let previousFile = join(dataDir, KEYS_DIR, `previous-${stamp}.key`)
  for (let i = 2; existsSync(previousFile); i++) previousFile = join(dataDir, KEYS_DIR, `previous-${stamp}-${i}.key`)
  await writeFileAtomic(previousFile, await keyDocument(old, { retiredAt: now.toISOString() }), 0o600, false)
  const seed = generateSeed()
  await journal.saveSeed(seed)
  return { old, seed, previousFile }
}

/** What a new key means for the district, for the operator. */
export async function rotationNotes(old: Uint8Array, seed: Uint8Array, previousFile: string, adapter: string): Promise<string> {
  const [a, b] = [await faces(old), await faces(seed)]
  return (
    `key rotated; the old key is kept in ${previousFile} (0600)\n` +
    `  peer id       ${a.peerId} -> ${b.peerId}\n  trader        ${a.trader} ` +
    `-> ${b.trader}\n  iota address  ${a.iotaAddress} -> ${b.iotaAddress}\n` +
    'What this means for the district:\n' +
    '  - peers must re-learn this node: replace /p2p/<old peer id> by the new one in their bootstrap lists (mDNS finds it by itself);\n' +
    '  - past trades, readings and settled periods stay signed by the old key and attested ' +
    'under the old address: `kvartal verify` still proves them; keep the old key file;\n' +
    (adapter === 'iota'
      ? `  - balances at ${a.iotaAddress} stay there: move them to ${b.iotaAddress} (import the old key's iotaPrivateKey into ` +
        `an IOTA wallet or \`iota keytool import\`, then transfer), and fund the new address before the next period's payment;\n`
      : "  - the local ledger is this node's own: the new address starts with its notional balance; nothing to move;\n") +
    '  - the node announces with the new key from its next start.\n'
  )
}

// ---- the commands ----

/** `kvartal keys show`: the node's public faces and where its key is; never the secret. */
export async function keysShow(o: ClientOptions): Promise<number> {
  const dir = resolve(await dataDirOf(o, 'kvartal keys show --config node.yaml'))
  const { askRunningNode } = await import('./control-client.ts')
  const running = (await controlSocketAnswers(dir))
    ? ((await askRunningNode(dir, 'GET', '/status')) as { peerId: string; trader: string; iotaAddress: string } | undefined)
    : undefined
  let id: { peerId: string; trader: string; iotaAddress: string }
  if (running != null) id = { peerId: running.peerId, trader: running.trader, iotaAddress: running.iotaAddress }
  else {
    const journal = await openStoppedJournal(dir, 'reading its key')
    try {
      const seed = await journal.loadSeed()
      if (seed == null) throw new NoKeyError(dir)
      id = await faces(seed)
    } finally {
      await journal.close()
    }
  }
  const answer = { ...id, keyFile: dir, keyEntry: KEY_ENTRY, previousKeys: await previousKeys(dir), running: running != null }
  output(
    o.json,
    answer,
    (s: typeof answer) =>
      `peer id       ${s.peerId}\ntrader        ${s.trader}\niota address  ${s.iotaAddress}\n` +
      `key           ${s.keyFile} (the journal's ${s.keyEntry} entry; directory owner-only)\n` +
      `previous keys ${s.previousKeys.length === 0 ? 'none' : s.previousKeys.join('\n              ')}\n`
  )
  return 0
}

/** `kvartal keys export [--out F] [--force]`: the secret key, as a kvartal-key/1 JSON document. */
export async function keysExport(o: ClientOptions & { out?: string; force?: boolean }): Promise<number> {
  if (o.out == null && process.stdout.isTTY === true && o.force !== true)
    throw new ConfigError(
      '--out',
      "the export holds the node's secret key: not printing it to a terminal (give --out <file>, pipe it, or --force)"
    )
  const dir = resolve(await dataDirOf(o, 'kvartal keys export --config node.yaml --out node.key'))
  const journal = await openStoppedJournal(dir, 'exporting its key (its journal is locked while it runs)')
  let doc: string
  try {
    const seed = await journal.loadSeed()
    if (seed == null) throw new NoKeyError(dir)
    doc = await keyDocument(seed, { exportedAt: new Date().toISOString() })
  } finally {
    await journal.close()
  }
  if (o.out == null) process.stdout.write(doc)
  else {
    await writeFileAtomic(o.out, doc, 0o600, o.force === true)
    process.stderr.write(
      `wrote the secret key to ${o.out} (mode 0600): keep it offline; anyone who has it can sign as this node and spend its address\n`
    )
  }
  return 0
}

/** `kvartal keys rotate --config node.yaml`: a new key; the old one kept, and what that means said. */
export async function keysRotate(o: { config?: string }): Promise<number> {
  if (o.config == null)
    throw new ConfigError('--config', "is required: rotation checks the node's settlement periods (kvartal keys rotate --config node.yaml)")
  const { loadNodeConfig } = await import('./node-config.ts')
  const c = await loadNodeConfig(o.config)
  const journal = await openStoppedJournal(c.dataDir, 'rotating its key')
  try {
    const blockers = await rotationBlockers(journal, c)
    if (blockers.length > 0) throw new RotationRefusedError(blockers)
    const r = await replaceKey(journal, c.dataDir)
    process.stdout.write(await rotationNotes(r.old, r.seed, r.previousFile, c.settlement.adapter))
  } finally {
    await journal.close()
  }
  return 0
}
