import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SimulatedClock, gateClosure, shareVerification, slotStart, verificationMemoStats, type NodeEvent, type SlotClockConfig } from '@kvartal/protocol'
import { localSettlement, type LocalLedger } from '@kvartal/settlement'
import { identityFromSeed, memoryListenAddress, type Transport } from '@kvartal/mesh'
import { seededRandom, type Strategy, type Tariffs } from '@kvartal/market'
import {
  KvartalNode, PACKAGES, PROVIDER_LEGS, RIDE_RECEIPTS, defaultNodeOptions,
  type GridOptions, type MobilityOptions, type PackageRecord, type ProviderLegRecord, type RideReceiptRecord, type TraderProfile, type TradeRecord
} from '@kvartal/node'
import type { Trade } from '@kvartal/protocol'

export interface SimNodeSpec {
  readonly name: string
  readonly keySeed: Uint8Array
  readonly profile: TraderProfile
  readonly strategy: Strategy
  /** the node's part in the mobility market (a traveller, a vehicle, a transit operator); absent: energy only */
  readonly mobility?: Partial<MobilityOptions>
  /** its feeder, the grid fees and its share of the transformer; absent: one feeder, no fees */
  readonly grid?: GridOptions
  /** runs once the node has started, before its first tick (e.g. to shape a vehicle's V2G offers) */
  readonly afterStart?: (node: KvartalNode) => void
}

export interface DistrictRunConfig {
  district: string
  nodes: readonly SimNodeSpec[]
  transport: Transport
  slots: SlotClockConfig
  /** simulate slots [0, slotCount) */
  slotCount: number
  tariffs: Tariffs
  ticksPerSlot: number
  tradingWindowSlots: number
  horizonSlots: number
  republishEverySlots: number
  /** pull missed gossip from one peer every this many slots (0: never) */
  catchUpEverySlots: number
  /** each node dials this many random earlier nodes (bootstrap list) */
  degree: number
  seed: number
  /** where node data directories go; a temporary directory (removed afterwards) when absent */
  dataRoot?: string
  onEvent?: (e: NodeEvent) => void
  onProgress?: (done: number, total: number) => void
  /** real ms to wait for gossip to reach every node after a tick before moving on */
  gossipSettleMs: number
  /** a negotiation frame's timeout, real ms: long, so that a loaded machine does not change outcomes */
  frameTimeoutMs: number
  /**
   * check each distinct signature once per process, not once per node (protocol's `shareVerification`):
   * every node still checks everything it receives, and the answer for the same bytes is the same
   */
  shareVerification: boolean
  /** on the memory transport, skip noise (nothing leaves the process); TCP always speaks noise */
  encryption: 'noise' | 'plaintext'
  /** settle the whole run as one period on this shared local ledger (absent: no settlement) */
  ledger?: LocalLedger
  /**
   * After every tick, once every node is idle and all gossip has arrived: drive the nodes at this
   * simulated instant (travellers plan and book journeys). The clock stands still until it resolves,
   * and the runner waits for idleness and gossip again before the next tick.
   */
  onTick?: (now: number, nodes: readonly KvartalNode[]) => Promise<void>
}

export const defaultDistrictRunConfig = {
  transport: 'memory' as Transport,
  ticksPerSlot: defaultNodeOptions.ticksPerSlot,
  tradingWindowSlots: defaultNodeOptions.tradingWindowSlots,
  horizonSlots: defaultNodeOptions.horizonSlots,
  republishEverySlots: defaultNodeOptions.republishEverySlots,
  catchUpEverySlots: defaultNodeOptions.catchUpEverySlots,
  // gossipsub's mesh wants D = 6 peers; dialling 4 and being dialled by ~4 gives each node ~8 connections
  degree: 4,
  // Results must not depend on the machine's speed or load: simulated time stands still while the
  // runner waits, so nothing real-time may decide an outcome. A frame that takes longer than this on
  // the memory transport is a bug, not a slow peer; a loaded machine that needs 5 s must not turn it
  // into a failed negotiation (it did: timeouts at 100 buildings changed the market's figures).
  frameTimeoutMs: 120_000,
  shareVerification: true,
  encryption: 'plaintext' as 'noise' | 'plaintext',
  // a gossip message that has not arrived this long after the last progress (see `settle`) is lost:
  // gossipsub delivers to the mesh as it stands, and at 200 buildings an announcement now and then
  // reaches only part of its feeder; the next catch-up pull brings it (KVARTAL_SIM_DEBUG=1 prints who
  // waits on which topic). Each such tick costs this wait
  gossipSettleMs: 2_000
}

