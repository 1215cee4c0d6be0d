import type { Strategy } from '@kvartal/market'
import type { GridOptions, KvartalNode, MobilityOptions, TraderProfile } from '@kvartal/node'

/** One node of a simulated district: who it is, how it trades, and what else it does. */
export interface SimNodeSpec {
  readonly name: string
  readonly keySeed: Uint8Array
  readonly profile: TraderProfile
  readonly strategy: Strategy
  /** the node's part in the mobility market (a traveller, a vehicle, a transit operator); absent: energy only */
  readonly mobility?: Partial<MobilityOptions>
  /** its feeder, the grid fees and its share of the transformer; absent: one feeder, no fees */
  readonly grid?: GridOptions
  /** runs once the node has started, before its first tick (e.g. to shape a vehicle's V2G offers) */
  readonly afterStart?: (node: KvartalNode) => void
}
