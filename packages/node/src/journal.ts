import { mkdir, chmod } from 'node:fs/promises'
import { Level } from 'level'
import type { LevelDatabase } from './channel-store.ts'
import { decodeTrade, encodeTrade, DiskFullError, JournalError, toHex, fromHex, type Trade } from '@kvartal/protocol'
import type { MobilityWritePoint, WritePoint } from './write-points.ts'
import { JournalGuard, isDiskFull, type JournalRefusal, type JournalRefusalCode } from './journal-guard.ts'

export type { JournalRefusal, JournalRefusalCode } from './journal-guard.ts'

/** the adapters that keep records in the journal (each is a write point `store-<prefix>`) */
type StorePrefix = Extract<WritePoint, `store-${string}`> extends `store-${infer P}` ? P : never

/** How a trade stands in this node's journal. */
export const TradeStatus = {
  /** buyer: both signatures held, the seller's Committed not yet seen; retried until resolved */
  pending: 'pending',
  committed: 'committed',
  /** buyer: the seller refused the confirm (its hold had expired): no trade */
  void: 'void'
} as const
export type TradeStatus = (typeof TradeStatus)[keyof typeof TradeStatus]

export interface TradeRecord {
  readonly id: string
  readonly role: 'buyer' | 'seller'
  readonly status: TradeStatus
  /** hex of the encoded Trade */
  readonly trade: string
  readonly at: number
}

export interface HoldRecord {
  readonly negotiation: string
  readonly slot: number
  readonly energyWh: number
  readonly price: number
  readonly holdUntil: number
  readonly counterparty: string
  /** the trade id the seller signed for this hold */
  readonly tradeId: string
  /** sold to a buyer of another feeder: counts against the seller's share of its transformer */
  readonly cross?: boolean
}

export interface JournalOptions {
  /** fsync every write: survives power cuts (edge default), not needed in a simulator */
  sync: boolean
  /** LevelDB block cache and write buffer, bytes: small, because a node's journal is small */
  cacheSize: number
  writeBufferSize: number
  /** after a full disk, free bytes needed before writes resume (journal-guard.ts) */
  minFreeBytes: number
  /** how often, real ms, a journal that refuses writes (a full disk, a failed write) tries to write again */
  diskProbeMs: number
  /**
   * Opens the LevelDB the journal is kept in (default: classic-level in the data directory). Only a
   * test sets it, to stand a double of a failing disk in (packages/node/testing/failing-disk.ts).
   */
  database?: (dir: string, options: { valueEncoding: 'json'; cacheSize: number; writeBufferSize: number }) => Level<string, any>
}

export const defaultJournalOptions: JournalOptions = {
  sync: true,
  cacheSize: 256 * 1024,
  writeBufferSize: 256 * 1024,
  minFreeBytes: 1024 * 1024,
  diskProbeMs: 1_000
}

type Value = Record<string, unknown> | string | number
const pad = (n: number): string => n.toString().padStart(16, '0')

/**
 * The node's durable memory, in one LevelDB (classic-level) under the data directory: its key, an
 * ordered log of what it did, holds it has promised, trades, and counters such as announcement sequence
 * numbers. Every promise to a peer is written here before the message that makes it is sent.
 */
export class Journal {
  readonly #db: Level<string, Value>
  readonly #opts: JournalOptions
  #seq = 0
  /** called after each durable write with its kind; the crash-test harness kills the process here */
  onWrite: ((point: string) => void) | undefined
  /**
   * told when a write fails and the journal starts refusing writes (`refusing`: true; code `disk-full`:
   * DiskFullError, `journal-write-failed`: JournalWriteError), and when it writes again (false)
   */
  onStorage: ((refusing: boolean, detail: string, code: JournalRefusalCode) => void) | undefined
  #guard!: JournalGuard
  /** sublevels handed out: closed with the database, so opened again after a reopen */
  readonly #sublevels: Array<{ open(): Promise<void> }> = []
  /** called after each durable write with its kind and how long it took, ms (the node's metrics) */
  onWriteTimed: ((point: string, ms: number) => void) | undefined

  private constructor(db: Level<string, Value>, opts: JournalOptions) {
    this.#db = db
    this.#opts = opts
  }

