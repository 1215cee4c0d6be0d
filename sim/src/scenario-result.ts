import type { Scenario } from './scenario.ts'
import type { DistrictMetrics } from './metrics.ts'
import type { SettlementMetrics } from './settlement-metrics.ts'
import type { JourneyOutcome } from './trip-agent.ts'
import type { MobilityMetrics } from './mobility-metrics.ts'
import type { ProviderResult } from './mobility-nodes.ts'
import type { NodeFigures } from './report-html/node-figures.ts'
import type { NetworkFigures } from './links/link-controller.ts'

/** What `runScenario` (run-scenario.ts) returns and writes to results.json. */
export interface ScenarioResult {
  scenario: Scenario
  metrics: DistrictMetrics
  settlement: SettlementMetrics
  wallMs: number
  startupMs: number
  wallMsPerSlot: number
  ticks: number
  gossipLate: number
  /**
   * ticks run after the last slot because buyers still had confirms pending, and how many were left after
   * them (tick-driver.ts; absent when no confirm was pending at the end)
   */
  closing?: { ticks: number; pendingConfirms: number }
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
