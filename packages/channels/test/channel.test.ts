/**
 * A channel's life through its public API: the owner and granted readers read every record and the chain
 * verifies, records survive their encoding, a grant covers its epoch, openChannel resumes after a restart, and
 * the bounds on payloads, readers and record bytes. Revocation and outsiders: channel-revocation.test.ts;
 * tampered chains and replicas: channel-tampering.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { x25519 } from '@noble/curves/ed25519.js'
import {
  createChannel,
  decodeRecord,
  encodeRecord,
  MAX_PAYLOAD_BYTES,
  MAX_READERS,
  MAX_RECORD_BYTES,
  openChannel,
  readChannel,
  recordHash,
  verifyChain,
  OversizedChannelDataError,
  ReaderError,
  ChannelChainError,
  RecordKind
} from '../src/index.ts'
import { party } from './random-party.ts'

describe('channel round trip', () => {
  it('the owner and a granted reader read every record; the chain verifies', () => {
    const owner = party()
    const alice = party()
    const ch = createChannel(owner.seed)
    ch.append({ kind: 'plan', legs: 3 })
    ch.grant(alice.publicKey)
    ch.append(new Uint8Array([1, 2, 3]))
    ch.append({ kind: 'receipt', nonce: 7, amount: 1_500_000_000 })

    expect(verifyChain(ch.records, owner.publicKey, { head: ch.head })).toEqual({ ok: true })
    for (const who of [owner, alice]) {
      const read = readChannel(ch.records, who.seed)
      expect(read.chain.ok).toBe(true)
      expect(read.unreadable).toEqual([])
      expect(read.entries.map(e => e.value)).toEqual([
        { kind: 'plan', legs: 3 },
        new Uint8Array([1, 2, 3]),
        { kind: 'receipt', nonce: 7, amount: 1_500_000_000 }
      ])
      expect(read.entries.map(e => e.index)).toEqual([1, 3, 4])
    }
    expect(readChannel(ch.records, alice.seed).owner).toEqual(owner.publicKey)
  })

  it('records survive their canonical encoding and the head is the hash of the last one', () => {
    const owner = party()
    const ch = createChannel(owner.seed)
    ch.append({ a: 1 })
    const bytes = ch.records.map(encodeRecord)
    const back = bytes.map(decodeRecord)
    expect(back).toEqual(ch.records)
    expect(recordHash(back[1])).toEqual(ch.head)
    expect(verifyChain(back, owner.publicKey, { head: ch.head }).ok).toBe(true)
  })

  it('accepts a separate X25519 reader key', () => {
    const owner = party()
    const secret = x25519.utils.randomSecretKey()
    const ch = createChannel(owner.seed)
    ch.grant({ x25519: x25519.getPublicKey(secret) })
    ch.append({ hello: 'x25519' })
    expect(readChannel(ch.records, { x25519Secret: secret }).entries.map(e => e.value)).toEqual([{ hello: 'x25519' }])
  })

  it('a grant covers the whole current epoch, written before it too', () => {
    const owner = party()
    const bob = party()
    const ch = createChannel(owner.seed)
    ch.append({ early: true })
    ch.grant(bob.publicKey)
    expect(readChannel(ch.records, bob.seed).entries.map(e => e.value)).toEqual([{ early: true }])
  })
})

describe('resume after restart', () => {
  it('openChannel continues the chain with the same keys and readers', () => {
    const owner = party()
    const alice = party()
    const bob = party()
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    ch.grant(bob.publicKey)
    ch.append({ n: 1 })
    ch.revoke(bob.publicKey)
    ch.append({ n: 2 })
    const stored = ch.records.map(encodeRecord)

    const resumed = openChannel(owner.seed, stored.map(decodeRecord))
    expect(resumed.id).toEqual(ch.id)
    expect(resumed.head).toEqual(ch.head)
    expect(resumed.epoch).toBe(1)
    expect(resumed.readers).toEqual(ch.readers)
    resumed.append({ n: 3 })
    expect(() => resumed.revoke(bob.publicKey)).toThrow(ReaderError)
    resumed.revoke(alice.publicKey)
    resumed.append({ n: 4 })

    expect(verifyChain(resumed.records, owner.publicKey, { head: resumed.head }).ok).toBe(true)
    expect(readChannel(resumed.records, owner.seed).entries.map(e => e.value)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }])
    expect(readChannel(resumed.records, alice.seed).entries.map(e => e.value)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect(readChannel(resumed.records, bob.seed).entries.map(e => e.value)).toEqual([{ n: 1 }])
  })

  it("refuses another owner's seed or a broken chain with a typed error", () => {
    const owner = party()
    const ch = createChannel(owner.seed)
    ch.append({ n: 1 })
    expect(() => openChannel(party().seed, ch.records)).toThrow(ChannelChainError)
    const broken = ch.records.slice()
    broken.splice(0, 1)
    try {
      openChannel(owner.seed, broken)
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ChannelChainError)
      expect((err as ChannelChainError).problem).toBe('missing')
    }
  })
})

describe('bounds', () => {
  it('rejects an oversized payload with a typed error and writes nothing', () => {
    const ch = createChannel(party().seed)
    ch.append(new Uint8Array(MAX_PAYLOAD_BYTES))
    const before = ch.head
    expect(() => ch.append(new Uint8Array(MAX_PAYLOAD_BYTES + 1))).toThrow(OversizedChannelDataError)
    expect(() => ch.append({ s: 'x'.repeat(MAX_PAYLOAD_BYTES) })).toThrow(OversizedChannelDataError)
    expect(ch.head).toEqual(before)
    expect(ch.records).toHaveLength(2)
  })

  it('caps the readers per epoch; a full epoch still rotates within the record bound', () => {
    const owner = party()
    const ch = createChannel(owner.seed)
    const readers = Array.from({ length: MAX_READERS }, () => party())
    for (const r of readers) ch.grant(r.publicKey)
    expect(() => ch.grant(party().publicKey)).toThrow(OversizedChannelDataError)
    expect(() => ch.grant(party().publicKey)).toThrow(
      expect.objectContaining({
        size: MAX_READERS + 1,
        max: MAX_READERS,
        message: `readers of ${MAX_READERS + 1} exceeds the limit of ${MAX_READERS}; split it over several records`
      })
    )
    const rotated = ch.rotate()
    expect(encodeRecord(rotated).length).toBeLessThan(MAX_RECORD_BYTES)
    ch.append({ after: 'rotate' })
    expect(verifyChain(ch.records.map(encodeRecord).map(decodeRecord), owner.publicKey, { head: ch.head }).ok).toBe(true)
    expect(readChannel(ch.records, readers[MAX_READERS - 1].seed).entries.map(e => e.value)).toEqual([{ after: 'rotate' }])
  })

  it('decoding rejects oversized and malformed bytes with typed errors', () => {
    const ch = createChannel(party().seed)
    const bytes = encodeRecord(ch.records[0])
    expect(() => decodeRecord(new Uint8Array(200 * 1024))).toThrow(OversizedChannelDataError)
    expect(() => decodeRecord(bytes.subarray(0, bytes.length - 1))).toThrow(expect.objectContaining({ name: 'MalformedRecordError' }))
    const v2 = bytes.slice()
    v2[0] = 2
    expect(() => decodeRecord(v2)).toThrow(expect.objectContaining({ name: 'MalformedRecordError' }))
    expect(ch.records[0].kind).toBe(RecordKind.open)
  })
})
