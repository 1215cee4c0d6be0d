/**
 * fast-check arbitraries for valid wire messages, and the mutations a hostile or broken peer applies to
 * their encodings. Shared by the property tests of protocol (codecs) and mesh (gossip validators).
 */
import fc from 'fast-check'
import {
  MalformedMessageError,
  ProtocolError,
  type Accept,
  type Announcement,
  type Confirm,
  type Counter,
  type Digest,
  type MeterReading,
  type Order,
  type Proposal,
  type Reject,
  type TradeTerms
} from '../src/index.ts'

/** One seed for every property: runs are deterministic. `FC_SEED=<n>` replays another. */
export const FUZZ_SEED = process.env.FC_SEED != null ? Number(process.env.FC_SEED) : 0x6b76_7274
/** `FC_MAX_RUNS=<n>` caps every property's runs (mutation testing runs the properties once per mutant). */
const MAX_RUNS = process.env.FC_MAX_RUNS != null ? Number(process.env.FC_MAX_RUNS) : Number.POSITIVE_INFINITY
/**
 * The one knob for size: `FC_NUM_RUNS=<n>` (`npm run fuzz` sets 100,000) runs every property on n
 * inputs instead of the few hundred `npm test` runs. A property whose input is itself a batch (a
 * sequence of 80 operations, a book, a tree of leaves) or costs a signature says so with `cost`: it
 * runs n / cost inputs, never fewer than its `npm test` count.
 */
export const NIGHTLY_RUNS = process.env.FC_NUM_RUNS != null && process.env.FC_NUM_RUNS !== '' ? Number(process.env.FC_NUM_RUNS) : undefined
if (NIGHTLY_RUNS != null && !(Number.isSafeInteger(NIGHTLY_RUNS) && NIGHTLY_RUNS > 0))
  throw new Error(`FC_NUM_RUNS must be a positive whole number, got ${process.env.FC_NUM_RUNS}`)
export const runsFor = (numRuns = 300, cost = 1): number =>
  Math.min(NIGHTLY_RUNS == null ? numRuns : Math.max(numRuns, Math.floor(NIGHTLY_RUNS / cost)), MAX_RUNS)
// `any`: fits fc.assert and @fast-check/vitest's test.prop, which infers the property's types from these parameters too
export const fuzzParams = (numRuns = 300, cost = 1): fc.Parameters<any> => ({
  seed: FUZZ_SEED,
  numRuns: runsFor(numRuns, cost),
  // fast-check's report already carries the seed and the shrunk counterexample's path; say it in one line too
  reporter: out => {
    if (out.failed)
      throw new Error(
        `property failed with seed ${FUZZ_SEED} (replay: FC_SEED=${FUZZ_SEED}, ` +
          `path ${out.counterexamplePath ?? '?'}): ${fc.defaultReportMessage(out)}`
      )
  }
})

export const bytesOf = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n })
export const key32 = bytesOf(32)
export const nonce16 = bytesOf(16)
export const sig64 = bytesOf(64)
export const safeNat = fc.maxSafeNat()
export const positive = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
export const districtName = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/)
export const feederName = fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/), { nil: undefined })
export const u32 = fc.integer({ min: 0, max: 0xffff_ffff })

export const order: fc.Arbitrary<Order> = fc.record({ slot: safeNat, energyWh: positive, price: safeNat })

const withOptional = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T

/** issuedAt < validUntil, both safe */
const validity = fc
  .tuple(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1 }), positive)
  .map(([issuedAt, d]) => ({ issuedAt, validUntil: Math.min(Number.MAX_SAFE_INTEGER, issuedAt + d) }))

export const announcement: fc.Arbitrary<Announcement> = fc
  .record({
    district: districtName,
    trader: key32,
    seq: positive,
    validity,
    offers: fc.array(order, { maxLength: 6 }),
    bids: fc.array(order, { maxLength: 6 }),
    addrs: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 }),
    feeder: feederName
  })
  .map(({ validity, ...a }) => withOptional({ version: 1, ...a, ...validity }))

export const terms: fc.Arbitrary<TradeTerms> = fc
  .record({
    district: districtName,
    negotiation: nonce16,
    buyer: key32,
    seller: key32,
    slot: safeNat,
    energyWh: positive,
    price: safeNat,
    agreedAt: safeNat,
    buyerFeeder: feederName,
    sellerFeeder: feederName,
    gridFee: fc.option(positive, { nil: undefined })
  })
  .map(t => withOptional({ version: 1, ...t }))

export const proposal: fc.Arbitrary<Proposal> = fc
  .record({
    district: districtName,
    id: nonce16,
    buyer: key32,
    seller: key32,
    slot: safeNat,
    energyWh: positive,
    price: safeNat,
    expiresAt: safeNat,
    round: u32,
    feeder: feederName
  })
  .map(p => withOptional({ version: 1, ...p }))

