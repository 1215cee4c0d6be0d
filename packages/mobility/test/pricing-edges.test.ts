import { describe, expect, it } from 'vitest'
import {
  FareOverflowError,
  PricingPlanError,
  UsageError,
  fareNanos,
  validatePricingPlan,
  validateUsage,
  type PricingPlan
} from '../src/index.ts'

const good = { plan_id: 'p', currency: 'IOTA', price: 5, per_min_pricing: [{ start: 0, rate: 1, interval: 1 }] }

function refusal(p: unknown): { field: string; message: string } {
  try {
    validatePricingPlan(p)
  } catch (err) {
    expect(err).toBeInstanceOf(PricingPlanError)
    expect((err as PricingPlanError).code).toBe('pricing-plan')
    return { field: (err as PricingPlanError).field, message: (err as Error).message }
  }
  throw new Error('expected a PricingPlanError')
}

describe('validatePricingPlan: what its refusals say', () => {
  it('names the field and says what is wrong with it', () => {
    const cases: Array<[unknown, string]> = [
      [null, 'plan: must be an object'],
      [[good], 'plan: must be an object'],
      ['p', 'plan: must be an object'],
      [{ ...good, plan_id: '' }, 'plan_id: must be a non-empty string'],
      [{ ...good, plan_id: 7 }, 'plan_id: must be a non-empty string'],
      [{ ...good, name: ['x'] }, 'name: must be a string (localized GBFS name arrays are not supported)'],
      [{ ...good, currency: 'USD' }, 'currency: must be "IOTA" (amounts in nanos), got "USD"'],
      [{ ...good, fare_capping: {} }, 'fare_capping: GBFS fare capping per time frame is not supported; cap one ride with max_price'],
      [{ ...good, price: '5' }, 'price: must be a whole non-negative number, got "5"'],
      [{ ...good, price: -1 }, 'price: must be a whole non-negative number, got -1'],
      [{ ...good, price: 1.5 }, 'price: must be a whole non-negative number, got 1.5'],
      [{ ...good, per_min_pricing: {} }, 'per_min_pricing: must be an array of segments'],
      [{ ...good, per_km_pricing: 'x' }, 'per_km_pricing: must be an array of segments'],
      [{ ...good, per_min_pricing: [null] }, 'per_min_pricing[0]: must be an object with start, rate and interval'],
      [{ ...good, per_min_pricing: [[0, 1, 1]] }, 'per_min_pricing[0]: must be an object with start, rate and interval'],
      [
        { ...good, per_min_pricing: [{ start: 0, rate: -2, interval: 1 }] },
        'per_min_pricing[0].rate: is -2: negative rates (GBFS discounts) are not supported, because a fare must never fall as use grows'
      ],
      // a rate that is not a number is not whole, whatever it says
      [
        { ...good, per_min_pricing: [{ start: 0, rate: '-2', interval: 1 }] },
        'per_min_pricing[0].rate: must be a whole non-negative number, got "-2"'
      ],
      [{ ...good, per_km_pricing: [{ start: 2, rate: 1, interval: 1, end: 1 }] }, 'per_km_pricing[0].end: must be after start (2), got 1'],
      [
        { ...good, per_km_pricing: [{ start: 0, rate: 1, interval: 1, end: 'x' }] },
        'per_km_pricing[0].end: must be a whole non-negative number, got "x"'
      ],
      [{ ...good, max_price: 4 }, 'max_price: must be at least price (5), got 4'],
      [{ ...good, max_price: -1 }, 'max_price: must be a whole non-negative number, got -1'],
      // a number is shown as it is, anything else as JSON
      [{ ...good, price: Number.NaN }, 'price: must be a whole non-negative number, got NaN'],
      [{ ...good, price: Number.POSITIVE_INFINITY }, 'price: must be a whole non-negative number, got Infinity'],
      [{ ...good, price: null }, 'price: must be a whole non-negative number, got null']
    ]
    for (const [plan, message] of cases) {
      const r = refusal(plan)
      expect(r.message, JSON.stringify(plan)).toBe(message)
      expect(r.field).toBe(message.slice(0, message.indexOf(':')))
    }
  })

  it('refuses a start, interval or end whose seconds or metres are beyond safe integers, in either table', () => {
    const minutes = Math.floor(Number.MAX_SAFE_INTEGER / 60)
    const km = Math.floor(Number.MAX_SAFE_INTEGER / 1000)
    expect(
      validatePricingPlan({ ...good, per_min_pricing: [{ start: minutes, rate: 1, interval: minutes }] }).per_min_pricing
    ).toHaveLength(1)
    expect(refusal({ ...good, per_min_pricing: [{ start: minutes + 1, rate: 1, interval: 1 }] }).message).toBe(
      `per_min_pricing[0].start: ${minutes + 1} is too large`
    )
    expect(refusal({ ...good, per_min_pricing: [{ start: 0, rate: 1, interval: minutes + 1 }] }).field).toBe('per_min_pricing[0].interval')
    expect(refusal({ ...good, per_km_pricing: [{ start: 0, rate: 1, interval: 1, end: km + 1 }] }).field).toBe('per_km_pricing[0].end')
    expect(validatePricingPlan({ ...good, per_km_pricing: [{ start: 0, rate: 1, interval: 1, end: km }] }).per_km_pricing).toHaveLength(1)
    // a rate is nanos already: any safe integer
    expect(validatePricingPlan({ ...good, per_km_pricing: [{ start: 0, rate: Number.MAX_SAFE_INTEGER, interval: 1 }] })).toBeDefined()
  })

  it('takes a max_price equal to the price', () => {
    expect(validatePricingPlan({ ...good, max_price: 5 }).max_price).toBe(5)
  })
})

