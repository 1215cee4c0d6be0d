/**
 * GBFS v3 pricing plans (system_pricing_plans.json: `plan_id`, `name`, `currency`, `price`,
 * `per_min_pricing` and `per_km_pricing` segments of `start`, `rate`, `interval`, `end`) with every
 * amount in integer IOTA nanos, and the fare such a plan charges for a metered use.
 *
 * Semantics (GBFS): `price` is the base price, charged once per trip (also at zero use). A segment's
 * `rate` is charged at the beginning of each `interval` from `start` on, repeated indefinitely or up
 * to (not including) `end`; `interval: 0` charges the rate once. Usage is compared exactly, in whole
 * sub-units: 60 s per minute for `per_min_pricing`, 1000 m per km for `per_km_pricing`. For a use u:
 *   count = 0                                   if u <= start·unit
 *         = 1                                   if interval = 0
 *         = ceil((min(u, end·unit) − start·unit) / (interval·unit))   otherwise
 * so the first charge applies as soon as u passes `start` ({start: 0, interval: 1}: 1 s costs one rate,
 * 61 s two). Minute and km segments add up.
 *
 * Our differences from GBFS, each on purpose:
 * - `currency` is always 'IOTA' and amounts are integer nanos (GBFS: an ISO 4217 code and floats).
 * - `max_price` caps the total (our extension, like GTFS-Fares fare capping, per ride). GBFS 3.1's
 *   `fare_capping` (a cap per rolling time frame) is refused rather than silently ignored.
 * - `rate` must not be negative (GBFS allows discounts): a negative rate makes the fare fall as use
 *   grows, and a cumulative pay-per-use receipt must never go down.
 * - `name` is one plain string (GBFS 3: an array of localized strings).
 */
import { KvartalError, type Nanos } from '@kvartal/protocol'

export interface PricingSegment {
  /** whole minutes (per_min_pricing) or whole km (per_km_pricing) at which the segment starts, inclusive */
  readonly start: number
  /** nanos charged at the beginning of each interval */
  readonly rate: Nanos
  /** whole minutes or km between charges; 0 charges the rate once */
  readonly interval: number
  /** whole minutes or km at which the segment stops charging, exclusive; absent: never */
  readonly end?: number
}

export interface PricingPlan {
  readonly plan_id: string
  readonly name?: string
  /** amounts are IOTA nanos */
  readonly currency: 'IOTA'
  /** base price (unlock fee), charged once */
  readonly price: Nanos
  /** start/interval/end in whole minutes */
  readonly per_min_pricing?: readonly PricingSegment[]
  /** start/interval/end in whole km */
  readonly per_km_pricing?: readonly PricingSegment[]
  /** fare cap (our extension): the total never exceeds it */
  readonly max_price?: Nanos
}

/** Cumulative metered use of one ride. */
export interface Usage {
  readonly seconds: number
  readonly metres: number
}

/** A pricing plan that cannot be used; `field` is the path of the bad field, e.g. `per_min_pricing[1].rate`. */
export class PricingPlanError extends KvartalError {
  readonly field: string
  constructor(field: string, message: string) {
    super('pricing-plan', `${field}: ${message}`)
    this.field = field
    this.name = 'PricingPlanError'
  }
}

/** A usage that is not whole non-negative seconds and metres. */
export class UsageError extends KvartalError {
  constructor(message: string) {
    super('bad-usage', message)
    this.name = 'UsageError'
  }
}

/** A fare beyond Number.MAX_SAFE_INTEGER nanos: the plan needs a `max_price`, or the use is absurd. */
export class FareOverflowError extends KvartalError {
  constructor(planId: string) {
    super('fare-overflow', `the fare of plan ${planId} exceeds ${Number.MAX_SAFE_INTEGER} nanos for this use; give the plan a max_price`)
    this.name = 'FareOverflowError'
  }
}

const SECONDS_PER_MINUTE = 60
const METRES_PER_KM = 1000

/** Plans that came out of validatePricingPlan: deeply frozen, so they need no second check. */
const validated = new WeakSet<object>()

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function wholeField(v: unknown, field: string, unit = 1): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new PricingPlanError(field, `must be a whole non-negative number, got ${typeof v === 'number' ? v : JSON.stringify(v)}`)
  }
  if (!Number.isSafeInteger(v * unit)) throw new PricingPlanError(field, `${v} is too large`)
  return v
}

