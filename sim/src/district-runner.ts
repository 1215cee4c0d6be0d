import { mkdtemp, rm } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  SimulatedClock,
  gateClosure,
  shareVerification,
  slotStart,
  verificationMemoStats,
  type NodeEvent,
  type SlotClockConfig
} from '@kvartal/protocol'
import { localSettlement, type LocalLedger } from '@kvartal/settlement'
import { outstanding, probeNodes, settle, type GossipCounts, type Probe } from './quiescence.ts'
import type { NodeView } from './node-view.ts'
import {
  identityFromSeed,
  memoryListenAddress,
  type HostNetworkHooks,
  type ProcessGossip,
  type ProcessGossipStats,
  type Transport
} from '@kvartal/mesh'
import { processGossipFor } from './process-topics.ts'
import { LinkController, type NetworkFigures } from './links/link-controller.ts'
import { hasConditions, type NetworkScenario } from './links/network-scenario.ts'
import { seededRandom, type Tariffs } from '@kvartal/market'
import {
  KvartalNode,
  PACKAGES,
  PROVIDER_LEGS,
  RIDE_RECEIPTS,
  defaultNodeOptions,
  type PackageRecord,
  type ProviderLegRecord,
  type RideReceiptRecord,
  type TradeRecord
} from '@kvartal/node'
import type { Trade } from '@kvartal/protocol'
import type { SimNodeSpec } from './node-spec.ts'

export type { SimNodeSpec }

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
  /** after each tick, once the district is idle; the runner waits for it before the next tick */
  onProgress?: (done: number, total: number) => void | Promise<void>
  /** real ms to wait for gossip to reach every node after a tick before moving on */
  gossipSettleMs: number
  /** link conditions: loss, latency, bandwidth, partitions, churn (links/, docs/simulator.md); absent: a perfect network */
  network?: NetworkScenario
  /** a negotiation frame's timeout, real ms: long, so that a loaded machine does not change outcomes */
  frameTimeoutMs: number
  /**
   * nodes of one process gossip on a bus, each message once to each reader, instead of over gossipsub
   * (mesh's ProcessGossip, process-topics.ts); off with link conditions, whatever this says
   */
  processGossip: boolean
  /**
   * check each distinct signature once per process, not once per node (protocol's `shareVerification`):
   * every node still checks everything it receives, and the answer for the same bytes is the same
   */
  shareVerification: boolean
  /** on the memory transport, skip noise (nothing leaves the process); TCP always speaks noise */
  encryption: 'noise' | 'plaintext'
  /** settle the whole run as one period on this shared local ledger (absent: no settlement) */
  ledger?: LedgerAccess
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
  processGossip: true,
  shareVerification: true,
  encryption: 'plaintext' as 'noise' | 'plaintext',
  // a gossip message that has not arrived this long after the last progress (see `settle`) is lost:
  // gossipsub delivers to the mesh as it stands, and at 200 buildings an announcement now and then
  // reaches only part of its feeder; the next catch-up pull brings it (KVARTAL_SIM_DEBUG=1 prints who
  // waits on which topic). Each such tick costs this wait
  gossipSettleMs: 2_000
}

/**
 * What a node's settlement asks of the shared local ledger: the ledger itself in one process, or a
 * worker's line to the process that holds it (worker-runner.ts).
 */
export type LedgerAccess = Pick<LocalLedger, 'submit' | 'byKey' | 'byDigest' | 'balance'>

export interface NodeResult {
  readonly name: string
  readonly id: string
  /** the node itself in one process; a copy of what the metrics read from a worker process */
  readonly node: NodeView
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
  readonly verification: { hits: number; misses: number }
  /** the processes that ran the district (worker-runner.ts): absent when it ran in this one */
  readonly processes?: Array<{
    readonly pid: number
    readonly nodes: readonly number[]
    readonly cpuMs?: number
    readonly peakRssBytes?: number
  }>
  /** what the link conditions did (absent without any) */
  readonly network?: NetworkFigures
  /** the processes' gossip buses, summed (absent over gossipsub) */
  readonly gossipBus?: ProcessGossipStats
}

