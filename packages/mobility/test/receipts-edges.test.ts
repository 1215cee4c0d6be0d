import { describe, expect, it } from 'vitest'
import {
  ReceiptLedger,
  ReceiptRejectedError,
  StaleReceiptError,
  UsageCheck,
  UsageError,
  UsageRejectedError,
  defaultUsageCheckOptions,
  fareNanos,
  receiptExposure,
  type PricingPlan,
  type ReceiptTerms,
  type UsageCheckInit,
  type UsageReport
} from '../src/index.ts'

// 1 IOTA unlock, 0.2 IOTA per started minute, 0.1 IOTA per started km
const plan: PricingPlan = {
  plan_id: 'scooter',
  currency: 'IOTA',
  price: 1_000_000_000,
  per_min_pricing: [{ start: 0, rate: 200_000_000, interval: 1 }],
  per_km_pricing: [{ start: 0, rate: 100_000_000, interval: 1 }]
}
const T0 = 1_750_000_000_000
const init: UsageCheckInit = { ride: 'ride-1', plan, maxSecondsPerReport: 30, maxMetresPerSecond: 15 }
const report = (seq: number, seconds: number, metres: number): UsageReport => ({ ride: 'ride-1', seq, usage: { seconds, metres }, at: T0 })
const terms = (nonce: number, seconds: number, metres: number, totalNanos = fareNanos(plan, { seconds, metres })): ReceiptTerms => ({
  ride: 'ride-1',
  nonce,
  usage: { seconds, metres },
  totalNanos
})

function refused(f: () => unknown): { name: string; code: string; message: string } {
  try {
    f()
  } catch (err) {
    const e = err as Error & { code: string }
    return { name: e.name, code: e.code, message: e.message }
  }
  throw new Error('expected a refusal')
}

