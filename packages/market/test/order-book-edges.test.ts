/**
 * The order book at its edges: the words of its refusals, the order of equal offers, what it learns from a
 * seller of another feeder and for how long, and what pruning leaves.
 */
import { describe, expect, it } from 'vitest'
import { OrderBook } from '../src/order-book.ts'
import type { Announcement, Digest } from '@kvartal/protocol'

const key = (n: number): Uint8Array => new Uint8Array(32).fill(n)
const hex = (n: number): string => n.toString(16).padStart(2, '0').repeat(32)
type Row = [slot: number, energyWh: number, price: number]
const ann = (trader: number, seq: number, side: 'offer' | 'bid', rows: Row[], validUntil = 1_000): Announcement => {
  const orders = rows.map(([slot, energyWh, price]) => ({ slot, energyWh, price }))
  return {
    version: 1,
    district: 'd',
    trader: key(trader),
    seq,
    issuedAt: 0,
    validUntil,
    offers: side === 'offer' ? orders : [],
    bids: side === 'bid' ? orders : [],
    addrs: []
  }
}
const digest = (relay: number, seq: number, entries: Array<[trader: number, ...Row]>, issuedAt = 0, validUntil = 1_000): Digest => ({
  version: 1,
  district: 'd',
  relay: key(relay),
  feeder: 'r',
  seq,
  issuedAt,
  validUntil,
  entries: entries.map(([trader, slot, energyWh, price]) => ({ trader: key(trader), feeder: 'f2', slot, energyWh, price, addrs: [] }))
})
/** what the book shows of one relayed seller's entry: energy, what is gone for good, what is held and until when */
const entry = (
  book: OrderBook,
  trader: number,
  slot: number,
  now: number
): [number, number, number | undefined, number | undefined] | undefined => {
  const o = book.relayedOffers(now, 'f1').find(x => x.trader === hex(trader) && x.slot === slot)
  return o == null ? undefined : [o.energyWh, o.depletedWh, o.heldWh, o.heldUntil]
}

describe('OrderBook: refusals name the trader by its first 8 hex digits', () => {
  it('for announcements', () => {
    const book = new OrderBook()
    book.apply(ann(0xab, 3, 'offer', [[5, 10, 20]]), 'offer', 0)
    expect(() => book.apply(ann(0xab, 2, 'offer', [[5, 10, 20]]), 'offer', 0)).toThrow('seq 2 from abababab is not newer than 3')
    expect(() => book.apply(ann(0xcd, 1, 'offer', [[5, 10, 20]], 10), 'offer', 10)).toThrow('announcement from cdcdcdcd expired at 10')
  })

  it('for digests', () => {
    const book = new OrderBook()
    book.applyDigest(digest(0xab, 3, []), 0)
    expect(() => book.applyDigest(digest(0xab, 3, []), 0)).toThrow('digest seq 3 from abababab is not newer than 3')
    expect(() => book.applyDigest(digest(0xcd, 1, [], 0, 10), 10)).toThrow('digest from cdcdcdcd expired at 10')
  })
})

describe('OrderBook: order of equal offers', () => {
  it('equal prices in trader order, whatever order they were heard in', () => {
    const book = new OrderBook()
    for (const t of [3, 1, 2]) book.apply(ann(t, 1, 'offer', [[5, 10, 20]]), 'offer', 0)
    expect(book.forSlot('offer', 5, 0).map(o => o.trader.slice(0, 2))).toEqual(['01', '02', '03'])
    for (const t of [3, 1, 2]) book.apply(ann(t, 1, 'bid', [[5, 10, 20]]), 'bid', 0)
    expect(book.forSlot('bid', 5, 0).map(o => o.trader.slice(0, 2))).toEqual(['01', '02', '03'])
  })

  it("one trader's two orders of a slot at one price keep their announced order", () => {
    const book = new OrderBook()
    book.apply(
      ann(1, 1, 'offer', [
        [5, 10, 20],
        [5, 30, 20]
      ]),
      'offer',
      0
    )
    book.apply(
      ann(1, 1, 'bid', [
        [5, 10, 20],
        [5, 30, 20]
      ]),
      'bid',
      0
    )
    expect(book.forSlot('offer', 5, 0).map(o => o.energyWh)).toEqual([10, 30])
    expect(book.forSlot('bid', 5, 0).map(o => o.energyWh)).toEqual([10, 30])
  })

  it('of two digests issued at the same time, the one heard first lists the seller', () => {
    const book = new OrderBook()
    book.applyDigest(digest(0xa1, 1, [[1, 5, 100, 20]], 50), 0)
    book.applyDigest(digest(0xa2, 1, [[1, 5, 60, 25]], 50), 0)
    expect(book.forSlot('offer', 5, 0).map(o => [o.energyWh, o.price])).toEqual([[100, 20]])
  })
})

