/**
 * The two fixed layouts at their edges: a record (record.ts) and a control body (control.ts). Every bound is
 * tested on both sides (the largest value that is accepted, the first that is refused), and every refusal
 * by its class, code and the message that says what is wrong.
 */
import { describe, expect, it } from 'vitest'
import { KvartalError } from '@kvartal/protocol'
import {
  ChannelChainError,
  ChannelError,
  createChannel,
  decodeRecord,
  encodeRecord,
  MalformedRecordError,
  MAX_READERS,
  MAX_RECORD_BYTES,
  MAX_BODY_BYTES,
  OversizedChannelDataError,
  ReaderError,
  type ChannelRecord
} from '../src/index.ts'
import { decodeControl, encodeControl, parseOwnerKeyring, type Wrap } from '../src/control.ts'
import { party, thrown } from './forge.ts'

const malformed = (message: string) => ({ name: 'MalformedRecordError', code: 'channel-malformed', message })
const oversized = (what: string, size: number, max: number) => ({
  name: 'OversizedChannelDataError',
  code: 'channel-oversized',
  size,
  max,
  message: `${what} of ${size} exceeds the limit of ${max}; split it over several records`
})

describe('the error classes', () => {
  it('each names itself and carries its stable code', () => {
    const base = new ChannelError('channel-x', 'what went wrong')
    expect(base).toBeInstanceOf(KvartalError)
    expect(base).toMatchObject({ name: 'ChannelError', code: 'channel-x', message: 'what went wrong' })
    expect(new OversizedChannelDataError('payload (bytes)', 10, 9)).toMatchObject(oversized('payload (bytes)', 10, 9))
    expect(new MalformedRecordError('bad')).toMatchObject(malformed('bad'))
    expect(new ChannelChainError('bad-link', 'broken', 3)).toMatchObject({
      name: 'ChannelChainError',
      code: 'channel-chain',
      problem: 'bad-link',
      index: 3,
      message: 'broken'
    })
    expect(new ReaderError('who?')).toMatchObject({ name: 'ReaderError', code: 'channel-reader', message: 'who?' })
    for (const e of [
      new OversizedChannelDataError('x', 1, 0),
      new MalformedRecordError('x'),
      new ChannelChainError('x', 'x'),
      new ReaderError('x')
    ]) {
      expect(e).toBeInstanceOf(ChannelError)
    }
  })
})

describe('encodeRecord refuses fields that do not fit the layout', () => {
  const open = (): ChannelRecord => createChannel(party(1).seed).records[0]
  it.each<[string, Partial<ChannelRecord>, string]>([
    ['a short channel id', { channelId: new Uint8Array(31) }, 'channel id is 32 bytes, got 31'],
    ['a long prev', { prev: new Uint8Array(33) }, 'prev is 32 bytes, got 33'],
    ['a short nonce', { nonce: new Uint8Array(23) }, 'nonce is 24 bytes, got 23'],
    ['a negative index', { index: -1 }, 'index -1 is not a u32'],
    ['a fractional index', { index: 1.5 }, 'index 1.5 is not a u32'],
    ['an index of 2^32', { index: 2 ** 32 }, 'index 4294967296 is not a u32'],
    ['a negative epoch', { epoch: -1 }, 'epoch -1 is not a u32'],
    ['a fractional epoch', { epoch: 0.5 }, 'epoch 0.5 is not a u32'],
    ['an epoch of 2^32', { epoch: 2 ** 32 }, 'epoch 4294967296 is not a u32'],
    ['a short signature', { signature: new Uint8Array(63) }, 'signature is 64 bytes, got 63']
  ])('%s', (_, change, message) => {
    const err = thrown(() => encodeRecord({ ...open(), ...change }))
    expect(err).toBeInstanceOf(MalformedRecordError)
    expect(err).toMatchObject(malformed(message))
  })

  it('index and epoch 2^32 − 1 are the largest that encode, and decode back', () => {
    const r = { ...open(), index: 0xffff_ffff, epoch: 0xffff_ffff }
    const bytes = encodeRecord(r)
    expect([...bytes.subarray(34, 38)]).toEqual([0xff, 0xff, 0xff, 0xff])
    expect(decodeRecord(bytes)).toEqual(r)
  })

  it('a body of MAX_BODY_BYTES makes a record of MAX_RECORD_BYTES, which decodes; one byte more is refused both ways', () => {
    const r = { ...open(), body: new Uint8Array(MAX_BODY_BYTES).fill(3) }
    const bytes = encodeRecord(r)
    expect(bytes.length).toBe(MAX_RECORD_BYTES)
    const back = decodeRecord(bytes)
    expect(Buffer.from(back.body).equals(Buffer.from(r.body))).toBe(true) // (toEqual on 96 KiB is slow)
    expect({ ...back, body: undefined }).toEqual({ ...r, body: undefined })
    const body = thrown(() => encodeRecord({ ...r, body: new Uint8Array(MAX_BODY_BYTES + 1) }))
    expect(body).toBeInstanceOf(OversizedChannelDataError)
    expect(body).toMatchObject(oversized('record body (bytes)', MAX_BODY_BYTES + 1, MAX_BODY_BYTES))
    const record = thrown(() => decodeRecord(new Uint8Array(MAX_RECORD_BYTES + 1)))
    expect(record).toBeInstanceOf(OversizedChannelDataError)
    expect(record).toMatchObject(oversized('record (bytes)', MAX_RECORD_BYTES + 1, MAX_RECORD_BYTES))
  })
})

