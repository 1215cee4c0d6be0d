import { seededRandom } from '@kvartal/protocol'
import { describe, expect, it } from 'vitest'
import { clearDoubleAuction } from '../src/clearing.ts'
import { clearWithGrid, type GridClearing } from '../src/grid-clearing.ts'
import { bruteForce, checkFills, minCostFlow, randomCase, shuffled, type Case, type Limits } from './helpers/grid-references.ts'

const clear = (c: Case): GridClearing => clearWithGrid(c.bids, c.asks, { fees: c.fees, limits: c.limits })

const k = 1000 // nanos per kWh: with Wh quantities, 1000 nanos/kWh × 1 Wh = 1 nano

describe('clearWithGrid: against exhaustive search', () => {
  it('matches the best integer fill matrix on 600 small random districts (welfare, and volume among optima)', () => {
    const random = seededRandom(20240611)
    let traded = 0
    let crossed = 0
    let limited = 0
    let limitsChangeOptimum = 0
    for (let n = 0; n < 600; n++) {
      const c = randomCase(random, {
        feeders: 2 + Math.floor(random() * 2),
        minOrders: 1,
        asks: 3,
        bids: 3,
        maxWh: 4,
        askPrices: [0, 1 * k, 1.5 * k, 2 * k, 3 * k, 3.25 * k, 5 * k],
        bidPrices: [1.5 * k, 2 * k, 3 * k, 3.25 * k, 5 * k, 6 * k, 8 * k],
        localFees: [0, 0.25 * k, 1 * k],
        extraDistrict: [0, 0.5 * k, 1 * k, 2 * k],
        limitChance: 0.7,
        maxLimit: 4
      })
      const r = clear(c)
      const raw = checkFills(c, r)
      const best = bruteForce(c)
      expect({ n, raw, volume: r.tradedWh }).toEqual({ n, raw: best.raw, volume: best.volume })
      if (r.tradedWh > 0) traded++
      if (r.crossFeederWh > 0) crossed++
      if (Object.values(c.limits).some(l => l.exportWh === 0 || l.importWh === 0)) limited++
      if (bruteForce({ ...c, limits: {} }).raw !== best.raw) limitsChangeOptimum++
    }
    // the cases exercise what they should
    expect(traded).toBeGreaterThan(300)
    expect(crossed).toBeGreaterThan(120)
    expect(limited).toBeGreaterThan(250)
    expect(limitsChangeOptimum).toBeGreaterThan(60)
  })
})

describe('clearWithGrid: against a min-cost flow on the full network', () => {
  it('agrees on 150 medium random districts with binding limits', () => {
    const random = seededRandom(7)
    let bindingExport = 0
    for (let n = 0; n < 150; n++) {
      const c = randomCase(random, {
        feeders: 2 + Math.floor(random() * 5),
        minOrders: 0,
        asks: 14,
        bids: 14,
        maxWh: 60,
        askPrices: Array.from({ length: 30 }, (_, m) => 100 * k + m * 7 * k),
        bidPrices: Array.from({ length: 30 }, (_, m) => 100 * k + m * 7 * k),
        localFees: [0, 5 * k, 10 * k],
        extraDistrict: [0, 10 * k, 40 * k],
        limitChance: 0.8,
        maxLimit: 80
      })
      const r = clear(c)
      const raw = checkFills(c, r)
      const ref = minCostFlow(c)
      expect({ n, raw, volume: r.tradedWh }).toEqual({ n, raw: ref.raw, volume: ref.volume })
      if (Object.entries(r.perFeeder).some(([f, p]) => c.limits[f] !== undefined && p.exportWh === c.limits[f].exportWh && p.exportWh > 0))
        bindingExport++
    }
    expect(bindingExport).toBeGreaterThan(20)
  })
})

