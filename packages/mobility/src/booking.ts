/**
 * TOMP-API v2 booking states of a package and of its legs, and what cancelling a leg costs.
 *
 * PackageStatus uses TOMP-API v2's `packageStatus` names (OFFERED, PENDING, CONFIRMED, RELEASED,
 * EXPIRED, CANCELLED, STARTED, ENDED, SETTLED; TOMP's ROLLBACK is not used). LegStatus is the booking
 * state of one leg, i.e. of one provider's part of the package, with the same names: it is the
 * `status` of the wire LegState, not TOMP's `legStatus`, which is an execution state (NOT_STARTED,
 * IN_USE, ...).
 *
 * Transitions (canTransition; anything not listed is refused, including staying put):
 *   OFFERED   → PENDING                        the traveller asks to book: the provider holds
 *   PENDING   → CONFIRMED | RELEASED | EXPIRED  committed and paid | released unpaid | the hold lapsed
 *   CONFIRMED → STARTED | CANCELLED            the trip begins | cancelled under CancellationTerms
 *   STARTED   → ENDED
 *   ENDED     → SETTLED                        services delivered and paid for in full
 * RELEASED, EXPIRED, CANCELLED and SETTLED are final: a cancellation fee or refund is settled
 * without another state change.
 */
import { KvartalError, type Nanos } from '@kvartal/protocol'

export const PackageStatus = {
  OFFERED: 'OFFERED',
  PENDING: 'PENDING',
  CONFIRMED: 'CONFIRMED',
  RELEASED: 'RELEASED',
  EXPIRED: 'EXPIRED',
  CANCELLED: 'CANCELLED',
  STARTED: 'STARTED',
  ENDED: 'ENDED',
  SETTLED: 'SETTLED'
} as const
export type PackageStatus = (typeof PackageStatus)[keyof typeof PackageStatus]

/** One leg's booking state: the same names as the package's. */
export const LegStatus = PackageStatus
export type LegStatus = PackageStatus

/** The transition table above, as data. */
export const packageTransitions: { readonly [S in PackageStatus]: readonly PackageStatus[] } = {
  OFFERED: ['PENDING'],
  PENDING: ['CONFIRMED', 'RELEASED', 'EXPIRED'],
  CONFIRMED: ['STARTED', 'CANCELLED'],
  STARTED: ['ENDED'],
  ENDED: ['SETTLED'],
  RELEASED: [],
  EXPIRED: [],
  CANCELLED: [],
  SETTLED: []
}

/** A status that does not allow what was asked, or that is not a status at all. */
export class BookingStateError extends KvartalError {
  constructor(code: string, message: string) {
    super(code, message)
    this.name = 'BookingStateError'
  }
}

/** Cancellation terms that are not whole non-negative numbers. */
export class BookingTermsError extends KvartalError {
  constructor(message: string) {
    super('bad-terms', message)
    this.name = 'BookingTermsError'
  }
}

const statuses = new Set<string>(Object.values(PackageStatus))
export function isPackageStatus(s: unknown): s is PackageStatus {
  return typeof s === 'string' && statuses.has(s)
}

/** Whether a package (or a leg) may go from `from` to `to`; false for anything that is not a status. */
export function canTransition(from: PackageStatus, to: PackageStatus): boolean {
  return isPackageStatus(from) && isPackageStatus(to) && packageTransitions[from].includes(to)
}

const BOOKING = new Set<LegStatus>(['OFFERED', 'PENDING'])
const FAILED = new Set<LegStatus>(['RELEASED', 'EXPIRED'])
const UNDER_WAY = new Set<LegStatus>(['STARTED', 'ENDED', 'SETTLED'])

/**
 * The package's status from its legs' statuses. Booking is all-or-nothing, so (first rule that
 * applies):
 *  1. no legs: BookingStateError `no-legs`; a value that is not a status: `unknown-status`;
 *  2. all legs in one status: that status;
 *  3. a leg under way (STARTED, ENDED, SETTLED) beside a leg still booking or failed (OFFERED, PENDING,
 *     RELEASED, EXPIRED): BookingStateError `inconsistent-legs` — a package starts only once every leg
 *     was confirmed, and a confirmed leg never goes back to booking or fails;
 *  4. any leg RELEASED or EXPIRED, or a CANCELLED leg beside one still booking: RELEASED — the package
 *     cannot be completed, and its confirmed legs are for the caller to cancel;
 *  5. any leg OFFERED or PENDING (the rest CONFIRMED or OFFERED/PENDING): PENDING;
 *  6. any leg STARTED, or a finished leg (ENDED, SETTLED) beside a CONFIRMED one: STARTED — the
 *     journey is under way between its legs;
 *  7. CONFIRMED beside CANCELLED: CANCELLED — the journey no longer holds together;
 *  8. only ENDED, SETTLED and CANCELLED remain: ENDED while any leg is ENDED, else SETTLED (a leg
 *     cancelled before it started does not keep the journey open).
 */
