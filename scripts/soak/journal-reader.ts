/**
 * Reads a stopped node's journal straight from its LevelDB, by the layout `packages/node/src/journal.ts`
 * documents, without any of the node's code: the soak's invariant checker must not share a helper with
 * what it checks, so that a bug in the node's own reading or recovery cannot hide from it.
 *
 *   key/ed25519-seed          hex of the node's 32-byte Ed25519 seed
 *   trade/<id>                { id, role: buyer|seller, status: pending|committed|void, trade: hex Trade, at }
 *   hold/<negotiation>        { negotiation, slot, energyWh, price, holdUntil, counterparty, tradeId }
 *   plan/<period>             [trade id, …] a period settles (fixed before paying)
 *   period/<period>           { payment: digest|null, paid, attestationKey, … } once settled
 *   proof/<trade id>          { period, … } the trade's inclusion proof
 *   rec/packages/<id>         a traveller's package   (packages/node/src/mobility/traveller-records.ts)
 *   rec/provider-legs/<leg>   a provider's leg        (packages/node/src/mobility/provider-records.ts)
 *   rec/ride-receipts/<leg>   a ride's latest receipt, on either side (provider-records.ts; read by ride-reader.ts)
 *   rec/period-extra/<period> { receipts: [leg, …], … } the receipts a period settles, fixed before paying
 *                             (packages/node/src/mobility/period-extras.ts)
 *   meter/<slot, 16 digits>   hex of the slot's encoded MeterReading (a reading or a gap; read by meter-reader.ts)
 *   meter-boundary/<slot>     { meterId, at, importWh, exportWh } the sample that stands for the slot's start
 *
 * A Trade's bytes are decoded here from the protobuf schema (packages/protocol/proto/kvartal.proto),
 * with a reader of its own; the node's public key and IOTA address are derived from the seed with
 * node:crypto and blake2b-256, as IOTA Rebased defines an Ed25519 address.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto'
import { Level } from 'level'
import { blake2b } from '@noble/hashes/blake2.js'
import { openReading, type RawBoundary, type RawReading } from './meter-reader.ts'

/** TradeTerms as the checker needs them (fields 3–8 of kvartal.proto's TradeTerms). */
export interface RawTerms {
  readonly negotiation: string
  readonly buyer: string
  readonly seller: string
  readonly slot: number
  readonly energyWh: number
  readonly price: number
}

export interface RawTrade {
  readonly id: string
  readonly role: string
  readonly status: string
  readonly at: number
  /** sha256 of the encoded terms, which a trade's id must be */
  readonly termsHash: string
  readonly terms: RawTerms
}

export interface RawHold {
  readonly negotiation: string
  readonly slot: number
  readonly energyWh: number
  readonly holdUntil: number
  readonly tradeId: string
}

export interface RawPackageLeg {
  readonly leg: string
  /** hex of the encoded LegTerms */
  readonly terms?: string
  readonly status: string
  readonly provider: string
  readonly refund?: number
  readonly refundDigest?: string
}
export interface RawPackage {
  readonly id: string
  readonly status: string
  readonly phase: string
  readonly at: number
  readonly total: number
  readonly paymentDigest?: string
  readonly reason?: string
  readonly legs: RawPackageLeg[]
}
export interface RawProviderLeg {
  readonly leg: string
  /** hex of the encoded LegTerms (legSeats reads them) */
  readonly terms: string
  readonly status: string
  readonly package: string
  readonly resource: string
  readonly units: number
  readonly price: number
  readonly holdUntil: number
  readonly paymentDigest?: string
  readonly refund?: number
  readonly refundDigest?: string
  /** a vehicle's ride: its window (ms), the use metered so far, why it ended early, when last written */
  readonly from: number
  readonly to: number
  readonly usedSeconds?: number
  readonly reason?: string
  readonly at: number
}

export interface RawJournal {
  readonly publicKey: string
  readonly address: string
  readonly trades: RawTrade[]
  readonly holds: RawHold[]
  /** period → the trade ids it settles */
  readonly plans: Map<string, string[]>
  /** period → its journaled summary */
  readonly periods: Map<string, Record<string, unknown>>
  /** trade id → the period whose proof it holds */
  readonly proofs: Map<string, string>
  readonly packages: RawPackage[]
  readonly providerLegs: RawProviderLeg[]
  /** each ride's latest receipt this node journaled (as payer or payee) */
  readonly receipts: RawReceiptRecord[]
  /** period → the legs whose receipts it settles */
  readonly periodReceipts: Map<string, string[]>
  /** the meter's hash-chained readings and gaps, by slot order */
  readonly readings: RawReading[]
  /** boundary slot → the sample the node journaled for it */
  readonly boundaries: Map<number, RawBoundary>
}

/** A ride's receipt as journaled: the signed envelope and what the node read from it. */
export interface RawReceiptRecord {
  readonly leg: string
  readonly envelope: string
  readonly nonce: number
  readonly total: number
  readonly payer: string
  readonly payee: string
  readonly issuedAt: number
  readonly final: boolean
  readonly role: string
}

// ---- a protobuf reader of its own ----

interface Field {
  readonly no: number
  readonly varint?: bigint
  readonly bytes?: Uint8Array
}

