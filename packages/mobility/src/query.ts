import { KvartalError, type Nanos } from '@kvartal/protocol'
import { distanceMetres, type Coordinate } from './geo.ts'
import {
  Mode,
  bothMasks,
  toCoord,
  tripsRunning,
  walkedMetres,
  wheelchairBlockedStops,
  wheelchairTrips,
  walkSeconds,
  type Footpath,
  type RunningTrips,
  type Timetable
} from './timetable.ts'

/** Where a leg or journey starts or ends: a stop of the timetable, or a coordinate. */
export type PlaceRef = { readonly stopId: string } | Coordinate

/**
 * An on-demand leg offered by a provider (shared bike, scooter, car-share), as quoted: TOMP-API mode,
 * fixed from and to, a ride duration, an all-in price and CO₂. Available for departures in
 * [availableFrom, availableUntil] (seconds since service-day start), whenever the traveller gets there.
 */
export interface OnDemandLeg {
  readonly id: string
  readonly provider: string
  readonly mode: Mode
  readonly from: PlaceRef
  readonly to: PlaceRef
  readonly durationS: number
  readonly price: Nanos
  /** grams */
  readonly co2: number
  /** metres */
  readonly distance: number
  readonly availableFrom?: number
  readonly availableUntil?: number
}

export interface JourneyQuery {
  readonly from: PlaceRef
  readonly to: PlaceRef
  /** seconds since service-day start */
  readonly departAfter: number
  /** walked metres over the whole journey */
  readonly maxWalkingM?: number
  /** most vehicle changes; a journey has at most maxTransfers + 1 vehicle legs */
  readonly maxTransfers?: number
  /** modes the traveller accepts; WALK is always allowed. Default: all. */
  readonly modes?: readonly Mode[]
  /** the service date (YYYYMMDD, see `serviceDate`): only trips whose calendar runs that day are boarded; absent = all */
  readonly serviceDate?: number
  /** no journey arriving later is wanted (an arrive-by search): labels past it are pruned; absent = none */
  readonly latestArrival?: number
  /** a traveller in a wheelchair: only trips known to have room (GTFS wheelchair_accessible 1), never at stops that rule it out */
  readonly wheelchair?: boolean
}

/**
 * 1,000 m of walking is about 14 minutes at planning speed, the usual ceiling journey planners offer;
 * three transfers covers nearly all urban trips (RAPTOR papers bound rounds at 4–8 for whole countries).
 */
export const defaultQueryOptions = { maxWalkingM: 1_000, maxTransfers: 3 } as const

/** A query that cannot be answered as asked; says which field is wrong. */
export class JourneyQueryError extends KvartalError {
  constructor(message: string) {
    super('ERR_JOURNEY_QUERY', message)
    this.name = 'JourneyQueryError'
  }
}

/**
 * The search graph of one query, shared by the planner and the reference enumeration so that both
 * search the same space: nodes 0..S-1 are stops, S is the origin, S+1 the destination, then one node
 * per distinct coordinate that an on-demand leg starts or ends at. Walking edges join origin, points,
 * stops and destination within the walking budget; stops also have the timetable's footpaths.
 * A walk never follows a walk.
 */
export interface QueryGraph {
  readonly tt: Timetable
  readonly stopCount: number
  readonly origin: number
  readonly destination: number
  readonly nodeCount: number
  readonly places: readonly Coordinate[]
  readonly maxWalkingM: number
  readonly maxLegs: number
  readonly departAfter: number
  /** labels arriving later are pruned (Infinity: none) */
  readonly latestArrival: number
  readonly patternAllowed: Uint8Array
  /** per pattern, the trips this query may board (running that date, accessible if asked); undefined: all */
  readonly running: RunningTrips
  /** per stop, 1 where this query may not board or alight; undefined: anywhere */
  readonly blockedStops: Uint8Array | undefined
  /** query-specific walks per node (in addition to stop footpaths) */
  readonly extraWalks: ReadonlyArray<readonly Footpath[]>
  readonly offersFrom: ReadonlyArray<readonly OnDemandLeg[]>
  readonly offerTo: ReadonlyMap<OnDemandLeg, number>
}

function checkWhole(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0) throw new JourneyQueryError(`${what} must be a whole non-negative number, got ${v}`)
}

