/**
 * A node's work in flight (ticks, negotiations, retries, the seller's side of a negotiation): how much is
 * in flight now, how much was begun so far, and who waits until none is (`idle()`).
 */
export class WorkInFlight {
  #inFlight = 0
  #begun = 0
  #idleWaiters: Array<() => void> = []

  /** pieces of work in flight now */
  get inFlight(): number {
    return this.#inFlight
  }
  /** pieces of work begun so far (`track`): it only grows */
  get begun(): number {
    return this.#begun
  }

  /** Counts `p` as work begun and in flight until it settles; if it fails, `failed` gets its error. */
  track(p: Promise<unknown>, failed: (err: unknown) => void): void {
    this.#inFlight++
    this.#begun++
    p.catch(failed).finally(() => {
      this.end()
    })
  }

  /**
   * One more piece of work in flight, until its `end()` (a buyer's negotiation): counted in `begun` too, so that
   * two polls that find the node idle with the same count did not miss a negotiation begun and ended between them.
   */
  begin(): void {
    this.#inFlight++
    this.#begun++
  }
  end(): void {
    if (--this.#inFlight === 0) for (const w of this.#idleWaiters.splice(0)) w()
  }

  /** Resolves when no work is in flight. */
  async idle(): Promise<void> {
    if (this.#inFlight === 0) return
    await new Promise<void>(resolve => this.#idleWaiters.push(resolve))
  }
}
