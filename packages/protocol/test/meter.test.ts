import { describe, expect, it } from 'vitest'
import * as wire from '../src/gen/kvartal.js'
import { decodeReading, encodeReading, signerFromSeed, signGap, signReading, toHex, verifyReadingChain } from '../src/index.ts'

const signer = signerFromSeed(new Uint8Array(32).fill(3))

describe('meter readings and gaps', () => {
  it('a reading without a gap or a source encodes as it did before those fields existed', () => {
    const r = signReading(signer, 4, 120, 0, 1_000)
    const old = wire.MeterReading.encode({
      version: 1,
      meter: r.meter as Uint8Array<ArrayBuffer>,
      slot: 4n,
      importWh: 120n,
      exportWh: 0n,
      prev: r.prev as Uint8Array<ArrayBuffer>,
      at: 1_000n,
      signature: r.signature as Uint8Array<ArrayBuffer>
    })
    expect(toHex(encodeReading(r))).toBe(toHex(old))
  })

  it('keeps a gap in the chain, signed, with why; the chain lists it; an edited gap breaks the chain', () => {
    const a = signReading(signer, 0, 100, 0, 5_000, undefined, 'p1:E0044')
    const g = signGap(signer, 1, 9_000, "no sample at the slot's end", a)
    const c = signReading(signer, 2, 0, 70, 11_000, g, 'p1:E0044')
    const back = [a, g, c].map(r => decodeReading(encodeReading(r)))
    expect(back[0].source).toBe('p1:E0044')
    expect(back[1]).toMatchObject({ gap: true, importWh: 0, exportWh: 0, source: "no sample at the slot's end" })
    expect(verifyReadingChain(back)).toEqual({ ok: true, gaps: [1] })
    // turning the gap into a reading (as a node that back-fills would) fails its signature
    expect(verifyReadingChain([back[0], { ...back[1], gap: false, importWh: 40 }, back[2]])).toMatchObject({ ok: false, index: 1 })
    // dropping it leaves a hole
    expect(verifyReadingChain([back[0], back[2]])).toMatchObject({ ok: false, index: 1 })
  })

  it('refuses a gap that carries energy', () => {
    const g = signGap(signer, 1, 9_000, 'x')
    const bytes = wire.MeterReading.encode({ ...wire.MeterReading.decode(encodeReading(g)), importWh: 5n })
    expect(() => decodeReading(bytes)).toThrow(expect.objectContaining({ name: 'MalformedMessageError' }))
  })
})
