/** A node's work in flight: what a simulator's quiescence reads (`inFlight`, `begun`) and waits on (`idle`). */
import { describe, expect, it } from 'vitest'
import { WorkInFlight } from '../src/work-in-flight.ts'

describe('work in flight', () => {
  it('counts tracked work and begun-ended work alike in `begun`, and is idle once both are over', async () => {
    const w = new WorkInFlight()
    let resolve!: () => void
    w.track(new Promise<void>(r => (resolve = r)), () => {})
    w.begin()
    expect([w.inFlight, w.begun]).toEqual([2, 2])
    let idle = false
    const waiting = w.idle().then(() => (idle = true))
    w.end()
    await Promise.resolve()
    expect([w.inFlight, idle]).toEqual([1, false])
    resolve()
    await waiting
    expect([w.inFlight, w.begun, idle]).toEqual([0, 2, true])
    // a negotiation begun and ended between two polls still moves `begun`: the second poll sees it
    const before = w.begun
    w.begin()
    w.end()
    expect(w.begun).toBe(before + 1)
  })

  it("says a tracked piece's failure, and ends it all the same", async () => {
    const w = new WorkInFlight()
    const failed: unknown[] = []
    w.track(Promise.reject(new Error('disk full')), err => failed.push(err))
    await w.idle()
    expect(failed.map(e => (e as Error).message)).toEqual(['disk full'])
    expect(w.inFlight).toBe(0)
  })
})
