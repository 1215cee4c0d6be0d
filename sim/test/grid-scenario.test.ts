import { describe, expect, it } from 'vitest'
import { ConfigError } from '@kvartal/protocol'
import {
  buildFeeders,
  defaultGridScenario,
  prepareScenario,
  relaysOf,
  transformerShares,
  validateGrid,
  validateScenario
} from '../src/index.ts'

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `b-${i}`)

describe('the grid of a scenario', () => {
  it('generates feeders of about buildingsPerFeeder, each a contiguous neighbourhood, covering every building once', () => {
    for (const n of [24, 100, 200, 1000]) {
      const feeders = buildFeeders(defaultGridScenario, ids(n), 15)
      // zones are a grid of rectangles: about n / 40 of them, never fewer
      expect(feeders.length).toBeGreaterThanOrEqual(Math.max(1, Math.round(n / 40)))
      expect(feeders.length).toBeLessThanOrEqual(Math.max(1, Math.round((n / 40) * 1.5)))
      const all = feeders.flatMap(f => f.members).sort((a, b) => a - b)
      expect(all).toEqual(Array.from({ length: n }, (_, i) => i))
      for (const f of feeders) {
        if (n >= 40) {
          expect(f.members.length).toBeGreaterThanOrEqual(20)
          expect(f.members.length).toBeLessThanOrEqual(80)
        }
        // 500 kVA for 15 minutes: 125 kWh each way
        expect(f.limitWh).toBe(125_000)
      }
      // a neighbourhood: the feeder's buildings span at most a zone of the grid of cells, not the whole district
      const side = Math.ceil(Math.sqrt(n))
      for (const f of feeders.length > 1 ? feeders : []) {
        const cols = new Set(f.members.map(i => i % side))
        const rows = new Set(f.members.map(i => Math.floor(i / side)))
        expect(cols.size * rows.size).toBeLessThan(n)
      }
    }
  })

  it('takes feeders from a list, and refuses a building on two feeders, on none, or unknown, naming the field', () => {
    const list = {
      feeders: {
        list: [
          { id: 'north', transformerKva: 400, buildings: ['a', 'b'] },
          { id: 'south', buildings: ['c'] }
        ]
      }
    }
    const g = validateGrid(list, ['a', 'b', 'c'])
    const feeders = buildFeeders(g, ['a', 'b', 'c'], 15)
    expect(feeders.map(f => [f.id, f.members, f.limitWh])).toEqual([
      ['north', [0, 1], 100_000],
      ['south', [2], 125_000]
    ])
    const err = (doc: unknown, bs = ['a', 'b', 'c']): string => {
      try {
        validateGrid(doc, bs)
        return ''
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError)
        return (e as Error).message
      }
    }
    expect(
      err({
        feeders: {
          list: [
            { id: 'n', buildings: ['a', 'b'] },
            { id: 's', buildings: ['b', 'c'] }
          ]
        }
      })
    ).toMatch(/grid\.feeders\.list\[1\]\.buildings\[0\].*already on feeder "n"/)
    expect(err({ feeders: { list: [{ id: 'n', buildings: ['a', 'b'] }] } })).toMatch(/building "c" is on no feeder/)
    expect(err({ feeders: { list: [{ id: 'n', buildings: ['a', 'b', 'c', 'x'] }] } })).toMatch(/buildings\[3\].*no building "x"/)
    expect(err({ feeders: { list: [{ id: 'N!', buildings: ['a'] }] } })).toMatch(/grid\.feeders\.list\[0\]\.id/)
    expect(err({ fees: { local: 200, district: 100 } })).toMatch(/grid\.fees\.district/)
    expect(err({ relaysPerFeeder: 0 })).toMatch(/grid\.relaysPerFeeder/)
    expect(err({ feeders: { generate: { buildingsPerFeeder: 0 } } })).toMatch(/grid\.feeders\.generate\.buildingsPerFeeder/)
  })

  it('picks the same relays whatever the order of members, and grid: false means one feeder without fees', () => {
    const f = buildFeeders(defaultGridScenario, ids(80), 15)[0]
    const traders = ids(80).map(b => b.padEnd(64, '0'))
    const r1 = relaysOf(f, traders, 2)
    const r2 = relaysOf({ ...f, members: [...f.members].reverse() }, traders, 2)
    expect([...r1].sort()).toEqual([...r2].sort())
    expect(r1.size).toBe(2)
    expect(validateScenario({ grid: false }).grid).toBe(false)
    // a validated scenario validates again unchanged (the CLI re-validates after --slots)
    const s = validateScenario({})
    expect(validateScenario(JSON.parse(JSON.stringify(s))).grid).toEqual(s.grid)
  })

  it("shares a feeder's transformer in proportion to each member's largest exchange, never more than the limit in all", () => {
    const f = { id: 'f', transformerKva: 400, limitWh: 100_000, members: [2, 5, 7, 9] }
    // by building index: 9 has no exchange at all (weighed as 1 Wh), 2 and 5 export or import alike
    const peak: number[] = []
    peak[2] = 6_000
    peak[5] = -6_000
    peak[7] = 12_000
    const shares = transformerShares(f, peak)
    // 100,000 × 6,000 / 24,001, and so on, rounded down
    expect([...shares]).toEqual([
      [2, 24_998],
      [5, 24_998],
      [7, 49_997],
      [9, 4]
    ])
    expect([...shares.values()].reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(f.limitWh)
    // one member: the whole limit
    expect([...transformerShares({ ...f, members: [7] }, peak)]).toEqual([[7, 100_000]])
  })

  it("gives each building of a scenario its share, from its whole day's plan, whatever slots run", async () => {
    const doc = { buildings: { generate: { count: 60 } }, mobility: false as const }
    const day = await prepareScenario(validateScenario(doc))
    const morning = await prepareScenario(validateScenario({ ...doc, slots: { first: 24, count: 4 } }))
    const shareOf = (p: typeof day): number[] => p.nodes.map(n => n.grid?.crossFeederShareWh ?? -1)
    // the same shares whichever hours are simulated: they stand for the building's connection
    expect(shareOf(morning)).toEqual(shareOf(day))
    for (const f of day.feeders) {
      const s = f.members.map(i => shareOf(day)[i])
      expect(s.every(x => x >= 0)).toBe(true)
      expect(s.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(f.limitWh)
      // not equal shares: a generated feeder mixes buildings of different sizes
      expect(new Set(s).size).toBeGreaterThan(1)
      // and in the order of the largest exchange of each building's day
      const peak = f.members.map(i => Math.max(...day.facts[i].net.map(Math.abs)))
      for (let a = 0; a < s.length; a++) for (let b = 0; b < s.length; b++) if (peak[a] > peak[b]) expect(s[a]).toBeGreaterThanOrEqual(s[b])
    }
  })
})
