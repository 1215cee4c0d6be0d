import { describe, expect, it } from 'vitest'
import {
  fixedMarkup,
  runExperiment,
  seededRandom,
  timeDependentConcession,
  zeroIntelligenceConstrained,
  zipStrategy,
  type ExperimentTrader,
  type Strategy,
  type TradingContext
} from '../src/index.ts'

const tariffs = { retail: 1000, feedIn: 300 }
const ctx = (over: Partial<TradingContext>): TradingContext => ({
  now: 0,
  slot: 0,
  openedAt: 0,
  gateClosureAt: 100,
  tariffs,
  limit: 600,
  remainingWh: 100,
  random: seededRandom(1),
  ...over
})

/** Smith (1962)-style schedule: 6 buyers and 6 sellers of 100 Wh, values 950…700, costs 350…600. */
function schedule(strategy: () => Strategy): ExperimentTrader[] {
  const out: ExperimentTrader[] = []
  for (let i = 0; i < 6; i++) {
    out.push({ id: `b${i}`, side: 'buyer', limit: 950 - 50 * i, energyWh: 100, strategy: strategy() })
    out.push({ id: `s${i}`, side: 'seller', limit: 350 + 50 * i, energyWh: 100, strategy: strategy() })
  }
  return out
}

describe('strategies', () => {
  it('never trade at a loss: asks stay at or above the limit, bids at or below, within the tariffs', () => {
    const rnd = seededRandom(7)
    for (const s of [fixedMarkup(), timeDependentConcession(), zeroIntelligenceConstrained(), zipStrategy()]) {
      for (let i = 0; i < 200; i++) {
        const c = ctx({ now: Math.floor(rnd() * 120), limit: 300 + Math.floor(rnd() * 700), random: rnd })
        const ask = s.askPrice(c)
        const bid = s.bidPrice(c)
        expect(ask).toBeGreaterThanOrEqual(c.limit)
        expect(bid).toBeLessThanOrEqual(c.limit)
        expect(Number.isInteger(ask) && Number.isInteger(bid)).toBe(true)
        expect(ask).toBeLessThanOrEqual(tariffs.retail)
        expect(bid).toBeGreaterThanOrEqual(tariffs.feedIn)
        const a = s.answerProposal(c, c.limit - 1, 0)
        expect(a.action).not.toBe('accept')
        for (const ap of s.approach(c, [{ trader: 'x', energyWh: 50, price: c.limit + 1 }])) expect(ap.price).toBeLessThanOrEqual(c.limit)
      }
    }
  })
  it("concession moves buyers' prices toward the limit as gate closure nears; sellers post firm asks", () => {
    const s = timeDependentConcession()
    expect(s.askPrice(ctx({ now: 0 }))).toBe(s.askPrice(ctx({ now: 100 })))
    expect(s.askPrice(ctx({ now: 0 }))).toBe(620)
    expect(s.bidPrice(ctx({ now: 0 }))).toBe(300)
    expect(s.bidPrice(ctx({ now: 100 }))).toBeGreaterThan(s.bidPrice(ctx({ now: 50 })))
  })
  it('at the last call before gate closure a concession buyer takes any offer within its limit, and not before', () => {
    const s = timeDependentConcession()
    const late = ctx({ now: 99 })
    const cap = s.bidPrice(late)
    expect(cap).toBeLessThan(late.limit)
    // an offer above the buyer's bid but within its limit (the reserves and a grid fee between them)
    const offer = { trader: 'x', energyWh: 50, price: Math.floor((cap + late.limit) / 2) }
    expect(s.approach(late, [offer])).toEqual([])
    expect(s.answerCounter(late, offer.price, 1).action).toBe('walk-away')
    const last = { ...late, lastCall: true }
    expect(s.approach(last, [offer])).toEqual([{ trader: 'x', energyWh: 50, price: offer.price }])
    expect(s.answerCounter(last, offer.price, 1).action).toBe('accept')
    // never beyond the limit: an ask above it is offered the limit itself (the seller may take it, below)
    expect(s.approach(last, [{ ...offer, price: late.limit + 1 }])).toEqual([{ trader: 'x', energyWh: 50, price: late.limit }])
    expect(s.answerCounter(last, late.limit + 1, 1).action).toBe('walk-away')
    // within the limit first, what is left above it: 50 Wh within, 30 of the 100 Wh above
    const above = { trader: 'y', energyWh: 100, price: late.limit + 5 }
    expect(s.approach({ ...last, remainingWh: 80 }, [offer, above])).toEqual([
      { trader: 'x', energyWh: 50, price: offer.price },
      { trader: 'y', energyWh: 30, price: late.limit }
    ])
  })

  it('at its last call a concession seller takes any price within its limit, below its posted ask; before it, it counters', () => {
    const s = timeDependentConcession()
    const seller = ctx({ now: 99, limit: 400 })
    const posted = s.askPrice(seller)
    expect(posted).toBeGreaterThan(seller.limit)
    expect(s.answerProposal(seller, seller.limit, 0)).toEqual({ action: 'counter', price: posted })
    expect(s.answerProposal({ ...seller, lastCall: true }, seller.limit, 0)).toEqual({ action: 'accept' })
    expect(s.answerProposal({ ...seller, lastCall: true }, seller.limit - 1, 0)).toEqual({ action: 'reject', code: 'price-too-low' })
  })
})

describe('runExperiment (decentralised market on an explicit schedule)', () => {
  it('reaches the central optimum quantity with concession traders and stays efficient', () => {
    const r = runExperiment(
      schedule(() => timeDependentConcession()),
      { tariffs, ticks: 32, seed: 3 }
    )
    expect(r.optimumWh).toBe(600)
    expect(r.efficiency).toBeGreaterThan(0.9)
    expect(r.efficiency).toBeLessThanOrEqual(1)
  })
  it('ZI-C traders still trade only at mutually acceptable prices and keep most of the surplus (Gode & Sunder)', () => {
    let eff = 0
    for (let seed = 1; seed <= 20; seed++) {
      const r = runExperiment(
        schedule(() => zeroIntelligenceConstrained()),
        { tariffs, ticks: 16, seed }
      )
      for (const t of r.trades) {
        const b = Number(t.buyer.slice(1))
        const s = Number(t.seller.slice(1))
        expect(t.price).toBeLessThanOrEqual(950 - 50 * b)
        expect(t.price).toBeGreaterThanOrEqual(350 + 50 * s)
      }
      eff += r.efficiency / 20
    }
    expect(eff).toBeGreaterThan(0.6)
  })
  it('the same seed gives the same trades', () => {
    const a = runExperiment(
      schedule(() => zeroIntelligenceConstrained()),
      { tariffs, seed: 9 }
    )
    const b = runExperiment(
      schedule(() => zeroIntelligenceConstrained()),
      { tariffs, seed: 9 }
    )
    expect(a.trades).toEqual(b.trades)
  })
})
