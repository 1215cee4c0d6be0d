import { describe, expect, it } from 'vitest'
import { generateSeed, signerFromSeed } from '@kvartal/protocol'
import { x25519 } from '@noble/curves/ed25519.js'
import {
  channelTip,
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
  RecordKind,
  type ChannelRecord
} from '../src/index.ts'
import { signedBytes } from '../src/record.ts'
import { decodeControl, unwrap, x25519PublicOf as toX25519Public, x25519SecretOf as toX25519Secret } from '../src/control.ts'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'

function party() {
  const seed = generateSeed()
  return { seed, publicKey: signerFromSeed(seed).publicKey }
}

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

describe('revocation', () => {
  it('a revoked reader cannot decrypt later records, still reads earlier ones, and still verifies the chain', () => {
    const owner = party()
    const alice = party()
    const bob = party()
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    ch.grant(bob.publicKey)
    ch.append({ n: 1 })
    ch.revoke(bob.publicKey)
    ch.append({ n: 2 })
    ch.append({ n: 3 })
    expect(ch.epoch).toBe(1)
    expect(ch.readers).toHaveLength(1)

    const bobRead = readChannel(ch.records, bob.seed)
    expect(bobRead.chain.ok).toBe(true)
    expect(bobRead.entries.map(e => e.value)).toEqual([{ n: 1 }])
    expect(bobRead.unreadable.map(u => u.index)).toEqual([5, 6])
    expect(bobRead.epochs).toEqual([0])
    expect(verifyChain(ch.records, owner.publicKey).ok).toBe(true)

    const aliceRead = readChannel(ch.records, alice.seed)
    expect(aliceRead.entries.map(e => e.value)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect(readChannel(ch.records, owner.seed).entries).toHaveLength(3)
  })

  it('revoking an unknown reader or granting twice is a typed error', () => {
    const owner = party()
    const alice = party()
    const ch = createChannel(owner.seed)
    expect(() => ch.revoke(alice.publicKey)).toThrow(ReaderError)
    ch.grant(alice.publicKey)
    expect(() => ch.grant(alice.publicKey)).toThrow(ReaderError)
    expect(() => ch.grant(owner.publicKey)).toThrow(ReaderError)
  })
})

/**
 * An oracle for revocation that does not go through `readChannel` (which only tries each record's own
 * epoch key, so it cannot notice a revoke that kept the old key): the revoked reader collects every
 * content key it could ever unwrap before its revocation, then tries each of them on every later data
 * record with its own AEAD call (associated data = the record's 102-byte header, built here from the
 * fields), and tries its secret on every wrap of every later control record. The owner's keys,
 * recovered the same way, decrypt every later record with the same call: the decryption path works.
 */
function aad(r: ChannelRecord): Uint8Array {
  const h = new Uint8Array(102)
  const v = new DataView(h.buffer)
  h[0] = r.version
  h[1] = r.kind
  h.set(r.channelId, 2)
  v.setUint32(34, r.index)
  h.set(r.prev, 38)
  v.setUint32(70, r.epoch)
  h.set(r.nonce, 74)
  v.setUint32(98, r.body.length)
  return h
}
function tryDecrypt(r: ChannelRecord, key: Uint8Array): Uint8Array | undefined {
  try {
    return xchacha20poly1305(key, r.nonce, aad(r)).decrypt(r.body)
  } catch {
    return undefined
  }
}
/** Every 32-byte key `seed` unwraps from control records[from, to). */
function keysHeldBy(records: readonly ChannelRecord[], seed: Uint8Array, from: number, to: number): Uint8Array[] {
  const secret = toX25519Secret(seed)
  const pub = toX25519Public(signerFromSeed(seed).publicKey)
  const keys: Uint8Array[] = []
  for (const r of records.slice(from, to)) {
    if (r.kind === RecordKind.data) continue
    for (const w of decodeControl(r.body, r.kind === RecordKind.open).wraps) {
      const plain = unwrap(w, secret, pub, r.channelId, r.epoch)
      if (plain != null) keys.push(plain.slice(0, 32))
    }
  }
  return keys
}

describe('revocation, checked by a reader that holds the revoked keys', () => {
  function check(records: readonly ChannelRecord[], owner: { seed: Uint8Array }, revoked: { seed: Uint8Array }, revokedAt: number) {
    const held = keysHeldBy(records, revoked.seed, 0, revokedAt)
    expect(held.length).toBeGreaterThan(0)
    // the reader really could read before: each earlier data record opens with one of its keys
    for (const r of records.slice(0, revokedAt).filter(r => r.kind === RecordKind.data)) {
      expect(held.some(k => tryDecrypt(r, k) != null)).toBe(true)
    }
    const later = records.slice(revokedAt)
    expect(later.filter(r => r.kind === RecordKind.data).length).toBeGreaterThan(0)
    const ownerKeys = keysHeldBy(records, owner.seed, 0, records.length)
    const secret = toX25519Secret(revoked.seed)
    const pub = toX25519Public(signerFromSeed(revoked.seed).publicKey)
    for (const r of later) {
      if (r.kind === RecordKind.data) {
        for (const k of held) expect(tryDecrypt(r, k), `revoked key opens record ${r.index}`).toBeUndefined()
        expect(
          ownerKeys.some(k => tryDecrypt(r, k) != null),
          `the owner opens record ${r.index}`
        ).toBe(true)
      } else {
        for (const w of decodeControl(r.body, r.kind === RecordKind.open).wraps) {
          expect(unwrap(w, secret, pub, r.channelId, r.epoch), `record ${r.index} wraps a key for the revoked reader`).toBeUndefined()
        }
      }
    }
  }

  it('a key held before revoke opens no later record', () => {
    const owner = party()
    const alice = party()
    const bob = party()
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    ch.grant(bob.publicKey)
    ch.append({ n: 1 })
    const at = ch.revoke(bob.publicKey).index
    ch.append({ n: 2 })
    ch.append(new Uint8Array([9, 9]))
    ch.grant(party().publicKey)
    ch.append({ n: 3 })
    check(ch.records, owner, bob, at)
  })

  it('none of the keys of several earlier epochs opens a record after revoke, also after later rotations and a reopen', () => {
    const owner = party()
    const alice = party()
    const bob = party()
    const ch = createChannel(owner.seed)
    ch.append({ e: 0 })
    ch.grant(bob.publicKey)
    ch.grant(alice.publicKey)
    ch.rotate()
    ch.append({ e: 1 })
    ch.rotate()
    ch.append({ e: 2 })
    const at = ch.revoke(bob.publicKey).index
    ch.append({ e: 3 })
    const resumed = openChannel(owner.seed, ch.records)
    resumed.append({ e: 3.5 })
    resumed.rotate()
    resumed.append({ e: 4 })
    resumed.revoke(alice.publicKey)
    resumed.append({ e: 5 })
    check(resumed.records, owner, bob, at)
    expect(keysHeldBy(resumed.records, bob.seed, 0, at)).toHaveLength(3)
  })
})

describe('outsiders', () => {
  it('a party never granted verifies the chain but reads nothing', () => {
    const owner = party()
    const alice = party()
    const eve = party()
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    ch.append({ secret: 1 })
    ch.revoke(alice.publicKey)
    ch.append({ secret: 2 })
    expect(verifyChain(ch.records, owner.publicKey, { head: ch.head }).ok).toBe(true)
    const read = readChannel(ch.records, eve.seed)
    expect(read.chain.ok).toBe(true)
    expect(read.entries).toEqual([])
    expect(read.unreadable.map(u => u.index)).toEqual([2, 4])
    expect(read.epochs).toEqual([])
  })

  it('the chain does not show who the readers are', () => {
    const owner = party()
    const alice = party()
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    const all = Buffer.concat(ch.records.map(encodeRecord))
    expect(all.includes(Buffer.from(alice.publicKey))).toBe(false)
  })
})

describe('tampering', () => {
  function sample() {
    const owner = party()
    const alice = party()
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    ch.append({ n: 1 })
    ch.append({ n: 2 })
    ch.revoke(alice.publicKey)
    ch.append({ n: 3 })
    return { owner, alice, ch, records: ch.records.slice() as ChannelRecord[] }
  }

  it('an edited ciphertext fails the signature at that record', () => {
    const { owner, records } = sample()
    const body = records[2].body.slice()
    body[0] ^= 1
    records[2] = { ...records[2], body }
    expect(verifyChain(records, owner.publicKey)).toMatchObject({ ok: false, problem: 'bad-signature', index: 2 })
  })

  it('reordered records are reported as out of order', () => {
    const { owner, records } = sample()
    ;[records[2], records[3]] = [records[3], records[2]]
    expect(verifyChain(records, owner.publicKey)).toMatchObject({ ok: false, problem: 'out-of-order', index: 2 })
  })

  it('a dropped record is reported as missing; a dropped last record against the trusted head', () => {
    const { owner, ch, records } = sample()
    expect(verifyChain([...records.slice(0, 2), ...records.slice(3)], owner.publicKey)).toMatchObject({
      ok: false,
      problem: 'missing',
      index: 2
    })
    expect(verifyChain(records.slice(0, -1), owner.publicKey, { head: ch.head })).toMatchObject({
      ok: false,
      problem: 'head-mismatch',
      index: records.length - 1
    })
  })

  it('a forged signature is detected, also one re-signed by another key', () => {
    const { owner, records } = sample()
    const sig = records[3].signature.slice()
    sig[10] ^= 0xff
    expect(
      verifyChain(
        records.map((r, i) => (i === 3 ? { ...r, signature: sig } : r)),
        owner.publicKey
      )
    ).toMatchObject({ ok: false, problem: 'bad-signature', index: 3 })
    const mallory = signerFromSeed(generateSeed())
    const forged = { ...records[3], body: records[2].body, nonce: records[2].nonce }
    const resigned = { ...forged, signature: mallory.sign(signedBytes(forged)) }
    expect(
      verifyChain(
        records.map((r, i) => (i === 3 ? resigned : r)),
        owner.publicKey
      )
    ).toMatchObject({ ok: false, problem: 'bad-signature', index: 3 })
  })

  it('a record re-signed correctly but not linked is a bad link; a wrong epoch is a bad epoch', () => {
    const owner = party()
    const ch = createChannel(owner.seed)
    ch.append({ n: 1 })
    const signer = signerFromSeed(owner.seed)
    const r = ch.records[1]
    const unlinked = { ...r, prev: new Uint8Array(32).fill(7) }
    expect(verifyChain([ch.records[0], { ...unlinked, signature: signer.sign(signedBytes(unlinked)) }], owner.publicKey)).toMatchObject({
      ok: false,
      problem: 'bad-link',
      index: 1
    })
    const epoch5 = { ...r, epoch: 5 }
    expect(verifyChain([ch.records[0], { ...epoch5, signature: signer.sign(signedBytes(epoch5)) }], owner.publicKey)).toMatchObject({
      ok: false,
      problem: 'bad-epoch',
      index: 1
    })
  })

  it('the wrong owner key is named as such', () => {
    const { records } = sample()
    expect(verifyChain(records, party().publicKey)).toMatchObject({ ok: false, problem: 'wrong-owner', index: 0 })
  })

  it('a record from another channel of the same owner is named', () => {
    const owner = party()
    const a = createChannel(owner.seed)
    a.append({ n: 1 })
    const b = createChannel(owner.seed)
    b.append({ n: 1 })
    expect(verifyChain([a.records[0], b.records[1]], owner.publicKey)).toMatchObject({ ok: false, problem: 'wrong-channel', index: 1 })
  })

  it('a reader reads only the verified prefix of a broken chain', () => {
    const { alice, records } = sample()
    const body = records[3].body.slice()
    body[5] ^= 1
    records[3] = { ...records[3], body }
    const read = readChannel(records, alice.seed)
    expect(read.chain).toMatchObject({ ok: false, problem: 'bad-signature', index: 3 })
    expect(read.entries.map(e => e.value)).toEqual([{ n: 1 }])
  })

  it('an empty list is not a channel', () => {
    expect(verifyChain([], party().publicKey)).toMatchObject({ ok: false, problem: 'empty' })
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

describe('replication and attestation', () => {
  it('a replica verifies only the new records after a tip it already trusts', () => {
    const owner = party()
    const alice = party()
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    ch.append({ n: 1 })
    const replica = ch.records.map(encodeRecord).map(decodeRecord)
    expect(verifyChain(replica, owner.publicKey).ok).toBe(true)
    const tip = channelTip(replica)
    expect(tip).toEqual(ch.tip)

    ch.append({ n: 2 })
    ch.revoke(alice.publicKey)
    ch.append({ n: 3 })
    const fresh = ch.records.slice(replica.length)
    expect(verifyChain(fresh, owner.publicKey, { since: tip, head: ch.head })).toEqual({ ok: true })
    expect(verifyChain([], owner.publicKey, { since: tip, head: tip.head })).toEqual({ ok: true })
    expect(verifyChain(fresh.slice(1), owner.publicKey, { since: tip })).toMatchObject({ ok: false, problem: 'missing', index: 0 })
    const other = createChannel(owner.seed)
    expect(verifyChain(other.records, owner.publicKey, { since: tip })).toMatchObject({ ok: false, problem: 'missing', index: 0 })
    expect(ch.tip).toMatchObject({ index: 5, epoch: 1, head: ch.head })
  })

  it('refuses a low-order X25519 reader key at grant time', () => {
    const ch = createChannel(party().seed)
    expect(() => ch.grant({ x25519: new Uint8Array(32) })).toThrow(ReaderError)
    expect(() => ch.grant(new Uint8Array(31))).toThrow(ReaderError)
    expect(ch.records).toHaveLength(1)
  })

  it('a control record with a non-zero nonce is malformed even when signed', () => {
    const owner = party()
    const alice = party()
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    const g = { ...ch.records[1], nonce: new Uint8Array(24).fill(1) }
    const signed = { ...g, signature: signerFromSeed(owner.seed).sign(signedBytes(g)) }
    expect(verifyChain([ch.records[0], signed], owner.publicKey)).toMatchObject({ ok: false, problem: 'malformed', index: 1 })
  })
})
