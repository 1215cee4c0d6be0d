import { describe, expect, it } from 'vitest'
import { seededRandom } from '@kvartal/protocol'
import {
  FareOverflowError,
  PricingPlanError,
  UsageError,
  fareNanos,
  validatePricingPlan,
  type PricingPlan,
  type PricingSegment
} from '../src/index.ts'

/** The GBFS examples are in dollars; here one cent is 10^7 nanos (one dollar one IOTA). */
const cents = (c: number): number => c * 10_000_000
const min = (m: number, s = 0): number => m * 60 + s

describe('fareNanos on the GBFS spec examples', () => {
  // GBFS v3.0 system_pricing_plans.json, Example 1: "The user does not pay more than the base price for
  // the first 10 km. After 10 km the user pays $1 per km. After 25 km the user pays $0.50 per km and an
  // additional $3 every 5 km, the extension price, in addition to $0.50 per km."
  const perKm = validatePricingPlan({
    plan_id: 'plan2',
    name: 'One-Way',
    currency: 'IOTA',
    price: cents(200),
    per_km_pricing: [
      { start: 10, rate: cents(100), interval: 1, end: 25 },
      { start: 25, rate: cents(50), interval: 1 },
      { start: 25, rate: cents(300), interval: 5 }
    ]
  })
  it('v3.0 example 1: per-km segments with an end and an extension every 5 km', () => {
    const at = (metres: number): number => fareNanos(perKm, { seconds: 600, metres })
    expect(at(0)).toBe(cents(200))
    expect(at(10_000)).toBe(cents(200)) // the first 10 km are included
    expect(at(10_001)).toBe(cents(300)) // km 10 begun: $1
    expect(at(11_000)).toBe(cents(300))
    expect(at(11_001)).toBe(cents(400))
    expect(at(25_000)).toBe(cents(200 + 15 * 100)) // km 10..24, the segment ends at 25
    expect(at(25_001)).toBe(cents(1700 + 50 + 300)) // km 25 begun: $0.50, and the first $3 extension
    expect(at(30_000)).toBe(cents(1700 + 5 * 50 + 300))
    expect(at(30_001)).toBe(cents(1700 + 6 * 50 + 2 * 300))
  })

  // GBFS v3.0 and v3.1-RC, Example 2: "$3 unlock fee, $0.25 per kilometer and 0.50 per minute", both
  // concurrently; v3.1 caps it at $15 per 12-hour period, which for one ride of under 12 h is max_price.
  const simple: PricingPlan = {
    plan_id: 'plan3',
    name: 'Simple Rate',
    currency: 'IOTA',
    price: cents(300),
    per_km_pricing: [{ start: 0, rate: cents(25), interval: 1 }],
    per_min_pricing: [{ start: 0, rate: cents(50), interval: 1 }]
  }
  it('example 2: minute and km rates add up, and the unlock fee is charged at zero use', () => {
    expect(fareNanos(simple, { seconds: 0, metres: 0 })).toBe(cents(300))
    expect(fareNanos(simple, { seconds: 1, metres: 1 })).toBe(cents(300 + 25 + 50))
    expect(fareNanos(simple, { seconds: min(10), metres: 2000 })).toBe(cents(300 + 2 * 25 + 10 * 50))
    expect(fareNanos(simple, { seconds: min(10, 1), metres: 2001 })).toBe(cents(300 + 3 * 25 + 11 * 50))
  })
  it('v3.1-RC example 2: the $15 cap (as max_price) is never exceeded', () => {
    const capped = { ...simple, max_price: cents(1500) }
    expect(fareNanos(capped, { seconds: min(10), metres: 2000 })).toBe(cents(850))
    expect(fareNanos(capped, { seconds: min(30), metres: 4000 })).toBe(cents(1500)) // $19 uncapped
    expect(fareNanos(capped, { seconds: min(600), metres: 90_000 })).toBe(cents(1500))
  })

  // GBFS v3.1-RC Example 1: "First half-hour: $2, second half-hour: $3, beyond one hour: $0.10/min",
  // with `interval: 0` (the rate is charged once).
  const halfHours: PricingPlan = {
    plan_id: 'plan2',
    currency: 'IOTA',
    price: cents(200),
    per_min_pricing: [
      { start: 30, end: 60, rate: cents(300), interval: 0 },
      { start: 60, rate: cents(10), interval: 1 }
    ]
  }
  it('v3.1-RC example 1: a once-only rate (interval 0) and then a per-minute rate', () => {
    const at = (seconds: number): number => fareNanos(halfHours, { seconds, metres: 5000 })
    expect(at(min(30))).toBe(cents(200))
    expect(at(min(30, 1))).toBe(cents(500))
    expect(at(min(60))).toBe(cents(500))
    expect(at(min(60, 1))).toBe(cents(510))
    expect(at(min(61))).toBe(cents(510))
    expect(at(min(61, 1))).toBe(cents(520))
    expect(at(min(90))).toBe(cents(800))
  })

  it('charges a rate at the beginning of each interval (start 0, interval 1: 1 s costs r, 61 s 2r)', () => {
    const r = 7_000_000
    const plan: PricingPlan = { plan_id: 'p', currency: 'IOTA', price: 0, per_min_pricing: [{ start: 0, rate: r, interval: 1 }] }
    expect(fareNanos(plan, { seconds: 0, metres: 0 })).toBe(0)
    expect(fareNanos(plan, { seconds: 1, metres: 0 })).toBe(r)
    expect(fareNanos(plan, { seconds: 60, metres: 0 })).toBe(r)
    expect(fareNanos(plan, { seconds: 61, metres: 0 })).toBe(2 * r)
  })

  it('expresses free first minutes with start, and the end of a segment is exclusive', () => {
    const plan: PricingPlan = {
      plan_id: 'p',
      currency: 'IOTA',
      price: 100,
      per_min_pricing: [
        { start: 0, rate: 0, interval: 5, end: 20 },
        { start: 20, rate: 10, interval: 2 }
      ]
    }
    expect(fareNanos(plan, { seconds: min(20), metres: 0 })).toBe(100)
    expect(fareNanos(plan, { seconds: min(20, 1), metres: 0 })).toBe(110)
    expect(fareNanos(plan, { seconds: min(22), metres: 0 })).toBe(110)
    expect(fareNanos(plan, { seconds: min(22, 1), metres: 0 })).toBe(120)
  })
})

