import { describe, expect, it } from 'vitest'
import {
  quoteDown,
  quoteUp,
  seededRandom,
  strategyByName,
  zipReact,
  zipStrategy,
  zipTarget,
  zipUpdate,
  type TradingContext,
  type ZipState
} from '../src/index.ts'

/** a random source that returns the given numbers in turn */
const script =
  (...xs: number[]): (() => number) =>
  () => {
    const x = xs.shift()
    if (x === undefined) throw new Error('script exhausted')
    return x
  }

describe('ZIP learning rule (Cliff 1997), against hand-computed steps', () => {
  it('Widrow-Hoff with momentum: two steps of a seller', () => {
    const s: ZipState = { side: 'seller', margin: 0.2, beta: 0.3, gamma: 0.1, momentum: 0 }
    // p = 120, τ = 132.61: Δ = 0.3 × 12.61 = 3.783, Γ = 0.9 × 3.783 = 3.4047, μ = 123.4047 / 100 − 1
    zipUpdate(s, 100, 132.61)
    expect(s.momentum).toBeCloseTo(3.4047, 10)
    expect(s.margin).toBeCloseTo(0.234047, 10)
    // p = 123.4047, τ = 120: Δ = −1.02141, Γ = 0.1 × 3.4047 + 0.9 × −1.02141 = −0.578799
    zipUpdate(s, 100, 120)
    expect(s.momentum).toBeCloseTo(-0.578799, 10)
    expect(s.margin).toBeCloseTo(0.22825901, 10)
  })

  it("a buyer's margin stays in [−1, 0]: it never bids above its value", () => {
    const b: ZipState = { side: 'buyer', margin: -0.2, beta: 0.5, gamma: 0, momentum: 0 }
    // p = 120, τ = 130: Δ = 5, μ = 125 / 150 − 1
    zipUpdate(b, 150, 130)
    expect(b.margin).toBeCloseTo(-1 / 6, 10)
    // τ = 200 would put the price at 162.5, above the value: the margin stops at 0
    zipUpdate(b, 150, 200)
    expect(b.margin).toBe(0)
    const s: ZipState = { side: 'seller', margin: 0.05, beta: 1, gamma: 0, momentum: 0 }
    zipUpdate(s, 100, 50)
    expect(s.margin).toBe(0)
  })

  it('targets: R·q + A above q to raise a price, below to lower it', () => {
    // R = 1 + 0.5 × 0.05, A = 0.5 × 0.05
    expect(zipTarget('up', 100, script(0.5, 0.5))).toBeCloseTo(102.525, 10)
    expect(zipTarget('down', 100, script(0.5, 0.5))).toBeCloseTo(97.475, 10)
    expect(zipTarget('up', 100, script(0, 0))).toBe(100)
  })

  it("Cliff's raise/lower rules on the last shout, for sellers and buyers", () => {
    // seller: λ = 100, μ = 0.1, p = 110; buyer: λ = 100, μ = −0.1, p = 90
    const cases: Array<
      [side: 'seller' | 'buyer', shout: 'bid' | 'ask', price: number, accepted: boolean, expected: 'up' | 'down' | undefined]
    > = [
      ['seller', 'ask', 120, true, 'up'], // traded at or above my price: ask more
      ['seller', 'bid', 120, true, 'up'],
      ['seller', 'bid', 100, true, 'down'], // a bid below my price traded: ask less
      ['seller', 'ask', 100, true, undefined], // an offer below mine traded: no rule
      ['seller', 'ask', 105, false, 'down'], // an offer at or below mine not taken: ask less
      ['seller', 'ask', 115, false, undefined],
      ['seller', 'bid', 100, false, undefined],
      ['buyer', 'bid', 80, true, 'down'], // traded at or below my price: bid less
      ['buyer', 'ask', 80, true, 'down'],
      ['buyer', 'ask', 95, true, 'up'], // an offer above my price traded: bid more
      ['buyer', 'bid', 95, true, undefined],
      ['buyer', 'bid', 95, false, 'up'], // a bid at or above mine not taken: bid more
      ['buyer', 'bid', 85, false, undefined],
      ['buyer', 'ask', 85, false, undefined]
    ]
    for (const [side, shout, price, accepted, expected] of cases) {
      const s: ZipState = { side, margin: side === 'seller' ? 0.1 : -0.1, beta: 0.3, gamma: 0, momentum: 0 }
      const before = 100 * (1 + s.margin)
      const dir = zipReact(s, 100, { side: shout, price, accepted }, seededRandom(1))
      expect([side, shout, price, accepted, dir]).toEqual([side, shout, price, accepted, expected])
      const after = 100 * (1 + s.margin)
      if (expected === 'up') expect(after).toBeGreaterThan(before)
      else if (expected === 'down') expect(after).toBeLessThan(before)
      else expect(after).toBe(before)
    }
  })
})

