import {
  KvartalError,
  mobilityLimits,
  type LegTerms,
  type PricingPlanWire,
  type QuoteRequest,
  type QuotedLeg,
  type ServiceOffer
} from '@kvartal/protocol'
import {
  distanceMetres,
  fareNanos,
  serviceDate,
  toE6,
  tripTimes,
  tripsRunning,
  zoneCentre,
  zoneOf,
  type Inventory,
  type TripLocation,
  type VehicleBudget
} from '@kvartal/mobility'
import { planToWire, cancellationToWire } from './pricing-wire.ts'
import { serviceDayStart, type ProviderService } from './provider-service.ts'

/**
 * What a provider offers and accepts, as functions of its service and its current state: the service
 * offer it gossips, the legs it quotes, and the check of a leg's terms before it holds anything.
 * `provider-desk.ts` owns the state, the journal and the ride streams; `provider-bookings.ts` answers the
 * booking streams.
 */

/** A booking refused by the provider: the code travels back to the traveller in a BookingReject. */
export class BookingRefusedError extends KvartalError {
  constructor(code: string, message: string) {
    super(code, message)
    this.name = 'BookingRefusedError'
  }
}

/** The inventory resource that is a vehicle itself (capacity 1, over time). */
export const VEHICLE = 'vehicle'

/** What the desk knows right now that an offer, a quote or a check depends on. */
export interface ProviderState {
  readonly service: ProviderService
  readonly position: { lat: number; lon: number }
  readonly assetId: string
  readonly inventory: Inventory
  readonly budget?: VehicleBudget
  readonly trips?: ReadonlyMap<string, TripLocation>
}

/** The unsigned service offer (base fields from the desk: seq, times, addresses). */
export function serviceOffer(
  p: ProviderState,
  base: Omit<
    ServiceOffer,
    | 'mode'
    | 'assetId'
    | 'zones'
    | 'capacity'
    | 'socWh'
    | 'rangeM'
    | 'pricing'
    | 'co2GPerKm'
    | 'agencyId'
    | 'latE6'
    | 'lonE6'
    | 'cancellation'
  >,
  now: number
): ServiceOffer {
  const s = p.service
  const common = { ...base, cancellation: cancellationToWire(s.cancellation) }
  if (s.kind === 'vehicle') {
    const busy = p.inventory.available(VEHICLE, now, now + 1, now) === 0
    return {
      ...common,
      mode: s.mode,
      assetId: p.assetId,
      zones: [zoneOf(p.position)],
      capacity: busy ? 0 : 1,
      socWh: p.budget?.socWh ?? 0,
      rangeM: p.budget == null ? 0 : Math.floor((Math.max(0, p.budget.socWh) * 1000) / Math.max(1, s.battery!.whPerKm)),
      pricing: planToWire(s.pricing),
      co2GPerKm: s.co2GPerKm,
      agencyId: '',
      latE6: toE6(p.position.lat),
      lonE6: toE6(p.position.lon)
    }
  }
  const zones = [...new Set(s.timetable.stops.map(st => zoneOf({ lat: st.stop_lat, lon: st.stop_lon })))].slice(0, mobilityLimits.maxZones)
  const fare = Math.min(...s.timetable.patterns.map(pt => pt.route.fare))
  return {
    ...common,
    mode: s.mode,
    assetId: '',
    zones,
    capacity: s.seatsPerTrip,
    socWh: 0,
    rangeM: 0,
    pricing: planToWire({ plan_id: `${s.agencyId}-flat`, currency: 'IOTA', price: Number.isFinite(fare) ? fare : 0 }),
    co2GPerKm: s.co2GPerKm,
    agencyId: s.agencyId,
    latE6: 0,
    lonE6: 0
  }
}

/**
 * The legs a vehicle quotes for a request: a ride from where it is parked to the centre of the
 * destination zone, if it serves the mode, the party and the accessibility needs, and is free (and has
 * the charge) for the whole ride from when the traveller could reach it. A transit operator quotes
 * nothing: its trips and fares are in the timetable the traveller plans on.
 */
export function quotedLegs(p: ProviderState, req: QuoteRequest, now: number): QuotedLeg[] {
  const s = p.service
  if (s.kind !== 'vehicle') return []
  if (req.modes.length > 0 && !req.modes.includes(s.mode)) return []
  if (req.travellers > 1 || !req.accessibility.every(a => (s.accessibility ?? []).includes(a))) return []
  const to = /^[0-9b-hjkmnp-z]{1,12}$/.test(req.toZone) ? zoneCentre(req.toZone) : undefined
  if (to == null) return []
  const metres = Math.round(distanceMetres(p.position, to) * 1.3)
  const seconds = Math.ceil((metres * 3.6) / s.speedKmh)
  // free for the whole ride, from when the traveller could reach it (a walk of up to 15 minutes) to its end
  const from = Math.max(now, req.departAfter)
  const free = p.inventory.available(VEHICLE, from, from + 15 * 60_000 + seconds * 1000, now) > 0
  if (!free || (p.budget != null && !p.budget.canRide(from, from + seconds * 1000, metres))) return []
  return [
    {
      legId: p.assetId,
      mode: s.mode,
      assetId: p.assetId,
      fromLatE6: toE6(p.position.lat),
      fromLonE6: toE6(p.position.lon),
      toLatE6: toE6(to.lat),
      toLonE6: toE6(to.lon),
      availableFrom: now,
      availableUntil: now + s.maxRentalMs,
      durationS: seconds,
      distanceM: metres,
      price: fareNanos(s.pricing, { seconds, metres }),
      co2G: Math.round((metres * s.co2GPerKm) / 1000),
      pricing: planToWire(s.pricing),
      cancellation: cancellationToWire(s.cancellation)
    }
  ]
}

