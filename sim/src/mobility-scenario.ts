import { ConfigError } from '@kvartal/protocol'
import { Mode, PricingPlanError, validatePricingPlan, type PreferenceWeights, type PricingPlan } from '@kvartal/mobility'
import { defaultVehicleEnergyPolicy } from '@kvartal/node'
import { fieldPath, isObj, known, num, sub, type Obj } from './fields.ts'

/**
 * The mobility half of a scenario: a transit operator over a generated (or loaded) GTFS timetable,
 * shared vehicles that are nodes of their own, and the buildings' residents travelling through the day.
 *
 * Money is integer IOTA nanos; prices are set at 1 IOTA ≈ 2 NOK, as the energy tariffs are
 * (packages/node/src/options.ts). Each price below is an assumption stated with what it rests on.
 */
export interface MobilityScenario {
  /** a generated district network and its operator; false: no scheduled transport */
  transit: TransitSpec | false
  /** a GTFS feed (directory or .zip) to use instead of generating one; relative to the scenario file */
  gtfs?: string
  vehicles: { seed: number, bikes: FleetSpec, scooters: FleetSpec, cars: CarFleetSpec }
  travellers: TravellerSpec
  /**
   * vehicles and the operator re-gossip their service offers this often (simulated minutes; each offer is
   * valid twice as long). The node's default is 15 minutes; the simulator's vehicles go back to their
   * spot after a ride and quotes are asked live, so an offer only has to say that a vehicle is there, and
   * every delivered gossip message costs CPU (DESIGN.md, facts measured)
   */
  offerEveryMinutes: number
}

export interface TransitSpec {
  seatsPerTrip: number
  /** flat fare per boarding, nanos (also applied to every route of a GTFS feed) */
  fare: number
  /** grams of CO₂ per passenger-km in the operator's offer */
  co2GPerKm: number
  /** the generated network (absent with `gtfs`) */
  stops?: number
  lines?: number
  trips?: number
  stopsPerLine?: number
  spacingM?: number
  seed?: number
}

export interface FleetSpec {
  count: number
  /** GBFS pricing plan in nanos: `price` is the unlock fee paid at checkout, the rest per use */
  pricing: PricingPlan
  /** life-cycle grams of CO₂ per km */
  co2GPerKm: number
  /** quoting speed, km/h */
  speedKmh: number
  maxRentalMinutes: number
}

export interface CarFleetSpec extends FleetSpec {
  battery: { capacityWh: number, socWh: number, reserveWh: number, whPerKm: number }
  /**
   * how a parked car trades energy (the node's VehicleEnergyPolicy): it sells above `targetSocPercent`
   * (V2G) and charges below it, at most `chargerW`; `chargerW: 0` keeps it out of the energy market
   */
  energy: { targetSocPercent: number, chargerW: number }
}

export interface TravellerSpec {
  /** trips over the simulated day, all buildings together (or `tripsPerBuilding`) */
  tripsPerDay?: number
  tripsPerBuilding?: number
  seed: number
  /** local hours [from, to) in which trips start; peaks at 07:45 and 16:30 inside them */
  hours: [number, number]
  /** modes a traveller accepts besides walking; absent: all */
  modes?: Mode[]
  maxWalkingM: number
  /** share of trips that go to a stop's surroundings (the rest to another building) */
  stopShare: number
  /** what a traveller would pay for a second, a gram of CO₂, a transfer, a walked metre (nanos) */
  weights: PreferenceWeights
}

const IOTA = 1_000_000_000

/**
 * Defaults, at 1 IOTA ≈ 2 NOK:
 * - transit fare 22 IOTA ≈ NOK 44, an adult single ticket in Trondheim (AtB zone A, 2025 — assumption;
 *   the planner charges it per boarding, AtB's free transfers within 90 minutes are not modelled);
 *   70 g CO₂ per passenger-km, the generator's diesel/hybrid bus figure;
 * - e-bike share NOK 10 to unlock + NOK 2 per minute, capped at NOK 200 a ride; e-scooters NOK 10 +
 *   NOK 3.50 per minute (the shape of Norwegian operators' per-minute tariffs — assumption);
 *   car-share EV NOK 10 + NOK 1.50 per minute + NOK 2 per km (≈ NOK 90 an hour, the range of
 *   Trondheim car-share hourly prices — assumption);
 * - CO₂ per km, life-cycle, as in @kvartal/mobility's generator: e-bike 10 g, e-scooter 40 g,
 *   car-share EV 90 g;
 * - the car-share EV: a 58 kWh battery (a compact EV) at 80 % at midnight, a 10 kWh reserve that is
 *   never sold nor driven below, 170 Wh/km in town; in the energy market the node's own policy
 *   (defaultVehicleEnergyPolicy: keep 60 %, a 7.4 kW wallbox);
 * - a traveller values time at NOK 100 an hour (the order of the Norwegian value-of-time study's
 *   figures for short trips), CO₂ at NOK 2 per kg (about Norway's CO₂ tax), a transfer at 5 minutes
 *   and a walked metre at 1.5 × the time it takes at 1.2 m/s.
 */
