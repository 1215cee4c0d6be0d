import { createHash } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { Level } from 'level'
import { fromHex, iotaAddress, signingDomain, toHex, verifySignature } from '@kvartal/protocol'
import { ATTESTATION_EXISTS, SettlementError, type Attestation, type PaymentReceipt } from '../port.ts'

/**
 * A transaction on the local ledger: a payment to several recipients, an attestation of a root, or a
 * payment that also attests a root (`kind: 'pay'` with `attestKey`, `root` and `leaves`: one transaction,
 * applied whole or not at all, found by either key).
 */
export interface LocalTransaction {
  readonly kind: 'pay' | 'attest'
  /** idempotency key */
  readonly key: string
  /** hex Ed25519 public key of the sender; its IOTA address is the account */
  readonly sender: string
  readonly transfers?: ReadonlyArray<{ readonly to: string; readonly amount: number }>
  readonly root?: string
  readonly leaves?: number
  /** a payment's attestation key: the root and leaves it carries are attested under it */
  readonly attestKey?: string
}

export interface SignedLocalTransaction {
  readonly bytes: string
  readonly signature: string
}

type Stored =
  | {
      kind: 'pay'
      digest: string
      key: string
      payer: string
      transfers: Array<{ to: string; amount: number }>
      at: number
      attestation?: { key: string; root: string; leaves: number }
    }
  | { kind: 'attest'; digest: string; key: string; attester: string; root: string; leaves: number; at: number }

/** A transaction as the local ledger holds it. */
export type LocalLedgerRecord = Stored

/** Canonical bytes of a transaction: JSON with a fixed field order (`attestKey` last, and only when there is one). */
export function encodeLocalTransaction(tx: LocalTransaction): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      kind: tx.kind,
      key: tx.key,
      sender: tx.sender,
      transfers: tx.transfers ?? [],
      root: tx.root ?? '',
      leaves: tx.leaves ?? 0,
      ...(tx.attestKey != null ? { attestKey: tx.attestKey } : {})
    })
  )
}

export function localSigningBytes(bytes: Uint8Array): Uint8Array {
  const d = signingDomain('local-ledger-tx')
  const out = new Uint8Array(d.length + bytes.length)
  out.set(d)
  out.set(bytes, d.length)
  return out
}

/**
 * The embedded ledger: accounts, payments and attestations kept in one level database, with the same
 * addresses (IOTA Rebased derivation) and Ed25519 signatures as IOTA. It is NOT a network: nobody else
 * sees it, nothing on it is final beyond this machine. It exists so that a node, the simulator and the
 * tests settle offline with the same code path as the IOTA adapter. A transaction is applied
 * atomically and at most once per idempotency key.
 */
export class LocalLedger {
  readonly #db: Level<string, any>
  #queue: Promise<unknown> = Promise.resolve()
  transactions = 0

  private constructor(db: Level<string, any>) {
    this.#db = db
  }

  static async open(dir: string): Promise<LocalLedger> {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const db = new Level<string, any>(dir, { valueEncoding: 'json' })
    await db.open()
    const l = new LocalLedger(db)
    l.transactions = (await db.get('meta/transactions')) ?? 0
    return l
  }

  async close(): Promise<void> {
    await this.#db.close()
  }

