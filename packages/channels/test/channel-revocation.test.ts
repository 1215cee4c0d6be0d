/**
 * Who can read a channel: a revoked reader reads what came before and nothing after (checked once through
 * readChannel and once by an oracle that holds every key the reader ever had), and a party never granted
 * verifies the chain but reads nothing, nor learns who the readers are.
 */
import { describe, expect, it } from 'vitest'
import { signerFromSeed } from '@kvartal/protocol'
import {
  createChannel,
  encodeRecord,
  openChannel,
  readChannel,
  verifyChain,
  ReaderError,
  RecordKind,
  type ChannelRecord
} from '../src/index.ts'
import { decodeControl, unwrap, x25519PublicOf as toX25519Public, x25519SecretOf as toX25519Secret } from '../src/control.ts'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { party } from './random-party.ts'

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