export interface NodeResult {
  readonly name: string
  readonly id: string
  readonly node: KvartalNode
  readonly trades: Array<TradeRecord & { decoded: Trade }>
  /** the settled period's summary, and each committed trade's proof record, when the run settled */
  readonly period?: Record<string, any>
  readonly proofs: Map<string, Record<string, any>>
  /** the node's mobility records, read from its journal before it stopped */
  readonly mobility?: MobilityRecords
}

export interface MobilityRecords {
  /** packages this node booked as a traveller, by package id */
  readonly packages: Array<[string, PackageRecord]>
  /** legs this node sold as a provider, by leg id */
  readonly providerLegs: Array<[string, ProviderLegRecord]>
  /** the latest cumulative receipt per ride, as this node journaled it (traveller or vehicle) */
  readonly receipts: Array<[string, RideReceiptRecord]>
}

export interface DistrictRunResult {
  readonly nodes: NodeResult[]
  readonly wallMs: number
  readonly startupMs: number
  readonly ticks: number
  /** ticks after which gossip had not reached every node within gossipSettleMs */
  readonly gossipLate: number
  /** signature checks answered from the process's memo, and checked */
  readonly verification: { hits: number, misses: number }
}

/**
 * Runs one district in this process: every node a real libp2p host (memory transport, or TCP on
 * loopback) with a real level journal, all driven by one simulated clock. After each tick the runner
 * waits until every node is idle and every announcement has reached every node, so a run is repeatable
 * whatever the machine's speed.
 */
