/**
 * A mobility refusal names the field it refuses (by its wire name, `leg_id`, `provider_signature`), for every
 * checked field of every kind, on encoding and on decoding bytes the generated protobuf encoder wrote. Also:
 * what a refusal quotes of a hostile value is cut short, and a message without its optional pricing plan is
 * a valid message.
 */
import { describe, expect, it } from 'vitest'
import * as wire from '../src/gen/mobility.js'
import { decodeLegTerms, mobilityCodecs, type MobilityKind, type MobilityMessageOf } from '../src/index.ts'
import { mobilitySamples, sampleLegTerms, samplePricingPlan } from '../testing/mobility-samples.ts'
import { rawEncoders } from './raw-encoders.ts'

const b = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill)
const keys = { traveller: b(32, 1), provider: b(32, 2) }
const escapeRe = (s: string): string => s.replace(/[.[\]]/g, '\\$&')
const named = (name: string): unknown =>
  expect.objectContaining({ name: 'MalformedMessageError', code: 'malformed', message: expect.stringMatching(`^${escapeRe(name)} `) })

type Case = { [K in MobilityKind]: [K, (m: MobilityMessageOf[K]) => Partial<MobilityMessageOf[K]>, string] }[MobilityKind]
const long = (n: number): string => 'x'.repeat(n + 1)
const legTerms = sampleLegTerms(keys)
const quoted = mobilitySamples(keys).quote.legs[0]
const plan = samplePricingPlan()
const termsCases = (kind: 'hold-request' | 'held' | 'commit'): Case[] =>
  (
    [
      [{ package: b(15) }, 'terms.package'],
      [{ traveller: b(31) }, 'terms.traveller'],
      [{ provider: b(33) }, 'terms.provider'],
      [{ legId: long(64) }, 'terms.leg_id'],
      [{ resource: long(128) }, 'terms.resource'],
      [{ fromStopId: long(128) }, 'terms.from_stop_id'],
      [{ toStopId: long(128) }, 'terms.to_stop_id'],
      [{ mode: 'JETPACK' }, 'terms.mode'],
      [{ units: 0 }, 'terms.units'],
      [{ pricing: { ...plan, planId: long(128) } }, 'terms.pricing.plan_id']
    ] as const
  ).map(([over, name]) => [kind, () => ({ terms: { ...legTerms, ...over } }), name]) as Case[]
const cases: Case[] = [
  ['service-offer', () => ({ provider: b(31) }), 'provider'],
  ['service-offer', () => ({ mode: 'JETPACK' }), 'mode'],
  ['service-offer', () => ({ assetId: long(64) }), 'asset_id'],
  ['service-offer', () => ({ agencyId: long(64) }), 'agency_id'],
  ['service-offer', () => ({ zones: ['u4', long(12)] }), 'zones[1]'],
  ['service-offer', () => ({ pricing: { ...plan, planId: long(128) } }), 'pricing.plan_id'],
  ['quote-request', () => ({ id: b(15) }), 'id'],
  ['quote-request', () => ({ traveller: b(33) }), 'traveller'],
  ['quote-request', () => ({ fromZone: long(12) }), 'from_zone'],
  ['quote-request', () => ({ toZone: long(12) }), 'to_zone'],
  ['quote-request', () => ({ modes: ['BUS', 'JETPACK'] }), 'modes[1]'],
  ['quote-request', () => ({ accessibility: ['a', long(32)] }), 'accessibility[1]'],
  ['quote', () => ({ request: b(17) }), 'request'],
  ['quote', () => ({ provider: b(31) }), 'provider'],
  ['quote', () => ({ traveller: b(31) }), 'traveller'],
  ['quote', () => ({ legs: [quoted, { ...quoted, legId: long(64) }] }), 'legs[1].leg_id'],
  ['quote', () => ({ legs: [quoted, { ...quoted, mode: 'JETPACK' }] }), 'legs[1].mode'],
  ['quote', () => ({ legs: [quoted, { ...quoted, assetId: long(64) }] }), 'legs[1].asset_id'],
  ['quote', () => ({ legs: [quoted, { ...quoted, pricing: { ...plan, planId: long(128) } }] }), 'legs[1].pricing.plan_id'],
  ...termsCases('hold-request'),
  ['held', () => ({ leg: b(31) }), 'leg'],
  ...termsCases('held'),
  ['held', () => ({ providerSignature: b(63) }), 'provider_signature'],
  ['commit', () => ({ leg: b(33) }), 'leg'],
  ...termsCases('commit'),
  ['commit', () => ({ travellerSignature: b(63) }), 'traveller_signature'],
  ['commit', () => ({ paymentKey: long(200) }), 'payment_key'],
  ['commit', () => ({ paymentDigest: long(100) }), 'payment_digest'],
  ['leg-state', () => ({ leg: b(31) }), 'leg'],
  ['leg-state', () => ({ status: long(16) }), 'status'],
  ['leg-state', () => ({ refundDigest: long(100) }), 'refund_digest'],
  ['release', () => ({ leg: b(31) }), 'leg'],
  ['release', () => ({ package: b(15) }), 'package'],
  ['release', () => ({ legId: long(64) }), 'leg_id'],
  ['booking-reject', () => ({ legId: long(64) }), 'leg_id'],
  ['booking-reject', () => ({ code: long(64) }), 'code'],
  ['booking-reject', () => ({ detail: long(512) }), 'detail'],
  ['booking-reject', () => ({ package: b(15) }), 'package'],
  ['usage-report', () => ({ leg: b(31) }), 'leg'],
  ['usage-receipt', () => ({ leg: b(31) }), 'leg'],
  ['usage-receipt', () => ({ payer: b(31) }), 'payer'],
  ['usage-receipt', () => ({ payee: b(31) }), 'payee']
]