/** A direct reading of the GBFS rule: one charge at every instant start + k·interval that the use has passed. */
function oracle(plan: PricingPlan, seconds: number, metres: number): number {
  const segs = (list: readonly PricingSegment[] | undefined, used: number, unit: number): number => {
    let total = 0
    for (const s of list ?? []) {
      const end = s.end === undefined ? Infinity : s.end * unit
      if (s.interval === 0) {
        if (used > s.start * unit && s.start * unit < end) total += s.rate
        continue
      }
      for (let t = s.start * unit; t < end && t < used; t += s.interval * unit) total += s.rate
    }
    return total
  }
  const total = plan.price + segs(plan.per_min_pricing, seconds, 60) + segs(plan.per_km_pricing, metres, 1000)
  return plan.max_price === undefined ? total : Math.min(total, plan.max_price)
}

function randomPlan(rnd: () => number, i: number): PricingPlan {
  const int = (n: number): number => Math.floor(rnd() * n)
  const seg = (): PricingSegment => {
    const start = int(20)
    const s = { start, rate: int(5) * 1_000_000, interval: int(6) }
    return rnd() < 0.4 ? { ...s, end: start + 1 + int(30) } : s
  }
  const price = int(4) * 1_000_000
  return {
    plan_id: `random-${i}`,
    currency: 'IOTA',
    price,
    per_min_pricing: Array.from({ length: int(4) }, seg),
    per_km_pricing: Array.from({ length: int(3) }, seg),
    ...(rnd() < 0.3 ? { max_price: price + int(60) * 1_000_000 } : {})
  }
}

describe('fareNanos properties (seeded)', () => {
  it('agrees with a direct enumeration of charge instants', () => {
    const rnd = seededRandom(2024)
    for (let i = 0; i < 300; i++) {
      const plan = randomPlan(rnd, i)
      for (let k = 0; k < 10; k++) {
        const seconds = Math.floor(rnd() * 3600)
        const metres = Math.floor(rnd() * 40_000)
        expect(fareNanos(plan, { seconds, metres }), `${JSON.stringify(plan)} at ${seconds} s, ${metres} m`).toBe(
          oracle(plan, seconds, metres)
        )
      }
    }
  })

  it('is monotone: more time or distance never costs less, and the result is a whole number', () => {
    const rnd = seededRandom(77)
    for (let i = 0; i < 300; i++) {
      const plan = validatePricingPlan(randomPlan(rnd, i))
      let u = { seconds: 0, metres: 0 }
      let last = fareNanos(plan, u)
      for (let k = 0; k < 40; k++) {
        u = { seconds: u.seconds + Math.floor(rnd() * 200), metres: u.metres + Math.floor(rnd() * 1500) }
        const f = fareNanos(plan, u)
        expect(Number.isSafeInteger(f)).toBe(true)
        expect(f).toBeGreaterThanOrEqual(last)
        if (plan.max_price !== undefined) expect(f).toBeLessThanOrEqual(plan.max_price)
        last = f
      }
    }
  })

  it('with max_price is exactly the uncapped fare, capped', () => {
    const rnd = seededRandom(5)
    for (let i = 0; i < 200; i++) {
      const { max_price: _, ...open } = randomPlan(rnd, i)
      const cap = open.price + Math.floor(rnd() * 30) * 1_000_000
      const u = { seconds: Math.floor(rnd() * 7200), metres: Math.floor(rnd() * 50_000) }
      expect(fareNanos({ ...open, max_price: cap }, u)).toBe(Math.min(cap, fareNanos(open, u)))
    }
  })
})

