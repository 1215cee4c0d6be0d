import { costNanos, encodeReading, encodeTrade, iotaAddress, type MeterReading, type Trade } from '@kvartal/protocol'
import { MerkleTree, type InclusionProof } from './merkle.ts'
import { netTrades, paymentsFor } from './netting.ts'
import {
  ATTESTATION_EXISTS,
  SettlementError,
  type Attestation,
  type AttestationRequest,
  type Obligation,
  type PaymentReceipt,
  type PaymentRequest,
  type Settlement
} from './port.ts'

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
  readonly tariffs: { retail: number; feedIn: number }
  /** other obligations of the period, netted with the trades: final pay-per-use receipts (payer → payee) */
  readonly debts?: readonly Obligation[]
  /** more leaves, attested after the trades and readings: booked legs, signed receipts, channel heads */
  readonly extraLeaves?: readonly Uint8Array[]
  /**
   * The grid operator's IOTA address (0x + 64 hex). Present: the operator is one more counterparty of
   * the period — this node's grid fees (as buyer) and a positive imbalance are obligations to it, netted
   * into the node's one payment, and a negative imbalance is reported as receivable from it. Absent:
   * fees and imbalance are only reported, billed by the grid operator outside these payments.
   */
  readonly gridOperator?: string
}

export interface ImbalanceLine {
  readonly slot: number
  readonly contractedWh: number
  readonly deliveredWh: number
  readonly chargeNanos: number
}

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
   * beyond them. With a `gridOperator`, a positive total is paid to it in this node's payment and a
   * negative one is receivable from it; without, both are billed outside the peer-to-peer payments.
   */
  readonly imbalance: readonly ImbalanceLine[]
  /** Σ of the lines' charges: + this node owes the grid, − the grid owes this node */
  readonly imbalanceNanos: number
  /** the grid operator this period was settled with (normalised, lower-case hex); absent: none */
  readonly gridOperator?: string
  /**
   * Σ over the trades this node bought of gridFee × energy (nanos, rounded per trade as `costNanos`) — reported with or
   * without an operator
   */
  readonly gridFeesNanos: number
  /** what this node's payment transferred to the grid operator: its grid fees plus a positive imbalance (0 without an operator) */
  readonly paidToGridOperatorNanos: number
  /**
   * what the grid operator owes this node for energy fed beyond its contracts: −imbalanceNanos when negative (0 without
   * an operator); never paid by this node
   */
  readonly receivableFromGridOperatorNanos: number
}

/** Leaves of a period's batch: every trade (sorted by id), then every meter reading (in order); `extraLeaves` follow. */
export function periodLeaves(
  trades: readonly Trade[],
  readings: readonly MeterReading[]
): { leaves: Uint8Array[]; tradeIndex: Map<string, number>; sorted: Trade[] } {
  const sorted = [...trades].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const leaves = [...sorted.map(encodeTrade), ...readings.map(encodeReading)]
  return { leaves, tradeIndex: new Map(sorted.map((t, i) => [t.id, i])), sorted }
}

/**
 * Settles one node's period: nets its trades per counterparty (and, with a `gridOperator`, its grid
 * fees and positive imbalance owed to the operator), pays everything it owes and attests one Merkle
 * root over its trades and meter readings — in one ledger transaction when it pays (`payAndAttest`) —
 * and returns each trade's proof.
 * Safe to run again after a crash: payment and attestation are idempotent by their keys.
 */