export const defaultMobilityScenario: MobilityScenario = {
  transit: { seatsPerTrip: 40, fare: 22 * IOTA, co2GPerKm: 70, stops: 100, lines: 8, trips: 1200, stopsPerLine: 12, spacingM: 300, seed: 7 },
  vehicles: {
    seed: 5,
    bikes: { count: 6, pricing: { plan_id: 'ebike-min', currency: 'IOTA', price: 5 * IOTA, per_min_pricing: [{ start: 0, rate: 1 * IOTA, interval: 1 }], max_price: 100 * IOTA }, co2GPerKm: 10, speedKmh: 16, maxRentalMinutes: 240 },
    scooters: { count: 3, pricing: { plan_id: 'escooter-min', currency: 'IOTA', price: 5 * IOTA, per_min_pricing: [{ start: 0, rate: 1_750_000_000, interval: 1 }], max_price: 150 * IOTA }, co2GPerKm: 40, speedKmh: 15, maxRentalMinutes: 240 },
    cars: {
      count: 2,
      pricing: { plan_id: 'carshare-ev', currency: 'IOTA', price: 5 * IOTA, per_min_pricing: [{ start: 0, rate: 750_000_000, interval: 1 }], per_km_pricing: [{ start: 0, rate: 1 * IOTA, interval: 1 }], max_price: 400 * IOTA },
      co2GPerKm: 90,
      speedKmh: 25,
      maxRentalMinutes: 240,
      battery: { capacityWh: 58_000, socWh: 46_400, reserveWh: 10_000, whPerKm: 170 },
      energy: { ...defaultVehicleEnergyPolicy }
    }
  },
  travellers: {
    tripsPerBuilding: 1.5,
    seed: 11,
    hours: [6, 21],
    maxWalkingM: 1_000,
    stopShare: 0.5,
    weights: { nanosPerSecond: 13_888_889, nanosPerGramCo2: 1_000_000, nanosPerTransfer: 4_166_666_667, nanosPerWalkMetre: 17_361_111 }
  },
  offerEveryMinutes: 180
}

const allModes = Object.values(Mode).filter(m => m !== Mode.WALK)

function pricing (o: Obj, path: string, def: PricingPlan): PricingPlan {
  const v = o.pricing
  if (v == null) return def
  try {
    return validatePricingPlan(v)
  } catch (err) {
    if (err instanceof PricingPlanError) throw new ConfigError(`${path}.pricing${err.field === 'plan' ? '' : `.${err.field}`}`, err.message.slice(err.field.length + 2))
    throw err
  }
}

function fleetFields (f: Obj, p: string, def: FleetSpec): FleetSpec {
  return {
    count: num(f, 'count', p, def.count, { min: 0, max: 200, integer: true }),
    pricing: pricing(f, p, def.pricing),
    co2GPerKm: num(f, 'co2GPerKm', p, def.co2GPerKm, { min: 0, max: 1000, integer: true }),
    speedKmh: num(f, 'speedKmh', p, def.speedKmh, { min: 1, max: 130, integer: true }),
    maxRentalMinutes: num(f, 'maxRentalMinutes', p, def.maxRentalMinutes, { min: 10, max: 24 * 60, integer: true })
  }
}

/** `bikes: 10` is short for `bikes: { count: 10 }`. */
function fleet (o: Obj, key: 'bikes' | 'scooters', path: string, def: FleetSpec): FleetSpec {
  if (typeof o[key] === 'number') return { ...def, count: num(o, key, path, def.count, { min: 0, max: 200, integer: true }) }
  const p = fieldPath(path, key)
  const f = sub(o, key, path)
  known(f, p, ['count', 'pricing', 'co2GPerKm', 'speedKmh', 'maxRentalMinutes'])
  return fleetFields(f, p, def)
}

