/**
 * The Settlement port: what a node asks of a ledger. Two adapters implement it — `local` (a ledger in
 * level, the embedded default: offline, tests, simulator) and `iota` (IOTA Rebased through
 * `@iota/iota-sdk`). Money is integer IOTA nanos; addresses are IOTA Rebased addresses (0x + 64 hex),
 * derived from the node's Ed25519 key.
 */

/** What one party owes another for a settlement period, after netting. */
export interface Obligation {
  readonly from: string
  readonly to: string
  readonly amount: number
}

/** A Merkle root to anchor on the ledger under an idempotency key: what `attest` takes, and what a payment may carry. */
export interface AttestationRequest {
  /** e.g. `${period}/attest/${address}`: the key `attestation(key)` finds it under */
  readonly key: string
  /** hex sha256 Merkle root (64 hex digits) */
  readonly root: string
  readonly leaves: number
}

/** One payment transaction: a payer pays one or more recipients at once. */
export interface PaymentRequest {
  /** idempotency key: the same key never pays twice (e.g. `${period}/${payer}`) */
  readonly key: string
  readonly payer: string
  readonly transfers: ReadonlyArray<{ readonly to: string; readonly amount: number }>
  /**
   * A root to anchor in the same ledger transaction as the transfers (on IOTA: one programmable
   * transaction with the transfers and the notarization's Move calls). Both land, or neither. The
   * attestation is then found by its own key (`attestation(attest.key)`) and by the receipt.
   */
  readonly attest?: AttestationRequest
}

export const PaymentStatus = { submitted: 'submitted', confirmed: 'confirmed', failed: 'failed' } as const
export type PaymentStatus = (typeof PaymentStatus)[keyof typeof PaymentStatus]

export interface PaymentReceipt {
  readonly key: string
  /** the ledger's transaction digest */
  readonly digest: string
  readonly status: PaymentStatus
  readonly payer: string
  readonly transfers: ReadonlyArray<{ readonly to: string; readonly amount: number }>
  /** when the ledger confirmed it, ms */
  readonly at?: number
  /**
   * The root this same transaction anchored (same digest), when it carried one and the ledger holds it.
   * Absent when the payment carries none — also when its key was first paid without one: a payment key's
   * transaction is what was first signed for it, so the root must then be attested alone.
   */
  readonly attestation?: Attestation
}

/** A Merkle root anchored on the ledger for a period. */
export interface Attestation {
  /** e.g. `${district}/${period}` */
  readonly key: string
  /** hex sha256 Merkle root */
  readonly root: string
  readonly leaves: number
  readonly digest: string
  readonly attester: string
  readonly at?: number
}

export interface Settlement {
  /** what the adapter is, said plainly (the local ledger says it is not a network) */
  readonly name: string
  /**
   * Pays, or returns the earlier receipt for the same key. Never pays the same key twice. With
   * `request.attest`, the same transaction anchors the root; a new payment whose attestation key already
   * names another transaction (an attestation alone, or another payment's) is refused with
   * `ATTESTATION_EXISTS` and pays nothing, so a root is never anchored twice.
   */
  pay(request: PaymentRequest, options?: { signal?: AbortSignal }): Promise<PaymentReceipt>
  /**
   * Anchors a root, or returns the earlier attestation for the same key — also when a payment carried it.
   * Never anchors a key twice: a key whose carrying payment has not landed is refused (`ATTESTATION_EXISTS`).
   */
  attest(key: string, root: string, leaves: number, options?: { signal?: AbortSignal }): Promise<Attestation>
  payment(key: string): Promise<PaymentReceipt | undefined>
  attestation(key: string): Promise<Attestation | undefined>
  balance(address: string): Promise<number>
  /**
   * A payment seen on the ledger by its transaction digest, whoever made it: how a payee checks that a
   * payer really paid (a mobility provider before it confirms a booked leg). Undefined when the ledger
   * has no such payment.
   */
  lookup(digest: string, options?: { signal?: AbortSignal }): Promise<PaymentReceipt | undefined>
  /** releases what the adapter holds open (a database, connections) */
  close?(): Promise<void>
}

/**
 * SettlementError code: a payment was asked to carry a root whose attestation key already names another
 * transaction (or an attestation was asked for a key a payment carries that has not landed). Nothing was
 * signed. Pay without the root and attest alone (`attest` returns the earlier attestation).
 */
export const ATTESTATION_EXISTS = 'attestation-exists'

/** A payment or attestation the ledger refused for good (not worth retrying). */
export class SettlementError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.name = 'SettlementError'
  }
}

/** A ledger call failed in a way that may pass (network, rate limit): retry with backoff. */
export class TransientLedgerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'TransientLedgerError'
  }
}