describe('clearWithGrid: hand-made cases', () => {
  const fees = { local: 10 * k, district: 50 * k }

  it('a cross-feeder trade pays the district fee', () => {
    const c: Case = {
      asks: [{ id: 's1', feeder: 'A', energyWh: 10, price: 100 * k }],
      bids: [{ id: 'b2', feeder: 'B', energyWh: 10, price: 300 * k }],
      fees,
      limits: {}
    }
    const r = clear(c)
    expect(r.fills).toEqual([{ buyer: 'b2', seller: 's1', energyWh: 10, fee: 50 * k, crossFeeder: true }])
    expect(r.welfareNanos).toBe(10 * (300 - 50 - 100)) // nanos
    expect(r.feeNanos).toBe(10 * 50)
    expect(r.crossFeederWh).toBe(10)
    expect(r.perFeeder).toEqual({ A: { exportWh: 10, importWh: 0 }, B: { exportWh: 0, importWh: 10 } })
    checkFills(c, r)
  })

  it('trades locally what is not worth carrying across feeders (margin between the local and the district fee)', () => {
    // margin 30 per kWh before fees: above the local fee 10, below the district fee 50
    const ask = { id: 's1', feeder: 'A', energyWh: 10, price: 100 * k }
    const across = clear({ asks: [ask], bids: [{ id: 'b1', feeder: 'B', energyWh: 10, price: 130 * k }], fees, limits: {} })
    expect(across.fills).toEqual([])
    expect(across.welfareNanos).toBe(0)
    const inside = clear({ asks: [ask], bids: [{ id: 'b1', feeder: 'A', energyWh: 10, price: 130 * k }], fees, limits: {} })
    expect(inside.fills).toEqual([{ buyer: 'b1', seller: 's1', energyWh: 10, fee: 10 * k, crossFeeder: false }])
    expect(inside.welfareNanos).toBe(10 * 20)
    // both buyers present: the local one is served, the remote one would pay more fee than it gains
    const both: Case = {
      asks: [ask],
      bids: [
        { id: 'bA', feeder: 'A', energyWh: 10, price: 130 * k },
        { id: 'bB', feeder: 'B', energyWh: 10, price: 175 * k }
      ],
      fees,
      limits: {}
    }
    // local: 130 − 10 − 100 = 20 per kWh; across: 175 − 50 − 100 = 25 per kWh: across wins
    expect(clear(both).fills).toEqual([{ buyer: 'bB', seller: 's1', energyWh: 10, fee: 50 * k, crossFeeder: true }])
    // at 165 across earns 15 < 20: the local buyer wins
    const lower = { ...both, bids: [both.bids[0], { ...both.bids[1], price: 165 * k }] }
    expect(clear(lower).fills).toEqual([{ buyer: 'bA', seller: 's1', energyWh: 10, fee: 10 * k, crossFeeder: false }])
  })

  // A: cheap seller sA (100) and a local buyer bA (140); B: a buyer bB (300) and a dearer local seller sB (200).
  // Unlimited, bB buys all of sA across (150 per kWh) — 1500 nanos. With A's export (or B's import)
  // limited to 4 Wh, bB takes 4 Wh from sA and the next-best local match, 6 Wh from sB (90 per kWh),
  // and sA sells its other 6 Wh to bA locally (30 per kWh): 600 + 540 + 180 = 1320 nanos.
  const limitCase = (limits: Limits): Case => ({
    asks: [
      { id: 'sA', feeder: 'A', energyWh: 10, price: 100 * k },
      { id: 'sB', feeder: 'B', energyWh: 10, price: 200 * k }
    ],
    bids: [
      { id: 'bA', feeder: 'A', energyWh: 10, price: 140 * k },
      { id: 'bB', feeder: 'B', energyWh: 10, price: 300 * k }
    ],
    fees,
    limits
  })

  it('without limits the best cross-feeder match takes everything', () => {
    const c = limitCase({})
    const r = clear(c)
    expect(r.welfareNanos).toBe(1500)
    expect(r.fills).toEqual([{ buyer: 'bB', seller: 'sA', energyWh: 10, fee: 50 * k, crossFeeder: true }])
    checkFills(c, r)
  })

  it('an export limit that binds: the rest goes to the next-best local matches', () => {
    const c = limitCase({ A: { exportWh: 4, importWh: 1000 } })
    const r = clear(c)
    expect(r.welfareNanos).toBe(1320)
    expect(r.perFeeder).toEqual({ A: { exportWh: 4, importWh: 0 }, B: { exportWh: 0, importWh: 4 } })
    expect(new Set(r.fills)).toEqual(
      new Set([
        { buyer: 'bA', seller: 'sA', energyWh: 6, fee: 10 * k, crossFeeder: false },
        { buyer: 'bB', seller: 'sB', energyWh: 6, fee: 10 * k, crossFeeder: false },
        { buyer: 'bB', seller: 'sA', energyWh: 4, fee: 50 * k, crossFeeder: true }
      ])
    )
    expect(checkFills(c, r)).toBe(bruteForce(c).raw)
  })

  it('an import limit that binds: the same optimum from the other side', () => {
    const c = limitCase({ B: { exportWh: 1000, importWh: 4 } })
    const r = clear(c)
    expect(r.welfareNanos).toBe(1320)
    expect(r.perFeeder).toEqual({ A: { exportWh: 4, importWh: 0 }, B: { exportWh: 0, importWh: 4 } })
    expect(r.crossFeederWh).toBe(4)
    expect(checkFills(c, r)).toBe(bruteForce(c).raw)
  })

  it("an import limit on one feeder re-routes another feeder's export to the buyer that can still take it", () => {
    // sA (100) could serve bB (300) or bC (280); B may import only 3 Wh, so C gets the other 7
    const c: Case = {
      asks: [{ id: 'sA', feeder: 'A', energyWh: 10, price: 100 * k }],
      bids: [
        { id: 'bB', feeder: 'B', energyWh: 10, price: 300 * k },
        { id: 'bC', feeder: 'C', energyWh: 10, price: 280 * k }
      ],
      fees,
      limits: { B: { exportWh: 0, importWh: 3 } }
    }
    const r = clear(c)
    expect(r.perFeeder).toEqual({ A: { exportWh: 10, importWh: 0 }, B: { exportWh: 0, importWh: 3 }, C: { exportWh: 0, importWh: 7 } })
    expect(r.welfareNanos).toBe(3 * 150 + 7 * 130)
    checkFills(c, r)
  })

  it('limit 0 isolates a feeder: it clears on its own', () => {
    const c = limitCase({ A: { exportWh: 0, importWh: 0 } })
    const r = clear(c)
    expect(r.crossFeederWh).toBe(0)
    expect(r.perFeeder).toEqual({ A: { exportWh: 0, importWh: 0 }, B: { exportWh: 0, importWh: 0 } })
    // A: 140 − 10 − 100 = 30 per kWh; B: 300 − 10 − 200 = 90 per kWh
    expect(r.welfareNanos).toBe(300 + 900)
    checkFills(c, r)
    // the same as clearing each feeder alone
    const alone = (f: string): number =>
      clear({ ...c, asks: c.asks.filter(a => a.feeder === f), bids: c.bids.filter(b => b.feeder === f), limits: {} }).welfareNanos
    expect(r.welfareNanos).toBe(alone('A') + alone('B'))
  })

  it('fees above every margin mean no trade', () => {
    const c = limitCase({})
    const r = clear({ ...c, fees: { local: 200 * k + 1, district: 200 * k + 1 } })
    expect(r).toEqual({
      fills: [],
      tradedWh: 0,
      crossFeederWh: 0,
      welfareNanos: 0,
      feeNanos: 0,
      perFeeder: { A: { exportWh: 0, importWh: 0 }, B: { exportWh: 0, importWh: 0 } }
    })
  })

  it('trades units of exactly zero welfare (the largest volume among optimal allocations)', () => {
    const r = clear({
      asks: [
        { id: 's1', feeder: 'A', energyWh: 5, price: 100 * k },
        { id: 's2', feeder: 'A', energyWh: 5, price: 100 * k }
      ],
      bids: [
        { id: 'b1', feeder: 'A', energyWh: 5, price: 110 * k },
        { id: 'b2', feeder: 'B', energyWh: 5, price: 150 * k }
      ],
      fees,
      limits: {}
    })
    expect(r.tradedWh).toBe(10)
    expect(r.welfareNanos).toBe(0)
  })

  it('rounds welfare and fees half up once, from exact sums', () => {
    // 1 Wh at a margin of 500 nanos/kWh is 0.5 nano → 1; fee 1 Wh × 1500 nanos/kWh = 1.5 → 2
    const r = clear({
      asks: [{ id: 's', feeder: 'A', energyWh: 1, price: 0 }],
      bids: [{ id: 'b', feeder: 'B', energyWh: 1, price: 2000 }],
      fees: { local: 0, district: 1500 },
      limits: {}
    })
    expect(r.welfareNanos).toBe(1)
    expect(r.feeNanos).toBe(2)
  })
})

