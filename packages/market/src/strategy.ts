/**
 * A strategy is how one trader behaves: the prices it announces, when it approaches an offer, and how it
 * answers proposals and counters. Implement this interface to plug a new behaviour into a node, the
 * simulator or an experiment. Strategies are pure and synchronous; randomness comes from `ctx.random`
 * (seeded), time from `ctx.now`.
 */

/** Grid tariffs, nanos per kWh. They bound every local price. */
export interface Tariffs {
  /** what the grid charges for energy bought from it */
  readonly retail: number
  /** what the grid pays for energy fed into it */
  readonly feedIn: number
}

export interface TradingContext {
  readonly now: number
  readonly slot: number
  /** when this slot became tradeable for the trader, and when its gate closes */
  readonly openedAt: number
  readonly gateClosureAt: number
  readonly tariffs: Tariffs
  /** this trader's limit: the most a buyer would pay / the least a seller would take, nanos per kWh */
  readonly limit: number
  /** energy still to buy or sell in this slot, Wh */
  readonly remainingWh: number
  /**
   * No later tick comes before gate closure: what is not traded now goes to the grid, at retail for a
   * buyer and feed-in for a seller, both worse than any price within the trader's limit. Absent: not known.
   */
  readonly lastCall?: boolean
  /** seeded uniform random in [0, 1) */
  random(): number
}

export interface OfferView {
  readonly trader: string
  readonly energyWh: number
  readonly price: number
}

/** A buyer's decision to approach one offer. */
export interface Approach {
  readonly trader: string
  readonly energyWh: number
  readonly price: number
}

export type ProposalAnswer =
  | { readonly action: 'accept' }
  | { readonly action: 'counter'; readonly price: number }
  | { readonly action: 'reject'; readonly code: string }

export type CounterAnswer =
  | { readonly action: 'accept' }
  | { readonly action: 'propose'; readonly price: number }
  | { readonly action: 'walk-away' }

export interface Strategy {
  readonly name: string
  /** Seller: the price to announce for a slot. */
  askPrice(ctx: TradingContext): number
  /** Buyer: the price to announce for a slot. */
  bidPrice(ctx: TradingContext): number
  /** Buyer: which offers to approach now, in order, and at what price. Offers come cheapest first. */
  approach(ctx: TradingContext, offers: readonly OfferView[]): Approach[]
  /** Seller: answer a proposal of `price` for `energyWh` (capacity is checked by the seller desk, not here). */
  answerProposal(ctx: TradingContext, price: number, round: number): ProposalAnswer
  /** Buyer: answer a seller's counter-offer. */
  answerCounter(ctx: TradingContext, price: number, round: number): CounterAnswer
}

/** Keeps a price inside the grid's bounds and integral. */
export function clampPrice(price: number, t: Tariffs): number {
  return Math.round(Math.min(t.retail, Math.max(t.feedIn, price)))
}

/** Share of the trading window that has passed, in [0, 1]. */
export function elapsed(ctx: TradingContext): number {
  const span = ctx.gateClosureAt - ctx.openedAt
  if (span <= 0) return 1
  return Math.min(1, Math.max(0, (ctx.now - ctx.openedAt) / span))
}

/** Greedy fill of `remainingWh` from offers priced at or below `maxPrice`, at each offer's own price. */
export function fillFrom(offers: readonly OfferView[], remainingWh: number, maxPrice: number): Approach[] {
  const out: Approach[] = []
  let left = remainingWh
  for (const o of offers) {
    if (left <= 0 || o.price > maxPrice) break
    const q = Math.min(left, o.energyWh)
    if (q > 0) {
      out.push({ trader: o.trader, energyWh: q, price: o.price })
      left -= q
    }
  }
  return out
}
