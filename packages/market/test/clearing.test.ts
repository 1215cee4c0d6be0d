import { seededRandom } from '@kvartal/protocol'
import { describe, expect, it } from 'vitest'
import { clearDoubleAuction, clearSlots, welfareOf, type Ask, type BidOrder, type Clearing } from '../src/clearing.ts'

const M = 1_000_000 // nanos per kWh per "dollar" of the textbook schedules

function expectIntegers(c: Clearing): void {
  expect(Number.isSafeInteger(c.tradedWh)).toBe(true)
  expect(Number.isSafeInteger(c.welfareNanos)).toBe(true)
  if (c.price !== undefined) expect(Number.isSafeInteger(c.price)).toBe(true)
  for (const f of c.fills) {
    expect(Number.isSafeInteger(f.energyWh)).toBe(true)
    expect(f.energyWh).toBeGreaterThan(0)
    expect(Number.isSafeInteger(f.price)).toBe(true)
  }
}

describe('clearDoubleAuction', () => {
  it('reproduces a Smith (1962) style schedule: equilibrium quantity and price', () => {
    // ten buyers of 1 kWh valuing it 20, 18, …, 2; ten sellers of 1 kWh at costs 2, 4, …, 20.
    // Demand and supply cross between the 5th and 6th unit: Q* = 5 kWh, any p in [10, 12] clears
    // (at p = 11 five buyers want to buy and five sellers want to sell); the marginal pair is (12, 10).
    const bids: BidOrder[] = Array.from({ length: 10 }, (_, k) => ({ id: `b${k}`, energyWh: 1000, price: (20 - 2 * k) * M }))
    const asks: Ask[] = Array.from({ length: 10 }, (_, k) => ({ id: `s${k}`, energyWh: 1000, price: (2 + 2 * k) * M }))
    const c = clearDoubleAuction(bids, asks)
    expect(c.tradedWh).toBe(5000)
    expect(c.price).toBe(11 * M)
    // surplus (20−2) + (18−4) + (16−6) + (14−8) + (12−10) = 50 per kWh
    expect(c.welfareNanos).toBe(50 * M)
    expect(c.fills).toEqual([
      { buyer: 'b0', seller: 's0', energyWh: 1000, price: 11 * M },
      { buyer: 'b1', seller: 's1', energyWh: 1000, price: 11 * M },
      { buyer: 'b2', seller: 's2', energyWh: 1000, price: 11 * M },
      { buyer: 'b3', seller: 's3', energyWh: 1000, price: 11 * M },
      { buyer: 'b4', seller: 's4', energyWh: 1000, price: 11 * M }
    ])
    expectIntegers(c)

    // the same schedule with each pair pricing on its own splits every pair's surplus
    const mid = clearDoubleAuction(bids, asks, { pricing: 'midpoint' })
    expect(mid.fills.map(f => f.price)).toEqual([11 * M, 11 * M, 11 * M, 11 * M, 11 * M])
    expect(mid.welfareNanos).toBe(c.welfareNanos)
  })

  it('reproduces the unit schedule 10, 9, … against 1, 2, … (quantity 5, price floored)', () => {
    const bids: BidOrder[] = Array.from({ length: 10 }, (_, k) => ({ id: `b${k}`, energyWh: 10, price: 10 - k }))
    const asks: Ask[] = Array.from({ length: 10 }, (_, k) => ({ id: `s${k}`, energyWh: 10, price: 1 + k }))
    const c = clearDoubleAuction(bids, asks)
    expect(c.tradedWh).toBe(50)
    expect(c.price).toBe(5) // floor((6 + 5) / 2)
    // Σ (9 + 7 + 5 + 3 + 1) × 10 Wh / 1000 = 0.25 nanos → rounds to 0
    expect(c.welfareNanos).toBe(0)
    const mid = clearDoubleAuction(bids, asks, { pricing: 'midpoint' })
    expect(mid.fills.map(f => f.price)).toEqual([5, 5, 5, 5, 5])
    expectIntegers(c)
  })

  it('does not trade when the highest bid is below the lowest ask', () => {
    const c = clearDoubleAuction(
      [
        { id: 'b1', energyWh: 500, price: 99 },
        { id: 'b2', energyWh: 500, price: 50 }
      ],
      [
        { id: 's1', energyWh: 500, price: 100 },
        { id: 's2', energyWh: 500, price: 300 }
      ]
    )
    expect(c).toEqual({ fills: [], tradedWh: 0, price: undefined, welfareNanos: 0 })
    expect(clearDoubleAuction([], [])).toEqual({ fills: [], tradedWh: 0, price: undefined, welfareNanos: 0 })
    expect(clearDoubleAuction([{ id: 'b', energyWh: 1, price: 1 }], []).tradedWh).toBe(0)
  })

  it('trades at zero surplus when bid equals ask', () => {
    const c = clearDoubleAuction([{ id: 'b', energyWh: 700, price: 200_000 }], [{ id: 's', energyWh: 900, price: 200_000 }])
    expect(c.fills).toEqual([{ buyer: 'b', seller: 's', energyWh: 700, price: 200_000 }])
    expect(c.welfareNanos).toBe(0)
  })

  it('fills partially across several orders', () => {
    // one big buyer against small sellers, then a second buyer takes what is left of the cheap supply
    const bids: BidOrder[] = [
      { id: 'big', energyWh: 2500, price: 300_000 },
      { id: 'small', energyWh: 1000, price: 150_000 }
    ]
    const asks: Ask[] = [
      { id: 'pv1', energyWh: 1200, price: 50_000 },
      { id: 'pv2', energyWh: 1200, price: 80_000 },
      { id: 'bat', energyWh: 1000, price: 120_000 },
      { id: 'gen', energyWh: 1000, price: 200_000 }
    ]
    const c = clearDoubleAuction(bids, asks)
    expect(c.fills.map(({ buyer, seller, energyWh }) => ({ buyer, seller, energyWh }))).toEqual([
      { buyer: 'big', seller: 'pv1', energyWh: 1200 },
      { buyer: 'big', seller: 'pv2', energyWh: 1200 },
      { buyer: 'big', seller: 'bat', energyWh: 100 },
      { buyer: 'small', seller: 'bat', energyWh: 900 }
    ])
    expect(c.tradedWh).toBe(3400)
    // marginal pair (small 150 000, bat 120 000)
    expect(c.price).toBe(135_000)
    expect(c.fills.every(f => f.price === 135_000)).toBe(true)
    // 250 000 × 1.2 + 220 000 × 1.2 + 180 000 × 0.1 + 30 000 × 0.9
    expect(c.welfareNanos).toBe(300_000 + 264_000 + 18_000 + 27_000)

    const mid = clearDoubleAuction(bids, asks, { pricing: 'midpoint' })
    expect(mid.fills.map(f => f.price)).toEqual([175_000, 190_000, 210_000, 135_000])
    expect(mid.price).toBe(135_000)
    expect(mid.welfareNanos).toBe(c.welfareNanos)
    expectIntegers(c)
    expectIntegers(mid)
  })

  it('breaks price ties by id, whatever the input order', () => {
    const bids: BidOrder[] = [
      { id: 'carol', energyWh: 300, price: 100 },
      { id: 'alice', energyWh: 300, price: 100 },
      { id: 'bob', energyWh: 300, price: 100 }
    ]
    const asks: Ask[] = [
      { id: 'y', energyWh: 250, price: 40 },
      { id: 'x', energyWh: 250, price: 40 },
      { id: 'z', energyWh: 250, price: 90 }
    ]
    const expected = [
      { buyer: 'alice', seller: 'x', energyWh: 250, price: 95 },
      { buyer: 'alice', seller: 'y', energyWh: 50, price: 95 },
      { buyer: 'bob', seller: 'y', energyWh: 200, price: 95 },
      { buyer: 'bob', seller: 'z', energyWh: 100, price: 95 },
      { buyer: 'carol', seller: 'z', energyWh: 150, price: 95 }
    ]
    for (const b of permutations(bids)) {
      for (const a of permutations(asks)) {
        expect(clearDoubleAuction(b, a).fills).toEqual(expected)
      }
    }
  })

  it('floors midpoints, also for negative prices', () => {
    expect(clearDoubleAuction([{ id: 'b', energyWh: 1, price: 4 }], [{ id: 's', energyWh: 1, price: 1 }]).price).toBe(2)
    expect(clearDoubleAuction([{ id: 'b', energyWh: 1, price: 0 }], [{ id: 's', energyWh: 1, price: -3 }]).price).toBe(-2)
    const big = Number.MAX_SAFE_INTEGER
    expect(clearDoubleAuction([{ id: 'b', energyWh: 1, price: big }], [{ id: 's', energyWh: 1, price: big - 2 }]).price).toBe(big - 1)
  })

  it('rounds welfare half up once, at the end', () => {
    // 3 fills of 1 Wh at surplus 500 nanos/kWh: 1.5 nanos → 2 (rounding each fill would give 3)
    const c = clearDoubleAuction(
      [
        { id: 'b1', energyWh: 1, price: 1500 },
        { id: 'b2', energyWh: 1, price: 1500 },
        { id: 'b3', energyWh: 1, price: 1500 }
      ],
      [{ id: 's', energyWh: 3, price: 1000 }]
    )
    expect(c.welfareNanos).toBe(2)
    expect(clearDoubleAuction([{ id: 'b', energyWh: 1, price: 1499 }], [{ id: 's', energyWh: 1, price: 1000 }]).welfareNanos).toBe(0)
    expect(clearDoubleAuction([{ id: 'b', energyWh: 1, price: 1500 }], [{ id: 's', energyWh: 1, price: 1000 }]).welfareNanos).toBe(1)
  })

  it('rejects bad quantities and prices with a RangeError naming the order', () => {
    const ok: Ask = { id: 'ok', energyWh: 1, price: 1 }
    const cases: Array<[BidOrder[], Ask[], string]> = [
      [[{ id: 'zero', energyWh: 0, price: 1 }], [ok], 'zero'],
      [[{ id: 'neg', energyWh: -5, price: 1 }], [ok], 'neg'],
      [[{ id: 'frac', energyWh: 1.5, price: 1 }], [ok], 'frac'],
      [[{ id: 'nan', energyWh: Number.NaN, price: 1 }], [ok], 'nan'],
      [[{ id: 'fprice', energyWh: 1, price: 0.1 }], [ok], 'fprice'],
      [[{ id: 'inf', energyWh: 1, price: Number.POSITIVE_INFINITY }], [ok], 'inf'],
      [[], [{ id: 'azero', energyWh: 0, price: 1 }], 'azero'],
      [[], [{ id: 'afrac', energyWh: 2, price: 2.5 }], 'afrac'],
      [[], [{ id: 'huge', energyWh: 2 ** 60, price: 1 }], 'huge'],
      [[], [ok, ok], 'ok']
    ]
    for (const [bids, asks, id] of cases) {
      expect(() => clearDoubleAuction(bids, asks)).toThrow(RangeError)
      expect(() => clearDoubleAuction(bids, asks)).toThrow(`"${id}"`)
    }
    expect(() => clearDoubleAuction([], [], { pricing: 'vickrey' as 'uniform' })).toThrow(RangeError)
  })

  it('matches a brute-force optimum on 200 random small instances', () => {
    const rand = mulberry32(0x6b76)
    const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1))
    let traded = 0
    for (let n = 0; n < 200; n++) {
      // prices on a coarse grid around a shared centre so that many instances cross, with ties and odd values
      const price = (): number => int(0, 12) * int(1, 2) * 250 + (rand() < 0.3 ? int(0, 999) : 0)
      const bids: BidOrder[] = Array.from({ length: int(1, 4) }, (_, k) => ({ id: `b${k}`, energyWh: int(1, 5), price: price() }))
      const asks: Ask[] = Array.from({ length: int(1, 4) }, (_, k) => ({ id: `a${k}`, energyWh: int(1, 5), price: price() }))
      const best = bruteForceSurplus(bids, asks)
      for (const pricing of ['uniform', 'midpoint'] as const) {
        const c = clearDoubleAuction(bids, asks, { pricing })
        expectIntegers(c)
        const bidOf = new Map(bids.map(b => [b.id, b]))
        const askOf = new Map(asks.map(a => [a.id, a]))
        const bought = new Map<string, number>()
        const sold = new Map<string, number>()
        let surplus = 0
        let volume = 0
        for (const f of c.fills) {
          const b = bidOf.get(f.buyer)
          const a = askOf.get(f.seller)
          if (b === undefined || a === undefined) throw new Error(`fill names an unknown order: ${JSON.stringify(f)}`)
          // individually rational: nobody pays above its cap or sells below its floor
          expect(f.price).toBeLessThanOrEqual(b.price)
          expect(f.price).toBeGreaterThanOrEqual(a.price)
          if (pricing === 'uniform') expect(f.price).toBe(c.price)
          bought.set(b.id, (bought.get(b.id) ?? 0) + f.energyWh)
          sold.set(a.id, (sold.get(a.id) ?? 0) + f.energyWh)
          surplus += (b.price - a.price) * f.energyWh
          volume += f.energyWh
        }
        for (const b of bids) expect(bought.get(b.id) ?? 0).toBeLessThanOrEqual(b.energyWh)
        for (const a of asks) expect(sold.get(a.id) ?? 0).toBeLessThanOrEqual(a.energyWh)
        expect(c.tradedWh).toBe(volume)
        expect(c.price === undefined).toBe(c.fills.length === 0)
        // exact (unrounded) surplus equals the optimum over all integer allocations
        expect(surplus).toBe(best)
        expect(c.welfareNanos).toBe(Math.floor((best + 500) / 1000))
        expect(
          welfareOf(
            c.fills.map(f => ({ buyerValue: bidOf.get(f.buyer)!.price, sellerCost: askOf.get(f.seller)!.price, energyWh: f.energyWh }))
          )
        ).toBe(c.welfareNanos)
        if (pricing === 'uniform') traded += c.tradedWh
      }
    }
    expect(traded).toBeGreaterThan(0) // the generator does produce crossing books
  })
})