function segments(v: unknown, field: string, unit: number): readonly PricingSegment[] | undefined {
  if (v === undefined) return undefined
  if (!Array.isArray(v)) throw new PricingPlanError(field, 'must be an array of segments')
  return Object.freeze(
    v.map((s: unknown, i) => {
      const at = `${field}[${i}]`
      if (!isRecord(s)) throw new PricingPlanError(at, 'must be an object with start, rate and interval')
      if (typeof s.rate === 'number' && s.rate < 0) {
        throw new PricingPlanError(
          `${at}.rate`,
          `is ${s.rate}: negative rates (GBFS discounts) are not supported, because a fare must never fall as use grows`
        )
      }
      const start = wholeField(s.start, `${at}.start`, unit)
      const rate = wholeField(s.rate, `${at}.rate`)
      const interval = wholeField(s.interval, `${at}.interval`, unit)
      if (s.end === undefined) return Object.freeze({ start, rate, interval })
      const end = wholeField(s.end, `${at}.end`, unit)
      if (end <= start) throw new PricingPlanError(`${at}.end`, `must be after start (${start}), got ${end}`)
      return Object.freeze({ start, rate, interval, end })
    })
  )
}

/**
 * Checks a plan received from anywhere (a feed, the wire, a config) and returns a frozen copy with only
 * the fields above. Throws PricingPlanError naming the first bad field.
 */
export function validatePricingPlan(p: unknown): PricingPlan {
  if (isRecord(p) && validated.has(p)) return p as unknown as PricingPlan
  if (!isRecord(p)) throw new PricingPlanError('plan', 'must be an object')
  if (typeof p.plan_id !== 'string' || p.plan_id === '') throw new PricingPlanError('plan_id', 'must be a non-empty string')
  if (p.name !== undefined && typeof p.name !== 'string')
    throw new PricingPlanError('name', 'must be a string (localized GBFS name arrays are not supported)')
  if (p.currency !== 'IOTA') throw new PricingPlanError('currency', `must be "IOTA" (amounts in nanos), got ${JSON.stringify(p.currency)}`)
  if (p.fare_capping !== undefined)
    throw new PricingPlanError('fare_capping', 'GBFS fare capping per time frame is not supported; cap one ride with max_price')
  const price = wholeField(p.price, 'price')
  const perMin = segments(p.per_min_pricing, 'per_min_pricing', SECONDS_PER_MINUTE)
  const perKm = segments(p.per_km_pricing, 'per_km_pricing', METRES_PER_KM)
  let maxPrice: number | undefined
  if (p.max_price !== undefined) {
    maxPrice = wholeField(p.max_price, 'max_price')
    if (maxPrice < price) throw new PricingPlanError('max_price', `must be at least price (${price}), got ${maxPrice}`)
  }
  const plan: { -readonly [K in keyof PricingPlan]: PricingPlan[K] } = { plan_id: p.plan_id, currency: 'IOTA', price }
  if (p.name !== undefined) plan.name = p.name
  if (perMin !== undefined) plan.per_min_pricing = perMin
  if (perKm !== undefined) plan.per_km_pricing = perKm
  if (maxPrice !== undefined) plan.max_price = maxPrice
  Object.freeze(plan)
  validated.add(plan)
  return plan
}

/** Throws UsageError unless `u` is whole non-negative seconds and metres. */
export function validateUsage(u: unknown): Usage {
  if (!isRecord(u)) throw new UsageError('usage must be an object with seconds and metres')
  for (const k of ['seconds', 'metres'] as const) {
    const v = u[k]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new UsageError(`usage.${k} must be a whole non-negative number, got ${String(v)}`)
  }
  return u as unknown as Usage
}

/** How many times a segment's rate is charged for `used` sub-units (seconds or metres). */
function charges(s: PricingSegment, used: bigint, unit: bigint): bigint {
  const from = BigInt(s.start) * unit
  if (used <= from) return 0n
  if (s.interval === 0) return 1n
  const upTo = s.end === undefined ? used : used < BigInt(s.end) * unit ? used : BigInt(s.end) * unit
  const step = BigInt(s.interval) * unit
  return (upTo - from + step - 1n) / step
}

function sum(segs: readonly PricingSegment[] | undefined, used: number, unit: number): bigint {
  let total = 0n
  for (const s of segs ?? []) total += BigInt(s.rate) * charges(s, BigInt(used), BigInt(unit))
  return total
}

/**
 * The fare in nanos for a cumulative use: base price + minute segments + km segments, capped at
 * `max_price`. Computed in bigint, so exact for any safe inputs. Monotone: more use never costs less.
 */
export function fareNanos(plan: PricingPlan, usage: Usage): Nanos {
  const p = validatePricingPlan(plan)
  const u = validateUsage(usage)
  let total = BigInt(p.price) + sum(p.per_min_pricing, u.seconds, SECONDS_PER_MINUTE) + sum(p.per_km_pricing, u.metres, METRES_PER_KM)
  if (p.max_price !== undefined && total > BigInt(p.max_price)) total = BigInt(p.max_price)
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new FareOverflowError(p.plan_id)
  return Number(total)
}