describe('clearWithGrid: one feeder without fees is the plain double auction', () => {
  it('gives the welfare and volume of clearDoubleAuction on 300 random books', () => {
    const random = seededRandom(99)
    for (let n = 0; n < 300; n++) {
      const count = (max: number): number => Math.floor(random() * (max + 1))
      const asks = Array.from({ length: count(30) }, (_, m) => ({
        id: `s${m}`,
        energyWh: 1 + count(5000),
        price: count(20) * 50_000_000 + count(999)
      }))
      const bids = Array.from({ length: count(30) }, (_, m) => ({
        id: `b${m}`,
        energyWh: 1 + count(5000),
        price: count(20) * 50_000_000 + count(999)
      }))
      const plain = clearDoubleAuction(bids, asks)
      const limits: Limits = random() < 0.5 ? { F: { exportWh: count(100), importWh: count(100) } } : {}
      const grid = clearWithGrid(
        bids.map(b => ({ ...b, feeder: 'F' })),
        asks.map(a => ({ ...a, feeder: 'F' })),
        { fees: { local: 0, district: count(3) * 1000 }, limits }
      )
      expect({ n, welfareNanos: grid.welfareNanos, tradedWh: grid.tradedWh }).toEqual({
        n,
        welfareNanos: plain.welfareNanos,
        tradedWh: plain.tradedWh
      })
      expect(grid.crossFeederWh).toBe(0)
    }
  })
})

