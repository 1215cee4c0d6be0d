/**
 * Every check the mobility codecs make, at its bound: a valid message of each kind round-trips; one field just
 * past its bound is refused, on encoding and on decoding, with a MalformedMessageError naming the field; the
 * value at the bound is accepted. The hostile bytes are written with the generated protobuf encoders, which
 * check nothing.
 */
import { describe, expect, it } from 'vitest'
import * as wire from '../src/gen/mobility.js'
import {
  decodeLegTerms,
  decodeUsageReceipt,
  encodeLegTerms,
  encodeUsageReceipt,
  legIdOf,
  mobilityCodecs,
  MOBILITY_MODES,
  type LegTerms,
  type MobilityKind,
  type MobilityMessageOf
} from '../src/index.ts'
import { mobilitySamples, sampleLegTerms, samplePricingPlan } from '../testing/mobility-samples.ts'
import { rawEncoders } from './raw-encoders.ts'

const b = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill)
/** the codecs check only the keys' lengths: any 32 bytes do */
const keys = { traveller: b(32, 1), provider: b(32, 2) }
const legTerms = sampleLegTerms(keys)
const samples = mobilitySamples(keys)
const plan = samplePricingPlan()
const [seg] = plan.perMinPricing
const malformed = (pattern: RegExp): unknown =>
  expect.objectContaining({ name: 'MalformedMessageError', message: expect.stringMatching(pattern) })

/**
 * `kind` with `over` applied is refused both ways, with a message matching `pattern` (on decoding `decodePattern`
 * when the protobuf decoder itself refuses such bytes first, as it does a negative number in a uint64 field).
 */
function refused<K extends MobilityKind>(kind: K, over: Partial<MobilityMessageOf[K]>, pattern: RegExp, decodePattern = pattern): void {
  const m = { ...samples[kind], ...over }
  expect(() => mobilityCodecs[kind].encode(m), `encode ${kind}`).toThrow(malformed(pattern))
  expect(() => mobilityCodecs[kind].decode(rawEncoders[kind].encode(m)), `decode ${kind}`).toThrow(malformed(decodePattern))
}
/** `kind` with `over` applied round-trips. */
function accepted<K extends MobilityKind>(kind: K, over: Partial<MobilityMessageOf[K]>): void {
  const m = { ...samples[kind], ...over }
  expect(mobilityCodecs[kind].decode(mobilityCodecs[kind].encode(m))).toEqual(m)
}
const terms = (over: Partial<LegTerms>): { terms: LegTerms } => ({ terms: { ...legTerms, ...over } })

