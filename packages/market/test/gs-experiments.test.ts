import { describe, expect, it } from 'vitest'
import { runCdaSession, smithAlpha, equilibriumPrice } from '../src/cda.ts'
import { runExperiment, type ExperimentTrader } from '../src/experiment.ts'
import { godeSunderMarkets, gsPriceRange, type GsMarket } from '../src/gode-sunder-markets.ts'
import {
  cdaAgentsFor,
  gsColumns,
  gsNanosPerPoint,
  gsUnitWh,
  gsZipA,
  runCdaSessions,
  runKvartalSession,
  runKvartalSessions,
  summarise
} from '../src/gs-experiments.ts'
import { strategyByName } from '../src/strategies/registry.ts'
import { zipCdaAgent } from '../src/zi-traders.ts'

// The experiment drivers of gode-sunder.test.ts, on what they compose: which seeds, periods and options
// reach each session, and how the sessions are summarised.

const m1 = godeSunderMarkets[0]
/** a market where no unit can trade: the only buyer values its unit below the only seller's cost */
const dead: GsMarket = {
  name: 'dead',
  description: 'no trade',
  traders: [
    { id: 'b', side: 'buyer', units: [10] },
    { id: 's', side: 'seller', units: [20] }
  ]
}

describe('summarise', () => {
  it('gives the mean and the sample standard deviation', () => {
    const s = summarise([1, 2, 3, 4])
    expect(s.mean).toBe(2.5)
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12)
    expect(s.n).toBe(4)
    expect(summarise([-3, 7])).toEqual({ mean: 2, sd: Math.sqrt(50), n: 2 })
  })

  it('gives a standard deviation of 0 for one value and no figures for none', () => {
    expect(summarise([5])).toEqual({ mean: 5, sd: 0, n: 1 })
    expect(summarise([])).toEqual({ mean: NaN, sd: NaN, n: 0 })
  })
})

describe('CDA sessions', () => {
  it("cdaAgentsFor('zip') makes ZIP traders with the G&S perturbation gsZipA", () => {
    const own = runCdaSession(m1.traders, random => m1.traders.map(t => zipCdaAgent(t.side, gsPriceRange, random, { a: gsZipA })), {
      periods: 2,
      seed: 3
    })
    expect(runCdaSession(m1.traders, cdaAgentsFor('zip', m1), { periods: 2, seed: 3 })).toEqual(own)
  })

  it('runs sessions with seeds seed, seed + 1, …, the periods and steps given, and summarises them', () => {
    const o = { sessions: 3, periods: 2, seed: 5, steps: 40 }
    const r = runCdaSessions(m1, 'zi-c', o)
    const one = [0, 1, 2].map(k => runCdaSession(m1.traders, cdaAgentsFor('zi-c', m1), { periods: 2, seed: 5 + k, steps: 40 }))
    expect(r.efficiency).toEqual(summarise(one.map(s => 100 * s.efficiency)))
    const alphas = (p: number): number[] => one.map(s => s.periods[p].alpha).filter((a): a is number => a !== undefined)
    expect(r.alphaByPeriod).toEqual([summarise(alphas(0)), summarise(alphas(1))])
    expect(r.alphaFirst).toEqual(r.alphaByPeriod[0])
    expect(r.alphaLast).toEqual(r.alphaByPeriod[1])
    expect(r.efficiency.n).toBe(3)
  })

  it('leaves out of alpha the sessions that did not trade, and of no session gives no figures', () => {
    const r = runCdaSessions(dead, 'zi-c', { sessions: 2, periods: 2, seed: 1 })
    expect(r.efficiency).toEqual({ mean: 100, sd: 0, n: 2 })
    expect(r.alphaFirst).toEqual({ mean: NaN, sd: NaN, n: 0 })
    expect(r.alphaByPeriod).toEqual([
      { mean: NaN, sd: NaN, n: 0 },
      { mean: NaN, sd: NaN, n: 0 }
    ])
    const none = runCdaSessions(m1, 'zi-c', { sessions: 0 })
    expect(none).toEqual({
      efficiency: { mean: NaN, sd: NaN, n: 0 },
      alphaFirst: { mean: NaN, sd: NaN, n: 0 },
      alphaLast: { mean: NaN, sd: NaN, n: 0 },
      alphaByPeriod: []
    })
  })
})

