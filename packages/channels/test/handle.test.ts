/**
 * The owner's handle (createChannel, openChannel, Channel) and readChannel at their edges: what the getters
 * hand out, what grant/revoke/append refuse and with which message, and what openChannel and readChannel do
 * with records the library itself never writes (made by hand and signed by the real owner, see forge.ts).
 */
import { describe, expect, it } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { x25519 } from '@noble/curves/ed25519.js'
import {
  ChannelChainError,
  channelIdOf,
  createChannel,
  MAX_PAYLOAD_BYTES,
  openChannel,
  OversizedChannelDataError,
  readChannel,
  ReaderError,
  RecordKind,
  type ChannelRecord
} from '../src/index.ts'
import { encodeControl, ownerKeyring, wrapFor } from '../src/control.ts'
import { forgeData, forgeNext, ownerContentKey, party, thrown } from './forge.ts'

const owner = party(1)
const alice = party(2)
const bob = party(3)

describe('the getters', () => {
  it('id, owner, epoch and tip describe the channel', () => {
    const ch = createChannel(owner.seed)
    const open = ch.records[0]
    expect(ch.id).toEqual(open.channelId)
    expect(ch.id).toEqual(channelIdOf(owner.publicKey, open.body.subarray(32, 48)))
    expect(ch.owner).toEqual(owner.publicKey)
    expect(ch.epoch).toBe(0)
    ch.rotate()
    expect(ch.tip).toEqual({ channelId: open.channelId, index: 1, epoch: 1, head: ch.head })
  })

  it('records and readers are copies: changing what they return changes nothing in the channel', () => {
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    ch.append({ n: 1 })
    const records = ch.records as ChannelRecord[]
    records.length = 0
    expect(ch.records).toHaveLength(3)
    const readers = ch.readers as Uint8Array[]
    readers.push(bob.x25519)
    expect(ch.readers).toEqual([alice.x25519])
    ch.revoke(alice.publicKey)
    expect(ch.readers).toEqual([])
  })
})

describe('grant and revoke refuse, with a ReaderError that says why, and write nothing', () => {
  const refusal = (message: string | RegExp) => ({
    name: 'ReaderError',
    code: 'channel-reader',
    message: typeof message === 'string' ? message : expect.stringMatching(message)
  })
  const notAPoint = new Uint8Array(32)
  notAPoint[0] = 2 // y = 2 is on no Ed25519 point
  it.each<[string, Parameters<ReturnType<typeof createChannel>['grant']>[0], string | RegExp]>([
    ['an Ed25519 key of 31 bytes', new Uint8Array(31), "a reader's Ed25519 public key is 32 bytes, got 31"],
    ['an Ed25519 key of 33 bytes', new Uint8Array(33), "a reader's Ed25519 public key is 32 bytes, got 33"],
    ['32 bytes that are no Ed25519 point', notAPoint, /^not an Ed25519 public key: ./],
    ['an X25519 key of 31 bytes', { x25519: new Uint8Array(31).fill(9) }, 'an X25519 public key is 32 bytes, got 31'],
    ['a low-order X25519 point', { x25519: new Uint8Array(32) }, 'not a usable X25519 public key (low-order point)'],
    ['the owner itself', owner.publicKey, 'the owner reads its own channel without a grant'],
    ['the owner itself as X25519', { x25519: owner.x25519 }, 'the owner reads its own channel without a grant']
  ])('grant: %s', (_, reader, message) => {
    const ch = createChannel(owner.seed)
    const err = thrown(() => ch.grant(reader))
    expect(err).toBeInstanceOf(ReaderError)
    expect(err).toMatchObject(refusal(message))
    expect(ch.records).toHaveLength(1)
    expect(() => ch.revoke(reader)).toThrow(ReaderError)
  })

  it('grant twice in one epoch; revoke a reader without a grant', () => {
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    expect(thrown(() => ch.grant(alice.publicKey))).toMatchObject(refusal('this reader is already granted the current epoch'))
    expect(thrown(() => ch.grant({ x25519: alice.x25519 }))).toMatchObject(refusal('this reader is already granted the current epoch'))
    expect(thrown(() => ch.revoke(bob.publicKey))).toMatchObject(refusal('this reader holds no grant in the current epoch'))
    expect(ch.records).toHaveLength(2)
  })
})

