/**
 * Shared pieces of the benchmark children: building a district of nodes the way sim/src/district-runner.ts
 * does (memory transport, one SimulatedClock, level journals without fsync, each node bootstrapping to
 * random earlier nodes), percentiles, and the child's way of handing back its one JSON document.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SimulatedClock, type SlotClockConfig } from '@kvartal/protocol'
import { fixedMarkup, seededRandom, type Strategy } from '@kvartal/market'
import { identityFromSeed, memoryListenAddress, type NodeIdentity } from '@kvartal/mesh'
import { KvartalNode, type KvartalNodeOptions, type TraderProfile } from '@kvartal/node'

export const district = 'bench'
export const slots: SlotClockConfig = { epochMs: Date.UTC(2026, 5, 17, 0, 0), slotMs: 15 * 60_000, gateClosureMs: 60_000 }
export const tariffs = { retail: 1_000_000_000, feedIn: 300_000_000 }

export const keySeedOf = (i: number): Uint8Array => new Uint8Array(createHash('sha256').update(`kvartal-bench/${i}`).digest())

export const zeroProfile: TraderProfile = { buyLimit: 800_000_000, sellLimit: 400_000_000, position: () => 0 }

export interface NodeSpec {
  profile?: TraderProfile
  strategy?: Strategy
}

export interface BenchDistrict {
  clock: SimulatedClock
  nodes: KvartalNode[]
  identities: NodeIdentity[]
  dir: string
  /** stops every node (bounded in time) and removes the data directory */
  close(): Promise<void>
}

/**
 * Creates (but does not start) `specs.length` nodes. Node i bootstraps to up to `degree` distinct random
 * earlier nodes, as the district runner does.
 */
export async function createDistrict(
  specs: NodeSpec[],
  opts: { degree?: number; seed?: number; startMs?: number; extra?: Partial<KvartalNodeOptions> } = {}
): Promise<BenchDistrict> {
  const dir = await mkdtemp(join(tmpdir(), 'kvartal-bench-'))
  const clock = new SimulatedClock(opts.startMs ?? slots.epochMs)
  const rnd = seededRandom(opts.seed ?? 7)
  const degree = opts.degree ?? 4
  const identities = await Promise.all(specs.map(async (_, i) => await identityFromSeed(keySeedOf(i))))
  const nodes = specs.map((spec, i) => {
    const bootstrap: string[] = []
    const picks = new Set<number>()
    while (picks.size < Math.min(degree, i)) picks.add(Math.floor(rnd() * i))
    for (const j of picks) bootstrap.push(`${memoryListenAddress(identities[j])}/p2p/${identities[j].peerId.toString()}`)
    return new KvartalNode({
      district,
      dataDir: join(dir, `n${i}`),
      transport: 'memory',
      loopback: true,
      bootstrap,
      clock,
      slots,
      tariffs,
      strategy: spec.strategy ?? fixedMarkup(),
      profile: spec.profile ?? zeroProfile,
      keySeed: keySeedOf(i),
      seed: i + 1,
      journal: { sync: false },
      ...opts.extra
    })
  })
  const close = async (): Promise<void> => {
    await withTimeout(
      Promise.all(
        nodes.map(async n => {
          await n.stop().catch(() => {})
        })
      ),
      20_000,
      'stopping nodes'
    ).catch((err: Error) => {
      info(`warning: ${err.message}`)
    })
    await rm(dir, { recursive: true, force: true }).catch(() => {})
  }
  return { clock, nodes, identities, dir, close }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
      })
    ])
  } finally {
    clearTimeout(timer)
  }
}

export const sleep = async (ms: number): Promise<void> => {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits

export function info(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`)
}

export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc
  if (g != null) {
    g()
    g()
  }
}

/**
 * A benchmark child's main: runs `fn`, prints its result as one JSON line on stdout and exits, whatever
 * libp2p or level leave behind. A watchdog exits with an error document if `fn` hangs.
 */
export function runChild(name: string, limitMs: number, fn: () => Promise<unknown>): void {
  const done = (doc: unknown, code: number): void => {
    process.stdout.write(JSON.stringify(doc) + '\n', () => process.exit(code))
  }
  const watchdog = setTimeout(() => {
    done({ error: `${name}: no result within ${limitMs} ms` }, 2)
  }, limitMs)
  watchdog.unref()
  fn().then(
    result => {
      done(result, 0)
    },
    (err: unknown) => {
      done({ error: `${name}: ${(err as Error)?.stack ?? String(err)}` }, 1)
    }
  )
}
