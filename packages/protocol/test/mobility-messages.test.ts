import { describe, expect, it } from 'vitest'
import { mobilitySamples } from '../testing/index.ts'
import {
  BadSignatureError,
  MalformedMessageError,
  NO_CANCELLATION_FEE,
  NO_PRICING,
  encodeBookedLeg,
  legIdOf,
  openAs,
  seal,
  signLegTerms,
  signerFromSeed,
  verifyLegTerms,
  type LegTerms,
  type ServiceOffer
} from '../src/index.ts'

const traveller = signerFromSeed(new Uint8Array(32).fill(1))
const provider = signerFromSeed(new Uint8Array(32).fill(2))

function terms(over: Partial<LegTerms> = {}): LegTerms {
  return {
    version: 1,
    district: 'test',
    package: new Uint8Array(16).fill(7),
    legId: 'leg-1',
    traveller: traveller.publicKey,
    provider: provider.publicKey,
    mode: 'BUS',
    resource: 'trip-1',
    from: 2,
    to: 5,
    units: 1,
    departureTime: 1_000_000,
    arrivalTime: 1_600_000,
    price: 30_000_000,
    pricing: NO_PRICING,
    cancellation: NO_CANCELLATION_FEE,
    fromStopId: 's2',
    toStopId: 's5',
    distanceM: 2_400,
    co2G: 120,
    toLatE6: 0,
    toLonE6: 0,
    ...over
  }
}

describe('mobility messages', () => {
  it('round-trips a signed hold request and keeps the leg id stable', () => {
    const t = terms()
    const bytes = seal('hold-request', { terms: t }, traveller)
    const opened = openAs(bytes, 'hold-request', 16 * 1024)
    expect(opened.message.terms).toEqual(t)
    expect(Buffer.from(legIdOf(opened.message.terms!)).toString('hex')).toBe(Buffer.from(legIdOf(t)).toString('hex'))
    expect(legIdOf(terms({ price: 30_000_001 }))).not.toEqual(legIdOf(t))
  })

  it('signs leg terms per party and tells the parties apart', () => {
    const t = terms()
    const ts = signLegTerms(t, traveller)
    const ps = signLegTerms(t, provider)
    expect(verifyLegTerms(t, traveller.publicKey, ts)).toBe(true)
    expect(verifyLegTerms(t, provider.publicKey, ts)).toBe(false)
    expect(verifyLegTerms(terms({ units: 2 }), provider.publicKey, ps)).toBe(false)
    expect(encodeBookedLeg(t, ts, ps).length).toBeGreaterThan(128)
  })

  it('refuses fractions, negative amounts and unknown modes before they reach the wire', () => {
    expect(() => seal('hold-request', { terms: terms({ price: 1.5 }) }, traveller)).toThrow(MalformedMessageError)
    expect(() => seal('hold-request', { terms: terms({ mode: 'HOVERCRAFT' }) }, traveller)).toThrow(/TOMP-API mode/)
    expect(() => seal('hold-request', { terms: terms({ to: 2 }) }, traveller)).toThrow(/to must be after from/)
  })

  it('refuses a forged or tampered envelope with a typed error', () => {
    const bytes = seal('hold-request', { terms: terms() }, traveller)
    const tampered = new Uint8Array(bytes)
    tampered[40] ^= 1
    expect(() => openAs(tampered, 'hold-request', 16 * 1024)).toThrow(/signature|decode|malformed/i)
    const offer: ServiceOffer = {
      ...mobilitySamples({ traveller: traveller.publicKey, provider: provider.publicKey })['service-offer'],
      addrs: []
    }
    const sealed = seal('service-offer', offer, provider)
    expect(openAs(sealed, 'service-offer', 2048).message.latE6).toBe(63_430_000)
    expect(() => openAs(sealed, 'hold-request', 2048)).toThrow(MalformedMessageError)
    const wrongKey = new Uint8Array(sealed)
    // flip a byte inside the signature itself (the envelope ends with it)
    wrongKey[wrongKey.length - 1] ^= 1
    expect(() => openAs(wrongKey, 'service-offer', 2048)).toThrow(BadSignatureError)
  })
})
