/**
 * Property tests of what a provider checks before it holds a leg (provider-bookings.ts: checkLegTerms,
 * then the inventory's hold), for a rental vehicle and for a transit operator, on leg terms a traveller
 * may send: an honest leg with any of its fields changed to another plausible or hostile value. The
 * provider holds the leg exactly when a reference written here from the rules says it should (the
 * mode, the vehicle, one unit, a window neither too long nor over, the provider's own pricing plan and
 * cancellation terms, at least its price; a trip it runs that day, between stops of that trip in their
 * order, not yet left, seats enough, the fare paid); every refusal is a BookingRefusedError or an
 * inventory refusal code, never another exception.
 * Seeded (protocol/testing/arbitraries.ts: FUZZ_SEED, `FC_SEED=<n>`); `npm run fuzz` runs them at nightly size.
 */
import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import { Inventory, buildTimetable, tripIndex, type Feed, type PricingPlan } from '@kvartal/mobility'
import type { LegTerms, PricingPlanWire } from '@kvartal/protocol'
import { BookingRefusedError, VEHICLE, checkLegTerms, type ProviderState } from '../src/index.ts'
import { fuzzParams } from '@kvartal/protocol/testing'

// 06:00 local time on Wednesday 17 June 2026 (Oslo, UTC+2)
const now = Date.UTC(2026, 5, 17, 4)

// ---- a rental bike ----
const plan: PricingPlan = {
  plan_id: 'bike',
  currency: 'IOTA',
  price: 1_000_000,
  per_min_pricing: [{ start: 0, rate: 20_000, interval: 1 }],
  per_km_pricing: [{ start: 1, rate: 5_000, interval: 1, end: 20 }],
  max_price: 9_000_000
}
/** the provider's plan on the wire, written out here (not with pricing-wire.ts) */
const planWire: PricingPlanWire = {
  planId: 'bike',
  price: 1_000_000,
  perMinPricing: [{ start: 0, rate: 20_000, interval: 1, end: 0 }],
  perKmPricing: [{ start: 1, rate: 5_000, interval: 1, end: 20 }],
  maxPrice: 9_000_000
}
const bike: ProviderState = {
  service: {
    kind: 'vehicle',
    mode: 'BICYCLE',
    position: { lat: 63.43, lon: 10.39 },
    pricing: plan,
    speedKmh: 15,
    cancellation: { freeUntilS: 300, feeNanos: 50_000, refundAfterStart: false },
    maxRentalMs: 2 * 3_600_000,
    co2GPerKm: 0
  },
  position: { lat: 63.43, lon: 10.39 },
  assetId: 'a1b2c3d4e5f6',
  inventory: new Inventory()
}
const bikeLeg: LegTerms = {
  version: 1,
  district: 'test',
  package: new Uint8Array(16).fill(1),
  legId: 'leg-0',
  traveller: new Uint8Array(32).fill(2),
  provider: new Uint8Array(32).fill(3),
  mode: 'BICYCLE',
  resource: 'a1b2c3d4e5f6',
  from: now + 60_000,
  to: now + 1_860_000,
  units: 1,
  departureTime: now + 60_000,
  arrivalTime: now + 1_860_000,
  price: 1_000_000,
  pricing: planWire,
  cancellation: { freeUntilS: 300, feeNanos: 50_000 },
  fromStopId: '',
  toStopId: '',
  distanceM: 4_000,
  co2G: 0,
  toLatE6: 63_440_000,
  toLonE6: 10_400_000
}