function readVarint(b: Uint8Array, pos: { i: number }): bigint {
  let out = 0n
  let shift = 0n
  for (;;) {
    if (pos.i >= b.length) throw new Error('truncated varint')
    const byte = b[pos.i++]
    out |= BigInt(byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return out
    shift += 7n
    if (shift > 63n) throw new Error('varint longer than 10 bytes')
  }
}

/** The fields of one protobuf message: varints and length-delimited ones (the only wire types a Trade has). */
export function protoFields(b: Uint8Array): Field[] {
  const out: Field[] = []
  const pos = { i: 0 }
  while (pos.i < b.length) {
    const key = Number(readVarint(b, pos))
    const no = key >>> 3
    const wire = key & 7
    if (wire === 0) out.push({ no, varint: readVarint(b, pos) })
    else if (wire === 2) {
      const len = Number(readVarint(b, pos))
      if (pos.i + len > b.length) throw new Error('truncated field')
      out.push({ no, bytes: b.subarray(pos.i, pos.i + len) })
      pos.i += len
    } else throw new Error(`unexpected wire type ${wire} (field ${no})`)
  }
  return out
}

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('hex')
const num = (v: bigint | undefined): number => {
  const n = Number(v ?? 0n)
  if (!Number.isSafeInteger(n)) throw new Error(`value ${v} beyond 2^53`)
  return n
}

/**
 * What a leg takes of a trip, from its LegTerms (mobility.proto: from = 9, to = 10, units = 11, departure_time = 12):
 * stop positions [from, to), seats, and the UTC day it departs (the soak's GTFS service days start at midnight UTC).
 */
export function legSeats(termsHex: string): { from: number; to: number; units: number; day: number } {
  const t = protoFields(Buffer.from(termsHex, 'hex'))
  const get = (no: number): number => num(t.find(f => f.no === no)?.varint)
  return { from: get(9), to: get(10), units: get(11), day: Math.floor(get(12) / 86_400_000) }
}

/** A Trade's bytes: { terms = 1, buyer_signature = 2, seller_signature = 3 }; TradeTerms' fields by number. */
export function decodeRawTrade(tradeHex: string): { terms: RawTerms; termsHash: string } {
  const fields = protoFields(Buffer.from(tradeHex, 'hex'))
  const termsBytes = fields.find(f => f.no === 1)?.bytes
  if (termsBytes == null) throw new Error('a trade without terms')
  const t = protoFields(termsBytes)
  const get = (no: number): Field | undefined => t.find(f => f.no === no)
  return {
    termsHash: createHash('sha256').update(termsBytes).digest('hex'),
    terms: {
      negotiation: hex(get(3)?.bytes),
      buyer: hex(get(4)?.bytes),
      seller: hex(get(5)?.bytes),
      slot: num(get(6)?.varint),
      energyWh: num(get(7)?.varint),
      price: num(get(8)?.varint)
    }
  }
}

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex')

/** An Ed25519 seed's public key (hex) and IOTA Rebased address (0x + blake2b-256 of the key). */
export function keyOfSeed(seedHex: string): { publicKey: string; address: string } {
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, Buffer.from(seedHex, 'hex')]), format: 'der', type: 'pkcs8' })
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' })
  const pk = spki.subarray(spki.length - 32)
  return { publicKey: pk.toString('hex'), address: '0x' + Buffer.from(blake2b(pk, { dkLen: 32 })).toString('hex') }
}

/** What an energy cost is: `wh` × `price` nanos/kWh, in whole nanos rounded half up (docs: units). */
export function costOf(wh: number, price: number): number {
  return Number((BigInt(wh) * BigInt(price) + 500n) / 1000n)
}

async function entries(db: Level<string, any>, prefix: string): Promise<Array<[string, any]>> {
  const out: Array<[string, any]> = []
  for await (const [k, v] of db.iterator({ gte: prefix, lt: `${prefix}~` })) out.push([k.slice(prefix.length), v])
  return out
}

/** Opens the journal in `dir` (the node must be stopped; nothing is written) and reads what the checker needs. */
export async function readJournal(dir: string): Promise<RawJournal> {
  const db = new Level<string, any>(dir, { valueEncoding: 'json', createIfMissing: false })
  await db.open()
  try {
    const seed = (await db.get('key/ed25519-seed')) as string | undefined
    if (seed == null) throw new Error(`${dir}: no key in the journal`)
    const { publicKey, address } = keyOfSeed(seed)
    const trades: RawTrade[] = []
    for (const [id, r] of await entries(db, 'trade/')) {
      const { terms, termsHash } = decodeRawTrade(r.trade)
      trades.push({ id, role: r.role, status: r.status, at: r.at, terms, termsHash })
    }
    const holds = (await entries(db, 'hold/')).map(([, h]) => h as RawHold)
    const plans = new Map((await entries(db, 'plan/')).map(([p, v]) => [p, v as string[]]))
    const periods = new Map((await entries(db, 'period/')).map(([p, v]) => [p, v as Record<string, unknown>]))
    const proofs = new Map((await entries(db, 'proof/')).map(([t, v]) => [t, String(v.period)]))
    const packages = (await entries(db, 'rec/packages/')).map(([id, p]) => ({ id, ...p }) as RawPackage)
    const providerLegs = (await entries(db, 'rec/provider-legs/')).map(([leg, l]) => ({ leg, ...l }) as RawProviderLeg)
    const receipts = (await entries(db, 'rec/ride-receipts/')).map(([leg, r]) => ({ ...r, leg }) as RawReceiptRecord)
    const periodReceipts = new Map(
      (await entries(db, 'rec/period-extra/')).map(([p, v]) => [p, Array.isArray(v?.receipts) ? (v.receipts as string[]) : []])
    )
    const readings = (await entries(db, 'meter/')).map(([k, v]) => openReading(Number(k), String(v)))
    const boundaries = new Map((await entries(db, 'meter-boundary/')).map(([k, v]) => [Number(k), v as RawBoundary]))
    return {
      publicKey,
      address,
      trades,
      holds,
      plans,
      periods,
      proofs,
      packages,
      providerLegs,
      receipts,
      periodReceipts,
      readings,
      boundaries
    }
  } finally {
    await db.close()
  }
}
