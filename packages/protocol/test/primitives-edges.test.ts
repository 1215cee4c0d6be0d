/**
 * Edges of the small pieces that primitives.test.ts leaves: cancelling the first timer, a system-clock timer that
 * is not yet due, the memo of signature checks (what it keeps, what it never sees), a check that cannot run, a
 * new seed, and the errors' codes and where a configuration error says it is.
 */
import { describe, expect, it, vi } from 'vitest'
import {
  ConfigError,
  generateSeed,
  gossipTopicKind,
  mobilityZoneTopic,
  SimulatedClock,
  shareVerification,
  signerFromSeed,
  systemClock,
  UnsupportedVersionError,
  verificationMemoStats,
  verifySignature
} from '../src/index.ts'

describe('clocks', () => {
  it('cancelling the first timer set removes it, and only it', () => {
    const clock = new SimulatedClock(0)
    const fired: string[] = []
    const cancel = clock.at(5, () => fired.push('first'))
    clock.at(6, () => fired.push('second'))
    cancel()
    expect(clock.pendingTimers).toBe(1)
    clock.advanceTo(10)
    expect(fired).toEqual(['second'])
  })

  it('the system clock fires a timer at its time, not before', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      let fired = false
      systemClock.at(Date.now() + 10_000, () => {
        fired = true
      })
      vi.advanceTimersByTime(9_999)
      expect(fired).toBe(false)
      vi.advanceTimersByTime(1)
      expect(fired).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('signature checks', () => {
  const alice = signerFromSeed(new Uint8Array(32).fill(1))
  const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
  it('the memo keeps more than the last check', () => {
    shareVerification(true)
    try {
      const a = utf8('a')
      const b = utf8('b')
      expect(verifySignature(alice.publicKey, a, alice.sign(a))).toBe(true)
      expect(verifySignature(alice.publicKey, b, alice.sign(b))).toBe(true)
      expect(verifySignature(alice.publicKey, a, alice.sign(a))).toBe(true)
      expect(verificationMemoStats).toEqual({ hits: 1, misses: 2 })
    } finally {
      shareVerification(false)
    }
  })

  it('the memo keeps at most its size, dropping the oldest answer first', () => {
    const m = ['a', 'b', 'c', 'd'].map(utf8)
    const sigs = m.map(x => alice.sign(x))
    const ask = (i: number): boolean => verifySignature(alice.publicKey, m[i], sigs[i])
    shareVerification(true, { max: 3 })
    try {
      for (const i of [0, 1, 2, 3]) expect(ask(i)).toBe(true)
      expect(verificationMemoStats).toEqual({ hits: 0, misses: 4 })
      // d took a's place: b, c and d are answered from the memo, a is checked again
      for (const i of [1, 2, 3]) expect(ask(i)).toBe(true)
      expect(verificationMemoStats).toEqual({ hits: 3, misses: 4 })
      expect(ask(0)).toBe(true)
      expect(verificationMemoStats).toEqual({ hits: 3, misses: 5 })
      // a back in took b's place
      expect(ask(1)).toBe(true)
      expect(verificationMemoStats).toEqual({ hits: 3, misses: 6 })
    } finally {
      shareVerification(false)
    }
    for (const max of [0, -1, 1.5, Number.NaN])
      expect(() => shareVerification(true, { max })).toThrow(
        new RangeError(`the memo keeps a whole number of answers, at least 1, got ${max}`)
      )
    // a memo of one answer is a memo
    shareVerification(true, { max: 1 })
    try {
      expect(ask(0) && ask(0)).toBe(true)
      expect(verificationMemoStats).toEqual({ hits: 1, misses: 1 })
    } finally {
      shareVerification(false)
    }
  })

  it('a key or a signature of the wrong length is refused before the memo is asked', () => {
    shareVerification(true)
    try {
      const m = utf8('m')
      const s = alice.sign(m)
      expect(verifySignature(alice.publicKey.subarray(1), m, s)).toBe(false)
      expect(verifySignature(alice.publicKey, m, s.subarray(1))).toBe(false)
      expect(verifySignature(new Uint8Array(33), m, new Uint8Array(65))).toBe(false)
      expect(verificationMemoStats).toEqual({ hits: 0, misses: 0 })
    } finally {
      shareVerification(false)
    }
  })

  it('never throws: a message that is not bytes (from an untyped caller) does not verify', () => {
    const m = utf8('m')
    expect(verifySignature(alice.publicKey, undefined as never, alice.sign(m))).toBe(false)
    expect(verifySignature(alice.publicKey, 42 as never, alice.sign(m))).toBe(false)
  })

  it('a new seed is 32 random bytes that make a signer', () => {
    const a = generateSeed()
    const b = generateSeed()
    expect(a).toBeInstanceOf(Uint8Array)
    expect(a).toHaveLength(32)
    expect(a).not.toEqual(b)
    expect(signerFromSeed(a).publicKey).toHaveLength(32)
  })
})

describe('topics', () => {
  it('a topic is counted by its whole name: nothing before or after it', () => {
    for (const t of ['/kvartal/oslo/mobility/zone/u5r2/1', '/kvartal/oslo/offer/1', '/kvartal/oslo/feeder/f7/digest/1']) {
      expect(gossipTopicKind(`x${t}`), `x${t}`).toBe('other')
      expect(gossipTopicKind(`${t}x`), `${t}x`).toBe('other')
      expect(gossipTopicKind(t), t).not.toBe('other')
    }
  })

  it('a zone topic refuses what is not a geohash, quoting it', () => {
    expect(() => mobilityZoneTopic('oslo', 'U5')).toThrow(new RangeError('a zone is a geohash, got "U5"'))
  })
})

describe('errors', () => {
  it('an unsupported version is a protocol error with its code, rejected on', () => {
    expect(new UnsupportedVersionError(3)).toMatchObject({
      name: 'UnsupportedVersionError',
      code: 'unsupported-version',
      action: 'reject',
      message: 'wire version 3 is not supported (this node speaks 1)'
    })
  })

  it('a configuration error says where it is as a compiler would: file, then line and column when known', () => {
    expect(new ConfigError('meter.port', 'expected a number', { file: 'node.yaml', line: 12, column: 5 })).toMatchObject({
      message: 'node.yaml:12:5: meter.port: expected a number',
      field: 'meter.port',
      detail: 'expected a number',
      source: { file: 'node.yaml', line: 12, column: 5 }
    })
    expect(new ConfigError('a', 'b', { file: 'x.yaml', line: 3 }).message).toBe('x.yaml:3: a: b')
    expect(new ConfigError('a', 'b', { file: 'x.yaml', column: 0 }).message).toBe('x.yaml:0: a: b')
    expect(new ConfigError('a', 'b', { file: 'x.yaml' }).message).toBe('x.yaml: a: b')
    const bare = new ConfigError('a', 'b')
    expect(bare.message).toBe('a: b')
    expect(bare.source).toBeUndefined()
    expect(new ConfigError('a', 'b', { file: 'x.yaml' }).source).toEqual({ file: 'x.yaml' })
  })
})
