/**
 * verifyChain, one check at a time. Most broken records here are signed again by the real owner, so that the
 * signature passes and the check under test is the one that must answer; each answer is checked by its problem
 * code, the position it names and its message (the message is for people, but it is all a person gets).
 */
import { describe, expect, it } from 'vitest'
import { channelTip, createChannel, recordHash, RecordKind, verifyChain, type ChannelRecord } from '../src/index.ts'
import { forgeNext, party, resign, short, thrown } from './forge.ts'

const owner = party(1)
const alice = party(2)

/** open, grant(alice), data, rotate, data */
function sample(): ChannelRecord[] {
  const ch = createChannel(owner.seed)
  ch.grant(alice.publicKey)
  ch.append({ n: 1 })
  ch.rotate()
  ch.append({ n: 2 })
  return ch.records.slice()
}

describe('verifyChain names what is wrong', () => {
  it('an empty list, records out of order, a record missing', () => {
    expect(verifyChain([], owner.publicKey)).toEqual({
      ok: false,
      problem: 'empty',
      message: 'no records: a channel starts with its open record'
    })
    const records = sample()
    expect(verifyChain([records[0], records[1], records[3], records[2], records[4]], owner.publicKey)).toEqual({
      ok: false,
      problem: 'out-of-order',
      index: 2,
      message: 'record 2: has index 3 where index 2 belongs; the records are out of order'
    })
    expect(verifyChain([records[0], records[1], records[3], records[4]], owner.publicKey)).toEqual({
      ok: false,
      problem: 'missing',
      index: 2,
      message: 'record 2: has index 3 where index 2 belongs; record 2 is missing'
    })
  })

  it('a record of another version, even when signed', () => {
    const records = sample()
    records[2] = resign(records[2], owner.seed, { version: 2 })
    expect(verifyChain(records, owner.publicKey)).toEqual({
      ok: false,
      problem: 'malformed',
      index: 2,
      message: 'record 2: record version 2 is not supported'
    })
  })

  it('a first record that is not an open record, even when signed and with an open body', () => {
    const [open] = sample()
    const asGrant = resign(open, owner.seed, { kind: RecordKind.grant })
    expect(verifyChain([asGrant], owner.publicKey)).toEqual({
      ok: false,
      problem: 'bad-kind',
      index: 0,
      message: 'record 0: the first record must be an open record, not grant'
    })
    const asData = resign(open, owner.seed, { kind: RecordKind.data })
    expect(verifyChain([asData], owner.publicKey)).toMatchObject({
      problem: 'bad-kind',
      message: 'record 0: the first record must be an open record, not data'
    })
  })

  it('an open record whose body does not parse', () => {
    const [open] = sample()
    const cut = resign(open, owner.seed, { body: open.body.slice(0, 40) })
    expect(verifyChain([cut], owner.publicKey)).toEqual({
      ok: false,
      problem: 'malformed',
      index: 0,
      message: 'record 0: control body ends inside the owner key and channel nonce'
    })
  })

  it('an open record that names the owner but whose channel id is not the hash of owner and nonce', () => {
    const [open] = sample()
    const otherId = resign(open, owner.seed, { channelId: new Uint8Array(32).fill(9) })
    expect(verifyChain([otherId], owner.publicKey)).toEqual({
      ok: false,
      problem: 'wrong-owner',
      index: 0,
      message: 'record 0: the channel does not belong to the given owner key'
    })
    expect(verifyChain([open], alice.publicKey)).toMatchObject({ problem: 'wrong-owner', index: 0 })
  })

  it('a record of another channel, with both ids abbreviated', () => {
    const a = createChannel(owner.seed)
    a.append({ n: 1 })
    const b = createChannel(owner.seed)
    b.append({ n: 1 })
    expect(verifyChain([a.records[0], b.records[1]], owner.publicKey)).toEqual({
      ok: false,
      problem: 'wrong-channel',
      index: 1,
      message: `record 1: belongs to channel ${short(b.id)}, not ${short(a.id)}`
    })
    expect(short(a.id)).toMatch(/^[0-9a-f]{12}…$/)
  })

  it('a second open record, even when signed and linked', () => {
    const [open] = sample()
    const twice = forgeNext([open], owner.seed, { kind: RecordKind.open, epoch: 0, body: open.body })
    expect(verifyChain(twice, owner.publicKey)).toEqual({
      ok: false,
      problem: 'bad-kind',
      index: 1,
      message: 'record 1: only the first record may be an open record'
    })
  })

  it('a signature that does not verify', () => {
    const records = sample()
    const sig = records[2].signature.slice()
    sig[0] ^= 1
    records[2] = { ...records[2], signature: sig }
    expect(verifyChain(records, owner.publicKey)).toEqual({
      ok: false,
      problem: 'bad-signature',
      index: 2,
      message: "record 2: the owner's signature does not verify (edited or forged)"
    })
  })

  it('a record that does not link to the one before it, with both hashes abbreviated', () => {
    const records = sample()
    const prev = new Uint8Array(32).fill(7)
    records[1] = resign(records[1], owner.seed, { prev })
    expect(verifyChain(records, owner.publicKey)).toEqual({
      ok: false,
      problem: 'bad-link',
      index: 1,
      message: `record 1: does not link to the record before it (${short(prev)} ≠ ${short(recordHash(records[0]))})`
    })
  })

  it('a record in the wrong epoch, named by its kind', () => {
    const records = sample()
    expect(verifyChain([...records.slice(0, 2), resign(records[2], owner.seed, { epoch: 5 })], owner.publicKey)).toEqual({
      ok: false,
      problem: 'bad-epoch',
      index: 2,
      message: 'record 2: data record in epoch 5, expected 0'
    })
    expect(verifyChain([...records.slice(0, 3), resign(records[3], owner.seed, { epoch: 2 })], owner.publicKey)).toEqual({
      ok: false,
      problem: 'bad-epoch',
      index: 3,
      message: 'record 3: rotate record in epoch 2, expected 1'
    })
  })

  it('a control record with a non-zero nonce', () => {
    const records = sample()
    records[1] = resign(records[1], owner.seed, { nonce: new Uint8Array(24).fill(1) })
    expect(verifyChain(records, owner.publicKey)).toEqual({
      ok: false,
      problem: 'malformed',
      index: 1,
      message: "record 1: a control record's nonce must be zero"
    })
  })

  it('a grant or a rotate record whose body does not parse, even when signed and linked', () => {
    const [open] = sample()
    expect(
      verifyChain(forgeNext([open], owner.seed, { kind: RecordKind.grant, epoch: 0, body: new Uint8Array([0, 0]) }), owner.publicKey)
    ).toEqual({ ok: false, problem: 'malformed', index: 1, message: "record 1: a control record carries at least the owner's wrap" })
    expect(
      verifyChain(forgeNext([open], owner.seed, { kind: RecordKind.rotate, epoch: 1, body: new Uint8Array([0, 1]) }), owner.publicKey)
    ).toEqual({ ok: false, problem: 'malformed', index: 1, message: 'record 1: control body ends inside wrap 0' })
  })

  it('a data record shorter than a type byte and a tag (17 bytes); 17 bytes pass the chain check', () => {
    const [open] = sample()
    const nonce = new Uint8Array(24).fill(4)
    expect(
      verifyChain(forgeNext([open], owner.seed, { kind: RecordKind.data, epoch: 0, nonce, body: new Uint8Array(16) }), owner.publicKey)
    ).toEqual({ ok: false, problem: 'malformed', index: 1, message: "record 1: a data record's ciphertext is at least 17 bytes" })
    expect(
      verifyChain(forgeNext([open], owner.seed, { kind: RecordKind.data, epoch: 0, nonce, body: new Uint8Array(17) }), owner.publicKey)
    ).toEqual({ ok: true })
  })

  it('a chain that does not end at the trusted head, with both hashes abbreviated', () => {
    const records = sample()
    const head = recordHash(records[4])
    expect(verifyChain(records.slice(0, 4), owner.publicKey, { head })).toEqual({
      ok: false,
      problem: 'head-mismatch',
      index: 4,
      message:
        `the chain ends at ${short(recordHash(records[3]))}, not at the ` +
        `trusted head ${short(head)}: records are missing or added at the end`
    })
  })
})

describe('channelTip', () => {
  it('an empty list has no tip', () => {
    const err = thrown(() => channelTip([]))
    expect(err).toBeInstanceOf(RangeError)
    expect(err.message).toBe('an empty list of records has no tip')
  })
})
