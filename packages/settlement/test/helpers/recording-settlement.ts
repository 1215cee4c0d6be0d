import type { Attestation, PaymentReceipt, PaymentRequest, Settlement } from '../../src/port.ts'

/**
 * A Settlement that records every call and answers as told: a stand-in for a ledger in tests of the code
 * that calls the port (settlePeriod, payAndAttest, verifyTradeProof). By default `pay` confirms with the
 * attestation it was asked to carry, and `attest` anchors what it is given; `onPay` and `onAttest` replace
 * either answer (throw to refuse).
 */
export class RecordingSettlement implements Settlement {
  readonly name = 'recording settlement (a test double)'
  readonly calls: Array<
    | { method: 'pay'; request: PaymentRequest; signal?: AbortSignal }
    | { method: 'attest'; key: string; root: string; leaves: number; signal?: AbortSignal }
  > = []
  readonly attestations = new Map<string, Attestation>()
  onPay: ((request: PaymentRequest) => PaymentReceipt) | undefined
  onAttest: ((key: string, root: string, leaves: number) => Attestation) | undefined

  async pay(request: PaymentRequest, options: { signal?: AbortSignal } = {}): Promise<PaymentReceipt> {
    this.calls.push({ method: 'pay', request, ...(options.signal != null ? { signal: options.signal } : {}) })
    if (this.onPay != null) return this.onPay(request)
    const digest = `pay-${this.calls.length}`
    const a = request.attest
    return {
      key: request.key,
      digest,
      status: 'confirmed',
      payer: request.payer,
      transfers: request.transfers,
      ...(a != null ? { attestation: { key: a.key, root: a.root, leaves: a.leaves, digest, attester: request.payer } } : {})
    }
  }

  async attest(key: string, root: string, leaves: number, options: { signal?: AbortSignal } = {}): Promise<Attestation> {
    this.calls.push({ method: 'attest', key, root, leaves, ...(options.signal != null ? { signal: options.signal } : {}) })
    const a =
      this.onAttest != null
        ? this.onAttest(key, root, leaves)
        : { key, root, leaves, digest: `attest-${this.calls.length}`, attester: 'self' }
    this.attestations.set(key, a)
    return a
  }

  async payment(): Promise<PaymentReceipt | undefined> {
    return undefined
  }
  async attestation(key: string): Promise<Attestation | undefined> {
    return this.attestations.get(key)
  }
  async balance(): Promise<number> {
    return 0
  }
  async lookup(): Promise<PaymentReceipt | undefined> {
    return undefined
  }
}
