/**
 * Mobility messages: service offers (gossip), quotes, bookings and pay-per-use receipts (streams).
 * The wire schema is proto/mobility.proto; the types are the generated ones (64-bit fields decode to
 * JS numbers there, so every number is checked here to be a safe integer, and non-negative unless it
 * is a microdegree position). Names follow TOMP-API v2 and GBFS.
 */
import { createHash } from 'node:crypto'
import * as wire from './gen/mobility.js'
import { MalformedMessageError, UnsupportedVersionError } from './errors.ts'
import { DISTRICT_PATTERN, WIRE_VERSION } from './topics.ts'

/** The generated types with plain `Uint8Array` fields (protons types them `Uint8Array<ArrayBuffer>`). */
type Plain<T> = T extends Uint8Array
  ? Uint8Array
  : T extends Array<infer U>
    ? Array<Plain<U>>
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T

export type PricingPlanWire = Plain<wire.PricingPlan>
export type PricingSegmentWire = Plain<wire.PricingSegment>
export type CancellationTermsWire = Plain<wire.CancellationTerms>
export type ServiceOffer = Plain<wire.ServiceOffer>
export type QuoteRequest = Plain<wire.QuoteRequest>
export type QuotedLeg = Plain<wire.QuotedLeg>
export type Quote = Plain<wire.Quote>
export type LegTerms = Plain<wire.LegTerms>
export type HoldRequest = Plain<wire.HoldRequest>
export type Held = Plain<wire.Held>
export type Commit = Plain<wire.Commit>
export type LegState = Plain<wire.LegState>
export type Release = Plain<wire.Release>
export type BookingReject = Plain<wire.BookingReject>
export type UsageReport = Plain<wire.UsageReport>
export type UsageReceipt = Plain<wire.UsageReceipt>

export const MobilityKind = {
  serviceOffer: 'service-offer',
  quoteRequest: 'quote-request',
  quote: 'quote',
  holdRequest: 'hold-request',
  held: 'held',
  commit: 'commit',
  legState: 'leg-state',
  release: 'release',
  bookingReject: 'booking-reject',
  usageReport: 'usage-report',
  usageReceipt: 'usage-receipt'
} as const
export type MobilityKind = (typeof MobilityKind)[keyof typeof MobilityKind]

export interface MobilityMessageOf {
  'service-offer': ServiceOffer
  'quote-request': QuoteRequest
  quote: Quote
  'hold-request': HoldRequest
  held: Held
  commit: Commit
  'leg-state': LegState
  release: Release
  'booking-reject': BookingReject
  'usage-report': UsageReport
  'usage-receipt': UsageReceipt
}

/** Bounds on what a peer can make us hold. */
export const mobilityLimits = {
  maxOfferBytes: 2 * 1024,
  maxFrameBytes: 16 * 1024,
  maxZones: 16,
  maxLegsPerQuote: 32,
  maxModes: 16,
  maxSegments: 8,
  maxText: 128,
  maxAddrs: 8
} as const

/** TOMP-API v2 / NeTEx modes a node understands. */
export const MOBILITY_MODES = [
  'WALK',
  'BUS',
  'TRAM',
  'METRO',
  'RAIL',
  'FERRY',
  'BICYCLE',
  'SCOOTER',
  'CAR',
  'MOPED',
  'CABLE_CAR',
  'OTHER'
] as const

// ---- checks: every number a safe integer; keys, ids and texts bounded ----