/**
 * Runs one district in this process: every node a real libp2p host (memory transport, or TCP on
 * loopback) with a real level journal, all driven by one simulated clock. After each tick the runner
 * waits until every node is idle and every announcement has reached every node, so a run is repeatable
 * whatever the machine's speed. `runOnWorkers` (worker-runner.ts) runs the same on several processes.
 */
export async function runDistrict(config: DistrictRunConfig): Promise<DistrictRunResult> {
  const c = config
  const t0 = performance.now()
  shareVerification(c.shareVerification)
  const dataRoot = c.dataRoot ?? (await mkdtemp(join(tmpdir(), 'kvartal-sim-')))
  const clock = new SimulatedClock(runStartMs(c))
  const identities = await Promise.all(c.nodes.map(async n => await identityFromSeed(n.keySeed)))
  const dials = dialPlan(c.nodes, c.degree, seededRandom(c.seed))
  // link conditions (links/): hooks in every host; partitions and churn applied between ticks
  const links =
    c.network != null && hasConditions(c.network)
      ? new LinkController(c.network, {
          names: c.nodes.map(n => n.name),
          feederOf: i => c.nodes[i].grid?.feeder,
          identities,
          dials,
          slots: c.slots,
          seed: c.seed,
          make: (i, network) => simNode(c, i, { clock, dataRoot, bootstrap: [], ledger: c.ledger, network }),
          afterStart: (i, n) => c.nodes[i].afterStart?.(n)
        })
      : undefined
  const processGossip = processGossipFor(
    c.district,
    c.nodes,
    c.nodes.map((_, i) => i),
    links == null && c.processGossip
  )
  const nodes = c.nodes.map((_spec, i) => {
    const bootstrap: string[] = []
    if (c.transport === 'memory') {
      for (const j of dials[i]) bootstrap.push(`${memoryListenAddress(identities[j])}/p2p/${identities[j].peerId.toString()}`)
    }
    return simNode(c, i, { clock, dataRoot, bootstrap, ledger: c.ledger, network: links?.hooksFor(i), processGossip })
  })
  links?.attach(nodes)
  try {
    await Promise.all(nodes.map(async n => await n.start()))
    // TCP ports are only known once listening: every node listens first, then dials its plan
    if (c.transport === 'tcp')
      await dialAlong(
        c,
        nodes,
        nodes.map((_, i) => i),
        dials,
        j => nodes[j].host.getMultiaddrs()[0].toString()
      )
    nodes.forEach((n, i) => {
      c.nodes[i].afterStart?.(n)
    })
    const startupMs = performance.now() - t0
    const { ticks, gossipLate } = await driveTicks(c, clock, {
      probe: async () => {
        const p = await probeNodes(nodes)
        return links?.adjust(p) ?? p
      },
      ...(links != null
        ? {
            advance: async (t: number) => {
              await links.before(t)
              clock.advanceTo(t)
            }
          }
        : {}),
      onTick:
        c.onTick == null
          ? undefined
          : async now => {
              await c.onTick!(now, nodes)
            },
      describeLate: (missed, counts) => lateReport(c, missed, counts, i => nodes[i].router.stats.topics)
    })
    await links?.finish()
    await Promise.all(
      nodes.map(async n => {
        await n.idle()
      })
    )
    const results: NodeResult[] = []
    for (let i = 0; i < nodes.length; i++) results.push(await nodeResult(c, c.nodes[i], nodes[i]))
    return {
      nodes: results,
      wallMs: performance.now() - t0,
      startupMs,
      ticks,
      gossipLate,
      verification: { ...verificationMemoStats },
      ...(links != null ? { network: links.figures() } : {}),
      ...(processGossip != null ? { gossipBus: { ...processGossip.stats } } : {})
    }
  } finally {
    await Promise.all(
      nodes.map(async n => {
        await n.stop().catch(() => {})
      })
    )
    shareVerification(false)
    if (c.dataRoot == null) await rm(dataRoot, { recursive: true, force: true })
  }
}

