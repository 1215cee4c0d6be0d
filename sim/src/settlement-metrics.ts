import { costNanos, decodeLegTerms, fromHex, iotaAddress } from '@kvartal/protocol'
import { decodeTrade, type Trade } from '@kvartal/protocol'
import { netTrades, verifyTradeProof, type LocalLedger, type Obligation, localSettlement } from '@kvartal/settlement'
import { signerFromSeed } from '@kvartal/protocol'
import type { DistrictRunResult } from './district-run-result.ts'

export interface SettlementMetrics {
  adapter: string
  trades: number
  /** nodes that paid in the period, and nodes that attested (every settled node) */
  payments: number
  attestations: number
  /** payments that carried their node's attestation in the same ledger transaction */
  paymentsCarryingAttestation: number
  /** the period's ledger transactions: distinct transactions among the payments and attestations */
  onChainTransactions: number
  onChainTransactionsPerTrade: number
  /** every transaction on the ledger, bookings' payments and refunds included */
  ledgerTransactions: number
  /**
   * Σ of every node's net obligations (energy trades, final pay-per-use receipts and, for nodes that
   * settle with a grid operator, their grid fees and positive imbalance), and Σ actually paid: the
   * transfers of the nodes' period payments as the ledger holds them, nanos
   */
  totalOwedNanos: number
  totalPaidNanos: number
  /** the totals agree, and so does every single obligation with the ledger's transfer from its payer to its payee */
  paidEqualsOwed: boolean
  /**
   * The grid operator's part, over the nodes that settle with one (`grid.operator`): grid fees owed as
   * buyers (from the trades' `gridFee`) and positive imbalance owed (each node's own figure), both due
   * in the nodes' period payments (and paid, when `paidEqualsOwed`: the operator's obligations are part
   * of that check); negative imbalance, receivable from the operator and paid by no node.
   * `paidToGridOperatorNanos` is what the ledger's period payments actually transferred to the operator.
   */
  gridFeesPaidNanos: number
  imbalancePaidNanos: number
  receivableFromGridOperatorNanos: number
  paidToGridOperatorNanos: number
  /** trades whose signatures, proof and attested root all check out, from both parties' proofs */
  verifiedTrades: number
  verifiableShare: number
  proofBytesMean: number
  verifyMsMean: number
  /** Σ over nodes of what delivery differing from contract costs at grid tariffs (+ owed to the grid) */
  imbalanceNanos: number
  unsettledNodes: number
}

/**
 * The run's settlement periods: period p settles the trades of slots [p × periodSlots, (p + 1) × periodSlots)
 * and ends at `endsMs[p]`; a ride's receipts close `receiptGraceMs` after its window.
 */
export interface SettledPeriods {
  readonly periodSlots: number
  readonly endsMs: readonly number[]
  readonly receiptGraceMs: number
}

/**
 * Checks the settled run: paid equals owed, and every trade verifies against both parties' roots. Each period is
 * netted on its own, as the nodes net it: its trades, the rides whose receipts it settles, and the grid operator's
 * fees and imbalance of that period; what the ledger's payments transferred is compared with the sum over periods.
 */