describe('welfareOf', () => {
  it('sums gains from trade exactly and rounds half up at the end', () => {
    expect(welfareOf([])).toBe(0)
    expect(welfareOf([{ buyerValue: 300_000, sellerCost: 100_000, energyWh: 1500 }])).toBe(300_000)
    expect(
      welfareOf([
        { buyerValue: 1500, sellerCost: 1000, energyWh: 1 },
        { buyerValue: 1000, sellerCost: 0, energyWh: 1 }
      ])
    ).toBe(2) // 1.5 → 2
    // a trade below cost destroys welfare; −1.5 rounds half up to −1
    expect(welfareOf([{ buyerValue: 0, sellerCost: 1500, energyWh: 1 }])).toBe(-1)
    expect(welfareOf([{ buyerValue: 0, sellerCost: 1501, energyWh: 1 }])).toBe(-2)
  })

  it('is exact beyond double precision in the intermediate sum', () => {
    // (2^53 − 1) × 3 overflows a double's integers; the bigint sum does not
    const max = Number.MAX_SAFE_INTEGER
    expect(welfareOf([{ buyerValue: max, sellerCost: 0, energyWh: 3 }])).toBe(Number((BigInt(max) * 3n + 500n) / 1000n))
  })

  it('rejects non-integers', () => {
    expect(() => welfareOf([{ buyerValue: 1.5, sellerCost: 0, energyWh: 1 }])).toThrow(RangeError)
    expect(() => welfareOf([{ buyerValue: 1, sellerCost: 0, energyWh: 0.5 }])).toThrow(RangeError)
  })
})

