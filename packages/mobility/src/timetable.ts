import type { Nanos } from '@kvartal/protocol'
import { distanceMetres, GridIndex } from './geo.ts'
import { TimetableError } from './timetable-error.ts'
import { ServiceCalendar, type GtfsCalendar, type GtfsCalendarDate } from './calendar.ts'

/**
 * A GTFS-shaped timetable. Field names are GTFS's own, so a real feed maps onto it field by field.
 * Units inside Kvartal: times in whole seconds since the start of the service day (GTFS allows > 24 h),
 * prices in integer IOTA nanos, CO₂ in integer grams, distances in integer metres.
 *
 * Two extensions GTFS lacks, kept deliberately simple:
 * - `fare` on a route: a flat price in nanos paid on every boarding of that route (no zones, no
 *   transfer discounts; GTFS fares v2 can be mapped onto it later).
 * - `co2_per_km` on a route: grams of CO₂ per passenger-kilometre, charged by straight-line distance
 *   between consecutive stops.
 * Service calendars (calendar.txt, calendar_dates.txt) decide which trips run on a given service date
 * (`tripsRunning`); a feed without them runs every trip every day.
 */

/** Mode names from TOMP-API v2 (asset classes) and NeTEx; WALK is always allowed. */
export const Mode = {
  WALK: 'WALK',
  BICYCLE: 'BICYCLE',
  SCOOTER: 'SCOOTER',
  CAR: 'CAR',
  BUS: 'BUS',
  TRAM: 'TRAM',
  METRO: 'METRO',
  RAIL: 'RAIL',
  FERRY: 'FERRY'
} as const
export type Mode = (typeof Mode)[keyof typeof Mode]

/** GTFS route_type (basic values) to mode; anything else is treated as a bus. */
export function modeOfRouteType(routeType: number): Mode {
  switch (routeType) {
    case 0:
      return Mode.TRAM
    case 1:
      return Mode.METRO
    case 2:
      return Mode.RAIL
    case 4:
      return Mode.FERRY
    default:
      return Mode.BUS
  }
}

/** `wheelchair_boarding`: 0 or absent no information, 1 possible, 2 not possible (GTFS) */
export interface GtfsStop {
  stop_id: string
  stop_name: string
  stop_lat: number
  stop_lon: number
  wheelchair_boarding?: number
}
export interface GtfsRoute {
  route_id: string
  route_short_name?: string
  route_type: number
  agency_id?: string
  /** flat fare per boarding, nanos (Kvartal extension) */
  fare: Nanos
  /** grams of CO₂ per passenger-km (Kvartal extension) */
  co2_per_km: number
}
/** `wheelchair_accessible`: 0 or absent no information, 1 room for at least one wheelchair, 2 none (GTFS) */
export interface GtfsTrip {
  trip_id: string
  route_id: string
  service_id?: string
  wheelchair_accessible?: number
}
export interface GtfsStopTime {
  trip_id: string
  arrival_time: number
  departure_time: number
  stop_id: string
  stop_sequence: number
}
/** transfers.txt row, transfer_type 2 (minimum time), plus the walking distance. */
export interface GtfsTransfer {
  from_stop_id: string
  to_stop_id: string
  transfer_type: 2
  min_transfer_time: number
  distance_m: number
}

export interface Feed {
  stops: GtfsStop[]
  routes: GtfsRoute[]
  trips: GtfsTrip[]
  stop_times: GtfsStopTime[]
  /** footpaths between nearby stops; computed from coordinates when absent */
  transfers?: GtfsTransfer[]
  /** agency_timezone (IANA, e.g. Europe/Oslo): GTFS times count from noon minus 12 h local time; absent = UTC */
  timezone?: string
  calendar?: GtfsCalendar[]
  calendar_dates?: GtfsCalendarDate[]
}

export interface WalkingOptions {
  /** walking speed in millimetres per second */
  speedMmPerS: number
  /** walked metres per straight-line metre, in percent */
  detourPercent: number
  /** longest footpath between two stops, straight-line metres */
  maxTransferM: number
}

/**
 * 1.2 m/s is the usual planning speed for adults (HCM uses 1.2, many journey planners 1.2–1.4); streets
 * are not straight, so a walk is 1.3 × the straight line (a common circuity factor for city grids); 400 m
 * is the usual catchment of a stop, so a transfer walk longer than that is rarely planned.
 */
export const defaultWalkingOptions: WalkingOptions = { speedMmPerS: 1_200, detourPercent: 130, maxTransferM: 400 }

