/**
 * Pay-per-use on cumulative receipts: the pure checks on both sides of a ride.
 *
 * Each tick the vehicle reports its cumulative metered use (UsageReport: `ride`, `seq`, `usage`, `at`,
 * as in the wire UsageReport). The traveller's UsageCheck verifies it against the previous one and
 * returns the terms of a cumulative receipt to sign (ReceiptTerms: `ride`, `nonce`, `usage`,
 * `totalNanos`, as in the wire UsageReceipt's leg, nonce, seconds, metres, total). Each receipt
 * supersedes the one before; only the last is settled, so a receipt's nonce, usage and total never go
 * down. The vehicle's ReceiptLedger keeps the last valid receipt per ride and says how much metered
 * use has no receipt yet; when that exceeds one tick's worth (`receiptExposure`), the vehicle stops or
 * limits service. Nothing here signs, sends or reads a clock: `now` is always passed in (ms).
 *
 * What the traveller checks, in this order (UsageRejectedError code):
 * - `malformed`: a field that is not a whole number (seq starts at 1, as the wire's receipt nonce);
 * - `wrong-ride`: the report names another ride;
 * - `stale`: its seq is not above the last signed nonce (the exact same report again is answered with
 *   the same terms, so a lost receipt can be re-sent);
 * - `usage-decreased`: seconds or metres below the last signed receipt;
 * - `implausible-time`: one report adds more than `maxSecondsPerReport`, or the metered seconds since
 *   the first report this check accepted outrun the traveller's own clock by more than
 *   `toleranceSeconds` (network delay, whole-second metering);
 * - `implausible-distance`: more metres than `maxMetresPerSecond` × (added seconds + 1) — whole-second
 *   metering can hide up to one second;
 * - `over-cap`: the fare for the reported use exceeds the traveller's own cap (e.g. the quoted maximum).
 */
import { KvartalError, type Nanos } from '@kvartal/protocol'
import { fareNanos, validatePricingPlan, validateUsage, UsageError, type PricingPlan, type Usage } from './pricing.ts'

export interface UsageReport {
  readonly ride: string
  readonly seq: number
  readonly usage: Usage
  readonly at: number
}
export interface ReceiptTerms {
  readonly ride: string
  readonly nonce: number
  readonly usage: Usage
  readonly totalNanos: Nanos
}

export const UsageRejection = {
  malformed: 'malformed',
  wrongRide: 'wrong-ride',
  stale: 'stale',
  usageDecreased: 'usage-decreased',
  implausibleTime: 'implausible-time',
  implausibleDistance: 'implausible-distance',
  overCap: 'over-cap'
} as const
export type UsageRejection = (typeof UsageRejection)[keyof typeof UsageRejection]

/** The traveller refuses to sign a receipt for this report. */
export class UsageRejectedError extends KvartalError {
  override readonly code: UsageRejection
  constructor(code: UsageRejection, message: string) {
    super(code, message)
    this.code = code
    this.name = 'UsageRejectedError'
  }
}

export const ReceiptRejection = {
  malformed: 'malformed',
  stale: 'stale',
  conflict: 'conflict',
  usageDecreased: 'usage-decreased',
  totalDecreased: 'total-decreased',
  overCap: 'over-cap',
  overPlan: 'over-plan'
} as const
export type ReceiptRejection = (typeof ReceiptRejection)[keyof typeof ReceiptRejection]

/** The vehicle refuses a receipt; `code` says why. */
export class ReceiptRejectedError extends KvartalError {
  override readonly code: ReceiptRejection
  constructor(code: ReceiptRejection, message: string) {
    super(code, message)
    this.code = code
    this.name = 'ReceiptRejectedError'
  }
}

/** A receipt older than the one the vehicle holds (a lower nonce): a replay or a reordering. */
export class StaleReceiptError extends ReceiptRejectedError {
  constructor(ride: string, nonce: number, held: number) {
    super('stale', `ride ${ride}: receipt nonce ${nonce} is older than the held nonce ${held}`)
    this.name = 'StaleReceiptError'
  }
}

