import { createWriteStream } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError, isDispatchable, slotStart, type NodeEvent, type SlotWindow } from '@kvartal/protocol'
import { createRng, createBuildingFromSpec, buildDistrict, type Building, type BuildingSpec } from '@kvartal/devices'
import { strategyByName } from '@kvartal/market'
import { identityFromSeed } from '@kvartal/mesh'
import { runDistrict, type SimNodeSpec } from './district-runner.ts'
import { defaultDistrictRunConfig } from './district-run-config.ts'
import { runOnWorkers } from './worker-runner.ts'
import { computeMetrics, type BuildingFacts, type DistrictMetrics } from './metrics.ts'
import { settlementMetrics, type SettlementMetrics } from './settlement-metrics.ts'
import { LocalLedger } from '@kvartal/settlement'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import type { Scenario } from './scenario.ts'
import { buildMobilityDistrict, type MobilityDistrict } from './mobility-district.ts'
import { TripAgent, type JourneyOutcome } from './trip-agent.ts'
import { computeMobilityMetrics, type MobilityMetrics } from './mobility-metrics.ts'
import { providerNodes, providerResult, travellerOptions, type ProviderResult } from './mobility-nodes.ts'
import { keySeedFor } from './key-seed.ts'
import { buildFeeders, relaysOf, type Feeder } from './grid-scenario.ts'
import type { GridOptions } from '@kvartal/node'
import { nodeFigures, type NodeFigures } from './report-html/node-figures.ts'
import { withNames, type NodeNames } from './report-html/trace-names.ts'
import { runStarted } from './replay/trace-header.ts'
import type { PreparedScenario } from './prepared-scenario.ts'
import { hasConditions } from './links/network-scenario.ts'
import type { NetworkFigures } from './links/link-controller.ts'

export interface ScenarioRunOptions {
  /** write results.json, trace.ndjson and summary.txt here */
  outDir?: string
  /** override the scenario's transport */
  transport?: 'memory' | 'tcp'
  /** after each tick; the run waits for it */
  onProgress?: (done: number, total: number) => void | Promise<void>
  /** extra event listener (the CLI's log, tests) */
  onEvent?: (e: NodeEvent) => void
  /** each journey's outcome as it happens */
  onJourney?: (o: JourneyOutcome) => void
  /** once the scenario is prepared, before any node starts (the dashboard); the run waits for it */
  onPrepared?: (p: PreparedScenario, names: NodeNames) => void | Promise<void>
  /**
   * Spread the district over this many processes, connected over TCP on 127.0.0.1 with one simulated
   * clock (worker-runner.ts); 1 (the default here): every node in this process
   */
  workers?: number
}

export interface ScenarioResult {
  scenario: Scenario
  metrics: DistrictMetrics
  settlement: SettlementMetrics
  wallMs: number
  startupMs: number
  wallMsPerSlot: number
  ticks: number
  gossipLate: number
  /** signature checks the simulator's nodes shared (district-runner.ts, `shareVerification`) */
  verification: { hits: number; misses: number }
  /** the simulator's gossip buses (`gossip: process`): messages published, deliveries, and the real ms they took */
  gossipBus?: { published: number; received: number; delivered: number; deliveryMs: number }
  /**
   * the processes the district ran on (`workers` above 1): the nodes of each, by name, and the CPU and peak RSS each
   * used until the run's end
   */
  processes?: Array<{ nodes: string[]; cpuMs?: number; peakRssBytes?: number }>
  /** each building's node: its limits, what it traded, its feeder, and the gossip it refused, by code */
  buildings: Array<
    NodeFigures & {
      id: string
      name: string
      kind: string
      trader: string
      iotaAddress: string
      buyLimit: number
      sellLimit: number
      boughtWh: number
      soldWh: number
      gossipRefused?: Record<string, number>
      feeder?: string
      relay?: boolean
      location?: { lat: number; lon: number }
    }
  >
  /** the district's feeders (absent with `grid: false`) */
  feeders?: Array<{ id: string; buildings: number; transformerKva: number; limitWh: number; relays: string[] }>
  /** the grid operator's account, paid the grid fees and imbalance (absent with `grid: false`) */
  gridOperator?: { iotaAddress: string; receivedNanos: number }
  /** present when the scenario has mobility */
  mobility?: MobilityMetrics
  /** the vehicles and the transit operator */
  vehicles?: Array<ProviderResult & NodeFigures & { name: string }>
  /** every trip asked, with what became of it */
  journeys?: JourneyOutcome[]
  /** what the scenario's link conditions did (absent without any: docs/simulator.md, "Link conditions") */
  network?: NetworkFigures
}

/** Local midnight of the scenario's date, ms since the epoch. */
export function localMidnightMs(s: Scenario): number {
  const [y, m, d] = s.date.split('-').map(Number)
  return Date.UTC(y, m - 1, d) - s.site.utcOffsetHours * 3_600_000
}

/** Start of the first simulated slot: local midnight of the scenario's date plus `slots.first` slots. */
export function dayStartMs(s: Scenario): number {
  return localMidnightMs(s) + s.slots.first * s.slots.minutes * 60_000
}

