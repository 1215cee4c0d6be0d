/**
 * Property tests of what a channel's replica reads from a peer (channel sync hands it records as bytes):
 * `decodeRecord`, `decodeControl` and `parseOwnerKeyring` on arbitrary bytes and on mutated valid
 * encodings give a value that encodes back to exactly those bytes, or a ChannelError
 * (MalformedRecordError, OversizedChannelDataError), never another exception; `verifyChain` and
 * `readChannel` on a real chain with one record mutated, dropped, duplicated or swapped answer with a
 * problem (never an exception, never `ok` for a chain that is not the owner's), and a reader never reads
 * a payload the owner did not write.
 * Seeded (protocol/testing/arbitraries.ts: FUZZ_SEED, `FC_SEED=<n>`); `npm run fuzz` runs them at nightly size.
 */
import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import { signerFromSeed } from '@kvartal/protocol'
import {
  ChannelError,
  HEADER_BYTES,
  RECORD_VERSION,
  RecordKind,
  createChannel,
  decodeRecord,
  encodeRecord,
  readChannel,
  verifyChain,
  type ChannelRecord
} from '../src/index.ts'
import { decodeControl, encodeControl, parseOwnerKeyring } from '../src/control.ts'
import { fuzzParams, mutate, mutation } from '@kvartal/protocol/testing'

const ownerSeed = new Uint8Array(32).fill(31)
const readerSeed = new Uint8Array(32).fill(32)
const owner = signerFromSeed(ownerSeed).publicKey
const reader = signerFromSeed(readerSeed).publicKey

/** a real channel: open, grant the reader, data, a rotation, more data (made once: the owner's random nonces differ per run) */
const written = [{ n: 1, what: 'trip' }, new Uint8Array([1, 2, 3]), { n: 2, note: 'ü'.repeat(40) }]
const chain: ChannelRecord[] = (() => {
  const ch = createChannel(ownerSeed)
  ch.grant(reader)
  ch.append(written[0])
  ch.append(written[1])
  ch.rotate()
  ch.append(written[2])
  return ch.records.slice()
})()
const encoded = chain.map(encodeRecord)
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** Runs `f`; a ChannelError is a refusal, any other exception fails the property. */
function refusedOr<T>(f: () => T): { ok: true; value: T } | { ok: false; error: ChannelError } {
  try {
    return { ok: true, value: f() }
  } catch (err) {
    if (err instanceof ChannelError) return { ok: false, error: err }
    throw new Error(`threw ${(err as Error)?.name} (not a ChannelError): ${(err as Error)?.message}`, { cause: err })
  }
}

const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 })
/** mutations within the header (version, kind, ids, index, epoch, nonce, body length: the first HEADER_BYTES) */
const headerMutations = fc.array(
  mutation.map(m => ('at' in m ? { ...m, at: m.at % HEADER_BYTES } : m)),
  { minLength: 1, maxLength: 3 }
)
/** arbitrary bytes, short (fast-check's default size) and up to the given length */
const anyBytes = (max: number): fc.Arbitrary<Uint8Array> =>
  fc.oneof(fc.uint8Array({ maxLength: max }), fc.uint8Array({ maxLength: max, size: 'max' }))

describe('channel decoders on hostile bytes', () => {
  test.prop(
    [
      fc.oneof(
        anyBytes(400),
        fc.constantFrom(...encoded).chain(e => fc.oneof(mutations, headerMutations).map(ms => mutate(e, ms)))
      )
    ],
    fuzzParams(300)
  )('a record decodes to one that encodes back to the same bytes, or a ChannelError', bytes => {
    const r = refusedOr(() => decodeRecord(bytes))
    if (!r.ok) return
    expect(Object.values(RecordKind)).toContain(r.value.kind)
    expect(r.value.version).toBe(RECORD_VERSION)
    expect(r.value.channelId.length).toBe(32)
    expect(r.value.prev.length).toBe(32)
    expect(r.value.signature.length).toBe(64)
    expect(hex(encodeRecord(r.value))).toBe(hex(bytes))
  })

  const controls = chain.filter(r => r.kind !== RecordKind.data).map(r => ({ body: r.body, open: r.kind === RecordKind.open }))
  test.prop(
    [
      fc.oneof(
        fc.record({ body: anyBytes(300), open: fc.boolean() }),
        fc.constantFrom(...controls).chain(c => mutations.map(ms => ({ body: mutate(c.body, ms), open: c.open })))
      )
    ],
    fuzzParams(300)
  )('a control body parses to one that encodes back to the same bytes, or a ChannelError', ({ body, open }) => {
    const r = refusedOr(() => decodeControl(body, open))
    if (!r.ok) return
    expect(r.value.wraps.length).toBeGreaterThanOrEqual(1)
    expect(hex(encodeControl(r.value))).toBe(hex(body))
  })

  test.prop([anyBytes(300)], fuzzParams(300))(
    'an owner keyring is a 32-byte content key and whole 32-byte reader keys, or a ChannelError',
    plain => {
      const r = refusedOr(() => parseOwnerKeyring(plain))
      if (!r.ok) return
      expect(r.value.contentKey.length).toBe(32)
      for (const k of r.value.readers) expect(k.length).toBe(32)
      expect(hex(new Uint8Array([...r.value.contentKey, ...r.value.readers.flatMap(k => [...k])]))).toBe(hex(plain))
    }
  )
})

type Damage =
  | { kind: 'mutate'; at: number; ms: Array<typeof mutation extends fc.Arbitrary<infer M> ? M : never> }
  | { kind: 'drop'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; at: number }
const damage: fc.Arbitrary<Damage> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('mutate' as const), at: fc.nat(), ms: mutations }) },
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() })
)

describe('a damaged chain', () => {
  const payloads = written.map(w => JSON.stringify(w instanceof Uint8Array ? [...w] : w))

  test.prop([damage], fuzzParams(60, 20))(
    'is refused with a problem, never an exception; the reader reads only what the owner wrote',
    d => {
      const rs = [...chain]
      const i = d.at % rs.length
      let changed = true
      if (d.kind === 'mutate') {
        const bytes = mutate(encoded[i], d.ms)
        const r = refusedOr(() => decodeRecord(bytes))
        if (!r.ok) return // refused at decoding: a replica never holds it
        changed = hex(bytes) !== hex(encoded[i])
        rs[i] = r.value
      }
      if (d.kind === 'drop') {
        if (i === rs.length - 1) return
        rs.splice(i, 1)
      } // the last one dropped is a shorter chain, valid without a trusted head
      if (d.kind === 'duplicate') rs.splice(i, 0, rs[i])
      if (d.kind === 'swap') {
        const j = (i + 1) % rs.length
        ;[rs[i], rs[j]] = [rs[j], rs[i]]
      }
      const check = refusedOr(() => verifyChain(rs, owner))
      expect(check.ok).toBe(true)
      if (!check.ok) return
      expect(check.value.ok).toBe(!changed)
      if (changed) expect(typeof check.value.problem).toBe('string')
      const read = refusedOr(() => readChannel(rs, readerSeed, { owner }))
      if (!changed) expect(read.ok && read.value.entries.length).toBe(written.length)
      if (read.ok)
        for (const e of read.value.entries)
          expect(payloads).toContain(JSON.stringify(e.value instanceof Uint8Array ? [...e.value] : e.value))
    }
  )
})