  static async open(dir: string, options: Partial<JournalOptions> = {}): Promise<Journal> {
    const opts = { ...defaultJournalOptions, ...options }
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 })
      await chmod(dir, 0o700)
      const levelOptions = { valueEncoding: 'json', cacheSize: opts.cacheSize, writeBufferSize: opts.writeBufferSize } as const
      const db: Level<string, Value> = opts.database?.(dir, levelOptions) ?? new Level<string, Value>(dir, levelOptions as any)
      await db.open()
      const j = new Journal(db, opts)
      j.#guard = new JournalGuard({
        dir,
        minFreeBytes: opts.minFreeBytes,
        probeMs: opts.diskProbeMs,
        reopen: async () => {
          await db.close()
          await db.open()
          for (const sub of j.#sublevels) await sub.open()
        },
        testWrite: async () => {
          await db.batch([{ type: 'put', key: 'probe/journal', value: Date.now() }] as any, { sync: opts.sync } as any)
        },
        onChange: (refusing, detail, code) => {
          j.onStorage?.(refusing, detail, code)
        }
      })
      for await (const k of db.keys({ gte: 'log/', lt: 'log/~', reverse: true, limit: 1 })) j.#seq = Number(k.slice(4))
      return j
    } catch (err) {
      if (isDiskFull(err))
        throw new DiskFullError(
          `cannot open the journal in ${dir}: the disk is full (${(err as Error).message}). ` +
            `Free some space and start again; nothing committed is lost`,
          { cause: err }
        )
      throw new JournalError(
        `cannot open the journal in ${dir}: ${(err as Error).message}. Is another node using this data directory, or is the disk full?`,
        { cause: err }
      )
    }
  }

  async close(): Promise<void> {
    this.#guard?.close()
    await this.#db.close()
  }

  /** The disk is full: writes are refused with DiskFullError until space returns (journal-guard.ts). New work waits. */
  get full(): boolean {
    return this.#guard.full
  }
  /**
   * Why the journal refuses writes (a full disk, or a write that failed otherwise: EIO, a closed
   * database), from the write that failed until a reopened journal takes a test write; else undefined.
   * New work waits while it is set: nothing may be promised that cannot be journaled.
   */
  get refusing(): JournalRefusal | undefined {
    return this.#guard.refusing
  }

  async #batch(ops: Array<{ type: 'put'; key: string; value: Value } | { type: 'del'; key: string }>, point: WritePoint): Promise<void> {
    const t0 = performance.now()
    await this.#guard.check(point)
    try {
      await this.#db.batch(ops as any, { sync: this.#opts.sync } as any)
    } catch (err) {
      throw this.#guard.failed(err, point)
    }
    this.onWriteTimed?.(point, performance.now() - t0)
    this.onWrite?.(point)
  }

  /** entries in the ordered log so far */
  get entries(): number {
    return this.#seq
  }
  /** whether the database is open (readiness) */
  get isOpen(): boolean {
    return this.#db.status === 'open'
  }

  #log(entry: Record<string, unknown>): { type: 'put'; key: string; value: Value } {
    return { type: 'put', key: `log/${pad(++this.#seq)}`, value: entry }
  }

  // ---- identity ----
  async loadSeed(): Promise<Uint8Array | undefined> {
    const v = (await this.#db.get('key/ed25519-seed')) as string | undefined
    return v == null ? undefined : fromHex(v)
  }
  async saveSeed(seed: Uint8Array): Promise<void> {
    await this.#batch([{ type: 'put', key: 'key/ed25519-seed', value: toHex(seed) }], 'key')
  }

  // ---- counters ----
  /**
   * The next number of a named counter, at least `atLeast`, never handed out twice. Calls for one name
   * run one at a time: a read-then-write from two callers at once (a tick's announcement and one made
   * after a sale, at the same instant) gave both the same number, and every peer refused the second
   * announcement as a replay.
   */
  async nextCounter(name: string, atLeast = 0): Promise<number> {
    const prev = this.#counting.get(name) ?? Promise.resolve()
    const run = prev.then(async () => {
      const cur = ((await this.#db.get(`counter/${name}`)) as number | undefined) ?? 0
      const next = Math.max(cur + 1, atLeast)
      await this.#batch([{ type: 'put', key: `counter/${name}`, value: next }], 'counter')
      return next
    })
    const settled = run.then(
      () => {},
      () => {}
    )
    this.#counting.set(name, settled)
    void settled.then(() => {
      if (this.#counting.get(name) === settled) this.#counting.delete(name)
    })
    return await run
  }

  /** per counter name, the last call in flight (nextCounter) */
  readonly #counting = new Map<string, Promise<void>>()

  // ---- seller holds ----
  async putHold(h: HoldRecord): Promise<void> {
    await this.#batch([{ type: 'put', key: `hold/${h.negotiation}`, value: { ...h } }, this.#log({ type: 'hold', ...h })], 'seller-hold')
  }
  async releaseHold(negotiation: string, reason: string): Promise<void> {
    await this.#batch([{ type: 'del', key: `hold/${negotiation}` }, this.#log({ type: 'release', negotiation, reason })], 'seller-release')
  }
  async holds(): Promise<HoldRecord[]> {
    const out: HoldRecord[] = []
    for await (const v of this.#db.values({ gte: 'hold/', lt: 'hold/~' })) out.push(v as unknown as HoldRecord)
    return out
  }

  // ---- trades ----
  async getTrade(id: string): Promise<TradeRecord | undefined> {
    return (await this.#db.get(`trade/${id}`)) as unknown as TradeRecord | undefined
  }

  /** Seller: the hold becomes a committed trade, in one atomic write. */
  async commitSellerTrade(trade: Trade, negotiation: string, at: number): Promise<void> {
    const rec: TradeRecord = { id: trade.id, role: 'seller', status: 'committed', trade: toHex(encodeTrade(trade)), at }
    await this.#batch(
      [
        { type: 'put', key: `trade/${trade.id}`, value: { ...rec } },
        { type: 'del', key: `hold/${negotiation}` },
        this.#log({ type: 'trade', id: trade.id, role: 'seller', status: 'committed' })
      ],
      'seller-commit'
    )
  }

  /** Buyer: records the trade with both signatures before confirming it to the seller. */
  async putBuyerTrade(trade: Trade, status: TradeStatus, at: number): Promise<void> {
    const rec: TradeRecord = { id: trade.id, role: 'buyer', status, trade: toHex(encodeTrade(trade)), at }
    await this.#batch(
      [{ type: 'put', key: `trade/${trade.id}`, value: { ...rec } }, this.#log({ type: 'trade', id: trade.id, role: 'buyer', status })],
      `buyer-${status}` as const
    )
  }

  async trades(): Promise<Array<TradeRecord & { decoded: Trade }>> {
    const out: Array<TradeRecord & { decoded: Trade }> = []
    for await (const v of this.#db.values({ gte: 'trade/', lt: 'trade/~' })) {
      const r = v as unknown as TradeRecord
      out.push({ ...r, decoded: decodeTrade(fromHex(r.trade)) })
    }
    return out
  }

  // ---- meter readings (hash-chained, one per slot) ----
  async putReading(slot: number, encodedHex: string): Promise<void> {
    await this.#batch(
      [
        { type: 'put', key: `meter/${pad(slot)}`, value: encodedHex },
        { type: 'put', key: 'meter-last', value: slot }
      ],
      'meter'
    )
  }
  async firstReadingSlot(): Promise<number | undefined> {
    for await (const k of this.#db.keys({ gte: 'meter/', lt: 'meter/~', limit: 1 })) return Number(k.slice(6))
    return undefined
  }
  async lastReadingSlot(): Promise<number | undefined> {
    return (await this.#db.get('meter-last')) as number | undefined
  }
  async reading(slot: number): Promise<string | undefined> {
    return (await this.#db.get(`meter/${pad(slot)}`)) as string | undefined
  }
  async readings(fromSlot: number, toSlot: number): Promise<string[]> {
    const out: string[] = []
    for await (const v of this.#db.values({ gte: `meter/${pad(fromSlot)}`, lte: `meter/${pad(toSlot)}` })) out.push(v as string)
    return out
  }

  /**
   * The meter's registers at slot boundary `boundary` (the start of that slot): the first sample the
   * meter stamped at or after it. A slot's reading is the difference of its two boundaries.
   */
  async putBoundary(boundary: number, sample: { meterId: string; at: number; importWh: number; exportWh: number }): Promise<void> {
    await this.#batch([{ type: 'put', key: `meter-boundary/${pad(boundary)}`, value: { ...sample } }], 'meter-boundary')
  }
  async boundary(boundary: number): Promise<{ meterId: string; at: number; importWh: number; exportWh: number } | undefined> {
    return (await this.#db.get(`meter-boundary/${pad(boundary)}`)) as
      | { meterId: string; at: number; importWh: number; exportWh: number }
      | undefined
  }
  async lastBoundary(): Promise<number | undefined> {
    for await (const k of this.#db.keys({ gte: 'meter-boundary/', lt: 'meter-boundary/~', reverse: true, limit: 1 }))
      return Number(k.slice('meter-boundary/'.length))
    return undefined
  }

  // ---- settlement periods and proofs ----
  async getPeriod(period: string): Promise<Record<string, unknown> | undefined> {
    return (await this.#db.get(`period/${period}`)) as Record<string, unknown> | undefined
  }
  /** Records a settled period and every trade's proof, atomically. */
  async putPeriod(period: string, summary: Record<string, unknown>, proofs: Array<{ tradeId: string; proof: unknown }>): Promise<void> {
    await this.#batch(
      [
        { type: 'put', key: `period/${period}`, value: summary },
        ...proofs.map(p => ({ type: 'put' as const, key: `proof/${p.tradeId}`, value: { period, ...summary, proof: p.proof } as Value })),
        this.#log({ type: 'settled', period })
      ],
      'period'
    )
  }
  /** The trades a period settles, fixed before anything is paid, so a rerun after a crash pays the same. */
  async getPeriodPlan(period: string): Promise<string[] | undefined> {
    return (await this.#db.get(`plan/${period}`)) as unknown as string[] | undefined
  }
  async putPeriodPlan(period: string, tradeIds: string[]): Promise<void> {
    await this.#batch(
      [
        { type: 'put', key: `plan/${period}`, value: tradeIds as unknown as Value },
        this.#log({ type: 'settling', period, trades: tradeIds.length })
      ],
      'period-plan'
    )
  }
  async getProof(tradeId: string): Promise<Record<string, any> | undefined> {
    return (await this.#db.get(`proof/${tradeId}`)) as Record<string, any> | undefined
  }

  // ---- records of other desks (mobility: packages, provider legs, rides, receipts) ----

  /**
   * Writes one record of a collection (a JSON object under `rec/<collection>/<id>`) with a log entry,
   * durably, and names the write point for the crash-test harness. Write before you send.
   */
  async putRecord(collection: string, id: string, value: Record<string, unknown>, point: MobilityWritePoint): Promise<void> {
    await this.#batch(
      [
        { type: 'put', key: `rec/${collection}/${id}`, value: value as Value },
        this.#log({ type: point, collection, id, status: value.status })
      ],
      point
    )
  }
  async getRecord<T>(collection: string, id: string): Promise<T | undefined> {
    return (await this.#db.get(`rec/${collection}/${id}`)) as T | undefined
  }
  /** Every record of a collection, in id order. */
  async records<T>(collection: string): Promise<Array<[string, T]>> {
    const out: Array<[string, T]> = []
    const prefix = `rec/${collection}/`
    for await (const [k, v] of this.#db.iterator({ gte: prefix, lt: `${prefix}~` })) out.push([k.slice(prefix.length), v as T])
    return out
  }

  /** A sublevel of the journal's database for another store (the channel store), sharing its lifecycle. */
  sublevel(name: string): LevelDatabase {
    const sub = this.#db.sublevel<string, string>(name, { valueEncoding: 'utf8' })
    this.#sublevels.push(sub)
    return sub as unknown as LevelDatabase
  }
  get sync(): boolean {
    return this.#opts.sync
  }

  /** A small durable key-value store for a settlement adapter (its submitted-transaction records). */
  store(prefix: StorePrefix): { get(key: string): Promise<string | undefined>; put(key: string, value: string): Promise<void> } {
    return {
      get: async key => (await this.#db.get(`store/${prefix}/${key}`)) as string | undefined,
      put: async (key, value) => {
        await this.#batch([{ type: 'put', key: `store/${prefix}/${key}`, value }], `store-${prefix}` as const)
      }
    }
  }

  /** The ordered log, oldest first. */
  async *log(): AsyncGenerator<Record<string, unknown>> {
    for await (const [k, v] of this.#db.iterator({ gte: 'log/', lt: 'log/~' }))
      yield { seq: Number(k.slice(4)), ...(v as Record<string, unknown>) }
  }
}