describe('a mobility codec refusing a field names it', () => {
  for (const kind of Object.keys(rawEncoders) as MobilityKind[])
    it(`${kind}: the encoder and the decoder`, () => {
      const mine = cases.filter(c => c[0] === kind)
      expect(mine.length, kind).toBeGreaterThan(0)
      for (const [, over, name] of mine) {
        const sample = mobilitySamples(keys)[kind]
        const m = { ...sample, ...(over as (m: typeof sample) => object)(sample) }
        expect(() => mobilityCodecs[kind].encode(m as never), `encode ${kind} ${name}`).toThrow(named(name))
        expect(() => mobilityCodecs[kind].decode(rawEncoders[kind].encode(m)), `decode ${kind} ${name}`).toThrow(named(name))
      }
    })
})

describe('what a refusal quotes of a hostile value', () => {
  it('is at most 80 characters of a district and 32 of a mode', () => {
    const offer = mobilitySamples(keys)['service-offer']
    const district = 'D'.repeat(100)
    expect(() => mobilityCodecs['service-offer'].encode({ ...offer, district })).toThrow(
      expect.objectContaining({ code: 'malformed', message: `district "${'D'.repeat(80)}" is not a valid district name` })
    )
    expect(() => mobilityCodecs['service-offer'].decode(wire.ServiceOffer.encode({ ...offer, mode: 'M'.repeat(40) } as never))).toThrow(
      expect.objectContaining({
        code: 'malformed',
        message: expect.stringMatching(new RegExp(`^mode "${'M'.repeat(32)}" is not a TOMP-API mode`))
      })
    )
  })
})

describe('optional parts of a mobility message', () => {
  it('a service offer, a quoted leg and leg terms without a pricing plan or cancellation terms are valid', () => {
    const s = mobilitySamples(keys)
    const { pricing: _p, cancellation: _c, ...bare } = s['service-offer']
    // absent, present as undefined (as a caller may build it) or as null (as JSON writes it): all encode as a message without them
    for (const offer of [bare, { ...bare, pricing: undefined, cancellation: undefined }, { ...bare, pricing: null, cancellation: null }]) {
      const bytes = mobilityCodecs['service-offer'].encode(offer as never)
      expect(bytes).toEqual(wire.ServiceOffer.encode(bare as never))
      expect(mobilityCodecs['service-offer'].decode(bytes).pricing).toBeUndefined()
    }
    const { pricing: _lp, cancellation: _lc, ...bareLeg } = s.quote.legs[0]
    const quote = { ...s.quote, legs: [bareLeg] }
    expect(mobilityCodecs.quote.decode(mobilityCodecs.quote.encode(quote as never)).legs[0].pricing).toBeUndefined()
    const { pricing: _tp, ...bareTerms } = s['hold-request'].terms!
    const hold = mobilityCodecs['hold-request'].decode(mobilityCodecs['hold-request'].encode({ terms: bareTerms as never }))
    expect(hold.terms?.pricing).toBeUndefined()
  })
})

describe('a mobility decoder that cannot read the bytes', () => {
  it('names what it could not decode and keeps the protobuf error as the cause', () => {
    const decoders: Array<[string, (b: Uint8Array) => unknown]> = [
      ...(Object.keys(rawEncoders) as MobilityKind[]).map(k => [k, mobilityCodecs[k].decode] as [string, (b: Uint8Array) => unknown]),
      ['leg terms', decodeLegTerms]
    ]
    for (const [what, decode] of decoders) {
      let err: Error & { code?: string } = new Error('not refused')
      try {
        decode(new Uint8Array([0x0a, 0x05, 0x01]))
      } catch (e) {
        err = e as Error & { code?: string }
      }
      expect(err.code, what).toBe('malformed')
      expect(err.cause, what).toBeInstanceOf(Error)
      expect(err.message, what).toBe(`cannot decode ${what}: ${(err.cause as Error).message}`)
    }
  })
})