describe('mobility codecs', () => {
  it('round-trip a valid message of every kind', () => {
    for (const kind of Object.keys(samples) as MobilityKind[]) accepted(kind, {})
  })

  it('numbers: whole, not negative unless a position, uint32 fields within 32 bits, positions within ±180°', () => {
    // a fraction cannot even be written as a protobuf integer: refused before it is
    expect(() => mobilityCodecs['usage-report'].encode({ ...samples['usage-report'], seconds: 1.5 })).toThrow(
      malformed(/^seconds must be a whole number, got 1\.5$/)
    )
    refused('leg-state', { refund: -1 }, /^refund must not be negative$/, /^cannot decode leg-state: /)
    refused('hold-request', terms({ price: -5 }), /^terms\.price must not be negative$/, /^cannot decode hold-request: /)
    refused(
      'quote',
      { legs: [{ ...samples.quote.legs[0], price: -1 }] },
      /^legs\[0\]\.price must not be negative$/,
      /^cannot decode quote: /
    )
    refused(
      'hold-request',
      terms({ pricing: { ...plan, perMinPricing: [{ ...seg, rate: -2 }] } }),
      /^terms\.pricing\.perMinPricing\[0\]\.rate must not be negative$/,
      /^cannot decode hold-request: /
    )
    accepted('service-offer', { latE6: -180_000_000, lonE6: 180_000_000 })
    refused('service-offer', { latE6: 180_000_001 }, /^latE6 is not a position in microdegrees$/)
    refused('service-offer', { lonE6: -180_000_001 }, /^lonE6 is not a position/)
    accepted('service-offer', { capacity: 0xffff_ffff })
    // (a uint32 on the wire cannot carry more: only the encoder can be handed such a number)
    expect(() => mobilityCodecs['service-offer'].encode({ ...samples['service-offer'], capacity: 2 ** 32 })).toThrow(
      malformed(/^capacity must be at most 4294967295$/)
    )
    // a field that is not uint32 may be larger
    accepted('usage-report', { seconds: 2 ** 40 })
  })

  it('keys, ids and signatures have their lengths', () => {
    refused('usage-report', { leg: b(31) }, /^leg must be 32 bytes, got 31$/)
    refused('quote-request', { id: b(15) }, /^id must be 16 bytes, got 15$/)
    refused('held', { providerSignature: b(63) }, /^provider_signature must be 64 bytes, got 63$/)
    refused('commit', { travellerSignature: b(65) }, /^traveller_signature must be 64 bytes/)
    refused('hold-request', terms({ package: b(15) }), /^terms\.package must be 16 bytes/)
    refused('hold-request', terms({ provider: b(31) }), /^terms\.provider must be 32 bytes/)
    refused('usage-receipt', { payee: b(33) }, /^payee must be 32 bytes/)
    refused('release', { package: b(17) }, /^package must be 16 bytes/)
    accepted('booking-reject', { package: new Uint8Array(0) })
    refused('booking-reject', { package: b(15) }, /^package must be 16 bytes$/)
  })

  it('texts have their maximum lengths, reached but not passed', () => {
    accepted('hold-request', terms({ resource: 'r'.repeat(128), legId: 'l'.repeat(64) }))
    refused('hold-request', terms({ resource: 'r'.repeat(129) }), /^terms\.resource is longer than 128 characters$/)
    refused('hold-request', terms({ legId: 'l'.repeat(65) }), /^terms\.leg_id is longer than 64 characters$/)
    refused('hold-request', terms({ toStopId: 's'.repeat(129) }), /^terms\.to_stop_id is longer/)
    refused('hold-request', terms({ pricing: { ...plan, planId: 'p'.repeat(129) } }), /^terms\.pricing\.plan_id is longer than 128/)
    accepted('service-offer', { zones: ['z'.repeat(12)], assetId: 'a'.repeat(64), agencyId: 'g'.repeat(64) })
    refused('service-offer', { zones: ['u', 'z'.repeat(13)] }, /^zones\[1\] is longer than 12 characters$/)
    refused('service-offer', { agencyId: 'g'.repeat(65) }, /^agency_id is longer than 64/)
    refused('quote-request', { toZone: 'z'.repeat(13) }, /^to_zone is longer than 12/)
    refused('quote-request', { accessibility: ['a'.repeat(33)] }, /^accessibility\[0\] is longer than 32/)
    refused('quote', { legs: [{ ...samples.quote.legs[0], assetId: 'a'.repeat(65) }] }, /^legs\[0\]\.asset_id is longer than 64/)
    accepted('commit', { paymentKey: 'k'.repeat(200), paymentDigest: 'd'.repeat(100) })
    refused('commit', { paymentKey: 'k'.repeat(201) }, /^payment_key is longer than 200/)
    refused('commit', { paymentDigest: 'd'.repeat(101) }, /^payment_digest is longer than 100/)
    accepted('leg-state', { status: 's'.repeat(16), refundDigest: 'r'.repeat(100) })
    refused('leg-state', { status: 's'.repeat(17) }, /^status is longer than 16/)
    refused('leg-state', { refundDigest: 'r'.repeat(101) }, /^refund_digest is longer than 100/)
    refused('release', { legId: 'l'.repeat(65) }, /^leg_id is longer than 64/)
    accepted('booking-reject', { code: 'c'.repeat(64), detail: 'd'.repeat(512) })
    refused('booking-reject', { code: 'c'.repeat(65) }, /^code is longer than 64/)
    refused('booking-reject', { detail: 'd'.repeat(513) }, /^detail is longer than 512/)
  })

  it('lists have their maximum lengths, reached but not passed', () => {
    accepted('service-offer', { zones: Array.from({ length: 16 }, (_, i) => `z${i}`), addrs: Array.from({ length: 8 }, () => b(256)) })
    refused('service-offer', { zones: Array.from({ length: 17 }, (_, i) => `z${i}`) }, /at most 16 zones|cannot decode service-offer/)
    refused('service-offer', { addrs: [b(257)] }, /^at most 8 addresses of at most 256 bytes$/)
    expect(() =>
      mobilityCodecs['service-offer'].encode({ ...samples['service-offer'], addrs: Array.from({ length: 9 }, () => b(4)) })
    ).toThrow(malformed(/^at most 8 addresses/))
    accepted('quote-request', { modes: Array.from({ length: 16 }, () => 'BUS'), accessibility: Array.from({ length: 8 }, () => 'x') })
    expect(() =>
      mobilityCodecs['quote-request'].encode({ ...samples['quote-request'], modes: Array.from({ length: 17 }, () => 'BUS') })
    ).toThrow(malformed(/^at most 16 modes$/))
    expect(() =>
      mobilityCodecs['quote-request'].encode({ ...samples['quote-request'], accessibility: Array.from({ length: 9 }, () => 'x') })
    ).toThrow(malformed(/^at most 8 accessibility needs$/))
    const legs = Array.from({ length: 32 }, () => samples.quote.legs[0])
    accepted('quote', { legs })
    expect(() => mobilityCodecs.quote.encode({ ...samples.quote, legs: [...legs, legs[0]] })).toThrow(
      malformed(/^a quote holds at most 32 legs$/)
    )
    const eight = Array.from({ length: 8 }, () => seg)
    accepted('hold-request', terms({ pricing: { ...plan, perMinPricing: eight, perKmPricing: eight } }))
    refused('hold-request', terms({ pricing: { ...plan, perKmPricing: [...eight, seg] } }), /^terms\.pricing has more than 8 segments$/)
    refused('service-offer', { pricing: { ...plan, perMinPricing: [...eight, seg] } }, /^pricing has more than 8 segments$/)
  })

  it('modes are TOMP-API modes', () => {
    for (const mode of MOBILITY_MODES) accepted('hold-request', terms({ mode }))
    refused('hold-request', terms({ mode: 'bus' }), /^terms\.mode "bus" is not a TOMP-API mode \(WALK, BUS, /)
    refused('quote-request', { modes: ['BUS', 'JETPACK'] }, /^modes\[1\] "JETPACK"/)
    refused('quote', { legs: [{ ...samples.quote.legs[0], mode: 'X' }] }, /^legs\[0\]\.mode "X"/)
    refused('service-offer', { mode: '' }, /^mode "" is not a TOMP-API mode/)
  })

  it('versions, districts, sequence numbers and time windows', () => {
    for (const kind of ['service-offer', 'quote-request', 'quote', 'usage-receipt'] as const) {
      expect(() => mobilityCodecs[kind].encode({ ...samples[kind], version: 2 } as never)).toThrow(
        expect.objectContaining({ name: 'UnsupportedVersionError' })
      )
    }
    refused('service-offer', { district: 'Not a district' }, /^district "Not a district" is not a valid district name$/)
    refused('usage-receipt', { district: '' }, /^district "" is not/)
    refused('service-offer', { seq: 0 }, /^seq must start at 1$/)
    refused('service-offer', { validUntil: 1 }, /^valid_until must be after issued_at$/)
    accepted('service-offer', { availableFrom: 10, availableUntil: 10 })
    refused('service-offer', { availableFrom: 11, availableUntil: 10 }, /^available_until is before available_from$/)
    refused('quote', { expiresAt: 1 }, /^expires_at must be after issued_at$/)
    refused('quote-request', { travellers: 0 }, /^travellers must be positive$/)
    refused('usage-receipt', { nonce: 0 }, /^nonce must start at 1$/)
  })

  it('leg terms: present, at least one unit, a stop after the first, no arrival before departure', () => {
    refused('hold-request', { terms: undefined }, /^terms are missing$/)
    refused('held', { terms: { ...legTerms, units: 0 } }, /^terms\.units must be positive$/)
    refused('commit', { terms: { ...legTerms, to: legTerms.from } }, /^terms: to must be after from$/)
    accepted('hold-request', terms({ arrivalTime: legTerms.departureTime }))
    refused('hold-request', terms({ arrivalTime: legTerms.departureTime - 1 }), /^terms: arrival_time is before departure_time$/)
  })

  it('leg terms on their own: checked both ways, with the same leg id for the same terms', () => {
    expect(decodeLegTerms(encodeLegTerms(legTerms))).toEqual(legTerms)
    expect(() => encodeLegTerms({ ...legTerms, units: 0 })).toThrow(malformed(/^terms\.units must be positive$/))
    expect(() => encodeLegTerms({ ...legTerms, price: 0.5 })).toThrow(malformed(/^terms\.price must be a whole number/))
    expect(() => decodeLegTerms(wire.LegTerms.encode({ ...legTerms, units: 0 } as wire.LegTerms))).toThrow(
      malformed(/^terms\.units must be positive$/)
    )
    expect(() => decodeLegTerms(wire.LegTerms.encode({ ...legTerms, toLatE6: 200_000_000 } as wire.LegTerms))).toThrow(
      malformed(/^terms\.toLatE6 is not a position/)
    )
    expect(() => decodeLegTerms(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(malformed(/^cannot decode leg terms: /))
    expect(legIdOf({ ...legTerms })).toEqual(legIdOf(legTerms))
    expect(legIdOf(legTerms)).toHaveLength(32)
  })

  it('bytes that are not protobuf are a MalformedMessageError naming the kind', () => {
    expect(() => mobilityCodecs.quote.decode(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(malformed(/^cannot decode quote: /))
    expect(() => decodeUsageReceipt(new Uint8Array([0xff]))).toThrow(malformed(/^cannot decode usage-receipt: /))
    expect(decodeUsageReceipt(encodeUsageReceipt(samples['usage-receipt']))).toEqual(samples['usage-receipt'])
  })
})
