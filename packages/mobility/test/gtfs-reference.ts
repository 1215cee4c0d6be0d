/**
 * A reference journey search for tests that shares no code with the planner: it reads the raw GTFS
 * tables of the feed (stops, routes, trips, stop_times, calendar, calendar_dates, transfers) and the
 * on-demand offers, and uses its own geometry, its own service-day rule and its own dominance. Nothing
 * here imports from `../src` except types: no `prepareQuery`, no patterns, no `earliestTrip`, no
 * `offerDeparture`, no `paretoFilter`, no `dominates`. A query's `modes` filter routes (by GTFS
 * route_type) and on-demand legs; `latestArrival` is not modelled (it throws). Footpaths between stops
 * come from the feed's transfers table only: give it a feed with `transfers` (see `withTransfers`)
 * when stops are within walking distance of each other.
 *
 * Rules it reproduces (the planner's documented model):
 * - the journey starts at `from` at `departAfter`; places are stops, the origin, the destination and
 *   every distinct coordinate an on-demand leg starts or ends at;
 * - a walk joins two places at most `maxWalkingM` walked metres apart, where walked metres are the
 *   great-circle metres × detour and seconds are metres ÷ speed, rounded up; between two stops only a
 *   transfers.txt row is a walk; nothing walks into the origin or out of the destination; a walk never
 *   follows a walk; all walks together stay within `maxWalkingM`;
 * - a ride boards any trip that runs on the service date at any of its stop_times whose departure is
 *   at or after the traveller's arrival there, and alights at any later stop_time of that trip, paying
 *   the route's fare and the CO₂ of the segments ridden (each segment: its whole metres × g/km ÷ 1000,
 *   rounded); at most maxTransfers + 1 vehicle legs;
 * - an on-demand leg leaves when the traveller gets there or when it becomes available, whichever is
 *   later, and not after it stops being available.
 *
 * The search keeps, per place, every partial journey no other one there beats on all of arrival,
 * price, CO₂, vehicle legs, walked metres and the right to walk next (an exact rule: each extension of
 * the beaten one is beaten by the same extension of the other), then returns the Pareto set of the
 * journeys that reach the destination.
 */
import type { Feed, JourneyQuery, OnDemandLeg, PlaceRef } from '../src/index.ts'

export interface RefCriteria {
  arrivalTime: number
  price: number
  co2: number
  transfers: number
  walkingMetres: number
}
export interface RefArriveBy {
  departureTime: number
  price: number
  co2: number
  transfers: number
  walkingMetres: number
}

const R = 6_371_008
function metresBetween(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const toRad = Math.PI / 180
  const s1 = Math.sin(((b.lat - a.lat) * toRad) / 2)
  const s2 = Math.sin(((b.lon - a.lon) * toRad) / 2)
  const h = s1 * s1 + Math.cos(a.lat * toRad) * Math.cos(b.lat * toRad) * s2 * s2
  return Math.round(2 * R * Math.asin(Math.min(1, Math.sqrt(h))))
}

function runsOn(feed: Feed, serviceId: string | undefined, date: number | undefined): boolean {
  if (serviceId == null || serviceId === '' || date == null) return true
  if ((feed.calendar?.length ?? 0) + (feed.calendar_dates?.length ?? 0) === 0) return true
  const exception = feed.calendar_dates?.find(d => d.service_id === serviceId && d.date === date)
  if (exception != null) return exception.exception_type === 1
  const c = feed.calendar?.find(c => c.service_id === serviceId)
  if (c == null || date < c.start_date || date > c.end_date) return false
  const day = new Date(Date.UTC(Math.floor(date / 10000), (Math.floor(date / 100) % 100) - 1, date % 100)).getUTCDay()
  return [c.sunday, c.monday, c.tuesday, c.wednesday, c.thursday, c.friday, c.saturday][day] === 1
}

