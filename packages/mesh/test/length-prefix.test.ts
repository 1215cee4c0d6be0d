import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { LengthPrefixedDecoder } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'
import '../src/length-prefix.ts'

/** Noise's frame: a 2-byte big-endian length, then the bytes (the reference here is written out, not noise's). */
const frame = (body: Uint8Array): Uint8Array => Uint8Array.from([body.length >> 8, body.length & 0xff, ...body])

/** A 2-byte big-endian length decoder as noise's, counting the calls it gets with nothing buffered. */
function uint16Decoder(): { decode: (data: Uint8Array | Uint8ArrayList) => number; emptyCalls: number } {
  const d = {
    emptyCalls: 0,
    decode: (data: Uint8Array | Uint8ArrayList): number => {
      if (data.length === 0) d.emptyCalls++
      if (data.length < 2) throw new RangeError('Could not decode int16BE')
      return data instanceof Uint8Array ? (data[0] << 8) + data[1] : data.getUint16(0)
    }
  }
  return d
}

describe('length-prefixed frames (noise over @libp2p/utils), without a new RangeError per chunk', () => {
  it('frames split anywhere into chunks come out whole and in order, as the library gives them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 40 }),
        (bodies, cuts) => {
          const wire = Uint8Array.from(bodies.flatMap(b => [...frame(b)]))
          const lengths = uint16Decoder()
          const decoder = new LengthPrefixedDecoder({ lengthDecoder: lengths.decode, encodingLength: () => 2 })
          const out: number[][] = []
          let at = 0
          for (let i = 0; at < wire.length; i++) {
            const next = Math.min(wire.length, at + cuts[i % cuts.length])
            for (const f of decoder.decode(wire.subarray(at, next))) out.push([...f.subarray()])
            at = next
          }
          // the library yields no empty frame (noise sends none: each carries its 16-byte tag)
          expect(out).toEqual(bodies.filter(b => b.length > 0).map(b => [...b]))
          // an empty buffer (the end of nearly every chunk) never reaches the library's decoder, which would
          // throw a new RangeError there, stack and all
          expect(lengths.emptyCalls).toBe(0)
        }
      ),
      { seed: 42, numRuns: 200 }
    )
  })

  it('a chunk that ends inside a length prefix waits for the rest', () => {
    const lengths = uint16Decoder()
    const decoder = new LengthPrefixedDecoder({ lengthDecoder: lengths.decode, encodingLength: () => 2 })
    const wire = frame(Uint8Array.from([1, 2, 3]))
    expect([...decoder.decode(wire.subarray(0, 1))]).toEqual([])
    expect([...decoder.decode(wire.subarray(1))].map(f => [...f.subarray()])).toEqual([[1, 2, 3]])
  })
})
