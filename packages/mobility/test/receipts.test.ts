import { describe, expect, it } from 'vitest'
import { seededRandom } from '@kvartal/protocol'
import {
  ReceiptLedger,
  ReceiptRejectedError,
  StaleReceiptError,
  UsageCheck,
  UsageRejectedError,
  fareNanos,
  receiptExposure,
  type PricingPlan,
  type ReceiptTerms,
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
const init = { ride: 'ride-1', plan, maxSecondsPerReport: 30, maxMetresPerSecond: 15 }
const report = (seq: number, seconds: number, metres: number): UsageReport => ({
  ride: 'ride-1',
  seq,
  usage: { seconds, metres },
  at: T0 + seconds * 1000
})

function codeOf(f: () => unknown): string {
  try {
    f()
  } catch (err) {
    expect((err as Error).name).toMatch(/RejectedError|StaleReceiptError/)
    return (err as { code: string }).code
  }
  throw new Error('expected a refusal')
}

describe('UsageCheck (traveller)', () => {
  it('signs cumulative terms at the plan fare, tick after tick', () => {
    const c = new UsageCheck(init)
    const a = c.next(report(1, 10, 50), T0 + 10_000)
    expect(a).toEqual({ ride: 'ride-1', nonce: 1, usage: { seconds: 10, metres: 50 }, totalNanos: 1_300_000_000 })
    const b = c.next(report(2, 40, 400), T0 + 40_100)
    expect(b.totalNanos).toBe(fareNanos(plan, { seconds: 40, metres: 400 }))
    expect(c.last).toBe(b)
    expect(Object.isFrozen(b)).toBe(true)
  })

  it('answers the exact same report again with the same terms, and refuses an old or reused seq', () => {
    const c = new UsageCheck(init)
    c.next(report(1, 10, 50), T0 + 10_000)
    const b = c.next(report(2, 20, 100), T0 + 20_000)
    expect(c.next(report(2, 20, 100), T0 + 21_000)).toBe(b)
    expect(codeOf(() => c.next(report(2, 21, 100), T0 + 21_000))).toBe('stale')
    expect(codeOf(() => c.next(report(1, 25, 100), T0 + 25_000))).toBe('stale')
    expect(c.last).toBe(b)
  })

  it('refuses a report for another ride, and malformed fields', () => {
    const c = new UsageCheck(init)
    expect(codeOf(() => c.next({ ...report(1, 1, 1), ride: 'ride-2' }, T0))).toBe('wrong-ride')
    expect(codeOf(() => c.next(report(0, 1, 1), T0))).toBe('malformed') // seq, like the receipt nonce, starts at 1
    expect(codeOf(() => c.next(report(1, 1.5, 1), T0))).toBe('malformed')
    expect(codeOf(() => c.next({ ...report(1, 1, 1), at: -1 }, T0))).toBe('malformed')
    expect(() => c.next(report(1, 1, 1), Number.NaN)).toThrow(UsageRejectedError)
  })

  it('refuses usage going backwards', () => {
    const c = new UsageCheck(init)
    c.next(report(1, 20, 200), T0 + 20_000)
    expect(codeOf(() => c.next(report(2, 19, 250), T0 + 21_000))).toBe('usage-decreased')
    expect(codeOf(() => c.next(report(2, 25, 150), T0 + 25_000))).toBe('usage-decreased')
    expect(c.next(report(2, 25, 250), T0 + 25_000).nonce).toBe(2) // a refusal changed nothing
  })

  it("refuses more time than one report may add, or than has passed on the traveller's clock", () => {
    const c = new UsageCheck(init)
    expect(codeOf(() => c.next(report(1, 31, 0), T0 + 31_000))).toBe('implausible-time')
    c.next(report(1, 30, 0), T0 + 30_000)
    // 30 s more metered while only 10 s passed for the traveller: 20 s beyond the 2 s tolerance
    expect(codeOf(() => c.next(report(2, 60, 0), T0 + 40_000))).toBe('implausible-time')
    expect(c.next(report(2, 42, 0), T0 + 40_000).usage.seconds).toBe(42) // 12 s metered in 10 s: within tolerance
    expect(codeOf(() => c.next(report(3, 73, 0), T0 + 70_000))).toBe('implausible-time')
    expect(c.next(report(3, 72, 0), T0 + 70_000).nonce).toBe(3)
  })

  it('refuses distance faster than the speed bound', () => {
    const c = new UsageCheck(init)
    c.next(report(1, 10, 100), T0 + 10_000)
    // 20 s more: at most 15 m/s × (20 + 1) s = 315 m
    expect(codeOf(() => c.next(report(2, 30, 416), T0 + 30_000))).toBe('implausible-distance')
    expect(c.next(report(2, 30, 415), T0 + 30_000).usage.metres).toBe(415)
    expect(codeOf(() => c.next(report(3, 30, 431), T0 + 30_500))).toBe('implausible-distance') // 0 s more: 15 m
    expect(c.next(report(3, 30, 430), T0 + 30_500).nonce).toBe(3)
  })

  it("refuses to sign beyond the traveller's cap", () => {
    const c = new UsageCheck({ ...init, cap: 2_000_000_000, maxSecondsPerReport: 90, maxMetresPerSecond: 20 })
    expect(c.next(report(1, 60, 1000), T0 + 60_000).totalNanos).toBe(1_300_000_000)
    expect(c.next(report(2, 120, 2000), T0 + 120_000).totalNanos).toBe(1_600_000_000)
    expect(codeOf(() => c.next(report(3, 181, 3001), T0 + 181_000))).toBe('over-cap') // 1 + 4 × 0.2 + 4 × 0.1
    expect(c.next(report(3, 180, 3001), T0 + 181_000).totalNanos).toBe(2_000_000_000) // exactly the cap
  })

  it('resumes after a restart from the last signed receipt', () => {
    const first = new UsageCheck(init)
    first.next(report(1, 20, 100), T0 + 20_000)
    const signed = first.next(report(2, 40, 300), T0 + 40_000)
    const again = new UsageCheck({ ...init, resume: signed })
    expect(again.last).toEqual(signed)
    expect(codeOf(() => again.next(report(2, 45, 300), T0 + 45_000))).toBe('stale')
    expect(codeOf(() => again.next(report(3, 39, 300), T0 + 45_000))).toBe('usage-decreased')
    expect(again.next(report(3, 60, 500), T0 + 60_000).nonce).toBe(3)
    expect(() => new UsageCheck({ ...init, resume: { ...signed, ride: 'other' } })).toThrow(UsageRejectedError)
  })

  it('never signs a lower total than before (seeded honest and dishonest meters)', () => {
    const rnd = seededRandom(11)
    for (let run = 0; run < 50; run++) {
      const c = new UsageCheck(init)
      let seconds = 0
      let metres = 0
      let now = T0
      let last = 0
      for (let seq = 1; seq < 60; seq++) {
        const dt = 5 + Math.floor(rnd() * 10)
        now += dt * 1000
        // a meter that sometimes lies: backwards, too fast, too much time
        const lie = rnd()
        const s = lie < 0.05 ? seconds - 1 : lie < 0.1 ? seconds + dt + 20 : seconds + dt
        const m = lie > 0.95 ? metres + 16 * (dt + 1) : metres + Math.floor(rnd() * 12 * dt)
        try {
          const t = c.next({ ride: 'ride-1', seq, usage: { seconds: s, metres: m }, at: now }, now)
          expect(t.totalNanos).toBeGreaterThanOrEqual(last)
          last = t.totalNanos
          seconds = s
          metres = m
        } catch (err) {
          expect(err).toBeInstanceOf(UsageRejectedError)
          expect(lie < 0.1 || lie > 0.95).toBe(true) // an honest report is never refused
        }
      }
    }
  })
})

describe('ReceiptLedger (vehicle)', () => {
  const terms = (nonce: number, seconds: number, metres: number, totalNanos = fareNanos(plan, { seconds, metres })): ReceiptTerms => ({
    ride: 'ride-1',
    nonce,
    usage: { seconds, metres },
    totalNanos
  })

  it('applies newer receipts and treats an equal one as a no-op', () => {
    const l = new ReceiptLedger()
    expect(l.latest('ride-1')).toBeUndefined()
    expect(l.apply(terms(1, 10, 50), plan)).toBe('applied')
    expect(l.apply(terms(2, 70, 1200), plan)).toBe('applied')
    expect(l.apply(terms(2, 70, 1200), plan)).toBe('noop')
    expect(l.latest('ride-1')).toEqual(terms(2, 70, 1200))
  })

  it('refuses an old nonce with StaleReceiptError, also when it repeats an earlier receipt', () => {
    const l = new ReceiptLedger()
    l.apply(terms(1, 10, 50), plan)
    l.apply(terms(3, 30, 300), plan)
    expect(() => l.apply(terms(2, 40, 400), plan)).toThrow(StaleReceiptError)
    expect(() => l.apply(terms(1, 10, 50), plan)).toThrow(expect.objectContaining({ name: 'StaleReceiptError', code: 'stale' }))
    expect(() => l.apply(terms(1, 10, 50), plan)).toThrow(ReceiptRejectedError) // a stale receipt is a refused receipt
    expect(l.latest('ride-1')?.nonce).toBe(3)
  })

  it('refuses the same nonce with other terms', () => {
    const l = new ReceiptLedger()
    l.apply(terms(1, 10, 50), plan)
    expect(codeOf(() => l.apply(terms(1, 10, 50, 1_000_000_000), plan))).toBe('conflict')
  })

  it('refuses a receipt charging more than the plan allows for its usage', () => {
    const l = new ReceiptLedger()
    const fare = fareNanos(plan, { seconds: 10, metres: 50 })
    expect(codeOf(() => l.apply(terms(1, 10, 50, fare + 1), plan))).toBe('over-plan')
    expect(l.latest('ride-1')).toBeUndefined()
    expect(l.apply(terms(1, 10, 50, fare - 1), plan)).toBe('applied') // paying less is the traveller's promise to keep
  })

  it("refuses a total over the plan's max_price or the ride's agreed cap", () => {
    const l = new ReceiptLedger()
    const capped = { ...plan, max_price: 1_500_000_000 }
    expect(codeOf(() => l.apply(terms(1, 600, 100, 1_500_000_001), capped))).toBe('over-cap')
    expect(l.apply(terms(1, 600, 100, 1_500_000_000), capped)).toBe('applied')
    expect(codeOf(() => l.apply(terms(2, 600, 100, 1_500_000_000), plan, 1_400_000_000))).toBe('over-cap')
  })

  it('refuses usage or a total going backwards', () => {
    const l = new ReceiptLedger()
    l.apply(terms(1, 60, 500), plan)
    expect(codeOf(() => l.apply(terms(2, 59, 600), plan))).toBe('usage-decreased')
    expect(codeOf(() => l.apply(terms(2, 70, 400), plan))).toBe('usage-decreased')
    expect(codeOf(() => l.apply(terms(2, 70, 600, 1_000_000_000), plan))).toBe('total-decreased')
    expect(codeOf(() => l.apply({ ...terms(2, 70, 600), totalNanos: -5 }, plan))).toBe('malformed')
    expect(codeOf(() => l.apply({ ...terms(2, 70, 600), nonce: 0 }, plan))).toBe('malformed')
    expect(l.latest('ride-1')).toEqual(terms(1, 60, 500))
  })

  it('accepts every receipt an honest UsageCheck signs, and keeps rides apart', () => {
    const c = new UsageCheck(init)
    const l = new ReceiptLedger()
    for (let seq = 1; seq <= 20; seq++) expect(l.apply(c.next(report(seq, seq * 10, seq * 90), T0 + seq * 10_000), plan)).toBe('applied')
    expect(l.latest('ride-1')?.nonce).toBe(20)
    expect(l.latest('ride-2')).toBeUndefined()
    expect(l.apply({ ...terms(1, 10, 50), ride: 'ride-2' }, plan)).toBe('applied')
  })

  it('reports the unpaid use since the last receipt, and what one tick can add', () => {
    const l = new ReceiptLedger()
    expect(l.unpaidSince('ride-1', { seconds: 0, metres: 0 }, plan)).toBe(1_000_000_000) // the unlock fee
    l.apply(terms(1, 60, 1000), plan) // 1 + 0.2 + 0.1
    expect(l.unpaidSince('ride-1', { seconds: 60, metres: 1000 }, plan)).toBe(0)
    expect(l.unpaidSince('ride-1', { seconds: 61, metres: 1000 }, plan)).toBe(200_000_000)
    expect(l.unpaidSince('ride-1', { seconds: 121, metres: 1001 }, plan)).toBe(500_000_000)
    expect(l.unpaidSince('ride-1', { seconds: 30, metres: 0 }, plan)).toBe(0)
    expect(receiptExposure(plan, { seconds: 60, metres: 1000 }, { seconds: 10, metres: 150 })).toBe(300_000_000)
    expect(receiptExposure(plan, { seconds: 61, metres: 1001 }, { seconds: 10, metres: 150 })).toBe(0)
  })
})
