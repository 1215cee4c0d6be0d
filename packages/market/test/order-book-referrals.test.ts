/**
 * A refusal's referrals in the buyer's book (`OrderBook.applyReferrals`): sellers of another feeder that a seller
 * of theirs named, refusing this node. Expected views are written out by hand.
 */
import { describe, expect, it } from 'vitest'
import { OrderBook } from '../src/index.ts'
import type { Announcement, Digest, DigestEntry } from '@kvartal/protocol'

const key = (n: number): Uint8Array => new Uint8Array(32).fill(n)
const hex = (n: number): string => n.toString(16).padStart(2, '0').repeat(32)
const addr = (n: number): Uint8Array => new Uint8Array([4, 10, 0, 0, n])
const entry = (trader: number, slot: number, energyWh: number, price: number, feeder = 'f2'): DigestEntry => ({
  trader: key(trader),
  feeder,
  slot,
  energyWh,
  price,
  addrs: [addr(trader)]
})
const offers = (book: OrderBook, slot: number, now: number): Array<[string, number, number]> =>
  book.forSlot('offer', slot, now).map(e => [e.trader.slice(0, 2), e.price, e.energyWh - e.depletedWh])

describe("a refusal's referrals in the book", () => {
  it('are offers of their slot only, with their addresses, until the gate; the slot forgotten, they go', () => {
    const book = new OrderBook(hex(1))
    book.applyReferrals([entry(5, 40, 300, 20), entry(6, 40, 100, 10), entry(7, 41, 50, 5)], 40, 100, 500)
    expect(offers(book, 40, 100)).toEqual([
      ['06', 10, 100],
      ['05', 20, 300]
    ])
    expect(offers(book, 41, 100)).toEqual([])
    expect(book.addrsOf(hex(5))).toEqual([addr(5)])
    expect(book.forSlot('offer', 40, 100)[0]).toMatchObject({ feeder: 'f2', relayed: true })
    expect(offers(book, 40, 500)).toEqual([])
    book.forgetBefore(41)
    expect(offers(book, 40, 100)).toEqual([])
  })

  it('never name this node, nor a seller it hears directly (its own announcement says what it has)', () => {
    const book = new OrderBook(hex(1))
    const a: Announcement = {
      version: 1,
      district: 'd',
      trader: key(6),
      seq: 1,
      issuedAt: 0,
      validUntil: 1_000,
      offers: [{ slot: 40, energyWh: 7, price: 30 }],
      bids: [],
      addrs: [addr(6)],
      feeder: 'f1'
    }
    book.apply(a, 'offer', 0)
    book.applyReferrals([entry(1, 40, 300, 20), entry(6, 40, 100, 10), entry(5, 40, 9, 50)], 40, 100, 500)
    expect(offers(book, 40, 100)).toEqual([
      ['06', 30, 7],
      ['05', 50, 9]
    ])
  })

  it('a referred seller that refused stays refused for the slot, whatever later referrals or digests say', () => {
    const book = new OrderBook(hex(1))
    book.applyReferrals([entry(5, 40, 300, 20)], 40, 100, 500)
    book.markAvailable('offer', hex(5), 40, 0)
    expect(offers(book, 40, 100)).toEqual([])
    book.applyReferrals([entry(5, 40, 300, 20)], 40, 110, 500)
    const d: Digest = {
      version: 1,
      district: 'd',
      relay: key(9),
      feeder: 'f1',
      seq: 1,
      issuedAt: 120,
      validUntil: 1_000,
      entries: [entry(5, 40, 300, 20)]
    }
    book.applyDigest(d, 120)
    expect(offers(book, 40, 130)).toEqual([])
  })

  it('the fresher of a referral and a digest entry for one seller is the one that counts', () => {
    const book = new OrderBook(hex(1))
    const d = (seq: number, issuedAt: number, energyWh: number): Digest => ({
      version: 1,
      district: 'd',
      relay: key(9),
      feeder: 'f1',
      seq,
      issuedAt,
      validUntil: 1_000,
      entries: [entry(5, 40, energyWh, 20)]
    })
    book.applyDigest(d(1, 50, 800), 50)
    book.applyReferrals([entry(5, 40, 300, 20)], 40, 100, 500)
    expect(offers(book, 40, 100)).toEqual([['05', 20, 300]])
    book.applyDigest(d(2, 150, 600), 150)
    expect(offers(book, 40, 150)).toEqual([['05', 20, 600]])
  })
})
