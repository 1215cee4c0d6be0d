import { describe, expect, it } from 'vitest'
import {
  fixedMarkup,
  flatSupplyMarket,
  godeSunderMarkets,
  maxSurplus,
  runCdaSession,
  runCdaSessions,
  runExperiment,
  runKvartalSessions,
  cdaAgentsFor,
  type GsTrader
} from '../src/index.ts'

/**
 * Independent reference for the maximum surplus under the in-order rule: try every number of units
 * each trader could trade (a prefix of its list), keep per side and per total quantity the best sum, and
 * take the best quantity. Exhaustive, and shares nothing with the clearing code.
 */
function bruteForceMaxSurplus(traders: readonly GsTrader[]): number {
  const best = (side: 'buyer' | 'seller'): Map<number, number> => {
    const lists = traders.filter(t => t.side === side).map(t => t.units)
    let acc = new Map<number, number>([[0, 0]])
    for (const units of lists) {
      const next = new Map<number, number>()
      for (const [q, v] of acc) {
        let sum = 0
        for (let k = 0; k <= units.length; k++) {
          if (k > 0) sum += units[k - 1]
          const prev = next.get(q + k)
          const cand = v + sum
          // buyers want the largest values, sellers the smallest costs
          if (prev === undefined || (side === 'buyer' ? cand > prev : cand < prev)) next.set(q + k, cand)
        }
      }
      acc = next
    }
    return acc
  }
  const values = best('buyer')
  const costs = best('seller')
  let max = 0
  for (const [q, v] of values) {
    const c = costs.get(q)
    if (c !== undefined) max = Math.max(max, v - c)
  }
  return max
}

const sum = (xs: readonly number[]): number => xs.reduce((a, x) => a + x, 0)
const units = (m: { traders: readonly GsTrader[] }, side: 'buyer' | 'seller'): number[] =>
  m.traders.filter(t => t.side === side).flatMap(t => t.units)

