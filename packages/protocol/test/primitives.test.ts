/**
 * The small pieces every package builds on: slot arithmetic, the simulated clock, money, topics, keys, the
 * seeded PRNG and the error classes. Each expectation is worked out by hand from the definition in the
 * source's doc comment, not read back from the code.
 */
import { describe, expect, it } from 'vitest'
import {
  BadSignatureError,
  ConfigError,
  DiskFullError,
  JournalWriteError,
  KvartalError,
  ProtocolError,
  UnsupportedVersionError,
  ExpiredMessageError,
  JournalError,
  NegotiationError,
  OversizedMessageError,
  ReplayedMessageError,
  SimulatedClock,
  UnsignedMessageError,
  WrongDistrictError,
  WrongFeederError,
  assertWholeNonNegative,
  bytesEqual,
  costNanos,
  defaultSlotClockConfig,
  districtDigestTopic,
  feederDigestTopic,
  firstOpenSlot,
  fromHex,
  gateClosure,
  isDispatchable,
  mobilityTopic,
  mobilityZoneTopic,
  parseTopic,
  gossipTopicKind,
  seededRandom,
  shareVerification,
  shortId,
  signerFromSeed,
  slotAt,
  slotEnd,
  slotStart,
  systemClock,
  toHex,
  toNanosPerKwh,
  topicFor,
  verificationMemoStats,
  verifySignature,
  type Device
} from '../src/index.ts'

describe('slots', () => {
  const c = { epochMs: 1_000, slotMs: 100, gateClosureMs: 10 }
  it('a slot is [epoch + i·len, epoch + (i+1)·len), and its gate closes gateClosureMs before it starts', () => {
    expect(slotStart(c, 3)).toBe(1_300)
    expect(slotEnd(c, 3)).toBe(1_400)
    expect(gateClosure(c, 3)).toBe(1_290)
    expect(slotAt(c, 1_300)).toBe(3)
    expect(slotAt(c, 1_399)).toBe(3)
    expect(slotAt(c, 999)).toBe(-1)
  })
  it('the first open slot is the first whose gate is still open: a gate closing at this very moment is closed', () => {
    // slot 3 starts at 1300, its gate closes at 1290
    expect(firstOpenSlot(c, 1_289)).toBe(3)
    expect(firstOpenSlot(c, 1_290)).toBe(4)
    expect(firstOpenSlot(c, 1_200)).toBe(3) // slot 2 started at 1200: too late for it
    expect(firstOpenSlot({ ...c, gateClosureMs: 0 }, 1_300)).toBe(4)
    expect(firstOpenSlot({ ...c, gateClosureMs: 0 }, 1_299)).toBe(3)
  })
  it('the default is 15-minute slots from the Unix epoch with the gate one minute before', () => {
    expect(defaultSlotClockConfig).toEqual({ epochMs: 0, slotMs: 900_000, gateClosureMs: 60_000 })
  })
})

describe('the simulated clock', () => {
  it('fires due timers in time order, ties in the order they were set, and stops at the target', () => {
    const clock = new SimulatedClock(100)
    const fired: string[] = []
    clock.at(300, () => fired.push(`c@${clock.now()}`))
    clock.at(200, () => fired.push(`a@${clock.now()}`))
    clock.at(200, () => fired.push(`b@${clock.now()}`))
    clock.at(400, () => fired.push('late'))
    clock.advanceTo(300)
    expect(fired).toEqual(['a@200', 'b@200', 'c@300'])
    expect(clock.now()).toBe(300)
    expect(clock.pendingTimers).toBe(1)
    clock.advanceTo(250) // never backwards
    expect(clock.now()).toBe(300)
  })
  it('a timer set in the past fires at the present; a cancelled one never fires; timers set while firing run in the same advance', () => {
    const clock = new SimulatedClock(1_000)
    const fired: number[] = []
    clock.at(10, () => fired.push(clock.now()))
    const cancel = clock.at(1_500, () => fired.push(-1))
    cancel()
    cancel()
    clock.at(1_200, () => clock.at(1_300, () => fired.push(clock.now())))
    clock.advanceTo(2_000)
    expect(fired).toEqual([1_000, 1_300])
    expect(clock.now()).toBe(2_000)
    expect(clock.pendingTimers).toBe(0)
  })
  it('cancelling one timer leaves the others', () => {
    const clock = new SimulatedClock(0)
    const fired: string[] = []
    clock.at(5, () => fired.push('x'))
    const cancel = clock.at(5, () => fired.push('y'))
    clock.at(5, () => fired.push('z'))
    cancel()
    clock.advanceTo(5)
    expect(fired).toEqual(['x', 'z'])
  })
  it('the system clock reads Date.now, fires a timer, and a cancelled timer never fires', async () => {
    const before = Date.now()
    expect(systemClock.now()).toBeGreaterThanOrEqual(before)
    await new Promise<void>(resolve => {
      systemClock.at(Date.now() + 5, resolve)
    })
    let fired = false
    const cancel = systemClock.at(Date.now(), () => {
      fired = true
    })
    cancel()
    await new Promise<void>(resolve => {
      systemClock.at(Date.now() + 5, resolve)
    })
    expect(fired).toBe(false)
  })
})

