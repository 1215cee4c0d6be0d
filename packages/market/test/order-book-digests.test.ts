/**
 * The order book beyond one feeder's offers: bids, ties, relays' digests of other feeders' offers, and the views
 * a relay and a buyer take of the book. Expected orders are written out by hand.
 */
import { describe, expect, it } from 'vitest'
import { OrderBook } from '../src/index.ts'
import type { Announcement, Digest } from '@kvartal/protocol'

const key = (n: number): Uint8Array => new Uint8Array(32).fill(n)
const hex = (n: number): string => n.toString(16).padStart(2, '0').repeat(32)
const addr = (n: number): Uint8Array => new Uint8Array([4, 10, 0, 0, n])
type Row = [slot: number, energyWh: number, price: number]
const ann = (trader: number, seq: number, side: 'offer' | 'bid', rows: Row[], validUntil = 1_000, feeder?: string): Announcement => {
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
    addrs: [addr(trader)],
    ...(feeder != null ? { feeder } : {})
  }
}
const digest = (
  relay: number,
  seq: number,
  entries: Array<[trader: number, feeder: string, ...Row]>,
  issuedAt = 0,
  validUntil = 1_000,
  relayFeeder = 'r'
): Digest => ({
  version: 1,
  district: 'd',
  relay: key(relay),
  feeder: relayFeeder,
  seq,
  issuedAt,
  validUntil,
  entries: entries.map(([trader, feeder, slot, energyWh, price]) => ({
    trader: key(trader),
    feeder,
    slot,
    energyWh,
    price,
    addrs: [addr(100 + trader)]
  }))
})
const view = (entries: Array<{ trader: string; price: number; energyWh: number }>): Array<[string, number, number]> =>
  entries.map(e => [e.trader.slice(0, 2), e.price, e.energyWh])

describe('bids and ties', () => {
  it('bids come dearest first; equal prices in trader order, on both sides', () => {
    const book = new OrderBook()
    book.apply(ann(3, 1, 'bid', [[5, 10, 20]]), 'bid', 0)
    book.apply(ann(2, 1, 'bid', [[5, 10, 40]]), 'bid', 0)
    book.apply(ann(1, 1, 'bid', [[5, 10, 20]]), 'bid', 0)
    expect(view(book.forSlot('bid', 5, 0))).toEqual([
      ['02', 40, 10],
      ['01', 20, 10],
      ['03', 20, 10]
    ])
    book.apply(ann(4, 1, 'offer', [[5, 10, 20]]), 'offer', 0)
    book.apply(ann(3, 1, 'offer', [[5, 10, 20]]), 'offer', 0)
    expect(view(book.forSlot('offer', 5, 0))).toEqual([
      ['03', 20, 10],
      ['04', 20, 10]
    ])
  })

  it('a side is a book of its own: a bid does not replace an offer, and each side has its own sequence', () => {
    const book = new OrderBook()
    book.apply(ann(1, 5, 'offer', [[5, 10, 20]]), 'offer', 0)
    book.apply(ann(1, 1, 'bid', [[6, 3, 9]]), 'bid', 0)
    expect(book.lastSeq('offer', hex(1))).toBe(5)
    expect(book.lastSeq('bid', hex(1))).toBe(1)
    expect(book.lastSeq('bid', hex(2))).toBe(0)
    expect(book.size).toEqual({ offers: 1, bids: 1 })
    expect(book.traders()).toEqual([hex(1)])
    expect(view(book.forSlot('bid', 6, 0))).toEqual([['01', 9, 3]])
    expect(book.forSlot('offer', 6, 0)).toEqual([])
  })

  it('an order held in part is still offered; held in full it is not; an entry for another slot never shows', () => {
    const book = new OrderBook()
    book.apply(
      ann(1, 1, 'offer', [
        [5, 100, 20],
        [6, 100, 20]
      ]),
      'offer',
      0
    )
    book.markAvailable('offer', hex(1), 5, 1, 50)
    expect(book.forSlot('offer', 5, 10)).toHaveLength(1)
    book.markAvailable('offer', hex(1), 5, 0, 50)
    expect(book.forSlot('offer', 5, 10)).toHaveLength(0)
    expect(book.forSlot('offer', 6, 10)).toHaveLength(1)
    // depleted first, then a hold on what is left: the hold counts only what was not gone already
    book.markAvailable('offer', hex(1), 6, 60)
    book.markAvailable('offer', hex(1), 6, 10, 50)
    const [o] = book.forSlot('offer', 6, 50)
    expect([o.depletedWh, o.heldWh, o.heldUntil]).toEqual([40, 50, 50])
    // a negative "left" is nothing left
    book.markAvailable('offer', hex(1), 6, -5)
    expect(book.forSlot('offer', 6, 60)).toHaveLength(0)
  })

  it('keeps the addresses and the feeder an announcement gave', () => {
    const book = new OrderBook()
    book.apply(ann(1, 1, 'offer', [[5, 10, 20]], 1_000, 'f2'), 'offer', 0)
    book.apply(ann(2, 1, 'bid', [[5, 10, 20]]), 'bid', 0)
    expect(book.addrsOf(hex(1))).toEqual([addr(1)])
    expect(book.addrsOf(hex(2))).toEqual([addr(2)])
    expect(book.addrsOf(hex(9))).toEqual([])
    expect(book.forSlot('offer', 5, 0)[0].feeder).toBe('f2')
    expect(book.forSlot('bid', 5, 0)[0].feeder).toBe('')
  })
})