describe('clearWithGrid: determinism', () => {
  it('does not depend on the order of the input', () => {
    const random = seededRandom(3)
    for (let n = 0; n < 100; n++) {
      const c = randomCase(random, {
        feeders: 5,
        minOrders: 0,
        asks: 25,
        bids: 25,
        maxWh: 40,
        askPrices: [100 * k, 120 * k, 140 * k, 160 * k, 200 * k],
        bidPrices: [100 * k, 120 * k, 140 * k, 160 * k, 200 * k],
        localFees: [0, 10 * k],
        extraDistrict: [0, 20 * k],
        limitChance: 0.8,
        maxLimit: 50
      })
      const r = clear(c)
      const shuffledLimits = Object.fromEntries(shuffled(Object.entries(c.limits), random))
      const again = clearWithGrid(shuffled(c.bids, random), shuffled(c.asks, random), { fees: c.fees, limits: shuffledLimits })
      expect(again).toEqual(r)
      expect(JSON.stringify(again)).toBe(JSON.stringify(r))
    }
  })
})

describe('clearWithGrid: input validation', () => {
  const ask = { id: 's', feeder: 'A', energyWh: 10, price: 100 }
  const bid = { id: 'b', feeder: 'A', energyWh: 10, price: 200 }
  const fees = { local: 1, district: 2 }
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['fractional energy', () => clearWithGrid([bid], [{ ...ask, energyWh: 1.5 }], { fees }), /ask "s": energyWh/],
    ['negative energy', () => clearWithGrid([{ ...bid, energyWh: -1 }], [ask], { fees }), /bid "b": energyWh/],
    ['negative price', () => clearWithGrid([bid], [{ ...ask, price: -1 }], { fees }), /ask "s": price/],
    ['fractional price', () => clearWithGrid([{ ...bid, price: 0.5 }], [ask], { fees }), /bid "b": price/],
    ['negative local fee', () => clearWithGrid([bid], [ask], { fees: { local: -1, district: 2 } }), /fees\.local/],
    ['fractional district fee', () => clearWithGrid([bid], [ask], { fees: { local: 1, district: 2.5 } }), /fees\.district/],
    ['district fee below local fee', () => clearWithGrid([bid], [ask], { fees: { local: 3, district: 2 } }), /fees\.district/],
    [
      'negative export limit',
      () => clearWithGrid([bid], [ask], { fees, limits: { A: { exportWh: -1, importWh: 0 } } }),
      /limits\["A"\]\.exportWh/
    ],
    [
      'fractional import limit',
      () => clearWithGrid([bid], [ask], { fees, limits: { A: { exportWh: 0, importWh: 0.5 } } }),
      /limits\["A"\]\.importWh/
    ],
    [
      'infinite limit',
      () => clearWithGrid([bid], [ask], { fees, limits: { A: { exportWh: Infinity, importWh: 0 } } }),
      /limits\["A"\]\.exportWh/
    ],
    ['repeated id', () => clearWithGrid([bid, bid], [ask], { fees }), /bid "b": id appears twice/],
    ['missing feeder', () => clearWithGrid([bid], [{ ...ask, feeder: '' }], { fees }), /ask "s": feeder/]
  ]
  for (const [name, run, message] of cases) {
    it(`rejects ${name} with a RangeError naming the field`, () => {
      expect(run).toThrow(RangeError)
      expect(run).toThrow(message)
    })
  }

  it('accepts empty books and zero quantities', () => {
    expect(clearWithGrid([], [], { fees: { local: 0, district: 0 } })).toEqual({
      fills: [],
      tradedWh: 0,
      crossFeederWh: 0,
      welfareNanos: 0,
      feeNanos: 0,
      perFeeder: {}
    })
    const r = clearWithGrid([{ ...bid, energyWh: 0 }], [ask], { fees })
    expect(r.tradedWh).toBe(0)
    expect(r.perFeeder).toEqual({ A: { exportWh: 0, importWh: 0 } })
  })
})