describe('UsageCheck: what its refusals say', () => {
  it('names the malformed field of the set-up and of a report', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => new UsageCheck({ ...init, ride: '' }), 'ride must be a non-empty string'],
      [() => new UsageCheck({ ...init, cap: -1 }), 'cap must be a whole number of at least 0, got -1'],
      [() => new UsageCheck({ ...init, maxSecondsPerReport: 0 }), 'maxSecondsPerReport must be a whole number of at least 1, got 0'],
      [() => new UsageCheck({ ...init, maxMetresPerSecond: 0 }), 'maxMetresPerSecond must be a whole number of at least 1, got 0'],
      [() => new UsageCheck({ ...init, toleranceSeconds: -1 }), 'toleranceSeconds must be a whole number of at least 0, got -1'],
      [
        () => new UsageCheck({ ...init, resume: { ...terms(1, 1, 1), nonce: 0 } }),
        'resume.nonce must be a whole number of at least 1, got 0'
      ],
      [
        () => new UsageCheck({ ...init, resume: { ...terms(1, 1, 1), totalNanos: -1 } }),
        'resume.totalNanos must be a whole number of at least 0, got -1'
      ],
      [
        () => new UsageCheck({ ...init, resume: { ...terms(1, 1, 1), usage: { seconds: -1, metres: 0 } } }),
        'usage.seconds must be a whole non-negative number, got -1'
      ],
      [() => new UsageCheck(init).next(report(1, 1, 1), -1), 'now must be a whole number of at least 0, got -1'],
      [() => new UsageCheck(init).next(null as unknown as UsageReport, T0), 'a usage report must be an object'],
      [() => new UsageCheck(init).next('r' as unknown as UsageReport, T0), 'a usage report must be an object'],
      [() => new UsageCheck(init).next({ ...report(1, 1, 1), ride: '' }, T0), 'ride must be a non-empty string'],
      [() => new UsageCheck(init).next({ ...report(1, 1, 1), ride: 5 as unknown as string }, T0), 'ride must be a non-empty string'],
      [() => new UsageCheck(init).next(report(0, 1, 1), T0), 'seq must be a whole number of at least 1, got 0'],
      [() => new UsageCheck(init).next({ ...report(1, 1, 1), at: 0.5 }, T0), 'at must be a whole number of at least 0, got 0.5'],
      [
        () => new UsageCheck(init).next({ ...report(1, 1, 1), usage: null as unknown as UsageReport['usage'] }, T0),
        'usage must be an object with seconds and metres'
      ]
    ]
    for (const [f, message] of cases) expect(refused(f)).toEqual({ name: 'UsageRejectedError', code: 'malformed', message })
    // a whole number must be a number
    expect(refused(() => new UsageCheck({ ...init, cap: '5' as unknown as number })).code).toBe('malformed')
  })

  it('says which ride, seq, usage and bound a refused report broke', () => {
    expect(refused(() => new UsageCheck({ ...init, resume: { ...terms(1, 1, 1), ride: 'ride-2' } }))).toEqual({
      name: 'UsageRejectedError',
      code: 'wrong-ride',
      message: 'cannot resume ride ride-1 from a receipt for ride ride-2'
    })
    const c = new UsageCheck(init)
    expect(refused(() => c.next({ ...report(1, 1, 1), ride: 'ride-2' }, T0)).message).toBe(
      'report for ride ride-2 sent to the check of ride ride-1'
    )
    c.next(report(1, 10, 100), T0 + 10_000)
    expect(refused(() => c.next(report(1, 11, 100), T0 + 11_000)).message).toBe(
      'ride ride-1: report seq 1 is not after the last signed nonce 1'
    )
    expect(refused(() => c.next(report(2, 9, 100), T0 + 11_000)).message).toBe(
      'ride ride-1: usage went back from 10 s, 100 m to 9 s, 100 m'
    )
    expect(refused(() => c.next(report(2, 41, 100), T0 + 60_000)).message).toBe(
      'ride ride-1: one report adds 31 s, more than the 30 s allowed per report'
    )
    expect(refused(() => c.next(report(2, 25, 100), T0 + 20_000)).message).toBe(
      "ride ride-1: 15 s metered while 10 s passed on the traveller's clock (tolerance 2 s)"
    )
    expect(refused(() => c.next(report(2, 20, 266), T0 + 20_000)).message).toBe(
      'ride ride-1: 166 m in 10 s is faster than 15 m/s (at most 165 m)'
    )
    const capped = new UsageCheck({ ...init, cap: 1_200_000_000 })
    expect(refused(() => capped.next(report(1, 1, 1), T0))).toEqual({
      name: 'UsageRejectedError',
      code: 'over-cap',
      message: "ride ride-1: the fare 1300000000 nanos for 1 s, 1 m exceeds the traveller's cap of 1200000000 nanos"
    })
  })
})

describe('UsageCheck: an older seq', () => {
  it('is stale even when it repeats the usage of the last signed terms', () => {
    const c = new UsageCheck(init)
    c.next(report(1, 10, 100), T0 + 10_000)
    const b = c.next(report(2, 20, 100), T0 + 20_000)
    expect(refused(() => c.next(report(1, 20, 100), T0 + 21_000))).toEqual({
      name: 'UsageRejectedError',
      code: 'stale',
      message: 'ride ride-1: report seq 1 is not after the last signed nonce 2'
    })
    expect(c.last).toBe(b)
  })
})