const signed = new Set(['latE6', 'lonE6', 'fromLatE6', 'fromLonE6', 'toLatE6', 'toLonE6'])
/** uint32 on the wire: a larger value would be cut to its low 32 bits (and signed as such) */
const uint32 = new Set(['version', 'capacity', 'travellers', 'units'])
function checkNumbers(v: unknown, path: string): void {
  if (typeof v === 'number') {
    const field = path.slice(path.lastIndexOf('.') + 1)
    if (!Number.isSafeInteger(v)) throw new MalformedMessageError(`${path} must be a whole number, got ${v}`)
    if (v < 0 && !signed.has(field)) throw new MalformedMessageError(`${path} must not be negative`)
    if (uint32.has(field) && v > 0xffff_ffff) throw new MalformedMessageError(`${path} must be at most 4294967295`)
    if (signed.has(field) && Math.abs(v) > 180_000_000) throw new MalformedMessageError(`${path} is not a position in microdegrees`)
    return
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      checkNumbers(x, `${path}[${i}]`)
    })
    return
  }
  if (v != null && typeof v === 'object' && !(v instanceof Uint8Array))
    for (const [k, x] of Object.entries(v)) checkNumbers(x, path === '' ? k : `${path}.${k}`)
}
function bytes(v: Uint8Array, n: number, field: string): void {
  if (v.length !== n) throw new MalformedMessageError(`${field} must be ${n} bytes, got ${v.length}`)
}
function text(v: string, field: string, max: number = mobilityLimits.maxText): void {
  if (v.length > max) throw new MalformedMessageError(`${field} is longer than ${max} characters`)
}
function version(v: number): void {
  if (v !== WIRE_VERSION) throw new UnsupportedVersionError(v)
}
function district(v: string): void {
  if (!DISTRICT_PATTERN.test(v)) throw new MalformedMessageError(`district "${v.slice(0, 80)}" is not a valid district name`)
}
function mode(v: string, field: string): void {
  if (!(MOBILITY_MODES as readonly string[]).includes(v))
    throw new MalformedMessageError(`${field} "${v.slice(0, 32)}" is not a TOMP-API mode (${MOBILITY_MODES.join(', ')})`)
}
function plan(p: PricingPlanWire | undefined, field: string): void {
  if (p == null) return
  text(p.planId, `${field}.plan_id`)
  if (p.perMinPricing.length > mobilityLimits.maxSegments || p.perKmPricing.length > mobilityLimits.maxSegments)
    throw new MalformedMessageError(`${field} has more than ${mobilityLimits.maxSegments} segments`)
}
function terms(t: LegTerms | undefined, field = 'terms'): LegTerms {
  if (t == null) throw new MalformedMessageError(`${field} are missing`)
  version(t.version)
  district(t.district)
  bytes(t.package, 16, `${field}.package`)
  bytes(t.traveller, 32, `${field}.traveller`)
  bytes(t.provider, 32, `${field}.provider`)
  text(t.legId, `${field}.leg_id`, 64)
  text(t.resource, `${field}.resource`)
  text(t.fromStopId, `${field}.from_stop_id`)
  text(t.toStopId, `${field}.to_stop_id`)
  mode(t.mode, `${field}.mode`)
  if (t.units <= 0) throw new MalformedMessageError(`${field}.units must be positive`)
  if (t.to <= t.from) throw new MalformedMessageError(`${field}: to must be after from`)
  if (t.arrivalTime < t.departureTime) throw new MalformedMessageError(`${field}: arrival_time is before departure_time`)
  plan(t.pricing, `${field}.pricing`)
  return t
}

type Check<T> = (m: T) => void
const checks: { [K in MobilityKind]: Check<MobilityMessageOf[K]> } = {
  'service-offer': o => {
    version(o.version)
    district(o.district)
    bytes(o.provider, 32, 'provider')
    mode(o.mode, 'mode')
    text(o.assetId, 'asset_id', 64)
    text(o.agencyId, 'agency_id', 64)
    if (o.zones.length > mobilityLimits.maxZones)
      throw new MalformedMessageError(`a service offer names at most ${mobilityLimits.maxZones} zones`)
    o.zones.forEach((z, i) => {
      text(z, `zones[${i}]`, 12)
    })
    if (o.addrs.length > mobilityLimits.maxAddrs || o.addrs.some(a => a.length > 256))
      throw new MalformedMessageError(`at most ${mobilityLimits.maxAddrs} addresses of at most 256 bytes`)
    if (o.seq === 0) throw new MalformedMessageError('seq must start at 1')
    if (o.validUntil <= o.issuedAt) throw new MalformedMessageError('valid_until must be after issued_at')
    if (o.availableUntil < o.availableFrom) throw new MalformedMessageError('available_until is before available_from')
    plan(o.pricing, 'pricing')
  },
  'quote-request': r => {
    version(r.version)
    district(r.district)
    bytes(r.id, 16, 'id')
    bytes(r.traveller, 32, 'traveller')
    text(r.fromZone, 'from_zone', 12)
    text(r.toZone, 'to_zone', 12)
    if (r.modes.length > mobilityLimits.maxModes) throw new MalformedMessageError(`at most ${mobilityLimits.maxModes} modes`)
    r.modes.forEach((m, i) => {
      mode(m, `modes[${i}]`)
    })
    if (r.accessibility.length > 8) throw new MalformedMessageError('at most 8 accessibility needs')
    r.accessibility.forEach((a, i) => {
      text(a, `accessibility[${i}]`, 32)
    })
    if (r.travellers <= 0) throw new MalformedMessageError('travellers must be positive')
  },
  quote: q => {
    version(q.version)
    bytes(q.request, 16, 'request')
    bytes(q.provider, 32, 'provider')
    bytes(q.traveller, 32, 'traveller')
    if (q.legs.length > mobilityLimits.maxLegsPerQuote)
      throw new MalformedMessageError(`a quote holds at most ${mobilityLimits.maxLegsPerQuote} legs`)
    q.legs.forEach((l, i) => {
      text(l.legId, `legs[${i}].leg_id`, 64)
      mode(l.mode, `legs[${i}].mode`)
      text(l.assetId, `legs[${i}].asset_id`, 64)
      plan(l.pricing, `legs[${i}].pricing`)
    })
    if (q.expiresAt <= q.issuedAt) throw new MalformedMessageError('expires_at must be after issued_at')
  },
  'hold-request': h => {
    terms(h.terms)
  },
  held: h => {
    bytes(h.leg, 32, 'leg')
    terms(h.terms)
    bytes(h.providerSignature, 64, 'provider_signature')
  },
  commit: c => {
    bytes(c.leg, 32, 'leg')
    terms(c.terms)
    bytes(c.travellerSignature, 64, 'traveller_signature')
    text(c.paymentKey, 'payment_key', 200)
    text(c.paymentDigest, 'payment_digest', 100)
  },
  'leg-state': s => {
    bytes(s.leg, 32, 'leg')
    text(s.status, 'status', 16)
    text(s.refundDigest, 'refund_digest', 100)
  },
  release: r => {
    bytes(r.leg, 32, 'leg')
    bytes(r.package, 16, 'package')
    text(r.legId, 'leg_id', 64)
  },
  'booking-reject': r => {
    text(r.legId, 'leg_id', 64)
    text(r.code, 'code', 64)
    text(r.detail, 'detail', 512)
    if (r.package.length !== 16 && r.package.length !== 0) throw new MalformedMessageError('package must be 16 bytes')
  },
  'usage-report': u => {
    bytes(u.leg, 32, 'leg')
  },
  'usage-receipt': r => {
    version(r.version)
    district(r.district)
    bytes(r.leg, 32, 'leg')
    bytes(r.payer, 32, 'payer')
    bytes(r.payee, 32, 'payee')
    if (r.nonce === 0) throw new MalformedMessageError('nonce must start at 1')
  }
}

