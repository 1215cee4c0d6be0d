import { ConfigError, isDispatchable, slotStart, type SlotWindow } from '@kvartal/protocol'
import { createRng, createBuildingFromSpec, buildDistrict, type Building, type BuildingSpec } from '@kvartal/devices'
import { strategyByName } from '@kvartal/market'
import { identityFromSeed, type NodeIdentity } from '@kvartal/mesh'
import type { GridOptions } from '@kvartal/node'
import { defaultDistrictRunConfig, type DistrictRunConfig } from './district-run-config.ts'
import { buildFeeders, relaysOf, transformerShares, type Feeder } from './grid-scenario.ts'
import { keySeedFor } from './key-seed.ts'
import { hasConditions } from './links/network-scenario.ts'
import type { BuildingFacts } from './metrics.ts'
import { buildMobilityDistrict, type MobilityDistrict } from './mobility-district.ts'
import { providerNodes, travellerOptions } from './mobility-nodes.ts'
import type { SimNodeSpec } from './node-spec.ts'
import type { Scenario } from './scenario.ts'
import { TripAgent, type JourneyOutcome } from './trip-agent.ts'

/** A scenario made ready to run: its nodes, the facts the metrics need, and the run's settings. */
export interface PreparedScenario {
  readonly specs: BuildingSpec[]
  readonly identities: NodeIdentity[]
  readonly providerIdentities: NodeIdentity[]
  /** buildings first, in scenario order, then the vehicles and the transit operator */
  readonly nodes: SimNodeSpec[]
  readonly district?: MobilityDistrict
  readonly feeders: Feeder[]
  readonly feederOf: Map<number, Feeder>
  readonly relays: Set<number>
  readonly operator?: NodeIdentity
  readonly limits: Array<{ buyLimit: number; sellLimit: number }>
  readonly facts: BuildingFacts[]
  /** everything `runDistrict` needs but the ledger and the listeners */
  readonly run: Omit<DistrictRunConfig, 'ledger' | 'onEvent' | 'onProgress' | 'onTick'>
  /**
   * The residents' trips (absent without mobility): all of them, or those of the buildings `owns`
   * accepts (a worker process plays the trips of its own buildings)
   */
  agent: (onOutcome: (o: JourneyOutcome) => void, owns?: (building: number) => boolean) => TripAgent | undefined
}

/** Local midnight of the scenario's date, ms since the epoch. */
export function localMidnightMs(s: Scenario): number {
  const [y, m, d] = s.date.split('-').map(Number)
  return Date.UTC(y, m - 1, d) - s.site.utcOffsetHours * 3_600_000
}

/**
 * Slots per settlement period: a day, as deployed nodes settle (`periodSlots: 96` in `kvartal init`'s config), when
 * the run is several whole days; otherwise the whole run, so that a run of a day or less settles once, at its end.
 * Periods count from the run's first slot.
 */
export function settlementPeriodSlots(s: Pick<Scenario, 'slots'>): number {
  const day = Math.round(1440 / s.slots.minutes)
  return s.slots.count > day && s.slots.count % day === 0 ? day : s.slots.count
}

/** Start of the first simulated slot: local midnight of the scenario's date plus `slots.first` slots. */
export function dayStartMs(s: Scenario): number {
  return localMidnightMs(s) + s.slots.first * s.slots.minutes * 60_000
}

/**
 * Builds the buildings, the grid, the mobility district and the nodes of a scenario. Deterministic: a
 * worker process that prepares the same scenario gets the same nodes, keys and profiles.
 */
