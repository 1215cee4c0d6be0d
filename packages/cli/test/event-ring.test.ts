import { describe, expect, it } from 'vitest'
import type { NodeEvent } from '@kvartal/protocol'
import { EventRing } from '../src/event-ring.ts'

const ev = (i: number): NodeEvent => ({ type: 'announcement-received', node: 'ab', at: i })

describe("EventRing: the node's recent events for GET /events", () => {
  it('numbers events from 1, keeps the newest `capacity`, says what a late client missed, and pages answers', () => {
    const r = new EventRing({ capacity: 5, maxPerAnswer: 2 })
    expect(r.since(0)).toMatchObject({ first: 0, last: 0, events: [], missed: 0, more: false })
    for (let i = 1; i <= 8; i++) r.push(ev(i))
    // 4..8 kept; a client at 1 missed 2 and 3
    expect(r.since(1)).toMatchObject({
      first: 4,
      last: 8,
      missed: 2,
      more: true,
      events: [
        { seq: 4, event: ev(4) },
        { seq: 5, event: ev(5) }
      ]
    })
    expect(r.since(5)).toMatchObject({ missed: 0, more: true, events: [{ seq: 6 }, { seq: 7 }] })
    expect(r.since(7)).toMatchObject({ missed: 0, more: false, events: [{ seq: 8 }] })
    expect(r.since(8).events).toEqual([])
    expect(r.since(1000)).toMatchObject({ events: [], missed: 0, more: false })
  })

  it('a wait answers at the next event, after its time with nothing, at once on close or when the caller goes', async () => {
    const r = new EventRing()
    r.push(ev(1))
    expect((await r.wait(0, 10_000)).events.map(e => e.seq)).toEqual([1])
    const waiting = r.wait(1, 10_000)
    setTimeout(() => {
      r.push(ev(2))
    }, 20)
    expect((await waiting).events.map(e => e.seq)).toEqual([2])
    // past the end: events up to `after` do not end the wait
    let t = performance.now()
    const far = r.wait(50, 150)
    r.push(ev(3))
    expect((await far).events).toEqual([])
    expect(performance.now() - t).toBeGreaterThanOrEqual(140)
    const gone = new AbortController()
    t = performance.now()
    const left = r.wait(3, 10_000, gone.signal)
    gone.abort()
    expect((await left).events).toEqual([])
    const closing = r.wait(3, 10_000)
    r.close()
    expect((await closing).events).toEqual([])
    expect(performance.now() - t).toBeLessThan(1_000)
  })
})
