/**
 * Every check the energy codecs make, at its bound: the value just inside is accepted, the value just outside
 * is refused with a typed error that names the field. The bytes are written with the generated protobuf
 * encoders, which check nothing, so what a hostile peer can put on the wire reaches the decoders as it is.
 */
import { describe, expect, it } from 'vitest'
import * as wire from '../src/gen/kvartal.js'
import {
  codecs,
  decodeTerms,
  decodeTrade,
  encodeTerms,
  encodeTrade,
  limits,
  MalformedMessageError,
  signerFromSeed,
  signTerms,
  tradeId,
  tradeIdBytes,
  UnsupportedVersionError,
  type Announcement,
  type TradeTerms
} from '../src/index.ts'

const k = (b: number): Uint8Array<ArrayBuffer> => new Uint8Array(32).fill(b)
const n16 = new Uint8Array(16).fill(5)
const sig64 = new Uint8Array(64).fill(6)
const malformed = (pattern: RegExp): unknown =>
  expect.objectContaining({ name: 'MalformedMessageError', message: expect.stringMatching(pattern) })

const wireAnnouncement = (over: Partial<wire.Announcement> = {}): Uint8Array =>
  wire.Announcement.encode({
    version: 1,
    district: 'd',
    trader: k(1),
    seq: 1n,
    issuedAt: 10n,
    validUntil: 11n,
    offers: [{ slot: 1n, energyWh: 1n, price: 0n }],
    bids: [],
    addrs: [],
    feeder: '',
    ...over
  })
const wireTerms = (over: Partial<wire.TradeTerms> = {}): wire.TradeTerms => ({
  version: 1,
  district: 'd',
  negotiation: n16,
  buyer: k(1),
  seller: k(2),
  slot: 0n,
  energyWh: 1n,
  price: 0n,
  agreedAt: 0n,
  buyerFeeder: '',
  sellerFeeder: '',
  gridFee: 0n,
  ...over
})

const announcement: Announcement = {
  version: 1,
  district: 'd',
  trader: k(1),
  seq: 1,
  issuedAt: 10,
  validUntil: 11,
  offers: [{ slot: 1, energyWh: 1, price: 0 }],
  bids: [],
  addrs: []
}
const terms: TradeTerms = {
  version: 1,
  district: 'd',
  negotiation: n16,
  buyer: k(1),
  seller: k(2),
  slot: 0,
  energyWh: 1,
  price: 0,
  agreedAt: 0
}

