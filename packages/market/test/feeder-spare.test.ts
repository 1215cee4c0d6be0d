/**
 * The hub's import marginal beyond the residual bids (`spareAcrossFeeders`): a feeder's matched asks bid at
 * ask + local fee for what the other feeders' residual asks leave. Hand-worked cases, then generated districts
 * run through the relays' whole pipeline — each feeder's residual (`residualOfFeeder`), the real bids'
 * allocation, then the spare — against the central optimum (`clearWithGrid`): never above it, and equal to
 * it when no feeder has a residual bid (the midday case, every feeder long). The reference welfare is summed
 * here from the optimum's own fills; nothing is shared with the code under test but its inputs.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { allocateAcrossFeeders, clearWithGrid, residualOfFeeder, spareAcrossFeeders, type ResidualOrder } from '../src/index.ts'
import { fuzzParams } from '@kvartal/protocol/testing'

const o = (trader: string, feeder: string, energyWh: number, price: number, slot = 0): ResidualOrder => ({
  trader,
  feeder,
  slot,
  energyWh,
  price
})

describe('spareAcrossFeeders: energy of another feeder that spares a dearer seller at home', () => {
  it('sends the cheapest residual ask to the feeder whose dearest matched ask it undercuts most, landed', () => {
    const fees = { local: 10, district: 25 }
    // f2's buyers take s2 at 60 (70 with the local fee), f3's take s3 at 45 (55); f1 has 30 Wh left at 20 (45 landed)
    const out = spareAcrossFeeders([o('r1', 'f1', 30, 20)], [o('s3', 'f3', 50, 45), o('s2', 'f2', 20, 60)], fees)
    expect(out).toEqual([
      { seller: 'r1', sellerFeeder: 'f1', buyer: 's2', buyerFeeder: 'f2', slot: 0, energyWh: 20, price: 20 },
      { seller: 'r1', sellerFeeder: 'f1', buyer: 's3', buyerFeeder: 'f3', slot: 0, energyWh: 10, price: 20 }
    ])
  })

  it('spares nothing where the district fee eats the difference, nor inside one feeder', () => {
    const fees = { local: 10, district: 25 }
    // 36 + 25 = 61 > 50 + 10
    expect(spareAcrossFeeders([o('r', 'f1', 30, 36)], [o('s', 'f2', 50, 50)], fees)).toEqual([])
    // 35 + 25 = 50 + 10: a zero margin trades, as the optimum trades its zero-margin units
    expect(spareAcrossFeeders([o('r', 'f1', 30, 35)], [o('s', 'f2', 50, 50)], fees)).toHaveLength(1)
    expect(spareAcrossFeeders([o('r', 'f2', 30, 0)], [o('s', 'f2', 50, 50)], fees)).toEqual([])
  })
})

type Order = { id: string; feeder: string; energyWh: number; price: number }
const district = fc
  .record({
    asks: fc.array(
      fc.record({
        feeder: fc.constantFrom('f1', 'f2', 'f3', 'f4'),
        energyWh: fc.integer({ min: 1, max: 400 }),
        price: fc.integer({ min: 0, max: 100 })
      }),
      { maxLength: 14 }
    ),
    bids: fc.array(
      fc.record({
        feeder: fc.constantFrom('f1', 'f2', 'f3', 'f4'),
        energyWh: fc.integer({ min: 1, max: 400 }),
        price: fc.integer({ min: 0, max: 160 })
      }),
      { maxLength: 14 }
    ),
    local: fc.integer({ min: 0, max: 20 }),
    extra: fc.integer({ min: 0, max: 30 })
  })
  .map(d => ({
    asks: d.asks.map((a, i): Order => ({ id: `s${i}`, ...a })),
    bids: d.bids.map((b, i): Order => ({ id: `b${i}`, ...b })),
    fees: { local: d.local, district: d.local + d.extra }
  }))

/** Σ margin × Wh of the relays' pipeline: local matches, real bids served across feeders, then the spare. */
function pipelineWelfare(
  asks: Order[],
  bids: Order[],
  fees: { local: number; district: number }
): { welfare: bigint; residualBids: number } {
  const feeders = [...new Set([...asks, ...bids].map(x => x.feeder))]
  const asOrder = (x: Order): ResidualOrder => ({ trader: x.id, feeder: x.feeder, slot: 0, energyWh: x.energyWh, price: x.price })
  const price = new Map([...asks, ...bids].map(x => [x.id, x.price]))
  let welfare = 0n
  const resAsks: ResidualOrder[] = []
  const resBids: ResidualOrder[] = []
  const matched: ResidualOrder[] = []
  for (const f of feeders) {
    const r = residualOfFeeder(asks.filter(a => a.feeder === f).map(asOrder), bids.filter(b => b.feeder === f).map(asOrder), fees.local)
    resAsks.push(...r.asks)
    resBids.push(...r.bids)
    matched.push(...r.matched)
    // local welfare, counted from the volumes: Σ bought bid value − fee − Σ matched ask
    const fb = bids.filter(b => b.feeder === f)
    const bought = fb.reduce((s, b) => s + b.energyWh, 0) - r.bids.reduce((s, b) => s + b.energyWh, 0)
    let boughtValue = 0n
    let left = bought
    for (const b of [...fb].sort((x, y) => y.price - x.price || (x.id < y.id ? -1 : 1))) {
      const q = Math.min(left, b.energyWh)
      boughtValue += BigInt(q) * BigInt(b.price - fees.local)
      left -= q
    }
    welfare += boughtValue - r.matched.reduce((s, m) => s + BigInt(m.energyWh) * BigInt(m.price), 0n)
  }
  const real = allocateAcrossFeeders(resAsks, resBids, fees.district)
  const used = new Map<string, number>()
  for (const a of real) {
    welfare += BigInt(a.energyWh) * BigInt(price.get(a.buyer)! - fees.district - a.price)
    used.set(a.seller, (used.get(a.seller) ?? 0) + a.energyWh)
  }
  const left = resAsks.map(a => ({ ...a, energyWh: a.energyWh - (used.get(a.trader) ?? 0) }))
  for (const a of spareAcrossFeeders(left, matched, fees))
    welfare += BigInt(a.energyWh) * BigInt(price.get(a.buyer)! + fees.local - fees.district - a.price)
  return { welfare, residualBids: resBids.length }
}

