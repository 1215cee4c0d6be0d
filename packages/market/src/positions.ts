/**
 * The energy a trader may still sell (or must still buy) per slot, with holds that expire by themselves.
 * A seller's desk and a buyer's need are the same bookkeeping: a limit per slot, what is committed, and
 * what is held for negotiations in flight. Nothing here ever lets committed + held exceed the limit.
 * Pure and synchronous: a decision and its hold happen in one step, so concurrent proposals cannot
 * race past the limit however the caller interleaves its I/O.
 */
export interface Hold {
  readonly negotiation: string
  readonly slot: number
  readonly energyWh: number
  readonly holdUntil: number
  readonly price: number
  /** the other party, hex */
  readonly counterparty: string
}

/** `committed`: the negotiations committed in the slot, each of which commits once */
interface SlotState {
  limitWh: number
  committedWh: number
  holds: Map<string, Hold>
  committed: Set<string>
}

export class SlotPositions {
  readonly #slots = new Map<number, SlotState>()

  #slot(slot: number): SlotState {
    let s = this.#slots.get(slot)
    if (s == null) {
      s = { limitWh: 0, committedWh: 0, holds: new Map(), committed: new Set() }
      this.#slots.set(slot, s)
    }
    return s
  }

  /** Sets how much may be traded in a slot in total (committed included). Lowering it never undoes commitments. */
  setLimit(slot: number, limitWh: number): void {
    if (!Number.isSafeInteger(limitWh) || limitWh < 0) throw new RangeError(`limit must be a non-negative integer Wh, got ${limitWh}`)
    this.#slot(slot).limitWh = limitWh
  }

  limit(slot: number): number {
    return this.#slots.get(slot)?.limitWh ?? 0
  }
  committed(slot: number): number {
    return this.#slots.get(slot)?.committedWh ?? 0
  }
  held(slot: number, now: number): number {
    let sum = 0
    for (const h of this.#slots.get(slot)?.holds.values() ?? []) if (h.holdUntil > now) sum += h.energyWh
    return sum
  }

  /** When the first live hold of a slot lapses (its energy may come back), or undefined with none. */
  nextRelease(slot: number, now: number): number | undefined {
    let first: number | undefined
    for (const h of this.#slots.get(slot)?.holds.values() ?? [])
      if (h.holdUntil > now && (first == null || h.holdUntil < first)) first = h.holdUntil
    return first
  }

  /** What can still be held or committed in a slot at `now`. */
  available(slot: number, now: number): number {
    const s = this.#slots.get(slot)
    if (s == null) return 0
    return Math.max(0, s.limitWh - s.committedWh - this.held(slot, now))
  }

  /**
   * Holds up to `energyWh` (less if less is available) until `holdUntil`. Returns the hold, or
   * undefined when nothing is available. Holding twice for one negotiation returns the first hold.
   * Lapsed holds count for nothing here, and stay until `expire` hands them to whoever journals their
   * release: dropping them here (as this once did) lost them for the caller's sweep, and the soak found
   * sellers' journals keeping such holds open while the node ran (docs/faults.md).
   */
  hold(h: Omit<Hold, 'energyWh'> & { energyWh: number }, now: number): Hold | undefined {
    const s = this.#slot(h.slot)
    const existing = s.holds.get(h.negotiation)
    if (existing != null) return existing
    // a negotiation that committed in this slot is over: the same id proposed again (a replay, a buyer that
    // reuses ids) holds nothing, so one negotiation never makes two trades (`npm run fuzz` found it did)
    if (s.committed.has(h.negotiation)) return undefined
    const q = Math.min(h.energyWh, this.available(h.slot, now))
    if (q <= 0) return undefined
    const hold: Hold = { ...h, energyWh: q }
    s.holds.set(h.negotiation, hold)
    return hold
  }

  /** Whether a live hold of `slot` is with `counterparty`: a negotiation with it is in flight. */
  holdsWith(slot: number, counterparty: string, now: number): boolean {
    for (const h of this.#slots.get(slot)?.holds.values() ?? []) if (h.holdUntil > now && h.counterparty === counterparty) return true
    return false
  }

  getHold(slot: number, negotiation: string): Hold | undefined {
    return this.#slots.get(slot)?.holds.get(negotiation)
  }

  /** Turns a live hold into a commitment. False when the hold is gone (expired, released, never made). */
  commit(slot: number, negotiation: string, now: number): boolean {
    const s = this.#slots.get(slot)
    const h = s?.holds.get(negotiation)
    if (s == null || h == null || h.holdUntil <= now) return false
    s.holds.delete(negotiation)
    s.committed.add(negotiation)
    s.committedWh += h.energyWh
    return true
  }

  /** Records a commitment directly (journal recovery, or a trade this side learned of after the fact), and its negotiation if known. */
  addCommitted(slot: number, energyWh: number, negotiation?: string): void {
    const s = this.#slot(slot)
    s.committedWh += energyWh
    if (negotiation != null) s.committed.add(negotiation)
  }

  release(slot: number, negotiation: string): Hold | undefined {
    const s = this.#slots.get(slot)
    const h = s?.holds.get(negotiation)
    if (h != null) s!.holds.delete(negotiation)
    return h
  }

  /** Releases every hold past its time; returns what it released. */
  expire(now: number): Hold[] {
    const out: Hold[] = []
    for (const s of this.#slots.values()) {
      for (const [k, h] of s.holds)
        if (h.holdUntil <= now) {
          s.holds.delete(k)
          out.push(h)
        }
    }
    return out
  }

  /** Forgets slots before `slot` (after they are delivered). */
  dropBefore(slot: number): void {
    for (const k of this.#slots.keys()) if (k < slot) this.#slots.delete(k)
  }

  get slots(): number[] {
    return [...this.#slots.keys()].sort((a, b) => a - b)
  }
}
