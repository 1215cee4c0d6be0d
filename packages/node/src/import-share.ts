import type { OfferView, OrderBook } from '@kvartal/market'
import type { GridOptions } from './options.ts'

/**
 * A buyer's side of the grid: what energy costs it landed (the seller's price plus the grid fee for
 * where the seller sits, inside its feeder or across), and its share of its feeder's transformer, which
 * bounds what it buys from other feeders per slot — counting what it bought and what it is negotiating.
 * Without a grid every fee is 0 and nothing is bounded.
 */
export class ImportShare {
  readonly #grid?: GridOptions
  /** per slot, Wh bought or in negotiation from other feeders; per negotiation, its part of that */
  readonly #bySlot = new Map<number, number>()
  readonly #byNegotiation = new Map<string, number>()

  constructor(grid?: GridOptions) {
    this.#grid = grid
  }

  /** nanos per kWh this buyer pays the grid operator for energy from a seller on `feeder` */
  feeOf(feeder: string): number {
    const g = this.#grid
    return g == null ? 0 : feeder === g.feeder ? g.fees.local : g.fees.district
  }

  isCross(feeder: string): boolean {
    return this.#grid != null && feeder !== this.#grid.feeder
  }

  /** Wh this buyer may still buy from other feeders in `slot` */
  left(slot: number): number {
    const share = this.#grid?.crossFeederShareWh
    return share == null ? Infinity : share - (this.#bySlot.get(slot) ?? 0)
  }

  /**
   * The book's offers for `slot` as the strategy should see them: at their landed price, cheapest first,
   * without other feeders' offers once the share is used; and each seller's feeder.
   */
  landedOffers(book: OrderBook, slot: number, now: number): { offers: OfferView[]; feederOf: Map<string, string> } {
    const feederOf = new Map<string, string>()
    const open = this.left(slot) > 0
    const offers = book
      .forSlot('offer', slot, now)
      .filter(e => open || !this.isCross(e.feeder))
      .map(e => {
        feederOf.set(e.trader, e.feeder)
        return { trader: e.trader, energyWh: e.energyWh - e.depletedWh, price: e.price + this.feeOf(e.feeder) }
      })
      .sort((a, b) => a.price - b.price || (a.trader < b.trader ? -1 : 1))
    return { offers, feederOf }
  }

  /** A negotiation for `wh` from another feeder starts. */
  reserve(slot: number, negotiation: string, wh: number): void {
    this.#add(slot, wh)
    this.#byNegotiation.set(negotiation, wh)
  }

  /** A negotiation ended: what was agreed stays counted (a seller may accept less), the rest is freed. */
  settle(negotiation: string, slot: number, agreedWh: number | undefined): void {
    const wh = this.#byNegotiation.get(negotiation)
    if (wh == null) return
    this.#byNegotiation.delete(negotiation)
    this.#add(slot, (agreedWh ?? 0) - wh)
  }

  /** After a restart: a trade from another feeder counts again. */
  restore(slot: number, wh: number): void {
    this.#add(slot, wh)
  }

  dropBefore(slot: number): void {
    for (const s of this.#bySlot.keys()) if (s < slot) this.#bySlot.delete(s)
  }

  #add(slot: number, wh: number): void {
    this.#bySlot.set(slot, (this.#bySlot.get(slot) ?? 0) + wh)
  }
}
