/**
 * Property tests of every decoder a peer's bytes reach: arbitrary bytes and mutated valid encodings
 * (bit flips, truncation, extension, splices) give either a well-formed value with safe-integer numbers
 * or a ProtocolError, never another exception; and decode(encode(x)) == x for generated valid messages.
 * Seeded (arbitraries.ts: FUZZ_SEED, `FC_SEED=<n>` to replay), a few hundred runs each.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  MobilityKind,
  codecs,
  decodeLegTerms,
  decodeReading,
  decodeTerms,
  decodeTrade,
  encodeLegTerms,
  encodeReading,
  encodeTerms,
  encodeTrade,
  limits,
  mobilityCodecs,
  open,
  seal,
  signerFromSeed,
  tradeId,
  type SignedKind
} from '../src/index.ts'
import * as A from '../testing/arbitraries.ts'
import { mobilitySamples, sampleLegTerms } from '../testing/mobility-samples.ts'
import * as wire from '../src/gen/kvartal.js'

const energyKinds = Object.keys(codecs) as Array<keyof typeof codecs>
const mobilityKinds = Object.values(MobilityKind)
const allKinds: SignedKind[] = [...energyKinds, ...mobilityKinds]

const traveller = signerFromSeed(new Uint8Array(32).fill(1))
const provider = signerFromSeed(new Uint8Array(32).fill(2))
const keys = { traveller: traveller.publicKey, provider: provider.publicKey }
const legTerms = sampleLegTerms(keys)
/** one valid message of each mobility kind: the seeds the mutations start from */
const samples = mobilitySamples(keys)

/** every decoder, by name, and an arbitrary of valid encodings for it */
const decoders: Array<{ name: string; decode: (b: Uint8Array) => unknown; valid: fc.Arbitrary<Uint8Array> }> = [
  { name: 'announcement', decode: codecs.announcement.decode, valid: A.announcement.map(codecs.announcement.encode) },
  { name: 'proposal', decode: codecs.proposal.decode, valid: A.proposal.map(codecs.proposal.encode) },
  { name: 'accept', decode: codecs.accept.decode, valid: A.accept.map(codecs.accept.encode) },
  { name: 'counter', decode: codecs.counter.decode, valid: A.counter.map(codecs.counter.encode) },
  { name: 'reject', decode: codecs.reject.decode, valid: A.reject.map(codecs.reject.encode) },
  { name: 'confirm', decode: codecs.confirm.decode, valid: A.confirm.map(codecs.confirm.encode) },
  { name: 'committed', decode: codecs.committed.decode, valid: A.committed.map(codecs.committed.encode) },
  { name: 'digest', decode: codecs.digest.decode, valid: A.digest.map(codecs.digest.encode) },
  { name: 'trade terms', decode: decodeTerms, valid: A.terms.map(encodeTerms) },
  {
    name: 'trade',
    decode: decodeTrade,
    valid: fc
      .record({ terms: A.terms, buyerSignature: A.sig64, sellerSignature: A.sig64 })
      .map(t => encodeTrade({ id: tradeId(t.terms), ...t }))
  },
  { name: 'meter reading', decode: decodeReading, valid: A.meterReading.map(encodeReading) },
  { name: 'leg terms', decode: decodeLegTerms, valid: fc.constant(encodeLegTerms(legTerms)) },
  ...mobilityKinds.map(kind => ({
    name: kind,
    decode: mobilityCodecs[kind].decode as (b: Uint8Array) => unknown,
    valid: fc.constant(mobilityCodecs[kind].encode(samples[kind] as never))
  }))
]

/** the envelope: any kind, sealed by a real key */
const signer = signerFromSeed(new Uint8Array(32).fill(11))
const envelopes: fc.Arbitrary<Uint8Array> = fc.oneof(
  A.announcement.map(a => seal('announcement', a, signer)),
  A.proposal.map(p => seal('proposal', p, signer)),
  A.confirm.map(c => seal('confirm', c, signer)),
  A.digest.map(d => seal('digest', d, signer)),
  fc.constantFrom(...mobilityKinds).map(k => seal(k, samples[k] as never, signer))
)
const openAny = (b: Uint8Array): unknown => open(b, { maxBytes: limits.maxDigestBytes, kinds: allKinds })