describe('announcements', () => {
  it('decode the smallest valid one, and refuse seq 0 and a validity that ends when it starts', () => {
    expect(codecs.announcement.decode(wireAnnouncement())).toEqual(announcement)
    expect(() => codecs.announcement.decode(wireAnnouncement({ seq: 0n }))).toThrow(malformed(/^seq must start at 1$/))
    expect(() => codecs.announcement.decode(wireAnnouncement({ validUntil: 10n }))).toThrow(
      malformed(/^validUntil must be after issuedAt$/)
    )
    expect(() => codecs.announcement.decode(wireAnnouncement({ validUntil: 9n }))).toThrow(malformed(/validUntil/))
  })

  it('refuse an order of no energy in either direction; one Wh is an order', () => {
    expect(() => codecs.announcement.encode({ ...announcement, offers: [{ slot: 1, energyWh: 0, price: 1 }] })).toThrow(
      malformed(/^offers\[0\]\.energyWh must be positive$/)
    )
    expect(() => codecs.announcement.encode({ ...announcement, offers: [], bids: [{ slot: 1, energyWh: 0, price: 1 }] })).toThrow(
      malformed(/^bids\[0\]\.energyWh must be positive$/)
    )
    expect(() =>
      codecs.announcement.decode(
        wireAnnouncement({
          offers: [
            { slot: 1n, energyWh: 5n, price: 1n },
            { slot: 2n, energyWh: 0n, price: 1n }
          ]
        })
      )
    ).toThrow(malformed(/^offers\[1\]\.energyWh must be positive$/))
    expect(() => codecs.announcement.decode(wireAnnouncement({ offers: [], bids: [{ slot: 1n, energyWh: 0n, price: 1n }] }))).toThrow(
      malformed(/^bids\[0\]\.energyWh/)
    )
    const bid = codecs.announcement.decode(wireAnnouncement({ offers: [], bids: [{ slot: 3n, energyWh: 1n, price: 2n }] }))
    expect(bid.bids).toEqual([{ slot: 3, energyWh: 1, price: 2 }])
  })

  it('hold at most 96 orders, counting offers and bids together, on both sides of the wire', () => {
    const orders = (n: number): Announcement['offers'] => Array.from({ length: n }, (_, i) => ({ slot: i, energyWh: 1, price: 1 }))
    const full = { ...announcement, offers: orders(48), bids: orders(48) }
    expect(
      codecs.announcement.decode(codecs.announcement.encode(full)).offers.length +
        codecs.announcement.decode(codecs.announcement.encode(full)).bids.length
    ).toBe(limits.maxOrdersPerAnnouncement)
    expect(() => codecs.announcement.encode({ ...full, bids: orders(49) })).toThrow(malformed(/at most 96 orders/))
    const w = (n: number): wire.Offer[] => Array.from({ length: n }, (_, i) => ({ slot: BigInt(i), energyWh: 1n, price: 1n }))
    expect(() => codecs.announcement.decode(wireAnnouncement({ offers: w(48), bids: w(49) }))).toThrow(malformed(/at most 96 orders/))
  })

  it('keep at most 8 addresses when encoding, and refuse more than 8 or one longer than 256 bytes when decoding', () => {
    const addrs = Array.from({ length: 9 }, (_, i) => new Uint8Array([4, i]))
    expect(codecs.announcement.decode(codecs.announcement.encode({ ...announcement, addrs })).addrs).toEqual(addrs.slice(0, 8))
    expect(codecs.announcement.decode(wireAnnouncement({ addrs: [new Uint8Array(256)] })).addrs[0].length).toBe(256)
    expect(() => codecs.announcement.decode(wireAnnouncement({ addrs: [new Uint8Array(257)] }))).toThrow(
      malformed(/at most 8 addresses of at most 256 bytes/)
    )
    expect(() => codecs.announcement.decode(wireAnnouncement({ addrs: addrs.map(a => new Uint8Array(a)) }))).toThrow(
      expect.objectContaining({ name: 'MalformedMessageError' })
    )
  })

  it('carry a valid feeder name, leave an absent one absent, and refuse a bad one in either direction', () => {
    expect(codecs.announcement.decode(wireAnnouncement({ feeder: 'f-1' })).feeder).toBe('f-1')
    expect('feeder' in codecs.announcement.decode(wireAnnouncement())).toBe(false)
    expect(() => codecs.announcement.decode(wireAnnouncement({ feeder: 'F!' }))).toThrow(
      malformed(/^feeder "F!" is not a valid feeder name$/)
    )
    expect(() => codecs.announcement.encode({ ...announcement, feeder: '-x' })).toThrow(malformed(/feeder "-x"/))
    expect(() => codecs.announcement.encode({ ...announcement, district: 'Bad District' })).toThrow(
      malformed(/^district "Bad District" is not a valid district name$/)
    )
    expect(() => codecs.announcement.decode(wireAnnouncement({ trader: new Uint8Array(31) as Uint8Array<ArrayBuffer> }))).toThrow(
      malformed(/^trader must be a 32-byte Ed25519 public key, got 31 bytes$/)
    )
  })
})