/** Walked metres for a straight-line distance. */
export function walkedMetres(straightM: number, o: WalkingOptions): number {
  return Math.round((straightM * o.detourPercent) / 100)
}
/** Whole seconds to walk some metres, rounded up. */
export function walkSeconds(metres: number, o: WalkingOptions): number {
  return Math.ceil((metres * 1000) / o.speedMmPerS)
}

export { TimetableError }

/**
 * A RAPTOR route: trips of one GTFS route serving the same stop sequence, none overtaking another
 * (FIFO at every stop), sorted by departure. Times are flat arrays, trip-major: `dep[t * n + i]`.
 */
export interface Pattern {
  readonly index: number
  readonly route: GtfsRoute
  readonly mode: Mode
  readonly stops: Int32Array
  readonly tripIds: string[]
  /** each trip's service_id (parallel to tripIds), when the feed names them */
  readonly serviceIds?: ReadonlyArray<string | undefined>
  /** each trip's GTFS wheelchair_accessible (0 no information, 1 yes, 2 no), parallel to tripIds */
  readonly wheelchair: Uint8Array
  readonly arr: Int32Array
  readonly dep: Int32Array
  /** cumulative straight-line metres from the first stop */
  readonly distCum: Int32Array
  /** cumulative grams of CO₂ per passenger from the first stop */
  readonly co2Cum: Int32Array
}

export interface Footpath {
  readonly to: number
  readonly seconds: number
  readonly metres: number
}

/** A feed indexed for search. Stops are numbered in feed order. */
export interface Timetable {
  readonly stops: readonly GtfsStop[]
  readonly stopIndex: ReadonlyMap<string, number>
  readonly patterns: readonly Pattern[]
  /** per stop: the patterns serving it and the stop's position in each */
  readonly patternsAtStop: ReadonlyArray<ReadonlyArray<{ pattern: number; pos: number }>>
  /** per stop: footpaths to nearby stops */
  readonly footpaths: ReadonlyArray<readonly Footpath[]>
  readonly transfers: readonly GtfsTransfer[]
  readonly walking: WalkingOptions
  readonly grid: GridIndex
  readonly tripCount: number
  /** the feed's agency_timezone; absent = UTC */
  readonly timezone?: string
  /** the feed's service calendar; absent: every trip runs every day */
  readonly calendar?: ServiceCalendar
}

/** transfers.txt rows between every pair of stops within `maxTransferM` straight-line metres. */
export function computeTransfers(
  stops: readonly GtfsStop[],
  walking: WalkingOptions = defaultWalkingOptions,
  grid?: GridIndex
): GtfsTransfer[] {
  const g = grid ?? new GridIndex(stops.map(toCoord), walking.maxTransferM)
  const out: GtfsTransfer[] = []
  stops.forEach((s, i) => {
    for (const { index, metres } of g.within(toCoord(s), walking.maxTransferM)) {
      if (index === i) continue
      const distance = walkedMetres(metres, walking)
      out.push({
        from_stop_id: s.stop_id,
        to_stop_id: stops[index].stop_id,
        transfer_type: 2,
        min_transfer_time: walkSeconds(distance, walking),
        distance_m: distance
      })
    }
  })
  return out
}

export function toCoord(s: GtfsStop): { lat: number; lon: number } {
  return { lat: s.stop_lat, lon: s.stop_lon }
}

function assertTime(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0) throw new TimetableError(`${what} must be whole seconds since service-day start, got ${v}`)
}

/**
 * Indexes a feed: groups trips into FIFO patterns, computes distances, CO₂ and footpaths. Throws
 * TimetableError for unknown ids, non-integer times, or a trip whose times go backwards.
 */