describe('decoders on hostile bytes', () => {
  it.each(decoders)('$name: arbitrary bytes decode to a valid value or a ProtocolError', ({ decode }) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), b => {
        A.decodeOrTypedError(decode, b)
      }),
      A.fuzzParams(300)
    )
  })

  it.each(decoders)('$name: mutated valid encodings decode to a valid value or a ProtocolError', ({ decode, valid }) => {
    fc.assert(
      fc.property(valid, fc.array(A.mutation, { minLength: 1, maxLength: 4 }), (b, ms) => {
        A.decodeOrTypedError(decode, A.mutate(b, ms))
      }),
      A.fuzzParams(300)
    )
  })

  it('envelopes: arbitrary and mutated bytes open to a signed message or a ProtocolError; a mutated body never verifies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), b => {
        A.decodeOrTypedError(openAny, b)
      }),
      A.fuzzParams(300)
    )
    fc.assert(
      fc.property(envelopes, fc.array(A.mutation, { minLength: 1, maxLength: 3 }), (env, ms) => {
        const bad = A.mutate(env, ms)
        const r = A.decodeOrTypedError(openAny, bad)
        // a mutation that still opens must have left the signed kind, body and signer as they were
        // (protobuf tolerates some changes of framing: an unknown field appended, a field repeated)
        if (r.ok) {
          const before = open(env, { maxBytes: limits.maxDigestBytes, kinds: allKinds })
          const after = r.value as typeof before
          expect(after.kind).toBe(before.kind)
          expect(Buffer.from(after.body).equals(Buffer.from(before.body))).toBe(true)
          expect(Buffer.from(after.signer).equals(Buffer.from(before.signer))).toBe(true)
        }
      }),
      A.fuzzParams(300)
    )
  })
})

describe('64-bit fields beyond the safe integers', () => {
  it('a meter reading or trade terms carrying any uint64 decode to safe integers or a ProtocolError', () => {
    const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 2n ** 53n - 2n, max: 2n ** 53n + 2n }))
    fc.assert(
      fc.property(A.meterReading, u64, fc.constantFrom('slot', 'importWh', 'exportWh', 'at'), (r, v, f) => {
        const w = {
          version: 1,
          meter: r.meter,
          slot: BigInt(r.slot),
          importWh: BigInt(r.importWh),
          exportWh: BigInt(r.exportWh),
          prev: r.prev,
          at: BigInt(r.at),
          signature: r.signature,
          gap: false,
          source: '',
          [f]: v
        }
        const out = A.decodeOrTypedError(decodeReading, wire.MeterReading.encode(w as wire.MeterReading))
        if (out.ok) expect(BigInt((out.value as Record<string, number>)[f])).toBe(v)
      }),
      A.fuzzParams(300)
    )
    fc.assert(
      fc.property(A.terms, u64, fc.constantFrom('slot', 'energyWh', 'price', 'agreedAt', 'gridFee'), (t, v, f) => {
        const w = {
          ...t,
          slot: BigInt(t.slot),
          energyWh: BigInt(t.energyWh),
          price: BigInt(t.price),
          agreedAt: BigInt(t.agreedAt),
          gridFee: BigInt(t.gridFee ?? 0),
          buyerFeeder: t.buyerFeeder ?? '',
          sellerFeeder: t.sellerFeeder ?? '',
          [f]: v
        }
        const out = A.decodeOrTypedError(decodeTerms, wire.TradeTerms.encode(w as wire.TradeTerms))
        if (out.ok) expect(BigInt((out.value as Record<string, number>)[f] ?? 0)).toBe(v)
      }),
      A.fuzzParams(300)
    )
  })
})

