import {
  ChainProblem,
  channelTip,
  decodeRecord,
  encodeRecord,
  verifyChain,
  RecordKind,
  type ChainCheck,
  type ChannelRecord
} from '@kvartal/channels'
import { bytesEqual, fromHex, KvartalError, toHex } from '@kvartal/protocol'

/**
 * Durable storage of channels (see @kvartal/channels): the node's own channels, written here before a
 * record is sent or announced, and replicas of other owners' channels, stored only once verified.
 *
 * Layout in a key-value store of strings (one level database, or a sublevel of one):
 *   `ch/<channel id hex>/<index, 10 digits>` → hex of the record's canonical encoding (`encodeRecord`)
 *   `tip/<channel id hex>`                   → JSON { owner, index, epoch, head } of the last record
 * A channel's records and its tip change in one atomic batch, so a crash never leaves them apart. 10
 * digits hold every u32 index, so key order is index order.
 *
 * Every chain held here verifies against its owner's key from record 0 up to its tip: the owner's own
 * appends are checked like a replica's (one Ed25519 verify per record), so what the store serves to
 * others and what `heads()` hands to an attestation is always a valid chain. Records are kept
 * encrypted as written; the store holds no key and reads nothing.
 */

/** One write of an atomic batch. */
export type KeyValueOp =
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'del'; readonly key: string }

/** The small ordered key-value store a `ChannelStore` needs; `levelKeyValue` adapts a level database. */
export interface KeyValue {
  get(key: string): Promise<string | undefined>
  put(key: string, value: string): Promise<void>
  /** all or nothing */
  batch(ops: readonly KeyValueOp[]): Promise<void>
  /** entries whose key starts with `prefix`, in key order; from `prefix + from` on if given; at most `limit` */
  iterate(prefix: string, options?: { from?: string; limit?: number }): AsyncIterable<readonly [string, string]>
}

/** The part of an abstract-level database (a `Level`, or a sublevel of one) that `levelKeyValue` uses. */
export interface LevelDatabase {
  get(key: string, options: { keyEncoding: 'utf8'; valueEncoding: 'utf8' }): Promise<unknown>
  batch(
    ops: Array<{ type: 'put'; key: string; value: string } | { type: 'del'; key: string }>,
    options: { keyEncoding: 'utf8'; valueEncoding: 'utf8'; sync?: boolean }
  ): Promise<void>
  iterator(options: {
    gte: string
    lt: string
    limit?: number
    keyEncoding: 'utf8'
    valueEncoding: 'utf8'
  }): AsyncIterable<[unknown, unknown]>
}

export interface LevelKeyValueOptions {
  /** fsync every write (classic-level): survives power cuts. The edge default; a simulator may turn it off */
  sync?: boolean
}

// Above every ASCII character, and the keys here are ASCII: the end of a prefix range.
const PREFIX_END = '\uffff'

/**
 * Adapts a level database (`new Level(dir)`, or `db.sublevel('channels')`) to `KeyValue`. Strings are
 * read and written as UTF-8 on each call, whatever the database's default encodings, so a journal's
 * JSON-encoded database can lend a sublevel too.
 */
export function levelKeyValue(db: LevelDatabase, options: LevelKeyValueOptions = {}): KeyValue {
  const enc = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const
  const sync = options.sync ?? true
  return {
    async get(key) {
      return (await db.get(key, enc)) as string | undefined
    },
    async put(key, value) {
      await db.batch([{ type: 'put', key, value }], { ...enc, sync })
    },
    async batch(ops) {
      await db.batch(
        ops.map(o => ({ ...o })),
        { ...enc, sync }
      )
    },
    async *iterate(prefix, opts = {}) {
      const range = {
        gte: prefix + (opts.from ?? ''),
        lt: prefix + PREFIX_END,
        ...enc,
        ...(opts.limit == null ? {} : { limit: opts.limit })
      }
      for await (const [k, v] of db.iterator(range)) yield [k as string, v as string] as const
    }
  }
}

