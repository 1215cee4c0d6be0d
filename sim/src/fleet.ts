import { Mode, type Coordinate, type Timetable } from '@kvartal/mobility'
import type { ProviderService } from '@kvartal/node'
import type { CarFleetSpec, FleetSpec, TransitSpec } from './mobility-scenario.ts'
import type { VehicleKind } from './district-map.ts'

/** The GTFS agency the simulated operator sells tickets for (every route of the district's timetable). */
export const SIM_AGENCY = 'district-transit'

const modeOf = { bikes: Mode.BICYCLE, scooters: Mode.SCOOTER, cars: Mode.CAR } as const

/**
 * One shared vehicle as a provider node sells it. Cancelling is free until 5 minutes before the ride
 * and costs the unlock fee after that (the usual shape of car-share terms; bikes and scooters are rarely
 * booked ahead, so the terms seldom matter for them).
 */
export function vehicleService(kind: VehicleKind, spec: FleetSpec | CarFleetSpec, position: Coordinate, slotMs: number): ProviderService {
  const battery = 'battery' in spec ? { ...spec.battery, slotMs } : undefined
  return {
    kind: 'vehicle',
    mode: modeOf[kind],
    position,
    pricing: spec.pricing,
    co2GPerKm: spec.co2GPerKm,
    speedKmh: spec.speedKmh,
    cancellation: { freeUntilS: 300, feeNanos: spec.pricing.price, refundAfterStart: false },
    maxRentalMs: spec.maxRentalMinutes * 60_000,
    ...(battery != null && 'energy' in spec ? { battery, energy: spec.energy } : {})
  }
}

/** The district's transit operator: sells seats on every trip of the timetable, free cancellation until 10 minutes before. */
export function transitService(timetable: Timetable, spec: TransitSpec): ProviderService {
  return {
    kind: 'transit',
    agencyId: SIM_AGENCY,
    mode: Mode.BUS,
    timetable,
    seatsPerTrip: spec.seatsPerTrip,
    cancellation: { freeUntilS: 600, feeNanos: 0, refundAfterStart: false },
    co2GPerKm: spec.co2GPerKm
  }
}