export function buildTimetable(feed: Feed, walking: WalkingOptions = defaultWalkingOptions): Timetable {
  const stopIndex = new Map<string, number>()
  feed.stops.forEach((s, i) => {
    if (stopIndex.has(s.stop_id)) throw new TimetableError(`stop_id ${s.stop_id} appears twice in stops`)
    stopIndex.set(s.stop_id, i)
  })
  const routes = new Map(feed.routes.map(r => [r.route_id, r]))
  for (const r of feed.routes) {
    if (!Number.isInteger(r.fare) || r.fare < 0) throw new TimetableError(`route ${r.route_id}: fare must be whole nanos`)
    if (!Number.isInteger(r.co2_per_km) || r.co2_per_km < 0) throw new TimetableError(`route ${r.route_id}: co2_per_km must be whole grams`)
  }
  const hasCalendar = (feed.calendar?.length ?? 0) + (feed.calendar_dates?.length ?? 0) > 0
  const calendar = hasCalendar ? new ServiceCalendar(feed.calendar, feed.calendar_dates) : undefined
  const tripRoute = new Map<string, GtfsRoute>()
  const tripService = new Map<string, string>()
  const tripWheelchair = new Map<string, number>()
  for (const s of feed.stops) {
    if (s.wheelchair_boarding != null && ![0, 1, 2].includes(s.wheelchair_boarding))
      throw new TimetableError(`stop ${s.stop_id}: wheelchair_boarding must be 0, 1 or 2, got ${s.wheelchair_boarding}`)
  }
  for (const t of feed.trips) {
    if (t.wheelchair_accessible != null) {
      if (![0, 1, 2].includes(t.wheelchair_accessible))
        throw new TimetableError(`trip ${t.trip_id}: wheelchair_accessible must be 0, 1 or 2, got ${t.wheelchair_accessible}`)
      tripWheelchair.set(t.trip_id, t.wheelchair_accessible)
    }
    const r = routes.get(t.route_id)
    if (r == null) throw new TimetableError(`trip ${t.trip_id} names unknown route_id ${t.route_id}`)
    tripRoute.set(t.trip_id, r)
    if (t.service_id != null && t.service_id !== '') {
      if (calendar != null && !calendar.knows(t.service_id))
        throw new TimetableError(`trip ${t.trip_id} names service_id ${t.service_id}, which neither calendar nor calendar_dates has`)
      tripService.set(t.trip_id, t.service_id)
    }
  }
  const byTrip = new Map<string, GtfsStopTime[]>()
  for (const st of feed.stop_times) {
    if (!tripRoute.has(st.trip_id)) throw new TimetableError(`stop_times names unknown trip_id ${st.trip_id}`)
    if (!stopIndex.has(st.stop_id)) throw new TimetableError(`stop_times of trip ${st.trip_id} names unknown stop_id ${st.stop_id}`)
    assertTime(st.arrival_time, `arrival_time of trip ${st.trip_id}`)
    assertTime(st.departure_time, `departure_time of trip ${st.trip_id}`)
    let list = byTrip.get(st.trip_id)
    if (list == null) byTrip.set(st.trip_id, (list = []))
    list.push(st)
  }

  // group by route and stop sequence; within a group, split so that no trip overtakes another
  interface Draft {
    route: GtfsRoute
    stops: number[]
    trips: Array<{ id: string; arr: number[]; dep: number[] }>
  }
  const groups = new Map<string, Draft>()
  for (const [tripId, sts] of byTrip) {
    if (sts.length < 2) continue
    sts.sort((a, b) => a.stop_sequence - b.stop_sequence)
    const arr = sts.map(s => s.arrival_time)
    const dep = sts.map(s => s.departure_time)
    for (let i = 0; i < sts.length; i++) {
      if (dep[i] < arr[i] || (i > 0 && arr[i] < dep[i - 1]))
        throw new TimetableError(`trip ${tripId} goes back in time at stop_sequence ${sts[i].stop_sequence}`)
    }
    const route = tripRoute.get(tripId)!
    const stops = sts.map(s => stopIndex.get(s.stop_id)!)
    const key = `${route.route_id}|${stops.join(',')}`
    let g = groups.get(key)
    if (g == null) groups.set(key, (g = { route, stops, trips: [] }))
    g.trips.push({ id: tripId, arr, dep })
  }
  const patterns: Pattern[] = []
  const patternsAtStop: Array<Array<{ pattern: number; pos: number }>> = feed.stops.map(() => [])
  let tripCount = 0
  for (const g of groups.values()) {
    g.trips.sort((a, b) => a.dep[0] - b.dep[0] || a.arr[a.arr.length - 1] - b.arr[b.arr.length - 1])
    const fifo: Array<typeof g.trips> = []
    for (const t of g.trips) {
      const home = fifo.find(list => {
        const last = list[list.length - 1]
        return t.dep.every((d, i) => d >= last.dep[i] && t.arr[i] >= last.arr[i])
      })
      if (home != null) home.push(t)
      else fifo.push([t])
    }
    const n = g.stops.length
    const distCum = new Int32Array(n)
    const co2Cum = new Int32Array(n)
    for (let i = 1; i < n; i++) {
      const d = distanceMetres(toCoord(feed.stops[g.stops[i - 1]]), toCoord(feed.stops[g.stops[i]]))
      distCum[i] = distCum[i - 1] + d
      co2Cum[i] = co2Cum[i - 1] + Math.round((d * g.route.co2_per_km) / 1000)
    }
    for (const trips of fifo) {
      const index = patterns.length
      const arr = new Int32Array(trips.length * n)
      const dep = new Int32Array(trips.length * n)
      trips.forEach((t, k) => {
        arr.set(t.arr, k * n)
        dep.set(t.dep, k * n)
      })
      const serviceIds = calendar != null ? { serviceIds: trips.map(t => tripService.get(t.id)) } : {}
      patterns.push({
        index,
        route: g.route,
        mode: modeOfRouteType(g.route.route_type),
        stops: Int32Array.from(g.stops),
        tripIds: trips.map(t => t.id),
        ...serviceIds,
        wheelchair: Uint8Array.from(trips, t => tripWheelchair.get(t.id) ?? 0),
        arr,
        dep,
        distCum,
        co2Cum
      })
      g.stops.forEach((s, pos) => {
        patternsAtStop[s].push({ pattern: index, pos })
      })
      tripCount += trips.length
    }
  }

  const grid = new GridIndex(feed.stops.map(toCoord), Math.max(100, walking.maxTransferM))
  const transfers = feed.transfers ?? computeTransfers(feed.stops, walking, grid)
  const footpaths: Footpath[][] = feed.stops.map(() => [])
  for (const t of transfers) {
    const from = stopIndex.get(t.from_stop_id)
    const to = stopIndex.get(t.to_stop_id)
    if (from == null || to == null) throw new TimetableError(`transfer ${t.from_stop_id}→${t.to_stop_id} names an unknown stop`)
    if (from !== to) footpaths[from].push({ to, seconds: t.min_transfer_time, metres: t.distance_m })
  }
  return {
    stops: feed.stops,
    stopIndex,
    patterns,
    patternsAtStop,
    footpaths,
    transfers,
    walking,
    grid,
    tripCount,
    ...(feed.timezone != null ? { timezone: feed.timezone } : {}),
    ...(calendar != null ? { calendar } : {})
  }
}