describe('UsageCheck: the clock check and its defaults', () => {
  it('allows two seconds of slack by default, and the slack it is given', () => {
    expect(defaultUsageCheckOptions.toleranceSeconds).toBe(2)
    const c = new UsageCheck(init)
    expect(c.toleranceSeconds).toBe(2)
    c.next(report(1, 0, 0), T0)
    expect(refused(() => c.next(report(2, 13, 0), T0 + 10_000)).code).toBe('implausible-time')
    expect(c.next(report(2, 12, 0), T0 + 10_000).nonce).toBe(2)
    const strict = new UsageCheck({ ...init, toleranceSeconds: 0 })
    strict.next(report(1, 0, 0), T0)
    expect(refused(() => strict.next(report(2, 11, 0), T0 + 10_000)).code).toBe('implausible-time')
    expect(strict.next(report(2, 10, 0), T0 + 10_000).nonce).toBe(2)
  })

  it("rounds the traveller's clock up to whole seconds, and a clock that went back counts as no time", () => {
    const c = new UsageCheck({ ...init, toleranceSeconds: 0 })
    c.next(report(1, 0, 0), T0)
    expect(c.next(report(2, 2, 0), T0 + 1_001).nonce).toBe(2) // 1.001 s is 2 started seconds
    const back = new UsageCheck({ ...init, toleranceSeconds: 0 })
    back.next(report(1, 5, 0), T0)
    expect(refused(() => back.next(report(2, 6, 0), T0 - 10_000)).code).toBe('implausible-time')
    expect(back.next(report(2, 5, 10), T0 - 10_000).nonce).toBe(2)
  })

  it('counts the clock from the first report it accepted, not from one it refused', () => {
    const c = new UsageCheck({ ...init, toleranceSeconds: 0 })
    expect(refused(() => c.next(report(1, 31, 0), T0)).code).toBe('implausible-time')
    c.next(report(1, 0, 0), T0 + 5_000)
    expect(refused(() => c.next(report(2, 6, 0), T0 + 10_000)).code).toBe('implausible-time')
    expect(c.next(report(2, 5, 0), T0 + 10_000).nonce).toBe(2)
  })

  it('returns frozen terms, usage included, and a resumed check keeps the clock check off until its first report', () => {
    const c = new UsageCheck(init)
    const t = c.next(report(1, 10, 100), T0)
    expect(Object.isFrozen(t.usage)).toBe(true)
    const again = new UsageCheck({ ...init, resume: t })
    expect(Object.isFrozen(again.last)).toBe(true)
    expect(Object.isFrozen(again.last!.usage)).toBe(true)
    // 20 s after the resume point, whenever the traveller's clock says it is
    expect(again.next(report(2, 30, 100), T0).nonce).toBe(2)
    expect(new UsageCheck(init).cap).toBeUndefined()
  })
})