/** The same pricing plan on the wire: id, unlock fee, cap and every segment. */
function samePlan(a: PricingPlanWire | undefined, b: PricingPlanWire): boolean {
  const sameSegments = (x: PricingPlanWire['perMinPricing'], y: PricingPlanWire['perMinPricing']): boolean =>
    x.length === y.length &&
    x.every((s, i) => s.start === y[i].start && s.rate === y[i].rate && s.interval === y[i].interval && s.end === y[i].end)
  return (
    a != null &&
    a.planId === b.planId &&
    a.price === b.price &&
    a.maxPrice === b.maxPrice &&
    sameSegments(a.perMinPricing, b.perMinPricing) &&
    sameSegments(a.perKmPricing, b.perKmPricing)
  )
}

/** Checks a leg's terms against what this provider sells; throws BookingRefusedError naming what is wrong. */
export function checkLegTerms(p: ProviderState, t: LegTerms, now: number): void {
  const s = p.service
  if ((t.cancellation?.freeUntilS ?? 0) !== s.cancellation.freeUntilS || (t.cancellation?.feeNanos ?? 0) !== s.cancellation.feeNanos) {
    throw new BookingRefusedError(
      'wrong-cancellation-terms',
      `this provider's cancellation terms are: free until ${s.cancellation.freeUntilS} ` +
        `s before departure, then ${s.cancellation.feeNanos} nanos`
    )
  }
  if (s.kind === 'vehicle') {
    if (t.mode !== s.mode) throw new BookingRefusedError('wrong-mode', `this vehicle is a ${s.mode}`)
    if (t.resource !== p.assetId)
      throw new BookingRefusedError('unknown-asset', `asset ${t.resource.slice(0, 16)} is not this vehicle's current id`)
    if (t.units !== 1) throw new BookingRefusedError('bad-units', 'a vehicle is rented as one unit')
    if (t.to - t.from > s.maxRentalMs) throw new BookingRefusedError('too-long', `rentals last at most ${s.maxRentalMs} ms`)
    if (t.to <= now) throw new BookingRefusedError('in-the-past', 'the rental window is over')
    // the whole plan, not its id alone: the ride is metered under the terms' plan, so a traveller who sent this
    // vehicle's plan id with rates of its own (none per minute, no unlock fee) rode for what it chose to pay
    if (!samePlan(t.pricing, planToWire(s.pricing)))
      throw new BookingRefusedError(
        'wrong-pricing',
        `this vehicle rents under plan ${s.pricing.plan_id} at its own rates (its service offer's pricing)`
      )
    if (t.price < s.pricing.price) throw new BookingRefusedError('price-too-low', `the unlock fee is ${s.pricing.price} nanos`)
    return
  }
  const loc = p.trips?.get(t.resource)
  if (loc == null) throw new BookingRefusedError('unknown-trip', `trip ${t.resource.slice(0, 40)} is not run by ${s.agencyId}`)
  const pattern = s.timetable.patterns[loc.pattern]
  if (pattern.route.agency_id != null && pattern.route.agency_id !== s.agencyId)
    throw new BookingRefusedError('unknown-trip', `trip ${t.resource} belongs to ${pattern.route.agency_id}`)
  if (t.to >= loc.stopIds.length || loc.stopIds[t.from] !== t.fromStopId || loc.stopIds[t.to] !== t.toStopId)
    throw new BookingRefusedError(
      'bad-stops',
      `trip ${t.resource} does not run from ${t.fromStopId} (position ${t.from}) to ${t.toStopId} (position ${t.to})`
    )
  // the service day the leg's departure names: today's, or yesterday's for a trip whose GTFS times pass 24:00
  const today = serviceDayStart(now, s.timetable.timezone)
  const yesterday = serviceDayStart(today - 1, s.timetable.timezone)
  const departs = tripTimes(s.timetable, loc, t.from).departure * 1000
  const dayStart = yesterday + departs === t.departureTime ? yesterday : today
  if (tripsRunning(s.timetable, serviceDate(dayStart, s.timetable.timezone))?.[loc.pattern][loc.trip] === 0) {
    throw new BookingRefusedError(
      'not-running',
      `trip ${t.resource} does not run on ${serviceDate(dayStart, s.timetable.timezone)} (its service calendar)`
    )
  }
  const dep = dayStart + departs
  if (dep < now) throw new BookingRefusedError('departed', `trip ${t.resource} has left ${t.fromStopId}`)
  if (t.units > s.seatsPerTrip) throw new BookingRefusedError('no-capacity', `a trip has ${s.seatsPerTrip} seats`)
  if (t.price < pattern.route.fare * t.units)
    throw new BookingRefusedError('price-too-low', `the fare is ${pattern.route.fare} nanos per traveller`)
}