/**
 * The simulated instant the run starts: just before the last tick of the nodes' tick grid (every
 * `slotMs / ticksPerSlot` from the epoch) at or before the first slot's trading window opens. The runner
 * moves the clock along that same grid, so each node's tick runs at its own instant. (It moved along a
 * grid anchored at gate closure, 60 s off the nodes': a node's last tick before a gate fired only when
 * the clock reached the gate itself, so its proposals met closed gates; 1.3 % of the default day's
 * local energy went to the grid.)
 */
export function runStartMs(c: Pick<DistrictRunConfig, 'slots' | 'tradingWindowSlots' | 'ticksPerSlot'>): number {
  const tickMs = Math.floor(c.slots.slotMs / c.ticksPerSlot)
  const opens = gateClosure(c.slots, 0) - c.tradingWindowSlots * c.slots.slotMs
  return c.slots.epochMs + Math.floor((opens - c.slots.epochMs) / tickMs) * tickMs - 1
}

/** The district's `i`th node, not yet started, with the runner's settings. */
export function simNode(
  c: DistrictRunConfig,
  i: number,
  at: {
    clock: SimulatedClock
    dataRoot: string
    bootstrap: string[]
    ledger?: LedgerAccess
    inProcess?: boolean
    network?: HostNetworkHooks
    processGossip?: ProcessGossip
  }
): KvartalNode {
  const spec = c.nodes[i]
  const ledger = at.ledger
  return new KvartalNode({
    district: c.district,
    dataDir: join(at.dataRoot, spec.name),
    transport: c.transport,
    encryption: c.transport === 'memory' || at.inProcess === true ? c.encryption : 'noise',
    loopback: true,
    // connections of a simulation cannot die unseen; a real-time ping would cost per wall second (mesh's HostOptions)
    connectionMonitor: false,
    // and libp2p's own real-time limits wait as long as a frame may (frameTimeoutMs, below)
    libp2pTimeoutsMs: c.frameTimeoutMs,
    // and gossipsub keeps its mesh at the nodes' ticks (at most one heartbeat per tick), not by its timer
    manualHeartbeat: true,
    // connections drop only when the scenario says so (link conditions' churn), never by the machine's speed
    rejoinEveryMs: 0,
    ...(at.inProcess === true ? { inProcess: true } : {}),
    ...(at.network != null ? { network: at.network } : {}),
    // on a process bus, gossipsub carries nothing, and nothing else needs identify's exchange (mesh's HostOptions)
    ...(at.processGossip != null ? { processGossip: at.processGossip, identifyOnConnect: false } : {}),
    bootstrap: at.bootstrap,
    clock: at.clock,
    slots: c.slots,
    tariffs: c.tariffs,
    strategy: spec.strategy,
    // nothing to trade outside the simulated day
    profile: {
      ...spec.profile,
      position: (slot: number) => (slot >= 0 && slot < c.slotCount ? spec.profile.position(slot) : 0),
      measured:
        spec.profile.measured == null ? undefined : (slot: number) => (slot >= 0 && slot < c.slotCount ? spec.profile.measured!(slot) : 0)
    },
    settlement:
      ledger == null ? undefined : { create: signer => localSettlement(ledger as LocalLedger, signer, at.clock), periodSlots: c.slotCount },
    ticksPerSlot: c.ticksPerSlot,
    tradingWindowSlots: c.tradingWindowSlots,
    horizonSlots: c.horizonSlots,
    republishEverySlots: c.republishEverySlots,
    // a pull brings what gossip missed; a process bus misses nothing (every reader gets every message), so
    // a pull there only costs a stream and a summary of the book: 3,636 pulls in the default day, none of
    // which brought anything
    catchUpEverySlots: at.processGossip != null ? 0 : c.catchUpEverySlots,
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
}

export interface TickDriver {
  /** polls every node of the district (in this process, or in every worker) */
  probe: () => Promise<Probe>
  /** the scenario's per-tick work (travellers), after the tick's negotiations are done */
  onTick?: (now: number) => Promise<void>
  /** ask twice before taking the district as idle (several processes: quiescence.ts) */
  confirm?: boolean
  /** moves every clock of the district */
  advance?: (t: number) => Promise<void>
  describeLate?: (missed: readonly number[], counts: readonly GossipCounts[]) => string
}

/**
 * The run's clock: tick by tick from the start to past the end of the last slot (so that nodes meter it
 * and settle the period), each tick followed by a wait until every node is idle and every gossip
 * message has arrived, then the scenario's own work for the tick, then that wait again.
 */
export async function driveTicks(
  c: DistrictRunConfig,
  clock: SimulatedClock | undefined,
  d: TickDriver
): Promise<{ ticks: number; gossipLate: number }> {
  // what each node can still expect: anything published before it joined the mesh is not coming
  const missed = outstanding((await d.probe()).counts)
  const tickMs = Math.floor(c.slots.slotMs / c.ticksPerSlot)
  const startMs = runStartMs(c)
  const endMs = (c.ledger == null ? gateClosure(c.slots, c.slotCount) : slotStart(c.slots, c.slotCount)) + tickMs
  const totalTicks = Math.ceil((endMs - startMs) / tickMs)
  let ticks = 0
  let gossipLate = 0
  const settled = async (t: number): Promise<void> => {
    if (await settle(d.probe, missed, { gossipSettleMs: c.gossipSettleMs, confirm: d.confirm })) return
    gossipLate++
    const counts = (await d.probe()).counts
    if (process.env.KVARTAL_SIM_DEBUG != null && d.describeLate != null)
      process.stderr.write(`late gossip at ${new Date(t).toISOString()}: ${d.describeLate(missed, counts)}\n`)
    // a delivery that did not come within the wait is not coming: stop expecting it, so that one
    // lost message costs one late tick and not every tick after it
    outstanding(counts).forEach((x, i) => {
      missed[i] = Math.max(missed[i], x)
    })
  }
  for (let t = startMs + 1; t <= endMs; t += tickMs) {
    if (d.advance != null) await d.advance(t)
    else clock!.advanceTo(t)
    await settled(t)
    if (d.onTick != null) {
      await d.onTick(t)
      await settled(t)
    }
    ticks++
    await c.onProgress?.(ticks, totalTicks)
  }
  return { ticks, gossipLate }
}

function lateReport(
  c: DistrictRunConfig,
  missed: readonly number[],
  counts: readonly GossipCounts[],
  topicsOf: (i: number) => Record<string, { received: number }>
): string {
  const late = outstanding(counts)
    .map((x, i) => [i, x - missed[i]] as const)
    .filter(([, x]) => x > 0)
  return late
    .map(
      ([i, x]) =>
        `${c.nodes[i].name}(${c.nodes[i].grid?.feeder ?? ''}${c.nodes[i].grid?.relay === true ? ' relay' : ''}) ${x}: ` +
        `${JSON.stringify(Object.fromEntries(Object.entries(topicsOf(i)).map(([k, v]) => [k.split('/').slice(2).join('/'), v.received])))}`
    )
    .join('; ')
}

/** What the run keeps of a node once its work is done: its trades, settlement and mobility records. */
export async function nodeResult(c: DistrictRunConfig, spec: SimNodeSpec, node: KvartalNode, view: NodeView = node): Promise<NodeResult> {
  const trades = await node.trades()
  const proofs = new Map<string, Record<string, any>>()
  let period: Record<string, any> | undefined
  if (c.ledger != null) {
    period = await node.journal.getPeriod(`${c.district}/0`)
    // what verifying a trade needs of its proof record; the record also carries a copy of its period's
    // summary (every counterparty's net by address), which at 1,000 buildings made most of what a run
    // held at its end (docs/simulator.md, "Memory")
    for (const t of trades) {
      const p = await node.journal.getProof(t.id)
      if (p != null) proofs.set(t.id, { period: p.period, root: p.root, attestationKey: p.attestationKey, proof: p.proof })
    }
  }
  const mobility =
    node.mobility == null
      ? undefined
      : {
          packages: await node.journal.records<PackageRecord>(PACKAGES),
          providerLegs: await node.journal.records<ProviderLegRecord>(PROVIDER_LEGS),
          receipts: await node.journal.records<RideReceiptRecord>(RIDE_RECEIPTS)
        }
  return { name: spec.name, id: node.id, node: view, trades, period, proofs, ...(mobility != null ? { mobility } : {}) }
}

/**
 * Dials, for each of `from`, the nodes its plan names at the address `addressOf` gives (a TCP
 * district, where addresses are known only once every node listens), retrying a few times.
 */
export async function dialAlong(
  c: DistrictRunConfig,
  nodes: readonly KvartalNode[],
  from: readonly number[],
  dials: readonly number[][],
  addressOf: (j: number) => string
): Promise<void> {
  // a few dozen at a time: a thousand noise handshakes at once on two cores outlast any timeout
  const queue = from.flatMap(i => dials[i].map(j => [i, j] as const))
  await Promise.all(
    Array.from({ length: Math.min(32, queue.length) }, async () => {
      for (let next = queue.shift(); next != null; next = queue.shift()) await dialOne(...next)
    })
  )
  async function dialOne(i: number, j: number): Promise<void> {
    const to = multiaddr(addressOf(j))
    for (let attempt = 0; ; attempt++) {
      try {
        await nodes[i].host.dial(to, { signal: AbortSignal.timeout(10_000) })
        return
      } catch (err) {
        if (attempt >= 5)
          throw new Error(`${c.nodes[i].name} could not dial ${c.nodes[j].name} at ${String(to)}: ${(err as Error).message}`)
        await new Promise(resolve => setTimeout(resolve, 50 * (attempt + 1)))
      }
    }
  }
}

/**
 * Whom each node dials at start (earlier nodes only, so every node is reachable once it starts): up to
 * `degree` random nodes of its own feeder — gossipsub builds a topic's mesh only among connected peers,
 * and a node reads its feeder's topics — and a relay also up to `degree` random relays (of any
 * feeder), since the district's digests travel only among relays. Without feeders, `degree` random earlier nodes.
 * Vehicles and operators move between feeders; they dial as their feeder's buildings do.
 */
export function dialPlan(specs: readonly SimNodeSpec[], degree: number, rnd: () => number): number[][] {
  const pick = (pool: number[], k: number): number[] => {
    const picks = new Set<number>()
    while (picks.size < Math.min(k, pool.length)) picks.add(pool[Math.floor(rnd() * pool.length)])
    return [...picks]
  }
  return specs.map((spec, i) => {
    const earlier = Array.from({ length: i }, (_, j) => j)
    const feeder = spec.grid?.feeder
    if (feeder == null) return pick(earlier, degree)
    const out = pick(
      earlier.filter(j => specs[j].grid?.feeder === feeder),
      degree
    )
    if (spec.grid?.relay === true)
      out.push(
        ...pick(
          earlier.filter(j => specs[j].grid?.relay === true && !out.includes(j)),
          degree
        )
      )
    // the first node of a feeder reaches the rest of the district through one earlier node
    if (out.length === 0 && i > 0) out.push(...pick(earlier, 1))
    return out
  })
}
