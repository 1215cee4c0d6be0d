import { describe, expect, it } from 'vitest'
import { fixedMarkup } from '../src/strategies/fixed-markup.ts'
import { timeDependentConcession } from '../src/strategies/concession.ts'
import { strategyByName } from '../src/strategies/registry.ts'
import { zeroIntelligenceConstrained } from '../src/strategies/zic.ts'
import { clampPrice, elapsed, fillFrom, type Strategy, type TradingContext } from '../src/strategy.ts'

// Each built-in strategy's prices and answers to the unit, on a fixed context: retail 1000, feed-in 300,
// limit 600, and (for zi-c) a random source that always draws the same number.

const tariffs = { retail: 1000, feedIn: 300 }
const ctx = (over: Partial<TradingContext> = {}): TradingContext => ({
  now: 0,
  slot: 0,
  openedAt: 0,
  gateClosureAt: 100,
  tariffs,
  limit: 600,
  remainingWh: 100,
  random: () => 0.25,
  ...over
})

describe('fixed-markup', () => {
  // made in each test: a strategy made while the file loads would escape the mutants (docs/mutation.md)
  const strategy = (): Strategy => fixedMarkup()

  it('asks its limit plus 10 % of the gap to retail, bids its limit minus 10 % of the gap to feed-in', () => {
    expect(strategy().name).toBe('fixed-markup(0.1)')
    expect(strategy().askPrice(ctx())).toBe(640)
    expect(strategy().bidPrice(ctx())).toBe(570)
    expect(fixedMarkup({ markup: 0.5 }).askPrice(ctx({ limit: 400 }))).toBe(700)
  })

  it('as a seller accepts at or above its ask, counters with its ask down to its limit, and refuses below', () => {
    expect(strategy().answerProposal(ctx(), 640, 0)).toEqual({ action: 'accept' })
    expect(strategy().answerProposal(ctx(), 639, 0)).toEqual({ action: 'counter', price: 640 })
    expect(strategy().answerProposal(ctx(), 600, 0)).toEqual({ action: 'counter', price: 640 })
    expect(strategy().answerProposal(ctx(), 599, 0)).toEqual({ action: 'reject', code: 'price-too-low' })
  })

  it('as a buyer accepts a counter at or below its bid and walks away above it', () => {
    expect(strategy().answerCounter(ctx(), 570, 1)).toEqual({ action: 'accept' })
    expect(strategy().answerCounter(ctx(), 571, 1)).toEqual({ action: 'walk-away' })
  })
})

describe('zi-c', () => {
  // made in each test: a strategy made while the file loads would escape the mutants (docs/mutation.md)
  const strategy = (): Strategy => zeroIntelligenceConstrained()

  it('draws asks in [limit, retail] and bids in [feed-in, limit]', () => {
    expect(strategy().name).toBe('zi-c')
    // 600 + 0.25 × 400, 300 + 0.25 × 300 (rounded)
    expect(strategy().askPrice(ctx())).toBe(700)
    expect(strategy().bidPrice(ctx())).toBe(375)
  })

  it('approaches the offers within its limit, cheapest first, at one drawn bid, for what it still needs', () => {
    const offers = [
      { trader: 'a', energyWh: 50, price: 500 },
      { trader: 'b', energyWh: 100, price: 600 },
      { trader: 'c', energyWh: 100, price: 601 }
    ]
    expect(strategy().approach(ctx({ remainingWh: 120 }), offers)).toEqual([
      { trader: 'a', energyWh: 50, price: 375 },
      { trader: 'b', energyWh: 70, price: 375 }
    ])
    expect(strategy().approach(ctx({ remainingWh: 50 }), offers)).toEqual([{ trader: 'a', energyWh: 50, price: 375 }])
    expect(strategy().approach(ctx({ remainingWh: 500 }), offers)).toEqual([
      { trader: 'a', energyWh: 50, price: 375 },
      { trader: 'b', energyWh: 100, price: 375 }
    ])
  })

  it('as a seller draws an ask per proposal: accepts at or above it, counters with it down to its limit, refuses below', () => {
    expect(strategy().answerProposal(ctx(), 700, 0)).toEqual({ action: 'accept' })
    expect(strategy().answerProposal(ctx(), 699, 0)).toEqual({ action: 'counter', price: 700 })
    expect(strategy().answerProposal(ctx(), 600, 0)).toEqual({ action: 'counter', price: 700 })
    expect(strategy().answerProposal(ctx(), 599, 0)).toEqual({ action: 'reject', code: 'price-too-low' })
  })

  it('as a buyer accepts any counter within its limit', () => {
    expect(strategy().answerCounter(ctx(), 600, 1)).toEqual({ action: 'accept' })
    expect(strategy().answerCounter(ctx(), 601, 1)).toEqual({ action: 'walk-away' })
  })
})

