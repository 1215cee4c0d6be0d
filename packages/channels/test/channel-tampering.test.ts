/**
 * What verifyChain finds in a tampered chain, naming the problem and the record (an edited ciphertext,
 * reordered, dropped or re-signed records, a wrong owner, epoch or channel), what a reader reads of a broken
 * chain, a replica that verifies only what follows a trusted tip, and keys and records refused as malformed.
 */
import { describe, expect, it } from 'vitest'
import { generateSeed, signerFromSeed } from '@kvartal/protocol'
import {
  channelTip,
  createChannel,
  decodeRecord,
  encodeRecord,
  readChannel,
  verifyChain,
  ReaderError,
  type ChannelRecord
} from '../src/index.ts'
import { signedBytes } from '../src/record.ts'
import { party } from './random-party.ts'

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