export async function prepareScenario(s: Scenario, transport: 'memory' | 'tcp' = s.transport): Promise<PreparedScenario> {
  const slotMs = s.slots.minutes * 60_000
  const epochMs = dayStartMs(s)
  const site = {
    latitudeDeg: s.site.latitude,
    longitudeDeg: s.site.longitude,
    seed: s.seed,
    utcOffsetHours: s.site.utcOffsetHours,
    cloudiness: s.site.cloudiness
  }
  const specs: BuildingSpec[] =
    s.buildings.list ??
    buildDistrict({
      seed: s.seed,
      count: s.buildings.generate!.count,
      latitudeDeg: s.site.latitude,
      longitudeDeg: s.site.longitude,
      mix: s.buildings.generate!.mix,
      pvShare: s.buildings.generate!.pvShare
    })
  const buildings: Building[] = specs.map(spec => createBuildingFromSpec(spec, site))
  const window = (index: number): SlotWindow => ({ index, startMs: epochMs + index * slotMs, durationMs: slotMs })
  // plan every building's day up front, in slot order: devices are deterministic, and the metrics need it
  const nets = buildings.map(b => Array.from({ length: s.slots.count }, (_, i) => b.netForecast(window(i))))
  const consumption = buildings.map(b =>
    Array.from({ length: s.slots.count }, (_, i) => {
      let c = 0
      for (const d of b.devices)
        if (!isDispatchable(d)) {
          const e = d.forecast(window(i))
          if (e < 0) c -= e
        }
      return c
    })
  )
  const rng = createRng(s.seed ^ 0x5eed)
  const band = s.tariffs.retail - s.tariffs.feedIn
  const draw = (r: [number, number]): number => Math.round(s.tariffs.feedIn + band * (r[0] + rng() * (r[1] - r[0])))
  const limits = buildings.map(() => ({ buyLimit: draw(s.limits.buy), sellLimit: draw(s.limits.sell) }))
  const keySeeds = specs.map(spec => keySeedFor(s.seed, spec.id))
  const identities = await Promise.all(keySeeds.map(async k => await identityFromSeed(k)))
  const measured = buildings.map(b => Array.from({ length: s.slots.count }, (_, i) => b.netMeasured(window(i))))
  const m = s.mobility === false ? undefined : s.mobility
  const slots = { epochMs, slotMs, gateClosureMs: s.slots.gateClosureSeconds * 1000 }
  const simEndMs = slotStart(slots, s.slots.count)
  let district: MobilityDistrict | undefined
  if (m != null) {
    const ids = new Set(specs.map(b => b.id))
    // trips start early enough that their rides end, and their final receipts come, before the period is settled
    district = await buildMobilityDistrict({
      mobility: m,
      site: s.site,
      buildingCount: specs.length,
      seed: s.seed,
      localMidnightMs: localMidnightMs(s),
      fromMs: epochMs,
      untilMs: simEndMs - 3_600_000,
      slotMs
    })
    for (const p of district.providers)
      if (ids.has(p.name))
        throw new ConfigError(
          `buildings.list[${specs.findIndex(b => b.id === p.name)}].id`,
          `"${p.name}" is the name of a simulated vehicle or operator: choose another id`
        )
  }
  // the grid: which feeder each building is on, its share of the transformer, the relays, the operator
  const feeders: Feeder[] =
    s.grid === false
      ? []
      : buildFeeders(
          s.grid,
          specs.map(b => b.id),
          s.slots.minutes
        )
  const feederOf = new Map<number, Feeder>()
  for (const f of feeders) for (const i of f.members) feederOf.set(i, f)
  const relays = new Set<number>()
  if (s.grid !== false)
    for (const f of feeders)
      for (const i of relaysOf(
        f,
        identities.map(x => x.id),
        s.grid.relaysPerFeeder
      ))
        relays.add(i)
  const operator = s.grid === false ? undefined : await identityFromSeed(keySeedFor(s.seed, 'grid-operator'))
  // each building's share of its transformer, in proportion to the largest exchange of its whole day (whatever
  // slots the scenario runs: it stands for the building's connection, not for the hours simulated), from a fresh
  // model of the building (a model caches its forecasts by slot index and its batteries keep state)
  const midnight = localMidnightMs(s)
  const slotsPerDay = Math.round(86_400_000 / slotMs)
  const peak = (feeders.length === 0 ? [] : specs).map(spec => {
    const b = createBuildingFromSpec(spec, site)
    let most = 0
    for (let i = 0; i < slotsPerDay; i++)
      most = Math.max(most, Math.abs(b.netForecast({ index: i, startMs: midnight + i * slotMs, durationMs: slotMs })))
    return most
  })
  const shares = new Map<number, number>()
  for (const f of feeders) for (const [i, wh] of transformerShares(f, peak)) shares.set(i, wh)
  const gridFor = (f: Feeder, relay: boolean, i = -1): GridOptions | undefined =>
    s.grid === false
      ? undefined
      : {
          feeder: f.id,
          fees: s.grid.fees,
          crossFeederShareWh: shares.get(i) ?? 0,
          relay,
          operator: operator!.iotaAddress
        }
  const nodes: SimNodeSpec[] = specs.map((spec, i) => ({
    name: spec.id,
    keySeed: keySeeds[i],
    strategy: strategyByName(s.market.strategy)!,
    profile: { ...limits[i], position: (slot: number) => nets[i][slot] ?? 0, measured: (slot: number) => measured[i][slot] ?? 0 },
    // residents travel: every building's node plans and books journeys
    ...(district != null ? { mobility: travellerOptions(m!, district, district.map.buildings[i]) } : {}),
    ...(feederOf.has(i) ? { grid: gridFor(feederOf.get(i)!, relays.has(i), i) } : {})
  }))
  // vehicles and the transit operator charge and sell where they stand: spread over the feeders, no share of the transformer of their own
  if (district != null)
    nodes.push(
      ...providerNodes(s, m!, district).map((p, j) =>
        feeders.length === 0 ? p : { ...p, grid: { ...gridFor(feeders[j % feeders.length], false)!, crossFeederShareWh: 0 } }
      )
    )
  const providerIdentities = await Promise.all(nodes.slice(specs.length).map(async n => await identityFromSeed(n.keySeed)))
  const facts: BuildingFacts[] = specs.map((spec, i) => ({
    id: spec.id,
    trader: identities[i].id,
    ...limits[i],
    net: nets[i],
    consumption: consumption[i],
    ...(feederOf.has(i) ? { feeder: feederOf.get(i)!.id } : {})
  }))
  const agent = (onOutcome: (o: JourneyOutcome) => void, owns: (building: number) => boolean = () => true): TripAgent | undefined =>
    district == null
      ? undefined
      : new TripAgent(
          district.demand.filter(d => owns(d.building)),
          {
            nodeOf: b => b,
            buildingName: b => specs[b].id,
            ...(m!.travellers.modes != null ? { modes: m!.travellers.modes } : {}),
            maxWalkingM: m!.travellers.maxWalkingM,
            weights: m!.travellers.weights,
            onOutcome
          }
        )
  const run = {
    ...defaultDistrictRunConfig,
    district: s.district,
    nodes,
    transport,
    slots,
    slotCount: s.slots.count,
    periodSlots: settlementPeriodSlots(s),
    tariffs: s.tariffs,
    ticksPerSlot: s.market.ticksPerSlot,
    tradingWindowSlots: s.market.tradingWindowSlots,
    holdMs: s.market.holdSeconds * 1000,
    horizonSlots: s.market.horizonSlots,
    republishEverySlots: s.market.republishEverySlots,
    catchUpEverySlots: s.market.catchUpEverySlots,
    degree: s.market.degree,
    seed: s.seed,
    processGossip: s.gossip === 'process',
    ...(hasConditions(s.network) ? { network: s.network } : {})
  }
  return { specs, identities, providerIdentities, nodes, district, feeders, feederOf, relays, operator, limits, facts, run, agent }
}
