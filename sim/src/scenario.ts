import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parse, YAMLParseError } from 'yaml'
import { ConfigError, DISTRICT_PATTERN } from '@kvartal/protocol'
import { builtInStrategies } from '@kvartal/market'
import { BuildingKind, type BuildingSpec } from '@kvartal/devices'
import { isObj, known, num, range, sub } from './fields.ts'
import { defaultMobilityScenario, validateMobility, type MobilityScenario } from './mobility-scenario.ts'
import { defaultGridScenario, validateGrid, type GridScenario } from './grid-scenario.ts'

/** A simulation scenario, validated. Every field has a default, so `{}` is a valid scenario. */
export interface Scenario {
  district: string
  site: { latitude: number, longitude: number, utcOffsetHours: number, cloudiness: number }
  /** first simulated local day, YYYY-MM-DD */
  date: string
  /** `first`: the slot of the day the simulation starts at (0 = midnight) */
  slots: { minutes: number, count: number, first: number, gateClosureSeconds: number }
  seed: number
  transport: 'memory' | 'tcp'
  tariffs: { retail: number, feedIn: number }
  market: { strategy: string, ticksPerSlot: number, tradingWindowSlots: number, horizonSlots: number, republishEverySlots: number, catchUpEverySlots: number, degree: number }
  /** limit prices per building, as shares of the band between feed-in (0) and retail (1), drawn uniformly (seeded) */
  limits: { buy: [number, number], sell: [number, number] }
  buildings: { generate?: { count: number, mix?: Partial<Record<BuildingKind, number>> }, list?: BuildingSpec[] }
  /** vehicles, a transit operator and travelling residents (mobility-scenario.ts); false: energy only */
  mobility: MobilityScenario | false
  /** feeders, transformer ratings and grid fees (grid-scenario.ts); false: one feeder, no grid fees */
  grid: GridScenario | false
}

export const defaultScenario: Scenario = {
  district: 'trondheim',
  // Trondheim, Norway; summer time
  site: { latitude: 63.43, longitude: 10.39, utcOffsetHours: 2, cloudiness: 0.3 },
  date: '2026-06-17',
  slots: { minutes: 15, count: 96, first: 0, gateClosureSeconds: 60 },
  seed: 42,
  transport: 'memory',
  // ≈ 2 NOK/kWh retail with grid fee and ≈ 0.6 NOK/kWh feed-in, at 1 IOTA ≈ 2 NOK
  tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 },
  market: { strategy: 'concession', ticksPerSlot: 4, tradingWindowSlots: 4, horizonSlots: 8, republishEverySlots: 4, catchUpEverySlots: 1, degree: 4 },
  // every building values local energy above every building's cost, so the optimum trades all it can
  limits: { buy: [0.5, 1], sell: [0, 0.45] },
  buildings: { generate: { count: 24 } },
  mobility: defaultMobilityScenario,
  grid: defaultGridScenario
}