describe('append refuses what it cannot carry', () => {
  it('a payload JSON cannot represent', () => {
    const ch = createChannel(owner.seed)
    const err = thrown(() => ch.append((() => 1) as unknown as object))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toBe('payload is not JSON-serialisable')
    expect(ch.records).toHaveLength(1)
  })

  it('a payload over MAX_PAYLOAD_BYTES, named with its size', () => {
    const ch = createChannel(owner.seed)
    const err = thrown(() => ch.append(new Uint8Array(MAX_PAYLOAD_BYTES + 1)))
    expect(err).toBeInstanceOf(OversizedChannelDataError)
    expect(err).toMatchObject({
      code: 'channel-oversized',
      size: MAX_PAYLOAD_BYTES + 1,
      max: MAX_PAYLOAD_BYTES,
      message: `payload (bytes) of ${MAX_PAYLOAD_BYTES + 1} exceeds the limit of ${MAX_PAYLOAD_BYTES}; split it over several records`
    })
  })
})

describe('openChannel', () => {
  it('a channel with no grant yet reopens with no readers', () => {
    const ch = createChannel(owner.seed)
    const resumed = openChannel(owner.seed, ch.records)
    expect(resumed.readers).toEqual([])
    expect(resumed.epoch).toBe(0)
    resumed.grant(alice.publicKey)
    expect(resumed.readers).toEqual([alice.x25519])
  })

  it('keeps its own copy of the records it was given', () => {
    const stored = createChannel(owner.seed).records.slice()
    const resumed = openChannel(owner.seed, stored)
    resumed.append({ n: 1 })
    expect(stored).toHaveLength(1)
    expect(resumed.records).toHaveLength(2)
  })

  it("says why it refuses a chain that is not this seed's", () => {
    const ch = createChannel(owner.seed)
    const err = thrown(() => openChannel(alice.seed, ch.records))
    expect(err).toBeInstanceOf(ChannelChainError)
    expect(err).toMatchObject({
      name: 'ChannelChainError',
      code: 'channel-chain',
      problem: 'wrong-owner',
      index: 0,
      message: 'cannot open channel: record 0: the channel does not belong to the given owner key'
    })
  })

  it("refuses a chain signed by the owner whose owner wrap does not open with the owner's seed", () => {
    const ch = createChannel(owner.seed)
    const key = ownerContentKey(ch.records, owner.seed, 0)
    // a grant whose first wrap, the owner's keyring, is addressed to alice instead
    const body = encodeControl({
      wraps: [wrapFor(alice.x25519, ownerKeyring(key, [alice.x25519]), ch.id, 0), wrapFor(alice.x25519, key, ch.id, 0)]
    })
    const records = forgeNext(ch.records, owner.seed, { kind: RecordKind.grant, epoch: 0, body })
    const err = thrown(() => openChannel(owner.seed, records))
    expect(err).toBeInstanceOf(ChannelChainError)
    expect(err).toMatchObject({
      problem: 'owner-keyring',
      index: 1,
      message: "cannot open channel: record 1's owner wrap does not open with this seed"
    })
  })
})