describe('trade terms and trades', () => {
  it('decode the smallest valid terms; feeders and the grid fee appear only when set', () => {
    expect(decodeTerms(wire.TradeTerms.encode(wireTerms()))).toEqual(terms)
    expect(decodeTerms(wire.TradeTerms.encode(wireTerms({ buyerFeeder: 'a', sellerFeeder: 'b', gridFee: 7n })))).toEqual({
      ...terms,
      buyerFeeder: 'a',
      sellerFeeder: 'b',
      gridFee: 7
    })
    expect(decodeTerms(encodeTerms({ ...terms, gridFee: 0 }))).toEqual(terms)
  })

  it('refuse terms of no energy, a bad key, nonce or feeder, and a version this node does not speak', () => {
    expect(() => decodeTerms(wire.TradeTerms.encode(wireTerms({ energyWh: 0n })))).toThrow(malformed(/^terms\.energyWh must be positive$/))
    expect(() => decodeTerms(wire.TradeTerms.encode(wireTerms({ seller: new Uint8Array(33) as Uint8Array<ArrayBuffer> })))).toThrow(
      malformed(/^terms\.seller must be a 32-byte/)
    )
    expect(() => decodeTerms(wire.TradeTerms.encode(wireTerms({ negotiation: new Uint8Array(15) as Uint8Array<ArrayBuffer> })))).toThrow(
      malformed(/^terms\.negotiation must be 16 bytes, got 15$/)
    )
    expect(() => decodeTerms(wire.TradeTerms.encode(wireTerms({ buyerFeeder: 'X' })))).toThrow(malformed(/^terms\.buyerFeeder "X"/))
    expect(() => decodeTerms(wire.TradeTerms.encode(wireTerms({ sellerFeeder: 'Y' })))).toThrow(malformed(/^terms\.sellerFeeder "Y"/))
    expect(() => decodeTerms(wire.TradeTerms.encode(wireTerms({ version: 2 })))).toThrow(UnsupportedVersionError)
    expect(() => decodeTerms(wire.TradeTerms.encode(wireTerms({ version: 2 })))).toThrow(/wire version 2 is not supported/)
    expect(() => encodeTerms({ ...terms, buyerFeeder: 'B' })).toThrow(malformed(/^terms\.buyerFeeder/))
    expect(() => encodeTerms({ ...terms, sellerFeeder: 'S' })).toThrow(malformed(/^terms\.sellerFeeder/))
  })

  it('wrap what the protobuf decoder throws in a MalformedMessageError that names the message', () => {
    expect(() => decodeTerms(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(malformed(/^cannot decode trade terms: /))
    expect(() => decodeTrade(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(malformed(/^cannot decode trade: /))
    expect(() => decodeTrade(wire.Trade.encode({ buyerSignature: sig64, sellerSignature: sig64 }))).toThrow(
      malformed(/^terms are missing$/)
    )
  })

  it('a trade carries two 64-byte signatures; its id is the hex of tradeIdBytes', () => {
    const buyer = signerFromSeed(k(1))
    const seller = signerFromSeed(k(2))
    const t = { ...terms, buyer: buyer.publicKey, seller: seller.publicKey }
    const trade = { id: tradeId(t), terms: t, buyerSignature: signTerms(t, buyer), sellerSignature: signTerms(t, seller) }
    expect(decodeTrade(encodeTrade(trade))).toEqual(trade)
    expect(Buffer.from(tradeIdBytes(t)).toString('hex')).toBe(trade.id)
    const w = wire.Trade.decode(encodeTrade(trade))
    expect(() => decodeTrade(wire.Trade.encode({ ...w, buyerSignature: new Uint8Array(63) as Uint8Array<ArrayBuffer> }))).toThrow(
      malformed(/^buyerSignature must be a 64-byte Ed25519 signature, got 63 bytes$/)
    )
    expect(() => decodeTrade(wire.Trade.encode({ ...w, sellerSignature: new Uint8Array(65) as Uint8Array<ArrayBuffer> }))).toThrow(
      malformed(/^sellerSignature must be a 64-byte/)
    )
  })
})

describe('negotiation messages', () => {
  it('proposals and counters refuse no energy; a round is a uint32, 4294967295 included', () => {
    const p = {
      version: 1,
      district: 'd',
      id: n16,
      buyer: k(1),
      seller: k(2),
      slot: 1,
      energyWh: 1,
      price: 1,
      expiresAt: 1,
      round: 0xffff_ffff
    }
    expect(codecs.proposal.decode(codecs.proposal.encode(p))).toEqual(p)
    expect(codecs.proposal.decode(codecs.proposal.encode({ ...p, feeder: 'f' })).feeder).toBe('f')
    expect(() => codecs.proposal.encode({ ...p, round: -1 })).toThrow(malformed(/^round must be an integer from 0 to 4294967295, got -1$/))
    expect(() => codecs.proposal.encode({ ...p, round: 0.5 })).toThrow(malformed(/^round must be/))
    expect(() =>
      codecs.proposal.decode(wire.Proposal.encode({ ...wire.Proposal.decode(codecs.proposal.encode(p)), energyWh: 0n }))
    ).toThrow(malformed(/^energyWh must be positive$/))
    const c = { negotiation: n16, energyWh: 1, price: 2, expiresAt: 3, round: 4 }
    expect(codecs.counter.decode(codecs.counter.encode(c))).toEqual(c)
    expect(() =>
      codecs.counter.decode(wire.Counter.encode({ negotiation: n16, energyWh: 0n, price: 2n, expiresAt: 3n, round: 4 }))
    ).toThrow(malformed(/^energyWh must be positive$/))
  })

  it('rejects carry a code of at most 64 and a detail of at most 512 characters', () => {
    const r = { negotiation: n16, code: 'c'.repeat(64), detail: 'd'.repeat(512) }
    expect(codecs.reject.decode(codecs.reject.encode(r))).toEqual(r)
    expect(() => codecs.reject.encode({ ...r, code: 'c'.repeat(65) })).toThrow(malformed(/^code is longer than 64 characters$/))
    expect(() => codecs.reject.encode({ ...r, detail: 'd'.repeat(513) })).toThrow(malformed(/^detail is longer than 512 characters$/))
    expect(() => codecs.reject.decode(wire.Reject.encode({ negotiation: n16, code: 'c'.repeat(65), detail: '' }))).toThrow(
      malformed(/^code is longer/)
    )
    expect(() => codecs.reject.decode(wire.Reject.encode({ negotiation: n16, code: '', detail: 'd'.repeat(513) }))).toThrow(
      malformed(/^detail is longer/)
    )
  })

  it('confirms and commits carry a 32-byte trade id', () => {
    expect(() => codecs.committed.encode({ tradeId: new Uint8Array(31) })).toThrow(malformed(/^tradeId must be 32 bytes, got 31$/))
    expect(() => codecs.committed.decode(wire.Committed.encode({ tradeId: new Uint8Array(33) as Uint8Array<ArrayBuffer> }))).toThrow(
      malformed(/^tradeId must be 32 bytes, got 33$/)
    )
    expect(codecs.committed.decode(codecs.committed.encode({ tradeId: k(9) }))).toEqual({ tradeId: k(9) })
  })
})

describe('numbers at the boundary', () => {
  it('uint64 fields accept 0 and 2^53 - 1 and refuse 2^53 on decoding, naming the field', () => {
    expect(decodeTerms(wire.TradeTerms.encode(wireTerms({ price: BigInt(Number.MAX_SAFE_INTEGER) }))).price).toBe(Number.MAX_SAFE_INTEGER)
    expect(() => decodeTerms(wire.TradeTerms.encode(wireTerms({ price: BigInt(Number.MAX_SAFE_INTEGER) + 1n })))).toThrow(
      malformed(/^terms\.price is out of range$/)
    )
    expect(() => codecs.announcement.encode({ ...announcement, seq: -1 })).toThrow(
      malformed(/^seq must be a non-negative integer, got -1$/)
    )
    expect(
      codecs.announcement.decode(codecs.announcement.encode({ ...announcement, offers: [{ slot: 0, energyWh: 1, price: 0 }] })).offers[0]
    ).toEqual({ slot: 0, energyWh: 1, price: 0 })
  })
  it('the errors are ProtocolErrors a gossip validator rejects on', () => {
    try {
      decodeTerms(wire.TradeTerms.encode(wireTerms({ energyWh: 0n })))
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(MalformedMessageError)
      expect(err).toMatchObject({ code: 'malformed', action: 'reject' })
    }
  })
})
