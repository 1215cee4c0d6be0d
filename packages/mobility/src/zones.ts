import ngeohash from 'ngeohash'
import type { Coordinate } from './geo.ts'
import type { Timetable } from './timetable.ts'

/**
 * Coarse zones: geohash cells (ngeohash). A traveller's quote request names the zones it leaves from and
 * goes to, never an address; precision 6 is a cell of about 1.2 km × 0.6 km at 60° N, enough for a
 * provider to price a ride and little enough to say where someone lives. The exact places travel only
 * in the hold, to the provider that was chosen.
 */
export const ZONE_PRECISION = 6

export function zoneOf(c: Coordinate, precision: number = ZONE_PRECISION): string {
  return ngeohash.encode(c.lat, c.lon, precision)
}

/** The centre of a zone. */
export function zoneCentre(zone: string): Coordinate {
  const d = ngeohash.decode(zone)
  return { lat: d.latitude, lon: d.longitude }
}

/** The zone and its eight neighbours: where a provider "near" a traveller may be. */
export function zoneAndNeighbours(zone: string): string[] {
  return [zone, ...ngeohash.neighbors(zone)]
}

/** Integer microdegrees on the wire, degrees inside. */
export function toE6(deg: number): number {
  return Math.round(deg * 1e6)
}
export function fromE6(e6: number): number {
  return e6 / 1e6
}

/** Where a GTFS trip runs in the timetable: its pattern, its row, and its stops' positions. */
export interface TripLocation {
  readonly pattern: number
  readonly trip: number
  readonly stopIds: readonly string[]
}

/** An index from trip_id to its place in the timetable's patterns. */
export function tripIndex(tt: Timetable): Map<string, TripLocation> {
  const out = new Map<string, TripLocation>()
  for (const p of tt.patterns) {
    const stopIds = [...p.stops].map(s => tt.stops[s].stop_id)
    p.tripIds.forEach((id, t) => {
      out.set(id, { pattern: p.index, trip: t, stopIds })
    })
  }
  return out
}

/** Scheduled departure (or arrival) at a position of a trip, seconds since service-day start. */
export function tripTimes(tt: Timetable, loc: TripLocation, pos: number): { arrival: number; departure: number } {
  const p = tt.patterns[loc.pattern]
  const n = p.stops.length
  return { arrival: p.arr[loc.trip * n + pos], departure: p.dep[loc.trip * n + pos] }
}