/** GTFS basic route types; any other is run as a bus (the planner's documented rule) */
const MODE_OF_ROUTE_TYPE: Record<number, string> = { 0: 'TRAM', 1: 'METRO', 2: 'RAIL', 3: 'BUS', 4: 'FERRY' }

/**
 * The feed with a transfers.txt written here (not by the library), so that planner and reference read
 * the same table: every pair of stops within 400 straight metres, walked metres = straight × 1.3,
 * minimum transfer time = the walk at 1.2 m/s plus `extra()` seconds (default 0).
 */
export function withTransfers<F extends Feed>(feed: F, extra: () => number = () => 0): F {
  const transfers: NonNullable<Feed['transfers']> = []
  for (const a of feed.stops) {
    for (const b of feed.stops) {
      if (a === b) continue
      const straight = metresBetween({ lat: a.stop_lat, lon: a.stop_lon }, { lat: b.stop_lat, lon: b.stop_lon })
      if (straight > 400) continue
      const distance = Math.round(straight * 1.3)
      transfers.push({
        from_stop_id: a.stop_id,
        to_stop_id: b.stop_id,
        transfer_type: 2,
        min_transfer_time: Math.ceil(distance / 1.2) + extra(),
        distance_m: distance
      })
    }
  }
  return { ...feed, transfers }
}

interface Walking {
  speedMmPerS: number
  detourPercent: number
}

/** `dep`: when the journey's first leg that moves the traveller left (null: none yet; a 0-metre walk does not count) */
interface Lab {
  at: number
  arr: number
  price: number
  co2: number
  legs: number
  walk: number
  canWalk: boolean
  dep: number | null
  dead?: boolean
}

function beats(a: Lab, b: Lab, byDeparture: boolean): boolean {
  if (!(a.arr <= b.arr && a.price <= b.price && a.co2 <= b.co2 && a.legs <= b.legs && a.walk <= b.walk && (a.canWalk || !b.canWalk)))
    return false
  if (!byDeparture) return true
  // leaving later is better. A journey not yet under way leaves at its next leg, no earlier than now;
  // one under way cannot be shown to beat it (the other's next leg may leave at any later time)
  if (b.dep == null) return a.dep == null && a.arr === b.arr
  return (a.dep ?? a.arr) >= b.dep
}

/**
 * Arrive-by: every journey leaving the origin at any second of [earliestDeparture, arriveBy] and
 * arriving by `arriveBy`, Pareto on (departure, later better; price; CO₂; transfers; walked metres),
 * one per distinct vector.
 */
export function referenceArriveBy(
  feed: Feed,
  q: Omit<JourneyQuery, 'departAfter'> & { earliestDeparture: number; arriveBy: number },
  offers: readonly OnDemandLeg[] = []
): RefArriveBy[] {
  const labels = search(feed, { ...q, departAfter: q.earliestDeparture }, offers, q.arriveBy)
  const found = labels.map(l => ({
    departureTime: l.dep ?? l.arr,
    price: l.price,
    co2: l.co2,
    transfers: Math.max(0, l.legs - 1),
    walkingMetres: l.walk
  }))
  const worse = (a: RefArriveBy, b: RefArriveBy): boolean =>
    b.departureTime >= a.departureTime &&
    b.price <= a.price &&
    b.co2 <= a.co2 &&
    b.transfers <= a.transfers &&
    b.walkingMetres <= a.walkingMetres &&
    (b.departureTime > a.departureTime ||
      b.price < a.price ||
      b.co2 < a.co2 ||
      b.transfers < a.transfers ||
      b.walkingMetres < a.walkingMetres)
  return unique(found.filter(a => !found.some(b => worse(a, b))))
}

