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

/** One payment transaction: a payer pays one or more recipients at once. */
export interface PaymentRequest {
  /** idempotency key: the same key never pays twice (e.g. `${period}/${payer}`) */
  readonly key: string
  readonly payer: string
  readonly transfers: ReadonlyArray<{ readonly to: string, readonly amount: number }>
}

export const PaymentStatus = { submitted: 'submitted', confirmed: 'confirmed', failed: 'failed' } as const
export type PaymentStatus = typeof PaymentStatus[keyof typeof PaymentStatus]

export interface PaymentReceipt {
  readonly key: string
  /** the ledger's transaction digest */
  readonly digest: string
  readonly status: PaymentStatus
  readonly payer: string
  readonly transfers: ReadonlyArray<{ readonly to: string, readonly amount: number }>
  /** when the ledger confirmed it, ms */
  readonly at?: number
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
  /** Pays, or returns the earlier receipt for the same key. Never pays the same key twice. */
  pay(request: PaymentRequest, options?: { signal?: AbortSignal }): Promise<PaymentReceipt>
  /** Anchors a root, or returns the earlier attestation for the same key. */
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

/** A payment or attestation the ledger refused for good (not worth retrying). */
export class SettlementError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: ErrorOptions) { super(message, options); this.code = code; this.name = 'SettlementError' }
}

/** A ledger call failed in a way that may pass (network, rate limit): retry with backoff. */
export class TransientLedgerError extends Error {
  constructor (message: string, options?: ErrorOptions) { super(message, options); this.name = 'TransientLedgerError' }
}
