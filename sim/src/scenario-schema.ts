import { buildingSchema, fieldPathOf, list, oneOf, real, section, text, whole, z } from '@kvartal/config'
import { ConfigError, DISTRICT_PATTERN } from '@kvartal/protocol'
import { builtInStrategies } from '@kvartal/market'
import { BuildingKind, type BuildingSpec } from '@kvartal/devices'
import { defaultNodeOptions } from '@kvartal/node'
import { defaultMobilityScenario, mobilityScenarioSchema, type MobilityScenario } from './mobility-scenario.ts'
import { defaultGridScenario, gridSchema, type GridScenario } from './grid-schema.ts'
import {
  checkSlotWindows,
  hasConditions,
  defaultNetworkScenario,
  MAX_SLOT_COUNT,
  networkScenarioSchema,
  type NetworkScenario
} from './links/network-scenario.ts'
import { checkFeederBuildings } from './grid-scenario.ts'

/** A simulation scenario, validated. Every field has a default, so `{}` is a valid scenario. */
export interface Scenario {
  district: string
  site: { latitude: number; longitude: number; utcOffsetHours: number; cloudiness: number }
  /** first simulated local day, YYYY-MM-DD */
  date: string
  /** `first`: the slot of the day the simulation starts at (0 = midnight) */
  /** `warmup`: slots simulated before `first`, traded as any other and left out of the market's figures */
  slots: { minutes: number; count: number; first: number; gateClosureSeconds: number; warmup: number }
  seed: number
  transport: 'memory' | 'tcp'
  /**
   * how the nodes of one simulation process gossip: 'process', on a shared bus, each message once to each
   * node that reads its topic; 'gossipsub', every node over its own gossipsub, as deployed nodes do.
   * Link conditions always use gossipsub
   */
  gossip: 'process' | 'gossipsub'
  tariffs: { retail: number; feedIn: number }
  market: {
    strategy: string
    ticksPerSlot: number
    tradingWindowSlots: number
    /** how long a seller holds what it accepted for the buyer's confirm, in simulated seconds (the node's `holdMs`) */
    holdSeconds: number
    horizonSlots: number
    republishEverySlots: number
    catchUpEverySlots: number
    degree: number
  }
  /** limit prices per building, as shares of the band between feed-in (0) and retail (1), drawn uniformly (seeded) */
  limits: { buy: [number, number]; sell: [number, number] }
  buildings: { generate?: { count: number; mix?: Partial<Record<BuildingKind, number>>; pvShare?: number }; list?: BuildingSpec[] }
  /** vehicles, a transit operator and travelling residents (mobility-scenario.ts); false: energy only */
  mobility: MobilityScenario | false
  /** feeders, transformer ratings and grid fees (grid-scenario.ts); false: one feeder, no grid fees */
  grid: GridScenario | false
  /** link conditions: loss, latency, bandwidth, partitions, churn (links/network-scenario.ts); default: a perfect network */
  network: NetworkScenario
}

export const defaultScenario: Scenario = {
  district: 'trondheim',
  // Trondheim, Norway; summer time
  site: { latitude: 63.43, longitude: 10.39, utcOffsetHours: 2, cloudiness: 0.3 },
  date: '2026-06-17',
  slots: { minutes: 15, count: 96, first: 0, gateClosureSeconds: 60, warmup: 0 },
  seed: 42,
  transport: 'memory',
  gossip: 'process',
  // ≈ 2 NOK/kWh retail with grid fee and ≈ 0.6 NOK/kWh feed-in, at 1 IOTA ≈ 2 NOK
  tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 },
  market: {
    strategy: 'concession',
    ticksPerSlot: 4,
    tradingWindowSlots: 4,
    holdSeconds: defaultNodeOptions.holdMs / 1000,
    horizonSlots: 8,
    republishEverySlots: 4,
    catchUpEverySlots: 1,
    degree: 4
  },
  // every building values local energy above every building's cost, so the optimum trades all it can
  limits: { buy: [0.5, 1], sell: [0, 0.45] },
  buildings: { generate: { count: 24 } },
  mobility: defaultMobilityScenario,
  grid: defaultGridScenario,
  network: defaultNetworkScenario
}

const d = defaultScenario
const strategies = Object.keys(builtInStrategies) as [string, ...string[]]
const NANOS_KWH = 'a whole number of nanos per kWh'
const share = real(0, 1, 'a share')
const band = (def: [number, number]) =>
  z
    .tuple([share, share], { error: () => 'must be [low, high] with 0 ≤ low ≤ high ≤ 1' })
    .default(def)
    .refine(([lo, hi]) => lo <= hi, { error: () => 'must be [low, high] with 0 ≤ low ≤ high ≤ 1' })

