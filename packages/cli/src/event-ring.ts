import { randomBytes } from 'node:crypto'
import type { NodeEvent } from '@kvartal/protocol'

/** One event as `/events` answers it: its sequence number in this run of the node, and the event as logged. */
export interface SequencedEvent {
  readonly seq: number
  readonly event: NodeEvent
}

/** What `GET /events?after=<n>&wait=<ms>` answers. */
export interface EventsAnswer {
  /** this run of the node (random, new at each start): a client that sees it change starts again from after=0 */
  readonly boot: string
  /** the oldest and the newest sequence number kept (0 and 0 before the first event) */
  readonly first: number
  readonly last: number
  /** events after `after`, oldest first, at most `limit` of them */
  readonly events: readonly SequencedEvent[]
  /** events after `after` that the ring no longer holds (a client that fell behind) */
  readonly missed: number
  /** more are held beyond these: ask again from the last one's seq at once */
  readonly more: boolean
}

/**
 * - the last 2,000 events: a few minutes of a busy node's gossip, all of a quiet node's hour, about
 *   1 MB of memory;
 * - an answer holds at most 500, so that a page that was away gets them in a few quick requests;
 * - a client waits at most 25 s for something new (under proxies' and the control API's timeouts).
 */
export const defaultEventRingOptions = { capacity: 2_000, maxPerAnswer: 500, maxWaitMs: 25_000 }

/**
 * The node's recent events in memory, each with a sequence number, for `GET /events`: a bounded ring
 * (the oldest drop out) with long-polling: a request for events after the newest waits until one comes.
 */
export class EventRing {
  readonly boot = randomBytes(8).toString('hex')
  readonly #capacity: number
  readonly #maxPerAnswer: number
  readonly #events: SequencedEvent[] = []
  #seq = 0
  #closed = false
  readonly #waiters = new Set<() => void>()

  constructor(o: { capacity?: number; maxPerAnswer?: number } = {}) {
    this.#capacity = o.capacity ?? defaultEventRingOptions.capacity
    this.#maxPerAnswer = o.maxPerAnswer ?? defaultEventRingOptions.maxPerAnswer
  }

  get last(): number {
    return this.#seq
  }

  push(event: NodeEvent): void {
    this.#events.push({ seq: ++this.#seq, event })
    if (this.#events.length > this.#capacity) this.#events.splice(0, this.#events.length - this.#capacity)
    for (const w of [...this.#waiters]) w()
  }

  /** What is held after `after`, without waiting. */
  since(after: number): EventsAnswer {
    const first = this.#events[0]?.seq ?? 0
    // the ring holds seq first..last in order: the first one after `after` is at an index computed, not searched
    const from = Math.max(0, Math.min(this.#events.length, after - first + 1))
    const events = this.#events.slice(from, from + this.#maxPerAnswer)
    return {
      boot: this.boot,
      first,
      last: this.#seq,
      events,
      missed: first > 0 && after < first - 1 ? first - 1 - after : 0,
      more: from + this.#maxPerAnswer < this.#events.length
    }
  }

  /** Events after `after`; none yet: waits up to `waitMs` for one (less if the ring closes or `signal` aborts). */
  async wait(after: number, waitMs: number, signal?: AbortSignal): Promise<EventsAnswer> {
    const now = this.since(after)
    if (now.events.length > 0 || waitMs <= 0 || this.#closed || signal?.aborted === true) return now
    await new Promise<void>(resolve => {
      const done = (): void => {
        clearTimeout(timer)
        this.#waiters.delete(check)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const check = (): void => {
        if (this.#seq > after || this.#closed) done()
      }
      const timer = setTimeout(done, waitMs)
      timer.unref()
      this.#waiters.add(check)
      signal?.addEventListener('abort', done, { once: true })
    })
    return this.since(after)
  }

  /** The node stops: every waiting request is answered now. */
  close(): void {
    this.#closed = true
    for (const w of [...this.#waiters]) w()
  }
}
