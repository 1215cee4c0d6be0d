import { ConfigError, seededRandom } from '@kvartal/protocol'
import {
  buildTimetable,
  distanceMetres,
  generateDistrictNetwork,
  loadGtfs,
  type Coordinate,
  type Feed,
  type Timetable
} from '@kvartal/mobility'
import type { ProviderService } from '@kvartal/node'
import type { MobilityScenario, TransitSpec } from './mobility-scenario.ts'
import { parkVehicles, placeBuildings, type DistrictMap, type VehicleKind } from './district-map.ts'
import { SIM_AGENCY, transitService, vehicleService } from './fleet.ts'
import { tripDemand, type TripDemand } from './trip-demand.ts'

/** A provider node of the simulated district: a vehicle or the transit operator. */
export interface ProviderNodeSpec {
  readonly name: string
  readonly kind: VehicleKind | 'transit'
  readonly service: ProviderService
}

/** Everything the simulator adds to a district for mobility, before any node runs. */
export interface MobilityDistrict {
  readonly timetable: Timetable
  readonly map: DistrictMap
  readonly providers: readonly ProviderNodeSpec[]
  readonly demand: readonly TripDemand[]
  /** trips over the whole day the scenario asks for (demand keeps those inside the simulated window) */
  readonly tripsPerDay: number
}

export interface MobilityDistrictInit {
  readonly mobility: MobilityScenario
  readonly site: { latitude: number; longitude: number; utcOffsetHours: number }
  readonly buildingCount: number
  readonly seed: number
  /** local midnight of the scenario's date, ms */
  readonly localMidnightMs: number
  /** trips may start in [fromMs, untilMs) */
  readonly fromMs: number
  readonly untilMs: number
  readonly slotMs: number
}

/** Side of the district square when the timetable comes from a GTFS feed, metres. */
const GTFS_DISTRICT_M = 3_000

/**
 * The generated network runs 05:00–24:00 local time. The nodes count GTFS times from UTC midnight
 * (`serviceDayStart`), so local times are shifted by the site's UTC offset here.
 */
function generatedFeed(t: TransitSpec, centre: Coordinate, utcOffsetHours: number): Feed {
  const shift = utcOffsetHours * 3600
  return generateDistrictNetwork({
    seed: t.seed!,
    stops: t.stops!,
    lines: t.lines!,
    trips: t.trips!,
    stopsPerLine: t.stopsPerLine!,
    spacingM: t.spacingM!,
    center: centre,
    serviceStart: Math.max(0, 5 * 3600 - shift),
    serviceEnd: Math.min(24 * 3600, Math.max(3600, 24 * 3600 - shift))
  })
}

/**
 * A real feed (a directory or a .zip). GTFS times are local: with an agency_timezone the nodes count
 * them from that zone's service day; a feed without one is shifted to UTC like the generated network,
 * and a trip that would then start before UTC midnight is dropped whole. Every route is sold by the one
 * simulated operator at the scenario's flat fare.
 */
async function gtfsFeed(path: string, utcOffsetHours: number, centre: Coordinate): Promise<Feed> {
  let feed: Feed & { timezone?: string }
  try {
    feed = await loadGtfs(path)
  } catch (err) {
    throw new ConfigError('mobility.gtfs', `cannot load the GTFS feed ${path}: ${(err as Error).message}`)
  }
  if (!feed.stops.some(s => distanceMetres(centre, { lat: s.stop_lat, lon: s.stop_lon }) <= GTFS_DISTRICT_M)) {
    throw new ConfigError(
      'mobility.gtfs',
      `no stop of the feed lies within ${GTFS_DISTRICT_M} m of the site (site.latitude, site.longitude)`
    )
  }
  if (feed.timezone != null && feed.timezone !== '') return feed
  const shift = utcOffsetHours * 3600
  const early = new Set(feed.stop_times.filter(st => st.arrival_time - shift < 0 || st.departure_time - shift < 0).map(st => st.trip_id))
  const stopTimes = feed.stop_times
    .filter(st => !early.has(st.trip_id))
    .map(st => ({ ...st, arrival_time: st.arrival_time - shift, departure_time: st.departure_time - shift }))
  return { ...feed, trips: feed.trips.filter(t => !early.has(t.trip_id)), stop_times: stopTimes }
}

/** Builds the timetable, lays out buildings and vehicles, and draws the day's trip demand (all seeded). */
export async function buildMobilityDistrict(o: MobilityDistrictInit): Promise<MobilityDistrict> {
  const m = o.mobility
  const centre = { lat: o.site.latitude, lon: o.site.longitude }
  let feed: Feed = { stops: [], routes: [], trips: [], stop_times: [] }
  let sideM = GTFS_DISTRICT_M
  if (m.gtfs != null) {
    feed = await gtfsFeed(m.gtfs, o.site.utcOffsetHours, centre)
  } else if (m.transit !== false) {
    feed = generatedFeed(m.transit, centre, o.site.utcOffsetHours)
    sideM = Math.ceil(Math.sqrt(m.transit.stops!)) * m.transit.spacingM!
  }
  const transit = m.transit
  if (transit !== false) feed = { ...feed, routes: feed.routes.map(r => ({ ...r, agency_id: SIM_AGENCY, fare: transit.fare })) }
  const timetable = buildTimetable(feed)
  const stops = timetable.stops.map(s => ({ lat: s.stop_lat, lon: s.stop_lon }))
  const map: DistrictMap = {
    centre,
    sideM,
    buildings: placeBuildings(o.buildingCount, centre, sideM, o.seed ^ 0xb1d),
    // with a real feed, only the stops inside the district square
    stops:
      m.gtfs == null
        ? stops
        : stops.filter(
            s =>
              Math.abs(distanceMetres(centre, { lat: s.lat, lon: centre.lon })) <= sideM / 2 &&
              Math.abs(distanceMetres(centre, { lat: centre.lat, lon: s.lon })) <= sideM / 2
          )
  }
  const rnd = seededRandom(m.vehicles.seed)
  const providers: ProviderNodeSpec[] = []
  if (transit !== false && timetable.patterns.length > 0)
    providers.push({ name: 'transit-operator', kind: 'transit', service: transitService(timetable, transit) })
  for (const kind of ['bikes', 'scooters', 'cars'] as const) {
    const spec = m.vehicles[kind]
    parkVehicles(map, kind, spec.count, rnd).forEach((at, i) => {
      providers.push({ name: `${kind.slice(0, -1)}-${i + 1}`, kind, service: vehicleService(kind, spec, at, o.slotMs) })
    })
  }
  const tripsPerDay = m.travellers.tripsPerDay ?? Math.round((m.travellers.tripsPerBuilding ?? 0) * o.buildingCount)
  const demand = tripDemand({
    count: tripsPerDay,
    seed: m.travellers.seed,
    localMidnightMs: o.localMidnightMs,
    hours: m.travellers.hours,
    fromMs: o.fromMs,
    untilMs: o.untilMs,
    map,
    stopShare: m.travellers.stopShare
  })
  return { timetable, map, providers, demand, tripsPerDay }
}