/**
 * For a traveller in a wheelchair: the trips known to have room for one (wheelchair_accessible 1), one
 * mask per pattern. A trip without that information is not offered: the traveller cannot find out at
 * the stop that there is no room.
 */
export function wheelchairTrips(tt: Timetable): ReadonlyArray<Uint8Array> {
  let masks = accessible.get(tt)
  if (masks == null) accessible.set(tt, (masks = tt.patterns.map(p => p.wheelchair.map(v => (v === 1 ? 1 : 0)))))
  return masks
}
const accessible = new WeakMap<Timetable, ReadonlyArray<Uint8Array>>()

/** Stops where a wheelchair cannot board or alight (wheelchair_boarding 2), one flag per stop; undefined if none. */
export function wheelchairBlockedStops(tt: Timetable): Uint8Array | undefined {
  return tt.stops.some(s => s.wheelchair_boarding === 2) ? Uint8Array.from(tt.stops, s => (s.wheelchair_boarding === 2 ? 1 : 0)) : undefined
}

/** Trips boardable under both masks (either may be absent: all). */
export function bothMasks(a: RunningTrips, b: RunningTrips): RunningTrips {
  if (a == null) return b
  if (b == null) return a
  return a.map((m, i) => m.map((v, k) => v & b[i][k]))
}

/** Which trips run on a service date: one mask per pattern (1 = runs), or undefined when all do. */
export type RunningTrips = ReadonlyArray<Uint8Array> | undefined

const running = new WeakMap<Timetable, Map<number, ReadonlyArray<Uint8Array>>>()

/**
 * The trips of `tt` that run on `date` (YYYYMMDD, see `serviceDate`): undefined when the timetable has
 * no calendar. A trip without a service_id runs every day. Cached per timetable for a few dates.
 */
export function tripsRunning(tt: Timetable, date: number | undefined): RunningTrips {
  const cal = tt.calendar
  if (cal == null || date == null) return undefined
  let byDate = running.get(tt)
  if (byDate == null) running.set(tt, (byDate = new Map()))
  let masks = byDate.get(date)
  if (masks == null) {
    masks = tt.patterns.map(p =>
      Uint8Array.from(p.tripIds, (_, k) => {
        const s = p.serviceIds?.[k]
        return s == null || cal.runsOn(s, date) ? 1 : 0
      })
    )
    // a node plans today and perhaps tomorrow: keep the last few dates only
    if (byDate.size >= 4) byDate.delete(byDate.keys().next().value!)
    byDate.set(date, masks)
  }
  return masks
}

/** Index of the earliest trip of a pattern leaving position `pos` at or after `time`, or -1. */
export function earliestTrip(p: Pattern, pos: number, time: number, runs?: Uint8Array): number {
  const n = p.stops.length
  let lo = 0
  let hi = p.tripIds.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (p.dep[mid * n + pos] < time) lo = mid + 1
    else hi = mid
  }
  // the pattern is FIFO, so the first later trip that runs today is the earliest one that does
  if (runs != null) while (lo < p.tripIds.length && runs[lo] === 0) lo++
  return lo < p.tripIds.length ? lo : -1
}
