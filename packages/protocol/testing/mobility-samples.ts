/**
 * One valid message of each mobility kind, for tests that start from a valid message: the codec refusals
 * change one field of it, the fuzz tests mutate its encoding. Every call builds new objects, so a test that
 * changes one cannot change another's.
 */
import {
  NO_CANCELLATION_FEE,
  NO_PRICING,
  type LegTerms,
  type MobilityKind,
  type MobilityMessageOf,
  type PricingPlanWire
} from '../src/index.ts'

/** The public keys (32 bytes each) the samples name as traveller, payer, provider and payee. */
export interface SampleKeys {
  traveller: Uint8Array
  provider: Uint8Array
}

const filled = (length: number, fill: number): Uint8Array => new Uint8Array(length).fill(fill)

/** A plan of one per-minute segment (2 a minute), a fixed price and a maximum. */
export const samplePricingPlan = (): PricingPlanWire => ({
  planId: 'p',
  price: 1,
  perMinPricing: [{ start: 0, rate: 2, interval: 60, end: 0 }],
  perKmPricing: [],
  maxPrice: 9
})

/** Valid terms of one leg: one seat on bus trip-1 from stop 2 to stop 5, under `samplePricingPlan()`. */
export const sampleLegTerms = (keys: SampleKeys): LegTerms => ({
  version: 1,
  district: 'test',
  package: filled(16, 7),
  legId: 'leg-1',
  traveller: keys.traveller,
  provider: keys.provider,
  mode: 'BUS',
  resource: 'trip-1',
  from: 2,
  to: 5,
  units: 1,
  departureTime: 1_000,
  arrivalTime: 1_600,
  price: 30,
  pricing: samplePricingPlan(),
  cancellation: NO_CANCELLATION_FEE,
  fromStopId: 's2',
  toStopId: 's5',
  distanceM: 2_400,
  co2G: 120,
  toLatE6: -63_000_000,
  toLonE6: 10_000_000
})

/**
 * One valid message of each mobility kind between `keys.traveller` and `keys.provider`. The hold request,
 * held and commit carry `sampleLegTerms(keys)`; the held, commit, leg state, usage report and receipt name the
 * same leg, and the release and booking reject the same package and leg id as those terms. The values are
 * not arbitrary for mobility-refusals.test.ts: its decoding side expects the protobuf decoder to refuse a
 * quote whose leg has a negative price, which it does with this leg's pricing plan after the price (with
 * NO_PRICING there the misread bytes decode and fail a later check instead).
 */
export function mobilitySamples(keys: SampleKeys): { [K in MobilityKind]: MobilityMessageOf[K] } {
  const leg = filled(32, 3)
  return {
    'service-offer': {
      version: 1,
      district: 'test',
      provider: keys.provider,
      seq: 1,
      issuedAt: 1,
      validUntil: 2,
      mode: 'BICYCLE',
      assetId: 'b-1',
      zones: ['u4xsu'],
      availableFrom: 0,
      availableUntil: 10,
      capacity: 1,
      socWh: 0,
      rangeM: 0,
      pricing: NO_PRICING,
      co2GPerKm: 0,
      agencyId: '',
      addrs: [new Uint8Array([4, 127, 0, 0, 1])],
      latE6: 63_430_000,
      lonE6: 10_390_000
    },
    'quote-request': {
      version: 1,
      district: 'test',
      id: filled(16, 5),
      traveller: keys.traveller,
      fromZone: 'u4xsu',
      toZone: 'u4xsv',
      departAfter: 10,
      arriveBy: 20,
      travellers: 1,
      modes: ['BUS', 'BICYCLE'],
      maxWalkingM: 500,
      accessibility: ['wheelchair'],
      expiresAt: 30
    },
    quote: {
      version: 1,
      request: filled(16, 5),
      provider: keys.provider,
      traveller: keys.traveller,
      legs: [
        {
          legId: 'l',
          mode: 'BUS',
          assetId: 'a',
          fromLatE6: -1,
          fromLonE6: 1,
          toLatE6: 2,
          toLonE6: -2,
          availableFrom: 0,
          availableUntil: 9,
          durationS: 60,
          distanceM: 100,
          price: 7,
          co2G: 1,
          pricing: samplePricingPlan(),
          cancellation: NO_CANCELLATION_FEE
        }
      ],
      issuedAt: 1,
      expiresAt: 2
    },
    'hold-request': { terms: sampleLegTerms(keys) },
    held: { leg, terms: sampleLegTerms(keys), providerSignature: filled(64, 9), holdUntil: 77 },
    commit: { leg, terms: sampleLegTerms(keys), travellerSignature: filled(64, 8), paymentKey: 'k', paymentDigest: 'd' },
    'leg-state': { leg, status: 'committed', fee: 0, refund: 5, refundDigest: 'x' },
    release: { leg, package: filled(16, 7), legId: 'leg-1', cancel: true },
    'booking-reject': { package: filled(16, 7), legId: 'leg-1', code: 'no-seat', detail: 'full' },
    'usage-report': { leg, seq: 3, seconds: 60, metres: 250, at: 99, ended: false },
    'usage-receipt': {
      version: 1,
      district: 'test',
      leg,
      nonce: 1,
      seconds: 60,
      metres: 250,
      total: 10,
      payer: keys.traveller,
      payee: keys.provider,
      issuedAt: 5
    }
  }
}