export function prepareQuery(tt: Timetable, q: JourneyQuery, offers: readonly OnDemandLeg[] = []): QueryGraph {
  const maxWalkingM = q.maxWalkingM ?? defaultQueryOptions.maxWalkingM
  const maxTransfers = q.maxTransfers ?? defaultQueryOptions.maxTransfers
  checkWhole(q.departAfter, 'departAfter')
  checkWhole(maxWalkingM, 'maxWalkingM')
  checkWhole(maxTransfers, 'maxTransfers')
  const allowed = new Set<Mode>(q.modes ?? Object.values(Mode))
  const S = tt.stops.length
  const nodeOf = new Map<string, number>()
  const places: Coordinate[] = tt.stops.map(toCoord)
  const placeOf = (p: PlaceRef, what: string): Coordinate => {
    if ('stopId' in p) {
      const i = tt.stopIndex.get(p.stopId)
      if (i == null) throw new JourneyQueryError(`${what}: unknown stop_id ${p.stopId}`)
      return places[i]
    }
    if (!Number.isFinite(p.lat) || !Number.isFinite(p.lon)) throw new JourneyQueryError(`${what}: lat and lon must be numbers`)
    return p
  }
  places.push(placeOf(q.from, 'from'), placeOf(q.to, 'to'))
  const origin = S
  const destination = S + 1
  const usable = offers.filter(o => allowed.has(o.mode))
  const nodeFor = (p: PlaceRef, what: string): number => {
    if ('stopId' in p) {
      placeOf(p, what)
      return tt.stopIndex.get(p.stopId)!
    }
    const key = `${p.lat},${p.lon}`
    let n = nodeOf.get(key)
    if (n == null) {
      n = places.length
      places.push(placeOf(p, what))
      nodeOf.set(key, n)
    }
    return n
  }
  const offerFrom: number[] = []
  const offerTo = new Map<OnDemandLeg, number>()
  for (const o of usable) {
    checkWhole(o.durationS, `offer ${o.id} durationS`)
    checkWhole(o.price, `offer ${o.id} price`)
    checkWhole(o.co2, `offer ${o.id} co2`)
    offerFrom.push(nodeFor(o.from, `offer ${o.id} from`))
    offerTo.set(o, nodeFor(o.to, `offer ${o.id} to`))
  }
  const nodeCount = places.length
  const offersFrom: OnDemandLeg[][] = Array.from({ length: nodeCount }, () => [])
  usable.forEach((o, i) => {
    offersFrom[offerFrom[i]].push(o)
  })

  const w = tt.walking
  const extraWalks: Footpath[][] = Array.from({ length: nodeCount }, () => [])
  const walk = (from: number, to: number, straight: number): void => {
    const metres = walkedMetres(straight, w)
    if (metres <= maxWalkingM) extraWalks[from].push({ to, metres, seconds: walkSeconds(metres, w) })
  }
  const reach = Math.floor((maxWalkingM * 100) / w.detourPercent) + 1
  for (let p = S; p < nodeCount; p++) {
    for (const { index, metres } of tt.grid.within(places[p], reach)) {
      if (p !== destination) walk(p, index, metres)
      if (p !== origin) walk(index, p, metres)
    }
    for (let r = S; r < nodeCount; r++) {
      if (r === p || p === destination || r === origin) continue
      walk(p, r, distanceMetres(places[p], places[r]))
    }
  }
  const patternAllowed = Uint8Array.from(tt.patterns, p => (allowed.has(p.mode) ? 1 : 0))
  const running = bothMasks(tripsRunning(tt, q.serviceDate), q.wheelchair === true ? wheelchairTrips(tt) : undefined)
  const blockedStops = q.wheelchair === true ? wheelchairBlockedStops(tt) : undefined
  return {
    tt,
    stopCount: S,
    origin,
    destination,
    nodeCount,
    places,
    maxWalkingM,
    maxLegs: maxTransfers + 1,
    departAfter: q.departAfter,
    latestArrival: q.latestArrival ?? Infinity,
    patternAllowed,
    running,
    blockedStops,
    extraWalks,
    offersFrom,
    offerTo
  }
}

/** Departure time of an on-demand leg reached at `time`, or -1 if it is no longer available. */
export function offerDeparture(o: OnDemandLeg, time: number): number {
  const dep = Math.max(time, o.availableFrom ?? 0)
  return o.availableUntil != null && dep > o.availableUntil ? -1 : dep
}