describe('Kvartal sessions', () => {
  it(
    'are runExperiment period by period on the schedule in nanos, with the ' +
      'ZI price range as tariffs and one strategy per trader for the session',
    () => {
      const seed = 4
      const traders: ExperimentTrader[] = m1.traders.map(t => ({
        id: t.id,
        side: t.side,
        limit: 0,
        units: t.units.map(u => u * gsNanosPerPoint),
        energyWh: gsUnitWh,
        strategy: strategyByName('zi-c')!
      }))
      const p0 = equilibriumPrice(m1.traders)
      let welfare = 0
      let optimum = 0
      const alphas: Array<number | undefined> = []
      for (let p = 0; p < 3; p++) {
        const r = runExperiment(traders, {
          tariffs: { feedIn: 1 * gsNanosPerPoint, retail: 200 * gsNanosPerPoint },
          ticks: 5,
          seed: seed * 1000 + p,
          slot: p
        })
        welfare += r.welfareNanos
        optimum += r.optimumWelfareNanos
        alphas.push(
          smithAlpha(
            r.trades.map(t => t.price / gsNanosPerPoint),
            p0
          )
        )
      }
      expect(runKvartalSession(m1, 'zi-c', { periods: 3, ticks: 5, seed })).toEqual({ efficiency: welfare / optimum, alphas })
    }
  )

  it('default to 6 periods of 16 ticks from seed 1', () => {
    const r = runKvartalSession(m1, 'fixed-markup')
    expect(r.alphas).toHaveLength(6)
    expect(r).toEqual(runKvartalSession(m1, 'fixed-markup', { periods: 6, ticks: 16, seed: 1 }))
    expect(runKvartalSession(m1, 'zi-c', { periods: 1, seed: 2 })).not.toEqual(runKvartalSession(m1, 'zi-c', { periods: 1, seed: 1 }))
  })

  it('count a market without surplus as fully efficient, and refuse an unknown strategy', () => {
    expect(runKvartalSession(dead, 'zi-c', { periods: 2 })).toEqual({ efficiency: 1, alphas: [undefined, undefined] })
    expect(() => runKvartalSession(m1, 'nope')).toThrow(new RangeError('unknown strategy nope'))
  })

  it('runs sessions with seeds seed, seed + 1, … and the ticks given', () => {
    const r = runKvartalSessions(m1, 'zi-c', { sessions: 2, periods: 2, seed: 7, ticks: 3 })
    const one = [0, 1].map(k => runKvartalSession(m1, 'zi-c', { periods: 2, seed: 7 + k, ticks: 3 }))
    expect(r.efficiency).toEqual(summarise(one.map(s => 100 * s.efficiency)))
    expect(r.alphaLast).toEqual(summarise(one.map(s => s.alphas[1]).filter((a): a is number => a !== undefined)))
    expect(r.efficiency.n).toBe(2)
  })
})

describe("the comparison's columns", () => {
  it('are the three CDA traders and the four built-in strategies, each run as its label says', () => {
    expect(gsColumns.map(c => c.label)).toEqual([
      'ZI-U (CDA)',
      'ZI-C (CDA)',
      'ZIP (CDA)',
      'Kvartal fixed-markup',
      'Kvartal concession',
      'Kvartal zi-c',
      'Kvartal zip'
    ])
    const o = { sessions: 1, periods: 1, seed: 3 }
    const direct = [
      runCdaSessions(m1, 'zi-u', o),
      runCdaSessions(m1, 'zi-c', o),
      runCdaSessions(m1, 'zip', o),
      runKvartalSessions(m1, 'fixed-markup', o),
      runKvartalSessions(m1, 'concession', o),
      runKvartalSessions(m1, 'zi-c', o),
      runKvartalSessions(m1, 'zip', o)
    ]
    expect(gsColumns.map(c => c.run(m1, o))).toEqual(direct)
  })
})
