import { describe, expect, it } from 'vitest'
import { consistency, runLinks } from './links-district.ts'

// A seller holds what it accepted for 10 s (`holdMs`); the buyer's Confirm comes two frames after the Accept.
// So a one-way delay of 4 s per frame leaves the hold 2 s to spare, and 6 s lapses every one of them.
const holdMs = 10_000

describe('latency takes simulated time inside a negotiation (links/)', () => {
  it('4 s a frame: every confirm meets its hold; 6 s: every hold lapses before its confirm, and nothing is one-sided', async () => {
    const fast = await runLinks(2, { latency: { distribution: 'fixed', ms: 4_000 } })
    const slow = await runLinks(2, { latency: { distribution: 'fixed', ms: 6_000 } })
    expect(2 * 4_000).toBeLessThan(holdMs)
    expect(2 * 6_000).toBeGreaterThan(holdMs)

    const committed = (r: typeof fast): number => r.events.filter(e => e.type === 'trade-committed' && e.detail === 'buyer').length
    const expired = (r: typeof fast): number =>
      r.events.filter(e => e.type === 'negotiation-failed' && e.code === 'expired').length +
      r.events.filter(e => e.type === 'reservation-released' && e.code === 'expired').length
    // each negotiation took at least proposal, accept and confirm: three frames of simulated time
    expect(fast.result.network!.negotiationDelayMs.p50).toBeGreaterThanOrEqual(3 * 4_000)

    expect(committed(fast)).toBeGreaterThan(3)
    expect(fast.events.filter(e => e.type === 'negotiation-failed' && e.code === 'expired')).toEqual([])
    expect(committed(slow)).toBe(0)
    expect(expired(slow)).toBeGreaterThan(0)
    // a buyer whose hold lapsed knows it (its confirm refused `expired`): the trade is void on both sides
    for (const r of [fast, slow]) {
      const c = consistency(r)
      expect(c.oneSided).toEqual([])
      expect(c.oversold).toEqual([])
      expect(c.overbought).toEqual([])
    }
  }, 120_000)
})