describe('validatePricingPlan', () => {
  const good = { plan_id: 'p', currency: 'IOTA', price: 5, per_min_pricing: [{ start: 0, rate: 1, interval: 1 }] }
  const fieldOf = (p: unknown): string => {
    try {
      validatePricingPlan(p)
    } catch (err) {
      expect(err).toBeInstanceOf(PricingPlanError)
      expect((err as Error).name).toBe('PricingPlanError')
      return (err as PricingPlanError).field
    }
    throw new Error('expected a PricingPlanError')
  }

  it('returns a frozen copy with only the known fields', () => {
    const p = validatePricingPlan({ ...good, url: 'https://x', is_taxable: false, description: [] })
    expect(p).toEqual(good)
    expect(Object.isFrozen(p)).toBe(true)
    expect(Object.isFrozen(p.per_min_pricing![0])).toBe(true)
  })

  it('names the bad field', () => {
    expect(fieldOf(null)).toBe('plan')
    expect(fieldOf({ ...good, plan_id: '' })).toBe('plan_id')
    expect(fieldOf({ ...good, currency: 'USD' })).toBe('currency')
    expect(fieldOf({ ...good, price: 2.5 })).toBe('price')
    expect(fieldOf({ ...good, price: -1 })).toBe('price')
    expect(fieldOf({ ...good, name: [{ text: 'x', language: 'en' }] })).toBe('name')
    expect(fieldOf({ ...good, per_min_pricing: {} })).toBe('per_min_pricing')
    expect(fieldOf({ ...good, per_min_pricing: [good.per_min_pricing[0], { start: 0, rate: -3, interval: 1 }] })).toBe(
      'per_min_pricing[1].rate'
    )
    expect(fieldOf({ ...good, per_km_pricing: [{ start: 4, rate: 1, interval: 1, end: 4 }] })).toBe('per_km_pricing[0].end')
    expect(fieldOf({ ...good, per_km_pricing: [{ start: 0, rate: 1 }] })).toBe('per_km_pricing[0].interval')
    expect(fieldOf({ ...good, per_km_pricing: [{ start: Number.MAX_SAFE_INTEGER, rate: 1, interval: 1 }] })).toBe('per_km_pricing[0].start')
    expect(fieldOf({ ...good, max_price: 4 })).toBe('max_price')
    expect(fieldOf({ ...good, fare_capping: { duration: 720, price: 15 } })).toBe('fare_capping')
  })

  it('says why a negative rate is refused', () => {
    expect(() => validatePricingPlan({ ...good, per_min_pricing: [{ start: 0, rate: -3, interval: 1 }] })).toThrow(/never fall/)
  })

  it('fareNanos refuses a bad plan and a bad usage with typed errors', () => {
    expect(() => fareNanos({ ...good, price: 0.5 } as unknown as PricingPlan, { seconds: 1, metres: 1 })).toThrow(PricingPlanError)
    expect(() => fareNanos(good as PricingPlan, { seconds: -1, metres: 0 })).toThrow(UsageError)
    expect(() => fareNanos(good as PricingPlan, { seconds: 1.5, metres: 0 })).toThrow(
      expect.objectContaining({ name: 'UsageError', code: 'bad-usage' })
    )
    expect(() => fareNanos(good as PricingPlan, { seconds: 0, metres: Number.NaN })).toThrow(UsageError)
  })

  it('refuses a fare beyond safe integers unless the plan is capped', () => {
    const steep: PricingPlan = {
      plan_id: 'steep',
      currency: 'IOTA',
      price: 0,
      per_km_pricing: [{ start: 0, rate: Number.MAX_SAFE_INTEGER, interval: 1 }]
    }
    expect(fareNanos(steep, { seconds: 0, metres: 1000 })).toBe(Number.MAX_SAFE_INTEGER)
    expect(() => fareNanos(steep, { seconds: 0, metres: 1001 })).toThrow(FareOverflowError)
    expect(fareNanos({ ...steep, max_price: 10 ** 12 }, { seconds: 0, metres: 10 ** 9 })).toBe(10 ** 12)
  })
})