describe('decodeRecord refuses bytes that are not a record', () => {
  const record = (): Uint8Array => encodeRecord(createChannel(party(1).seed).records[0])

  it('the shortest record is a header and a signature with an empty body; one byte less is refused', () => {
    const empty = encodeRecord({ ...decodeRecord(record()), body: new Uint8Array(0) })
    expect(empty.length).toBe(166)
    expect(decodeRecord(empty).body).toEqual(new Uint8Array(0))
    for (const n of [165, 100, 0]) {
      const err = thrown(() => decodeRecord(empty.subarray(0, n)))
      expect(err).toBeInstanceOf(MalformedRecordError)
      expect(err).toMatchObject(malformed(`a record is at least 166 bytes, got ${n}`))
    }
  })

  it('names an unsupported version, an unknown kind and a body length that does not match', () => {
    const bytes = record()
    const v2 = bytes.slice()
    v2[0] = 2
    expect(thrown(() => decodeRecord(v2))).toMatchObject(malformed('record version 2 is not supported (this library reads 1)'))
    const kind3 = bytes.slice()
    kind3[1] = 3
    expect(decodeRecord(kind3).kind).toBe(3)
    const kind4 = bytes.slice()
    kind4[1] = 4
    const err = thrown(() => decodeRecord(kind4))
    expect(err).toBeInstanceOf(MalformedRecordError)
    expect(err).toMatchObject(malformed('unknown record kind 4'))
    const longer = new Uint8Array(bytes.length + 1)
    longer.set(bytes)
    const n = bytes.length - 166
    expect(thrown(() => decodeRecord(longer))).toMatchObject(
      malformed(`body length ${n} does not match a record of ${bytes.length + 1} bytes`)
    )
  })
})