export async function settlementMetrics(run: DistrictRunResult, ledger: LocalLedger, period: SettledPeriods): Promise<SettlementMetrics> {
  const unique = new Map<string, Trade>()
  for (const n of run.nodes) for (const t of n.trades) if (t.status === 'committed') unique.set(t.id, t.decoded)
  const count = period.endsMs.length
  const periodOf = (slot: number): number => Math.min(count - 1, Math.max(0, Math.floor(slot / period.periodSlots)))
  const tradesIn: Trade[][] = Array.from({ length: count }, () => [])
  for (const t of unique.values()) tradesIn[periodOf(t.terms.slot)].push(t)
  const extrasIn: Obligation[][] = Array.from({ length: count }, () => [])
  // a ride's last cumulative receipt is a debt of the traveller to the vehicle, netted with the trades, once the
  // ride is over: its final receipt, or, when that never reached the traveller (a lost frame), the last one it
  // holds once the ride's window and the grace after it have passed (a receipt issued before the period's end);
  // it is settled in the first period at whose end that holds
  for (const n of run.nodes) {
    // less the unlock fee, when the checkout that paid it is on the ledger
    const price = new Map<string, number>()
    const closes = new Map<string, number>()
    for (const [, p] of n.mobility?.packages ?? []) {
      const paid = p.paymentDigest != null && (await ledger.byDigest(p.paymentDigest)) != null
      for (const l of p.legs) {
        const t = decodeLegTerms(fromHex(l.terms))
        if (paid) price.set(l.leg, t.price)
        closes.set(l.leg, t.to + period.receiptGraceMs)
      }
    }
    for (const [leg, r] of n.mobility?.receipts ?? []) {
      if (r.role !== 'traveller') continue
      const p = period.endsMs.findIndex(end => r.issuedAt < end && (r.final || (closes.get(leg) ?? Infinity) <= end))
      if (p >= 0) extrasIn[p].push({ from: r.payer, to: r.payee, amount: r.total - Math.min(r.total, price.get(leg) ?? 0) })
    }
  }
  // a node that settles with a grid operator owes it, on top: the grid fee of every trade it bought (from the
  // trades themselves, rounded per trade as the energy is) and its imbalance when positive (its own figure:
  // its meter readings are in its journal only). A negative imbalance is owed to the node, not paid by it.
  const operators = new Set<string>()
  let gridFees = 0
  let imbalancePaid = 0
  let receivable = 0
  // each buyer's grid fees per period, from one pass over the trades (an address is a hash: once per trade, not per node and trade)
  const feesOf = tradesIn.map(ts => {
    const fees = new Map<string, number>()
    for (const t of ts) {
      const buyer = iotaAddress(t.terms.buyer)
      if (buyer !== iotaAddress(t.terms.seller)) fees.set(buyer, (fees.get(buyer) ?? 0) + costNanos(t.terms.energyWh, t.terms.gridFee ?? 0))
    }
    return fees
  })
  for (const n of run.nodes) {
    const operator = n.node.options.grid?.operator?.toLowerCase()
    if (operator == null) continue
    operators.add(operator)
    const self = n.node.identity.iotaAddress
    for (let p = 0; p < count; p++) {
      const fees = feesOf[p].get(self) ?? 0
      const imb = n.periods?.[p]?.imbalanceNanos ?? 0
      gridFees += fees
      imbalancePaid += Math.max(0, imb)
      receivable += Math.max(0, -imb)
      extrasIn[p].push({ from: self, to: operator, amount: fees }, { from: self, to: operator, amount: Math.max(0, imb) })
    }
  }
  const owedByPair = new Map<string, number>()
  let owed = 0
  for (let p = 0; p < count; p++)
    for (const o of netTrades(tradesIn[p], extrasIn[p])) {
      owed += o.amount
      owedByPair.set(`${o.from} ${o.to}`, (owedByPair.get(`${o.from} ${o.to}`) ?? 0) + o.amount)
    }
  // paid: what the ledger holds for each node's period payment (by the digest the node journaled), not what the node says it paid
  const transferred = new Map<string, number>()
  let paid = 0
  let paidToGrid = 0
  let payments = 0
  let attestations = 0
  let carrying = 0
  let imbalance = 0
  let unsettled = 0
  // the periods' transactions as the ledger holds them, by digest: a payment that carries its root is one
  const digests = new Set<string>()
  for (const n of run.nodes) {
    let missing = false
    for (let p = 0; p < count; p++) {
      const per = n.periods?.[p]
      if (per == null) {
        missing = true
        continue
      }
      const att = await ledger.byDigest(per.attestation)
      if (att != null) digests.add(att.digest)
      if (per.payment != null) {
        payments++
        if (per.payment === per.attestation && att?.kind === 'pay' && att.attestation != null) carrying++
        const tx = await ledger.byDigest(per.payment)
        if (tx != null) digests.add(tx.digest)
        if (tx?.kind === 'pay') {
          for (const t of tx.transfers) {
            paid += t.amount
            if (operators.has(t.to)) paidToGrid += t.amount
            transferred.set(`${tx.payer} ${t.to}`, (transferred.get(`${tx.payer} ${t.to}`) ?? 0) + t.amount)
          }
        }
      }
      attestations++
      imbalance += per.imbalanceNanos ?? 0
    }
    if (missing) unsettled++
  }
  const eachPaid = owedByPair.size === transferred.size && [...owedByPair].every(([pair, amount]) => transferred.get(pair) === amount)
  // verify every trade as an outsider would: with each party's proof against the ledger
  const verifier = localSettlement(ledger, signerFromSeed(new Uint8Array(32)))
  let verified = 0
  let proofBytes = 0
  let proofs = 0
  const t0 = performance.now()
  for (const [id, trade] of unique) {
    let ok = true
    for (const n of run.nodes) {
      const p = n.proofs.get(id)
      if (p == null) continue
      proofs++
      proofBytes += 32 * p.proof.path.length + 16
      const r = await verifyTradeProof(
        verifier,
        decodeTrade(Buffer.from(n.trades.find(t => t.id === id)!.trade, 'hex')),
        p.proof,
        p.root,
        p.attestationKey
      )
      ok &&= r.ok
    }
    if (ok && proofs > 0) verified++
    void trade
  }
  const verifyMs = performance.now() - t0
  return {
    adapter: verifier.name,
    trades: unique.size,
    payments,
    attestations,
    paymentsCarryingAttestation: carrying,
    onChainTransactions: digests.size,
    onChainTransactionsPerTrade: unique.size === 0 ? 0 : Math.round((digests.size / unique.size) * 10_000) / 10_000,
    ledgerTransactions: ledger.transactions,
    totalOwedNanos: owed,
    totalPaidNanos: paid,
    paidEqualsOwed: owed === paid && eachPaid,
    gridFeesPaidNanos: gridFees,
    imbalancePaidNanos: imbalancePaid,
    receivableFromGridOperatorNanos: receivable,
    paidToGridOperatorNanos: paidToGrid,
    verifiedTrades: verified,
    verifiableShare: unique.size === 0 ? 1 : verified / unique.size,
    proofBytesMean: proofs === 0 ? 0 : Math.round(proofBytes / proofs),
    verifyMsMean: proofs === 0 ? 0 : Math.round((verifyMs / proofs) * 1000) / 1000,
    imbalanceNanos: imbalance,
    unsettledNodes: unsettled
  }
}