describe('money', () => {
  it('rounds half a nano up and anything less down', () => {
    expect(costNanos(1, 500)).toBe(1) // 0.5 nanos
    expect(costNanos(1, 499)).toBe(0)
    expect(costNanos(1, 1_500)).toBe(2)
    expect(costNanos(0, 1_000)).toBe(0)
    expect(costNanos(2, 0)).toBe(0)
  })
  it('refuses negative, fractional and unsafe amounts naming what is wrong', () => {
    expect(() => costNanos(-1, 1)).toThrow(/^energy must be a non-negative safe integer, got -1$/)
    expect(() => costNanos(1, -1)).toThrow(/^price must be a non-negative safe integer, got -1$/)
    expect(() => assertWholeNonNegative(2 ** 53, 'x')).toThrow(RangeError)
    expect(() => assertWholeNonNegative(0, 'x')).not.toThrow()
  })
  it('converts a decimal price at an exchange rate to whole nanos per kWh', () => {
    expect(toNanosPerKwh(0.45, 1_000_000_000)).toBe(450_000_000)
    expect(toNanosPerKwh(1.2345, 1_000)).toBe(1_235)
  })
})

describe('topics', () => {
  it('put a feeder in the topic only when there is one', () => {
    expect(topicFor('oslo', 'offer')).toBe('/kvartal/oslo/offer/1')
    expect(topicFor('oslo', 'bid', '')).toBe('/kvartal/oslo/bid/1')
    expect(topicFor('oslo', 'bid', 'f7')).toBe('/kvartal/oslo/feeder/f7/bid/1')
    expect(districtDigestTopic('oslo')).toBe('/kvartal/oslo/digest/1')
    expect(feederDigestTopic('oslo', 'f7')).toBe('/kvartal/oslo/feeder/f7/digest/1')
    expect(mobilityTopic('oslo')).toBe('/kvartal/oslo/mobility/1')
  })
  it('name what each topic carries, for counting', () => {
    expect(gossipTopicKind(topicFor('oslo', 'offer', 'f7'))).toBe('offer')
    expect(gossipTopicKind(topicFor('oslo', 'offer'))).toBe('offer')
    expect(gossipTopicKind(topicFor('oslo', 'bid', 'f7'))).toBe('bid')
    expect(gossipTopicKind(feederDigestTopic('oslo', 'f7'))).toBe('feederDigest')
    expect(gossipTopicKind(districtDigestTopic('oslo'))).toBe('districtDigest')
    expect(gossipTopicKind(mobilityTopic('oslo'))).toBe('mobility')
    expect(gossipTopicKind(mobilityZoneTopic('oslo', 'u5r2vx'))).toBe('mobility')
    expect(mobilityZoneTopic('oslo', 'u5r2vx')).toBe('/kvartal/oslo/mobility/zone/u5r2vx/1')
    for (const z of ['', 'U5R2', 'u5a2', 'u5/2', 'u5r2vxu5r2vxu']) expect(() => mobilityZoneTopic('oslo', z)).toThrow(RangeError)
    for (const t of ['/kvartal/oslo/feeder/f7/mobility/1', '/kvartal/oslo/offer/2', '/x/oslo/offer/1', '/kvartal/oslo/cake/1']) {
      expect(gossipTopicKind(t)).toBe('other')
    }
  })
  it('parse back what topicFor writes, and nothing else', () => {
    expect(parseTopic('/kvartal/oslo/offer/1')).toEqual({ district: 'oslo', kind: 'offer' })
    expect(parseTopic('/kvartal/oslo/feeder/f7/bid/1')).toEqual({ district: 'oslo', kind: 'bid', feeder: 'f7' })
    expect('feeder' in parseTopic('/kvartal/oslo/bid/1')!).toBe(false)
    for (const t of [
      '/kvartal/oslo/digest/1',
      '/kvartal/oslo/offer/2',
      'x/kvartal/oslo/offer/1',
      '/kvartal/oslo/offer/1x',
      '/kvartal//offer/1',
      '/kvartal/a/b/offer/1'
    ])
      expect(parseTopic(t)).toBeUndefined()
  })
})