describe('Gode & Sunder (1993) markets', () => {
  it('the central clearing gives the maximum surplus exactly, on every market', () => {
    for (const m of [...godeSunderMarkets, flatSupplyMarket]) {
      expect([m.name, maxSurplus(m.traders).surplus]).toEqual([m.name, bruteForceMaxSurplus(m.traders)])
    }
  })

  it('schedules: 6 buyers and 6 sellers, units in trading order, prices in [1, 200]', () => {
    for (const m of godeSunderMarkets) {
      expect(m.traders.filter(t => t.side === 'buyer')).toHaveLength(6)
      expect(m.traders.filter(t => t.side === 'seller')).toHaveLength(6)
      for (const t of m.traders) {
        for (let k = 1; k < t.units.length; k++)
          expect(t.side === 'buyer' ? t.units[k] <= t.units[k - 1] : t.units[k] >= t.units[k - 1]).toBe(true)
        for (const u of t.units) expect(u >= 1 && u <= 200).toBe(true)
      }
    }
  })

  it("ZI-U trades every unit: where both sides hold as many units, its efficiency is fixed by the schedule, and equals the paper's", () => {
    for (const m of godeSunderMarkets) {
      const v = units(m, 'buyer')
      const c = units(m, 'seller')
      if (v.length !== c.length) continue // market 3: excess demand
      const fixed = (sum(v) - sum(c)) / maxSurplus(m.traders).surplus
      for (let seed = 1; seed <= 5; seed++) {
        const r = runCdaSession(m.traders, cdaAgentsFor('zi-u', m), { seed, periods: 2 })
        for (const p of r.periods) expect(p.trades).toHaveLength(v.length)
        expect(r.efficiency).toBeCloseTo(fixed, 12)
      }
      expect(Math.abs(100 * fixed - m.paper!.ziu)).toBeLessThan(0.1)
    }
  })

  it("ZI-C on market 1 (30 sessions of 6 periods, seed 1): within 2 points of the paper's 99.9 %, never a trade at a loss", () => {
    const m = godeSunderMarkets[0]
    const r = runCdaSessions(m, 'zi-c', { sessions: 30, seed: 1 })
    expect(r.efficiency.mean).toBeGreaterThan(m.paper!.zic - 2)
    expect(r.efficiency.mean).toBeLessThanOrEqual(100)
    const one = runCdaSession(m.traders, cdaAgentsFor('zi-c', m), { seed: 2 })
    for (const p of one.periods) for (const t of p.trades) expect(t.buyerValue >= t.price && t.price >= t.sellerCost).toBe(true)
  })

  it("ZIP beats ZI-C on market 1 where ZI-C leaves room: prices converge (Smith's alpha of the 6th period), at the same efficiency", () => {
    const m = godeSunderMarkets[0]
    const zic = runCdaSessions(m, 'zi-c', { sessions: 20, seed: 1 })
    const zip = runCdaSessions(m, 'zip', { sessions: 20, seed: 1 })
    expect(zip.alphaLast.mean).toBeLessThan(0.6 * zic.alphaLast.mean)
    expect(zip.alphaLast.mean).toBeLessThan(zip.alphaFirst.mean) // it learns from period to period
    expect(zip.efficiency.mean).toBeGreaterThan(zic.efficiency.mean - 1)
  })

  it("in Kvartal's negotiation, zip beats zi-c on market 5 (efficiency) and on the flat supply (prices)", () => {
    const m5 = godeSunderMarkets[4]
    const zic5 = runKvartalSessions(m5, 'zi-c', { sessions: 10, seed: 1 })
    const zip5 = runKvartalSessions(m5, 'zip', { sessions: 10, seed: 1 })
    expect(zip5.efficiency.mean).toBeGreaterThan(zic5.efficiency.mean + 5)
    const zicF = runKvartalSessions(flatSupplyMarket, 'zi-c', { sessions: 10, seed: 1 })
    const zipF = runKvartalSessions(flatSupplyMarket, 'zip', { sessions: 10, seed: 1 })
    expect(zipF.alphaLast.mean).toBeLessThan(0.5 * zicF.alphaLast.mean)
  })
})

describe('runExperiment with multi-unit traders', () => {
  const tariffs = { retail: 1000, feedIn: 100 }
  it('trades units in order, each at its own limit, and measures welfare and the optimum per unit', () => {
    // the buyer's second unit (250) is worth less than the seller's second (300): only the first pair trades
    const r = runExperiment(
      [
        { id: 'b', side: 'buyer', limit: 0, units: [900, 250], energyWh: 100, strategy: fixedMarkup({ markup: 0 }) },
        { id: 's', side: 'seller', limit: 0, units: [200, 300], energyWh: 100, strategy: fixedMarkup({ markup: 0 }) }
      ],
      { tariffs, ticks: 4, seed: 1 }
    )
    expect(r.trades.map(t => [t.buyerLimit, t.sellerLimit, t.energyWh])).toEqual([[900, 200, 100]])
    expect(r.welfareNanos).toBe(70) // (900 − 200) × 100 Wh / 1000
    expect(r.optimumWelfareNanos).toBe(70)
    expect(r.efficiency).toBe(1)
  })
  it('moves on to the next unit within the tick', () => {
    const r = runExperiment(
      [
        { id: 'b', side: 'buyer', limit: 0, units: [900, 800, 700], energyWh: 100, strategy: fixedMarkup({ markup: 0 }) },
        { id: 's', side: 'seller', limit: 0, units: [200, 300, 400], energyWh: 100, strategy: fixedMarkup({ markup: 0 }) }
      ],
      { tariffs, ticks: 0, seed: 1 }
    )
    expect(r.trades.map(t => [t.buyerLimit, t.sellerLimit, t.price, t.tick])).toEqual([
      [900, 200, 200, 0],
      [800, 300, 300, 0],
      [700, 400, 400, 0]
    ])
    expect(r.efficiency).toBe(1)
  })
})