export async function settlePeriod(
  settlement: Settlement,
  input: PeriodInput,
  options: { signal?: AbortSignal } = {}
): Promise<PeriodSettlement> {
  const operator = input.gridOperator == null ? undefined : gridOperatorAddress(input.gridOperator)
  const imbalance = imbalanceOf(input)
  const imbalanceNanos = imbalance.reduce((a, l) => a + l.chargeNanos, 0)
  const gridFeesNanos = gridFeesOf(input.trades, input.self)
  // the grid operator is one more counterparty: what this node owes it nets with everything else into
  // the node's one payment, under the same idempotency key (`<period>/pay/<address>`). What the operator
  // owes the node (a negative imbalance) is not the node's to pay, nor to withhold from the fees: it is
  // reported as receivable and the operator settles it.
  const toGrid: Obligation[] =
    operator == null
      ? []
      : [
          { from: input.self, to: operator, amount: gridFeesNanos },
          { from: input.self, to: operator, amount: Math.max(0, imbalanceNanos) }
        ]
  const obligations = netTrades(input.trades, [...(input.debts ?? []), ...toGrid]).filter(o => o.from === input.self || o.to === input.self)
  const mine = paymentsFor(
    obligations.filter(o => o.from === input.self),
    `${input.period}/pay`
  )
  const { leaves, tradeIndex } = periodLeaves(input.trades, input.readings)
  const tree = new MerkleTree([...leaves, ...(input.extraLeaves ?? [])])
  // one ledger transaction: the payment carries the root when this node pays, else the root goes alone
  const { payment, attestation } = await payAndAttest(
    settlement,
    mine[0],
    { key: attestationKey(input.period, input.self), root: tree.root, leaves: tree.size },
    options
  )
  const proofs = new Map<string, InclusionProof>()
  for (const [id, i] of tradeIndex) proofs.set(id, tree.prove(i))
  const extraProofs = (input.extraLeaves ?? []).map((_, i) => tree.prove(leaves.length + i))
  return {
    period: input.period,
    obligations,
    payment,
    attestation,
    proofs,
    extraProofs,
    imbalance,
    imbalanceNanos,
    ...(operator != null ? { gridOperator: operator } : {}),
    gridFeesNanos,
    // read off the receipt, i.e. what the ledger holds for this key (after a crash: the earlier payment)
    paidToGridOperatorNanos: operator == null ? 0 : (payment?.transfers ?? []).reduce((a, t) => a + (t.to === operator ? t.amount : 0), 0),
    receivableFromGridOperatorNanos: operator == null ? 0 : Math.max(0, -imbalanceNanos)
  }
}

/**
 * What a node owes the grid operator in fees for a set of trades: for every trade it bought (from
 * someone else), `gridFee` nanos per kWh of its energy, in whole nanos rounded half up per trade, as
 * `costNanos` rounds the energy's price. A trade without a fee costs none.
 */
export function gridFeesOf(trades: readonly Trade[], self: string): number {
  let fees = 0
  for (const t of trades) {
    if ((t.terms.gridFee ?? 0) === 0) continue
    const buyer = iotaAddress(t.terms.buyer)
    if (buyer !== self || buyer === iotaAddress(t.terms.seller)) continue
    fees += costNanos(t.terms.energyWh, t.terms.gridFee!)
  }
  return fees
}

function gridOperatorAddress(address: string): string {
  if (typeof address !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(address)) {
    throw new SettlementError(
      'invalid-grid-operator',
      `the grid operator's address '${String(address)}' is not an IOTA address (0x + 64 ` +
        `hex): set grid.operator in the node's config to the address the grid operator publishes`
    )
  }
  return address.toLowerCase()
}

function imbalanceOf(input: PeriodInput): ImbalanceLine[] {
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
    // (0 − x, not −x: a balanced slot, or a surplus worth less than half a nano, is charged 0, never −0)
    const chargeNanos = diff < 0 ? costNanos(-diff, input.tariffs.retail) : 0 - costNanos(diff, input.tariffs.feedIn)
    out.push({ slot: r.slot, contractedWh: c, deliveredWh: delivered, chargeNanos })
  }
  return out
}

/**
 * A node's period on the ledger in one transaction: when it pays, the payment carries the root
 * (`request.attest`); when it pays nothing, the root is attested alone. Idempotent by both keys, and a
 * root is never anchored twice:
 * - a rerun after a crash gets the same transaction back, by the payment key (its receipt carries the
 *   attestation) or by the attestation key;
 * - a payment key that was first paid without a root (by a version that paid and attested apart, killed
 *   between the two) keeps that transaction: the root is then attested alone, once;
 * - an attestation key that already names an attestation alone (ATTESTATION_EXISTS: nothing was paid)
 *   makes the payment go without the root, and the earlier attestation stands.
 */
export async function payAndAttest(
  settlement: Settlement,
  request: PaymentRequest | undefined,
  attest: AttestationRequest,
  options: { signal?: AbortSignal } = {}
): Promise<{ payment?: PaymentReceipt; attestation: Attestation }> {
  if (request == null) return { attestation: await settlement.attest(attest.key, attest.root, attest.leaves, options) }
  let payment: PaymentReceipt
  try {
    payment = await settlement.pay({ ...request, attest }, options)
  } catch (e) {
    if ((e as { code?: unknown }).code !== ATTESTATION_EXISTS) throw e
    payment = await settlement.pay(request, options)
  }
  const carried = payment.attestation?.key === attest.key ? payment.attestation : undefined
  return { payment, attestation: carried ?? (await settlement.attest(attest.key, attest.root, attest.leaves, options)) }
}

/** Where a node's attestation of a period lives on the ledger. */
export function attestationKey(period: string, self: string): string {
  return `${period}/attest/${self}`
}