/** Why the store refused a record. Stable codes. */
export const ChannelStoreErrorCode = {
  /** not a 32-byte channel id in hex */
  badId: 'bad-id',
  /** the record names another channel than the one it is stored under */
  wrongChannel: 'wrong-channel',
  /** not the next index: records are missing between the stored tip and this one */
  notNext: 'not-next',
  /** a different record at an index already held, or a signed record that does not link to the stored head */
  fork: 'fork',
  /** the chain does not verify: forged, edited, malformed, out of order (see `problem`) */
  invalid: 'invalid',
  /** the channel belongs to another key than the one expected */
  wrongOwner: 'wrong-owner'
} as const
export type ChannelStoreErrorCode = (typeof ChannelStoreErrorCode)[keyof typeof ChannelStoreErrorCode]

/** The store refused to write: nothing of the refused call was stored. */
export class ChannelStoreError extends KvartalError {
  declare readonly code: ChannelStoreErrorCode
  /** what `verifyChain` found, when it was a verification failure */
  readonly problem: ChainProblem | undefined
  /** the index of the offending record in its channel */
  readonly index: number | undefined
  constructor(code: ChannelStoreErrorCode, message: string, options: ErrorOptions & { problem?: ChainProblem; index?: number } = {}) {
    super(code, message, options)
    this.problem = options.problem
    this.index = options.index
    this.name = 'ChannelStoreError'
  }
}

/** A channel held in the store: owner, and where its chain ends (all hex). */
export interface StoredChannel {
  readonly id: string
  /** the owner's Ed25519 public key */
  readonly owner: string
  /** index of the last record */
  readonly index: number
  /** content-key epoch of the last record */
  readonly epoch: number
  /** hash of the last record */
  readonly head: string
}

/** One leaf of a period's attestation batch: a channel's id, last index and head. */
export interface ChannelHead {
  readonly id: string
  readonly index: number
  readonly head: string
}

/** What a write did: how many records it added (0 if it already held them all) and the tip after it. */
export interface StoreResult {
  readonly stored: number
  readonly tip: StoredChannel
}

const INDEX_DIGITS = 10
const recordPrefix = (id: string): string => `ch/${id}/`
const recordKey = (id: string, index: number): string => recordPrefix(id) + index.toString().padStart(INDEX_DIGITS, '0')
const tipKey = (id: string): string => `tip/${id}`
const TIP_PREFIX = 'tip/'

/** Checks and normalises a channel id given in hex (64 hex digits), returning it in lower case. */
export function channelIdHex(id: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(id))
    throw new ChannelStoreError(ChannelStoreErrorCode.badId, `a channel id is 32 bytes in hex (64 digits), got "${id.slice(0, 80)}"`)
  return id.toLowerCase()
}

/**
 * The owner key an open record names: the first 32 bytes of its body (control body layout, documented
 * in @kvartal/channels control.ts). Unverified; `verifyChain` then proves the channel id commits to it
 * and the record is signed by it. Zeros when there is none, which `verifyChain` refuses.
 */
function claimedOwner(record: ChannelRecord): Uint8Array {
  return record.kind === RecordKind.open && record.body.length >= 32 ? record.body.slice(0, 32) : new Uint8Array(32)
}

/** `ownerExpected`: the caller named the owner, so a wrong owner is its mismatch, not a forgery */
function refusal(check: ChainCheck, records: readonly ChannelRecord[], what: string, ownerExpected: boolean): ChannelStoreError {
  const at = check.index != null && check.index < records.length ? records[check.index].index : undefined
  // verifyChain checks the signature before the link: a bad link on a signed record is the owner writing two histories
  const code =
    check.problem === ChainProblem.badLink
      ? ChannelStoreErrorCode.fork
      : check.problem === ChainProblem.wrongOwner && ownerExpected
        ? ChannelStoreErrorCode.wrongOwner
        : ChannelStoreErrorCode.invalid
  return new ChannelStoreError(code, `${what}: ${check.message ?? check.problem}`, { problem: check.problem, index: at })
}

/**
 * Channels in a key-value store. Writes to one channel run one at a time through this instance (use
 * one `ChannelStore` per database); reads need no lock because every write is one atomic batch.
 */
export class ChannelStore {
  readonly #kv: KeyValue
  readonly #queues = new Map<string, Promise<void>>()

  constructor(kv: KeyValue) {
    this.#kv = kv
  }

  async #exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(id) ?? Promise.resolve()
    const run = before.then(fn)
    const done = run.then(
      () => {},
      () => {}
    )
    this.#queues.set(id, done)
    try {
      return await run
    } finally {
      if (this.#queues.get(id) === done) this.#queues.delete(id)
    }
  }