  /** Serialises writes: one transaction at a time, as a ledger orders them. */
  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn)
    this.#queue = run.catch(() => {})
    return await run
  }

  async balance(address: string): Promise<number> {
    return (await this.#db.get(`balance/${address}`)) ?? 0
  }

  /** Credits an address out of nothing: the local ledger's faucet, for simulations and tests. */
  async mint(address: string, amount: number): Promise<void> {
    if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError('mint a positive whole number of nanos')
    await this.#exclusive(async () => {
      await this.#db.put(`balance/${address}`, (await this.balance(address)) + amount)
    })
  }

  async byKey(key: string): Promise<Stored | undefined> {
    const digest = await this.#db.get(`key/${key}`)
    return digest == null ? undefined : await this.#db.get(`tx/${digest}`)
  }

  async byDigest(digest: string): Promise<Stored | undefined> {
    return await this.#db.get(`tx/${digest}`)
  }

  /**
   * Verifies and applies a signed transaction. Returns the stored record; a key already applied returns
   * the earlier record unchanged (idempotency), whatever the new transaction says. A payment that carries
   * an attestation is applied whole (the transfers and the root) or not at all, and is refused
   * (ATTESTATION_EXISTS) when its attestation key already names a transaction: one root per key.
   */
  async submit(signed: SignedLocalTransaction, now: number): Promise<Stored> {
    const bytes = fromHex(signed.bytes)
    let tx: LocalTransaction
    try {
      tx = JSON.parse(new TextDecoder().decode(bytes))
    } catch {
      throw new SettlementError('malformed', 'the transaction does not decode')
    }
    const sender = fromHex(tx.sender)
    if (!verifySignature(sender, localSigningBytes(bytes), fromHex(signed.signature)))
      throw new SettlementError('bad-signature', 'the transaction is not signed by its sender')
    const digest = createHash('sha256').update(bytes).digest('hex')
    return await this.#exclusive(async () => {
      const existing = await this.byKey(tx.key)
      if (existing != null) return existing
      const from = iotaAddress(sender)
      const ops: Array<{ type: 'put'; key: string; value: unknown }> = []
      let record: Stored
      let attestation: { key: string; root: string; leaves: number } | undefined
      if (tx.kind === 'pay' && tx.attestKey != null) {
        if (typeof tx.attestKey !== 'string' || tx.attestKey === '' || tx.attestKey === tx.key)
          throw new SettlementError('malformed', "a payment's attestation key must be a key of its own")
        if (!/^[0-9a-f]{64}$/.test(tx.root ?? '') || !Number.isSafeInteger(tx.leaves) || tx.leaves! < 0)
          throw new SettlementError('malformed', 'an attestation carries a 32-byte hex root and a whole leaf count')
        const named = await this.byKey(tx.attestKey)
        if (named != null)
          throw new SettlementError(
            ATTESTATION_EXISTS,
            `attestation key ${tx.attestKey} already names transaction ${named.digest}: pay without the root, and attest alone`
          )
        attestation = { key: tx.attestKey, root: tx.root!, leaves: tx.leaves! }
      }
      if (tx.kind === 'pay') {
        const transfers = (tx.transfers ?? []).map(t => ({ to: t.to, amount: t.amount }))
        if (transfers.length === 0) throw new SettlementError('empty', 'a payment needs at least one transfer')
        if (transfers.some(t => !Number.isSafeInteger(t.amount) || t.amount <= 0 || !/^0x[0-9a-f]{64}$/.test(t.to)))
          throw new SettlementError('malformed', 'transfers need an IOTA address and a positive whole amount')
        const total = transfers.reduce((a, t) => a + t.amount, 0)
        const balances = new Map<string, number>([[from, await this.balance(from)]])
        if (balances.get(from)! < total)
          throw new SettlementError(
            'insufficient-balance',
            `${from} holds ${balances.get(from)} nanos and must pay ${total}: fund it (on the local ledger, mint)`
          )
        balances.set(from, balances.get(from)! - total)
        for (const t of transfers) balances.set(t.to, (balances.get(t.to) ?? (await this.balance(t.to))) + t.amount)
        for (const [a, b] of balances) ops.push({ type: 'put', key: `balance/${a}`, value: b })
        record = { kind: 'pay', digest, key: tx.key, payer: from, transfers, at: now, ...(attestation != null ? { attestation } : {}) }
        if (attestation != null) ops.push({ type: 'put', key: `key/${attestation.key}`, value: digest })
      } else {
        if (!/^[0-9a-f]{64}$/.test(tx.root ?? '')) throw new SettlementError('malformed', 'an attestation carries a 32-byte hex root')
        record = { kind: 'attest', digest, key: tx.key, attester: from, root: tx.root!, leaves: tx.leaves ?? 0, at: now }
      }
      this.transactions++
      ops.push(
        { type: 'put', key: `tx/${digest}`, value: record },
        { type: 'put', key: `key/${tx.key}`, value: digest },
        { type: 'put', key: 'meta/transactions', value: this.transactions }
      )
      await this.#db.batch(ops as any, { sync: false } as any)
      return record
    })
  }
}

export function toReceipt(s: Stored & { kind: 'pay' }): PaymentReceipt {
  return {
    key: s.key,
    digest: s.digest,
    status: 'confirmed',
    payer: s.payer,
    transfers: s.transfers,
    at: s.at,
    ...(s.attestation != null ? { attestation: toAttestation(s) } : {})
  }
}
/** The attestation a transaction holds: an attestation alone, or the root a payment carries. */
export function toAttestation(s: Stored): Attestation {
  if (s.kind === 'attest') return { key: s.key, digest: s.digest, root: s.root, leaves: s.leaves, attester: s.attester, at: s.at }
  if (s.attestation == null) throw new Error(`transaction ${s.digest} attests nothing`)
  return { key: s.attestation.key, digest: s.digest, root: s.attestation.root, leaves: s.attestation.leaves, attester: s.payer, at: s.at }
}
/** The attestation a transaction holds under `key`, if any. */
export function attestationUnder(s: Stored | undefined, key: string): Attestation | undefined {
  if (s == null) return undefined
  if (s.kind === 'attest') return s.key === key ? toAttestation(s) : undefined
  return s.attestation?.key === key ? toAttestation(s) : undefined
}
export { toHex }
