import type { BuildingSpec } from '@kvartal/devices'
import type { NodeIdentity } from '@kvartal/mesh'
import type { DistrictRunConfig } from './district-run-config.ts'
import type { Feeder } from './grid-scenario.ts'
import type { BuildingFacts } from './metrics.ts'
import type { MobilityDistrict } from './mobility-district.ts'
import type { SimNodeSpec } from './node-spec.ts'
import type { JourneyOutcome, TripAgent } from './trip-agent.ts'

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
