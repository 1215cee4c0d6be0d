import { firstOpenSlot, gateClosure } from '@kvartal/protocol'
import type { OrderBook, SlotPositions } from '@kvartal/market'
import { connectedToBootstrap, dialAddresses, gossipHeartbeat, type KvartalHost } from '@kvartal/mesh'
import type { Settlement } from '@kvartal/settlement'
import type { Announcer } from './announcer.ts'
import type { BuyerDesk } from './buyer-desk.ts'
import type { BuyerLoop } from './buyer-loop.ts'
import type { ImportShare } from './import-share.ts'
import type { Journal } from './journal.ts'
import type { MobilityRuntime } from './mobility/mobility-runtime.ts'
import type { NodeMachineEvent } from './node.machine.ts'
import type { KvartalNodeOptions } from './options.ts'
import type { PeriodSettler } from './period-settler.ts'
import type { SellerDesk } from './seller-desk.ts'

/** gossipsub's heartbeat interval: a node with `manualHeartbeat` beats at most this often (real ms) */
const HEARTBEAT_MS = 1_000

export interface NodeTickerDeps {
  /** the node's options, read live (a vehicle's profile is replaced once its battery budget is known) */
  readonly options: KvartalNodeOptions
  readonly host: KvartalHost
  readonly seller: SellerDesk
  readonly buyer: BuyerDesk
  readonly book: OrderBook
  readonly selling: SlotPositions
  readonly need: SlotPositions
  readonly imports: ImportShare
  /** the buyer's approaches and outcomes (buyer-loop.ts) */
  readonly buying: BuyerLoop
  readonly announcer: Announcer
  /** the mobility side, when options.mobility is set */
  readonly mobility: MobilityRuntime | undefined
  readonly periods: PeriodSettler
  readonly settlement: Settlement | undefined
  /** while it refuses writes (`refusing`), a tick does only what writes nothing */
  readonly journal: Pick<Journal, 'refusing'>
  /** aborted when the node stops */
  readonly signal: AbortSignal
  /** to the node's actor: a TICK at each tick, a PLAN_SLOT for each slot planned */
  readonly send: (event: NodeMachineEvent) => void
  /** real time the node was made: its first look at the bootstrap peers is due `rejoinEveryMs` after it */
  readonly madeAt: number
}

/**
 * A node's work on each tick of its clock (kvartal-node.ts wires it; the node machine's `tick` effect runs it):
 * the schedule of ticks, the gossip mesh kept (heartbeat, rejoin), holds expired, slots planned, the
 * buyer's retries, announcements and relays, mobility's tick, meter readings and the settlement of a due
 * period.
 */
export class NodeTicker {
  readonly #d: NodeTickerDeps
  #planned = new Set<number>()
  #cancelTick?: () => void
  #firstSlot?: number
  /** a period's settlement in flight */
  #settlingNow: Promise<void> | undefined
  /** real time of the last gossipsub heartbeat this node ran itself (`manualHeartbeat`) */
  #lastHeartbeat = -Infinity
  /** real time of the last look at the bootstrap peers (rejoinEveryMs) */
  #lastRejoin: number

  constructor(deps: NodeTickerDeps) {
    this.#d = deps
    this.#lastRejoin = deps.madeAt
  }

  /** a period's settlement in flight, if any: a stopping node lets it finish first (node-stop.ts) */
  get settling(): Promise<void> | undefined {
    return this.#settlingNow
  }