function optimumWelfare(asks: Order[], bids: Order[], fees: { local: number; district: number }): bigint {
  const c = clearWithGrid(bids, asks, { fees })
  const p = new Map([...asks, ...bids].map(x => [x.id, x.price]))
  return c.fills.reduce((s, f) => s + BigInt(f.energyWh) * BigInt(p.get(f.buyer)! - f.fee - p.get(f.seller)!), 0n)
}

describe('the relays pipeline with the spare, against the central optimum', () => {
  it('never beats the optimum on any district', () => {
    fc.assert(
      fc.property(district, ({ asks, bids, fees }) => {
        expect(pipelineWelfare(asks, bids, fees).welfare <= optimumWelfare(asks, bids, fees)).toBe(true)
      }),
      fuzzParams(400)
    )
  })

  it('equals it at midday: every feeder covers its buyers, who value energy above any ask', () => {
    // each feeder's bids take at most its asks' energy, at prices no ask reaches with both fees
    const midday = district.map(({ asks, bids, fees }) => {
      const room = new Map<string, number>()
      for (const a of asks) room.set(a.feeder, (room.get(a.feeder) ?? 0) + a.energyWh)
      const long: Order[] = []
      for (const b of bids) {
        const q = Math.min(b.energyWh, room.get(b.feeder) ?? 0)
        if (q === 0) continue
        room.set(b.feeder, (room.get(b.feeder) ?? 0) - q)
        long.push({ ...b, energyWh: q, price: 200 + b.price })
      }
      return { asks, bids: long, fees }
    })
    fc.assert(
      fc.property(midday, ({ asks, bids, fees }) => {
        const p = pipelineWelfare(asks, bids, fees)
        expect(p.residualBids).toBe(0)
        expect(p.welfare).toBe(optimumWelfare(asks, bids, fees))
      }),
      fuzzParams(400)
    )
  })

  it('without the spare, a long district loses what the optimum imports to spare dear sellers', () => {
    const fees = { local: 10, district: 25 }
    const asks = [
      { id: 'cheap', feeder: 'f1', energyWh: 100, price: 10 },
      { id: 'dear', feeder: 'f2', energyWh: 100, price: 60 }
    ]
    const bids = [{ id: 'b', feeder: 'f2', energyWh: 100, price: 100 }]
    // at home: 100 × (100 − 10 − 60) = 3,000; the optimum buys f1's at 10 + 25: 100 × 65 = 6,500
    expect(optimumWelfare(asks, bids, fees)).toBe(6500n)
    expect(pipelineWelfare(asks, bids, fees).welfare).toBe(6500n)
  })
})