describe('digests from relays', () => {
  it("show other feeders' offers, relayed, among the direct ones by price; never this node's own", () => {
    const book = new OrderBook(hex(9))
    book.apply(ann(1, 1, 'offer', [[5, 10, 30]]), 'offer', 0)
    book.applyDigest(
      digest(50, 1, [
        [2, 'g', 5, 20, 25],
        [9, 'g', 5, 20, 1],
        [3, 'h', 6, 5, 5]
      ]),
      0
    )
    const got = book.forSlot('offer', 5, 0)
    expect(view(got)).toEqual([
      ['02', 25, 20],
      ['01', 30, 10]
    ])
    expect(got[0]).toMatchObject({ relayed: true, feeder: 'g', seq: 1, validUntil: 1_000, depletedWh: 0 })
    expect(book.addrsOf(hex(2))).toEqual([addr(102)])
    expect(book.addrsOf(hex(9))).toEqual([])
    // relayed offers are offers: there are no relayed bids
    expect(book.forSlot('bid', 5, 0)).toEqual([])
  })

  it("a seller heard directly is never also shown from a digest; of two digests the fresher one's entry wins", () => {
    const book = new OrderBook()
    book.applyDigest(digest(50, 1, [[2, 'g', 5, 20, 25]], 100), 0)
    book.applyDigest(digest(51, 1, [[2, 'g', 5, 15, 26]], 200), 0)
    book.applyDigest(digest(52, 1, [[2, 'g', 5, 11, 27]], 150), 0)
    expect(view(book.forSlot('offer', 5, 0))).toEqual([['02', 26, 15]])
    book.apply(ann(2, 1, 'offer', [[5, 3, 40]]), 'offer', 0)
    expect(view(book.forSlot('offer', 5, 0))).toEqual([['02', 40, 3]])
    expect(book.addrsOf(hex(2))).toEqual([addr(2)])
  })

  it('refuse a replayed or expired digest and keep the book as it was', () => {
    const book = new OrderBook()
    book.applyDigest(digest(50, 2, [[2, 'g', 5, 20, 25]]), 0)
    expect(() => book.applyDigest(digest(50, 2, [[3, 'g', 5, 1, 1]]), 0)).toThrow(expect.objectContaining({ name: 'ReplayedMessageError' }))
    expect(() => book.applyDigest(digest(50, 1, [[3, 'g', 5, 1, 1]]), 0)).toThrow(expect.objectContaining({ name: 'ReplayedMessageError' }))
    expect(() => book.applyDigest(digest(51, 1, [[3, 'g', 5, 1, 1]], 0, 10), 10)).toThrow(
      expect.objectContaining({ name: 'ExpiredMessageError' })
    )
    expect(view(book.forSlot('offer', 5, 0))).toEqual([['02', 25, 20]])
    book.applyDigest(digest(50, 3, [[3, 'g', 5, 1, 1]]), 0)
    expect(view(book.forSlot('offer', 5, 0))).toEqual([['03', 1, 1]])
  })

  it("an expired digest's offers drop out, and pruning forgets its addresses but not its sequence", () => {
    const book = new OrderBook()
    book.applyDigest(digest(50, 1, [[2, 'g', 5, 20, 25]], 0, 10), 0)
    expect(book.forSlot('offer', 5, 9)).toHaveLength(1)
    expect(book.forSlot('offer', 5, 10)).toHaveLength(0)
    expect(book.relayedOffers(10, 'x')).toEqual([])
    book.prune(10)
    expect(book.addrsOf(hex(2))).toEqual([])
    expect(() => book.applyDigest(digest(50, 1, [[2, 'g', 5, 20, 25]], 0, 100), 10)).toThrow(
      expect.objectContaining({ name: 'ReplayedMessageError' })
    )
  })

  it('what a seller said it has left applies to its relayed offers too', () => {
    const book = new OrderBook()
    book.applyDigest(digest(50, 1, [[2, 'g', 5, 20, 25]]), 0)
    book.markAvailable('offer', hex(2), 5, 5)
    expect(book.forSlot('offer', 5, 0)[0].depletedWh).toBe(15)
    book.markAvailable('offer', hex(2), 5, 0)
    expect(book.forSlot('offer', 5, 0)).toEqual([])
  })
})