const wireCodecs: {
  [K in MobilityKind]: { encode(m: Partial<MobilityMessageOf[K]>): Uint8Array; decode(b: Uint8Array, opts?: any): MobilityMessageOf[K] }
} = {
  'service-offer': wire.ServiceOffer,
  'quote-request': wire.QuoteRequest,
  quote: wire.Quote,
  'hold-request': wire.HoldRequest,
  held: wire.Held,
  commit: wire.Commit,
  'leg-state': wire.LegState,
  release: wire.Release,
  'booking-reject': wire.BookingReject,
  'usage-report': wire.UsageReport,
  'usage-receipt': wire.UsageReceipt
}

const decodeLimits = {
  'service-offer': { limits: { zones: mobilityLimits.maxZones, addrs: mobilityLimits.maxAddrs } },
  'quote-request': { limits: { modes: mobilityLimits.maxModes, accessibility: 8 } },
  quote: { limits: { legs: mobilityLimits.maxLegsPerQuote } }
} as Record<string, unknown>

/** Encoders and decoders that refuse anything malformed, in either direction. */
export const mobilityCodecs: {
  [K in MobilityKind]: { encode(m: MobilityMessageOf[K]): Uint8Array; decode(b: Uint8Array): MobilityMessageOf[K] }
} = Object.fromEntries(
  (Object.keys(wireCodecs) as MobilityKind[]).map(kind => [
    kind,
    {
      encode: (m: any) => {
        checkNumbers(m, '')
        ;(checks[kind] as Check<any>)(m)
        return wireCodecs[kind].encode(m)
      },
      decode: (b: Uint8Array) => {
        let m: any
        try {
          m = wireCodecs[kind].decode(b, decodeLimits[kind])
        } catch (err) {
          throw new MalformedMessageError(`cannot decode ${kind}: ${(err as Error).message}`, { cause: err })
        }
        checkNumbers(m, '')
        ;(checks[kind] as Check<any>)(m)
        return m
      }
    }
  ])
) as any

export function encodeLegTerms(t: LegTerms): Uint8Array {
  checkNumbers(t, 'terms')
  terms(t)
  return wire.LegTerms.encode(t as wire.LegTerms)
}
export function decodeLegTerms(b: Uint8Array): LegTerms {
  let t: LegTerms
  try {
    t = wire.LegTerms.decode(b) as LegTerms
  } catch (err) {
    throw new MalformedMessageError(`cannot decode leg terms: ${(err as Error).message}`, { cause: err })
  }
  checkNumbers(t, 'terms')
  return terms(t)
}
/** A booked leg's id: sha256 of its encoded terms (32 bytes). */
export function legIdOf(t: LegTerms): Uint8Array {
  return new Uint8Array(createHash('sha256').update(encodeLegTerms(t)).digest())
}

/** A pricing plan with no plan id means "no pay-per-use". */
export const NO_PRICING: PricingPlanWire = { planId: '', price: 0, perMinPricing: [], perKmPricing: [], maxPrice: 0 }
export const NO_CANCELLATION_FEE: CancellationTermsWire = { freeUntilS: 0, feeNanos: 0 }

export function encodeUsageReceipt(r: UsageReceipt): Uint8Array {
  return mobilityCodecs['usage-receipt'].encode(r)
}
export function decodeUsageReceipt(b: Uint8Array): UsageReceipt {
  return mobilityCodecs['usage-receipt'].decode(b)
}