  async #tip(id: string): Promise<StoredChannel | undefined> {
    const v = await this.#kv.get(tipKey(id))
    return v == null ? undefined : { id, ...(JSON.parse(v) as Omit<StoredChannel, 'id'>) }
  }

  async #write(id: string, owner: Uint8Array, records: readonly ChannelRecord[]): Promise<StoredChannel> {
    const t = channelTip(records)
    const tip: StoredChannel = { id, owner: toHex(owner), index: t.index, epoch: t.epoch, head: toHex(t.head) }
    await this.#kv.batch([
      ...records.map(r => ({ type: 'put' as const, key: recordKey(id, r.index), value: toHex(encodeRecord(r)) })),
      { type: 'put', key: tipKey(id), value: JSON.stringify({ owner: tip.owner, index: tip.index, epoch: tip.epoch, head: tip.head }) }
    ])
    return tip
  }

  /** hex encodings of `count` stored records from `from` */
  async #encoded(id: string, from: number, count: number): Promise<string[]> {
    const out: string[] = []
    for await (const [, v] of this.#kv.iterate(recordPrefix(id), {
      from: recordKey(id, from).slice(recordPrefix(id).length),
      limit: count
    }))
      out.push(v)
    return out
  }

  /**
   * Stores the owner's next record (write before you send: store it, then send or announce it). Only
   * the next index whose `prev` is the stored head is accepted; the record is verified against the
   * owner named by the channel's open record. The same record again is a no-op.
   * Throws `ChannelStoreError`: `not-next`, `fork`, `invalid`, `wrong-channel`, `bad-id`.
   */
  async append(channelId: string, record: ChannelRecord): Promise<StoreResult> {
    const id = channelIdHex(channelId)
    if (toHex(record.channelId) !== id)
      throw new ChannelStoreError(
        ChannelStoreErrorCode.wrongChannel,
        `record ${record.index} belongs to channel ${toHex(record.channelId)}, not ${id}`,
        { index: record.index }
      )
    return await this.#exclusive(id, async () => {
      const tip = await this.#tip(id)
      const next = tip == null ? 0 : tip.index + 1
      if (tip != null && record.index < next) {
        const [held] = await this.#encoded(id, record.index, 1)
        if (held === toHex(encodeRecord(record))) return { stored: 0, tip }
        throw new ChannelStoreError(ChannelStoreErrorCode.fork, `channel ${id} already holds a different record ${record.index}`, {
          index: record.index
        })
      }
      if (record.index !== next)
        throw new ChannelStoreError(ChannelStoreErrorCode.notNext, `channel ${id} expects record ${next} next, got ${record.index}`, {
          index: record.index
        })
      if (tip != null && !bytesEqual(record.prev, fromHex(tip.head))) {
        throw new ChannelStoreError(
          ChannelStoreErrorCode.fork,
          `record ${record.index} does not link to the stored head of channel ${id}`,
          { index: record.index }
        )
      }
      const owner = tip == null ? claimedOwner(record) : fromHex(tip.owner)
      const check = verifyChain(
        [record],
        owner,
        tip == null ? {} : { since: { channelId: record.channelId, index: tip.index, epoch: tip.epoch, head: fromHex(tip.head) } }
      )
      if (!check.ok) throw refusal(check, [record], `channel ${id}`, false)
      return { stored: 1, tip: await this.#write(id, owner, [record]) }
    })
  }

  /**
   * Stores records received from another node (replication). They must be consecutive records of one
   * channel. For a channel not held yet they must start at its open record and the whole chain is
   * verified (against `expectedOwner` if given, else the owner the open record names, which the
   * channel id commits to). For a channel held, records up to the stored tip must equal the stored
   * ones, and the rest is verified as a continuation of the stored head. All is checked before
   * anything is written: a refused call stores nothing. Records already held are a no-op.
   * An empty list names no channel: `{ stored: 0, tip: undefined }`.
   * Throws `ChannelStoreError`: `invalid` (with `problem`), `fork`, `not-next`, `wrong-owner`.
   */
  async ingest(records: readonly ChannelRecord[], expectedOwner?: Uint8Array): Promise<StoreResult | { stored: 0; tip: undefined }> {
    if (records.length === 0) return { stored: 0, tip: undefined }
    const first = records[0]
    const id = toHex(first.channelId)
    for (let i = 1; i < records.length; i++) {
      const r = records[i]
      if (!bytesEqual(r.channelId, first.channelId)) {
        throw new ChannelStoreError(
          ChannelStoreErrorCode.invalid,
          `record at position ${i} belongs to channel ${toHex(r.channelId)}, not ${id}`,
          { problem: ChainProblem.wrongChannel, index: r.index }
        )
      }
      if (r.index !== first.index + i) {
        throw new ChannelStoreError(
          ChannelStoreErrorCode.invalid,
          `records are not consecutive: index ${r.index} at position ${i} after ${first.index}`,
          { problem: ChainProblem.outOfOrder, index: r.index }
        )
      }
    }
    return await this.#exclusive(id, async () => {
      const tip = await this.#tip(id)
      if (tip == null) {
        if (first.index !== 0)
          throw new ChannelStoreError(
            ChannelStoreErrorCode.notNext,
            `channel ${id} is not held here: replicate it from its open record (index 0), not from ${first.index}`,
            { index: first.index }
          )
        const owner = expectedOwner ?? claimedOwner(first)
        const check = verifyChain(records, owner)
        if (!check.ok) throw refusal(check, records, `channel ${id}`, expectedOwner != null)
        return { stored: records.length, tip: await this.#write(id, owner, records) }
      }
      if (expectedOwner != null && toHex(expectedOwner) !== tip.owner) {
        throw new ChannelStoreError(
          ChannelStoreErrorCode.wrongOwner,
          `channel ${id} is held as owned by ${tip.owner}, not ${toHex(expectedOwner)}`
        )
      }
      if (first.index > tip.index + 1)
        throw new ChannelStoreError(
          ChannelStoreErrorCode.notNext,
          `channel ${id} holds up to ${tip.index}; records from ${first.index} leave a gap`,
          { index: first.index }
        )
      const overlap = Math.min(records.length, tip.index + 1 - first.index)
      if (overlap > 0) {
        const held = await this.#encoded(id, first.index, overlap)
        for (let i = 0; i < overlap; i++) {
          if (held[i] !== toHex(encodeRecord(records[i]))) {
            throw new ChannelStoreError(ChannelStoreErrorCode.fork, `channel ${id} already holds a different record ${records[i].index}`, {
              index: records[i].index
            })
          }
        }
      }
      const fresh = records.slice(overlap)
      if (fresh.length === 0) return { stored: 0, tip }
      const owner = fromHex(tip.owner)
      const check = verifyChain(fresh, owner, {
        since: { channelId: first.channelId, index: tip.index, epoch: tip.epoch, head: fromHex(tip.head) }
      })
      if (!check.ok) throw refusal(check, fresh, `channel ${id}`, false)
      return { stored: fresh.length, tip: await this.#write(id, owner, fresh) }
    })
  }

  /** The stored records of a channel from `fromIndex` on, in order (at most `limit`); [] for a channel not held. */
  async records(channelId: string, fromIndex = 0, limit?: number): Promise<ChannelRecord[]> {
    const out: ChannelRecord[] = []
    for await (const r of this.scan(channelId, fromIndex, limit)) out.push(r)
    return out
  }

  /** Like `records`, read one at a time: stop early (break) to bound memory by what was taken. */
  async *scan(channelId: string, fromIndex = 0, limit?: number): AsyncGenerator<ChannelRecord, void, undefined> {
    const id = channelIdHex(channelId)
    const from = recordKey(id, fromIndex).slice(recordPrefix(id).length)
    for await (const [, v] of this.#kv.iterate(recordPrefix(id), { from, limit })) yield decodeRecord(fromHex(v))
  }

  /** Where a held channel ends, or undefined if it is not held. */
  async tip(channelId: string): Promise<StoredChannel | undefined> {
    return await this.#tip(channelIdHex(channelId))
  }

  /** Every channel held, owned by this node or replicated, sorted by id. */
  async channels(): Promise<StoredChannel[]> {
    const out: StoredChannel[] = []
    for await (const [k, v] of this.#kv.iterate(TIP_PREFIX))
      out.push({ id: k.slice(TIP_PREFIX.length), ...(JSON.parse(v) as Omit<StoredChannel, 'id'>) })
    return out
  }

  /** The heads of every channel held, sorted by channel id: the channel leaves of a period's attestation. */
  async heads(): Promise<ChannelHead[]> {
    return (await this.channels()).map(c => ({ id: c.id, index: c.index, head: c.head }))
  }
}
