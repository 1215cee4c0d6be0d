import { describe, expect, it } from 'vitest'
import { zipStrategy } from '../src/strategies/zip.ts'
import type { Strategy, TradingContext } from '../src/strategy.ts'

// zip as a Kvartal strategy, on a random source that always draws 0.5: a fresh seller's margin is 0.2 (ask
// 720 at limit 600), a fresh buyer's −0.2 (bid 480); β = 0.3, γ = 0.05; a target moves 2.5 % + 5 beyond the
// price it reacts to. Where a test needs to see a seller's price without teaching it anything, it proposes
// exactly the seller's limit: the answer is a counter at its ask.

const tariffs = { retail: 1000, feedIn: 300 }
const ctx = (over: Partial<TradingContext> = {}): TradingContext => ({
  now: 0,
  slot: 7,
  openedAt: 0,
  gateClosureAt: 16,
  tariffs,
  limit: 600,
  remainingWh: 100,
  random: () => 0.5,
  ...over
})
const askOf = (s: Strategy, limit: number): number => {
  const a = s.answerProposal(ctx({ limit }), limit, 0)
  if (a.action !== 'counter') throw new Error(`expected a counter, got ${a.action}`)
  return a.price
}
const offer = (price: number): Array<{ trader: string; energyWh: number; price: number }> => [{ trader: 'x', energyWh: 100, price }]

describe('zip: margins per limit', () => {
  it('keeps one margin per limit; a limit not seen before starts from the latest margin', () => {
    const s = zipStrategy()
    expect(askOf(s, 600)).toBe(720)
    expect(s.answerProposal(ctx(), 900, 0)).toEqual({ action: 'accept' }) // a bid accepted above its price: it asks more
    const a600 = askOf(s, 600)
    expect(a600).toBeGreaterThan(720)
    // 700 starts from 600's raised margin, not from a fresh 0.2 (840)
    const a700 = askOf(s, 700)
    expect(a700).toBeGreaterThan(840)
    // 700's offer left untaken lowers 700's margin only
    expect(s.askPrice(ctx({ limit: 700, now: 0 }))).toBe(a700)
    expect(s.askPrice(ctx({ limit: 700, now: 1 }))).toBeLessThan(a700)
    expect(askOf(s, 600)).toBe(a600)
  })

  it('remembers the margins of the last 256 limits and starts an older one again from the latest margin', () => {
    const marginsAfter = (others: number): { before: number; after: number } => {
      const s = zipStrategy()
      s.answerProposal(ctx(), 900, 0)
      const before = askOf(s, 600)
      for (let l = 601; l <= 600 + others; l++) s.askPrice(ctx({ limit: l, now: 0 }))
      s.askPrice(ctx({ limit: 600 + others, now: 1 })) // the latest margin goes down
      return { before, after: askOf(s, 600) }
    }
    const kept = marginsAfter(255)
    expect(kept.after).toBe(kept.before)
    const forgotten = marginsAfter(256)
    expect(forgotten.after).toBeLessThan(forgotten.before)
  })
})

describe('zip: a seller', () => {
  it('announces once per tick, and lowers its ask only after an announcement that sold nothing', () => {
    const s = zipStrategy()
    expect(s.askPrice(ctx({ now: 0, remainingWh: 100 }))).toBe(720)
    expect(s.askPrice(ctx({ now: 0, remainingWh: 50 }))).toBe(720)
    // it sold 50 Wh after announcing at tick 0: that offer was taken
    expect(s.askPrice(ctx({ now: 1, remainingWh: 50 }))).toBe(720)
    // nothing sold since tick 1: that offer was not
    expect(s.askPrice(ctx({ now: 2, remainingWh: 50 }))).toBeLessThan(720)
  })

  it('accepts at its ask, counters with its ask down to its limit, refuses below', () => {
    expect(zipStrategy().answerProposal(ctx(), 720, 0)).toEqual({ action: 'accept' })
    const s = zipStrategy()
    expect(s.answerProposal(ctx(), 719, 0)).toEqual({ action: 'counter', price: 720 })
    expect(s.answerProposal(ctx(), 600, 0)).toEqual({ action: 'counter', price: 720 })
    expect(s.answerProposal(ctx(), 599, 0)).toEqual({ action: 'reject', code: 'price-too-low' })
  })

  it('whose price the retail tariff caps learns from a bid accepted at the cap that its price is too high', () => {
    // limit 990, margin 0.2: 1188, asked as 1000; a bid of 1000 is accepted below its price
    const s = zipStrategy()
    expect(s.answerProposal(ctx({ limit: 990 }), 1000, 0)).toEqual({ action: 'accept' })
    // a new limit starts from that lowered margin: below a fresh 700 × 1.2
    expect(askOf(zipStrategy(), 700)).toBe(840)
    expect(askOf(s, 700)).toBeLessThan(840)
  })
})

describe('zip: a buyer', () => {
  it('learns from its last bid once per tick, and only from a bid it made', () => {
    const s = zipStrategy()
    expect(s.approach(ctx({ now: 0 }), offer(600))).toEqual([{ trader: 'x', energyWh: 100, price: 480 }])
    expect(s.approach(ctx({ now: 0 }), offer(600))).toEqual([{ trader: 'x', energyWh: 100, price: 480 }])
    // offers beyond its limit only: no bid made at tick 1, so nothing to learn from at tick 2 about tick 1
    const t = zipStrategy()
    expect(t.approach(ctx({ now: 1 }), offer(700))).toEqual([])
    expect(t.approach(ctx({ now: 2 }), offer(600))).toEqual([{ trader: 'x', energyWh: 100, price: 480 }])
  })

  it('accepts a counter at or below its bid and then bids less; walks away above it', () => {
    const s = zipStrategy()
    expect(s.bidPrice(ctx())).toBe(480)
    expect(s.answerCounter(ctx(), 481, 1)).toEqual({ action: 'walk-away' })
    expect(s.bidPrice(ctx())).toBe(480)
    expect(s.answerCounter(ctx(), 480, 1)).toEqual({ action: 'accept' })
    expect(s.bidPrice(ctx())).toBeLessThan(480)
  })

  it('at the last call pays up to its limit, and an ask it accepted above its bid raises its bid', () => {
    const s = zipStrategy()
    expect(s.approach(ctx({ lastCall: true }), offer(590))).toEqual([{ trader: 'x', energyWh: 100, price: 590 }])
    expect(s.approach(ctx({ lastCall: false }), offer(590))).toEqual([{ trader: 'x', energyWh: 100, price: 480 }])
    expect(s.answerCounter(ctx({ lastCall: false }), 590, 1)).toEqual({ action: 'walk-away' })
    expect(s.answerCounter(ctx({ lastCall: true }), 590, 1)).toEqual({ action: 'accept' })
    expect(s.bidPrice(ctx())).toBeGreaterThan(480)
  })
})