// ---- a bus line: stops A → B → C → D, one weekday trip and one weekend trip ----
const at = (h: number, m: number): number => h * 3600 + m * 60
const feed: Feed = {
  timezone: 'Europe/Oslo',
  stops: ['A', 'B', 'C', 'D'].map((id, i) => ({ stop_id: id, stop_name: id, stop_lat: 63.43 + i / 100, stop_lon: 10.39 })),
  routes: [{ route_id: 'R', route_type: 3, agency_id: 'atb', fare: 400_000, co2_per_km: 70 }],
  trips: [
    { trip_id: 'weekday', route_id: 'R', service_id: 'wd' },
    { trip_id: 'weekend', route_id: 'R', service_id: 'we' }
  ],
  stop_times: ['weekday', 'weekend'].flatMap(trip =>
    ['A', 'B', 'C', 'D'].map((stop, i) => ({
      trip_id: trip,
      stop_id: stop,
      stop_sequence: i + 1,
      arrival_time: at(8, 10 * i),
      departure_time: at(8, 10 * i)
    }))
  ),
  calendar: [
    {
      service_id: 'wd',
      monday: 1,
      tuesday: 1,
      wednesday: 1,
      thursday: 1,
      friday: 1,
      saturday: 0,
      sunday: 0,
      start_date: 20260101,
      end_date: 20261231
    },
    {
      service_id: 'we',
      monday: 0,
      tuesday: 0,
      wednesday: 0,
      thursday: 0,
      friday: 0,
      saturday: 1,
      sunday: 1,
      start_date: 20260101,
      end_date: 20261231
    }
  ]
}
const timetable = buildTimetable(feed)
const SEATS = 3
const bus: ProviderState = {
  service: {
    kind: 'transit',
    agencyId: 'atb',
    mode: 'BUS',
    timetable,
    seatsPerTrip: SEATS,
    cancellation: { freeUntilS: 600, feeNanos: 0, refundAfterStart: false },
    co2GPerKm: 70
  },
  position: { lat: 63.43, lon: 10.39 },
  assetId: 'atb',
  inventory: new Inventory(),
  trips: tripIndex(timetable)
}
const busLeg: LegTerms = {
  ...bikeLeg,
  mode: 'BUS',
  resource: 'weekday',
  from: 0,
  to: 2,
  units: 1,
  price: 400_000,
  pricing: { planId: '', price: 0, perMinPricing: [], perKmPricing: [], maxPrice: 0 },
  cancellation: { freeUntilS: 600, feeNanos: 0 },
  fromStopId: 'A',
  toStopId: 'C',
  departureTime: 0,
  arrivalTime: 0
}

/** one field of the terms changed: another plausible value, or a hostile one */
const big = fc.constantFrom(-1, 0, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER)
const STOPS = ['A', 'B', 'C', 'D']
const change = (base: LegTerms): fc.Arbitrary<Partial<LegTerms>> =>
  fc.oneof<Array<fc.Arbitrary<Partial<LegTerms>>>>(
    // a boarding or alighting stop of the trip, named consistently (or not: the single-field changes below)
    fc.nat({ max: 3 }).map(i => ({ from: i, fromStopId: STOPS[i] })),
    fc.nat({ max: 3 }).map(i => ({ to: i, toStopId: STOPS[i] })),
    fc.record({ mode: fc.constantFrom('BICYCLE', 'BUS', 'SCOOTER', 'CAR', 'WALK') }),
    fc.record({ resource: fc.constantFrom(base.resource, 'a1b2c3d4e5f7', 'weekend', 'weekday', 'nightbus', '') }),
    fc.record({ units: fc.oneof(fc.integer({ min: 0, max: SEATS + 2 }), big) }),
    fc.record({ from: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.integer({ min: now - 3_600_000, max: now + 3 * 3_600_000 }), big) }),
    fc.record({ to: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.integer({ min: now - 3_600_000, max: now + 3 * 3_600_000 }), big) }),
    fc.record({ price: fc.oneof(fc.integer({ min: 0, max: 2 * base.price + 1 }), big) }),
    fc.record({ fromStopId: fc.constantFrom('A', 'B', 'C', 'D', 'X', '') }),
    fc.record({ toStopId: fc.constantFrom('A', 'B', 'C', 'D', 'X', '') }),
    fc.record({
      cancellation: fc.oneof(
        fc.constant(undefined),
        fc.record({ freeUntilS: fc.constantFrom(0, 300, 600, 601), feeNanos: fc.constantFrom(0, 1, 50_000) })
      )
    }),
    fc.record({
      pricing: fc.oneof(
        fc.constant<PricingPlanWire>({ planId: '', price: 0, perMinPricing: [], perKmPricing: [], maxPrice: 0 }),
        // the provider's plan id with other rates, another unlock fee or cap, segments dropped: what a traveller would pay less under
        fc
          .record({
            rate: fc.constantFrom(0, 1, 20_000, 40_000),
            price: fc.constantFrom(0, 1_000_000),
            maxPrice: fc.constantFrom(0, 1_000_000, 9_000_000),
            km: fc.boolean(),
            id: fc.constantFrom('bike', 'scooter')
          })
          .map(x => ({
            ...planWire,
            planId: x.id,
            price: x.price,
            maxPrice: x.maxPrice,
            perMinPricing: [{ ...planWire.perMinPricing[0], rate: x.rate }],
            perKmPricing: x.km ? planWire.perKmPricing : []
          }))
      )
    })
  )
