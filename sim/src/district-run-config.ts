import type { NodeEvent, SlotClockConfig } from '@kvartal/protocol'
import type { LocalLedger } from '@kvartal/settlement'
import type { Transport } from '@kvartal/mesh'
import type { Tariffs } from '@kvartal/market'
import { defaultNodeOptions, type KvartalNode } from '@kvartal/node'
import type { NetworkScenario } from './links/network-scenario.ts'
import type { SimNodeSpec } from './node-spec.ts'

/** What `runDistrict` (district-runner.ts) and `runOnWorkers` (worker-runner.ts) run: the district, its nodes and the run's settings. */
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
  /** how long a seller holds what it accepted for the buyer's confirm (`NodeOptions.holdMs`) */
  holdMs: number
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
  /** settle on this shared local ledger (absent: no settlement), in periods of `periodSlots` */
  ledger?: LedgerAccess
  /** slots per settlement period, a divisor of `slotCount` (absent: the whole run is one period) */
  periodSlots?: number
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
  holdMs: defaultNodeOptions.holdMs,
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
