import type { NodeEvent } from '@kvartal/protocol'
import { callNode } from '../control-client.ts'
import type { EventsAnswer, SequencedEvent } from '../event-ring.ts'
import type { NodeView } from '../node-view.ts'

/** What the page hears over its WebSocket. */
export type FeedMessage =
  | { type: 'node'; state: 'connecting' | 'live' | 'down'; why?: string; since: string; dataDir: string }
  | { type: 'view'; view: NodeView }
  /** `reset`: the node restarted (a new boot) or the page is new: drop what it had */
  | { type: 'events'; boot: string; reset: boolean; missed: number; events: readonly SequencedEvent[] }

/**
 * - a long poll waits 2 s at most, so the view is asked at least that often;
 * - a node that does not answer is asked again every second;
 * - the page gets the last 500 events when it opens (the timeline's length).
 */
export const defaultNodeFeedOptions = { waitMs: 2_000, viewEveryMs: 2_000, retryMs: 1_000, keepEvents: 500 }

/** Events after which the view has changed at once (a slot's position, the trades, the settlement). */
const changesView = new Set<NodeEvent['type']>([
  'trade-committed',
  'negotiation-ended',
  'reservation-released',
  'gate-closed',
  'period-settled',
  'settlement-failed',
  'peer-joined',
  'peer-left',
  'meter-gap',
  'meter-read'
])

/**
 * The running node, as `kvartal dashboard` follows it through its control API: `/events` long-polled,
 * `/view` asked every few seconds and after events that change it. Whatever happens goes to `send`;
 * a node that stops (or never ran) is said once and asked again until it answers.
 */
export class NodeFeed {
  readonly #dataDir: string
  readonly #send: (m: FeedMessage) => void
  readonly #o: typeof defaultNodeFeedOptions
  readonly #stop = new AbortController()
  #state: Extract<FeedMessage, { type: 'node' }>
  #view: NodeView | undefined
  #boot: string | undefined
  #after = 0
  #recent: SequencedEvent[] = []
  #running: Promise<void> | undefined

  constructor(o: { dataDir: string; send: (m: FeedMessage) => void; options?: Partial<typeof defaultNodeFeedOptions> }) {
    this.#dataDir = o.dataDir
    this.#send = o.send
    this.#o = { ...defaultNodeFeedOptions, ...o.options }
    this.#state = { type: 'node', state: 'connecting', since: new Date().toISOString(), dataDir: o.dataDir }
  }

  /** What a page that just opened needs: the node's state, the last view, the recent events. */
  hello(): FeedMessage[] {
    return [
      this.#state,
      ...(this.#view != null ? [{ type: 'view' as const, view: this.#view }] : []),
      ...(this.#boot != null ? [{ type: 'events' as const, boot: this.#boot, reset: true, missed: 0, events: this.#recent }] : [])
    ]
  }

  start(): void {
    this.#running ??= this.#loop()
  }

  async close(): Promise<void> {
    this.#stop.abort()
    await this.#running
  }

  #setState(state: 'live' | 'down', why?: string): void {
    if (this.#state.state === state && this.#state.why === why) return
    this.#state = { type: 'node', state, ...(why != null ? { why } : {}), since: new Date().toISOString(), dataDir: this.#dataDir }
    this.#send(this.#state)
  }

  async #call<T>(path: string): Promise<T> {
    return (await callNode(this.#dataDir, 'GET', path, undefined, { signal: this.#stop.signal })) as T
  }

  async #loop(): Promise<void> {
    const signal = this.#stop.signal
    let viewAt = 0
    let viewDue = true
    while (!signal.aborted) {
      try {
        if (viewDue || Date.now() - viewAt >= this.#o.viewEveryMs) {
          this.#view = await this.#call<NodeView>('/view')
          viewAt = Date.now()
          viewDue = false
          this.#send({ type: 'view', view: this.#view })
        }
        const a = await this.#call<EventsAnswer>(`/events?after=${this.#after}&wait=${this.#o.waitMs}`)
        // a node that restarted numbers its events from 1 again: start over from its first
        if (a.boot !== this.#boot) {
          const first = this.#boot == null || this.#after === 0 ? a : await this.#call<EventsAnswer>('/events?after=0')
          this.#boot = first.boot
          this.#recent = []
          this.#take(first, true)
          viewDue = true
        } else if (a.events.length > 0) {
          this.#take(a, false)
          if (a.events.some(e => changesView.has(e.event.type))) viewDue = true
        }
        this.#setState('live')
      } catch (err) {
        if (signal.aborted) break
        this.#setState('down', (err as Error).message)
        viewDue = true
        await new Promise<void>(resolve => {
          const t = setTimeout(resolve, this.#o.retryMs)
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(t)
              resolve()
            },
            { once: true }
          )
        })
      }
    }
  }

  #take(a: EventsAnswer, reset: boolean): void {
    if (a.events.length > 0) this.#after = a.events.at(-1)!.seq
    else if (reset) this.#after = a.last
    this.#recent.push(...a.events)
    if (this.#recent.length > this.#o.keepEvents) this.#recent.splice(0, this.#recent.length - this.#o.keepEvents)
    this.#send({ type: 'events', boot: a.boot, reset, missed: a.missed, events: a.events })
  }
}