describe('keys', () => {
  const alice = signerFromSeed(new Uint8Array(32).fill(1))
  const msg = new TextEncoder().encode('hello')
  it('a seed is 32 bytes', () => {
    expect(() => signerFromSeed(new Uint8Array(31))).toThrow(/^an Ed25519 seed is 32 bytes, got 31$/)
    expect(alice.publicKey).toHaveLength(32)
  })
  it('verifies a signature only with its key and message, and refuses wrong lengths without throwing', () => {
    const s = alice.sign(msg)
    expect(verifySignature(alice.publicKey, msg, s)).toBe(true)
    expect(verifySignature(alice.publicKey, new TextEncoder().encode('hellO'), s)).toBe(false)
    expect(verifySignature(alice.publicKey.subarray(1), msg, s)).toBe(false)
    expect(verifySignature(alice.publicKey, msg, s.subarray(1))).toBe(false)
    expect(verifySignature(new Uint8Array(32), msg, s)).toBe(false)
  })
  it(
    'with the process-wide memo on, a second check of the same inputs ' + 'is a hit with the same answer, and other inputs are new checks',
    () => {
      shareVerification(true)
      try {
        const s = alice.sign(msg)
        const bad = new Uint8Array(s)
        bad[0] ^= 1
        expect(verifySignature(alice.publicKey, msg, s)).toBe(true)
        expect(verifySignature(alice.publicKey, msg, s)).toBe(true)
        expect(verifySignature(alice.publicKey, msg, bad)).toBe(false)
        expect(verifySignature(alice.publicKey, msg, bad)).toBe(false)
        expect(verificationMemoStats).toEqual({ hits: 2, misses: 2 })
        shareVerification(true) // turning it on again resets the counts
        expect(verificationMemoStats).toEqual({ hits: 0, misses: 0 })
      } finally {
        shareVerification(false)
      }
      expect(verifySignature(alice.publicKey, msg, alice.sign(msg))).toBe(true)
      expect(verificationMemoStats).toEqual({ hits: 0, misses: 0 })
    }
  )
  it('hex, short ids and byte equality, including views into a larger buffer', () => {
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe('000fff')
    expect(fromHex('000fff')).toEqual(new Uint8Array([0, 15, 255]))
    expect(shortId(new Uint8Array([1, 2, 3, 4, 5, 6]))).toBe('01020304')
    const big = new Uint8Array([9, 1, 2, 3, 9])
    expect(bytesEqual(big.subarray(1, 4), new Uint8Array([1, 2, 3]))).toBe(true)
    expect(bytesEqual(big.subarray(1, 4), new Uint8Array([1, 2, 4]))).toBe(false)
    expect(bytesEqual(big.subarray(1, 4), new Uint8Array([1, 2]))).toBe(false)
  })
})