describe('what sellers of other feeders said, across digests', () => {
  it('a relayed seller that said it sold out stays sold out for that slot in every later digest, from either relay', () => {
    const book = new OrderBook()
    book.applyDigest(
      digest(50, 1, [
        [2, 'g', 5, 20, 25],
        [2, 'g', 6, 20, 25],
        [3, 'g', 5, 8, 30]
      ]),
      0
    )
    book.markAvailable('offer', hex(2), 5, 0)
    // the same relay's next digest, and the feeder's other relay, still list it: their lists are older than the reply
    book.applyDigest(
      digest(
        50,
        2,
        [
          [2, 'g', 5, 20, 25],
          [2, 'g', 6, 20, 25],
          [3, 'g', 5, 8, 30]
        ],
        10
      ),
      10
    )
    book.applyDigest(digest(51, 1, [[2, 'g', 5, 18, 24]], 11), 11)
    expect(view(book.forSlot('offer', 5, 12))).toEqual([['03', 30, 8]])
    // another slot of the same seller, and another seller, are untouched
    expect(view(book.forSlot('offer', 6, 12))).toEqual([['02', 25, 20]])
    // what it said it has left caps what a later digest lists, never raises it
    book.markAvailable('offer', hex(3), 5, 5)
    book.markAvailable('offer', hex(3), 5, 6)
    book.applyDigest(digest(50, 3, [[3, 'g', 5, 8, 30]], 20), 20)
    expect(book.forSlot('offer', 5, 20).map(o => o.energyWh - o.depletedWh)).toEqual([5])
  })

  it('a hold comes back after its time in a later digest; a sale for good is not undone by a later hold', () => {
    const book = new OrderBook()
    book.applyDigest(
      digest(50, 1, [
        [2, 'g', 5, 20, 25],
        [3, 'g', 5, 20, 26]
      ]),
      0
    )
    book.markAvailable('offer', hex(2), 5, 0, 50)
    book.markAvailable('offer', hex(3), 5, 0)
    book.markAvailable('offer', hex(3), 5, 0, 50)
    book.applyDigest(
      digest(
        50,
        2,
        [
          [2, 'g', 5, 20, 25],
          [3, 'g', 5, 20, 26]
        ],
        10
      ),
      10
    )
    expect(book.forSlot('offer', 5, 49)).toEqual([])
    expect(view(book.forSlot('offer', 5, 50))).toEqual([['02', 25, 20]])
  })

  it('a seller heard directly speaks for itself: its next announcement counts, not what it said before', () => {
    const book = new OrderBook()
    book.apply(ann(2, 1, 'offer', [[5, 20, 25]]), 'offer', 0)
    book.applyDigest(digest(50, 1, [[2, 'g', 5, 20, 25]]), 0)
    book.markAvailable('offer', hex(2), 5, 0)
    book.apply(ann(2, 2, 'offer', [[5, 12, 25]]), 'offer', 1)
    expect(view(book.forSlot('offer', 5, 1))).toEqual([['02', 25, 12]])
  })

  it('forgets what was said of slots that closed', () => {
    const book = new OrderBook()
    book.applyDigest(
      digest(50, 1, [
        [2, 'g', 5, 20, 25],
        [2, 'g', 6, 20, 25]
      ]),
      0
    )
    book.markAvailable('offer', hex(2), 5, 0)
    book.markAvailable('offer', hex(2), 6, 0)
    book.forgetBefore(6)
    book.applyDigest(
      digest(
        50,
        2,
        [
          [2, 'g', 5, 20, 25],
          [2, 'g', 6, 20, 25]
        ],
        10
      ),
      10
    )
    expect(view(book.forSlot('offer', 5, 10))).toEqual([['02', 25, 20]])
    expect(book.forSlot('offer', 6, 10)).toEqual([])
  })
})