function cars (o: Obj, path: string, def: CarFleetSpec): CarFleetSpec {
  if (typeof o.cars === 'number') return { ...def, count: num(o, 'cars', path, def.count, { min: 0, max: 200, integer: true }) }
  const p = fieldPath(path, 'cars')
  const f = sub(o, 'cars', path)
  known(f, p, ['count', 'pricing', 'co2GPerKm', 'speedKmh', 'maxRentalMinutes', 'battery', 'energy'])
  const b = sub(f, 'battery', p)
  const bp = `${p}.battery`
  known(b, bp, ['capacityWh', 'socWh', 'reserveWh', 'whPerKm'])
  const capacityWh = num(b, 'capacityWh', bp, def.battery.capacityWh, { min: 1, max: 500_000, integer: true })
  const e = sub(f, 'energy', p)
  const ep = `${p}.energy`
  known(e, ep, ['targetSocPercent', 'chargerW'])
  return {
    ...fleetFields(f, p, def),
    battery: {
      capacityWh,
      socWh: num(b, 'socWh', bp, Math.min(def.battery.socWh, capacityWh), { min: 0, max: capacityWh, integer: true }),
      reserveWh: num(b, 'reserveWh', bp, Math.min(def.battery.reserveWh, capacityWh), { min: 0, max: capacityWh, integer: true }),
      whPerKm: num(b, 'whPerKm', bp, def.battery.whPerKm, { min: 1, max: 1000, integer: true })
    },
    energy: {
      targetSocPercent: num(e, 'targetSocPercent', ep, def.energy.targetSocPercent, { min: 0, max: 100 }),
      chargerW: num(e, 'chargerW', ep, def.energy.chargerW, { min: 0, max: 350_000, integer: true })
    }
  }
}

function transit (o: Obj, hasGtfs: boolean, d: TransitSpec): TransitSpec | false {
  if (o.transit === false) {
    if (hasGtfs) throw new ConfigError('mobility.transit', 'is false, but a gtfs feed is given: drop one')
    return false
  }
  const t = sub(o, 'transit', 'mobility')
  const generator = ['stops', 'lines', 'trips', 'stopsPerLine', 'spacingM', 'seed']
  known(t, 'mobility.transit', ['seatsPerTrip', 'fare', 'co2GPerKm', ...generator])
  const operator = {
    seatsPerTrip: num(t, 'seatsPerTrip', 'mobility.transit', d.seatsPerTrip, { min: 1, max: 2000, integer: true }),
    fare: num(t, 'fare', 'mobility.transit', d.fare, { min: 0, integer: true }),
    co2GPerKm: num(t, 'co2GPerKm', 'mobility.transit', d.co2GPerKm, { min: 0, max: 1000, integer: true })
  }
  if (hasGtfs) {
    for (const k of generator) if (t[k] != null) throw new ConfigError(`mobility.transit.${k}`, 'generates a network, but mobility.gtfs gives the timetable: drop one')
    return operator
  }
  return {
    ...operator,
    stops: num(t, 'stops', 'mobility.transit', d.stops!, { min: 4, max: 5000, integer: true }),
    lines: num(t, 'lines', 'mobility.transit', d.lines!, { min: 1, max: 200, integer: true }),
    trips: num(t, 'trips', 'mobility.transit', d.trips!, { min: 1, max: 50_000, integer: true }),
    stopsPerLine: num(t, 'stopsPerLine', 'mobility.transit', d.stopsPerLine!, { min: 2, max: 200, integer: true }),
    spacingM: num(t, 'spacingM', 'mobility.transit', d.spacingM!, { min: 50, max: 5000, integer: true }),
    seed: num(t, 'seed', 'mobility.transit', d.seed!, { min: 0, integer: true })
  }
}

