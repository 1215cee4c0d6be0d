import { BadSignatureError, encodeTrade, verifyTermsSignature, type Trade } from '@kvartal/protocol'
import { verifyInclusion, type InclusionProof } from './merkle.ts'
import type { Settlement } from './port.ts'

export interface VerifyCheck {
  readonly check: 'seller-signature' | 'buyer-signature' | 'inclusion-proof' | 'attested-root'
  readonly ok: boolean
  readonly detail: string
}
export interface VerifyResult {
  readonly ok: boolean
  readonly tradeId: string
  readonly checks: readonly VerifyCheck[]
  readonly failed?: VerifyCheck['check']
}

/**
 * Proves one trade: both parties' signatures over its terms, its inclusion proof under `root`, and that
 * `root` is what the ledger holds for `attestationKey`. Says which check failed.
 */
export async function verifyTradeProof(
  settlement: Pick<Settlement, 'attestation'>,
  trade: Trade,
  proof: InclusionProof,
  root: string,
  attestationKey: string
): Promise<VerifyResult> {
  const checks: VerifyCheck[] = []
  const sellerOk = verifyTermsSignature(trade.terms, trade.terms.seller, trade.sellerSignature)
  checks.push({
    check: 'seller-signature',
    ok: sellerOk,
    detail: sellerOk
      ? 'the seller signed these terms'
      : new BadSignatureError("the seller's signature does not verify over these terms").message
  })
  const buyerOk = verifyTermsSignature(trade.terms, trade.terms.buyer, trade.buyerSignature)
  checks.push({
    check: 'buyer-signature',
    ok: buyerOk,
    detail: buyerOk ? 'the buyer signed these terms' : "the buyer's signature does not verify over these terms"
  })
  const included = verifyInclusion(encodeTrade(trade), proof, root)
  checks.push({
    check: 'inclusion-proof',
    ok: included,
    detail: included
      ? `leaf ${proof.index} of ${proof.size} under root ${root.slice(0, 16)}…`
      : 'the proof does not lead from this trade to the root'
  })
  const a = await settlement.attestation(attestationKey)
  const attested = a != null && a.root === root
  checks.push({
    check: 'attested-root',
    ok: attested,
    detail:
      a == null
        ? `no attestation under ${attestationKey} on the ledger`
        : attested
          ? `attested in transaction ${a.digest}`
          : `the ledger holds root ${a.root.slice(0, 16)}… for ${attestationKey}, not this one`
  })
  const failed = checks.find(c => !c.ok)
  return { ok: failed == null, tradeId: trade.id, checks, failed: failed?.check }
}