describe('concession', () => {
  // made in each test: a strategy made while the file loads would escape the mutants (docs/mutation.md)
  const strategy = (): Strategy => timeDependentConcession()

  it('asks its limit plus 5 % of the gap to retail; bids from feed-in up to its limit minus 5 % of the gap to feed-in', () => {
    expect(strategy().name).toBe('concession(beta=1)')
    expect(strategy().askPrice(ctx())).toBe(620)
    expect(strategy().bidPrice(ctx({ now: 0 }))).toBe(300)
    expect(strategy().bidPrice(ctx({ now: 50 }))).toBe(443) // 300 + 0.5 × 285, rounded
    expect(strategy().bidPrice(ctx({ now: 100 }))).toBe(585)
  })

  it('as a seller accepts at or above its ask, counters with its ask down to its limit, and refuses below', () => {
    expect(strategy().answerProposal(ctx(), 620, 0)).toEqual({ action: 'accept' })
    expect(strategy().answerProposal(ctx(), 619, 0)).toEqual({ action: 'counter', price: 620 })
    expect(strategy().answerProposal(ctx(), 600, 0)).toEqual({ action: 'counter', price: 620 })
    expect(strategy().answerProposal(ctx(), 599, 0)).toEqual({ action: 'reject', code: 'price-too-low' })
  })

  it('as a buyer accepts a counter at or below its current bid', () => {
    expect(strategy().answerCounter(ctx({ now: 50 }), 443, 1)).toEqual({ action: 'accept' })
    expect(strategy().answerCounter(ctx({ now: 50 }), 444, 1)).toEqual({ action: 'walk-away' })
  })
})

describe('the helpers strategies share', () => {
  it('elapsed: the share of the window from opening to gate closure, within [0, 1]; 1 for an empty window', () => {
    expect(elapsed(ctx({ openedAt: 10, gateClosureAt: 20, now: 15 }))).toBe(0.5)
    expect(elapsed(ctx({ openedAt: 10, gateClosureAt: 20, now: 12 }))).toBeCloseTo(0.2, 12)
    expect(elapsed(ctx({ openedAt: 10, gateClosureAt: 20, now: 5 }))).toBe(0)
    expect(elapsed(ctx({ openedAt: 10, gateClosureAt: 20, now: 25 }))).toBe(1)
    expect(elapsed(ctx({ openedAt: 10, gateClosureAt: 10, now: 10 }))).toBe(1)
    expect(elapsed(ctx({ openedAt: 10, gateClosureAt: 5, now: 7 }))).toBe(1)
  })

  it('fillFrom: offers at or below the price, cheapest first, for what is needed, none of 0 Wh', () => {
    const offers = [
      { trader: 'z', energyWh: 0, price: 400 },
      { trader: 'a', energyWh: 50, price: 500 },
      { trader: 'b', energyWh: 100, price: 600 },
      { trader: 'c', energyWh: 100, price: 601 }
    ]
    expect(fillFrom(offers, 120, 600)).toEqual([
      { trader: 'a', energyWh: 50, price: 500 },
      { trader: 'b', energyWh: 70, price: 600 }
    ])
    expect(fillFrom(offers, 1000, 600)).toEqual([
      { trader: 'a', energyWh: 50, price: 500 },
      { trader: 'b', energyWh: 100, price: 600 }
    ])
  })

  it('clampPrice: within the tariffs, whole', () => {
    expect(clampPrice(299.6, tariffs)).toBe(300)
    expect(clampPrice(1000.4, tariffs)).toBe(1000)
    expect(clampPrice(500.5, tariffs)).toBe(501)
  })

  it('strategyByName: undefined for a name that is not built in', () => {
    expect(strategyByName('nope')).toBeUndefined()
    expect(strategyByName('fixed-markup', { markup: 0.5 })?.name).toBe('fixed-markup(0.5)')
  })
})
