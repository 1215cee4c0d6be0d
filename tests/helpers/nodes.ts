import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SimulatedClock, type NodeEvent, type NodeEventType } from '@kvartal/protocol'
import { fixedMarkup, type Strategy } from '@kvartal/market'
import { identityFromSeed, memoryListenAddress } from '@kvartal/mesh'
import { KvartalNode, type KvartalNodeOptions, type TraderProfile } from '@kvartal/node'

export const epochMs = Date.UTC(2026, 5, 17, 10, 0)
export const slots = { epochMs, slotMs: 15 * 60_000, gateClosureMs: 60_000 }
export const tariffs = { retail: 1_000_000_000, feedIn: 300_000_000 }
export const seedOf = (n: number): Uint8Array => {
  const s = new Uint8Array(32)
  s[0] = n & 0xff
  s[1] = n >> 8
  s[31] = 7
  return s
}

export interface TestDistrict {
  clock: SimulatedClock
  nodes: KvartalNode[]
  events: NodeEvent[]
  dir: string
  close(): Promise<void>
  /** advances the simulated clock one tick at a time until `ms`, waiting for every node after each */
  runUntil(ms: number): Promise<void>
  waitFor(type: NodeEventType, predicate?: (e: NodeEvent) => boolean): Promise<NodeEvent>
  /** calls `listener` with every event, as it is emitted (synchronously), until the returned function is called */
  onEvent(listener: (e: NodeEvent) => void): () => void
}

/**
 * Starts real nodes (libp2p memory transport, level journals in a temp directory) on one simulated
 * clock, each dialling up to `degree` earlier nodes. The clock starts one hour before slot 0's gate.
 */
export async function startDistrict(
  profiles: Array<TraderProfile & { strategy?: Strategy }>,
  opts: {
    degree?: number
    ticksPerSlot?: number
    extra?: (i: number) => Partial<KvartalNodeOptions>
    beforeStart?: (dir: string) => void
  } = {}
): Promise<TestDistrict> {
  const dir = await mkdtemp(join(tmpdir(), 'kvartal-test-'))
  opts.beforeStart?.(dir)
  const clock = new SimulatedClock(epochMs - 60 * 60_000)
  const events: NodeEvent[] = []
  const waiters: Array<{ type: string; p?: (e: NodeEvent) => boolean; resolve: (e: NodeEvent) => void }> = []
  const listeners = new Set<(e: NodeEvent) => void>()
  const onEvent = (e: NodeEvent): void => {
    events.push(e)
    for (const l of listeners) l(e)
    for (const w of [...waiters])
      if (w.type === e.type && (w.p == null || w.p(e))) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(e)
      }
  }
  const ids = await Promise.all(profiles.map(async (_, i) => await identityFromSeed(seedOf(i + 1))))
  const degree = opts.degree ?? 3
  const nodes = profiles.map(
    (p, i) =>
      new KvartalNode({
        district: 'test',
        dataDir: join(dir, `n${i}`),
        transport: 'memory',
        bootstrap: ids.slice(Math.max(0, i - degree), i).map(id => `${memoryListenAddress(id)}/p2p/${id.peerId}`),
        clock,
        slots,
        tariffs,
        strategy: p.strategy ?? fixedMarkup(),
        profile: p,
        keySeed: seedOf(i + 1),
        ticksPerSlot: opts.ticksPerSlot ?? 4,
        journal: { sync: false },
        seed: i + 1,
        onEvent,
        ...opts.extra?.(i)
      })
  )
  await Promise.all(nodes.map(async n => await n.start()))
  // what the district has done so far: work begun and gossip published and received, summed over nodes
  const progress = (): string => {
    let work = 0
    let gossip = 0
    for (const n of nodes) {
      if (n.state !== 'trading') continue
      work += n.workBegun
      for (const t of Object.values(n.router.stats.topics)) gossip += t.published + 2 * t.received
    }
    return `${work}:${gossip}`
  }
  // idle: every node has no work in flight, and nothing was begun, published or received for three polls in a
  // row (gossip in flight between hosts shows no event of its own). On a loaded machine gossipsub can take
  // longer than the polls: while anything still moves the wait goes on, up to 5 s of real time
  const idle = async (): Promise<void> => {
    const deadline = performance.now() + 5_000
    let last = progress()
    for (let quiet = 0; quiet < 3 && performance.now() < deadline; ) {
      await Promise.all(nodes.map(async n => await n.idle()))
      const now = progress()
      quiet = now === last ? quiet + 1 : 0
      last = now
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }
  return {
    clock,
    nodes,
    events,
    dir,
    async runUntil(ms) {
      const tick = slots.slotMs / (opts.ticksPerSlot ?? 4)
      while (clock.now() + tick <= ms) {
        clock.advanceTo(clock.now() + tick)
        await idle()
      }
      await idle()
    },
    async waitFor(type, p) {
      const found = events.find(e => e.type === type && (p == null || p(e)))
      if (found != null) return found
      return await new Promise(resolve => waiters.push({ type, p, resolve }))
    },
    onEvent(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    async close() {
      await Promise.all(nodes.map(async n => await n.stop()))
      await rm(dir, { recursive: true, force: true })
    }
  }
}