describe('the seeded PRNG', () => {
  // mulberry32 as published (Tommy Ettinger, in bryc's "PRNGs" collection), written as it is published
  const mulberry32 = (a: number) => () => {
    let t = (a += 0x6d2b79f5)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  it('is mulberry32: the same stream as the published algorithm, so a seed means the same run everywhere', () => {
    for (const seed of [0, 1, 42, 0xdeadbeef]) {
      const ours = seededRandom(seed)
      const ref = mulberry32(seed)
      expect(Array.from({ length: 1_000 }, ours)).toEqual(Array.from({ length: 1_000 }, ref))
    }
  })
  it('gives floats in [0, 1)', () => {
    const xs = Array.from({ length: 10_000 }, seededRandom(7))
    expect(xs.filter(x => !(x >= 0 && x < 1))).toEqual([])
    expect(new Set(xs).size).toBeGreaterThan(9_990)
  })
})

describe('errors', () => {
  it('have a stable name, code and gossip action', () => {
    const cases: Array<[Error, string, string, string | undefined]> = [
      [new OversizedMessageError(10, 5), 'OversizedMessageError', 'oversized', 'reject'],
      [new UnsignedMessageError(), 'UnsignedMessageError', 'unsigned', 'reject'],
      [new BadSignatureError(), 'BadSignatureError', 'bad-signature', 'reject'],
      [new ExpiredMessageError('old'), 'ExpiredMessageError', 'expired', 'ignore'],
      [new ReplayedMessageError('again'), 'ReplayedMessageError', 'replayed', 'ignore'],
      [new WrongDistrictError('a', 'b'), 'WrongDistrictError', 'wrong-district', 'reject'],
      [new WrongFeederError('a', 'b'), 'WrongFeederError', 'wrong-feeder', 'reject'],
      [new NegotiationError('timeout', 't'), 'NegotiationError', 'timeout', undefined],
      [new JournalError('j'), 'JournalError', 'journal', undefined],
      [new DiskFullError('full'), 'DiskFullError', 'disk-full', undefined],
      [new JournalWriteError('eio'), 'JournalWriteError', 'journal-write-failed', undefined]
    ]
    for (const [err, name, code, action] of cases)
      expect({ name: err.name, code: (err as { code?: string }).code, action: (err as { action?: string }).action }).toEqual({
        name,
        code,
        action
      })
    expect(new OversizedMessageError(10, 5).message).toBe('message of 10 bytes exceeds the limit of 5 bytes')
    expect(new WrongDistrictError('a', 'b').message).toBe('message for district "a" on the topic of "b"')
    expect(new WrongFeederError('a', 'b').message).toBe('message of feeder "a" on the topic of "b"')
    expect(new DiskFullError('full')).toBeInstanceOf(JournalError)
    expect(new JournalWriteError('eio')).toBeInstanceOf(JournalError)
  })
  it('a protocol error made directly is rejected on by default; its base is a KvartalError with its code', () => {
    expect(new ProtocolError('wrong-signer', 'not the provider')).toMatchObject({
      name: 'ProtocolError',
      code: 'wrong-signer',
      action: 'reject',
      message: 'not the provider'
    })
    expect(new ProtocolError('late', 'x', 'ignore').action).toBe('ignore')
    expect(new KvartalError('c', 'm')).toMatchObject({ name: 'KvartalError', code: 'c', message: 'm' })
    expect(new UnsupportedVersionError(7).message).toBe('wire version 7 is not supported (this node speaks 1)')
    expect(new UnsignedMessageError().message).toBe('message carries no signature')
  })
  it('a configuration error names the field', () => {
    expect(new ConfigError('meter.port', 'expected a number')).toMatchObject({
      message: 'meter.port: expected a number',
      field: 'meter.port',
      code: 'config',
      name: 'ConfigError'
    })
  })
})

describe('devices', () => {
  it('a device is dispatchable when it has a dispatch function', () => {
    const pv: Device = { id: 'pv', kind: 'pv', forecast: () => 1, measure: () => 1 }
    expect(isDispatchable(pv)).toBe(false)
    expect(isDispatchable({ ...pv, kind: 'battery', dispatch: () => 0, stateOfChargeWh: 0 } as Device)).toBe(true)
  })
})
