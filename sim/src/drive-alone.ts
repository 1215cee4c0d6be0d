import { distanceMetres, type Coordinate } from '@kvartal/mobility'

/**
 * The baseline a booked journey is compared with: the same trip by private car, driving alone, leaving
 * at once. Every figure is an assumption, stated here:
 * - distance: straight line × 1.3, a usual urban circuity factor (road distance over straight-line
 *   distance is typically 1.2–1.4 in cities);
 * - time: that distance at 30 km/h, an average urban driving speed including junctions, plus 2 minutes
 *   to get to and from the parked car; no parking search, no congestion beyond that average;
 * - cost: NOK 3.50 per km — the Norwegian tax-free car mileage allowance, used as the full cost of a
 *   kilometre by private car (fuel, wear, insurance, depreciation) — at 1 IOTA ≈ 2 NOK, so
 *   1.75 IOTA per km; parking fees and road tolls left out (both would make the car dearer);
 * - CO₂: 120 g per km, tailpipe, roughly a 2015–2020 European petrol car in town. The shared modes'
 *   figures are life-cycle (they include making the vehicle), which favours the car here.
 * The journeys' own figures come from the planner (and, for vehicles, the provider's quote).
 */
export const driveAlone = {
  detourFactor: 1.3,
  speedKmh: 30,
  accessSeconds: 120,
  nanosPerKm: 1_750_000_000,
  co2GPerKm: 120
} as const

export interface DriveAloneTrip {
  readonly metres: number
  readonly seconds: number
  readonly priceNanos: number
  readonly co2G: number
}

export function driveAloneTrip(from: Coordinate, to: Coordinate): DriveAloneTrip {
  const metres = Math.round(distanceMetres(from, to) * driveAlone.detourFactor)
  return {
    metres,
    seconds: driveAlone.accessSeconds + Math.round((metres * 3.6) / driveAlone.speedKmh),
    priceNanos: Math.round((metres * driveAlone.nanosPerKm) / 1000),
    co2G: Math.round((metres * driveAlone.co2GPerKm) / 1000)
  }
}