describe('validatePricingPlan: the copy it returns', () => {
  it('has exactly the fields the plan gave, no key for one it did not', () => {
    expect(Object.keys(validatePricingPlan({ plan_id: 'p', currency: 'IOTA', price: 0 })).sort()).toEqual(['currency', 'plan_id', 'price'])
    const full = validatePricingPlan({
      ...good,
      name: 'n',
      per_km_pricing: [{ start: 1, rate: 2, interval: 0, end: 3, extra: true }],
      max_price: 9,
      url: 'x'
    })
    expect(Object.keys(full).sort()).toEqual(['currency', 'max_price', 'name', 'per_km_pricing', 'per_min_pricing', 'plan_id', 'price'])
    expect(full.per_km_pricing).toStrictEqual([{ start: 1, rate: 2, interval: 0, end: 3 }])
    expect(Object.keys(full.per_min_pricing![0])).toEqual(['start', 'rate', 'interval'])
    expect(Object.isFrozen(full.per_km_pricing)).toBe(true)
    expect(Object.isFrozen(full.per_km_pricing![0])).toBe(true)
  })

  it('is itself valid: checking it again returns the very same plan', () => {
    const p = validatePricingPlan(good)
    expect(validatePricingPlan(p)).toBe(p)
    // an equal plan that did not come out of validatePricingPlan is checked and copied
    expect(validatePricingPlan({ ...p })).not.toBe(p)
  })
})

describe('validateUsage and fareNanos', () => {
  it('says which usage field is wrong', () => {
    const message = (u: unknown): string => {
      try {
        validateUsage(u)
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError)
        expect((err as UsageError).code).toBe('bad-usage')
        return (err as Error).message
      }
      throw new Error('expected a UsageError')
    }
    expect(message(null)).toBe('usage must be an object with seconds and metres')
    expect(message([1, 2])).toBe('usage must be an object with seconds and metres')
    expect(message({ seconds: 1 })).toBe('usage.metres must be a whole non-negative number, got undefined')
    expect(message({ seconds: '1', metres: 0 })).toBe('usage.seconds must be a whole non-negative number, got 1')
    expect(message({ seconds: 0, metres: -1 })).toBe('usage.metres must be a whole non-negative number, got -1')
    const u = { seconds: 0, metres: 0 }
    expect(validateUsage(u)).toBe(u)
  })

  it('charges a once-only rate (interval 0) as soon as the use passes its start, and not at the start itself', () => {
    const plan: PricingPlan = { plan_id: 'o', currency: 'IOTA', price: 0, per_km_pricing: [{ start: 2, rate: 50, interval: 0 }] }
    expect(fareNanos(plan, { seconds: 0, metres: 2000 })).toBe(0)
    expect(fareNanos(plan, { seconds: 0, metres: 2001 })).toBe(50)
    expect(fareNanos(plan, { seconds: 0, metres: 900_000 })).toBe(50)
  })

  it('counts charges up to the end of a segment, exclusive, and not beyond it', () => {
    const plan: PricingPlan = { plan_id: 'e', currency: 'IOTA', price: 0, per_min_pricing: [{ start: 1, rate: 10, interval: 2, end: 5 }] }
    // charges at minutes 1 and 3 (the instants 60 s and 180 s): the next one, at minute 5, is the end
    expect([60, 61, 180, 181, 299, 300, 301, 10_000].map(seconds => fareNanos(plan, { seconds, metres: 0 }))).toEqual([
      0, 10, 10, 20, 20, 20, 20, 20
    ])
  })

  it('refuses a fare beyond safe integers naming the plan, and caps at max_price before it looks', () => {
    const steep: PricingPlan = {
      plan_id: 'steep',
      currency: 'IOTA',
      price: 1,
      per_km_pricing: [{ start: 0, rate: Number.MAX_SAFE_INTEGER, interval: 1 }]
    }
    try {
      fareNanos(steep, { seconds: 0, metres: 1 })
      expect.fail('expected a FareOverflowError')
    } catch (err) {
      expect(err).toBeInstanceOf(FareOverflowError)
      expect(err).toMatchObject({ name: 'FareOverflowError', code: 'fare-overflow' })
      expect((err as Error).message).toBe(
        `the fare of plan steep exceeds ${Number.MAX_SAFE_INTEGER} nanos for this use; give the plan a max_price`
      )
    }
    expect(fareNanos({ ...steep, max_price: Number.MAX_SAFE_INTEGER }, { seconds: 0, metres: 1 })).toBe(Number.MAX_SAFE_INTEGER)
    expect(fareNanos({ ...steep, max_price: 7 }, { seconds: 0, metres: 0 })).toBe(1)
  })
})
