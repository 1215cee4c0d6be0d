import { expected, list, NANOS, parseWith, pricingPlanSchema, real, section, text, whole, z } from '@kvartal/config'
import { Mode, type PreferenceWeights, type PricingPlan } from '@kvartal/mobility'
import { defaultVehicleEnergyPolicy } from '@kvartal/node'

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
  vehicles: { seed: number; bikes: FleetSpec; scooters: FleetSpec; cars: CarFleetSpec }
  travellers: TravellerSpec
  /**
   * vehicles and the operator re-gossip their service offers this often (simulated minutes; each offer is
   * valid twice as long). The node's default is 15 minutes; the simulator's vehicles go back to their
   * spot after a ride and quotes are asked live, so an offer only has to say that a vehicle is there, and
   * every delivered gossip message costs CPU (DESIGN.md, facts measured)
   */
  offerEveryMinutes: number
  /**
   * vehicles gossip their offers on their zone's topic and each building reads the nine zones around it
   * (MobilityOptions.zones), instead of every offer to every node: what a node hears then does not grow with
   * the district. `false`: the district's one topic, to compare
   */
  gossipByZone: boolean
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
  battery: { capacityWh: number; socWh: number; reserveWh: number; whPerKm: number }
  /**
   * how a parked car trades energy (the node's VehicleEnergyPolicy): it sells above `targetSocPercent`
   * (V2G) and charges below it, at most `chargerW`; `chargerW: 0` keeps it out of the energy market
   */
  energy: { targetSocPercent: number; chargerW: number }
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
  transit: {
    seatsPerTrip: 40,
    fare: 22 * IOTA,
    co2GPerKm: 70,
    stops: 100,
    lines: 8,
    trips: 1200,
    stopsPerLine: 12,
    spacingM: 300,
    seed: 7
  },
  vehicles: {
    seed: 5,
    bikes: {
      count: 6,
      pricing: {
        plan_id: 'ebike-min',
        currency: 'IOTA',
        price: 5 * IOTA,
        per_min_pricing: [{ start: 0, rate: 1 * IOTA, interval: 1 }],
        max_price: 100 * IOTA
      },
      co2GPerKm: 10,
      speedKmh: 16,
      maxRentalMinutes: 240
    },
    scooters: {
      count: 3,
      pricing: {
        plan_id: 'escooter-min',
        currency: 'IOTA',
        price: 5 * IOTA,
        per_min_pricing: [{ start: 0, rate: 1_750_000_000, interval: 1 }],
        max_price: 150 * IOTA
      },
      co2GPerKm: 40,
      speedKmh: 15,
      maxRentalMinutes: 240
    },
    cars: {
      count: 2,
      pricing: {
        plan_id: 'carshare-ev',
        currency: 'IOTA',
        price: 5 * IOTA,
        per_min_pricing: [{ start: 0, rate: 750_000_000, interval: 1 }],
        per_km_pricing: [{ start: 0, rate: 1 * IOTA, interval: 1 }],
        max_price: 400 * IOTA
      },
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
  offerEveryMinutes: 180,
  gossipByZone: true
}

const allModes = Object.values(Mode).filter(m => m !== Mode.WALK) as [Mode, ...Mode[]]
const d = defaultMobilityScenario
const dt = d.transit as TransitSpec

const fleetShape = (def: FleetSpec) => ({
  count: whole(0, 200, 'a whole number of vehicles').default(def.count).describe(`how many (default ${def.count})`),
  pricing: pricingPlanSchema
    .default(def.pricing)
    .describe('a GBFS pricing plan in nanos: price is the unlock fee paid at checkout, the rest per use'),
  co2GPerKm: whole(0, 1000, 'a whole number of grams per km').default(def.co2GPerKm).describe('life-cycle grams of CO₂ per km'),
  speedKmh: whole(1, 130, 'a whole number of km/h').default(def.speedKmh).describe('quoting speed, km/h'),
  maxRentalMinutes: whole(10, 24 * 60, 'a whole number of minutes')
    .default(def.maxRentalMinutes)
    .describe('longest rental, minutes')
})

/** `bikes: 10` is short for `bikes: { count: 10 }`. */
const fleet = (def: FleetSpec, what: string) =>
  z
    .union(
      [
        whole(0, 200, 'a whole number of vehicles'),
        section(fleetShape(def), `a number of ${what}, or a mapping { count, pricing, co2GPerKm, speedKmh, maxRentalMinutes }`)
      ],
      { error: expected(`a number of ${what}, or a mapping { count, pricing, … }`) }
    )
    .prefault({})
    .transform((v): FleetSpec => (typeof v === 'number' ? { ...def, count: v } : v))
    .describe(`shared ${what}: a count, or a fleet with its prices`)

const dc = d.vehicles.cars
const cars = z
  .union(
    [
      whole(0, 200, 'a whole number of vehicles'),
      section(
        {
          ...fleetShape(dc),
          battery: section({
            capacityWh: whole(1, 500_000, 'a whole number of Wh').default(dc.battery.capacityWh).describe('battery capacity, Wh'),
            socWh: whole(0, 500_000, 'a whole number of Wh')
              .optional()
              .describe(`charge at midnight, Wh (default ${dc.battery.socWh}, at most capacityWh)`),
            reserveWh: whole(0, 500_000, 'a whole number of Wh')
              .optional()
              .describe(`never sold nor driven below, Wh (default ${dc.battery.reserveWh}, at most capacityWh)`),
            whPerKm: whole(1, 1000, 'a whole number of Wh per km').default(dc.battery.whPerKm).describe('consumption in town, Wh per km')
          })
            .prefault({})
            .transform((b, ctx) => {
              const out = {
                capacityWh: b.capacityWh,
                socWh: b.socWh ?? Math.min(dc.battery.socWh, b.capacityWh),
                reserveWh: b.reserveWh ?? Math.min(dc.battery.reserveWh, b.capacityWh),
                whPerKm: b.whPerKm
              }
              for (const k of ['socWh', 'reserveWh'] as const) {
                if (out[k] > b.capacityWh)
                  ctx.addIssue({
                    code: 'custom',
                    path: [k],
                    message: `expected a whole number of Wh between 0 and ${b.capacityWh} (capacityWh), got ${out[k]}`,
                    input: out[k]
                  })
              }
              return out
            }),
          energy: section({
            targetSocPercent: real(0, 100, 'a percentage')
              .default(dc.energy.targetSocPercent)
              .describe('sells above this charge (V2G), charges below it'),
            chargerW: whole(0, 350_000, 'a whole number of W')
              .default(dc.energy.chargerW)
              .describe("the charger's power, W; 0 keeps the car out of the energy market")
          })
            .prefault({})
            .describe("how a parked car trades energy (the node's VehicleEnergyPolicy)")
        },
        'a number of cars, or a mapping { count, pricing, battery, energy, … }'
      )
    ],
    { error: expected('a number of cars, or a mapping { count, pricing, battery, energy, … }') }
  )
  .prefault({})
  .transform((v): CarFleetSpec => (typeof v === 'number' ? { ...dc, count: v } : v))
  .describe("car-share EVs, nodes that also trade their battery's energy while parked")

const generator = ['stops', 'lines', 'trips', 'stopsPerLine', 'spacingM', 'seed'] as const
const transit = section(
  {
    seatsPerTrip: whole(1, 2000, 'a whole number of seats').default(dt.seatsPerTrip).describe('seats on each trip'),
    fare: whole(0, Number.MAX_SAFE_INTEGER, NANOS)
      .default(dt.fare)
      .describe('flat fare per boarding, nanos (also for every route of a GTFS feed)'),
    co2GPerKm: whole(0, 1000, 'a whole number of grams per passenger-km')
      .default(dt.co2GPerKm)
      .describe("grams of CO₂ per passenger-km in the operator's offer"),
    stops: whole(4, 5000, 'a whole number of stops').optional().describe(`generated network: stops (default ${dt.stops})`),
    lines: whole(1, 200, 'a whole number of lines').optional().describe(`generated network: lines (default ${dt.lines})`),
    trips: whole(1, 50_000, 'a whole number of trips').optional().describe(`generated network: trips over the day (default ${dt.trips})`),
    stopsPerLine: whole(2, 200, 'a whole number of stops')
      .optional()
      .describe(`generated network: stops per line (default ${dt.stopsPerLine})`),
    spacingM: whole(50, 5000, 'a whole number of metres')
      .optional()
      .describe(`generated network: metres between stops (default ${dt.spacingM})`),
    seed: whole(0, Number.MAX_SAFE_INTEGER, 'a whole number').optional().describe(`generated network: its seed (default ${dt.seed})`)
  },
  'a mapping, or false for no scheduled transport'
)

const hour = real(0, 24, 'a local hour')
const travellers = section({
  tripsPerDay: whole(0, 100_000, 'a whole number of trips')
    .optional()
    .describe('trips over the simulated day, all buildings together (instead of tripsPerBuilding)'),
  tripsPerBuilding: real(0, 100, 'a number of trips')
    .optional()
    .describe(`trips per building over the day (default ${d.travellers.tripsPerBuilding})`),
  seed: whole().default(d.travellers.seed).describe('the seed of the trip demand'),
  hours: z
    .tuple([hour, hour], { error: expected('[from, to] local hours with 0 ≤ from < to ≤ 24') })
    .default(d.travellers.hours)
    .describe('local hours [from, to) in which trips start; peaks at 07:45 and 16:30 inside them'),
  modes: list(
    z.enum(allModes, {
      error: iss => `unknown mode ${JSON.stringify(iss.input)} (one of ${allModes.join(', ')}; walking is always allowed)`
    }),
    `a non-empty list of modes (${allModes.join(', ')})`
  )
    .min(1, { error: () => `must be a non-empty list of modes (${allModes.join(', ')})` })
    .optional()
    .describe('modes a traveller accepts besides walking; absent: all'),
  maxWalkingM: whole(0, 10_000, 'a whole number of metres').default(d.travellers.maxWalkingM).describe('longest walk, metres'),
  stopShare: real(0, 1, 'a share')
    .default(d.travellers.stopShare)
    .describe("share of trips that go to a stop's surroundings (the rest to another building)"),
  weights: section({
    nanosPerSecond: whole(0, Number.MAX_SAFE_INTEGER, NANOS)
      .default(d.travellers.weights.nanosPerSecond)
      .describe('what a traveller would pay for a second saved'),
    nanosPerGramCo2: whole(0, Number.MAX_SAFE_INTEGER, NANOS)
      .default(d.travellers.weights.nanosPerGramCo2)
      .describe('for a gram of CO₂ avoided'),
    nanosPerTransfer: whole(0, Number.MAX_SAFE_INTEGER, NANOS)
      .default(d.travellers.weights.nanosPerTransfer)
      .describe('for a transfer avoided'),
    nanosPerWalkMetre: whole(0, Number.MAX_SAFE_INTEGER, NANOS)
      .default(d.travellers.weights.nanosPerWalkMetre)
      .describe('for a metre not walked')
  })
    .prefault({})
    .describe('what a traveller would pay for a second, a gram of CO₂, a transfer, a walked metre (nanos)')
})
  .prefault({})
  .superRefine((t, ctx) => {
    if (t.tripsPerDay != null && t.tripsPerBuilding != null)
      ctx.addIssue({
        code: 'custom',
        path: ['tripsPerDay'],
        message: 'give tripsPerDay or tripsPerBuilding, not both',
        input: t.tripsPerDay
      })
    if (t.hours[0] >= t.hours[1])
      ctx.addIssue({
        code: 'custom',
        path: ['hours'],
        message: `must be [from, to] local hours with 0 ≤ from < to ≤ 24, got ${JSON.stringify(t.hours)}`,
        input: t.hours
      })
  })
  .transform(
    ({ tripsPerDay, tripsPerBuilding, modes, ...t }): TravellerSpec => ({
      ...(tripsPerDay != null ? { tripsPerDay } : { tripsPerBuilding: tripsPerBuilding ?? d.travellers.tripsPerBuilding }),
      ...t,
      hours: [t.hours[0], t.hours[1]],
      ...(modes != null ? { modes } : {})
    })
  )
  .describe("the buildings' residents travelling through the day")

/** The `mobility:` section of a scenario (false: energy only). */
export const mobilityScenarioSchema = z
  .union(
    [
      z.literal(false),
      section(
        {
          transit: z
            .union([z.literal(false), transit], { error: expected('a mapping, or false for no scheduled transport') })
            .optional()
            .describe('a generated district network and its operator; false: no scheduled transport'),
          gtfs: text('the path of a GTFS directory or .zip file')
            .optional()
            .describe('a GTFS feed (directory or .zip) to use instead of generating one; relative to the scenario file'),
          vehicles: section({
            seed: whole().default(d.vehicles.seed).describe('the seed of where vehicles are parked'),
            bikes: fleet(d.vehicles.bikes, 'bikes'),
            scooters: fleet(d.vehicles.scooters, 'scooters'),
            cars
          })
            .prefault({})
            .describe('shared vehicles, each a node of its own'),
          travellers,
          offerEveryMinutes: whole(1, 24 * 60, 'a whole number of minutes')
            .default(d.offerEveryMinutes)
            .describe('vehicles and the operator re-gossip their service offers this often, simulated minutes'),
          gossipByZone: z
            .boolean({ error: expected('true or false') })
            .default(d.gossipByZone)
            .describe("vehicles gossip on their zone's topic, read by the buildings around it (false: every offer to every node)")
        },
        'a mapping, or false for no mobility'
      )
    ],
    { error: expected('a mapping, or false for no mobility') }
  )
  .prefault({})
  .superRefine((m, ctx) => {
    if (m === false || m.gtfs == null) return
    if (m.transit === false)
      ctx.addIssue({ code: 'custom', path: ['transit'], message: 'is false, but a gtfs feed is given: drop one', input: false })
    else
      for (const k of generator)
        if (m.transit?.[k] != null)
          ctx.addIssue({
            code: 'custom',
            path: ['transit', k],
            message: 'generates a network, but mobility.gtfs gives the timetable: drop one',
            input: m.transit[k]
          })
  })
  .transform((m): MobilityScenario | false => {
    if (m === false) return false
    const { transit: t, gtfs, ...rest } = m
    let spec: TransitSpec | false
    if (t === false) spec = false
    else {
      const { seatsPerTrip, fare, co2GPerKm, ...g } = t ?? { seatsPerTrip: dt.seatsPerTrip, fare: dt.fare, co2GPerKm: dt.co2GPerKm }
      spec =
        gtfs != null
          ? { seatsPerTrip, fare, co2GPerKm }
          : {
              seatsPerTrip,
              fare,
              co2GPerKm,
              stops: g.stops ?? dt.stops,
              lines: g.lines ?? dt.lines,
              trips: g.trips ?? dt.trips,
              stopsPerLine: g.stopsPerLine ?? dt.stopsPerLine,
              spacingM: g.spacingM ?? dt.spacingM,
              seed: g.seed ?? dt.seed
            }
    }
    return { transit: spec, ...(gtfs != null ? { gtfs } : {}), ...rest }
  })
  .describe('vehicles, a transit operator and travelling residents; false: energy only')

/** Validates the `mobility:` section; `false` turns mobility off. Errors name the field under `mobility.`. */
export function validateMobility(v: unknown): MobilityScenario | false {
  return parseWith(mobilityScenarioSchema, v, ['mobility'])
}
