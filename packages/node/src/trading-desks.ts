import type { OrderBook, SlotPositions, TradingContext } from '@kvartal/market'
import type { KvartalHost, NodeIdentity } from '@kvartal/mesh'
import { BuyerDesk } from './buyer-desk.ts'
import { BuyerLoop } from './buyer-loop.ts'
import type { Emit } from './events.ts'
import type { ImportShare } from './import-share.ts'
import type { Journal } from './journal.ts'
import type { NodeStats } from './node-stats.ts'
import type { NodeMachineEvent } from './node.machine.ts'
import type { KvartalNodeOptions } from './options.ts'
import { referralsFor } from './referrals.ts'
import { SellerDesk } from './seller-desk.ts'
import { tradingContext } from './trading-context.ts'
import type { WorkInFlight } from './work-in-flight.ts'

export interface TradingDesksDeps {
  /** the node's options, read live */
  readonly options: KvartalNodeOptions
  readonly host: KvartalHost
  readonly identity: NodeIdentity
  readonly journal: Journal
  readonly selling: SlotPositions
  readonly need: SlotPositions
  readonly book: OrderBook
  readonly imports: ImportShare
  readonly stats: NodeStats
  /** the strategy's randomness */
  readonly random: () => number
  /** aborted when the node stops */
  readonly signal: AbortSignal
  readonly emit: Emit
  /** the node's id, for the ids of the events the buyer's loop emits */
  readonly id: () => string
  /** to the node's actor: a NEGOTIATE for each negotiation, an APPROACH for a slot's second look */
  readonly send: (event: NodeMachineEvent) => void
  /** the node's work in flight: the buyer's retries count in it */
  readonly work: Pick<WorkInFlight, 'begin' | 'end'>
}

export interface TradingDesks {
  readonly seller: SellerDesk
  readonly buyer: BuyerDesk
  /** the buyer's approaches and outcomes (buyer-loop.ts) */
  readonly buying: BuyerLoop
}

/**
 * A node's trading parts (kvartal-node.ts makes them in `start`): the seller's desk, the buyer's desk,
 * and the buyer's loop between its slot and negotiation actors; both desks ask the strategy with this
 * node's trading context.
 */
export function tradingDesks(d: TradingDesksDeps): TradingDesks {
  const o = d.options
  const context = (slot: number, remainingWh: number, role: 'buyer' | 'seller'): TradingContext =>
    tradingContext(o, role, slot, remainingWh, o.clock.now(), d.random)
  const seller = new SellerDesk({
    signer: d.identity.signer,
    district: o.district,
    journal: d.journal,
    positions: d.selling,
    strategy: o.strategy,
    clock: o.clock,
    slots: o.slots,
    holdMs: o.holdMs,
    context: (s, r) => context(s, r, 'seller'),
    emit: d.emit,
    grid: o.grid,
    referrals: (slot, buyer, now) => referralsFor(d.book, d.options, { slot, buyer, now })
  })
  const buyer = new BuyerDesk({
    host: d.host,
    signer: d.identity.signer,
    district: o.district,
    journal: d.journal,
    need: d.need,
    book: d.book,
    strategy: o.strategy,
    clock: o.clock,
    holdMs: o.holdMs,
    frameTimeoutMs: o.frameTimeoutMs,
    meter: d.stats.streams,
    context: (s, r) => context(s, r, 'buyer'),
    emit: d.emit,
    grid: o.grid
  })
  const buying = new BuyerLoop({
    options: o,
    book: d.book,
    need: d.need,
    imports: d.imports,
    buyer,
    journal: d.journal,
    stats: d.stats,
    random: d.random,
    signal: d.signal,
    emit: d.emit,
    id: d.id,
    negotiate: input => {
      d.send({ type: 'NEGOTIATE', input })
    },
    approachAgain: (slot, now) => {
      d.send({ type: 'APPROACH', slot, now })
    },
    begin: () => {
      d.work.begin()
    },
    end: () => {
      d.work.end()
    }
  })
  return { seller, buyer, buying }
}