export async function runDistrict (config: DistrictRunConfig): Promise<DistrictRunResult> {
  const c = config
  const t0 = performance.now()
  shareVerification(c.shareVerification)
  const dataRoot = c.dataRoot ?? await mkdtemp(join(tmpdir(), 'kvartal-sim-'))
  const window = c.tradingWindowSlots * c.slots.slotMs
  const startMs = gateClosure(c.slots, 0) - window - 1
  const clock = new SimulatedClock(startMs)
  const rnd = seededRandom(c.seed)
  const identities = await Promise.all(c.nodes.map(async n => await identityFromSeed(n.keySeed)))
  const dials = dialPlan(c.nodes, c.degree, rnd)
  const nodes = c.nodes.map((spec, i) => {
    const bootstrap: string[] = []
    if (c.transport === 'memory') {
      for (const j of dials[i]) bootstrap.push(`${memoryListenAddress(identities[j])}/p2p/${identities[j].peerId.toString()}`)
    }
    return new KvartalNode({
      district: c.district,
      dataDir: join(dataRoot, spec.name),
      transport: c.transport,
      encryption: c.transport === 'memory' ? c.encryption : 'noise',
      loopback: true,
      bootstrap,
      clock,
      slots: c.slots,
      tariffs: c.tariffs,
      strategy: spec.strategy,
      // nothing to trade outside the simulated day
      profile: {
        ...spec.profile,
        position: (slot: number) => slot >= 0 && slot < c.slotCount ? spec.profile.position(slot) : 0,
        measured: spec.profile.measured == null ? undefined : (slot: number) => slot >= 0 && slot < c.slotCount ? spec.profile.measured!(slot) : 0
      },
      settlement: c.ledger == null ? undefined : { create: (signer) => localSettlement(c.ledger!, signer, clock), periodSlots: c.slotCount },
      ticksPerSlot: c.ticksPerSlot,
      tradingWindowSlots: c.tradingWindowSlots,
      horizonSlots: c.horizonSlots,
      republishEverySlots: c.republishEverySlots,
      catchUpEverySlots: c.catchUpEverySlots,
      keySeed: spec.keySeed,
      seed: c.seed * 1000 + i,
      ...(spec.mobility != null ? { mobility: spec.mobility } : {}),
      ...(spec.grid != null ? { grid: spec.grid } : {}),
      // a simulator does not need fsync: a killed simulation is simply run again
      journal: { sync: false },
      // every node starts on the runner's first tick, once all of them are connected
      tickOnStart: false,
      // simulated time stands still while a negotiation runs: a hold outlives any negotiation
      holdMs: c.slots.slotMs,
      frameTimeoutMs: c.frameTimeoutMs,
      onEvent: c.onEvent
    })
  })
  try {
    if (c.transport === 'tcp') {
      // TCP ports are only known once listening: start the nodes in order, each dialling the earlier
      // nodes of its plan at the addresses they listen on
      for (const [i, n] of nodes.entries()) {
        n.options.bootstrap = dials[i].flatMap(j => nodes[j].host.getMultiaddrs().map(String))
        await n.start()
      }
    } else {
      await Promise.all(nodes.map(async n => await n.start()))
    }
    nodes.forEach((n, i) => c.nodes[i].afterStart?.(n))
    const startupMs = performance.now() - t0
    // what each node can still expect: anything published before it joined the mesh is not coming
    const missed = outstanding(nodes)
    const tickMs = Math.floor(c.slots.slotMs / c.ticksPerSlot)
    // run past the end of the last slot, so that nodes meter it and settle the period
    const endMs = (c.ledger == null ? gateClosure(c.slots, c.slotCount) : slotStart(c.slots, c.slotCount)) + tickMs
    const totalTicks = Math.ceil((endMs - startMs) / tickMs)
    let ticks = 0
    let gossipLate = 0
    for (let t = startMs + 1; t <= endMs; t += tickMs) {
      clock.advanceTo(t)
      const settled = async (): Promise<void> => {
        if (await settle(nodes, missed, c.gossipSettleMs)) return
        gossipLate++
        if (process.env.KVARTAL_SIM_DEBUG != null) {
          const now = outstanding(nodes)
          const late = now.map((x, i) => [i, x - missed[i]] as const).filter(([, x]) => x > 0)
          process.stderr.write(`late gossip at ${new Date(t).toISOString()}: ${late.map(([i, x]) => `${c.nodes[i].name}(${c.nodes[i].grid?.feeder ?? ''}${c.nodes[i].grid?.relay === true ? ' relay' : ''}) ${x}: ${JSON.stringify(Object.fromEntries(Object.entries(nodes[i].router.stats.topics).map(([k, v]) => [k.split('/').slice(2).join('/'), v.received])))}`).join('; ')}\n`)
        }
        // a delivery that did not come within the wait is not coming: stop expecting it, so that one
        // lost message costs one late tick and not every tick after it
        outstanding(nodes).forEach((x, i) => { missed[i] = Math.max(missed[i], x) })
      }
      await settled()
      if (c.onTick != null) {
        await c.onTick(clock.now(), nodes)
        await settled()
      }
      ticks++
      c.onProgress?.(ticks, totalTicks)
    }
    await Promise.all(nodes.map(async n => { await n.idle() }))
    const results: NodeResult[] = []
    for (let i = 0; i < nodes.length; i++) {
      const trades = await nodes[i].trades()
      const proofs = new Map<string, Record<string, any>>()
      let period: Record<string, any> | undefined
      if (c.ledger != null) {
        period = await nodes[i].journal.getPeriod(`${c.district}/0`)
        for (const t of trades) { const p = await nodes[i].journal.getProof(t.id); if (p != null) proofs.set(t.id, p) }
      }
      const mobility = nodes[i].mobility == null
        ? undefined
        : {
            packages: await nodes[i].journal.records<PackageRecord>(PACKAGES),
            providerLegs: await nodes[i].journal.records<ProviderLegRecord>(PROVIDER_LEGS),
            receipts: await nodes[i].journal.records<RideReceiptRecord>(RIDE_RECEIPTS)
          }
      results.push({ name: c.nodes[i].name, id: nodes[i].id, node: nodes[i], trades, period, proofs, ...(mobility != null ? { mobility } : {}) })
    }
    return { nodes: results, wallMs: performance.now() - t0, startupMs, ticks, gossipLate, verification: { ...verificationMemoStats } }
  } finally {
    await Promise.all(nodes.map(async n => { await n.stop().catch(() => {}) }))
    shareVerification(false)
    if (c.dataRoot == null) await rm(dataRoot, { recursive: true, force: true })
  }
}