describe('round trips of generated valid messages', () => {
  const roundTrip = <T>(name: string, arb: fc.Arbitrary<T>, encode: (x: T) => Uint8Array, decode: (b: Uint8Array) => unknown): void => {
    it(`${name}: decode(encode(x)) equals x, with integer numbers`, () => {
      fc.assert(
        fc.property(arb, x => {
          const back = decode(encode(x))
          expect(A.numbersAreSafeIntegers(back)).toBeUndefined()
          expect(back).toEqual(x)
        }),
        A.fuzzParams(200)
      )
    })
  }
  roundTrip('announcement', A.announcement, codecs.announcement.encode, codecs.announcement.decode)
  roundTrip('proposal', A.proposal, codecs.proposal.encode, codecs.proposal.decode)
  roundTrip('accept', A.accept, codecs.accept.encode, codecs.accept.decode)
  roundTrip('counter', A.counter, codecs.counter.encode, codecs.counter.decode)
  roundTrip('reject', A.reject, codecs.reject.encode, codecs.reject.decode)
  roundTrip('confirm', A.confirm, codecs.confirm.encode, codecs.confirm.decode)
  roundTrip('committed', A.committed, codecs.committed.encode, codecs.committed.decode)
  roundTrip('digest', A.digest, codecs.digest.encode, codecs.digest.decode)
  roundTrip('trade terms', A.terms, encodeTerms, decodeTerms)
  roundTrip('meter reading', A.meterReading, encodeReading, decodeReading)
  roundTrip(
    'usage receipt',
    fc
      .record({
        nonce: A.positive,
        seconds: A.safeNat,
        metres: A.safeNat,
        total: A.safeNat,
        issuedAt: A.safeNat,
        leg: A.key32,
        payer: A.key32,
        payee: A.key32
      })
      .map(r => ({ ...samples['usage-receipt'], ...r })),
    mobilityCodecs['usage-receipt'].encode,
    mobilityCodecs['usage-receipt'].decode
  )
  roundTrip(
    'leg terms',
    fc
      .record({
        price: A.safeNat,
        units: fc.integer({ min: 1, max: 0xffff_ffff }),
        from: fc.integer({ min: 0, max: 1e9 }),
        distanceM: A.safeNat,
        toLatE6: fc.integer({ min: -180_000_000, max: 180_000_000 })
      })
      .map(r => ({ ...legTerms, ...r, to: r.from + 1 })),
    encodeLegTerms,
    decodeLegTerms
  )

  it('encoders refuse floats, negative, unsafe and too wide numbers with a ProtocolError', () => {
    const bad = fc.oneof(
      fc.double({ noInteger: true, noNaN: true }),
      fc.integer({ max: -1 }),
      fc.constant(2 ** 53),
      fc.constant(Number.NaN)
    )
    fc.assert(
      fc.property(A.announcement, bad, fc.constantFrom('seq', 'energyWh', 'price', 'slot'), (a, v, field) => {
        const x = field === 'seq' ? { ...a, seq: v } : { ...a, offers: [{ slot: 1, energyWh: 1, price: 1, [field]: v }] }
        expect(() => codecs.announcement.encode(x)).toThrow(A.MalformedMessageError)
      }),
      A.fuzzParams(200)
    )
    fc.assert(
      fc.property(bad, v => {
        expect(() => mobilityCodecs['usage-receipt'].encode({ ...samples['usage-receipt'], total: v })).toThrow(A.MalformedMessageError)
      }),
      A.fuzzParams(100)
    )
    // uint32 fields on the wire: a larger number would be cut to its low 32 bits, and signed that way
    const tooWide = fc.integer({ min: 2 ** 32, max: Number.MAX_SAFE_INTEGER })
    fc.assert(
      fc.property(A.proposal, A.counter, tooWide, (p, c, v) => {
        expect(() => codecs.proposal.encode({ ...p, round: v })).toThrow(A.MalformedMessageError)
        expect(() => codecs.counter.encode({ ...c, round: v })).toThrow(A.MalformedMessageError)
        expect(() => encodeLegTerms({ ...legTerms, units: v })).toThrow(A.MalformedMessageError)
        expect(() => mobilityCodecs['quote-request'].encode({ ...samples['quote-request'], travellers: v })).toThrow(
          A.MalformedMessageError
        )
        expect(() => mobilityCodecs['service-offer'].encode({ ...samples['service-offer'], capacity: v })).toThrow(A.MalformedMessageError)
      }),
      A.fuzzParams(100)
    )
  })
})
