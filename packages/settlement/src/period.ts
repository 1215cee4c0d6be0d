import { costNanos, encodeReading, encodeTrade, iotaAddress, type MeterReading, type Trade } from '@kvartal/protocol'
import { MerkleTree, type InclusionProof } from './merkle.ts'
import { netTrades, paymentsFor } from './netting.ts'
import type { Attestation, Obligation, PaymentReceipt, Settlement } from './port.ts'

export interface PeriodInput {
  /** e.g. `trondheim/2026-06-17`: names the period's payments and attestation */
  readonly period: string
  /** this node's IOTA address */
  readonly self: string
  /** every committed trade this node is a party to in the period */
  readonly trades: readonly Trade[]
  /** this node's signed meter readings for the period, in slot order */
  readonly readings: readonly MeterReading[]
  /** grid tariffs, for what delivery differs from contract */
  readonly tariffs: { retail: number, feedIn: number }
  /** other obligations of the period, netted with the trades: final pay-per-use receipts (payer → payee) */
  readonly debts?: readonly Obligation[]
  /** more leaves, attested after the trades and readings: booked legs, signed receipts, channel heads */
  readonly extraLeaves?: readonly Uint8Array[]
}

export interface ImbalanceLine { readonly slot: number, readonly contractedWh: number, readonly deliveredWh: number, readonly chargeNanos: number }

export interface PeriodSettlement {
  readonly period: string
  readonly obligations: readonly Obligation[]
  /** the payment this node made (undefined when it owed nothing) */
  readonly payment?: PaymentReceipt
  readonly attestation: Attestation
  /** trade id → its inclusion proof under the attested root */
  readonly proofs: ReadonlyMap<string, InclusionProof>
  /** inclusion proofs of `extraLeaves`, in their order */
  readonly extraProofs: readonly InclusionProof[]
  /**
   * Contract against delivery, per slot: positive charge is what this node owes the grid at retail for
   * energy it drew beyond its contracts, negative what the grid owes it at feed-in for energy it fed
   * beyond them. Billed by the grid operator, outside the peer-to-peer payments.
   */
  readonly imbalance: readonly ImbalanceLine[]
  readonly imbalanceNanos: number
}

/** Leaves of a period's batch: every trade (sorted by id), then every meter reading (in order); `extraLeaves` follow. */
export function periodLeaves (trades: readonly Trade[], readings: readonly MeterReading[]): { leaves: Uint8Array[], tradeIndex: Map<string, number>, sorted: Trade[] } {
  const sorted = [...trades].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  const leaves = [...sorted.map(encodeTrade), ...readings.map(encodeReading)]
  return { leaves, tradeIndex: new Map(sorted.map((t, i) => [t.id, i])), sorted }
}

/**
 * Settles one node's period: nets its trades per counterparty, pays everything it owes in one
 * payment, attests one Merkle root over its trades and meter readings, and returns each trade's proof.
 * Safe to run again after a crash: payment and attestation are idempotent by their keys.
 */
export async function settlePeriod (settlement: Settlement, input: PeriodInput, options: { signal?: AbortSignal } = {}): Promise<PeriodSettlement> {
  const obligations = netTrades(input.trades, input.debts).filter(o => o.from === input.self || o.to === input.self)
  const mine = paymentsFor(obligations.filter(o => o.from === input.self), `${input.period}/pay`)
  const payment = mine.length === 0 ? undefined : await settlement.pay(mine[0], options)
  const { leaves, tradeIndex } = periodLeaves(input.trades, input.readings)
  const tree = new MerkleTree([...leaves, ...(input.extraLeaves ?? [])])
  const attestation = await settlement.attest(attestationKey(input.period, input.self), tree.root, tree.size, options)
  const proofs = new Map<string, InclusionProof>()
  for (const [id, i] of tradeIndex) proofs.set(id, tree.prove(i))
  const extraProofs = (input.extraLeaves ?? []).map((_, i) => tree.prove(leaves.length + i))
  const imbalance = imbalanceOf(input)
  return { period: input.period, obligations, payment, attestation, proofs, extraProofs, imbalance, imbalanceNanos: imbalance.reduce((a, l) => a + l.chargeNanos, 0) }
}

function imbalanceOf (input: PeriodInput): ImbalanceLine[] {
  const contracted = new Map<number, number>()
  for (const t of input.trades) {
    const sign = iotaAddress(t.terms.seller) === input.self ? 1 : -1
    contracted.set(t.terms.slot, (contracted.get(t.terms.slot) ?? 0) + sign * t.terms.energyWh)
  }
  const out: ImbalanceLine[] = []
  for (const r of input.readings) {
    const c = contracted.get(r.slot) ?? 0
    const delivered = r.exportWh - r.importWh
    const diff = delivered - c
    // only what the peer contracts did not cover: drawing more than contracted costs retail, feeding more earns feed-in
    const chargeNanos = diff < 0 ? costNanos(-diff, input.tariffs.retail) : -costNanos(diff, input.tariffs.feedIn)
    out.push({ slot: r.slot, contractedWh: c, deliveredWh: delivered, chargeNanos })
  }
  return out
}

/** Where a node's attestation of a period lives on the ledger. */
export function attestationKey (period: string, self: string): string { return `${period}/attest/${self}` }