const termsFor = (base: LegTerms): fc.Arbitrary<LegTerms> =>
  fc.array(change(base), { maxLength: 3 }).map(cs => Object.assign({}, base, ...cs) as LegTerms)

const sameWirePlan = (a: PricingPlanWire | undefined, b: PricingPlanWire): boolean => JSON.stringify(a) === JSON.stringify(b)

/** The bike's rules, written out: what it must hold and nothing else. */
function bikeShouldHold(t: LegTerms): boolean {
  return (
    (t.cancellation?.freeUntilS ?? 0) === 300 &&
    (t.cancellation?.feeNanos ?? 0) === 50_000 &&
    t.mode === 'BICYCLE' &&
    t.resource === 'a1b2c3d4e5f6' &&
    t.units === 1 &&
    t.from < t.to &&
    t.to - t.from <= 2 * 3_600_000 &&
    t.to > now &&
    sameWirePlan(t.pricing, planWire) &&
    t.price >= 1_000_000
  )
}

/** The bus operator's rules, written out from the feed above, at `now`. */
function busShouldHold(t: LegTerms, now: number): boolean {
  const stops = STOPS
  const dayStart = Date.UTC(2026, 5, 16, 22) // Oslo midnight
  return (
    (t.cancellation?.freeUntilS ?? 0) === 600 &&
    (t.cancellation?.feeNanos ?? 0) === 0 &&
    t.resource === 'weekday' && // Wednesday: the weekend trip does not run, and no other trip exists
    Number.isInteger(t.from) &&
    t.from >= 0 &&
    t.from < t.to &&
    t.to < stops.length &&
    stops[t.from] === t.fromStopId &&
    stops[t.to] === t.toStopId &&
    dayStart + at(8, 10 * t.from) * 1000 >= now &&
    t.units >= 1 &&
    t.units <= SEATS &&
    t.price >= 400_000 * t.units
  )
}

/** What provider-bookings.ts does with the terms before it signs at `now`: the check, then the hold. */
function holds(state: ProviderState, t: LegTerms, now: number): boolean {
  const inventory = new Inventory()
  if (state.service.kind === 'vehicle') inventory.setCapacity(VEHICLE, 1)
  const s = { ...state, inventory }
  try {
    checkLegTerms(s, t, now)
  } catch (err) {
    expect(err).toBeInstanceOf(BookingRefusedError)
    return false
  }
  if (s.service.kind === 'transit' && !inventory.has(t.resource)) inventory.setCapacity(t.resource, SEATS)
  const r = inventory.hold(
    {
      package: 'p',
      leg: t.legId,
      resource: s.service.kind === 'vehicle' ? VEHICLE : t.resource,
      from: t.from,
      to: t.to,
      units: t.units,
      holdUntil: now + 10_000
    },
    now
  )
  if (!r.ok) expect(['no-capacity', 'unknown-resource', 'bad-interval', 'conflict']).toContain(r.code)
  return r.ok
}

describe('a provider holds exactly the legs its rules allow', () => {
  test.prop([termsFor(bikeLeg)], fuzzParams(300))('a rental vehicle', t => {
    expect(holds(bike, t, now)).toBe(bikeShouldHold(t))
  })

  // 06:00, and while the bus runs: it leaves A at 08:00, B at 08:10, C at 08:20
  test.prop(
    [termsFor(busLeg), fc.constantFrom(0, at(2, 0), at(2, 5), at(2, 10), at(2, 10) + 30, at(2, 15), at(2, 25)).map(s => now + s * 1000)],
    fuzzParams(300)
  )('a transit operator', (t, when) => {
    expect(holds(bus, t, when)).toBe(busShouldHold(t, when))
  })
})