describe("a relay's views", () => {
  it('live offers: heard directly, not expired, not its own, not sold out', () => {
    const book = new OrderBook(hex(9))
    book.apply(
      ann(1, 1, 'offer', [
        [5, 10, 30],
        [6, 10, 30]
      ]),
      'offer',
      0
    )
    book.apply(ann(2, 1, 'offer', [[5, 10, 30]], 10), 'offer', 0)
    book.apply(ann(9, 1, 'offer', [[5, 10, 30]]), 'offer', 0)
    book.apply(ann(3, 1, 'bid', [[5, 10, 30]]), 'bid', 0)
    book.markAvailable('offer', hex(1), 6, 0)
    expect(view(book.liveOffers(10))).toEqual([['01', 30, 10]])
    expect(book.liveOffers(9).map(o => o.trader.slice(0, 2))).toEqual(['01', '02'])
  })

  it("relayed offers: other feeders' only, not sold out, from digests still valid", () => {
    const book = new OrderBook()
    book.applyDigest(
      digest(50, 1, [
        [2, 'g', 5, 20, 25],
        [3, 'h', 5, 20, 25],
        [4, 'g', 6, 10, 1]
      ]),
      0
    )
    book.markAvailable('offer', hex(4), 6, 0)
    expect(book.relayedOffers(0, 'h').map(o => o.trader.slice(0, 2))).toEqual(['02'])
    expect(book.relayedOffers(0, 'x').map(o => o.trader.slice(0, 2))).toEqual(['02', '03'])
    expect(book.size).toEqual({ offers: 0, bids: 0 })
  })

  it("relayed offers leave out the digests of its own feeder's relays: two relays must not keep each other's stale entries alive", () => {
    // relay 60 of feeder h passes on, on h's digest topic, what it heard of feeder g; relay 61, also of h, hears
    // that too. g's own digest (relay 50) no longer lists trader 2 (sold out): 61 must not list it from 60's copy
    const book = new OrderBook(hex(61))
    book.applyDigest(digest(50, 2, [[3, 'g', 5, 20, 25]], 0, 1_000, 'g'), 0)
    book.applyDigest(
      digest(
        60,
        1,
        [
          [2, 'g', 5, 20, 25],
          [3, 'g', 5, 20, 25]
        ],
        0,
        1_000,
        'h'
      ),
      0
    )
    expect(book.relayedOffers(0, 'h').map(o => o.trader.slice(0, 2))).toEqual(['03'])
    // a relay of another feeder has no such copy to leave out; and as a buyer, 61 still sees what its feeder's relays list
    expect(
      book
        .relayedOffers(0, 'x')
        .map(o => o.trader.slice(0, 2))
        .sort()
    ).toEqual(['02', '03', '03'])
    expect(book.forSlot('offer', 5, 0).map(o => o.trader.slice(0, 2))).toContain('02')
  })
})