describe('readChannel', () => {
  it('reads an empty list as an empty channel', () => {
    expect(readChannel([], alice.seed)).toEqual({
      chain: { ok: false, problem: 'empty', message: 'no records: a channel starts with its open record' },
      owner: undefined,
      channelId: undefined,
      entries: [],
      unreadable: [],
      epochs: []
    })
  })

  it('verifies against the owner the caller names, not the one the open record names', () => {
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    ch.append({ n: 1 })
    const read = readChannel(ch.records, alice.seed, { owner: bob.publicKey })
    expect(read.owner).toEqual(bob.publicKey)
    expect(read.chain).toMatchObject({ ok: false, problem: 'wrong-owner', index: 0 })
    expect(read.entries).toEqual([])
    expect(readChannel(ch.records, alice.seed, { owner: owner.publicKey }).entries.map(e => e.value)).toEqual([{ n: 1 }])
  })

  it('takes the owner only from a record of kind open, not from an open body in another kind', () => {
    const [open] = createChannel(owner.seed).records
    const read = readChannel([{ ...open, kind: RecordKind.grant }], owner.seed)
    expect(read.owner).toBeUndefined()
    expect(read.chain).toMatchObject({ ok: false, problem: 'bad-kind', index: 0 })
    expect(read.channelId).toEqual(open.channelId)
  })

  it('an entry whose type byte is unknown, whose JSON does not parse or is not UTF-8 is unreadable, not an error', () => {
    const ch = createChannel(owner.seed)
    ch.grant(alice.publicKey)
    const key = ownerContentKey(ch.records, owner.seed, 0)
    const json = (s: string): Uint8Array => new Uint8Array([1, ...new TextEncoder().encode(s)])
    let records = ch.records
    records = forgeData(records, owner.seed, key, 0, new Uint8Array([2, 1, 2, 3])) // index 2: type 2 does not exist
    records = forgeData(records, owner.seed, key, 0, json('{"n":')) // 3: not JSON
    records = forgeData(records, owner.seed, key, 0, new Uint8Array([1, 0xff, 0xfe])) // 4: not UTF-8
    records = forgeData(records, owner.seed, key, 0, new Uint8Array([0, 1, 2, 3])) // 5: raw bytes
    records = forgeData(records, owner.seed, key, 0, json('{"n":5}')) // 6
    for (const who of [owner, alice]) {
      const read = readChannel(records, who.seed)
      expect(read.chain.ok).toBe(true)
      expect(read.unreadable).toEqual([
        { index: 2, epoch: 0 },
        { index: 3, epoch: 0 },
        { index: 4, epoch: 0 }
      ])
      expect(read.entries).toEqual([
        { index: 5, epoch: 0, bytes: new Uint8Array([1, 2, 3]), value: new Uint8Array([1, 2, 3]) },
        { index: 6, epoch: 0, bytes: new TextEncoder().encode('{"n":5}'), value: { n: 5 } }
      ])
    }
  })

  it('skips a wrap that opens but holds less than a key, and takes the next one', () => {
    const ch = createChannel(owner.seed)
    const key = ownerContentKey(ch.records, owner.seed, 0)
    const body = encodeControl({
      wraps: [
        wrapFor(owner.x25519, ownerKeyring(key, [alice.x25519]), ch.id, 0),
        wrapFor(alice.x25519, key.slice(0, 16), ch.id, 0),
        wrapFor(alice.x25519, key, ch.id, 0)
      ]
    })
    let records = forgeNext(ch.records, owner.seed, { kind: RecordKind.grant, epoch: 0, body })
    records = forgeData(records, owner.seed, key, 0, new Uint8Array([1, ...new TextEncoder().encode('"hi"')]))
    const read = readChannel(records, alice.seed)
    expect(read.chain.ok).toBe(true)
    expect(read.epochs).toEqual([0])
    expect(read.entries.map(e => e.value)).toEqual(['hi'])
  })

  it('a reader with a separate X25519 key reads as one with a node key does', () => {
    const secret = sha256(new TextEncoder().encode('a fixed X25519 secret'))
    const ch = createChannel(owner.seed)
    ch.grant({ x25519: x25519.getPublicKey(secret) })
    ch.append({ n: 1 })
    const read = readChannel(ch.records, { x25519Secret: secret })
    expect(read).toMatchObject({ owner: owner.publicKey, channelId: ch.id, epochs: [0], unreadable: [] })
    expect(read.entries.map(e => e.value)).toEqual([{ n: 1 }])
  })
})
