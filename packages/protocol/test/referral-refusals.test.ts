/**
 * A refusal's referrals (`Reject.referrals`): a seller of another feeder, refusing for want of energy, names sellers
 * of its feeder that still offer the slot. Every check at its bound, the bytes written with the generated encoders,
 * which check nothing, so that what a hostile seller can put on the wire reaches the decoder as it is.
 */
import { describe, expect, it } from 'vitest'
import * as wire from '../src/gen/kvartal.js'
import { codecs, limits, type DigestEntry, type Reject } from '../src/index.ts'

const k = (b: number): Uint8Array<ArrayBuffer> => new Uint8Array(32).fill(b)
const n16 = new Uint8Array(16).fill(7) as Uint8Array<ArrayBuffer>
const none = new Uint8Array(0) as Uint8Array<ArrayBuffer>
const malformed = (pattern: RegExp): unknown =>
  expect.objectContaining({ name: 'MalformedMessageError', message: expect.stringMatching(pattern) })
const referral = (i: number): DigestEntry => ({
  trader: k(10 + i),
  feeder: 'f2',
  slot: 40,
  energyWh: 100 + i,
  price: 300_000_000,
  addrs: []
})
const wireReferral = (i: number, over: Partial<wire.DigestEntry> = {}): wire.DigestEntry => ({
  trader: k(10 + i),
  feeder: 'f2',
  slot: 40n,
  energyWh: BigInt(100 + i),
  price: 300_000_000n,
  addrs: [],
  buyer: none,
  ...over
})
const refusal: Reject = { negotiation: n16, code: 'no-capacity', detail: 'available=0' }

describe('a refusal refers the buyer to other sellers', () => {
  it('carries up to 4 referrals both ways, and a refusal without any is the same bytes as before they existed', () => {
    const four = [0, 1, 2, 3].map(referral)
    expect(codecs.reject.decode(codecs.reject.encode({ ...refusal, referrals: four }))).toEqual({ ...refusal, referrals: four })
    expect(codecs.reject.encode({ ...refusal, referrals: [] })).toEqual(codecs.reject.encode(refusal))
    expect(codecs.reject.encode(refusal)).toEqual(
      wire.Reject.encode({ negotiation: n16, code: 'no-capacity', detail: 'available=0', referrals: [] })
    )
    expect(codecs.reject.decode(codecs.reject.encode(refusal))).toEqual(refusal)
    expect(limits.maxReferrals).toBe(4)
  })

  it('refuses a fifth referral, on the way out and on the way in', () => {
    const five = [0, 1, 2, 3, 4]
    expect(() => codecs.reject.encode({ ...refusal, referrals: five.map(referral) })).toThrow(
      malformed(/^a refusal refers to at most 4 sellers$/)
    )
    const bytes = wire.Reject.encode({ ...refusal, negotiation: n16, referrals: five.map(i => wireReferral(i)) })
    expect(() => codecs.reject.decode(bytes)).toThrow(expect.objectContaining({ name: 'MalformedMessageError' }))
  })

  it('refuses a referral of no energy, with too many or too long addresses, naming a buyer, or with a bad key', () => {
    const decode = (r: wire.DigestEntry) => () => codecs.reject.decode(wire.Reject.encode({ ...refusal, negotiation: n16, referrals: [r] }))
    expect(decode(wireReferral(0, { energyWh: 0n }))).toThrow(malformed(/^referrals\[0\]\.energyWh must be positive$/))
    expect(() => codecs.reject.encode({ ...refusal, referrals: [{ ...referral(0), energyWh: 0 }] })).toThrow(
      malformed(/^referrals\[0\]\.energyWh must be positive$/)
    )
    expect(decode(wireReferral(0, { addrs: [new Uint8Array(257)] }))).toThrow(
      malformed(/^referrals\[0\] lists at most 2 addresses of at most 256 bytes$/)
    )
    expect(decode(wireReferral(0, { addrs: [new Uint8Array(256)] }))().referrals?.[0].addrs[0].length).toBe(256)
    expect(decode(wireReferral(0, { buyer: k(3) }))).toThrow(malformed(/^a referral names no buyer$/))
    expect(decode(wireReferral(0, { trader: new Uint8Array(31) as Uint8Array<ArrayBuffer> }))).toThrow(malformed(/referrals\[0\]\.trader/))
    expect(decode(wireReferral(0, { feeder: 'F 2' }))).toThrow(malformed(/referrals\[0\]\.feeder/))
  })
})
