import { seededRandom } from '@kvartal/protocol'
import { distanceMetres, offsetMetres, type Coordinate } from './geo.ts'
import { Mode, type Feed, type GtfsRoute, type GtfsStop, type GtfsStopTime, type GtfsTrip } from './timetable.ts'
import type { OnDemandLeg, PlaceRef } from './query.ts'

export interface DistrictNetworkOptions {
  seed: number
  /** stops, laid on a square grid */
  stops: number
  /** lines; each runs both ways */
  lines: number
  /** trips wanted over the day, both directions of all lines together (at least this many) */
  trips: number
  /** stops per line (fewer if the line runs into the grid's edge) */
  stopsPerLine: number
  /** metres between neighbouring grid stops */
  spacingM: number
  /** first and last departure window, seconds since service-day start */
  serviceStart: number
  serviceEnd: number
  center: Coordinate
}

/**
 * 300 m between stops is typical of urban buses; 05:00–24:00 is a usual service day; a line crossing
 * a district of ~1,000 stops touches a few dozen of them.
 */
export const defaultDistrictNetworkOptions: DistrictNetworkOptions = {
  seed: 1,
  stops: 100,
  lines: 10,
  trips: 1_000,
  stopsPerLine: 20,
  spacingM: 300,
  serviceStart: 5 * 3600,
  serviceEnd: 24 * 3600,
  center: { lat: 52.37, lon: 4.89 }
}

const lineKinds = [
  { route_type: 3, fare: 400_000_000, co2_per_km: 70, speedMps: 7, dwellS: 20 }, // bus: 0.4 IOTA, diesel/hybrid average
  { route_type: 0, fare: 600_000_000, co2_per_km: 25, speedMps: 8, dwellS: 20 } // tram: 0.6 IOTA, grid electricity
] as const

/**
 * A seeded, grid-ish district network: stops on a jittered square grid, lines as meandering paths
 * through it (one in five a tram), each line served both ways at its own frequency through the day.
 * Same seed, same feed. Trips of a line never overtake each other.
 */
export function generateDistrictNetwork(init: Partial<DistrictNetworkOptions> = {}): Feed {
  const o = { ...defaultDistrictNetworkOptions, ...init }
  const rnd = seededRandom(o.seed)
  const side = Math.max(2, Math.ceil(Math.sqrt(o.stops)))
  const stops: GtfsStop[] = []
  for (let i = 0; i < o.stops; i++) {
    const row = Math.floor(i / side)
    const col = i % side
    const jitter = (): number => (rnd() - 0.5) * 0.4 * o.spacingM
    const c = offsetMetres(o.center, (row - side / 2) * o.spacingM + jitter(), (col - side / 2) * o.spacingM + jitter())
    stops.push({ stop_id: `S${i}`, stop_name: `Stop ${row}-${col}`, stop_lat: c.lat, stop_lon: c.lon })
  }
  const dirs = [
    [0, 1],
    [1, 0],
    [0, -1],
    [-1, 0]
  ] as const
  const cellOk = (r: number, c: number): boolean => r >= 0 && c >= 0 && c < side && r * side + c < o.stops
  const routes: GtfsRoute[] = []
  const trips: GtfsTrip[] = []
  const stopTimes: GtfsStopTime[] = []
  const paths: number[][] = []
  for (let l = 0; l < o.lines; l++) {
    let r = Math.floor(rnd() * side)
    let c = Math.floor(rnd() * side)
    while (!cellOk(r, c)) {
      r = Math.floor(rnd() * side)
      c = Math.floor(rnd() * side)
    }
    let d = Math.floor(rnd() * 4)
    const seen = new Set<number>([r * side + c])
    const path = [r * side + c]
    while (path.length < o.stopsPerLine) {
      const turn = rnd() < 0.25 ? (rnd() < 0.5 ? 1 : 3) : 0
      const order = [(d + turn) % 4, d, (d + 1) % 4, (d + 3) % 4]
      const nd = order.find(k => cellOk(r + dirs[k][0], c + dirs[k][1]) && !seen.has((r + dirs[k][0]) * side + c + dirs[k][1]))
      if (nd == null) break
      d = nd
      r += dirs[d][0]
      c += dirs[d][1]
      seen.add(r * side + c)
      path.push(r * side + c)
    }
    paths.push(path)
  }
  const weights = paths.map(() => 1 + Math.floor(rnd() * 3))
  const totalWeight = weights.reduce((a, b) => a + b, 0)
  const span = o.serviceEnd - o.serviceStart
  paths.forEach((path, l) => {
    const kind = lineKinds[l % 5 === 4 ? 1 : 0]
    const route: GtfsRoute = {
      route_id: `L${l}`,
      route_short_name: `${l}`,
      route_type: kind.route_type,
      agency_id: 'district-transit',
      fare: kind.fare,
      co2_per_km: kind.co2_per_km
    }
    routes.push(route)
    if (path.length < 2) return
    const perDirection = Math.max(1, Math.ceil((o.trips * weights[l]) / (2 * totalWeight)))
    const headway = Math.max(60, Math.floor(span / perDirection))
    for (const dir of [0, 1]) {
      const seq = dir === 0 ? path : [...path].reverse()
      const hops = seq.slice(1).map((s, i) => Math.ceil(distanceMetres(coord(stops[seq[i]]), coord(stops[s])) / kind.speedMps))
      const offset = Math.floor(rnd() * headway)
      for (let k = 0; k < perDirection; k++) {
        const tripId = `L${l}-${dir}-${k}`
        // a generated district runs a low-floor fleet: every trip has room for a wheelchair
        trips.push({ trip_id: tripId, route_id: route.route_id, wheelchair_accessible: 1 })
        let t = o.serviceStart + offset + k * headway
        seq.forEach((s, i) => {
          if (i > 0) t += hops[i - 1]
          const dwell = i === 0 || i === seq.length - 1 ? 0 : kind.dwellS
          stopTimes.push({ trip_id: tripId, arrival_time: t, departure_time: t + dwell, stop_id: stops[s].stop_id, stop_sequence: i + 1 })
          t += dwell
        })
      }
    }
  })
  return { stops, routes, trips, stop_times: stopTimes }
}