export interface UsageCheckInit {
  readonly ride: string
  readonly plan: PricingPlan
  /** the traveller's own cap on the fare, e.g. the quoted maximum */
  readonly cap?: Nanos
  /** the most metered seconds one report may add */
  readonly maxSecondsPerReport: number
  /** plausibility: the vehicle's top speed, whole metres per second */
  readonly maxMetresPerSecond: number
  /** slack between the traveller's clock and the metered seconds; default defaultUsageCheckOptions */
  readonly toleranceSeconds?: number
  /** the last receipt this traveller signed for the ride, to resume after a restart */
  readonly resume?: ReceiptTerms
}

export const defaultUsageCheckOptions = {
  // Whole-second metering accounts for one second, and a report delayed on the way by up to a second
  // more than the first one was must still pass; more would let a vehicle bill time that did not pass.
  toleranceSeconds: 2
} as const

function whole(v: unknown, what: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    throw new UsageRejectedError('malformed', `${what} must be a whole number of at least ${min}, got ${String(v)}`)
  return v
}

function nonEmpty(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new UsageRejectedError('malformed', `${what} must be a non-empty string`)
  return v
}

function sameUsage(a: Usage, b: Usage): boolean {
  return a.seconds === b.seconds && a.metres === b.metres
}

function frozenTerms(t: ReceiptTerms): ReceiptTerms {
  return Object.freeze({
    ride: t.ride,
    nonce: t.nonce,
    usage: Object.freeze({ seconds: t.usage.seconds, metres: t.usage.metres }),
    totalNanos: t.totalNanos
  })
}

/** The traveller's side of one ride: checks each usage report and returns the receipt terms to sign. */
export class UsageCheck {
  readonly ride: string
  readonly plan: PricingPlan
  readonly cap: Nanos | undefined
  readonly maxSecondsPerReport: number
  readonly maxMetresPerSecond: number
  readonly toleranceSeconds: number
  #last: ReceiptTerms | undefined
  /** the first report accepted by this instance and the traveller's clock then: the base of the clock check */
  #base: { readonly seconds: number; readonly now: number } | undefined

  constructor(init: UsageCheckInit) {
    this.ride = nonEmpty(init.ride, 'ride')
    this.plan = validatePricingPlan(init.plan)
    this.cap = init.cap === undefined ? undefined : whole(init.cap, 'cap')
    this.maxSecondsPerReport = whole(init.maxSecondsPerReport, 'maxSecondsPerReport', 1)
    this.maxMetresPerSecond = whole(init.maxMetresPerSecond, 'maxMetresPerSecond', 1)
    this.toleranceSeconds = whole(init.toleranceSeconds ?? defaultUsageCheckOptions.toleranceSeconds, 'toleranceSeconds')
    if (init.resume !== undefined) {
      const r = init.resume
      if (r.ride !== this.ride)
        throw new UsageRejectedError('wrong-ride', `cannot resume ride ${this.ride} from a receipt for ride ${String(r.ride)}`)
      whole(r.nonce, 'resume.nonce', 1)
      whole(r.totalNanos, 'resume.totalNanos')
      this.#last = frozenTerms({ ...r, usage: this.#usage(r.usage) })
    }
  }

  /** The last terms returned by `next` (or resumed from). */
  get last(): ReceiptTerms | undefined {
    return this.#last
  }

