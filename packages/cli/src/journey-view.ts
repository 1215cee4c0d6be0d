import { decodeLegTerms, fromHex } from '@kvartal/protocol'
import type { Journey, JourneyLeg, LegPlace, Timetable } from '@kvartal/mobility'
import type { JourneyPlan, PackageRecord } from '@kvartal/node'

/**
 * What the control API answers, as plain JSON: money in integer nanos, CO₂ in grams, distances in
 * metres, times both as ISO strings and as whole seconds since the service day's start (GTFS's clock).
 * Coordinates are decimal degrees, the only fractions.
 */

export interface PlaceView {
  readonly lat: number
  readonly lon: number
  readonly stopId?: string
  readonly name?: string
}

export interface LegView {
  readonly mode: string
  readonly from: PlaceView
  readonly to: PlaceView
  readonly departure: string
  readonly arrival: string
  readonly departureS: number
  readonly arrivalS: number
  readonly durationS: number
  /** nanos */
  readonly price: number
  /** grams */
  readonly co2: number
  /** metres */
  readonly distance: number
  /** metres walked in this leg */
  readonly walking: number
  readonly routeId?: string
  readonly tripId?: string
  readonly provider?: string
}

export interface JourneyView {
  /** its number in the plan, 1 = first (what `pick` takes) */
  readonly number: number
  readonly labels: string[]
  readonly departure: string
  readonly arrival: string
  readonly departureS: number
  readonly arrivalS: number
  readonly durationS: number
  readonly price: number
  readonly co2: number
  readonly transfers: number
  readonly walkingMetres: number
  readonly legs: LegView[]
}

export interface PlanView {
  readonly plan: string
  readonly request: {
    from: PlaceView
    to: PlaceView
    departAfter: string
    arriveBy?: string
    modes?: readonly string[]
    avoidModes?: readonly string[]
    maxWalkingM?: number
    maxTransfers?: number
    travellers: number
    accessibility?: readonly string[]
  }
  readonly serviceDay: string
  readonly expiresAt: string
  readonly journeys: JourneyView[]
  /** journey number per label; absent when there is no journey */
  readonly labels: Partial<Record<'fastest' | 'cheapest' | 'greenest' | 'fewestTransfers', number>>
  readonly preferred: number | null
  /** on-demand legs quoted by vehicles for this plan */
  readonly quotes: number
}

const iso = (ms: number): string => new Date(ms).toISOString()

function place(p: LegPlace, tt: Timetable): PlaceView {
  const name = p.name ?? (p.stopId != null ? tt.stops[tt.stopIndex.get(p.stopId) ?? -1]?.stop_name : undefined)
  return { lat: p.lat, lon: p.lon, ...(p.stopId != null ? { stopId: p.stopId } : {}), ...(name != null && name !== '' ? { name } : {}) }
}

function leg(l: JourneyLeg, dayStartMs: number, tt: Timetable): LegView {
  return {
    mode: l.mode,
    from: place(l.from, tt),
    to: place(l.to, tt),
    departure: iso(dayStartMs + l.departureTime * 1000),
    arrival: iso(dayStartMs + l.arrivalTime * 1000),
    departureS: l.departureTime,
    arrivalS: l.arrivalTime,
    durationS: l.arrivalTime - l.departureTime,
    price: l.price,
    co2: l.co2,
    distance: l.distance,
    walking: l.mode === 'WALK' ? l.distance : 0,
    ...(l.routeId != null ? { routeId: l.routeId } : {}),
    ...(l.tripId != null ? { tripId: l.tripId } : {}),
    ...(l.provider != null ? { provider: l.provider } : {})
  }
}

export function journeyView(j: Journey, number: number, labels: string[], dayStartMs: number, tt: Timetable): JourneyView {
  return {
    number,
    labels,
    departure: iso(dayStartMs + j.departureTime * 1000),
    arrival: iso(dayStartMs + j.arrivalTime * 1000),
    departureS: j.departureTime,
    arrivalS: j.arrivalTime,
    durationS: j.arrivalTime - j.departureTime,
    price: j.price,
    co2: j.co2,
    transfers: j.transfers,
    walkingMetres: j.walkingMetres,
    legs: j.legs.map(l => leg(l, dayStartMs, tt))
  }
}