export const accept: fc.Arbitrary<Accept> = fc.record({ negotiation: nonce16, terms, sellerSignature: sig64, holdUntil: safeNat })
export const counter: fc.Arbitrary<Counter> = fc.record({
  negotiation: nonce16,
  energyWh: positive,
  price: safeNat,
  expiresAt: safeNat,
  round: u32
})
export const reject: fc.Arbitrary<Reject> = fc.record({
  negotiation: nonce16,
  code: fc.string({ maxLength: 64 }),
  detail: fc.string({ maxLength: 200 })
})
export const confirm: fc.Arbitrary<Confirm> = fc.record({ tradeId: key32, terms, buyerSignature: sig64 })
export const committed = fc.record({ tradeId: key32 })

const digestFeeder = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/)
export const digest: fc.Arbitrary<Digest> = fc
  .record({
    district: districtName,
    relay: key32,
    feeder: digestFeeder,
    seq: positive,
    validity,
    entries: fc.array(
      fc.record({
        trader: key32,
        feeder: digestFeeder,
        slot: safeNat,
        energyWh: positive,
        price: safeNat,
        addrs: fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 2 })
      }),
      { maxLength: 4 }
    ),
    relayAddrs: fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 2 })
  })
  .map(({ validity, relayAddrs, ...d }) => ({
    version: 1,
    ...d,
    ...validity,
    // absent on the wire when empty: decoded as absent
    ...(relayAddrs.length > 0 ? { relayAddrs } : {})
  }))

export const meterReading: fc.Arbitrary<MeterReading> = fc.oneof(
  fc
    .record({
      meter: key32,
      slot: safeNat,
      importWh: safeNat,
      exportWh: safeNat,
      prev: key32,
      at: safeNat,
      signature: sig64,
      source: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined })
    })
    .map(r => withOptional({ version: 1, ...r })),
  fc
    .record({
      meter: key32,
      slot: safeNat,
      prev: key32,
      at: safeNat,
      signature: sig64,
      source: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined })
    })
    .map(r => withOptional({ version: 1, importWh: 0, exportWh: 0, gap: true as const, ...r }))
)

// ---- mutations of a valid encoding ----

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; tail: Uint8Array }
  | { kind: 'splice'; at: number; bytes: Uint8Array }
  | { kind: 'set'; at: number; value: number }

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), tail: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  // varint edge values: 0xff continues a varint, 0x80 too, 0x00 ends it
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff) })
)

/** Applies mutations in order; a mutated encoding is never the original (a flip always changes a byte). */
export function mutate(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = new Uint8Array(bytes)
  for (const m of ms) {
    if (m.kind === 'flip' && b.length > 0) {
      const i = m.at % b.length
      b[i] ^= 1 << m.bit
    }
    if (m.kind === 'truncate') b = b.slice(0, b.length === 0 ? 0 : m.at % b.length)
    if (m.kind === 'extend') {
      const out = new Uint8Array(b.length + m.tail.length)
      out.set(b)
      out.set(m.tail, b.length)
      b = out
    }
    if (m.kind === 'splice') {
      const i = b.length === 0 ? 0 : m.at % (b.length + 1)
      const out = new Uint8Array(b.length + m.bytes.length)
      out.set(b.subarray(0, i))
      out.set(m.bytes, i)
      out.set(b.subarray(i), i + m.bytes.length)
      b = out
    }
    if (m.kind === 'set' && b.length > 0) b[m.at % b.length] = m.value
  }
  return b
}

/** Every number in a decoded value is a safe integer: no floats, no imprecise 64-bit values. */
export function numbersAreSafeIntegers(v: unknown, path = '$'): string | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? undefined : `${path} = ${v}`
  if (typeof v === 'bigint') return `${path} is a bigint`
  if (v instanceof Uint8Array || v == null || typeof v !== 'object') return undefined
  for (const [k, x] of Object.entries(v)) {
    const bad = numbersAreSafeIntegers(x, `${path}.${k}`)
    if (bad != null) return bad
  }
  return undefined
}

/**
 * Runs a decoder on hostile bytes: it returns a value whose numbers are safe integers, or throws a
 * ProtocolError. Anything else (a RangeError from the wire library, a TypeError) is the defect.
 */
export function decodeOrTypedError(
  decode: (b: Uint8Array) => unknown,
  bytes: Uint8Array
): { ok: true; value: unknown } | { ok: false; error: ProtocolError } {
  let value: unknown
  try {
    value = decode(bytes)
  } catch (err) {
    if (err instanceof ProtocolError) return { ok: false, error: err }
    throw new Error(
      `decoder threw ${(err as Error)?.name ?? typeof err} (not a ProtocolError): ${(err as Error)?.message ?? String(err)}`,
      { cause: err }
    )
  }
  const bad = numbersAreSafeIntegers(value)
  if (bad != null) throw new Error(`decoder accepted a number that is not a safe integer: ${bad}`)
  return { ok: true, value }
}

export { MalformedMessageError }