  #usage(u: unknown): Usage {
    try {
      return validateUsage(u)
    } catch (err) {
      if (err instanceof UsageError) throw new UsageRejectedError('malformed', err.message)
      throw err
    }
  }

  /**
   * Validates the report against the previous one and returns the receipt terms to sign (nonce = the
   * report's seq, total = the plan's fare for its cumulative use). Throws UsageRejectedError; a refused
   * report changes nothing.
   */
  next(report: UsageReport, now: number): ReceiptTerms {
    whole(now, 'now')
    if (typeof report !== 'object' || report === null) throw new UsageRejectedError('malformed', 'a usage report must be an object')
    const ride = nonEmpty(report.ride, 'ride')
    const seq = whole(report.seq, 'seq', 1)
    whole(report.at, 'at')
    const usage = this.#usage(report.usage)
    if (ride !== this.ride) throw new UsageRejectedError('wrong-ride', `report for ride ${ride} sent to the check of ride ${this.ride}`)
    const last = this.#last
    if (last !== undefined && seq <= last.nonce) {
      if (seq === last.nonce && sameUsage(usage, last.usage)) return last
      throw new UsageRejectedError('stale', `ride ${ride}: report seq ${seq} is not after the last signed nonce ${last.nonce}`)
    }
    const prev: Usage = last?.usage ?? { seconds: 0, metres: 0 }
    if (usage.seconds < prev.seconds || usage.metres < prev.metres) {
      throw new UsageRejectedError(
        'usage-decreased',
        `ride ${ride}: usage went back from ${prev.seconds} s, ${prev.metres} m to ${usage.seconds} s, ${usage.metres} m`
      )
    }
    const addedSeconds = usage.seconds - prev.seconds
    if (addedSeconds > this.maxSecondsPerReport) {
      throw new UsageRejectedError(
        'implausible-time',
        `ride ${ride}: one report adds ${addedSeconds} s, more than the ${this.maxSecondsPerReport} s allowed per report`
      )
    }
    if (this.#base !== undefined) {
      const elapsed = Math.ceil(Math.max(0, now - this.#base.now) / 1000)
      const metered = usage.seconds - this.#base.seconds
      if (metered > elapsed + this.toleranceSeconds) {
        throw new UsageRejectedError(
          'implausible-time',
          `ride ${ride}: ${metered} s metered while ${elapsed} s passed on the traveller's clock (tolerance ${this.toleranceSeconds} s)`
        )
      }
    }
    const addedMetres = usage.metres - prev.metres
    const maxMetres = this.maxMetresPerSecond * (addedSeconds + 1)
    if (addedMetres > maxMetres) {
      throw new UsageRejectedError(
        'implausible-distance',
        `ride ${ride}: ${addedMetres} m in ${addedSeconds} s is faster than ${this.maxMetresPerSecond} m/s (at most ${maxMetres} m)`
      )
    }
    const totalNanos = fareNanos(this.plan, usage)
    if (this.cap !== undefined && totalNanos > this.cap) {
      throw new UsageRejectedError(
        'over-cap',
        `ride ${ride}: the fare ${totalNanos} nanos for ${usage.seconds} s, ` +
          `${usage.metres} m exceeds the traveller's cap of ${this.cap} nanos`
      )
    }
    const terms = frozenTerms({ ride, nonce: seq, usage, totalNanos })
    this.#last = terms
    this.#base ??= { seconds: usage.seconds, now }
    return terms
  }
}

export const ReceiptOutcome = { applied: 'applied', noop: 'noop' } as const
export type ReceiptOutcome = (typeof ReceiptOutcome)[keyof typeof ReceiptOutcome]

function receiptWhole(v: unknown, what: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
    throw new ReceiptRejectedError('malformed', `${what} must be a whole number of at least ${min}, got ${String(v)}`)
  return v
}

/** The vehicle's side: the last valid receipt of each ride, which is what it settles. */
export class ReceiptLedger {
  readonly #latest = new Map<string, ReceiptTerms>()

  /**
   * Takes a (signature-checked) receipt. An equal receipt (same nonce, total and usage) is a no-op; a
   * lower nonce is refused (StaleReceiptError); the same nonce with other terms is refused (`conflict`),
   * as is usage or a total below the held receipt's (`usage-decreased`, `total-decreased`: it would
   * lower what is owed), a total above `plan.max_price` or `cap` (`over-cap`), or above the plan's fare
   * for the receipt's usage (`over-plan`: the traveller's check never signs that, so the receipt is not
   * one to settle). `cap` is the ride's agreed maximum, when there is one.
   */
  apply(terms: ReceiptTerms, plan: PricingPlan, cap?: Nanos): ReceiptOutcome {
    if (typeof terms !== 'object' || terms === null) throw new ReceiptRejectedError('malformed', 'a receipt must be an object')
    if (typeof terms.ride !== 'string' || terms.ride === '') throw new ReceiptRejectedError('malformed', 'ride must be a non-empty string')
    const ride = terms.ride
    receiptWhole(terms.nonce, 'nonce', 1)
    receiptWhole(terms.totalNanos, 'totalNanos')
    if (cap !== undefined) receiptWhole(cap, 'cap')
    let usage: Usage
    try {
      usage = validateUsage(terms.usage)
    } catch (err) {
      if (err instanceof UsageError) throw new ReceiptRejectedError('malformed', err.message)
      throw err
    }
    const p = validatePricingPlan(plan)
    const held = this.#latest.get(ride)
    if (held !== undefined) {
      if (terms.nonce < held.nonce) throw new StaleReceiptError(ride, terms.nonce, held.nonce)
      if (terms.nonce === held.nonce) {
        if (terms.totalNanos === held.totalNanos && sameUsage(usage, held.usage)) return 'noop'
        throw new ReceiptRejectedError('conflict', `ride ${ride}: a different receipt with nonce ${terms.nonce} is already held`)
      }
      if (usage.seconds < held.usage.seconds || usage.metres < held.usage.metres) {
        throw new ReceiptRejectedError(
          'usage-decreased',
          `ride ${ride}: receipt usage ${usage.seconds} s, ${usage.metres} m ` +
            `is below the held ${held.usage.seconds} s, ${held.usage.metres} m`
        )
      }
      if (terms.totalNanos < held.totalNanos) {
        throw new ReceiptRejectedError(
          'total-decreased',
          `ride ${ride}: receipt total ${terms.totalNanos} is below the held total ${held.totalNanos}`
        )
      }
    }
    const limit = Math.min(p.max_price ?? Infinity, cap ?? Infinity)
    if (terms.totalNanos > limit)
      throw new ReceiptRejectedError('over-cap', `ride ${ride}: receipt total ${terms.totalNanos} exceeds the cap of ${limit} nanos`)
    const fare = fareNanos(p, usage)
    if (terms.totalNanos > fare) {
      throw new ReceiptRejectedError(
        'over-plan',
        `ride ${ride}: receipt total ${terms.totalNanos} exceeds the fare ${fare} ` +
          `that plan ${p.plan_id} charges for ${usage.seconds} s, ${usage.metres} m`
      )
    }
    this.#latest.set(ride, frozenTerms({ ride, nonce: terms.nonce, usage, totalNanos: terms.totalNanos }))
    return 'applied'
  }

  latest(ride: string): ReceiptTerms | undefined {
    return this.#latest.get(ride)
  }

  /**
   * Nanos of metered use not covered by a receipt yet: the plan's fare for `metered` minus the held
   * receipt's total, never below 0. The vehicle stops or limits service when this exceeds one tick's
   * worth (see receiptExposure).
   */
  unpaidSince(ride: string, metered: Usage, plan: PricingPlan): Nanos {
    const owed = fareNanos(plan, metered)
    return Math.max(0, owed - (this.#latest.get(ride)?.totalNanos ?? 0))
  }
}

/**
 * What one more tick of service can add to the fare from `metered`: fare(metered + tick) − fare(metered).
 * A vehicle lets `unpaidSince` reach this, and no more, before it stops or limits service.
 */
export function receiptExposure(plan: PricingPlan, metered: Usage, tick: Usage): Nanos {
  const m = validateUsage(metered)
  const t = validateUsage(tick)
  const after = { seconds: m.seconds + t.seconds, metres: m.metres + t.metres }
  if (!Number.isSafeInteger(after.seconds) || !Number.isSafeInteger(after.metres))
    throw new UsageError('metered use plus one tick is beyond safe integers')
  return fareNanos(plan, after) - fareNanos(plan, m)
}