export function packageStatusOf(legs: readonly LegStatus[]): PackageStatus {
  if (legs.length === 0) throw new BookingStateError('no-legs', 'a package has at least one leg')
  for (const s of legs)
    if (!isPackageStatus(s))
      throw new BookingStateError('unknown-status', `${String(s)} is not a leg status (${Object.keys(PackageStatus).join(', ')})`)
  const has = (set: ReadonlySet<LegStatus>): boolean => legs.some(s => set.has(s))
  const any = (s: LegStatus): boolean => legs.includes(s)
  if (legs.every(s => s === legs[0])) return legs[0]
  if (has(UNDER_WAY) && (has(BOOKING) || has(FAILED))) {
    throw new BookingStateError(
      'inconsistent-legs',
      `legs ${legs.join(', ')} cannot belong to one package: it starts only once every leg is CONFIRMED`
    )
  }
  if (has(FAILED) || (any('CANCELLED') && has(BOOKING))) return 'RELEASED'
  if (has(BOOKING)) return 'PENDING'
  if (any('STARTED') || ((any('ENDED') || any('SETTLED')) && any('CONFIRMED'))) return 'STARTED'
  if (any('CONFIRMED')) return 'CANCELLED'
  return any('ENDED') ? 'ENDED' : 'SETTLED'
}

/** TOMP-API's cancellation conditions of a leg, in whole seconds and nanos (the wire CancellationTerms). */
export interface CancellationTerms {
  /** cancelling is free until this many seconds before departure (inclusive) */
  readonly freeUntilS: number
  /** the fixed fee after that, before the leg starts */
  readonly feeNanos: Nanos
  /** nothing is refunded once the leg has started */
  readonly refundAfterStart: false
}

function whole(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new BookingTermsError(`${what} must be a whole non-negative number, got ${String(v)}`)
  return v
}

/**
 * What cancelling a leg now costs (`fee`, kept by the provider) and returns (`refund`), for a leg
 * bought at `legPrice`:
 * - OFFERED, PENDING: nothing was paid, so 0 and 0;
 * - CONFIRMED up to `freeUntilS` before departure (nowMs ≤ departureMs − freeUntilS·1000): fee 0,
 *   refund all; after that, and for as long as the leg has not started (its status says so, not the
 *   clock): fee min(feeNanos, price), refund the rest;
 * - STARTED, ENDED: nothing back (`refundAfterStart` is false): fee = price, refund 0;
 * - RELEASED, EXPIRED, CANCELLED, SETTLED: BookingStateError `not-cancellable`.
 */
export function cancellationFee(
  terms: CancellationTerms,
  legPrice: Nanos,
  status: LegStatus,
  departureMs: number,
  nowMs: number
): { fee: Nanos; refund: Nanos } {
  const freeUntilS = whole(terms.freeUntilS, 'freeUntilS')
  const feeNanos = whole(terms.feeNanos, 'feeNanos')
  whole(legPrice, 'legPrice')
  whole(departureMs, 'departureMs')
  whole(nowMs, 'nowMs')
  if (!Number.isSafeInteger(freeUntilS * 1000)) throw new BookingTermsError(`freeUntilS ${freeUntilS} is too large`)
  switch (status) {
    case 'OFFERED':
    case 'PENDING':
      return { fee: 0, refund: 0 }
    case 'CONFIRMED': {
      if (nowMs <= departureMs - freeUntilS * 1000) return { fee: 0, refund: legPrice }
      const fee = Math.min(feeNanos, legPrice)
      return { fee, refund: legPrice - fee }
    }
    case 'STARTED':
    case 'ENDED':
      return { fee: legPrice, refund: 0 }
    case 'RELEASED':
    case 'EXPIRED':
    case 'CANCELLED':
    case 'SETTLED':
      throw new BookingStateError('not-cancellable', `a ${status} leg cannot be cancelled`)
    default:
      throw new BookingStateError('unknown-status', `${String(status)} is not a leg status`)
  }
}
