import type { PaymentStatus } from '../port.ts'
import type { SettlementStore } from './config.ts'

export const TxKind = { pay: 'pay', attest: 'attest' } as const
export type TxKind = (typeof TxKind)[keyof typeof TxKind]

/**
 * What the adapter writes to its store for one idempotency key, before anything is sent: the signed
 * transaction itself (so a restart re-sends the very same bytes, with the same digest, and can never pay
 * twice) and, once known, how the ledger took it.
 */
export interface TxRecord {
  readonly v: 1
  readonly kind: TxKind
  readonly key: string
  readonly status: PaymentStatus
  /** the ledger's digest of `bytes`, computed before sending */
  readonly digest: string
  /** BCS TransactionData, base64 */
  readonly bytes: string
  /** the sender's serialized signature (flag ‖ signature ‖ public key), base64 */
  readonly signature: string
  readonly sender: string
  /** 1 for the first transaction built for this key; a failed one is followed by attempt + 1 */
  readonly attempt: number
  /** digests of earlier attempts for this key, each failed for good */
  readonly previous: readonly string[]
  /** when it was signed (wall clock, ms) */
  readonly signedAt: number
  readonly transfers?: ReadonlyArray<{ readonly to: string; readonly amount: number }>
  /** an attestation's root and leaf count; on a payment, the root it carries (under `attestKey`) */
  readonly root?: string
  readonly leaves?: number
  /** a payment that carries its period's root: the attestation key the root is found under */
  readonly attestKey?: string
  /** when the ledger executed it (its checkpoint time), ms */
  readonly at?: number
  readonly checkpoint?: string
  /** id of the object an attestation created (the notarization) */
  readonly objectId?: string
  readonly error?: { readonly code: string; readonly message: string }
  /** failed: it executed, with a failure status (so it can never execute again) */
  readonly executed?: boolean
  /** failed: refused by the network after an earlier send of the same bytes whose outcome was not heard */
  readonly uncertain?: boolean
}

/** The adapter's view of its store: one record per (kind, key) and the list of records still 'submitted'. */
export class TxJournal {
  readonly #store: SettlementStore
  readonly #prefix: string

  constructor(store: SettlementStore, prefix: string) {
    this.#store = store
    this.#prefix = prefix
  }

  #recordKey(kind: TxKind, key: string): string {
    return `${this.#prefix}/${kind}/${key}`
  }
  get #pendingKey(): string {
    return `${this.#prefix}/pending`
  }
  #digestKey(digest: string): string {
    return `${this.#prefix}/digest/${digest}`
  }

  /** The transaction signed for (kind, key); undefined for an attestation key that a payment carries (see carrierOf). */
  async get(kind: TxKind, key: string): Promise<TxRecord | undefined> {
    const raw = await this.#store.get(this.#recordKey(kind, key))
    if (raw == null) return undefined
    const r = JSON.parse(raw) as TxRecord & { carriedBy?: string }
    if (r.v !== 1 || r.kind !== kind || r.key !== key)
      throw new Error(
        `the settlement store holds a record under ${this.#recordKey(kind, key)} ` +
          `that is not this adapter's (v=${String(r.v)}, kind=${String(r.kind)})`
      )
    if (r.carriedBy != null) return undefined
    return r
  }

  /**
   * Says that attestation `key` rides in the payment under `payKey`. Written where an attestation alone
   * would be, before that payment is signed: the key then names one transaction, whichever comes first.
   * A carrier whose payment record was never written (a crash in between) names nothing: it is
   * overwritten by the next payment or attestation under the key.
   */
  async putCarrier(key: string, payKey: string): Promise<void> {
    await this.#store.put(this.#recordKey(TxKind.attest, key), JSON.stringify({ v: 1, kind: TxKind.attest, key, carriedBy: payKey }))
  }

  /** The payment key that carries attestation `key`, if one was written. */
  async carrierOf(key: string): Promise<string | undefined> {
    const raw = await this.#store.get(this.#recordKey(TxKind.attest, key))
    if (raw == null) return undefined
    return (JSON.parse(raw) as { carriedBy?: string }).carriedBy
  }

  /**
   * Writes the record, and keeps the pending list in step with its status ('submitted' ⇔ listed). A record
   * written as 'submitted' (every signed transaction is, before it is sent) is also indexed by its digest,
   * first: an index entry whose record was never written is harmless (byDigest checks the record).
   */
  async put(record: TxRecord): Promise<void> {
    if (record.status === 'submitted')
      await this.#store.put(this.#digestKey(record.digest), JSON.stringify({ kind: record.kind, key: record.key }))
    const pending = await this.pending()
    const id = `${record.kind}/${record.key}`
    const listed = pending.includes(id)
    if (record.status === 'submitted' && !listed) {
      // listed first: a crash between the two writes leaves a listed key whose record is older, never an
      // unlisted signed transaction
      await this.#store.put(this.#pendingKey, JSON.stringify([...pending, id]))
    }
    await this.#store.put(this.#recordKey(record.kind, record.key), JSON.stringify(record))
    if (record.status !== 'submitted' && listed) await this.#store.put(this.#pendingKey, JSON.stringify(pending.filter(p => p !== id)))
  }

  /**
   * The record of the key this adapter signed `digest` for: the key's current transaction or an earlier,
   * failed attempt (then the record names `digest` among its `previous`). Undefined for a digest this
   * journal never signed, or one signed before the journal indexed digests.
   */
  async byDigest(digest: string): Promise<TxRecord | undefined> {
    const raw = await this.#store.get(this.#digestKey(digest))
    if (raw == null) return undefined
    const { kind, key } = JSON.parse(raw) as { kind: TxKind; key: string }
    const r = await this.get(kind, key)
    return r != null && (r.digest === digest || r.previous.includes(digest)) ? r : undefined
  }

  /** `kind/key` of every record that was signed and may have been sent, but whose outcome is unknown. */
  async pending(): Promise<string[]> {
    const raw = await this.#store.get(this.#pendingKey)
    return raw == null ? [] : (JSON.parse(raw) as string[])
  }

  async pendingRecords(): Promise<TxRecord[]> {
    const ids = await this.pending()
    const out: TxRecord[] = []
    for (const id of ids) {
      const slash = id.indexOf('/')
      const r = await this.get(id.slice(0, slash) as TxKind, id.slice(slash + 1))
      if (r != null && r.status === 'submitted') out.push(r)
    }
    // a crash between a record's final write and its un-listing leaves a listed key that is settled
    if (out.length !== ids.length) await this.#store.put(this.#pendingKey, JSON.stringify(out.map(r => `${r.kind}/${r.key}`)))
    return out
  }
}
