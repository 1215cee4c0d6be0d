/**
 * The envelope at its edges: the size bound, the typed refusal of each way an envelope can be wrong, the bytes a
 * signature covers (written out here from the doc comments, so a change of domain on both sides still shows), and
 * a booked leg's canonical bytes.
 */
import { createPublicKey, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as wire from '../src/gen/kvartal.js'
import {
  codecs,
  encodeBookedLeg,
  encodeLegTerms,
  encodeTerms,
  open,
  seal,
  signedBy,
  signerFromSeed,
  signLegTerms,
  signTerms,
  signingDomain,
  verifyLegTerms,
  verifyTermsSignature,
  type Announcement,
  type TradeTerms
} from '../src/index.ts'
import { sampleLegTerms } from '../testing/mobility-samples.ts'

const alice = signerFromSeed(new Uint8Array(32).fill(1))
const bob = signerFromSeed(new Uint8Array(32).fill(2))
const announcement: Announcement = {
  version: 1,
  district: 'd',
  trader: alice.publicKey,
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
  negotiation: new Uint8Array(16).fill(5),
  buyer: bob.publicKey,
  seller: alice.publicKey,
  slot: 0,
  energyWh: 1,
  price: 0,
  agreedAt: 0
}
const both = { maxBytes: 4096, kinds: ['announcement', 'proposal'] as const }
const refusal = (fn: () => unknown): { code: string; message: string; cause?: unknown } => {
  try {
    fn()
  } catch (err) {
    return err as { code: string; message: string; cause?: unknown }
  }
  throw new Error('expected a refusal')
}
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts))
/** Ed25519 verification with node:crypto alone: the key as SPKI DER (RFC 8410). */
const ed25519Verifies = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean =>
  verify(
    null,
    message,
    createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' }),
    signature
  )

describe('opening an envelope', () => {
  it('takes a frame of exactly maxBytes and refuses one byte more as oversized', () => {
    const env = seal('announcement', announcement, alice)
    expect(open(env, { ...both, maxBytes: env.length }).message).toEqual(announcement)
    expect(refusal(() => open(env, { ...both, maxBytes: env.length - 1 }))).toMatchObject({
      code: 'oversized',
      message: `message of ${env.length} bytes exceeds the limit of ${env.length - 1} bytes`
    })
  })

  it('refuses bytes that are no envelope, saying so and keeping the protobuf error as the cause', () => {
    const err = refusal(() => open(new Uint8Array([0x0a, 0x05, 0x01]), both))
    expect(err.code).toBe('malformed')
    expect(err.cause).toBeInstanceOf(Error)
    expect(err.message).toBe(`cannot decode envelope: ${(err.cause as Error).message}`)
  })

  it('names an unexpected kind (its first 32 characters) and the kinds expected', () => {
    const env = (kind: string): Uint8Array =>
      wire.Envelope.encode({
        kind,
        body: new Uint8Array(0),
        signer: alice.publicKey as Uint8Array<ArrayBuffer>,
        signature: new Uint8Array(64)
      })
    expect(refusal(() => open(env('digest'), both))).toMatchObject({
      code: 'malformed',
      message: 'unexpected message kind "digest" (expected announcement or proposal)'
    })
    expect(refusal(() => open(env('k'.repeat(40)), both)).message).toBe(
      `unexpected message kind "${'k'.repeat(32)}" (expected announcement or proposal)`
    )
  })

  it('an envelope missing its signer or its signature is unsigned; a signer of another length is malformed', () => {
    const env = seal('announcement', announcement, alice)
    const w = wire.Envelope.decode(env)
    const none = new Uint8Array(0) as Uint8Array<ArrayBuffer>
    expect(refusal(() => open(wire.Envelope.encode({ ...w, signer: none }), both))).toMatchObject({
      code: 'unsigned',
      message: 'message carries no signature'
    })
    expect(refusal(() => open(wire.Envelope.encode({ ...w, signature: none }), both)).code).toBe('unsigned')
    expect(refusal(() => open(wire.Envelope.encode({ ...w, signer: w.signer.subarray(0, 31) }), both))).toMatchObject({
      code: 'malformed',
      message: 'signer must be a 32-byte Ed25519 public key'
    })
  })

  it('tells whether a message was signed by a party', () => {
    const opened = open(seal('announcement', announcement, alice), both)
    expect(signedBy(opened, alice.publicKey)).toBe(true)
    expect(signedBy(opened, bob.publicKey)).toBe(false)
  })
})

describe('what a signature covers', () => {
  const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
  it('an envelope: "kvartal/v1/<kind>\\n" followed by the encoded body, and nothing else', () => {
    const w = wire.Envelope.decode(seal('announcement', announcement, alice))
    expect(w.body).toEqual(codecs.announcement.encode(announcement))
    expect(w.signer).toEqual(alice.publicKey)
    expect(ed25519Verifies(alice.publicKey, concat(utf8('kvartal/v1/announcement\n'), w.body), w.signature)).toBe(true)
    expect(signingDomain('proposal')).toEqual(utf8('kvartal/v1/proposal\n'))
    expect(signingDomain('proposal')).toEqual(utf8('kvartal/v1/proposal\n'))
  })

  it('trade terms: "kvartal/v1/trade\\n" and the encoded terms; leg terms: "kvartal/v1/leg\\n" and the encoded terms', () => {
    const sig = signTerms(terms, alice)
    expect(ed25519Verifies(alice.publicKey, concat(utf8('kvartal/v1/trade\n'), encodeTerms(terms)), sig)).toBe(true)
    expect(verifyTermsSignature(terms, alice.publicKey, sig)).toBe(true)
    const leg = sampleLegTerms({ traveller: bob.publicKey, provider: alice.publicKey })
    const legSig = signLegTerms(leg, bob)
    expect(ed25519Verifies(bob.publicKey, concat(utf8('kvartal/v1/leg\n'), encodeLegTerms(leg)), legSig)).toBe(true)
    expect(verifyLegTerms(leg, bob.publicKey, legSig)).toBe(true)
    expect(verifyLegTerms(leg, alice.publicKey, legSig)).toBe(false)
  })

  it("a booked leg: the encoded terms, the traveller's signature, then the provider's", () => {
    const leg = sampleLegTerms({ traveller: bob.publicKey, provider: alice.publicKey })
    const t = signLegTerms(leg, bob)
    const p = signLegTerms(leg, alice)
    expect(encodeBookedLeg(leg, t, p)).toEqual(concat(encodeLegTerms(leg), t, p))
  })
})
