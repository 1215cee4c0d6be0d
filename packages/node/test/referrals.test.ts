/**
 * A refusal's referrals (referrals.ts): whom a seller refusing a buyer of another feeder names, and when; and that its
 * desk attaches them only to such a refusal. With the real order book and a real SellerDesk on a level journal.
 * Between real nodes: tests/referrals.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OrderBook } from '@kvartal/market'
import { gateClosure, open, seal, signerFromSeed, toHex, type Announcement, type Digest, type Reject } from '@kvartal/protocol'
import { defaultNodeOptions } from '../src/options.ts'
import { referralsFor } from '../src/referrals.ts'
import { buyerStream, sellerRig } from './helpers/seller-rig.ts'
import { key, offerOf } from './helpers/relay-rig.ts'

const SLOT = 40
const slots = defaultNodeOptions.slots
const tickMs = slots.slotMs / defaultNodeOptions.ticksPerSlot
const lastCall = gateClosure(slots, SLOT) - tickMs
const fees = { local: 50, district: 150 }
const o = { ...defaultNodeOptions, grid: { feeder: 'f1', fees } }
const hex = (n: number): string => toHex(key(n))
const addr = (n: number): Uint8Array => new Uint8Array([4, 10, 0, 0, n])
const ann = (trader: number, energyWh: number, feeder = 'f1'): Announcement =>
  offerOf(trader, { slot: SLOT, energyWh, price: 400 + trader, feeder, addrs: [addr(trader), addr(100 + trader), addr(200 + trader)] })
/** a book holding `offers` ([trader, Wh]) of f1, heard directly */
const bookOf = (offers: Array<[number, number]>, self = 1): OrderBook => {
  const book = new OrderBook(hex(self))
  for (const [t, wh] of offers) book.apply(ann(t, wh), 'offer', 0)
  return book
}
const named = (book: OrderBook, buyer: string, now = lastCall): Array<[string, number]> =>
  referralsFor(book, o, { slot: SLOT, buyer, now }).map(e => [toHex(e.trader).slice(0, 2), e.energyWh])

describe('whom a refusing seller refers a buyer of another feeder to', () => {
  it('nobody before the last call, nor on a district of one feeder', () => {
    const book = bookOf([[2, 500]])
    expect(named(book, hex(9))).toEqual([['02', 500]])
    expect(named(book, hex(9), lastCall - 1)).toEqual([])
    expect(named(book, hex(9), lastCall - tickMs)).toEqual([])
    expect(referralsFor(book, defaultNodeOptions, { slot: SLOT, buyer: hex(9), now: lastCall })).toEqual([])
  })

  it('sellers of its own feeder heard directly, with what they have left; not the buyer, itself, nor relayed ones', () => {
    const book = bookOf([
      [1, 900],
      [2, 500],
      [3, 300],
      [9, 700]
    ])
    book.apply(ann(4, 800, 'f3'), 'offer', 0)
    const relayed: Digest = {
      version: 1,
      district: 'd',
      relay: key(20),
      feeder: 'f1',
      seq: 1,
      issuedAt: 0,
      validUntil: 1e15,
      entries: [{ trader: key(5), feeder: 'f1', slot: SLOT, energyWh: 900, price: 1, addrs: [] }]
    }
    book.applyDigest(relayed, 0)
    book.markAvailable('offer', hex(3), SLOT, 120)
    book.markAvailable('offer', hex(2), SLOT, 0, lastCall + 1)
    // 2's energy is held for others until after now: nothing left to name; 3 has 120 of its 300 left
    expect(named(book, hex(9))).toEqual([['03', 120]])
    const [e] = referralsFor(book, o, { slot: SLOT, buyer: hex(9), now: lastCall })
    expect(e).toMatchObject({ feeder: 'f1', slot: SLOT, price: 403, addrs: [addr(3), addr(103)] })
    expect(e.buyer).toBeUndefined()
  })

  it('at most four, among the eight with the most energy left, each buyer its own four', () => {
    // traders 2..11 with 100..1,000 Wh: the pool is 4..11
    const book = bookOf(Array.from({ length: 10 }, (_, i): [number, number] => [i + 2, (i + 1) * 100]))
    const pool = new Set(Array.from({ length: 8 }, (_, i) => hex(i + 4).slice(0, 2)))
    const byBuyer = [0x90, 0x91, 0x92, 0x93].map(b => named(book, hex(b)))
    for (const r of byBuyer) {
      expect(r).toHaveLength(4)
      for (const [t] of r) expect(pool.has(t)).toBe(true)
    }
    // the buyers do not all get the same four
    expect(new Set(byBuyer.map(r => JSON.stringify(r))).size).toBeGreaterThan(1)
    // one buyer, the pool in order of energy left from its offset, wrapping
    expect(byBuyer[0].map(([, wh]) => wh)).toEqual(rotated([1000, 900, 800, 700, 600, 500, 400, 300], (0x90909090 + SLOT) % 8))
  })
})