describe('OrderBook: what a seller of another feeder said', () => {
  it("touches only that seller's entries of that slot, and only its offers", () => {
    const book = new OrderBook()
    book.applyDigest(
      digest(0xa1, 1, [
        [1, 5, 100, 20],
        [1, 6, 100, 20],
        [2, 5, 100, 20]
      ]),
      0
    )
    book.markAvailable('offer', hex(1), 5, 40)
    expect([entry(book, 1, 5, 0), entry(book, 1, 6, 0), entry(book, 2, 5, 0)]).toEqual([
      [100, 60, undefined, undefined],
      [100, 0, undefined, undefined],
      [100, 0, undefined, undefined]
    ])
    book.markAvailable('bid', hex(2), 5, 0)
    expect(entry(book, 2, 5, 0)).toEqual([100, 0, undefined, undefined])
  })

  it('is remembered for the digests to come: the least it said it had for good', () => {
    const book = new OrderBook()
    book.applyDigest(digest(0xa1, 1, [[1, 5, 100, 20]]), 0)
    book.markAvailable('offer', hex(1), 5, 50)
    book.markAvailable('offer', hex(1), 5, 20)
    book.markAvailable('offer', hex(1), 5, 70)
    book.applyDigest(digest(0xa1, 2, [[1, 5, 100, 20]]), 0)
    expect(entry(book, 1, 5, 0)).toEqual([100, 80, undefined, undefined])
  })

  it('a later hold replaces an earlier one', () => {
    const book = new OrderBook()
    book.applyDigest(digest(0xa1, 1, [[1, 5, 100, 20]]), 0)
    book.markAvailable('offer', hex(1), 5, 50, 10)
    book.markAvailable('offer', hex(1), 5, 30, 20)
    book.applyDigest(digest(0xa1, 2, [[1, 5, 100, 20]]), 0)
    expect(entry(book, 1, 5, 0)).toEqual([100, 0, 70, 20])
    expect(book.forSlot('offer', 5, 15).map(o => o.energyWh - o.depletedWh - (o.heldWh ?? 0))).toEqual([30])
  })

  it('is not remembered for a seller no digest lists yet, nor for one heard directly', () => {
    const book = new OrderBook()
    book.markAvailable('offer', hex(1), 5, 0)
    book.apply(ann(2, 1, 'offer', [[5, 100, 20]]), 'offer', 0)
    book.applyDigest(digest(0xa1, 1, [[2, 5, 100, 20]]), 0)
    book.markAvailable('offer', hex(2), 5, 0)
    book.applyDigest(
      digest(0xa1, 2, [
        [1, 5, 100, 20],
        [2, 5, 100, 20]
      ]),
      0
    )
    expect(entry(book, 1, 5, 0)).toEqual([100, 0, undefined, undefined])
    expect(entry(book, 2, 5, 0)).toEqual([100, 0, undefined, undefined])
  })
})

describe('OrderBook: prune', () => {
  it('empties the announcements and digests that expired by then, at their last instant too, and keeps the rest', () => {
    const book = new OrderBook()
    book.apply(ann(1, 1, 'offer', [[5, 10, 20]], 10), 'offer', 0)
    book.apply(ann(2, 1, 'offer', [[5, 10, 20]], 20), 'offer', 0)
    book.apply(ann(3, 1, 'bid', [[5, 10, 20]], 10), 'bid', 0)
    book.apply(ann(4, 1, 'bid', [[5, 10, 20]], 20), 'bid', 0)
    book.apply(
      ann(
        7,
        1,
        'offer',
        [
          [5, 10, 20],
          [6, 10, 20]
        ],
        30
      ),
      'offer',
      0
    )
    book.applyDigest(digest(0xa1, 1, [[5, 5, 100, 20]], 0, 10), 0)
    book.applyDigest(digest(0xa2, 1, [[6, 5, 100, 20]], 0, 20), 0)
    book.prune(10)
    expect(book.size).toEqual({ offers: 3, bids: 1 })
    expect(book.relayedOffers(9, 'f1').map(o => o.trader.slice(0, 2))).toEqual(['06'])
    expect(book.addrsOf(hex(5))).toEqual([])
  })
})
