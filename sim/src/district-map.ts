import { seededRandom } from '@kvartal/protocol'
import { offsetMetres, type Coordinate } from '@kvartal/mobility'

/**
 * Where things are in a simulated district. Buildings carry no coordinates of their own, so the
 * simulator lays them out: a square of `sideM` metres around the site, one building per cell of a
 * grid, jittered within its cell (seeded). Vehicles are parked where people find them: bikes at docks
 * beside stops, scooters anywhere, car-share EVs beside buildings.
 */
export interface DistrictMap {
  readonly centre: Coordinate
  readonly sideM: number
  /** one per building, in the scenario's building order */
  readonly buildings: readonly Coordinate[]
  /** the timetable's stops */
  readonly stops: readonly Coordinate[]
}

/** Buildings on a jittered grid covering the square (each stays within its own cell). */
export function placeBuildings(count: number, centre: Coordinate, sideM: number, seed: number): Coordinate[] {
  const rnd = seededRandom(seed)
  const side = Math.max(1, Math.ceil(Math.sqrt(count)))
  const cell = sideM / side
  const out: Coordinate[] = []
  for (let i = 0; i < count; i++) {
    const row = Math.floor(i / side)
    const col = i % side
    const north = (row + 0.5 + (rnd() - 0.5) * 0.5) * cell - sideM / 2
    const east = (col + 0.5 + (rnd() - 0.5) * 0.5) * cell - sideM / 2
    out.push(offsetMetres(centre, Math.round(north), Math.round(east)))
  }
  return out
}

/** A point uniformly in the district square. */
export function randomPoint(map: Pick<DistrictMap, 'centre' | 'sideM'>, rnd: () => number): Coordinate {
  return offsetMetres(map.centre, Math.round((rnd() - 0.5) * map.sideM), Math.round((rnd() - 0.5) * map.sideM))
}

/** A point within `radiusM` of `c`, uniform over the disc. */
export function near(c: Coordinate, radiusM: number, rnd: () => number): Coordinate {
  const r = radiusM * Math.sqrt(rnd())
  const a = rnd() * 2 * Math.PI
  return offsetMetres(c, Math.round(r * Math.sin(a)), Math.round(r * Math.cos(a)))
}

export type VehicleKind = 'bikes' | 'scooters' | 'cars'

/** Parking places for a fleet: bikes within 30 m of a stop, scooters anywhere, cars within 40 m of a building. */
export function parkVehicles(map: DistrictMap, kind: VehicleKind, count: number, rnd: () => number): Coordinate[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]
  return Array.from({ length: count }, () => {
    if (kind === 'bikes' && map.stops.length > 0) return near(pick(map.stops), 30, rnd)
    if (kind === 'cars' && map.buildings.length > 0) return near(pick(map.buildings), 40, rnd)
    return randomPoint(map, rnd)
  })
}