  /** Sends the node's actor a TICK at every tick boundary of the clock, until the node stops or `cancel()`. */
  schedule(): void {
    const o = this.#d.options
    const tickMs = Math.floor(o.slots.slotMs / o.ticksPerSlot)
    const schedule = (): void => {
      const now = o.clock.now()
      const next = o.slots.epochMs + (Math.floor((now - o.slots.epochMs) / tickMs) + 1) * tickMs
      this.#cancelTick = o.clock.at(next, () => {
        if (this.#d.signal.aborted) return
        this.#d.send({ type: 'TICK', now: o.clock.now() })
        schedule()
      })
    }
    schedule()
  }

  /** Cancels the next scheduled TICK. */
  cancel(): void {
    this.#cancelTick?.()
  }

  /**
   * Runs one tick: the gossip heartbeat (simulator) and a rejoin when alone; lapsed holds released and
   * closed slots forgotten; a catch-up pull when due; the slots newly in the horizon planned (their own
   * actors close gates and approach offers, on the TICK the node forwards them); buyers' pending
   * confirms retried; announcements and digests when due; mobility's tick; meter readings; a due
   * period settled. While the journal refuses writes (a full disk, a failed write: journal-guard.ts) the
   * node takes no new work: the tick keeps the mesh and plans slots, and stops there — no holds
   * released, no retries, no announcements (offers lapse at their validity: withdrawing one would need a
   * journaled sequence number), no mobility, meter readings or settlement, each of which writes first.
   */
  async tick(): Promise<void> {
    const d = this.#d
    const o = d.options
    if (d.signal.aborted) return
    const now = o.clock.now()
    // a simulator's nodes keep their gossip mesh at their ticks, before anything is published: at most
    // one heartbeat per tick (a slow tick no longer runs several) and at most one per second of real time,
    // gossipsub's own pace (fast ticks, as in the default day's 11 a second, do not run one each: 36.6 →
    // 42.1 s when they did). Mesh's HostOptions.manualHeartbeat
    if (o.manualHeartbeat === true && performance.now() - this.#lastHeartbeat >= HEARTBEAT_MS) {
      this.#lastHeartbeat = performance.now()
      await gossipHeartbeat(d.host)
    }
    this.#rejoinIfAlone()
    // a lapsed hold frees its energy by its time in the positions; its release is journaled once the journal writes again
    if (d.journal.refusing == null) await d.seller.expireHolds()
    d.book.prune(now)
    // anti-entropy: what gossip did not bring (a mesh still forming, a restart), one peer's book does
    await d.announcer.catchUpIfDue()
    const first = firstOpenSlot(o.slots, now)
    for (const s of [...this.#planned]) if (s < first - 4) this.#planned.delete(s)
    d.selling.dropBefore(first - 4)
    d.need.dropBefore(first - 4)
    d.seller.dropBefore(first - 4)
    d.imports.dropBefore(first - 4)
    d.buying.dropBefore(first - 4)
    d.book.forgetBefore(first - 4)
    for (let s = Math.max(0, first); s < first + o.horizonSlots; s++) {
      if (this.#planned.has(s)) continue
      this.#planned.add(s)
      this.#firstSlot ??= s
      const net = o.profile.position(s)
      if (!Number.isSafeInteger(net)) throw new RangeError(`position for slot ${s} must be an integer Wh, got ${net}`)
      d.selling.setLimit(s, Math.max(d.selling.limit(s), Math.max(0, net)))
      d.need.setLimit(s, Math.max(0, -net))
      // the slot's own actor trades it from its window's opening to its gate closure
      d.send({
        type: 'PLAN_SLOT',
        input: {
          slot: s,
          openedAt: gateClosure(o.slots, s) - o.tradingWindowSlots * o.slots.slotMs,
          gateClosureAt: gateClosure(o.slots, s)
        }
      })
    }
    if (d.journal.refusing != null) return
    if (d.buying.takeRetries() > 0) {
      // a retry that fails (the seller slow or unreachable) is retried on the next tick, until resolved
      d.buying.addRetries(await d.buyer.retryPending(d.signal))
    }
    await d.announcer.announceIfDue(first, now)
    await d.announcer.relayIfDue(first, now)
    if (d.mobility != null) await d.mobility.tick()
    if (this.#firstSlot != null) await d.periods.readMeters(now, this.#firstSlot)
    if (d.settlement != null && this.#settlingNow == null) {
      this.#settlingNow = d.periods.settleDue(d.settlement)
      try {
        await this.#settlingNow
      } finally {
        this.#settlingNow = undefined
      }
    }
  }

  /**
   * A node that lost every bootstrap peer (they restarted, or were down when it started: libp2p's bootstrap
   * module dials once, at start) dials them again, at most every `rejoinEveryMs` of real time. Without it a
   * node whose only known peers restarted stayed alone for good: nobody else knew its address.
   */
  #rejoinIfAlone(): void {
    const o = this.#d.options
    const every = o.rejoinEveryMs ?? 10_000
    if (every <= 0 || o.bootstrap == null || o.bootstrap.length === 0) return
    if (performance.now() - this.#lastRejoin < every) return
    this.#lastRejoin = performance.now()
    if (connectedToBootstrap(this.#d.host, o.bootstrap)) return
    // each connection it makes is said as any other (peer-joined)
    void dialAddresses(this.#d.host, o.bootstrap, AbortSignal.any([AbortSignal.timeout(5_000), this.#d.signal])).catch(() => {})
  }
}
