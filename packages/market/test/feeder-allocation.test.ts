/**
 * The hub's allocation (feeder-allocation.ts): hand-worked cases, then generated ones checked for what
 * every allocation must hold — feasible, priced within the district fee, never inside one feeder, the
 * same whatever order the relays heard the orders in, and maximal: no bid left short while an ask of
 * another feeder that it covers is left over. The checks count from the inputs; they share nothing
 * with the code under test.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { allocateAcrossFeeders, residualOfFeeder, type ResidualOrder } from '../src/index.ts'
import { fuzzParams } from '@kvartal/protocol/testing'

const o = (trader: string, feeder: string, energyWh: number, price: number, slot = 0): ResidualOrder => ({
  trader,
  feeder,
  slot,
  energyWh,
  price
})

describe('residualOfFeeder: what a feeder cannot match inside itself', () => {
  it('the dearest bids take the cheapest asks while they cover the local fee; the rest is left, per slot', () => {
    const r = residualOfFeeder(
      [o('b', 'f', 50, 30), o('a', 'f', 100, 10), o('c', 'f', 40, 5, 1)],
      [o('x', 'f', 120, 45), o('y', 'f', 60, 38), o('z', 'f', 10, 50, 1)],
      10
    )
    // slot 0: x (45) takes a's 100 at 10 and 20 of b's 50 at 30 (45 − 10 ≥ 30); y (38 − 10 = 28) cannot pay b's 30
    expect(r.asks).toEqual([o('b', 'f', 30, 30), o('c', 'f', 30, 5, 1)])
    expect(r.bids).toEqual([o('y', 'f', 60, 38)])
    // what the feeder's own buyers take of each ask, dearest first: energy from elsewhere would spare these
    expect(r.matched).toEqual([o('b', 'f', 20, 30), o('a', 'f', 100, 10), o('c', 'f', 10, 5, 1)])
  })

  it('slots come out in order, whatever order they came in; at one price, by trader', () => {
    const r = residualOfFeeder(
      [o('c', 'f', 40, 5, 3), o('y', 'f', 10, 20), o('x', 'f', 10, 20)],
      [o('z', 'f', 10, 50, 3), o('w', 'f', 15, 40)],
      10
    )
    expect(r.asks).toEqual([o('y', 'f', 5, 20), o('c', 'f', 30, 5, 3)])
    expect(r.bids).toEqual([])
    expect(r.matched).toEqual([o('y', 'f', 5, 20), o('x', 'f', 10, 20), o('c', 'f', 10, 5, 3)])
  })

  it('nothing matches when no bid covers an ask with the fee; no orders, nothing left', () => {
    expect(residualOfFeeder([o('a', 'f', 10, 40)], [o('x', 'f', 10, 49)], 10)).toEqual({
      asks: [o('a', 'f', 10, 40)],
      bids: [o('x', 'f', 10, 49)],
      matched: []
    })
    expect(residualOfFeeder([o('a', 'f', 10, 40)], [o('x', 'f', 10, 50)], 10)).toEqual({
      asks: [],
      bids: [],
      matched: [o('a', 'f', 10, 40)]
    })
    expect(residualOfFeeder([], [], 10)).toEqual({ asks: [], bids: [], matched: [] })
  })
})

describe('allocateAcrossFeeders: the hub', () => {
  it("the dearest bid first takes the cheapest asks of other feeders it covers with the district fee, never its own feeder's", () => {
    const asks = [o('s1', 'f1', 30, 10), o('s2', 'f2', 50, 12), o('s3', 'f3', 100, 40)]
    const bids = [o('b1', 'f1', 60, 30), o('b2', 'f3', 40, 100)]
    expect(allocateAcrossFeeders(asks, bids, 15)).toEqual([
      // b2 (100) first: s1 at 10, then s2 at 12 (s3 is its own feeder's)
      { seller: 's1', sellerFeeder: 'f1', buyer: 'b2', buyerFeeder: 'f3', slot: 0, energyWh: 30, price: 10 },
      { seller: 's2', sellerFeeder: 'f2', buyer: 'b2', buyerFeeder: 'f3', slot: 0, energyWh: 10, price: 12 },
      // b1 (30): s1 is its own feeder's and sold; s2 at 12 + 15 ≤ 30; s3 at 40 + 15 is too dear
      { seller: 's2', sellerFeeder: 'f2', buyer: 'b1', buyerFeeder: 'f1', slot: 0, energyWh: 40, price: 12 }
    ])
  })

  it('at one price, asks and bids go by trader, in whatever order they were heard', () => {
    for (const flip of [false, true]) {
      const order = <T>(l: T[]): T[] => (flip ? [...l].reverse() : l)
      // two asks at 10 and one bid for 15: s1 before s2
      expect(allocateAcrossFeeders(order([o('s2', 'f1', 10, 10), o('s1', 'f2', 10, 10)]), [o('b', 'f3', 15, 100)], 5)).toEqual([
        { seller: 's1', sellerFeeder: 'f2', buyer: 'b', buyerFeeder: 'f3', slot: 0, energyWh: 10, price: 10 },
        { seller: 's2', sellerFeeder: 'f1', buyer: 'b', buyerFeeder: 'f3', slot: 0, energyWh: 5, price: 10 }
      ])
      // two bids at 50 and one ask of 10: b1 before b2
      expect(allocateAcrossFeeders([o('s', 'f1', 10, 10)], order([o('b2', 'f2', 10, 50), o('b1', 'f3', 10, 50)]), 5)).toEqual([
        { seller: 's', sellerFeeder: 'f1', buyer: 'b1', buyerFeeder: 'f3', slot: 0, energyWh: 10, price: 10 }
      ])
      // inside a feeder the same: x's ask before y's, u's bid before v's
      const r = residualOfFeeder(order([o('y', 'f', 10, 20), o('x', 'f', 10, 20)]), order([o('v', 'f', 10, 40), o('u', 'f', 5, 40)]), 10)
      expect([r.asks, r.bids, r.matched]).toEqual([[o('y', 'f', 5, 20)], [], [o('y', 'f', 5, 20), o('x', 'f', 10, 20)]])
      const short = residualOfFeeder([o('x', 'f', 10, 20)], order([o('v', 'f', 10, 40), o('u', 'f', 10, 40)]), 10)
      expect(short.bids).toEqual([o('v', 'f', 10, 40)])
    }
  })

  it('slots are separate markets', () => {
    expect(allocateAcrossFeeders([o('s', 'f1', 10, 0, 3)], [o('b', 'f2', 10, 100, 4)], 1)).toEqual([])
    expect(allocateAcrossFeeders([o('s', 'f1', 10, 0, 4)], [o('b', 'f2', 10, 100, 4)], 1)).toHaveLength(1)
  })
})

const feeder = fc.constantFrom('f1', 'f2', 'f3')
const order = (prefix: string): fc.Arbitrary<ResidualOrder> =>
  fc.record({
    trader: fc.integer({ min: 0, max: 5 }).map(n => `${prefix}${n}`),
    feeder,
    slot: fc.integer({ min: 0, max: 1 }),
    energyWh: fc.integer({ min: 0, max: 500 }),
    price: fc.integer({ min: 0, max: 100 })
  })
// one order per trader and slot, as a digest lists them
const unique = (list: ResidualOrder[]): ResidualOrder[] => [...new Map(list.map(x => [`${x.trader}/${x.slot}`, x])).values()]

describe('allocateAcrossFeeders on generated districts', () => {
  it('is feasible, priced, cross-feeder, order-independent and maximal', () => {
    fc.assert(
      fc.property(
        fc.array(order('s'), { maxLength: 12 }).map(unique),
        fc.array(order('b'), { maxLength: 12 }).map(unique),
        fc.integer({ min: 0, max: 30 }),
        fc.integer(),
        (asks, bids, fee, shuffleSeed) => {
          const out = allocateAcrossFeeders(asks, bids, fee)
          const sold = new Map<string, number>()
          const bought = new Map<string, number>()
          for (const a of out) {
            const ask = asks.find(x => x.trader === a.seller && x.slot === a.slot)!
            const bid = bids.find(x => x.trader === a.buyer && x.slot === a.slot)!
            expect(a.energyWh).toBeGreaterThan(0)
            expect(ask.feeder).not.toBe(bid.feeder)
            expect([a.sellerFeeder, a.buyerFeeder, a.price]).toEqual([ask.feeder, bid.feeder, ask.price])
            expect(ask.price + fee).toBeLessThanOrEqual(bid.price)
            sold.set(`${a.seller}/${a.slot}`, (sold.get(`${a.seller}/${a.slot}`) ?? 0) + a.energyWh)
            bought.set(`${a.buyer}/${a.slot}`, (bought.get(`${a.buyer}/${a.slot}`) ?? 0) + a.energyWh)
          }
          for (const x of asks) expect(sold.get(`${x.trader}/${x.slot}`) ?? 0).toBeLessThanOrEqual(x.energyWh)
          for (const x of bids) expect(bought.get(`${x.trader}/${x.slot}`) ?? 0).toBeLessThanOrEqual(x.energyWh)
          // maximal: a bid left short has no ask of another feeder left over that it covers
          for (const b of bids) {
            if ((bought.get(`${b.trader}/${b.slot}`) ?? 0) >= b.energyWh) continue
            for (const a of asks) {
              if (a.slot !== b.slot || a.feeder === b.feeder || a.price + fee > b.price) continue
              expect(sold.get(`${a.trader}/${a.slot}`) ?? 0, `${b.trader} short while ${a.trader} has energy left`).toBe(a.energyWh)
            }
          }
          // every relay computes the same, whatever order it heard the orders in
          const shuffle = <T>(l: T[]): T[] =>
            l
              .map((x, i) => ({ x, k: (i * 7919 + shuffleSeed) % 104729 }))
              .sort((p, q) => p.k - q.k)
              .map(p => p.x)
          expect(allocateAcrossFeeders(shuffle(asks), shuffle(bids), fee)).toEqual(out)
          // and reversed: orders at one price keep no order of their own, so ties are broken by trader alone
          expect(allocateAcrossFeeders([...asks].reverse(), [...bids].reverse(), fee)).toEqual(out)
        }
      ),
      fuzzParams()
    )
  })
})
