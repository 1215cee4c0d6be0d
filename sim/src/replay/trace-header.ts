import { readFileSync } from 'node:fs'
import { slotStart } from '@kvartal/protocol'
import { runStartMs } from '../tick-driver.ts'
import type { BuildingFacts, GridFacts } from '../metrics.ts'
import type { PreparedScenario } from '../prepared-scenario.ts'
import type { Scenario } from '../scenario.ts'
import { dashboardLayout, type DashboardLayout } from '../dashboard/layout.ts'
import type { NodeNames } from '../report-html/trace-names.ts'

/**
 * The format of trace.ndjson: its first line is a `run-started` header with this number. A replay
 * refuses any other (the figures it recomputes depend on what the lines hold).
 */
export const TRACE_FORMAT = 1

/** The version of kvartal that wrote a trace, for the message that refuses it. */
export const kvartalVersion: string = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/** One node of the run, in district order (buildings first, then vehicles and the transit operator). */
export interface TraceNode {
  /** hex public key */
  readonly key: string
  readonly name: string
  readonly building: boolean
  readonly feeder?: string
}

/**
 * trace.ndjson's first line: everything the run's figures need beyond the events — the scenario, the
 * nodes, each building's limit prices and forecast net position and consumption per slot, the feeders'
 * limits and fees (the central optimum is computed from these), the clock, and the dashboard's layout.
 */
export interface RunStarted {
  readonly type: 'run-started'
  /** event-shaped like every trace line: the simulator's own lines name no node (''), at the run's start */
  readonly node: ''
  readonly at: number
  readonly format: number
  readonly kvartal: string
  readonly scenario: Scenario
  readonly nodes: TraceNode[]
  readonly facts: BuildingFacts[]
  readonly grid?: GridFacts
  readonly run: {
    readonly slots: { epochMs: number; slotMs: number; gateClosureMs: number }
    readonly slotCount: number
    readonly ticksPerSlot: number
    readonly tradingWindowSlots: number
    /** the simulated instant the run's clock started at, and how many ticks it ran */
    readonly startMs: number
    readonly ticks: number
    /** slots of warm-up at the run's start, left out of the market's figures (absent: none) */
    readonly warmupSlots?: number
  }
  readonly layout: DashboardLayout
}

/** The grid facts of a prepared scenario, as metrics.ts takes them. */
export function gridFacts(s: Scenario, p: Pick<PreparedScenario, 'feeders'>): GridFacts | undefined {
  return s.grid === false
    ? undefined
    : { fees: s.grid.fees, limits: Object.fromEntries(p.feeders.map(f => [f.id, { exportWh: f.limitWh, importWh: f.limitWh }])) }
}

/** The header of a run's trace, from its prepared scenario. */
export function runStarted(s: Scenario, p: PreparedScenario, names: NodeNames, warmupSlots = 0): RunStarted {
  const r = p.run
  const tickMs = Math.floor(r.slots.slotMs / r.ticksPerSlot)
  const startMs = runStartMs(r)
  // as driveTicks counts them for a run that settles (runScenario always gives the nodes a ledger)
  const ticks = Math.ceil((slotStart(r.slots, r.slotCount) + tickMs - startMs) / tickMs)
  const grid = gridFacts(s, p)
  return {
    type: 'run-started',
    node: '',
    at: startMs,
    format: TRACE_FORMAT,
    kvartal: kvartalVersion,
    scenario: s,
    nodes: p.nodes.map((n, i) => {
      const key = i < p.specs.length ? p.identities[i].id : p.providerIdentities[i - p.specs.length].id
      return { key, name: names.get(key) ?? n.name, building: i < p.specs.length, ...(n.grid != null ? { feeder: n.grid.feeder } : {}) }
    }),
    facts: p.facts.map(f => ({ ...f })),
    ...(grid != null ? { grid } : {}),
    run: {
      slots: { ...r.slots },
      slotCount: r.slotCount,
      ticksPerSlot: r.ticksPerSlot,
      tradingWindowSlots: r.tradingWindowSlots,
      startMs,
      ticks,
      ...(warmupSlots > 0 ? { warmupSlots } : {})
    },
    layout: dashboardLayout(s, p, names)
  }
}