/** Mobility events that go into trace.ndjson, and whose counts feed the metrics. */
const mobilityEvents = new Set([
  'service-offer-published',
  'leg-held',
  'leg-confirmed',
  'leg-released',
  'leg-cancelled',
  'booking-refused',
  'ride-ended',
  'receipt-late',
  'receipt-refused',
  'journey-planned',
  'package-holding',
  'package-booked',
  'package-released',
  'package-paid',
  'package-overdue',
  'receipt-signed'
])

export type { PreparedScenario }

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
  const gridFor = (f: Feeder, relay: boolean): GridOptions | undefined =>
    s.grid === false
      ? undefined
      : {
          feeder: f.id,
          fees: s.grid.fees,
          crossFeederShareWh: Math.floor(f.limitWh / f.members.length),
          relay,
          operator: operator!.iotaAddress
        }
  const nodes: SimNodeSpec[] = specs.map((spec, i) => ({
    name: spec.id,
    keySeed: keySeeds[i],
    strategy: strategyByName(s.market.strategy)!,
    profile: { ...limits[i], position: (slot: number) => nets[i][slot] ?? 0, measured: (slot: number) => measured[i][slot] ?? 0 },
    // residents travel: every building's node plans and books journeys
    ...(district != null ? { mobility: travellerOptions(m!, district) } : {}),
    ...(feederOf.has(i) ? { grid: gridFor(feederOf.get(i)!, relays.has(i)) } : {})
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
    tariffs: s.tariffs,
    ticksPerSlot: s.market.ticksPerSlot,
    tradingWindowSlots: s.market.tradingWindowSlots,
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

/** Builds the buildings, runs the district, computes the metrics and writes the outputs. */
export async function runScenario(s: Scenario, opts: ScenarioRunOptions = {}): Promise<ScenarioResult> {
  const workers = opts.workers ?? 1
  if (workers > 1 && hasConditions(s.network))
    throw new ConfigError('network', 'link conditions are modelled in one process: run with --workers 1')
  const p = await prepareScenario(s, workers > 1 ? 'tcp' : (opts.transport ?? s.transport))
  const { specs, identities, providerIdentities, nodes, district, feeders, feederOf, relays, operator, limits, facts } = p
  const outcomes: JourneyOutcome[] = []
  // the scenario's name of every node by its key: trace.ndjson and results.json carry both
  const names = new Map<string, string>([
    ...identities.map((x, i) => [x.id, specs[i].id] as const),
    ...providerIdentities.map((x, j) => [x.id, nodes[specs.length + j].name] as const)
  ])
  await opts.onPrepared?.(p, names)
  const onJourney = (o: JourneyOutcome): void => {
    const named = withNames(o, names)
    outcomes.push(named)
    trace?.write(JSON.stringify(named) + '\n')
    opts.onJourney?.(o)
  }
  const agent = workers > 1 ? undefined : p.agent(onJourney)
  // the whole run is one settlement period on an embedded ledger every node shares; each node (building,
  // vehicle, operator) starts with 1000 IOTA
  const ledgerDir = opts.outDir != null ? join(opts.outDir, 'ledger') : await mkdtemp(join(tmpdir(), 'kvartal-ledger-'))
  await rm(ledgerDir, { recursive: true, force: true })
  const ledger = await LocalLedger.open(ledgerDir)
  const mint = 1_000 * 1_000_000_000
  for (const id of [...identities, ...providerIdentities]) await ledger.mint(id.iotaAddress, mint)

  let trace: ReturnType<typeof createWriteStream> | undefined
  if (opts.outDir != null) {
    await mkdir(opts.outDir, { recursive: true })
    trace = createWriteStream(join(opts.outDir, 'trace.ndjson'))
    // first line: what a replay needs beyond the events (the scenario, limits, positions, feeders: replay/)
    trace.write(JSON.stringify(runStarted(s, p, names)) + '\n')
  }
  const events = new Map<string, number>()
  const count = (k: string): void => {
    events.set(k, (events.get(k) ?? 0) + 1)
  }
  const traced = new Set([
    ...mobilityEvents,
    'meter-read',
    'period-settled',
    'settlement-failed',
    'offer-published',
    'bid-published',
    'digest-published',
    'proposal-sent',
    'proposal-received',
    'accepted',
    'countered',
    'rejected',
    'reservation-released',
    'trade-committed',
    'negotiation-failed',
    'negotiation-ended',
    'gate-closed',
    'message-rejected',
    'peer-joined',
    'peer-left'
  ])
  const onEvent = (e: NodeEvent): void => {
    if (trace != null && traced.has(e.type)) trace.write(JSON.stringify(withNames(e, names)) + '\n')
    if (mobilityEvents.has(e.type)) {
      count(e.type)
      if (e.type === 'leg-released' && e.code === 'expired') count('leg-released:expired')
    }
    if (e.type === 'negotiation-failed' && (e.code === 'battery-overcommitted' || e.code === 'quote-failed')) count(e.code)
    opts.onEvent?.(e)
  }
  const run =
    workers > 1
      ? await runOnWorkers(s, p, { workers, ledger, onEvent, onJourney, onProgress: opts.onProgress })
      : await runDistrict({ ...p.run, ledger, onProgress: opts.onProgress, ...(agent != null ? { onTick: agent.onTick } : {}), onEvent })
  // in demand order, whichever process played them
  outcomes.sort((x, y) => x.id - y.id)
  // last line: the run ended here (a trace without it was cut off)
  if (trace != null)
    await new Promise<void>(resolve =>
      trace!.end(
        JSON.stringify({ type: 'run-ended', node: '', at: slotStart(p.run.slots, s.slots.count), ticks: run.ticks }) + '\n',
        resolve
      )
    )
  const metrics = computeMetrics(
    run,
    facts,
    s.slots.count,
    s.grid === false
      ? undefined
      : { fees: s.grid.fees, limits: Object.fromEntries(feeders.map(f => [f.id, { exportWh: f.limitWh, importWh: f.limitWh }])) }
  )
  const settlement = await settlementMetrics(run, ledger)
  let mobility: MobilityMetrics | undefined
  const balance = new Map<number, number>()
  if (district != null) {
    let balances = 0
    for (const [i, n] of run.nodes.entries()) {
      balance.set(i, await ledger.balance(n.node.identity.iotaAddress))
      balances += balance.get(i)!
    }
    // the grid operator's account holds what the nodes paid it: money moved, none appeared or vanished
    if (operator != null) balances += await ledger.balance(operator.iotaAddress)
    mobility = computeMobilityMetrics(run, {
      outcomes,
      tripsPerDay: district.tripsPerDay,
      events,
      providerKinds: new Map(district.providers.map((p, j) => [specs.length + j, p.kind])),
      network: {
        stops: district.timetable.stops.length,
        routes: new Set(district.timetable.patterns.map(p => p.route.route_id)).size,
        trips: district.timetable.tripCount
      },
      ledger: { mintedNanos: mint * run.nodes.length, balancesNanos: balances }
    })
  }
  const operatorReceived = operator == null ? 0 : await ledger.balance(operator.iotaAddress)
  await ledger.close()
  if (opts.outDir == null) await rm(ledgerDir, { recursive: true, force: true })
  const result: ScenarioResult = {
    scenario: s,
    metrics,
    settlement,
    wallMs: Math.round(run.wallMs),
    startupMs: Math.round(run.startupMs),
    wallMsPerSlot: Math.round(((run.wallMs - run.startupMs) / s.slots.count) * 10) / 10,
    ticks: run.ticks,
    gossipLate: run.gossipLate,
    verification: run.verification,
    ...(run.gossipBus != null ? { gossipBus: run.gossipBus } : {}),
    ...(run.processes != null
      ? {
          processes: run.processes.map(x => ({
            nodes: x.nodes.map(i => nodes[i].name),
            ...(x.cpuMs != null ? { cpuMs: x.cpuMs } : {}),
            ...(x.peakRssBytes != null ? { peakRssBytes: x.peakRssBytes } : {})
          }))
        }
      : {}),
    buildings: specs.map((spec, i) => ({
      id: spec.id,
      name: spec.id,
      kind: spec.kind,
      trader: identities[i].id,
      iotaAddress: identities[i].iotaAddress,
      ...limits[i],
      boughtWh: run.nodes[i].node.stats.boughtWh,
      soldWh: run.nodes[i].node.stats.soldWh,
      ...(Object.keys(run.nodes[i].node.router.stats.refused).length > 0
        ? { gossipRefused: { ...run.nodes[i].node.router.stats.refused } }
        : {}),
      ...(feederOf.has(i) ? { feeder: feederOf.get(i)!.id, relay: relays.has(i) } : {}),
      ...(district != null ? { location: district.map.buildings[i] } : {}),
      ...nodeFigures(run.nodes[i])
    })),
    ...(feeders.length > 0
      ? {
          feeders: feeders.map(f => ({
            id: f.id,
            buildings: f.members.length,
            transformerKva: f.transformerKva,
            limitWh: f.limitWh,
            relays: f.members.filter(i => relays.has(i)).map(i => specs[i].id)
          }))
        }
      : {}),
    ...(operator != null ? { gridOperator: { iotaAddress: operator.iotaAddress, receivedNanos: operatorReceived } } : {}),
    ...(mobility != null ? { mobility } : {}),
    ...(district != null
      ? {
          vehicles: district.providers.map((p, j) => ({
            ...providerResult(district!, j, run.nodes[specs.length + j], (balance.get(specs.length + j) ?? 0) - mint),
            name: p.name,
            ...nodeFigures(run.nodes[specs.length + j])
          })),
          journeys: outcomes
        }
      : {}),
    ...(run.network != null ? { network: run.network } : {})
  }
  if (opts.outDir != null) await writeFile(join(opts.outDir, 'results.json'), JSON.stringify(result, null, 2) + '\n')
  return result
}