describe('zip as a Kvartal strategy', () => {
  const tariffs = { retail: 1000, feedIn: 300 }
  const ctx = (over: Partial<TradingContext>): TradingContext => ({
    now: 0,
    slot: 7,
    openedAt: 0,
    gateClosureAt: 16,
    tariffs,
    limit: 600,
    remainingWh: 100,
    random: seededRandom(3),
    ...over
  })

  it('is built in as `zip`, a fresh learner per call', () => {
    const a = strategyByName('zip')!
    const b = strategyByName('zip')!
    expect(a.name).toBe('zip')
    expect(a).not.toBe(b)
  })

  it('a seller asks less after an offer nobody took, and more after a proposal it accepted', () => {
    const s = zipStrategy()
    const random = seededRandom(5)
    const a0 = s.askPrice(ctx({ now: 0, random }))
    expect(a0).toBeGreaterThanOrEqual(600)
    expect(s.askPrice(ctx({ now: 0, random }))).toBe(a0) // once per tick
    const a1 = s.askPrice(ctx({ now: 1, random }))
    expect(a1).toBeLessThan(a0)
    expect(s.answerProposal(ctx({ now: 1, random }), a1 + 100, 0).action).toBe('accept')
    const a2 = s.askPrice(ctx({ now: 2, remainingWh: 50, random }))
    expect(a2).toBeGreaterThan(a1)
    expect(s.answerProposal(ctx({ now: 2, random }), 599, 0).action).toBe('reject')
  })

  it('a buyer bids more after a bid nobody took, and less after one that was', () => {
    const s = zipStrategy()
    // every draw 0.9: β = 0.46, γ = 0.09, margin −0.32 (bid 408); the target 4.5 % + 9 beyond the last price
    const random = (): number => 0.9
    const offers = [{ trader: 'x', energyWh: 100, price: 600 }]
    const p0 = s.approach(ctx({ now: 0, random }), offers)[0].price
    expect(p0).toBe(408)
    // not taken: τ = 1.045 × 408 + 9, Δ = 0.46 (τ − 408), Γ = 0.91 Δ: 419.45
    const p1 = s.approach(ctx({ now: 1, random }), offers)[0].price
    expect(p1).toBe(419)
    // taken at 419: τ = 0.955 × 419 − 9, Δ = 0.46 (τ − 419.45), Γ = 0.09 × 11.45 + 0.91 Δ: 408.6
    const p2 = s.approach(ctx({ now: 2, remainingWh: 50, random }), offers)[0].price
    expect(p2).toBe(408)
    // an offer at or below its price is taken at the offer's price; nothing above its limit
    expect(s.approach(ctx({ now: 3, random }), [{ trader: 'y', energyWh: 10, price: 301 }])).toEqual([
      { trader: 'y', energyWh: 10, price: 301 }
    ])
    expect(s.approach(ctx({ now: 4, random }), [{ trader: 'y', energyWh: 10, price: 601 }])).toEqual([])
  })
})

describe('ZIP learning rule at its edges', () => {
  it('quotes integers robustly: a price a hair off an integer quotes that integer', () => {
    expect(quoteUp(408)).toBe(408)
    expect(quoteUp(600 * 0.68)).toBe(408)
    expect(quoteUp(408.2)).toBe(409)
    expect(quoteDown(408)).toBe(408)
    expect(quoteDown(407.8)).toBe(407)
  })

  it('does not learn on a unit of limit 0', () => {
    const s: ZipState = { side: 'seller', margin: 0.1, beta: 0.3, gamma: 0.1, momentum: 2 }
    zipUpdate(s, 0, 50)
    expect(s).toEqual({ side: 'seller', margin: 0.1, beta: 0.3, gamma: 0.1, momentum: 2 })
  })

  it('a seller whose bid was accepted exactly at its price raises it; a buyer ignores an offer it did not take', () => {
    const seller: ZipState = { side: 'seller', margin: 0.25, beta: 0.3, gamma: 0, momentum: 0 }
    expect(zipReact(seller, 100, { side: 'bid', price: 125, accepted: true }, seededRandom(1))).toBe('up')
    const buyer: ZipState = { side: 'buyer', margin: -0.1, beta: 0.3, gamma: 0, momentum: 0 }
    expect(zipReact(buyer, 100, { side: 'ask', price: 95, accepted: false }, seededRandom(1))).toBeUndefined()
    expect(buyer.margin).toBe(-0.1)
  })
})