describe('ReceiptLedger: what its refusals say', () => {
  it('names the malformed field', () => {
    const l = new ReceiptLedger()
    const cases: Array<[unknown, string]> = [
      [null, 'a receipt must be an object'],
      ['r', 'a receipt must be an object'],
      [{ ...terms(1, 1, 1), ride: '' }, 'ride must be a non-empty string'],
      [{ ...terms(1, 1, 1), ride: 3 }, 'ride must be a non-empty string'],
      [{ ...terms(1, 1, 1), nonce: 0 }, 'nonce must be a whole number of at least 1, got 0'],
      [{ ...terms(1, 1, 1), totalNanos: 1.5 }, 'totalNanos must be a whole number of at least 0, got 1.5'],
      [{ ...terms(1, 1, 1), usage: { seconds: 1, metres: -1 } }, 'usage.metres must be a whole non-negative number, got -1']
    ]
    for (const [t, message] of cases) {
      expect(refused(() => l.apply(t as ReceiptTerms, plan))).toEqual({ name: 'ReceiptRejectedError', code: 'malformed', message })
    }
    expect(refused(() => l.apply(terms(1, 1, 1), plan, -1)).message).toBe('cap must be a whole number of at least 0, got -1')
    expect(refused(() => l.apply(terms(1, 1, 1), plan, '9' as unknown as number)).code).toBe('malformed')
    expect(l.latest('ride-1')).toBeUndefined()
  })

  it('says which receipt it holds against the one refused', () => {
    const l = new ReceiptLedger()
    l.apply(terms(2, 60, 500), plan)
    const stale = refused(() => l.apply(terms(1, 10, 50), plan))
    expect(stale).toEqual({
      name: 'StaleReceiptError',
      code: 'stale',
      message: 'ride ride-1: receipt nonce 1 is older than the held nonce 2'
    })
    expect(new StaleReceiptError('r', 1, 2)).toBeInstanceOf(ReceiptRejectedError)
    expect(refused(() => l.apply(terms(2, 61, 500), plan)).message).toBe('ride ride-1: a different receipt with nonce 2 is already held')
    expect(refused(() => l.apply(terms(3, 59, 600), plan))).toEqual({
      name: 'ReceiptRejectedError',
      code: 'usage-decreased',
      message: 'ride ride-1: receipt usage 59 s, 600 m is below the held 60 s, 500 m'
    })
    expect(refused(() => l.apply(terms(3, 70, 600, 1), plan))).toEqual({
      name: 'ReceiptRejectedError',
      code: 'total-decreased',
      message: `ride ride-1: receipt total 1 is below the held total ${fareNanos(plan, { seconds: 60, metres: 500 })}`
    })
    expect(refused(() => l.apply(terms(3, 70, 600), plan, 1_000)).message).toBe(
      'ride ride-1: receipt total 1500000000 exceeds the cap of 1000 nanos'
    )
    expect(refused(() => l.apply(terms(3, 70, 600, 1_600_000_000), plan)).message).toBe(
      'ride ride-1: receipt total 1600000000 exceeds the fare 1500000000 that plan scooter charges for 70 s, 600 m'
    )
  })

  it('accepts the same nonce with the same terms only, and a receipt equal to the held total and usage with a later nonce', () => {
    const l = new ReceiptLedger()
    l.apply(terms(1, 60, 500), plan)
    expect(refused(() => l.apply(terms(1, 60, 501), plan)).code).toBe('conflict')
    expect(refused(() => l.apply(terms(1, 61, 500), plan)).code).toBe('conflict')
    expect(l.apply(terms(2, 60, 500), plan)).toBe('applied')
    expect(l.latest('ride-1')?.nonce).toBe(2)
    expect(Object.isFrozen(l.latest('ride-1'))).toBe(true)
    expect(Object.isFrozen(l.latest('ride-1')!.usage)).toBe(true)
    // the cap is the lower of max_price and the agreed cap
    const capped = { ...plan, max_price: 1_400_000_000 }
    const m = new ReceiptLedger()
    expect(refused(() => m.apply(terms(1, 600, 100, 1_400_000_001), capped, 1_500_000_000)).message).toMatch(/cap of 1400000000 nanos$/)
    expect(m.apply(terms(1, 600, 100, 1_300_000_000), capped, 1_300_000_000)).toBe('applied')
  })
})

describe('receiptExposure', () => {
  it('refuses metered use plus a tick beyond safe integers, in seconds or in metres', () => {
    const big = Number.MAX_SAFE_INTEGER
    for (const [metered, tick] of [
      [
        { seconds: big, metres: 0 },
        { seconds: 1, metres: 0 }
      ],
      [
        { seconds: 0, metres: big },
        { seconds: 0, metres: 1 }
      ]
    ]) {
      try {
        receiptExposure({ ...plan, max_price: 5_000_000_000 }, metered, tick)
        expect.fail('expected a UsageError')
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError)
        expect((err as Error).message).toBe('metered use plus one tick is beyond safe integers')
      }
    }
    expect(() => receiptExposure(plan, { seconds: -1, metres: 0 }, { seconds: 1, metres: 1 })).toThrow(UsageError)
    expect(() => receiptExposure(plan, { seconds: 0, metres: 0 }, { seconds: 1, metres: -1 })).toThrow(UsageError)
  })
})

it('UsageRejectedError and ReceiptRejectedError keep their code', () => {
  expect(new UsageRejectedError('stale', 'm')).toMatchObject({ code: 'stale', name: 'UsageRejectedError', message: 'm' })
  expect(new ReceiptRejectedError('conflict', 'm')).toMatchObject({ code: 'conflict', name: 'ReceiptRejectedError', message: 'm' })
})
