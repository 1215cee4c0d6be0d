import { randomBytes } from 'node:crypto'
import { KvartalError, seal, toHex, type Clock, type LegTerms, type Quote } from '@kvartal/protocol'
import {
  Mode,
  buildTimetable,
  fromE6,
  toE6,
  planArriveBy,
  planJourneys,
  serviceDate,
  serviceDayStart,
  tripIndex,
  zoneAndNeighbours,
  zoneOf,
  type Coordinate,
  type Journey,
  type JourneyLeg,
  type OnDemandLeg,
  type PlanResult,
  type PreferenceWeights,
  type Timetable,
  type TripLocation
} from '@kvartal/mobility'
import type { NodeIdentity } from '@kvartal/mesh'
import { stepId, type Emit } from '../events.ts'
import { planFromWire } from './pricing-wire.ts'
import { exchangeWithProvider, type ProviderLink } from './provider-link.ts'

/** What a traveller asks for. Times in ms since the Unix epoch; places exact (they stay on this node). */
export interface JourneyRequest {
  readonly from: Coordinate
  readonly to: Coordinate
  /** leave no earlier than this; with only `arriveBy`, the search starts two hours before it */
  readonly departAfter?: number
  /** arrive no later than this (journeys that arrive later are dropped) */
  readonly arriveBy?: number
  /** modes to avoid (the rest of `modes`, or of all modes) */
  readonly avoidModes?: readonly Mode[]
  readonly travellers?: number
  readonly modes?: readonly Mode[]
  readonly maxWalkingM?: number
  readonly maxTransfers?: number
  readonly accessibility?: readonly string[]
  readonly weights?: PreferenceWeights
  /** how many nearby vehicles to ask for quotes */
  readonly maxQuotes?: number
}

export interface JourneyPlan extends PlanResult {
  readonly request: JourneyRequest & { readonly departAfter: number }
  /** service-day start the journeys' times (seconds) count from */
  readonly dayStartMs: number
  /** on-demand legs by offer id: who quoted them, until when */
  readonly quotes: ReadonlyMap<string, { provider: Uint8Array; leg: Quote['legs'][number]; expiresAt: number; addrs: Uint8Array[] }>
  /** the id of this plan's `journey-planned` event: the parent of a booking made from it */
  readonly event: string
}

/** A journey that cannot be booked as asked (no provider for a leg, no ledger). */
export class BookingError extends KvartalError {
  constructor(code: string, message: string) {
    super(code, message)
    this.name = 'BookingError'
  }
}

export interface JourneyPlannerDeps extends ProviderLink {
  readonly identity: NodeIdentity
  readonly district: string
  readonly clock: Clock
  /** the district's GTFS timetable, when it has transit */
  readonly timetable?: Timetable
  /** GTFS agency_id → the key (hex) of the node that sells its tickets */
  readonly operators?: Readonly<Record<string, string>>
  readonly emit: Emit
}

const EMPTY_TIMETABLE = buildTimetable({ stops: [], routes: [], trips: [], stop_times: [] })

/**
 * Trip id → where it runs, per timetable object. A timetable is not changed once built, and the index
 * is only read, so every planner given the same object can share one: a node builds it once as before,
 * and a simulator whose nodes all plan on the district's one timetable no longer builds it once per
 * node (118 KB each on the default day's 1,212 trips; what a journey plans and books is unchanged).
 */
const tripIndexes = new WeakMap<Timetable, Map<string, TripLocation>>()
export function sharedTripIndex(tt: Timetable): ReadonlyMap<string, TripLocation> {
  let index = tripIndexes.get(tt)
  if (index == null) {
    index = tripIndex(tt)
    tripIndexes.set(tt, index)
  }
  return index
}
const EMPTY_PLAN = { planId: '', price: 0, perMinPricing: [], perKmPricing: [], maxPrice: 0 }

/**
 * The traveller's planning: quotes from the vehicles around the origin (coarse zones only), McRAPTOR
 * over the timetable and the quoted legs on this node, and the signed terms each leg of a chosen
 * journey is booked under, with the provider that sells it.
 */
export class JourneyPlanner {
  readonly #d: JourneyPlannerDeps
  readonly #trips: ReadonlyMap<string, TripLocation>
  readonly #routeAgency = new Map<string, string>()

  constructor(deps: JourneyPlannerDeps) {
    this.#d = deps
    const tt = deps.timetable ?? EMPTY_TIMETABLE
    this.#trips = sharedTripIndex(tt)
    for (const p of tt.patterns) this.#routeAgency.set(p.route.route_id, p.route.agency_id ?? '')
  }

  get timetable(): Timetable {
    return this.#d.timetable ?? EMPTY_TIMETABLE
  }

