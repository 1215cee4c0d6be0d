import { expected, NANOS, pricingPlanSchema, real, section, show, text, whole, z } from '@kvartal/config'
import { Mode } from '@kvartal/mobility'
import { defaultMobilityOptions } from '@kvartal/node'
import { accessibilitySchema } from './accessibility-schema.ts'

/**
 * The `mobility:` section of a node config: a timetable, and what this node sells (absent: it travels
 * only). Output: the section with its defaults; node-config.ts resolves the GTFS path against the
 * config's directory and centres a generated network on the site.
 */

/** On-demand vehicles (TOMP-API asset classes this runtime rents out) and timetabled modes (GTFS route types). */
export const vehicleModes = [Mode.BICYCLE, Mode.SCOOTER, Mode.CAR] as const
export const transitModes = [Mode.BUS, Mode.TRAM, Mode.METRO, Mode.RAIL, Mode.FERRY] as const

const modeOf = <T extends readonly [Mode, ...Mode[]]>(allowed: T) =>
  z.enum(allowed, {
    error: iss => {
      const any =
        typeof iss.input === 'string' && iss.input in Mode
          ? ` (${iss.input} is a TOMP-API mode, but not one this kind of provider sells)`
          : ''
      return `must be one of ${allowed.join(', ')}, got ${show(iss.input)}${any}`
    }
  })

export const coordinateSchema = section(
  {
    lat: real(-90, 90, 'decimal degrees').describe('latitude'),
    lon: real(-180, 180, 'decimal degrees').describe('longitude')
  },
  '{ lat, lon } in decimal degrees'
)

const cancellation = section({
  freeUntilS: whole(0, 7 * 86_400, 'a whole number of seconds')
    .default(600)
    .describe('free cancellation until this long before the leg starts, seconds'),
  feeNanos: whole(0, Number.MAX_SAFE_INTEGER, NANOS).default(0).describe('the fee after that, nanos'),
  refundAfterStart: z
    .literal(false, { error: () => 'must be false: nothing is refunded once a leg has started' })
    .default(false)
    .describe('always false: nothing is refunded once a leg has started')
})
  .prefault({})
  .describe('cancellation terms')

const vehicle = section({
  kind: z.literal('vehicle'),
  mode: modeOf(vehicleModes).describe('what it is: BICYCLE, SCOOTER or CAR'),
  position: coordinateSchema.describe('where the vehicle is parked, { lat, lon }'),
  pricing: pricingPlanSchema,
  co2GPerKm: whole(0, 10_000, 'a whole number of grams per km').describe('life-cycle grams of CO₂ per km'),
  speedKmh: whole(1, 300, 'a whole number of km/h').describe('quoting speed, km/h'),
  cancellation,
  battery: section({
    capacityWh: whole(1, 1_000_000, 'a whole number of Wh').describe('battery capacity, Wh'),
    socWh: whole(0, 1_000_000, 'a whole number of Wh').describe('charge now, Wh (at most capacityWh)'),
    reserveWh: whole(0, 1_000_000, 'a whole number of Wh').default(0).describe('never sold nor driven below, Wh (at most capacityWh)'),
    whPerKm: whole(1, 100_000, 'a whole number of Wh per km').describe('consumption, Wh per km')
  })
    .superRefine((b, ctx) => {
      for (const k of ['socWh', 'reserveWh'] as const)
        if (b[k] > b.capacityWh)
          ctx.addIssue({
            code: 'custom',
            path: [k],
            message: `expected a whole number of Wh between 0 and ${b.capacityWh} (capacityWh), got ${b[k]}`,
            input: b[k]
          })
    })
    .optional()
    .describe("an EV's battery: with it the vehicle also trades energy while parked"),
  maxRentalMs: whole(60_000, 7 * 86_400_000, 'a whole number of ms')
    .default(4 * 3_600_000)
    .describe('longest rental, ms'),
  accessibility: accessibilitySchema.optional(),
  energy: section({
    targetSocPercent: whole(0, 100, 'a whole percentage').optional().describe('sells above this charge, charges below it'),
    chargerW: whole(0, 1_000_000, 'a whole number of W').optional().describe("the charger's power, W")
  })
    .optional()
    .describe('with a battery: how it trades energy while parked')
})
  .superRefine((v, ctx) => {
    if (v.energy != null && v.battery == null)
      ctx.addIssue({
        code: 'custom',
        path: ['energy'],
        message: 'needs a battery: only a vehicle with a battery trades energy while parked',
        input: v.energy
      })
  })
  .describe('a bike, scooter or car rented by the minute and km')

