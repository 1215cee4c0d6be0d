/**
 * Every check the digest codec makes, at its bound: the value just inside is accepted, the value just outside is
 * refused with a typed error that names the field. The bytes are written with the generated protobuf encoders,
 * which check nothing, so what a hostile relay can put on the wire reaches the decoder as it is. (The other
 * energy messages: energy-refusals.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import * as wire from '../src/gen/kvartal.js'
import { codecs, limits, type Digest } from '../src/index.ts'

const k = (b: number): Uint8Array<ArrayBuffer> => new Uint8Array(32).fill(b)
const malformed = (pattern: RegExp): unknown =>
  expect.objectContaining({ name: 'MalformedMessageError', message: expect.stringMatching(pattern) })
const none = new Uint8Array(0) as Uint8Array<ArrayBuffer>
const wireDigest = (over: Partial<wire.Digest> = {}): Uint8Array =>
  wire.Digest.encode({
    version: 1,
    district: 'd',
    relay: k(1),
    feeder: 'f',
    seq: 1n,
    issuedAt: 10n,
    validUntil: 11n,
    entries: [{ trader: k(2), feeder: 'g', slot: 0n, energyWh: 1n, price: 0n, addrs: [], buyer: none }],
    ...over
  })

const digest: Digest = {
  version: 1,
  district: 'd',
  relay: k(1),
  feeder: 'f',
  seq: 1,
  issuedAt: 10,
  validUntil: 11,
  entries: [{ trader: k(2), feeder: 'g', slot: 0, energyWh: 1, price: 0, addrs: [] }]
}

describe('digests', () => {
  it('decode the smallest valid one and refuse seq 0 and a validity that ends when it starts', () => {
    expect(codecs.digest.decode(wireDigest())).toEqual(digest)
    expect(() => codecs.digest.decode(wireDigest({ seq: 0n }))).toThrow(malformed(/^seq must start at 1$/))
    expect(() => codecs.digest.decode(wireDigest({ validUntil: 10n }))).toThrow(malformed(/^validUntil must be after issuedAt$/))
  })

  it('refuse an entry of no energy in either direction', () => {
    expect(() => codecs.digest.encode({ ...digest, entries: [{ ...digest.entries[0], energyWh: 0 }] })).toThrow(
      malformed(/^entries\[0\]\.energyWh must be positive$/)
    )
    expect(() =>
      codecs.digest.decode(
        wireDigest({ entries: [{ trader: k(2), feeder: 'g', slot: 0n, energyWh: 0n, price: 0n, addrs: [], buyer: none }] })
      )
    ).toThrow(malformed(/^entries\[0\]\.energyWh must be positive$/))
  })

  it('hold at most 160 entries of at most 2 addresses of at most 256 bytes', () => {
    const entries = Array.from({ length: 160 }, (_, i) => ({ ...digest.entries[0], slot: i }))
    expect(codecs.digest.decode(codecs.digest.encode({ ...digest, entries })).entries).toHaveLength(limits.maxDigestEntries)
    expect(() => codecs.digest.encode({ ...digest, entries: [...entries, digest.entries[0]] })).toThrow(
      malformed(/^a digest holds at most 160 entries, bids and matched asks$/)
    )
    const three = [new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]
    expect(
      codecs.digest.decode(codecs.digest.encode({ ...digest, entries: [{ ...digest.entries[0], addrs: three }] })).entries[0].addrs
    ).toEqual(three.slice(0, 2))
    const entry = (addrs: Uint8Array[]): wire.DigestEntry => ({
      trader: k(2),
      feeder: 'g',
      slot: 0n,
      energyWh: 1n,
      price: 0n,
      addrs: addrs as Array<Uint8Array<ArrayBuffer>>,
      buyer: none
    })
    expect(codecs.digest.decode(wireDigest({ entries: [entry([new Uint8Array(256)])] })).entries[0].addrs[0].length).toBe(256)
    expect(() => codecs.digest.decode(wireDigest({ entries: [entry([new Uint8Array(257)])] }))).toThrow(
      malformed(/^entries\[0\] lists at most 2 addresses of at most 256 bytes$/)
    )
  })

  it("carry the relay's addresses, at most 2 of at most 256 bytes, and nothing on the wire without them", () => {
    const two = [new Uint8Array([1]), new Uint8Array([2])]
    expect(codecs.digest.decode(codecs.digest.encode({ ...digest, relayAddrs: two })).relayAddrs).toEqual(two)
    expect(codecs.digest.decode(codecs.digest.encode({ ...digest, relayAddrs: [...two, new Uint8Array([3])] })).relayAddrs).toEqual(two)
    expect(codecs.digest.encode({ ...digest, relayAddrs: [] })).toEqual(codecs.digest.encode(digest))
    expect(codecs.digest.decode(wireDigest({ relayAddrs: [new Uint8Array(256)] })).relayAddrs?.[0].length).toBe(256)
    expect(() => codecs.digest.decode(wireDigest({ relayAddrs: [new Uint8Array(257)] }))).toThrow(
      malformed(/^relayAddrs lists at most 2 addresses of at most 256 bytes$/)
    )
  })

  it("carry a feeder's residual bids and an entry's buyer, within the same 160, and refuse a bad buyer key", () => {
    const bid = { ...digest.entries[0], trader: k(3) }
    const back = codecs.digest.decode(codecs.digest.encode({ ...digest, bids: [bid], entries: [{ ...digest.entries[0], buyer: k(4) }] }))
    expect(back.bids).toEqual([bid])
    expect(back.entries[0].buyer).toEqual(k(4))
    // none: neither field is on the wire, so a digest without them is signed over the same bytes as before
    expect(codecs.digest.encode({ ...digest, bids: [] })).toEqual(codecs.digest.encode(digest))
    expect(codecs.digest.encode(digest)).toEqual(wireDigest())
    expect(codecs.digest.decode(codecs.digest.encode(digest)).bids).toBeUndefined()
    expect(codecs.digest.decode(codecs.digest.encode(digest)).entries[0].buyer).toBeUndefined()
    const many = Array.from({ length: 80 }, (_, i) => ({ ...digest.entries[0], slot: i }))
    expect(() => codecs.digest.encode({ ...digest, entries: many, bids: [...many, bid] })).toThrow(
      malformed(/^a digest holds at most 160 entries, bids and matched asks$/)
    )
    expect(() =>
      codecs.digest.decode(
        wireDigest({
          bids: [{ trader: k(2), feeder: 'g', slot: 0n, energyWh: 1n, price: 0n, addrs: [], buyer: none }],
          entries: Array.from({ length: 160 }, () => ({
            trader: k(2),
            feeder: 'g',
            slot: 0n,
            energyWh: 1n,
            price: 0n,
            addrs: [],
            buyer: none
          }))
        })
      )
    ).toThrow(malformed(/at most 160/))
    expect(() =>
      codecs.digest.decode(
        wireDigest({
          entries: [
            { trader: k(2), feeder: 'g', slot: 0n, energyWh: 1n, price: 0n, addrs: [], buyer: new Uint8Array(5) as Uint8Array<ArrayBuffer> }
          ]
        })
      )
    ).toThrow(malformed(/^entries\[0\]\.buyer must be a 32-byte/))
    expect(() =>
      codecs.digest.decode(wireDigest({ bids: [{ trader: k(2), feeder: 'g', slot: 0n, energyWh: 0n, price: 0n, addrs: [], buyer: none }] }))
    ).toThrow(malformed(/^bids\[0\]\.energyWh must be positive$/))
  })

  it("carry a feeder's matched asks within the same 160, nothing on the wire without them, and refuse a bad one", () => {
    const ask = { ...digest.entries[0], trader: k(5), feeder: 'f' }
    expect(codecs.digest.decode(codecs.digest.encode({ ...digest, matched: [ask] })).matched).toEqual([ask])
    expect(codecs.digest.encode({ ...digest, matched: [] })).toEqual(codecs.digest.encode(digest))
    expect(codecs.digest.decode(codecs.digest.encode(digest)).matched).toBeUndefined()
    const many = Array.from({ length: 80 }, (_, i) => ({ ...digest.entries[0], slot: i }))
    expect(() => codecs.digest.encode({ ...digest, entries: many, bids: many.slice(1), matched: [ask, ask] })).toThrow(
      malformed(/^a digest holds at most 160 entries, bids and matched asks$/)
    )
    const wireAsk = { trader: k(5), feeder: 'f', slot: 0n, energyWh: 1n, price: 0n, addrs: [], buyer: none }
    expect(() =>
      codecs.digest.decode(
        wireDigest({ entries: Array.from({ length: 100 }, () => wireAsk), matched: Array.from({ length: 61 }, () => wireAsk) })
      )
    ).toThrow(malformed(/^a digest holds at most 160 entries, bids and matched asks$/))
    expect(() => codecs.digest.decode(wireDigest({ entries: [], matched: Array.from({ length: 161 }, () => wireAsk) }))).toThrow(
      malformed(/"matched" had too many elements/)
    )
    expect(() => codecs.digest.encode({ ...digest, matched: [{ ...ask, energyWh: 0 }] })).toThrow(
      malformed(/^matched\[0\]\.energyWh must be positive$/)
    )
    expect(() => codecs.digest.decode(wireDigest({ matched: [{ ...wireAsk, energyWh: 0n }] }))).toThrow(
      malformed(/^matched\[0\]\.energyWh must be positive$/)
    )
    expect(() =>
      codecs.digest.decode(wireDigest({ matched: [{ ...wireAsk, trader: new Uint8Array(3) as Uint8Array<ArrayBuffer> }] }))
    ).toThrow(malformed(/^matched\[0\]\.trader must be a 32-byte/))
  })

  it('refuse a bad relay key, feeder or entry trader', () => {
    expect(() => codecs.digest.decode(wireDigest({ feeder: 'F' }))).toThrow(malformed(/^feeder "F"/))
    expect(() => codecs.digest.decode(wireDigest({ relay: new Uint8Array(3) as Uint8Array<ArrayBuffer> }))).toThrow(
      malformed(/^relay must be a 32-byte/)
    )
    expect(() =>
      codecs.digest.decode(
        wireDigest({ entries: [{ trader: k(2), feeder: 'G', slot: 0n, energyWh: 1n, price: 0n, addrs: [], buyer: none }] })
      )
    ).toThrow(malformed(/^entries\[0\]\.feeder "G"/))
    expect(() =>
      codecs.digest.decode(
        wireDigest({
          entries: [
            { trader: new Uint8Array(1) as Uint8Array<ArrayBuffer>, feeder: 'g', slot: 0n, energyWh: 1n, price: 0n, addrs: [], buyer: none }
          ]
        })
      )
    ).toThrow(malformed(/^entries\[0\]\.trader must be a 32-byte/))
  })

  it('an amendment names an earlier digest of its relay, may list entries of no energy (withdrawn), and nothing else', () => {
    const gone = { trader: k(2), feeder: 'g', slot: 0n, energyWh: 0n, price: 0n, addrs: [], buyer: none }
    const amendment = { ...digest, seq: 2, amends: 1, entries: [{ ...digest.entries[0], energyWh: 0 }] }
    expect(codecs.digest.decode(codecs.digest.encode(amendment))).toEqual(amendment)
    expect(codecs.digest.decode(wireDigest({ seq: 2n, amends: 1n, entries: [gone] }))).toEqual(amendment)
    // a whole digest (amends 0 on the wire) still refuses an entry of no energy: only an amendment withdraws
    expect(codecs.digest.decode(wireDigest()).amends).toBeUndefined()
    expect(() => codecs.digest.encode({ ...amendment, entries: [{ ...digest.entries[0], energyWh: -1 }] })).toThrow(
      malformed(/^entries\[0\]\.energyWh must be positive or 0$/)
    )
    for (const [seq, amends] of [
      [2n, 2n],
      [2n, 3n]
    ])
      expect(() => codecs.digest.decode(wireDigest({ seq, amends, entries: [gone] }))).toThrow(
        malformed(/^a digest amends an earlier one of its relay/)
      )
    expect(() => codecs.digest.encode({ ...amendment, amends: 2 })).toThrow(malformed(/^a digest amends an earlier one of its relay/))
    const entry = { trader: k(3), feeder: 'f', slot: 0n, energyWh: 5n, price: 1n, addrs: [], buyer: none }
    for (const over of [{ bids: [entry] }, { matched: [entry] }, { relayAddrs: [new Uint8Array([1]) as Uint8Array<ArrayBuffer>] }])
      expect(() => codecs.digest.decode(wireDigest({ seq: 2n, amends: 1n, entries: [gone], ...over }))).toThrow(
        malformed(/^an amendment lists entries only: no bids, matched asks or relay addresses$/)
      )
    expect(() => codecs.digest.encode({ ...amendment, bids: [{ ...digest.entries[0] }] })).toThrow(
      malformed(/^an amendment lists entries only/)
    )
  })
})