function coord(s: GtfsStop): Coordinate {
  return { lat: s.stop_lat, lon: s.stop_lon }
}

export interface OnDemandOptions {
  seed: number
  count: number
  /** availability window of the offers, seconds since service-day start */
  start: number
  end: number
  /** share of endpoints given as free coordinates rather than stops */
  coordinateShare: number
  /** longest ride, straight-line metres */
  maxRideM: number
}

export const defaultOnDemandOptions: OnDemandOptions = {
  seed: 1,
  count: 10,
  start: 5 * 3600,
  end: 24 * 3600,
  coordinateShare: 0.5,
  maxRideM: 3_000
}

/**
 * TOMP/GBFS-like pricing: an unlock fee plus a per-minute rate (GBFS per_min_pricing), in nanos; CO₂
 * is life-cycle grams per km (shared e-bikes ~10, e-scooters ~35–60, car-share EVs ~90 per person).
 */
const onDemandKinds = [
  { mode: Mode.BICYCLE, speedMps: 4.5, unlock: 100_000_000, perMin: 30_000_000, co2PerKm: 10 },
  { mode: Mode.SCOOTER, speedMps: 5, unlock: 150_000_000, perMin: 60_000_000, co2PerKm: 40 },
  { mode: Mode.CAR, speedMps: 8, unlock: 500_000_000, perMin: 100_000_000, co2PerKm: 90 }
] as const

/** Seeded on-demand offers between stops and points of the district, each with an availability window. */
export function generateOnDemandLegs(feed: Feed, init: Partial<OnDemandOptions> = {}): OnDemandLeg[] {
  const o = { ...defaultOnDemandOptions, ...init }
  const rnd = seededRandom(o.seed)
  const out: OnDemandLeg[] = []
  const endpoint = (near?: Coordinate): { ref: PlaceRef; at: Coordinate } => {
    const base = near ?? coord(feed.stops[Math.floor(rnd() * feed.stops.length)])
    if (near == null && rnd() >= o.coordinateShare) {
      const s = feed.stops[Math.floor(rnd() * feed.stops.length)]
      return { ref: { stopId: s.stop_id }, at: coord(s) }
    }
    for (let tries = 0; tries < 20 && near != null; tries++) {
      const s = feed.stops[Math.floor(rnd() * feed.stops.length)]
      if (rnd() >= o.coordinateShare && distanceMetres(near, coord(s)) <= o.maxRideM) return { ref: { stopId: s.stop_id }, at: coord(s) }
    }
    const angle = rnd() * 2 * Math.PI
    const radius = near != null ? rnd() * o.maxRideM : rnd() * 200
    const c = offsetMetres(base, Math.round(Math.sin(angle) * radius), Math.round(Math.cos(angle) * radius))
    const at = { lat: Math.round(c.lat * 1e6) / 1e6, lon: Math.round(c.lon * 1e6) / 1e6 }
    return { ref: at, at }
  }
  for (let i = 0; i < o.count; i++) {
    const kind = onDemandKinds[Math.floor(rnd() * onDemandKinds.length)]
    const from = endpoint()
    const to = endpoint(from.at)
    const distance = Math.round(distanceMetres(from.at, to.at) * 1.3)
    const durationS = 60 + Math.ceil(distance / kind.speedMps)
    const price = kind.unlock + Math.ceil(durationS / 60) * kind.perMin
    const a = o.start + Math.floor(rnd() * (o.end - o.start))
    const b = o.start + Math.floor(rnd() * (o.end - o.start))
    out.push({
      id: `od-${i}`,
      provider: `${kind.mode.toLowerCase()}-share`,
      mode: kind.mode,
      from: from.ref,
      to: to.ref,
      durationS,
      price,
      co2: Math.round((distance * kind.co2PerKm) / 1000),
      distance,
      availableFrom: Math.min(a, b),
      availableUntil: Math.max(a, b)
    })
  }
  return out
}