/** The labels each journey of a plan carries (fastest, cheapest, greenest, fewestTransfers, preferred). */
export function labelsOf(plan: JourneyPlan): Map<Journey, string[]> {
  const out = new Map<Journey, string[]>(plan.journeys.map(j => [j, []]))
  for (const r of plan.ranked) out.get(r.journey)?.push(r.label)
  if (plan.preferred != null) out.get(plan.preferred)?.push('preferred')
  return out
}

export function planView(id: string, plan: JourneyPlan, expiresAt: number, tt: Timetable): PlanView {
  const labels = labelsOf(plan)
  const number = (j: Journey | undefined): number => (j == null ? 0 : plan.journeys.indexOf(j) + 1)
  const r = plan.request
  return {
    plan: id,
    request: {
      from: r.from,
      to: r.to,
      departAfter: iso(r.departAfter),
      ...(r.arriveBy != null ? { arriveBy: iso(r.arriveBy) } : {}),
      travellers: r.travellers ?? 1,
      ...(r.modes != null ? { modes: r.modes } : {}),
      ...(r.avoidModes != null ? { avoidModes: r.avoidModes } : {}),
      ...(r.maxWalkingM != null ? { maxWalkingM: r.maxWalkingM } : {}),
      ...(r.maxTransfers != null ? { maxTransfers: r.maxTransfers } : {}),
      ...(r.accessibility != null && r.accessibility.length > 0 ? { accessibility: r.accessibility } : {})
    },
    serviceDay: iso(plan.dayStartMs),
    expiresAt: iso(expiresAt),
    journeys: plan.journeys.map((j, i) => journeyView(j, i + 1, labels.get(j) ?? [], plan.dayStartMs, tt)),
    labels: Object.fromEntries(plan.ranked.map(x => [x.label, number(x.journey)]).filter(([, n]) => (n as number) > 0)),
    preferred: plan.preferred != null ? number(plan.preferred) : null,
    quotes: plan.quotes.size
  }
}

export interface PackageLegView {
  readonly legId: string
  readonly mode: string
  /** the trip (transit) or the vehicle's public id */
  readonly resource: string
  readonly fromStopId?: string
  readonly toStopId?: string
  readonly departure: string
  readonly arrival: string
  readonly price: number
  readonly status: string
  readonly provider: string
  readonly code?: string
  readonly fee?: number
  readonly refund?: number
  readonly refundDigest?: string
}

export interface PackageView {
  readonly package: string
  readonly status: string
  readonly phase: string
  readonly total: number
  readonly createdAt: string
  readonly departure: string
  readonly arrival: string
  readonly co2: number
  readonly paymentDigest?: string
  readonly reason?: string
  readonly legs: PackageLegView[]
}

export function packageView(id: string, r: PackageRecord): PackageView {
  return {
    package: id,
    status: r.status,
    phase: r.phase,
    total: r.total,
    createdAt: iso(r.createdAt),
    departure: iso(r.departureTime),
    arrival: iso(r.arrivalTime),
    co2: r.co2,
    ...(r.paymentDigest != null && r.paymentDigest !== '' ? { paymentDigest: r.paymentDigest } : {}),
    ...(r.reason != null ? { reason: r.reason } : {}),
    legs: r.legs.map((l): PackageLegView => {
      const t = decodeLegTerms(fromHex(l.terms))
      return {
        legId: l.legId,
        mode: t.mode,
        resource: t.resource,
        ...(t.fromStopId !== '' ? { fromStopId: t.fromStopId } : {}),
        ...(t.toStopId !== '' ? { toStopId: t.toStopId } : {}),
        departure: iso(t.departureTime),
        arrival: iso(t.arrivalTime),
        price: t.price,
        status: l.status,
        provider: l.provider,
        ...(l.code != null ? { code: l.code } : {}),
        ...(l.fee != null ? { fee: l.fee } : {}),
        ...(l.refund != null ? { refund: l.refund } : {}),
        ...(l.refundDigest != null && l.refundDigest !== '' ? { refundDigest: l.refundDigest } : {})
      }
    })
  }
}