const rotated = (xs: number[], from: number): number[] => [0, 1, 2, 3].map(i => xs[(from + i) % xs.length])

describe("a seller's desk attaches referrals", () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvartal-referrals-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  const seller = signerFromSeed(new Uint8Array(32).fill(1))
  const buyer = signerFromSeed(new Uint8Array(32).fill(2))
  const referral = { trader: key(3), feeder: 'f1', slot: 0, energyWh: 500, price: 450, addrs: [] }

  it('to a refusal for want of energy of a buyer of another feeder only, and says so in its event', async () => {
    const asked: string[] = []
    const { journal, clock, positions, desk, events } = await sellerRig(dir, seller, {
      grid: { feeder: 'f1', fees },
      referrals: (slot, b) => {
        asked.push(`${slot} ${b.slice(0, 2)}`)
        return [referral]
      }
    })
    const answer = async (n: number, price: number, feeder: string): Promise<Reject | string> => {
      const p = {
        version: 1,
        district: 'd',
        id: new Uint8Array(16).fill(n),
        buyer: buyer.publicKey,
        seller: seller.publicKey,
        slot: 0,
        energyWh: 100,
        price,
        expiresAt: clock.now() + 60_000,
        round: 0,
        feeder
      }
      const { channel, sent } = buyerStream(seal('proposal', p, buyer))
      await desk.handle(channel).catch(() => {})
      const r = open(sent[0], { maxBytes: 4096, kinds: ['accept', 'counter', 'reject'] })
      return r.kind === 'reject' ? (r.message as Reject) : r.kind
    }
    // energy left: an accept, and no referrals asked for; then the rest held for that buyer, then none at all
    expect(await answer(0, 10_001, 'f2')).toEqual(expect.objectContaining({ code: 'price-out-of-range' }))
    expect(await answer(0, 10_001, 'f2')).toEqual(expect.not.objectContaining({ referrals: expect.anything() }))
    expect(await answer(1, 900, 'f2')).toBe('accept')
    positions.setLimit(0, 100)
    // a buyer of f2 is referred, one of f1 is not (it hears f1's sellers itself)
    expect(await answer(2, 900, 'f2')).toMatchObject({ code: 'capacity-held', referrals: [referral] })
    expect(await answer(3, 900, 'f1')).toEqual(expect.not.objectContaining({ referrals: expect.anything() }))
    clock.advanceTo(clock.now() + 20_000)
    await desk.expireHolds()
    positions.setLimit(0, 0)
    expect(await answer(4, 900, 'f2')).toMatchObject({ code: 'no-capacity', referrals: [referral] })
    expect(asked).toEqual([0, 0].map(s => `${s} ${toHex(buyer.publicKey).slice(0, 2)}`))
    expect(events.filter(e => e.type === 'rejected').map(e => [e.code, e.detail])).toEqual([
      ['price-out-of-range', undefined],
      ['price-out-of-range', undefined],
      ['capacity-held', 'referred 1'],
      ['capacity-held', undefined],
      ['no-capacity', 'referred 1']
    ])
    await journal.close()
  })
})
