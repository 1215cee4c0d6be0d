/**
 * Meter readings at their edges: what the decoder refuses (each field length, a gap with energy, a number past
 * 2^53 − 1) with a MalformedMessageError that says why, what a reading's signature covers (written out here from
 * the doc comments), and each way a chain can break, with the reading and the reason the check names.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as wire from '../src/gen/kvartal.js'
import {
  decodeReading,
  encodeReading,
  GENESIS_READING,
  MalformedMessageError,
  readingHash,
  signerFromSeed,
  signGap,
  signReading,
  toHex,
  verifyReadingChain,
  verifySignature
} from '../src/index.ts'

const meter = signerFromSeed(new Uint8Array(32).fill(3))
const other = signerFromSeed(new Uint8Array(32).fill(4))
const refusal = (fn: () => unknown): MalformedMessageError => {
  try {
    fn()
  } catch (err) {
    return err as MalformedMessageError
  }
  throw new Error('expected a refusal')
}
const onWire = (over: Partial<wire.MeterReading>): Uint8Array =>
  wire.MeterReading.encode({ ...wire.MeterReading.decode(encodeReading(signReading(meter, 4, 120, 7, 1_000))), ...over })
const MAX = BigInt(Number.MAX_SAFE_INTEGER)

describe('decoding a meter reading', () => {
  it('refuses a meter key, a back link or a signature of another length', () => {
    const bytes = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(n)
    for (const over of [{ meter: bytes(31) }, { prev: bytes(33) }, { signature: bytes(63) }, { meter: bytes(0) }]) {
      const err = refusal(() => decodeReading(onWire(over)))
      expect(err).toBeInstanceOf(MalformedMessageError)
      expect(err.message).toBe('cannot decode meter reading: bad field length')
      expect(err.cause).toBeInstanceOf(Error)
    }
  })

  it('refuses a gap that carries imported or exported energy', () => {
    for (const over of [{ importWh: 1n }, { exportWh: 1n }])
      expect(refusal(() => decodeReading(onWire({ gap: true, importWh: 0n, exportWh: 0n, ...over })))).toMatchObject({
        code: 'malformed',
        message: 'cannot decode meter reading: a gap carries no energy'
      })
    expect(decodeReading(onWire({ gap: true, importWh: 0n, exportWh: 0n })).gap).toBe(true)
  })

  it('takes every number up to 2^53 − 1 and refuses 2^53, naming the field', () => {
    for (const f of ['slot', 'importWh', 'exportWh', 'at'] as const) {
      expect(decodeReading(onWire({ [f]: MAX }))[f]).toBe(Number.MAX_SAFE_INTEGER)
      expect(refusal(() => decodeReading(onWire({ [f]: MAX + 1n })))).toMatchObject({
        code: 'malformed',
        message: `cannot decode meter reading: ${f} is out of range`
      })
    }
  })

  it('wraps what the protobuf decoder throws, keeping it as the cause', () => {
    const err = refusal(() => decodeReading(new Uint8Array([0x12, 0x05, 0x01])))
    expect(err.code).toBe('malformed')
    expect(err.cause).toBeInstanceOf(Error)
    expect(err.message).toBe(`cannot decode meter reading: ${(err.cause as Error).message}`)
  })
})

describe('signing a reading', () => {
  it('refuses negative, fractional and unsafe energy, naming it', () => {
    for (const [imp, exp, field] of [
      [-1, 0, 'importWh'],
      [0.5, 0, 'importWh'],
      [0, -1, 'exportWh'],
      [0, 2 ** 53, 'exportWh']
    ] as const)
      expect(() => signReading(meter, 1, imp, exp, 0)).toThrow(new RangeError(`${field} must be a non-negative integer Wh`))
    expect(signReading(meter, 1, 0, Number.MAX_SAFE_INTEGER, 0).exportWh).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('a reading without a source carries no source field, and every reading decodes to exactly itself', () => {
    for (const source of [undefined, '']) {
      const r = signReading(meter, 1, 2, 3, 4, undefined, source)
      expect(Object.keys(r).sort()).toEqual(['at', 'exportWh', 'importWh', 'meter', 'prev', 'signature', 'slot', 'version'])
      expect(decodeReading(encodeReading(r))).toStrictEqual(r)
    }
    const withSource = signReading(meter, 1, 2, 3, 4, undefined, 'p1:E1')
    expect(withSource.source).toBe('p1:E1')
    expect(decodeReading(encodeReading(withSource))).toStrictEqual(withSource)
    const gap = signGap(meter, 2, 9, 'no sample', withSource)
    expect(decodeReading(encodeReading(gap))).toStrictEqual(gap)
  })

  it('signs "kvartal/v1/meter\\n" and the reading encoded with an empty signature, its gap flag and source included', () => {
    const domain = new TextEncoder().encode('kvartal/v1/meter\n')
    const unsigned = (r: ReturnType<typeof signReading>): Uint8Array =>
      new Uint8Array(
        Buffer.concat([
          domain,
          wire.MeterReading.encode({
            ...wire.MeterReading.decode(encodeReading(r)),
            signature: new Uint8Array(0) as Uint8Array<ArrayBuffer>
          })
        ])
      )
    const plain = signReading(meter, 0, 2, 3, 4)
    const r = signReading(meter, 1, 2, 3, 4, plain, 'p1:E1')
    const g = signGap(meter, 2, 9, 'no sample', r)
    for (const x of [plain, r, g])
      expect(verifySignature(meter.publicKey, unsigned(x), x.signature), x.gap === true ? 'gap' : 'reading').toBe(true)
    expect(wire.MeterReading.decode(encodeReading(g))).toMatchObject({ gap: true, source: 'no sample' })
    // the back link is sha256 of the previous reading's encoding
    expect(g.prev).toEqual(new Uint8Array(createHash('sha256').update(encodeReading(r)).digest()))
    expect(plain.prev).toEqual(GENESIS_READING)
  })
})

describe('checking a chain', () => {
  const chain = () => {
    const a = signReading(meter, 0, 10, 0, 100)
    const b = signReading(meter, 1, 20, 0, 200, a)
    return [a, b]
  }
  it('is whole from the genesis hash or from a given first link', () => {
    const [a, b] = chain()
    expect(verifyReadingChain([a, b])).toEqual({ ok: true, gaps: [] })
    expect(verifyReadingChain([b], readingHash(a))).toEqual({ ok: true, gaps: [] })
    expect(verifyReadingChain([b])).toMatchObject({ ok: false, index: 0 })
  })

  it('names a reading whose signature fails', () => {
    const [a, b] = chain()
    expect(verifyReadingChain([a, { ...b, importWh: 21 }])).toEqual({
      ok: false,
      index: 1,
      problem: 'reading 1 (slot 1): signature does not verify against the signer key'
    })
  })

  it('names a reading, signed as it is, that links to another than the one before it', () => {
    const [a] = chain()
    const elsewhere = signReading(meter, 7, 1, 1, 1)
    const b = signReading(meter, 1, 20, 0, 200, elsewhere)
    expect(verifyReadingChain([a, b])).toEqual({
      ok: false,
      index: 1,
      problem:
        `reading 1 (slot 1) does not link to the one before it ` +
        `(${toHex(b.prev).slice(0, 12)}… ≠ ${toHex(readingHash(a)).slice(0, 12)}…)`
    })
  })

  it('names a reading of another meter, though it links to the one before it', () => {
    const [a] = chain()
    expect(verifyReadingChain([a, signReading(other, 1, 20, 0, 200, a)])).toEqual({
      ok: false,
      index: 1,
      problem: 'reading 1 is by another meter'
    })
  })

  it('names a missing slot, though the readings link', () => {
    const [a] = chain()
    expect(verifyReadingChain([a, signReading(meter, 2, 20, 0, 200, a)])).toEqual({
      ok: false,
      index: 1,
      problem: 'gap: slot 0 is followed by slot 2'
    })
    expect(verifyReadingChain([a, signReading(meter, 0, 20, 0, 200, a)])).toMatchObject({ ok: false, index: 1 })
  })
})