describe('control bodies', () => {
  const wrap = (len: number, fill: number): Wrap => ({
    ephemeral: new Uint8Array(32).fill(fill),
    wrapped: new Uint8Array(len).fill(fill + 1)
  })
  const owner = new Uint8Array(32).fill(7)
  const channelNonce = new Uint8Array(16).fill(8)
  // open layout: owner 0..32, channel nonce 32..48, count 48..50, wrap 0 at 50 (32 + 2 + 48 bytes), wrap 1 at 132 (32 + 2 + 32): 198 bytes
  // a function, not a constant: what is built while the file loads escapes Stryker's mutants (they are switched on per test)
  const openBody = (): Uint8Array => encodeControl({ owner, channelNonce, wraps: [wrap(48, 1), wrap(32, 3)] })

  it('decode what encode wrote, open or not', () => {
    expect(openBody().length).toBe(198)
    expect(decodeControl(openBody(), true)).toEqual({ owner, channelNonce, wraps: [wrap(48, 1), wrap(32, 3)] })
    expect(decodeControl(encodeControl({ wraps: [wrap(0, 5)] }), false)).toEqual({
      owner: undefined,
      channelNonce: undefined,
      wraps: [wrap(0, 5)]
    })
  })

  it('every strict prefix of a body is refused as malformed, never with another error', () => {
    const body = openBody()
    for (let n = 0; n < body.length; n++) {
      expect(() => decodeControl(body.subarray(0, n), true), `prefix of ${n} bytes`).toThrow(MalformedRecordError)
    }
  })

  it.each([
    [47, 'the owner key and channel nonce'],
    [20, 'the owner key and channel nonce'],
    [49, 'the wrap count'],
    [60, 'wrap 0'],
    [83, 'wrap 0'],
    [100, 'wrap 0'],
    [150, 'wrap 1'],
    [197, 'wrap 1']
  ])('a body cut at %i bytes ends inside %s', (n, what) => {
    expect(thrown(() => decodeControl(openBody().subarray(0, n), true))).toMatchObject(malformed(`control body ends inside ${what}`))
  })

  it('refuses no wrap at all, more wraps than MAX_READERS + 1, and trailing bytes', () => {
    expect(thrown(() => decodeControl(new Uint8Array([0, 0]), false))).toMatchObject(
      malformed("a control record carries at least the owner's wrap")
    )
    const tooMany = thrown(() => decodeControl(new Uint8Array([1, 2]), false)) // 258
    expect(tooMany).toBeInstanceOf(OversizedChannelDataError)
    expect(tooMany).toMatchObject(oversized('wraps (count)', MAX_READERS + 2, MAX_READERS + 1))
    // 257 wraps are allowed: this body then ends inside the first
    expect(thrown(() => decodeControl(new Uint8Array([1, 1]), false))).toMatchObject(malformed('control body ends inside wrap 0'))
    const trailing = new Uint8Array(198 + 3)
    trailing.set(openBody())
    const err = thrown(() => decodeControl(trailing, true))
    expect(err).toBeInstanceOf(MalformedRecordError)
    expect(err).toMatchObject(malformed('control body has 3 trailing bytes'))
  })

  it('encodes at most MAX_READERS + 1 wraps', () => {
    const wraps = Array.from({ length: MAX_READERS + 1 }, (_, i) => wrap(48, i % 200))
    expect(decodeControl(encodeControl({ wraps }), false).wraps).toHaveLength(MAX_READERS + 1)
    const err = thrown(() => encodeControl({ wraps: [...wraps, wrap(48, 0)] }))
    expect(err).toBeInstanceOf(OversizedChannelDataError)
    expect(err).toMatchObject(oversized('wraps (count)', MAX_READERS + 2, MAX_READERS + 1))
  })

  it('encodes a wrap only with a 32-byte ephemeral key and at most 65535 wrapped bytes', () => {
    const message = 'a wrap has a 32-byte ephemeral key and at most 65535 wrapped bytes'
    for (const bad of [
      { ephemeral: new Uint8Array(31), wrapped: new Uint8Array(48) },
      { ephemeral: new Uint8Array(33), wrapped: new Uint8Array(48) },
      wrap(0x10000, 1)
    ]) {
      const err = thrown(() => encodeControl({ wraps: [wrap(48, 1), bad] }))
      expect(err).toBeInstanceOf(MalformedRecordError)
      expect(err).toMatchObject(malformed(message))
    }
    expect(decodeControl(encodeControl({ wraps: [wrap(0xffff, 1)] }), false).wraps[0].wrapped).toHaveLength(0xffff)
  })

  it('an owner keyring is a content key and whole 32-byte reader keys', () => {
    for (const n of [0, 31, 33, 63, 65]) {
      const err = thrown(() => parseOwnerKeyring(new Uint8Array(n)))
      expect(err).toBeInstanceOf(MalformedRecordError)
      expect(err).toMatchObject(malformed('owner keyring has a bad length'))
    }
    expect(parseOwnerKeyring(new Uint8Array(32).fill(1))).toEqual({ contentKey: new Uint8Array(32).fill(1), readers: [] })
    const two = new Uint8Array(96)
    two.fill(1, 0, 32)
    two.fill(2, 32, 64)
    two.fill(3, 64)
    expect(parseOwnerKeyring(two)).toEqual({
      contentKey: new Uint8Array(32).fill(1),
      readers: [new Uint8Array(32).fill(2), new Uint8Array(32).fill(3)]
    })
  })
})
