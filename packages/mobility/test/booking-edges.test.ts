import { describe, expect, it } from 'vitest'
import {
  BookingStateError,
  BookingTermsError,
  cancellationFee,
  packageStatusOf,
  type CancellationTerms,
  type LegStatus
} from '../src/index.ts'

/** The error a call throws (fails the test when it returns). */
function thrown(f: () => unknown): Error & { code?: string } {
  try {
    f()
  } catch (err) {
    return err as Error & { code?: string }
  }
  throw new Error('expected an error')
}

describe('packageStatusOf: what its refusals say', () => {
  it('names the missing legs, the value that is not a status and every status there is', () => {
    const none = thrown(() => packageStatusOf([]))
    expect(none).toBeInstanceOf(BookingStateError)
    expect(none.message).toMatch(/at least one leg/)
    const unknown = thrown(() => packageStatusOf(['CONFIRMED', 'IN_USE' as LegStatus]))
    expect(unknown).toMatchObject({ name: 'BookingStateError', code: 'unknown-status' })
    expect(unknown.message).toBe(
      'IN_USE is not a leg status (OFFERED, PENDING, CONFIRMED, RELEASED, EXPIRED, CANCELLED, STARTED, ENDED, SETTLED)'
    )
  })

  it('lists the legs that cannot share a package', () => {
    const e = thrown(() => packageStatusOf(['STARTED', 'PENDING']))
    expect(e).toMatchObject({ name: 'BookingStateError', code: 'inconsistent-legs' })
    expect(e.message).toMatch(/^legs STARTED, PENDING cannot belong to one package/)
  })
})

describe('cancellationFee: bounds and refusals', () => {
  const terms: CancellationTerms = { freeUntilS: 60, feeNanos: 100, refundAfterStart: false }
  const dep = 1_000_000

  it('names each field that is not a whole non-negative number, and the value it got', () => {
    const cases: Array<[string, () => unknown]> = [
      ['freeUntilS', () => cancellationFee({ ...terms, freeUntilS: -1 }, 500, 'CONFIRMED', dep, 0)],
      ['feeNanos', () => cancellationFee({ ...terms, feeNanos: -1 }, 500, 'CONFIRMED', dep, 0)],
      ['legPrice', () => cancellationFee(terms, -1, 'CONFIRMED', dep, 0)],
      ['departureMs', () => cancellationFee(terms, 500, 'CONFIRMED', -1, 0)],
      ['nowMs', () => cancellationFee(terms, 500, 'CONFIRMED', dep, -1)]
    ]
    for (const [field, f] of cases) {
      const e = thrown(f)
      expect(e).toMatchObject({ name: 'BookingTermsError', code: 'bad-terms' })
      expect(e.message).toBe(`${field} must be a whole non-negative number, got -1`)
    }
    // zero is whole and non-negative everywhere
    expect(cancellationFee({ freeUntilS: 0, feeNanos: 0, refundAfterStart: false }, 0, 'CONFIRMED', 0, 0)).toEqual({ fee: 0, refund: 0 })
    expect(thrown(() => cancellationFee(terms, '5' as unknown as number, 'CONFIRMED', dep, 0))).toBeInstanceOf(BookingTermsError)
  })

  it('refuses a free period whose milliseconds are beyond safe integers, and takes the largest that is not', () => {
    const most = Math.floor(Number.MAX_SAFE_INTEGER / 1000)
    expect(cancellationFee({ ...terms, freeUntilS: most }, 500, 'CONFIRMED', dep, 0)).toEqual({ fee: 100, refund: 400 })
    const e = thrown(() => cancellationFee({ ...terms, freeUntilS: most + 1 }, 500, 'CONFIRMED', dep, 0))
    expect(e).toBeInstanceOf(BookingTermsError)
    expect(e.message).toBe(`freeUntilS ${most + 1} is too large`)
  })

  it('charges the fee from the first millisecond after the free period, as long as the leg has not started', () => {
    expect(cancellationFee(terms, 500, 'CONFIRMED', dep, dep - 60_000)).toEqual({ fee: 0, refund: 500 })
    expect(cancellationFee(terms, 500, 'CONFIRMED', dep, dep - 59_999)).toEqual({ fee: 100, refund: 400 })
    expect(cancellationFee(terms, 50, 'CONFIRMED', dep, dep - 59_999)).toEqual({ fee: 50, refund: 0 })
  })

  it('says which status cannot be cancelled, and refuses a value that is not a status with its own code', () => {
    for (const s of ['RELEASED', 'EXPIRED', 'CANCELLED', 'SETTLED'] as const) {
      const e = thrown(() => cancellationFee(terms, 500, s, dep, 0))
      expect(e).toMatchObject({ name: 'BookingStateError', code: 'not-cancellable' })
      expect(e.message).toBe(`a ${s} leg cannot be cancelled`)
    }
    const e = thrown(() => cancellationFee(terms, 500, 'ROLLBACK' as LegStatus, dep, 0))
    expect(e).toMatchObject({ name: 'BookingStateError', code: 'unknown-status' })
    expect(e.message).toBe('ROLLBACK is not a leg status')
  })
})