describe('clearSlots', () => {
  it('clears each slot on its own and adds up the totals', () => {
    const orders = new Map<number, { bids: BidOrder[]; asks: Ask[] }>([
      [7, { bids: [{ id: 'b', energyWh: 1000, price: 300_000 }], asks: [{ id: 's', energyWh: 400, price: 100_000 }] }],
      [3, { bids: [{ id: 'b', energyWh: 1000, price: 300_000 }], asks: [{ id: 's', energyWh: 2000, price: 200_000 }] }],
      [5, { bids: [{ id: 'b', energyWh: 1000, price: 100_000 }], asks: [{ id: 's', energyWh: 2000, price: 200_000 }] }]
    ])
    const r = clearSlots(orders)
    expect([...r.perSlot.keys()]).toEqual([3, 5, 7])
    expect(r.perSlot.get(3)).toEqual(clearDoubleAuction(orders.get(3)!.bids, orders.get(3)!.asks))
    expect(r.perSlot.get(5)!.tradedWh).toBe(0)
    expect(r.perSlot.get(7)!.tradedWh).toBe(400)
    expect(r.tradedWh).toBe(1400)
    expect(r.welfareNanos).toBe(100_000 + 80_000)
    expect(clearSlots(new Map())).toEqual({ perSlot: new Map(), tradedWh: 0, welfareNanos: 0 })
  })

  it('names the slot and the order when an order is invalid', () => {
    const orders = new Map([[42, { bids: [{ id: 'bad', energyWh: -1, price: 1 }], asks: [] }]])
    expect(() => clearSlots(orders)).toThrow(RangeError)
    expect(() => clearSlots(orders)).toThrow(/slot 42: bid "bad"/)
  })
})

