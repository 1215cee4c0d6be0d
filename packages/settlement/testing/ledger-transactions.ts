import { decodeAttestationTransaction, decodePaymentTransaction, type DecodedAttestation, type DecodedPayment } from '../src/iota/index.ts'

/**
 * Every successful transaction on a (fake) ledger, read back: each must be a Kvartal payment (which may
 * carry an attestation) or a Kvartal attestation. One that is neither fails the test with its digest,
 * instead of being skipped, so a payment whose bytes no longer decode cannot hide from a check.
 */
export function ledgerTransactions(executions: ReadonlyArray<{ digest: string; bytes: Uint8Array | string; status: string }>): {
  payments: Array<DecodedPayment & { digest: string }>
  attestations: Array<DecodedAttestation & { digest: string }>
} {
  const payments: Array<DecodedPayment & { digest: string }> = []
  const attestations: Array<DecodedAttestation & { digest: string }> = []
  for (const x of executions) {
    if (x.status !== 'success') continue
    let payment: DecodedPayment | undefined
    let paymentError: unknown
    try {
      payment = decodePaymentTransaction(x.bytes)
    } catch (err) {
      paymentError = err
    }
    if (payment != null) {
      payments.push({ ...payment, digest: x.digest })
      continue
    }
    try {
      attestations.push({ ...decodeAttestationTransaction(x.bytes), digest: x.digest })
    } catch (err) {
      throw new Error(`transaction ${x.digest} is neither a payment (${String(paymentError)}) nor an attestation (${String(err)})`)
    }
  }
  return { payments, attestations }
}