function travellers (o: Obj, d: TravellerSpec): TravellerSpec {
  const p = 'mobility.travellers'
  const t = sub(o, 'travellers', 'mobility')
  known(t, p, ['tripsPerDay', 'tripsPerBuilding', 'seed', 'hours', 'modes', 'maxWalkingM', 'stopShare', 'weights'])
  if (t.tripsPerDay != null && t.tripsPerBuilding != null) throw new ConfigError(`${p}.tripsPerDay`, 'give tripsPerDay or tripsPerBuilding, not both')
  const trips = t.tripsPerDay != null
    ? { tripsPerDay: num(t, 'tripsPerDay', p, 0, { min: 0, max: 100_000, integer: true }) }
    : { tripsPerBuilding: num(t, 'tripsPerBuilding', p, d.tripsPerBuilding ?? 0, { min: 0, max: 100 }) }
  let hours = d.hours
  if (t.hours != null) {
    const h = t.hours
    if (!Array.isArray(h) || h.length !== 2 || h.some(x => typeof x !== 'number' || x < 0 || x > 24) || h[0] >= h[1]) throw new ConfigError(`${p}.hours`, 'must be [from, to] local hours with 0 ≤ from < to ≤ 24')
    hours = [h[0], h[1]]
  }
  let modes: Mode[] | undefined
  if (t.modes != null) {
    if (!Array.isArray(t.modes) || t.modes.length === 0) throw new ConfigError(`${p}.modes`, `must be a non-empty list of modes (${allModes.join(', ')})`)
    modes = t.modes.map((m, i) => {
      if (typeof m !== 'string' || !(allModes as string[]).includes(m)) throw new ConfigError(`${p}.modes[${i}]`, `unknown mode ${JSON.stringify(m)} (one of ${allModes.join(', ')}; walking is always allowed)`)
      return m as Mode
    })
  }
  const w = sub(t, 'weights', p)
  known(w, `${p}.weights`, ['nanosPerSecond', 'nanosPerGramCo2', 'nanosPerTransfer', 'nanosPerWalkMetre'])
  const weight = (k: keyof PreferenceWeights): number => num(w, k, `${p}.weights`, d.weights[k], { min: 0, integer: true })
  return {
    ...trips,
    seed: num(t, 'seed', p, d.seed, { min: 0, integer: true }),
    hours,
    ...(modes != null ? { modes } : {}),
    maxWalkingM: num(t, 'maxWalkingM', p, d.maxWalkingM, { min: 0, max: 10_000, integer: true }),
    stopShare: num(t, 'stopShare', p, d.stopShare, { min: 0, max: 1 }),
    weights: { nanosPerSecond: weight('nanosPerSecond'), nanosPerGramCo2: weight('nanosPerGramCo2'), nanosPerTransfer: weight('nanosPerTransfer'), nanosPerWalkMetre: weight('nanosPerWalkMetre') }
  }
}

/** Validates the `mobility:` section; `false` turns mobility off. Errors name the field under `mobility.`. */
export function validateMobility (v: unknown, d: MobilityScenario = defaultMobilityScenario): MobilityScenario | false {
  if (v === false) return false
  if (v != null && !isObj(v)) throw new ConfigError('mobility', 'must be a mapping, or false for no mobility')
  const o = v ?? {}
  known(o, 'mobility', ['transit', 'gtfs', 'vehicles', 'travellers', 'offerEveryMinutes'])
  if (o.gtfs != null && (typeof o.gtfs !== 'string' || o.gtfs === '')) throw new ConfigError('mobility.gtfs', 'must be the path of a GTFS directory or .zip file')
  const gtfs = o.gtfs as string | undefined
  const vs = sub(o, 'vehicles', 'mobility')
  known(vs, 'mobility.vehicles', ['seed', 'bikes', 'scooters', 'cars'])
  return {
    transit: transit(o, gtfs != null, d.transit === false ? defaultMobilityScenario.transit as TransitSpec : d.transit),
    ...(gtfs != null ? { gtfs } : {}),
    vehicles: {
      seed: num(vs, 'seed', 'mobility.vehicles', d.vehicles.seed, { min: 0, integer: true }),
      bikes: fleet(vs, 'bikes', 'mobility.vehicles', d.vehicles.bikes),
      scooters: fleet(vs, 'scooters', 'mobility.vehicles', d.vehicles.scooters),
      cars: cars(vs, 'mobility.vehicles', d.vehicles.cars)
    },
    travellers: travellers(o, d.travellers),
    offerEveryMinutes: num(o, 'offerEveryMinutes', 'mobility', d.offerEveryMinutes, { min: 1, max: 24 * 60, integer: true })
  }
}