function unique<T>(items: T[]): T[] {
  const seen = new Set<string>()
  return items.filter(c => {
    const k = JSON.stringify(c)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

export function referenceJourneys(feed: Feed, q: JourneyQuery, offers: readonly OnDemandLeg[] = []): RefCriteria[] {
  const found = search(feed, q, offers).map(l => ({
    arrivalTime: l.arr,
    price: l.price,
    co2: l.co2,
    transfers: Math.max(0, l.legs - 1),
    walkingMetres: l.walk
  }))
  const worse = (a: RefCriteria, b: RefCriteria): boolean =>
    // b no worse than a everywhere and better somewhere
    b.arrivalTime <= a.arrivalTime &&
    b.price <= a.price &&
    b.co2 <= a.co2 &&
    b.transfers <= a.transfers &&
    b.walkingMetres <= a.walkingMetres &&
    (b.arrivalTime < a.arrivalTime || b.price < a.price || b.co2 < a.co2 || b.transfers < a.transfers || b.walkingMetres < a.walkingMetres)
  return unique(found.filter(a => !found.some(b => worse(a, b))))
}

/** Partial journeys at the destination; with `deadline`, one start per second from departAfter to it, departure kept. */
function search(
  feed: Feed,
  q: JourneyQuery,
  offers: readonly OnDemandLeg[],
  deadline?: number,
  walking: Walking = { speedMmPerS: 1_200, detourPercent: 130 }
): Lab[] {
  const byDeparture = deadline != null
  const maxWalk = q.maxWalkingM ?? 1_000
  const maxLegs = (q.maxTransfers ?? 3) + 1
  const stopCount = feed.stops.length
  const stopNo = new Map(feed.stops.map((s, i) => [s.stop_id, i]))
  const coords: Array<{ lat: number; lon: number }> = feed.stops.map(s => ({ lat: s.stop_lat, lon: s.stop_lon }))
  const coordOf = (p: PlaceRef): { lat: number; lon: number } =>
    'stopId' in p ? coords[stopNo.get(p.stopId)!] : { lat: p.lat, lon: p.lon }
  coords.push(coordOf(q.from), coordOf(q.to))
  const origin = stopCount
  const dest = stopCount + 1
  const pointNo = new Map<string, number>()
  const placeNo = (p: PlaceRef): number => {
    if ('stopId' in p) return stopNo.get(p.stopId)!
    const k = `${p.lat},${p.lon}`
    if (!pointNo.has(k)) {
      pointNo.set(k, coords.length)
      coords.push({ lat: p.lat, lon: p.lon })
    }
    return pointNo.get(k)!
  }
  // latestArrival is not modelled here (referenceArriveBy has its own deadline)
  if (q.latestArrival != null) throw new Error('the reference does not model latestArrival')
  // a wheelchair boards only trips with wheelchair_accessible 1 and never gets on or off at a stop with wheelchair_boarding 2
  const chair = q.wheelchair === true
  const noChair = (stopId: string): boolean => chair && feed.stops[stopNo.get(stopId)!].wheelchair_boarding === 2
  const allowed = (mode: string): boolean => q.modes == null || q.modes.includes(mode as never)
  const offerEdges = offers.filter(o => allowed(o.mode)).map(o => ({ o, from: placeNo(o.from), to: placeNo(o.to) }))
  const n = coords.length

  // walks
  const walks: Array<Array<{ to: number; metres: number; seconds: number }>> = Array.from({ length: n }, () => [])
  const seconds = (metres: number): number => Math.ceil((metres * 1000) / walking.speedMmPerS)
  for (const t of feed.transfers ?? []) {
    const a = stopNo.get(t.from_stop_id)!
    const b = stopNo.get(t.to_stop_id)!
    if (a !== b && t.distance_m <= maxWalk) walks[a].push({ to: b, metres: t.distance_m, seconds: t.min_transfer_time })
  }
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b || (a < stopCount && b < stopCount) || b === origin || a === dest) continue
      const metres = Math.round((metresBetween(coords[a], coords[b]) * walking.detourPercent) / 100)
      if (metres <= maxWalk) walks[a].push({ to: b, metres, seconds: seconds(metres) })
    }
  }

  // rides: each running trip's stop_times in order, with the route's fare and per-segment CO₂
  const routes = new Map(feed.routes.map(r => [r.route_id, r]))
  const rows = new Map<string, typeof feed.stop_times>()
  for (const st of feed.stop_times) {
    if (!rows.has(st.trip_id)) rows.set(st.trip_id, [])
    rows.get(st.trip_id)!.push(st)
  }
  const boardAt: Array<Array<{ dep: number; alight: Array<{ to: number; arr: number; co2: number }>; fare: number }>> = Array.from(
    { length: stopCount },
    () => []
  )
  for (const trip of feed.trips) {
    const route = routes.get(trip.route_id)!
    if (!allowed(MODE_OF_ROUTE_TYPE[route.route_type] ?? 'BUS')) continue
    if (chair && trip.wheelchair_accessible !== 1) continue
    if (!runsOn(feed, trip.service_id, q.serviceDate)) continue
    const st = [...(rows.get(trip.trip_id) ?? [])].sort((a, b) => a.stop_sequence - b.stop_sequence)
    if (st.length < 2) continue
    const gram: number[] = [0]
    for (let i = 1; i < st.length; i++) {
      const m = metresBetween(coords[stopNo.get(st[i - 1].stop_id)!], coords[stopNo.get(st[i].stop_id)!])
      gram.push(gram[i - 1] + Math.round((m * route.co2_per_km) / 1000))
    }
    for (let i = 0; i < st.length - 1; i++) {
      if (noChair(st[i].stop_id)) continue
      const alight = []
      for (let j = i + 1; j < st.length; j++)
        if (!noChair(st[j].stop_id)) alight.push({ to: stopNo.get(st[j].stop_id)!, arr: st[j].arrival_time, co2: gram[j] - gram[i] })
      boardAt[stopNo.get(st[i].stop_id)!].push({ dep: st[i].departure_time, alight, fare: route.fare })
    }
  }

  const kept: Lab[][] = Array.from({ length: n }, () => [])
  const queue: Lab[] = []
  const add = (l: Lab): void => {
    const here = kept[l.at]
    if (deadline != null && l.arr > deadline) return
    if (here.some(k => beats(k, l, byDeparture))) return
    kept[l.at] = here.filter(k => {
      if (!beats(l, k, byDeparture)) return true
      k.dead = true
      return false
    })
    kept[l.at].push(l)
    queue.push(l)
  }
  for (let t = q.departAfter; t <= (deadline ?? q.departAfter); t++)
    add({ at: origin, arr: t, price: 0, co2: 0, legs: 0, walk: 0, canWalk: true, dep: null })
  while (queue.length > 0) {
    const l = queue.pop()!
    if (l.dead === true || l.at === dest) continue
    if (l.canWalk) {
      for (const w of walks[l.at]) {
        if (l.walk + w.metres <= maxWalk)
          add({
            at: w.to,
            arr: l.arr + w.seconds,
            price: l.price,
            co2: l.co2,
            legs: l.legs,
            walk: l.walk + w.metres,
            canWalk: false,
            dep: l.dep ?? (w.metres > 0 ? l.arr : null)
          })
      }
    }
    if (l.legs >= maxLegs) continue
    if (l.at < stopCount) {
      for (const b of boardAt[l.at]) {
        if (b.dep < l.arr) continue
        for (const a of b.alight)
          add({
            at: a.to,
            arr: a.arr,
            price: l.price + b.fare,
            co2: l.co2 + a.co2,
            legs: l.legs + 1,
            walk: l.walk,
            canWalk: true,
            dep: l.dep ?? b.dep
          })
      }
    }
    for (const e of offerEdges) {
      if (e.from !== l.at) continue
      const dep = Math.max(l.arr, e.o.availableFrom ?? 0)
      if (e.o.availableUntil != null && dep > e.o.availableUntil) continue
      add({
        at: e.to,
        arr: dep + e.o.durationS,
        price: l.price + e.o.price,
        co2: l.co2 + e.o.co2,
        legs: l.legs + 1,
        walk: l.walk,
        canWalk: true,
        dep: l.dep ?? dep
      })
    }
  }
  return kept[dest]
}