/**
 * Whom each node dials at start (earlier nodes only, so every node is reachable once it starts): up to
 * `degree` random nodes of its own feeder — gossipsub builds a topic's mesh only among connected peers,
 * and a node reads its feeder's topics — and a relay also up to `degree` random relays (of any
 * feeder), since the district's digests travel only among relays. Without feeders, `degree` random earlier nodes.
 * Vehicles and operators move between feeders; they dial as their feeder's buildings do.
 */
export function dialPlan (specs: readonly SimNodeSpec[], degree: number, rnd: () => number): number[][] {
  const pick = (pool: number[], k: number): number[] => {
    const picks = new Set<number>()
    while (picks.size < Math.min(k, pool.length)) picks.add(pool[Math.floor(rnd() * pool.length)])
    return [...picks]
  }
  return specs.map((spec, i) => {
    const earlier = Array.from({ length: i }, (_, j) => j)
    const feeder = spec.grid?.feeder
    if (feeder == null) return pick(earlier, degree)
    const out = pick(earlier.filter(j => specs[j].grid?.feeder === feeder), degree)
    if (spec.grid?.relay === true) out.push(...pick(earlier.filter(j => specs[j].grid?.relay === true && !out.includes(j)), degree))
    // the first node of a feeder reaches the rest of the district through one earlier node
    if (out.length === 0 && i > 0) out.push(...pick(earlier, 1))
    return out
  })
}

/** Waits until every node is idle and has every announcement published so far. False on timeout. */
async function settle (nodes: KvartalNode[], missed: number[], gossipSettleMs: number): Promise<boolean> {
  // the wait counts from the last sign of progress (a node busy, a message received or published), not
  // from the tick: at 200 buildings a tick's negotiations alone can take longer than the wait, and
  // their sales publish announcements as they go; only gossip that has not come after that long with
  // nothing else happening is taken as lost
  let deadline = performance.now() + gossipSettleMs
  let last = ''
  for (;;) {
    const busy = nodes.some(n => n.inFlight > 0)
    await Promise.all(nodes.map(async n => { await n.idle() }))
    const now = outstanding(nodes)
    const complete = now.every((x, i) => x <= missed[i])
    if (complete && nodes.every(n => n.inFlight === 0)) return true
    const state = now.join(',')
    if (busy || state !== last) { last = state; deadline = performance.now() + gossipSettleMs }
    if (performance.now() > deadline) return false
    await new Promise(resolve => setTimeout(resolve, 2))
  }
}

type TopicStats = KvartalNode['router']['stats']['topics']
const topicStatsOf = (n: KvartalNode): TopicStats[] => [n.router?.stats.topics ?? {}, n.mobility?.gossipStats?.topics ?? {}]

/**
 * Messages published so far that have not reached `n`: on every topic `n` reads, what every other
 * node published there less what `n` received there (its feeder's offers and digests, the district's
 * digests on a relay, the mobility topic when it takes part in mobility).
 */
function outstanding (nodes: readonly KvartalNode[]): number[] {
  const published = new Map<string, number>()
  for (const m of nodes) for (const st of topicStatsOf(m)) for (const [t, x] of Object.entries(st)) published.set(t, (published.get(t) ?? 0) + x.published)
  return nodes.map(n => {
    let out = 0
    for (const st of topicStatsOf(n)) for (const [t, x] of Object.entries(st)) out += (published.get(t) ?? 0) - x.published - x.received
    for (const t of n.router?.subscriptions ?? []) if (!(t in (n.router.stats.topics))) out += published.get(t) ?? 0
    return out
  })
}
