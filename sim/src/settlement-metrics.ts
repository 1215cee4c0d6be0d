import { decodeLegTerms, fromHex } from '@kvartal/protocol'
import { decodeTrade, type Trade } from '@kvartal/protocol'
import { netTrades, verifyTradeProof, type LocalLedger, type Obligation, localSettlement } from '@kvartal/settlement'
import { signerFromSeed } from '@kvartal/protocol'
import type { DistrictRunResult } from './district-runner.ts'

export interface SettlementMetrics {
  adapter: string
  trades: number
  payments: number
  attestations: number
  /** the period's transactions: payments + attestations */
  onChainTransactions: number
  onChainTransactionsPerTrade: number
  /** every transaction on the ledger, bookings' payments and refunds included */
  ledgerTransactions: number
  /** Σ of every node's net obligations (energy trades and final pay-per-use receipts), and Σ actually paid on the ledger, nanos */
  totalOwedNanos: number
  totalPaidNanos: number
  paidEqualsOwed: boolean
  /** trades whose signatures, proof and attested root all check out, from both parties' proofs */
  verifiedTrades: number
  verifiableShare: number
  proofBytesMean: number
  verifyMsMean: number
  /** Σ over nodes of what delivery differing from contract costs at grid tariffs (+ owed to the grid) */
  imbalanceNanos: number
  unsettledNodes: number
}

/** Checks the settled run: paid equals owed, and every trade verifies against both parties' roots. */
export async function settlementMetrics (run: DistrictRunResult, ledger: LocalLedger): Promise<SettlementMetrics> {
  const unique = new Map<string, Trade>()
  for (const n of run.nodes) for (const t of n.trades) if (t.status === 'committed') unique.set(t.id, t.decoded)
  // a ride's final cumulative receipt is a debt of the traveller to the vehicle, netted with the trades
  const receipts = new Map<string, Obligation>()
  // less the unlock fee the checkout already paid (period-extras.ts)
  for (const n of run.nodes) {
    const price = new Map<string, number>()
    for (const [, p] of n.mobility?.packages ?? []) for (const l of p.legs) price.set(l.leg, decodeLegTerms(fromHex(l.terms)).price)
    for (const [leg, r] of n.mobility?.receipts ?? []) if (r.role === 'traveller' && r.final) receipts.set(leg, { from: r.payer, to: r.payee, amount: r.total - Math.min(r.total, price.get(leg) ?? 0) })
  }
  const owed = netTrades([...unique.values()], [...receipts.values()]).reduce((a, o) => a + o.amount, 0)
  let paid = 0; let payments = 0; let attestations = 0; let imbalance = 0; let unsettled = 0
  for (const n of run.nodes) {
    if (n.period == null) { unsettled++; continue }
    paid += n.period.paid ?? 0
    if (n.period.payment != null) payments++
    attestations++
    imbalance += n.period.imbalanceNanos ?? 0
  }
  // verify every trade as an outsider would: with each party's proof against the ledger
  const verifier = localSettlement(ledger, signerFromSeed(new Uint8Array(32)))
  let verified = 0; let proofBytes = 0; let proofs = 0
  const t0 = performance.now()
  for (const [id, trade] of unique) {
    let ok = true
    for (const n of run.nodes) {
      const p = n.proofs.get(id)
      if (p == null) continue
      proofs++
      proofBytes += 32 * p.proof.path.length + 16
      const r = await verifyTradeProof(verifier, decodeTrade(Buffer.from(n.trades.find(t => t.id === id)!.trade, 'hex')), p.proof, p.root, p.attestationKey)
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
    onChainTransactions: payments + attestations,
    onChainTransactionsPerTrade: unique.size === 0 ? 0 : Math.round((payments + attestations) / unique.size * 10_000) / 10_000,
    ledgerTransactions: ledger.transactions,
    totalOwedNanos: owed,
    totalPaidNanos: paid,
    paidEqualsOwed: owed === paid,
    verifiedTrades: verified,
    verifiableShare: unique.size === 0 ? 1 : verified / unique.size,
    proofBytesMean: proofs === 0 ? 0 : Math.round(proofBytes / proofs),
    verifyMsMean: proofs === 0 ? 0 : Math.round(verifyMs / proofs * 1000) / 1000,
    imbalanceNanos: imbalance,
    unsettledNodes: unsettled
  }
}
