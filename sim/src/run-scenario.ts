import { createWriteStream } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError, slotStart, type NodeEvent } from '@kvartal/protocol'
import { runDistrict } from './district-runner.ts'
import { runOnWorkers } from './worker-runner.ts'
import { computeMetrics } from './metrics.ts'
import { settlementMetrics } from './settlement-metrics.ts'
import { LocalLedger } from '@kvartal/settlement'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import type { Scenario } from './scenario.ts'
import type { JourneyOutcome } from './trip-agent.ts'
import { computeMobilityMetrics, type MobilityMetrics } from './mobility-metrics.ts'
import { providerResult } from './mobility-nodes.ts'
import { nodeFigures } from './report-html/node-figures.ts'
import { withNames, type NodeNames } from './report-html/trace-names.ts'
import { runStarted } from './replay/trace-header.ts'
import { prepareScenario, type PreparedScenario } from './prepared-scenario.ts'
import { hasConditions } from './links/network-scenario.ts'
import type { ScenarioResult } from './scenario-result.ts'

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

/** Builds the buildings, runs the district, computes the metrics and writes the outputs. */
export async function runScenario(asked: Scenario, opts: ScenarioRunOptions = {}): Promise<ScenarioResult> {
  // the warm-up's slots are simulated as any other, before the first slot asked for (the run, its trace and its
  // workers see one longer run), and left out of the market's figures; results.json echoes the scenario as asked
  const warmup = asked.slots.warmup ?? 0
  const s: Scenario =
    warmup === 0
      ? asked
      : { ...asked, slots: { ...asked.slots, first: asked.slots.first - warmup, count: asked.slots.count + warmup, warmup: 0 } }
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
  // the run settles on an embedded ledger every node shares (one period, or a day at a time over several days); each node (building,
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
    trace.write(JSON.stringify(runStarted(s, p, names, warmup)) + '\n')
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
      : { fees: s.grid.fees, limits: Object.fromEntries(feeders.map(f => [f.id, { exportWh: f.limitWh, importWh: f.limitWh }])) },
    warmup
  )
  // the simulator's nodes settle the run as one period, or a day at a time in a run of several days
  // (settlementPeriodSlots); a ride's receipts close a slot after its window (the node's default)
  const periodSlots = p.run.periodSlots ?? s.slots.count
  const settlement = await settlementMetrics(run, ledger, {
    periodSlots,
    endsMs: Array.from({ length: Math.ceil(s.slots.count / periodSlots) }, (_, k) =>
      slotStart(p.run.slots, Math.min(s.slots.count, (k + 1) * periodSlots))
    ),
    receiptGraceMs: p.run.slots.slotMs
  })
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
      ledger: { mintedNanos: mint * run.nodes.length, balancesNanos: balances },
      periodSlots
    })
  }
  const operatorReceived = operator == null ? 0 : await ledger.balance(operator.iotaAddress)
  await ledger.close()
  if (opts.outDir == null) await rm(ledgerDir, { recursive: true, force: true })
  const result: ScenarioResult = {
    scenario: asked,
    metrics,
    settlement,
    wallMs: Math.round(run.wallMs),
    startupMs: Math.round(run.startupMs),
    wallMsPerSlot: Math.round(((run.wallMs - run.startupMs) / s.slots.count) * 10) / 10,
    ticks: run.ticks,
    gossipLate: run.gossipLate,
    ...(run.closing != null ? { closing: run.closing } : {}),
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
