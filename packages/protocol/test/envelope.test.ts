import { describe, expect, it } from 'vitest'
import { Ed25519PublicKey } from '@iota/iota-sdk/keypairs/ed25519'
import {
  codecs,
  decodeTrade,
  encodeTrade,
  iotaAddress,
  open,
  openAs,
  seal,
  signerFromSeed,
  signTerms,
  tradeId,
  verifyTrade,
  costNanos,
  limits,
  type Announcement,
  type Proposal,
  type TradeTerms
} from '../src/index.ts'

const seller = signerFromSeed(new Uint8Array(32).fill(1))
const buyer = signerFromSeed(new Uint8Array(32).fill(2))
const mallory = signerFromSeed(new Uint8Array(32).fill(3))

const announcement: Announcement = {
  version: 1,
  district: 'trondheim',
  trader: seller.publicKey,
  seq: 7,
  issuedAt: 1_000,
  validUntil: 2_000,
  offers: [
    { slot: 10, energyWh: 1_250, price: 450_000_000 },
    { slot: 11, energyWh: 900, price: 460_000_000 }
  ],
  bids: [],
  addrs: []
}
const terms: TradeTerms = {
  version: 1,
  district: 'trondheim',
  negotiation: new Uint8Array(16).fill(9),
  buyer: buyer.publicKey,
  seller: seller.publicKey,
  slot: 10,
  energyWh: 500,
  price: 450_000_000,
  agreedAt: 1_500
}

describe('envelopes', () => {
  it('round-trip every kind with the signer checked', () => {
    const env = seal('announcement', announcement, seller)
    const opened = openAs(env, 'announcement', limits.maxAnnouncementBytes)
    expect(opened.message).toEqual(announcement)
    expect(opened.signer).toEqual(seller.publicKey)
    const p: Proposal = {
      version: 1,
      district: 'trondheim',
      id: new Uint8Array(16).fill(5),
      buyer: buyer.publicKey,
      seller: seller.publicKey,
      slot: 10,
      energyWh: 500,
      price: 1,
      expiresAt: 9,
      round: 0
    }
    expect(openAs(seal('proposal', p, buyer), 'proposal', 4096).message).toEqual(p)
  })

  it('encoding is canonical: the same message always gives the same bytes', () => {
    expect(codecs.announcement.encode(announcement)).toEqual(
      codecs.announcement.encode({ ...announcement, offers: [...announcement.offers] })
    )
  })

  it('refuses a forged signature, a swapped signer, garbage, an oversized frame and the wrong kind with typed errors', () => {
    const env = seal('announcement', announcement, seller)
    const forged = new Uint8Array(env)
    forged[forged.length - 1] ^= 1
    expect(() => openAs(forged, 'announcement', 8192)).toThrow(expect.objectContaining({ name: 'BadSignatureError', action: 'reject' }))
    const byMallory = seal('announcement', announcement, mallory) // valid signature, but not the trader's: the router checks signedBy
    expect(openAs(byMallory, 'announcement', 8192).signer).toEqual(mallory.publicKey)
    expect(() => open(new Uint8Array([0xff, 0xff, 0xff]), { maxBytes: 100, kinds: ['announcement'] })).toThrow(
      expect.objectContaining({ name: 'MalformedMessageError' })
    )
    expect(() => openAs(env, 'announcement', 10)).toThrow(expect.objectContaining({ name: 'OversizedMessageError' }))
    expect(() => openAs(env, 'proposal', 8192)).toThrow(expect.objectContaining({ name: 'MalformedMessageError' }))
  })

  it('refuses an unsigned envelope and a body that does not decode', () => {
    const env = seal('announcement', announcement, seller)
    // strip the signature field (tag 4, length-delimited 64 bytes at the end)
    const unsigned = env.subarray(0, env.length - 66)
    expect(() => openAs(unsigned, 'announcement', 8192)).toThrow(expect.objectContaining({ name: 'UnsignedMessageError' }))
    expect(() => codecs.announcement.decode(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(
      expect.objectContaining({ name: 'MalformedMessageError' })
    )
    expect(() => codecs.announcement.decode(codecs.announcement.encode({ ...announcement, version: 2 }))).toThrow(
      expect.objectContaining({ name: 'UnsupportedVersionError' })
    )
  })

  it('a signature for one kind is not valid for another (domain separation)', () => {
    const env = seal('announcement', announcement, seller)
    const opened = openAs(env, 'announcement', 8192)
    // re-label the same body and signature as a proposal envelope: must fail verification
    const relabelled = new Uint8Array(env.length + 4)
    relabelled.set([0x0a, 0x08, ...new TextEncoder().encode('proposal')])
    relabelled.set(env.subarray(2 + 'announcement'.length), 10)
    expect(() =>
      open(relabelled.subarray(0, 10 + env.length - 2 - 'announcement'.length), { maxBytes: 8192, kinds: ['proposal'] })
    ).toThrow()
    expect(opened.kind).toBe('announcement')
  })
})

describe('trades', () => {
  it('exist with both signatures, have an id by hash of the terms, and survive a round trip', () => {
    const trade = { id: tradeId(terms), terms, buyerSignature: signTerms(terms, buyer), sellerSignature: signTerms(terms, seller) }
    expect(() => verifyTrade(trade)).not.toThrow()
    const back = decodeTrade(encodeTrade(trade))
    expect(back.id).toBe(trade.id)
    expect(tradeId({ ...terms })).toBe(trade.id)
    expect(tradeId({ ...terms, energyWh: 501 })).not.toBe(trade.id)
  })
  it('a tampered term or a forged party signature is refused, naming the party', () => {
    const trade = { id: tradeId(terms), terms, buyerSignature: signTerms(terms, buyer), sellerSignature: signTerms(terms, seller) }
    expect(() => verifyTrade({ ...trade, terms: { ...terms, energyWh: 5000 } })).toThrow(/seller/)
    expect(() => verifyTrade({ ...trade, buyerSignature: signTerms(terms, mallory) })).toThrow(/buyer/)
  })
})

describe('identity and units', () => {
  it('derives the same IOTA address as @iota/iota-sdk from the same Ed25519 key', () => {
    for (const s of [seller, buyer, mallory]) expect(iotaAddress(s.publicKey)).toBe(new Ed25519PublicKey(s.publicKey).toIotaAddress())
  })
  it('computes money in whole nanos without floating point error', () => {
    expect(costNanos(1_000, 450_000_000)).toBe(450_000_000)
    expect(costNanos(1, 1_499)).toBe(1)
    expect(costNanos(3, 333_333_333)).toBe(1_000_000)
    expect(costNanos(9_007_199, 1_000_000_000)).toBe(9_007_199_000_000)
    expect(() => costNanos(1.5, 1)).toThrow(RangeError)
    // up to 2^53 nanos exactly, and refused beyond: a number would round it
    expect(costNanos(9_007_199_254_740, 1_000)).toBe(9_007_199_254_740)
    expect(costNanos(9_007_199_254_740_991, 1_000)).toBe(Number.MAX_SAFE_INTEGER)
    expect(() => costNanos(9_007_199_254_740_991, 1_001)).toThrow(/costs more nanos than a number holds exactly/)
  })
})
