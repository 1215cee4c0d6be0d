/**
 * A seller's sales to other feeders, per slot: what it committed to them and what it holds for them (by
 * negotiation), so that together they stay within its share of the feeder's transformer (seller-desk.ts).
 */
export class CrossSales {
  readonly #committed = new Map<number, number>()
  readonly #held = new Map<number, Map<string, number>>()

  /** Wh sold to, or held for, buyers of other feeders in `slot` */
  wh(slot: number): number {
    let held = 0
    for (const wh of this.#held.get(slot)?.values() ?? []) held += wh
    return (this.#committed.get(slot) ?? 0) + held
  }

  hold(slot: number, negotiation: string, wh: number): void {
    let m = this.#held.get(slot)
    if (m == null) {
      m = new Map()
      this.#held.set(slot, m)
    }
    m.set(negotiation, wh)
  }

  /** Ends a hold (released, expired or committed); returns what it held for another feeder (0 if none). */
  drop(slot: number, negotiation: string): number {
    const m = this.#held.get(slot)
    const wh = m?.get(negotiation) ?? 0
    m?.delete(negotiation)
    if (m?.size === 0) this.#held.delete(slot)
    return wh
  }

  /** Counts Wh as committed to other feeders (negative: a commit taken back because its journal write failed). */
  addCommitted(slot: number, wh: number): void {
    this.#committed.set(slot, (this.#committed.get(slot) ?? 0) + wh)
  }

  /** Forgets the slots before `slot` (they are closed). */
  dropBefore(slot: number): void {
    for (const s of this.#committed.keys()) if (s < slot) this.#committed.delete(s)
    for (const s of this.#held.keys()) if (s < slot) this.#held.delete(s)
  }
}