describe("the hub's allocation in digests", () => {
  it('an entry for one buyer is shown to that buyer only; an entry for any buyer to all', () => {
    const d: Digest = {
      ...digest(
        60,
        1,
        [
          [2, 'g', 5, 20, 25],
          [3, 'g', 5, 30, 26]
        ],
        0,
        1_000,
        'h'
      ),
      entries: []
    }
    const entries = [
      { trader: key(2), feeder: 'g', slot: 5, energyWh: 20, price: 25, addrs: [addr(102)], buyer: key(7) },
      { trader: key(3), feeder: 'g', slot: 5, energyWh: 30, price: 26, addrs: [addr(103)] }
    ]
    const mine = new OrderBook(hex(7))
    mine.applyDigest({ ...d, entries }, 0)
    const other = new OrderBook(hex(8))
    other.applyDigest({ ...d, entries }, 0)
    expect(view(mine.forSlot('offer', 5, 0))).toEqual([
      ['02', 25, 20],
      ['03', 26, 30]
    ])
    expect(mine.forSlot('offer', 5, 0)[0].for).toBe(hex(7))
    expect(view(other.forSlot('offer', 5, 0))).toEqual([['03', 26, 30]])
    // what a buyer asks before gossiping a bid: is energy of another feeder listed for it, for the slot, still?
    expect([mine.hasRelayedOffer(5, 0), mine.hasRelayedOffer(6, 0), mine.hasRelayedOffer(5, 1_000)]).toEqual([true, false, false])
    const solo = new OrderBook(hex(8))
    solo.applyDigest({ ...d, entries: [entries[0]] }, 0)
    expect(solo.hasRelayedOffer(5, 0)).toBe(false)
    mine.markAvailable('offer', hex(2), 5, 0)
    mine.markAvailable('offer', hex(3), 5, 0)
    expect(mine.hasRelayedOffer(5, 0)).toBe(false)
  })

  it(
    'residual bids: the latest district digest per other feeder, none ' + "of its own, none expired; its own feeder's bids heard directly",
    () => {
      const bid = (trader: number, feeder: string, wh: number) => ({
        trader: key(trader),
        feeder,
        slot: 5,
        energyWh: wh,
        price: 40,
        addrs: []
      })
      const book = new OrderBook(hex(61))
      book.applyDigest({ ...digest(50, 1, [], 0, 1_000, 'g'), bids: [bid(1, 'g', 10)] }, 0)
      // g's other relay, fresher: its list stands for g
      book.applyDigest({ ...digest(51, 1, [], 5, 1_000, 'g'), bids: [bid(1, 'g', 4), bid(2, 'g', 6)] }, 0)
      book.applyDigest({ ...digest(52, 1, [], 0, 20, 'k'), bids: [bid(3, 'k', 9)] }, 0)
      book.applyDigest({ ...digest(60, 1, [], 9, 1_000, 'h'), bids: [bid(4, 'h', 9)] }, 0)
      expect(book.relayedBids(0, 'h').map(b => [b.trader.slice(0, 2), b.energyWh])).toEqual([
        ['01', 4],
        ['02', 6],
        ['03', 9]
      ])
      expect(book.relayedBids(20, 'h').map(b => b.trader.slice(0, 2))).toEqual(['01', '02'])
      book.apply(ann(5, 1, 'bid', [[5, 10, 30]], 1_000, 'h'), 'bid', 0)
      book.apply(ann(61, 1, 'bid', [[5, 10, 30]], 1_000, 'h'), 'bid', 0)
      book.markAvailable('bid', hex(5), 5, 4)
      expect(book.liveBids(0).map(b => [b.trader.slice(0, 2), b.energyWh - b.depletedWh])).toEqual([['05', 4]])
    }
  )
})