/** A whole number with its default from defaultScenario. */
const int = (min: number, max: number, def: number, what: string, doc: string) =>
  whole(min, max, what).default(def).describe(`${doc} (default ${def})`)

/**
 * A simulation scenario (`kvartal sim scenario.yaml`): every field, its default (defaultScenario) and
 * what it means; `{}` is the embedded default. The JSON Schema editors check against is made of this
 * (`npm run schemas` → schemas/scenario.schema.json).
 */
export const scenarioSchema = section(
  {
    district: text('lower-case letters, digits and dashes, 1–63 characters', DISTRICT_PATTERN)
      .default(d.district)
      .describe("the district's name: its gossip topics carry it"),
    site: section({
      latitude: real(-90, 90, 'decimal degrees').default(d.site.latitude).describe('where the district is (sun, weather)'),
      longitude: real(-180, 180, 'decimal degrees').default(d.site.longitude),
      utcOffsetHours: real(-12, 14, 'hours').default(d.site.utcOffsetHours).describe("local time's offset from UTC"),
      cloudiness: real(0, 1, 'a share').default(d.site.cloudiness).describe('0: clear sky, 1: overcast')
    })
      .prefault({})
      .describe('the site: position, time zone and weather'),
    date: z
      .string({ error: () => 'must be a date as YYYY-MM-DD' })
      .default(d.date)
      .refine(v => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)), {
        error: iss => `must be a date as YYYY-MM-DD, got ${JSON.stringify(iss.input)}`
      })
      .describe('the first simulated local day, YYYY-MM-DD'),
    slots: section({
      minutes: int(1, 60, d.slots.minutes, 'a whole number of minutes', 'slot length, minutes'),
      count: int(1, MAX_SLOT_COUNT, d.slots.count, 'a whole number of slots', 'slots to simulate'),
      first: int(0, 24 * 60 - 1, d.slots.first, 'a whole number of slots', 'the slot of the day the simulation starts at (0 = midnight)'),
      gateClosureSeconds: int(
        0,
        3600,
        d.slots.gateClosureSeconds,
        'a whole number of seconds',
        'trading for a slot closes this long before it starts'
      ),
      warmup: int(
        0,
        96,
        d.slots.warmup,
        'a whole number of slots',
        'slots simulated before `first` and left out of the figures: a district whose run starts in daylight trades ' +
          'less in its first slots than it does later, for want of the slots of trading before them'
      )
    })
      .prefault({})
      .describe("the market's time slots"),
    seed: whole().default(d.seed).describe('the seed of every random draw: the same seed, the same run'),
    transport: oneOf(['memory', 'tcp']).default(d.transport).describe('memory: in-process libp2p; tcp: real sockets on 127.0.0.1'),
    gossip: oneOf(['process', 'gossipsub'])
      .default(d.gossip)
      .describe(
        'process: the nodes of a simulation process gossip on a shared bus, each message once to ' +
          'each node that reads its topic (fast; the results do not depend on the route); gossipsub: ' +
          'every node over its own gossipsub, as deployed nodes do. Link conditions always use gossipsub'
      ),
    tariffs: section({
      retail: whole(0, Number.MAX_SAFE_INTEGER, NANOS_KWH).default(d.tariffs.retail).describe('what the grid sells at, nanos per kWh'),
      feedIn: whole(0, Number.MAX_SAFE_INTEGER, NANOS_KWH)
        .default(d.tariffs.feedIn)
        .describe('what the grid buys at, nanos per kWh (at most retail)')
    })
      .prefault({})
      .superRefine((t, ctx) => {
        if (t.feedIn > t.retail)
          ctx.addIssue({ code: 'custom', path: ['feedIn'], message: `must not exceed tariffs.retail (${t.retail})`, input: t.feedIn })
      })
      .describe("the grid's prices, between which local trades are worth making"),
    market: section({
      strategy: z
        .enum(strategies, { error: iss => `unknown strategy ${JSON.stringify(iss.input)} (built in: ${strategies.join(', ')})` })
        .default(d.market.strategy)
        .describe('the negotiation strategy of every building'),
      ticksPerSlot: int(1, 60, d.market.ticksPerSlot, 'a whole number', 'negotiation rounds per slot'),
      tradingWindowSlots: int(1, 96, d.market.tradingWindowSlots, 'a whole number of slots', 'slots ahead that are traded'),
      holdSeconds: int(
        1,
        3600,
        d.market.holdSeconds,
        'a whole number of seconds',
        "how long a seller holds what it accepted for the buyer's confirm (simulated time: it matters with network latency)"
      ),
      horizonSlots: int(1, 96, d.market.horizonSlots, 'a whole number of slots', 'slots ahead that are forecast'),
      republishEverySlots: int(1, 96, d.market.republishEverySlots, 'a whole number of slots', 'offers are gossiped again this often'),
      catchUpEverySlots: int(
        0,
        96,
        d.market.catchUpEverySlots,
        'a whole number of slots',
        'a node asks its peers for missed offers this often (0: never); on the ' +
          "simulator's process bus (gossip: process) nothing is missed and nobody asks"
      ),
      degree: int(1, 32, d.market.degree, 'a whole number', 'gossip mesh degree')
    })
      .prefault({})
      .describe('how the buildings trade'),
    limits: section({
      buy: band(d.limits.buy).describe(
        "buyers' limit prices: shares of the band between feed-in (0) and retail (1), drawn uniformly (seeded)"
      ),
      sell: band(d.limits.sell).describe("sellers' limit prices, as shares of the same band")
    })
      .prefault({})
      .describe('limit prices per building'),
    buildings: section({
      generate: section({
        count: whole(2, 10_000, 'a whole number of buildings').default(d.buildings.generate!.count).describe('how many buildings'),
        mix: section(
          Object.fromEntries(Object.keys(BuildingKind).map(k => [k, real(0, Number.MAX_SAFE_INTEGER, 'a share').optional()])) as Record<
            BuildingKind,
            z.ZodOptional<z.ZodNumber>
          >
        )
          .optional()
          .describe('shares of each kind of building; normalised, so { household: 3, office: 1 } is fine'),
        pvShare: real(0, 1, 'a share from 0 to 1')
          .optional()
          .describe(
            'share of roofs with PV, every kind alike (absent: homes 85 %, offices 90 ' +
              '%, shops 75 %); a building with PV at one share has it at every higher share'
          )
      })
        .prefault({})
        .describe('generated buildings'),
      list: list(buildingSchema, 'a non-empty list of buildings')
        .min(1, { error: () => 'must be a non-empty list of buildings' })
        .optional()
        .describe('listed buildings, each with an id (instead of generate)')
    })
      .prefault({})
      .superRefine((b, ctx) => {
        const ids = new Set<string>()
        for (const [i, x] of (b.list ?? []).entries()) {
          if (x.id == null)
            ctx.addIssue({
              code: 'custom',
              path: ['list', i, 'id'],
              message: 'is required: a non-empty string, unique in the list',
              input: x
            })
          else if (ids.has(x.id)) ctx.addIssue({ code: 'custom', path: ['list', i, 'id'], message: `duplicate id "${x.id}"`, input: x.id })
          else ids.add(x.id)
        }
      })
      .transform((b): Scenario['buildings'] =>
        b.list != null
          ? { generate: undefined, list: b.list as BuildingSpec[] }
          : {
              generate: {
                count: b.generate.count,
                mix:
                  b.generate.mix != null && Object.keys(b.generate.mix).length > 0
                    ? (b.generate.mix as Record<BuildingKind, number>)
                    : undefined,
                ...(b.generate.pvShare != null && { pvShare: b.generate.pvShare })
              },
              list: undefined
            }
      )
      .describe("the district's buildings: generated, or listed"),
    mobility: mobilityScenarioSchema,
    grid: z.union([z.literal(false), gridSchema], { error: () => 'must be a mapping, or false for one feeder without fees' }).prefault({}),
    network: networkScenarioSchema
  },
  'a YAML mapping (a scenario)'
)
  .superRefine((s, ctx) => {
    // the rules between sections, once each section is valid: listed buildings on listed feeders, link conditions in the run's slots
    try {
      if (s.grid !== false)
        checkFeederBuildings(
          s.grid,
          s.buildings.list?.map(b => b.id)
        )
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      ctx.addIssue({ code: 'custom', path: fieldPathOf(err.field), message: err.detail, input: s.grid })
    }
    checkSlotWindows(s.network, s.slots.count, ctx, ['network'])
    const w = s.slots.warmup
    if (w > s.slots.first)
      ctx.addIssue({
        code: 'custom',
        path: ['slots', 'warmup'],
        message: `at most slots.first (${s.slots.first}): the warm-up is on the same day`,
        input: w
      })
    else if (w > 0 && s.slots.count + w > MAX_SLOT_COUNT)
      ctx.addIssue({
        code: 'custom',
        path: ['slots', 'warmup'],
        message: `with slots.count, at most ${MAX_SLOT_COUNT} slots in all`,
        input: w
      })
    else if (w > 0 && hasConditions(s.network))
      ctx.addIssue({
        code: 'custom',
        path: ['slots', 'warmup'],
        message: 'not with link conditions (their slots count from slots.first)',
        input: w
      })
  })
  .describe('a Kvartal simulation scenario')