const transit = section({
  kind: z.literal('transit'),
  agencyId: z
    .string({ error: iss => `is required: the GTFS agency_id whose trips this operator sells, got ${show(iss.input)}` })
    .min(1, { error: () => 'is required: the GTFS agency_id whose trips this operator sells, got ""' })
    .describe('the GTFS agency_id whose trips this operator sells'),
  mode: modeOf(transitModes).default(Mode.BUS).describe('BUS, TRAM, METRO, RAIL or FERRY'),
  seatsPerTrip: whole(1, 10_000, 'a whole number of seats').describe('seats on each trip'),
  cancellation,
  co2GPerKm: whole(0, 10_000, 'a whole number of grams per passenger-km').describe('grams of CO₂ per passenger-km')
}).describe('seats on timetabled trips')

const KINDS = 'vehicle (a bike, scooter or car rented by the minute and km) or transit (seats on timetabled trips)'
const provider = z
  .discriminatedUnion('kind', [vehicle, transit], {
    error: iss =>
      iss.code === 'invalid_union'
        ? `must be ${KINDS}, got ${show((iss.input as { kind?: unknown } | undefined)?.kind)}`
        : expected('a mapping')(iss)
  })
  .describe(`what this node sells: ${KINDS}; absent: it travels only`)

const timetable = section({
  gtfs: text(
    'the path of a GTFS feed: a directory or a .zip with stops.txt, routes.txt, trips.txt, stop_times.txt (agency.txt for the time zone)'
  )
    .optional()
    .describe('a GTFS feed (directory or .zip), relative to the config file'),
  generate: section({
    seed: whole().default(1).describe("the generator's seed"),
    stops: whole(2, 100_000, 'a whole number of stops').default(100),
    lines: whole(1, 1_000, 'a whole number of lines').default(10),
    trips: whole(1, 1_000_000, 'a whole number of trips').default(1_000),
    center: coordinateSchema.optional().describe("the network's centre; default: the site"),
    stopsPerLine: whole(2, 10_000, 'a whole number of stops').optional(),
    spacingM: whole(10, 100_000, 'a whole number of metres').optional().describe('metres between stops')
  })
    .optional()
    .describe('a generated district network (seeded)')
})
  .superRefine((t, ctx) => {
    if ((t.gtfs == null) === (t.generate == null))
      ctx.addIssue({
        code: 'custom',
        message: 'give exactly one of gtfs (a GTFS directory or .zip) or generate (a generated district network)',
        input: t
      })
  })
  .describe('the timetable travellers plan on: a GTFS feed or a generated network')

export const mobilitySchema = section({
  timetable: timetable.optional(),
  provider: provider.optional(),
  holdMs: whole(1_000, 3_600_000, 'a whole number of ms')
    .default(defaultMobilityOptions.holdMs)
    .describe('how long a provider holds a quoted leg for a booking, ms'),
  offerEveryMs: whole(1_000, 86_400_000, 'a whole number of ms')
    .default(defaultMobilityOptions.offerEveryMs)
    .describe('a provider gossips its service offer this often, ms'),
  zones: section(
    {
      home: coordinateSchema.optional().describe("where journeys start (default: the config's site): the node reads the zones around it")
    },
    'a mapping: {} or { home: { lat, lon } }'
  )
    .optional()
    .describe(
      "the district gossips mobility by zone: a vehicle's offer on its zone's topic (every node of the district must agree), " +
        'and this node reads the zones around home; absent: every offer on the district topic'
    ),
  operators: z
    .record(z.string(), text("the operator node's key, 64 hex characters (kvartal id prints it)", /^[0-9a-fA-F]{64}$/), {
      error: expected('a mapping { <agency_id>: <operator node key> }')
    })
    .transform(o => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.toLowerCase()])))
    .optional()
    .describe('GTFS agency_id → the key (64 hex) of the node that sells its tickets')
})
  .superRefine((m, ctx) => {
    if (m.provider?.kind === 'transit' && m.timetable == null)
      ctx.addIssue({
        code: 'custom',
        path: ['timetable'],
        message: "is required for a transit provider: it sells seats on the timetable's trips (give timetable.gtfs or timetable.generate)",
        input: undefined
      })
  })
  .describe('the mobility market: a timetable, and what this node sells (absent: it travels only)')

export type MobilityDoc = z.output<typeof mobilitySchema>