/**
 * Maximum of Σ (b_i − a_j) x_ij over EVERY integer allocation x (not only profitable ones): for each
 * bid in turn, enumerate every split of 0..q_i Wh over the asks' remaining capacities; memoised on
 * (bid index, remaining capacities), which is still an exhaustive search of the allocation space.
 */
function bruteForceSurplus(bids: readonly BidOrder[], asks: readonly Ask[]): number {
  const memo = new Map<string, number>()
  const go = (i: number, left: number[]): number => {
    if (i === bids.length) return 0
    const key = `${i}|${left.join(',')}`
    const hit = memo.get(key)
    if (hit !== undefined) return hit
    let best = Number.NEGATIVE_INFINITY
    const split = (j: number, budget: number, gain: number): void => {
      if (j === asks.length) {
        best = Math.max(best, gain + go(i + 1, left))
        return
      }
      const max = Math.min(budget, left[j])
      for (let x = 0; x <= max; x++) {
        left[j] -= x
        split(j + 1, budget - x, gain + (bids[i].price - asks[j].price) * x)
        left[j] += x
      }
    }
    split(0, bids[i].energyWh, 0)
    memo.set(key, best)
    return best
  }
  return go(
    0,
    asks.map(a => a.energyWh)
  )
}

/** the project's seeded PRNG, so the property test is reproducible */
const mulberry32 = seededRandom

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]]
  return xs.flatMap((x, k) => permutations([...xs.slice(0, k), ...xs.slice(k + 1)]).map(rest => [x, ...rest]))
}
