/** Time enters through a clock, so the market and the node run the same in real and simulated time. */
export interface Clock {
  now(): number
  /** Calls `fn` at `atMs` (or at once if it has passed). Returns a cancel function. */
  at(atMs: number, fn: () => void): () => void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  at(atMs, fn) {
    const t = setTimeout(fn, Math.max(0, atMs - Date.now()))
    t.unref?.()
    return () => clearTimeout(t)
  }
}

/**
 * A clock that moves only when told to. Timers fire in time order during `advanceTo`, so simulated time
 * is deterministic whatever the machine's speed.
 */
export class SimulatedClock implements Clock {
  #now: number
  #seq = 0
  #timers: Array<{ at: number; seq: number; fn: () => void }> = []
  constructor(startMs: number) {
    this.#now = startMs
  }
  now(): number {
    return this.#now
  }
  at(atMs: number, fn: () => void): () => void {
    const t = { at: Math.max(atMs, this.#now), seq: this.#seq++, fn }
    this.#timers.push(t)
    return () => {
      const i = this.#timers.indexOf(t)
      if (i >= 0) this.#timers.splice(i, 1)
    }
  }
  /** Moves time forward to `targetMs`, firing due timers in order. */
  advanceTo(targetMs: number): void {
    for (;;) {
      let next: { at: number; seq: number; fn: () => void } | undefined
      for (const t of this.#timers)
        if (t.at <= targetMs && (next == null || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t
      if (next == null) break
      this.#timers.splice(this.#timers.indexOf(next), 1)
      this.#now = next.at
      next.fn()
    }
    if (targetMs > this.#now) this.#now = targetMs
  }
  get pendingTimers(): number {
    return this.#timers.length
  }
}
