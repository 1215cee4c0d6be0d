import type { CancellationTerms, Coordinate, Mode, PricingPlan, Timetable, VehicleBudgetInit } from '@kvartal/mobility'

/**
 * What a provider node sells. A vehicle node (shared bike, scooter, car-share EV) rents itself out by the
 * minute and kilometre under a GBFS pricing plan; a transit operator sells seats on its GTFS trips at
 * the route's fare. Either is the only authority over its seats and vehicle.
 */
export type ProviderService = VehicleService | TransitService

export interface VehicleService {
  readonly kind: 'vehicle'
  readonly mode: Mode
  /** where it is parked */
  readonly position: Coordinate
  /** GBFS pricing plan, nanos; `price` (the unlock fee) is paid at checkout, use by cumulative receipts */
  readonly pricing: PricingPlan
  /** grams of CO₂ per km */
  readonly co2GPerKm: number
  /** quoting speed, km/h */
  readonly speedKmh: number
  readonly cancellation: CancellationTerms
  /** an electric vehicle's battery; a booked ride reserves the charge it needs */
  readonly battery?: VehicleBudgetInit
  /** longest rental it accepts, ms */
  readonly maxRentalMs: number
  /** accessibility needs it serves (e.g. WHEELCHAIR for an adapted car); it quotes only requests it can serve */
  readonly accessibility?: readonly string[]
  /** with a battery: how it trades energy while parked (default defaultVehicleEnergyPolicy) */
  readonly energy?: { readonly targetSocPercent?: number; readonly chargerW?: number }
}

export interface TransitService {
  readonly kind: 'transit'
  /** the GTFS agency whose trips it sells */
  readonly agencyId: string
  readonly mode: Mode
  readonly timetable: Timetable
  readonly seatsPerTrip: number
  readonly cancellation: CancellationTerms
  /** grams of CO₂ per passenger-km, for its offer */
  readonly co2GPerKm: number
}

/**
 * How long a provider holds a leg for a traveller that has not paid yet: long enough for every other
 * leg's hold and one ledger payment, short enough that an abandoned booking frees the seat soon.
 */
export const defaultProviderHoldMs = 60_000

export { serviceDayStart } from '@kvartal/mobility'
