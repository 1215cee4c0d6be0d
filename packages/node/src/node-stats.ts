import type { NegotiationOutcome } from './negotiation.machine.ts'

/** What a node counts of its own trading since it started. */
export interface NodeStats {
  proposalsSent: number
  negotiations: Record<NegotiationOutcome['result'], number>
  tradesCommitted: number
  boughtWh: number
  soldWh: number
  /** per closed slot: what was left to buy from / sell to the grid */
  gridBuyWh: number
  gridSellWh: number
  /** negotiation latency samples, real ms, proposal to outcome */
  latenciesMs: number[]
  /** negotiation stream frames and bytes, sent and received */
  streams: { frames: number; bytes: number }
  /** the refusals this node met as a buyer, by code (`no-capacity`, `price-too-low`, …) */
  refusals: Record<string, number>
  /** refusals it met that named other sellers (referrals.ts), and how many sellers they named in all */
  referrals: { refusals: number; sellers: number }
}
