/**
 * A seller's memory of buyers that let its holds lapse. A hold is promised energy: from the Accept until the
 * buyer's Confirm (or `holdMs`) nobody else can buy it. An honest buyer confirms at once, so a hold lapses only
 * when something broke (a lost frame, a crash). A buyer with a valid key that proposed, was accepted and never
 * confirmed, over and over, could keep a seller's energy from everyone else for nothing. So a seller counts,
 * per buyer, the holds that lapsed since that buyer last confirmed one; from `allowed` such lapses in a row it
 * refuses the buyer's proposals (`lapsed-holds`) for `holdMs × 10`, doubling with each further lapse, at most
 * an hour. A confirmed trade forgets the count. Memory only: a restart forgets it too.
 */
export class HoldLapses {
  readonly #holdMs: number
  readonly #allowed: number
  readonly #maxMs: number
  readonly #maxBuyers: number
  /** per buyer (hex key): lapses in a row, and until when its proposals are refused */
  readonly #byBuyer = new Map<string, { run: number; until: number }>()

  constructor(holdMs: number, options: { allowed?: number; maxMs?: number; maxBuyers?: number } = {}) {
    this.#holdMs = holdMs
    this.#allowed = options.allowed ?? 3
    this.#maxMs = options.maxMs ?? 3_600_000
    // bounded: a buyer with many keys must not grow a seller's memory without end (the oldest are forgotten)
    this.#maxBuyers = options.maxBuyers ?? 10_000
  }

  /** A hold of `buyer` lapsed, unconfirmed, at `now`. */
  lapsed(buyer: string, now: number): void {
    const prev = this.#byBuyer.get(buyer)
    const run = (prev?.run ?? 0) + 1
    const until = run >= this.#allowed ? now + Math.min(this.#maxMs, this.#holdMs * 10 * 2 ** (run - this.#allowed)) : 0
    this.#byBuyer.delete(buyer)
    this.#byBuyer.set(buyer, { run, until: Math.max(until, prev?.until ?? 0) })
    if (this.#byBuyer.size > this.#maxBuyers) this.#byBuyer.delete(this.#byBuyer.keys().next().value as string)
  }

  /** `buyer` confirmed a hold: it is trusted afresh. */
  confirmed(buyer: string): void {
    this.#byBuyer.delete(buyer)
  }

  /** Until when `buyer`'s proposals are refused, if they are at `now`; with the lapses in a row that earned it. */
  refused(buyer: string, now: number): { until: number; lapses: number } | undefined {
    const b = this.#byBuyer.get(buyer)
    return b != null && b.until > now ? { until: b.until, lapses: b.run } : undefined
  }
}