/** Validates a parsed scenario document; errors name the field. */
export function validateScenario (doc: unknown): Scenario {
  if (doc == null) doc = {}
  if (!isObj(doc)) throw new ConfigError('(root)', 'a scenario is a YAML mapping')
  const d = defaultScenario
  known(doc, '', ['district', 'site', 'date', 'slots', 'seed', 'transport', 'tariffs', 'market', 'limits', 'buildings', 'mobility', 'grid'])
  const district = doc.district ?? d.district
  if (typeof district !== 'string' || !DISTRICT_PATTERN.test(district)) throw new ConfigError('district', 'must be lower-case letters, digits and dashes, 1–63 characters')
  const site = sub(doc, 'site', '')
  known(site, 'site', ['latitude', 'longitude', 'utcOffsetHours', 'cloudiness'])
  const slots = sub(doc, 'slots', '')
  known(slots, 'slots', ['minutes', 'count', 'first', 'gateClosureSeconds'])
  const tariffs = sub(doc, 'tariffs', '')
  known(tariffs, 'tariffs', ['retail', 'feedIn'])
  const market = sub(doc, 'market', '')
  known(market, 'market', ['strategy', 'ticksPerSlot', 'tradingWindowSlots', 'horizonSlots', 'republishEverySlots', 'catchUpEverySlots', 'degree'])
  const limits = sub(doc, 'limits', '')
  known(limits, 'limits', ['buy', 'sell'])
  const buildings = sub(doc, 'buildings', '')
  known(buildings, 'buildings', ['generate', 'list'])
  const date = doc.date ?? d.date
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) throw new ConfigError('date', `must be a date as YYYY-MM-DD, got ${JSON.stringify(date)}`)
  const transport = doc.transport ?? d.transport
  if (transport !== 'memory' && transport !== 'tcp') throw new ConfigError('transport', `must be "memory" or "tcp", got ${JSON.stringify(transport)}`)
  const strategy = market.strategy ?? d.market.strategy
  if (typeof strategy !== 'string' || builtInStrategies[strategy] == null) throw new ConfigError('market.strategy', `unknown strategy ${JSON.stringify(strategy)} (built in: ${Object.keys(builtInStrategies).join(', ')})`)
  const retail = num(tariffs, 'retail', 'tariffs', d.tariffs.retail, { min: 0, integer: true })
  const feedIn = num(tariffs, 'feedIn', 'tariffs', d.tariffs.feedIn, { min: 0, integer: true })
  if (feedIn > retail) throw new ConfigError('tariffs.feedIn', 'must not exceed tariffs.retail')
  let generate: Scenario['buildings']['generate']
  let list: BuildingSpec[] | undefined
  if (buildings.list != null) {
    if (!Array.isArray(buildings.list) || buildings.list.length === 0) throw new ConfigError('buildings.list', 'must be a non-empty list of buildings')
    list = buildings.list.map((b, i) => validateBuilding(b, `buildings.list[${i}]`))
    const ids = new Set<string>()
    for (const [i, b] of list.entries()) { if (ids.has(b.id)) throw new ConfigError(`buildings.list[${i}].id`, `duplicate id "${b.id}"`); ids.add(b.id) }
  } else {
    const g = sub(buildings, 'generate', 'buildings')
    known(g, 'buildings.generate', ['count', 'mix'])
    const mix = sub(g, 'mix', 'buildings.generate')
    known(mix, 'buildings.generate.mix', Object.keys(BuildingKind))
    for (const k of Object.keys(mix)) num(mix, k, 'buildings.generate.mix', 0, { min: 0 })
    generate = { count: num(g, 'count', 'buildings.generate', d.buildings.generate!.count, { min: 2, max: 10_000, integer: true }), mix: Object.keys(mix).length > 0 ? mix as Record<BuildingKind, number> : undefined }
  }
  return {
    district,
    site: {
      latitude: num(site, 'latitude', 'site', d.site.latitude, { min: -90, max: 90 }),
      longitude: num(site, 'longitude', 'site', d.site.longitude, { min: -180, max: 180 }),
      utcOffsetHours: num(site, 'utcOffsetHours', 'site', d.site.utcOffsetHours, { min: -12, max: 14 }),
      cloudiness: num(site, 'cloudiness', 'site', d.site.cloudiness, { min: 0, max: 1 })
    },
    date,
    slots: {
      minutes: num(slots, 'minutes', 'slots', d.slots.minutes, { min: 1, max: 60, integer: true }),
      count: num(slots, 'count', 'slots', d.slots.count, { min: 1, max: 96 * 7, integer: true }),
      first: num(slots, 'first', 'slots', d.slots.first, { min: 0, max: 24 * 60 - 1, integer: true }),
      gateClosureSeconds: num(slots, 'gateClosureSeconds', 'slots', d.slots.gateClosureSeconds, { min: 0, max: 3600, integer: true })
    },
    seed: num(doc, 'seed', '', d.seed, { integer: true, min: 0 }),
    transport,
    tariffs: { retail, feedIn },
    market: {
      strategy,
      ticksPerSlot: num(market, 'ticksPerSlot', 'market', d.market.ticksPerSlot, { min: 1, max: 60, integer: true }),
      tradingWindowSlots: num(market, 'tradingWindowSlots', 'market', d.market.tradingWindowSlots, { min: 1, max: 96, integer: true }),
      horizonSlots: num(market, 'horizonSlots', 'market', d.market.horizonSlots, { min: 1, max: 96, integer: true }),
      republishEverySlots: num(market, 'republishEverySlots', 'market', d.market.republishEverySlots, { min: 1, max: 96, integer: true }),
      catchUpEverySlots: num(market, 'catchUpEverySlots', 'market', d.market.catchUpEverySlots, { min: 0, max: 96, integer: true }),
      degree: num(market, 'degree', 'market', d.market.degree, { min: 1, max: 32, integer: true })
    },
    limits: { buy: range(limits, 'buy', 'limits', d.limits.buy), sell: range(limits, 'sell', 'limits', d.limits.sell) },
    buildings: { generate, list },
    mobility: validateMobility(doc.mobility),
    grid: doc.grid === false ? false : validateGrid(doc.grid, list?.map(b => b.id))
  }
}

function validateBuilding (b: unknown, path: string): BuildingSpec {
  if (!isObj(b)) throw new ConfigError(path, 'must be a mapping')
  known(b, path, ['id', 'kind', 'load', 'pvPeakW', 'battery', 'ev'])
  if (typeof b.id !== 'string' || b.id.length === 0) throw new ConfigError(`${path}.id`, 'must be a non-empty string')
  if (typeof b.kind !== 'string' || !(b.kind in BuildingKind)) throw new ConfigError(`${path}.kind`, `must be one of ${Object.keys(BuildingKind).join(', ')}`)
  const load = sub(b, 'load', path)
  known(load, `${path}.load`, ['profile', 'dailyKwh'])
  if (typeof load.profile !== 'string' || !['household', 'office', 'commercial'].includes(load.profile)) throw new ConfigError(`${path}.load.profile`, 'must be household, office or commercial')
  num(load, 'dailyKwh', `${path}.load`, 0, { min: 0 })
  if (b.pvPeakW != null) num(b, 'pvPeakW', path, 0, { min: 0, integer: true })
  // device-level checks (battery, ev) are done by the device factories, which name the field
  return b as unknown as BuildingSpec
}

/** Reads and validates a scenario file. A missing file, bad YAML or a bad field is a ConfigError naming it. */
export async function loadScenario (path: string): Promise<Scenario> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new ConfigError(path, `cannot read the scenario file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  let doc: unknown
  try {
    doc = parse(text)
  } catch (err) {
    const e = err as YAMLParseError
    throw new ConfigError(path, `not valid YAML: ${e.message.split('\n')[0]}`)
  }
  const s = validateScenario(doc)
  // a feed named in the file is found beside the file
  if (s.mobility !== false && s.mobility.gtfs != null && !isAbsolute(s.mobility.gtfs)) s.mobility = { ...s.mobility, gtfs: resolve(dirname(path), s.mobility.gtfs) }
  return s
}