  async plan(req: JourneyRequest): Promise<JourneyPlan> {
    const { clock, identity, district, services, signal } = this.#d
    const now = clock.now()
    if (req.departAfter == null && req.arriveBy == null)
      throw new BookingError('bad-request', 'a journey request needs departAfter or arriveBy')
    // arrive-by is searched forward from two hours before (a reverse search would find the latest departure)
    const departAfter = req.departAfter ?? Math.max(now, req.arriveBy! - 2 * 3_600_000)
    const modes = req.avoidModes == null ? req.modes : (req.modes ?? Object.values(Mode)).filter(m => !req.avoidModes!.includes(m))
    const dayStartMs = serviceDayStart(departAfter, this.timetable.timezone)
    const fromZone = zoneOf(req.from)
    const toZone = zoneOf(req.to)
    const near = new Set(zoneAndNeighbours(fromZone))
    const travellers = req.travellers ?? 1
    const candidates = services
      .vehicles(
        now,
        near,
        modes?.filter(m => m !== 'WALK')
      )
      .sort((a, b) => dist(a.offer, req.from) - dist(b.offer, req.from))
      .slice(0, req.maxQuotes ?? 6)
    const quotes = new Map<string, { provider: Uint8Array; leg: Quote['legs'][number]; expiresAt: number; addrs: Uint8Array[] }>()
    const offers: OnDemandLeg[] = []
    const request = {
      version: 1,
      district,
      id: randomBytes(16),
      traveller: identity.signer.publicKey,
      fromZone,
      toZone,
      departAfter,
      arriveBy: req.arriveBy ?? 0,
      travellers,
      modes: [...(modes ?? [])].filter(m => m !== 'WALK'),
      maxWalkingM: req.maxWalkingM ?? 1_000,
      accessibility: [...(req.accessibility ?? [])],
      expiresAt: now + 60_000
    }
    const sealed = seal('quote-request', request, identity.signer)
    await Promise.all(
      candidates.map(async c => {
        try {
          const answer = await exchangeWithProvider(this.#d, c.offer.provider, sealed, ['quote'])
          const q = answer.message as Quote
          if (!Buffer.from(answer.signer).equals(Buffer.from(c.offer.provider)) || !Buffer.from(q.request).equals(request.id)) return
          for (const l of q.legs) {
            const id = `${toHex(c.offer.provider).slice(0, 16)}:${l.legId}`
            quotes.set(id, { provider: c.offer.provider, leg: l, expiresAt: q.expiresAt, addrs: c.offer.addrs })
            offers.push({
              id,
              provider: toHex(c.offer.provider),
              mode: l.mode as Mode,
              from: { lat: fromE6(l.fromLatE6), lon: fromE6(l.fromLonE6) },
              to: { lat: fromE6(l.toLatE6), lon: fromE6(l.toLonE6) },
              durationS: l.durationS,
              price: l.price,
              co2: l.co2G,
              distance: l.distanceM,
              availableFrom: Math.max(0, Math.floor((Math.max(l.availableFrom, departAfter) - dayStartMs) / 1000)),
              availableUntil: Math.floor((Math.min(l.availableUntil, q.expiresAt + 3_600_000) - dayStartMs) / 1000)
            })
          }
        } catch (err) {
          if (!signal.aborted)
            this.#d.emit({
              type: 'negotiation-failed',
              code: 'quote-failed',
              detail: (err as Error).message,
              peer: toHex(c.offer.provider)
            })
        }
      })
    )
    const query = {
      from: req.from,
      to: req.to,
      ...(req.maxWalkingM != null ? { maxWalkingM: req.maxWalkingM } : {}),
      ...(req.maxTransfers != null ? { maxTransfers: req.maxTransfers } : {}),
      ...(modes != null ? { modes } : {}),
      serviceDate: serviceDate(dayStartMs, this.timetable.timezone),
      ...(req.accessibility?.includes('WHEELCHAIR') === true ? { wheelchair: true } : {})
    }
    const startS = Math.floor((departAfter - dayStartMs) / 1000)
    // arrive-by: the journeys that leave latest and still arrive in time (a range of forward searches, arrive-by.ts)
    let result: PlanResult =
      req.arriveBy == null
        ? planJourneys(this.timetable, { ...query, departAfter: startS }, offers, req.weights)
        : planArriveBy(
            this.timetable,
            { ...query, earliestDeparture: startS, arriveBy: Math.floor((req.arriveBy - dayStartMs) / 1000) },
            offers,
            req.weights
          )
    // after midnight, the previous service day's trips whose GTFS times pass 24:00 still run: the earlier arrival wins
    let planDayStartMs = dayStartMs
    if (req.arriveBy == null) {
      const prevStartMs = serviceDayStart(dayStartMs - 1, this.timetable.timezone)
      const prevS = Math.floor((departAfter - prevStartMs) / 1000)
      if (latestTimeS(this.timetable) >= prevS) {
        const shift = Math.round((dayStartMs - prevStartMs) / 1000)
        const prev = planJourneys(
          this.timetable,
          { ...query, serviceDate: serviceDate(prevStartMs, this.timetable.timezone), departAfter: prevS },
          offers.map(o => ({
            ...o,
            ...(o.availableFrom != null ? { availableFrom: o.availableFrom + shift } : {}),
            ...(o.availableUntil != null ? { availableUntil: o.availableUntil + shift } : {})
          })),
          req.weights
        )
        if (firstArrivalMs(prev, prevStartMs) < firstArrivalMs(result, dayStartMs)) {
          result = prev
          planDayStartMs = prevStartMs
        }
      }
    }
    const event = stepId(this.#d.identity.id, toHex(randomBytes(8)), 'planned')
    this.#d.emit({
      type: 'journey-planned',
      detail: `${result.journeys.length} journeys, ${offers.length} quoted legs from ${candidates.length} vehicles`,
      id: event
    })
    return { ...result, request: { ...req, departAfter }, dayStartMs: planDayStartMs, quotes, event }
  }

  /** The legs of a journey as terms to sign: one per vehicle leg, with the provider that sells it. */
  termsFor(plan: JourneyPlan, journey: Journey, pkg: Uint8Array): Array<{ terms: LegTerms; provider: Uint8Array }> {
    const { district, identity, clock, services } = this.#d
    const now = clock.now()
    const travellers = plan.request.travellers ?? 1
    const out: Array<{ terms: LegTerms; provider: Uint8Array }> = []
    journey.legs.forEach((l: JourneyLeg, i) => {
      if (l.mode === 'WALK') return
      const base = {
        version: 1,
        district,
        package: pkg,
        legId: `leg-${i}`,
        traveller: identity.signer.publicKey,
        mode: l.mode,
        units: travellers,
        departureTime: plan.dayStartMs + l.departureTime * 1000,
        arrivalTime: plan.dayStartMs + l.arrivalTime * 1000,
        distanceM: l.distance,
        co2G: l.co2
      }
      if (l.tripId != null) {
        const loc = this.#trips.get(l.tripId)
        const agency = this.#routeAgency.get(l.routeId ?? '') ?? ''
        const trusted = this.#d.operators?.[agency]
        const operator = services.operator(agency, now, trusted)
        if (loc == null || operator == null) {
          const claims = services.claimants(agency, now).length
          if (loc != null && trusted == null && claims > 1)
            throw new BookingError(
              'ambiguous-operator',
              `${claims} nodes claim to sell tickets for agency ${agency}: name its operator's key in mobility.operators`
            )
          throw new BookingError(
            'no-provider',
            `no operator sells tickets for trip ${l.tripId} (agency ` +
              `${agency || 'unknown'}${trusted != null ? `, operator ${trusted.slice(0, 12)}` : ''})`
          )
        }
        const from = loc.stopIds.indexOf(l.from.stopId ?? '')
        const to = loc.stopIds.indexOf(l.to.stopId ?? '', from + 1)
        if (from < 0 || to < 0) throw new BookingError('bad-leg', `trip ${l.tripId} does not run from ${l.from.stopId} to ${l.to.stopId}`)
        out.push({
          provider: operator.offer.provider,
          terms: {
            ...base,
            provider: operator.offer.provider,
            resource: l.tripId,
            from,
            to,
            price: l.price * travellers,
            pricing: EMPTY_PLAN,
            cancellation: operator.offer.cancellation ?? { freeUntilS: 0, feeNanos: 0 },
            fromStopId: l.from.stopId ?? '',
            toStopId: l.to.stopId ?? '',
            toLatE6: 0,
            toLonE6: 0
          }
        })
        return
      }
      const q = plan.quotes.get(l.legId ?? '')
      if (q == null) throw new BookingError('no-provider', `leg ${i} (${l.mode}) has no quote`)
      const plan0 = planFromWire(q.leg.pricing)
      // pay per use: the unlock fee at checkout, the use by cumulative receipts
      out.push({
        provider: q.provider,
        terms: {
          ...base,
          units: 1,
          provider: q.provider,
          resource: q.leg.assetId,
          from: base.departureTime,
          to: base.arrivalTime,
          price: plan0?.price ?? l.price,
          pricing: q.leg.pricing ?? EMPTY_PLAN,
          cancellation: q.leg.cancellation ?? { freeUntilS: 0, feeNanos: 0 },
          fromStopId: '',
          toStopId: '',
          toLatE6: toE6(l.to.lat),
          toLonE6: toE6(l.to.lon)
        }
      })
    })
    return out
  }
}

function dist(o: { latE6: number; lonE6: number }, c: Coordinate): number {
  const dLat = fromE6(o.latE6) - c.lat
  const dLon = (fromE6(o.lonE6) - c.lon) * Math.cos((c.lat * Math.PI) / 180)
  return dLat * dLat + dLon * dLon
}

/** The latest time of any trip of a timetable, seconds of its service day (past 86,400 for trips after midnight). */
const latestTimes = new WeakMap<Timetable, number>()
function latestTimeS(tt: Timetable): number {
  let t = latestTimes.get(tt)
  if (t == null) {
    t = 0
    for (const p of tt.patterns) for (const x of p.arr) if (x > t) t = x
    latestTimes.set(tt, t)
  }
  return t
}

/** When a plan's first journey arrives, ms (Infinity without one). */
function firstArrivalMs(r: PlanResult, dayStartMs: number): number {
  return r.journeys.length === 0 ? Infinity : dayStartMs + Math.min(...r.journeys.map(j => j.arrivalTime)) * 1000
}
