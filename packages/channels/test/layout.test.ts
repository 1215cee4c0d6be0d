/**
 * The documented formats, checked by a reader that uses none of the library's code: the record layout and
 * what the owner signs (record.ts), the channel id, and the key wrap and control body (control.ts) are
 * rebuilt here from their doc comments with the primitives alone, and must agree with what the library
 * writes. A change to a domain string or to what a wrap's key derivation binds passes every round-trip
 * test (both sides change together), but not these.
 */
import { describe, expect, it } from 'vitest'
import { toHex, verifySignature } from '@kvartal/protocol'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { x25519 } from '@noble/curves/ed25519.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { createChannel, encodeRecord, RecordKind, type ChannelRecord } from '../src/index.ts'
import { unwrap, wrapFor } from '../src/control.ts'
import { party } from './forge.ts'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts))
const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n)
  return b
}

/** The header, field by field, as the table in record.ts lays it out. */
const header = (r: ChannelRecord): Uint8Array =>
  concat(new Uint8Array([r.version, r.kind]), r.channelId, u32(r.index), r.prev, u32(r.epoch), r.nonce, u32(r.body.length))

/** The wraps of a control body: count u16 ‖ count × (ephemeral (32) ‖ length u16 ‖ wrapped). */
function wrapsOf(body: Uint8Array, open: boolean): { ephemeral: Uint8Array; wrapped: Uint8Array }[] {
  const v = new DataView(body.buffer, body.byteOffset, body.length)
  let at = open ? 48 : 0
  const count = v.getUint16(at)
  at += 2
  const wraps = []
  for (let i = 0; i < count; i++) {
    const ephemeral = body.slice(at, at + 32)
    const len = v.getUint16(at + 32)
    wraps.push({ ephemeral, wrapped: body.slice(at + 34, at + 34 + len) })
    at += 34 + len
  }
  expect(at).toBe(body.length)
  return wraps
}

/** Opens a wrap addressed to `secret`, as control.ts describes it, or gives undefined. */
function openWrap(
  w: { ephemeral: Uint8Array; wrapped: Uint8Array },
  secret: Uint8Array,
  channelId: Uint8Array,
  epoch: number
): Uint8Array | undefined {
  const shared = x25519.getSharedSecret(secret, w.ephemeral)
  const okm = hkdf(
    sha256,
    shared,
    concat(w.ephemeral, x25519.getPublicKey(secret)),
    concat(utf8('kvartal/v1/channel-wrap\n'), channelId, u32(epoch)),
    56
  )
  try {
    return xchacha20poly1305(okm.subarray(0, 32), okm.subarray(32)).decrypt(w.wrapped)
  } catch {
    return undefined
  }
}

describe('the documented layouts', () => {
  const owner = party(1)
  const alice = party(2)
  // built inside each test, not once here: Stryker switches a mutant on for the tests only, and records made
  // while the file loads would be made by the unmutated code
  function build() {
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    ch.append({ plan: 'bus' })
    ch.append(new Uint8Array([7, 8]))
    const [open, grant, json, raw] = ch.records
    return { ch, open, grant, json, raw }
  }

  it('a record is header ‖ body ‖ signature, and the owner signs `kvartal/v1/channel\\n` ‖ header ‖ body', () => {
    const { ch } = build()
    for (const r of ch.records) {
      expect(toHex(encodeRecord(r))).toBe(toHex(concat(header(r), r.body, r.signature)))
      expect(verifySignature(owner.publicKey, concat(utf8('kvartal/v1/channel\n'), header(r), r.body), r.signature)).toBe(true)
    }
  })

  it('the channel id is sha256(`kvartal/v1/channel-id\\n` ‖ owner key ‖ channel nonce), both in clear in the open body', () => {
    const { open } = build()
    expect(open.body.subarray(0, 32)).toEqual(owner.publicKey)
    expect(toHex(open.channelId)).toBe(toHex(sha256(concat(utf8('kvartal/v1/channel-id\n'), owner.publicKey, open.body.subarray(32, 48)))))
  })

  it("the owner's wrap holds content key ‖ reader keys; a reader's wrap the content key, which opens the data records", () => {
    const { ch, open, grant, json, raw } = build()
    const [ownerWrap, aliceWrap] = wrapsOf(grant.body, false)
    const ring = openWrap(ownerWrap, owner.x25519Secret, ch.id, 0)!
    expect(ring).toHaveLength(64)
    expect(ring.subarray(32)).toEqual(alice.x25519)
    expect(openWrap(aliceWrap, alice.x25519Secret, ch.id, 0)).toEqual(ring.subarray(0, 32))
    expect(openWrap(aliceWrap, owner.x25519Secret, ch.id, 0)).toBeUndefined()
    const openRing = openWrap(wrapsOf(open.body, true)[0], owner.x25519Secret, ch.id, 0)!
    expect(openRing).toEqual(ring.subarray(0, 32))

    const key = ring.subarray(0, 32)
    const decrypt = (r: ChannelRecord): Uint8Array => xchacha20poly1305(key, r.nonce, header(r)).decrypt(r.body)
    expect(json.kind).toBe(RecordKind.data)
    expect(decrypt(json)).toEqual(concat(new Uint8Array([1]), utf8('{"plan":"bus"}')))
    expect(decrypt(raw)).toEqual(new Uint8Array([0, 7, 8]))
  })

  it('a wrap opens only for the channel id and epoch it was made for', () => {
    const { ch } = build()
    const w = wrapFor(alice.x25519, new Uint8Array(32).fill(5), ch.id, 3)
    expect(unwrap(w, alice.x25519Secret, alice.x25519, ch.id, 3)).toEqual(new Uint8Array(32).fill(5))
    expect(openWrap(w, alice.x25519Secret, ch.id, 3)).toEqual(new Uint8Array(32).fill(5))
    expect(unwrap(w, alice.x25519Secret, alice.x25519, ch.id, 4)).toBeUndefined()
    const otherId = ch.id.slice()
    otherId[31] ^= 1
    expect(unwrap(w, alice.x25519Secret, alice.x25519, otherId, 3)).toBeUndefined()
    expect(unwrap(w, owner.x25519Secret, owner.x25519, ch.id, 3)).toBeUndefined()
  })
})
