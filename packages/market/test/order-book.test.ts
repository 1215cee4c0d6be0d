import { describe, expect, it } from 'vitest'
import { OrderBook } from '../src/index.ts'
import type { Announcement } from '@kvartal/protocol'

const key = (n: number): Uint8Array => new Uint8Array(32).fill(n)
const ann = (trader: number, seq: number, offers: Array<[number, number, number]>, validUntil = 1_000): Announcement => ({
  version: 1,
  district: 'd',
  trader: key(trader),
  seq,
  issuedAt: 0,
  validUntil,
  offers: offers.map(([slot, energyWh, price]) => ({ slot, energyWh, price })),
  bids: [],
  addrs: []
})

describe('OrderBook', () => {
  it('keeps the latest announcement per trader and sorts offers cheapest first', () => {
    const book = new OrderBook()
    book.apply(ann(1, 1, [[5, 100, 30]]), 'offer', 0)
    book.apply(ann(2, 1, [[5, 100, 20]]), 'offer', 0)
    book.apply(ann(1, 2, [[5, 50, 10]]), 'offer', 0)
    expect(book.forSlot('offer', 5, 1).map(o => [o.price, o.energyWh])).toEqual([
      [10, 50],
      [20, 100]
    ])
  })
  it('refuses replays and expired announcements without changing the book', () => {
    const book = new OrderBook()
    book.apply(ann(1, 3, [[5, 100, 30]]), 'offer', 0)
    expect(() => book.apply(ann(1, 3, [[5, 1, 1]]), 'offer', 0)).toThrow(expect.objectContaining({ name: 'ReplayedMessageError' }))
    expect(() => book.apply(ann(1, 2, [[5, 1, 1]]), 'offer', 0)).toThrow(expect.objectContaining({ name: 'ReplayedMessageError' }))
    expect(() => book.apply(ann(2, 1, [[5, 1, 1]], 10), 'offer', 10)).toThrow(expect.objectContaining({ name: 'ExpiredMessageError' }))
    expect(book.forSlot('offer', 5, 1)).toHaveLength(1)
  })
  it('drops expired entries, still refuses a replay after pruning, and hides its own orders', () => {
    const book = new OrderBook('0101010101010101010101010101010101010101010101010101010101010101')
    book.apply(ann(1, 1, [[5, 100, 30]]), 'offer', 0)
    book.apply(ann(2, 1, [[5, 100, 30]], 10), 'offer', 0)
    expect(book.forSlot('offer', 5, 5)).toHaveLength(1)
    expect(book.forSlot('offer', 5, 10)).toHaveLength(0)
    book.prune(20)
    expect(() => book.apply(ann(2, 1, [[5, 1, 1]], 100), 'offer', 20)).toThrow(expect.objectContaining({ name: 'ReplayedMessageError' }))
  })
  it('marks what a seller said it has left', () => {
    const book = new OrderBook()
    book.apply(ann(1, 1, [[5, 100, 30]]), 'offer', 0)
    book.markAvailable('offer', '01'.repeat(32), 5, 40)
    expect(book.forSlot('offer', 5, 1)[0].energyWh - book.forSlot('offer', 5, 1)[0].depletedWh).toBe(40)
    book.markAvailable('offer', '01'.repeat(32), 5, 0)
    expect(book.forSlot('offer', 5, 1)).toHaveLength(0)
  })
  it('puts an offer held for others aside until its holds lapse, then offers it again', () => {
    const book = new OrderBook()
    book.apply(ann(1, 1, [[5, 100, 30]]), 'offer', 0)
    book.markAvailable('offer', '01'.repeat(32), 5, 0, 50)
    expect(book.forSlot('offer', 5, 10)).toHaveLength(0)
    expect(book.forSlot('offer', 5, 50)).toHaveLength(1)
    // sold out for good wins over held
    book.markAvailable('offer', '01'.repeat(32), 5, 0)
    expect(book.forSlot('offer', 5, 60)).toHaveLength(0)
  })
})
