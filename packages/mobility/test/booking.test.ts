import { describe, expect, it } from 'vitest'
import {
  BookingStateError,
  BookingTermsError,
  LegStatus,
  PackageStatus,
  canTransition,
  cancellationFee,
  packageStatusOf,
  packageTransitions,
  type CancellationTerms
} from '../src/index.ts'

const all = Object.values(PackageStatus)

describe('PackageStatus and LegStatus', () => {
  it('are the TOMP-API v2 names, values equal to keys', () => {
    expect(all).toEqual(['OFFERED', 'PENDING', 'CONFIRMED', 'RELEASED', 'EXPIRED', 'CANCELLED', 'STARTED', 'ENDED', 'SETTLED'])
    for (const [k, v] of Object.entries(PackageStatus)) expect(v).toBe(k)
    expect(LegStatus).toEqual(PackageStatus)
  })
})

describe('canTransition', () => {
  it('allows exactly the documented table', () => {
    const allowed = new Set([
      'OFFERED>PENDING',
      'PENDING>CONFIRMED',
      'PENDING>RELEASED',
      'PENDING>EXPIRED',
      'CONFIRMED>STARTED',
      'CONFIRMED>CANCELLED',
      'STARTED>ENDED',
      'ENDED>SETTLED'
    ])
    for (const from of all) for (const to of all) expect(canTransition(from, to), `${from} → ${to}`).toBe(allowed.has(`${from}>${to}`))
    expect(Object.values(packageTransitions).flat()).toHaveLength(allowed.size)
  })

  it('makes RELEASED, EXPIRED, CANCELLED and SETTLED final, and refuses non-statuses', () => {
    for (const s of ['RELEASED', 'EXPIRED', 'CANCELLED', 'SETTLED'] as const) expect(all.some(to => canTransition(s, to))).toBe(false)
    expect(canTransition('PENDING', 'ROLLBACK' as PackageStatus)).toBe(false)
    expect(canTransition('toString' as PackageStatus, 'PENDING')).toBe(false)
  })

  it('reaches SETTLED from OFFERED only through CONFIRMED, STARTED and ENDED', () => {
    const paths: string[][] = []
    const walk = (path: PackageStatus[]): void => {
      const at = path[path.length - 1]
      if (at === 'SETTLED') {
        paths.push(path)
        return
      }
      for (const to of packageTransitions[at]) walk([...path, to])
    }
    walk(['OFFERED'])
    expect(paths).toEqual([['OFFERED', 'PENDING', 'CONFIRMED', 'STARTED', 'ENDED', 'SETTLED']])
  })
})

describe('packageStatusOf', () => {
  const cases: Array<[LegStatus[], PackageStatus]> = [
    [['CONFIRMED', 'CONFIRMED', 'CONFIRMED'], 'CONFIRMED'],
    [['OFFERED'], 'OFFERED'],
    [['OFFERED', 'PENDING'], 'PENDING'],
    [['CONFIRMED', 'PENDING', 'CONFIRMED'], 'PENDING'],
    [['CONFIRMED', 'OFFERED'], 'PENDING'],
    // all-or-nothing: one refused or lapsed leg fails the package
    [['CONFIRMED', 'PENDING', 'RELEASED'], 'RELEASED'],
    [['CONFIRMED', 'EXPIRED'], 'RELEASED'],
    [['EXPIRED', 'EXPIRED'], 'EXPIRED'],
    [['EXPIRED', 'RELEASED'], 'RELEASED'],
    [['CANCELLED', 'PENDING'], 'RELEASED'],
    [['CANCELLED', 'RELEASED'], 'RELEASED'],
    // after confirmation
    [['CONFIRMED', 'CANCELLED'], 'CANCELLED'],
    [['CANCELLED', 'CANCELLED'], 'CANCELLED'],
    [['STARTED', 'CONFIRMED'], 'STARTED'],
    [['ENDED', 'CONFIRMED'], 'STARTED'],
    [['SETTLED', 'CONFIRMED'], 'STARTED'],
    [['ENDED', 'STARTED', 'CONFIRMED'], 'STARTED'],
    [['STARTED', 'CANCELLED'], 'STARTED'],
    [['ENDED', 'CANCELLED'], 'ENDED'],
    [['ENDED', 'SETTLED'], 'ENDED'],
    [['SETTLED', 'CANCELLED'], 'SETTLED'],
    [['SETTLED', 'SETTLED'], 'SETTLED']
  ]
  for (const [legs, want] of cases) it(`${legs.join(' + ')} → ${want}`, () => expect(packageStatusOf(legs)).toBe(want))

  it('refuses no legs, unknown statuses and legs that cannot share a package', () => {
    const codeOf = (legs: LegStatus[]): string => {
      try {
        packageStatusOf(legs)
      } catch (err) {
        expect(err).toBeInstanceOf(BookingStateError)
        return (err as BookingStateError).code
      }
      return 'none'
    }
    expect(codeOf([])).toBe('no-legs')
    expect(codeOf(['CONFIRMED', 'IN_USE' as LegStatus])).toBe('unknown-status')
    expect(codeOf(['STARTED', 'PENDING'])).toBe('inconsistent-legs')
    expect(codeOf(['ENDED', 'EXPIRED'])).toBe('inconsistent-legs')
    expect(codeOf(['SETTLED', 'OFFERED'])).toBe('inconsistent-legs')
  })

  it('is total over every other pair and triple of leg statuses, and order does not matter', () => {
    for (const a of all)
      for (const b of all)
        for (const c of all) {
          let got: string
          try {
            got = packageStatusOf([a, b, c])
          } catch (err) {
            got = (err as BookingStateError).code
          }
          expect(got).not.toBe('unknown-status')
          let swapped: string
          try {
            swapped = packageStatusOf([c, a, b])
          } catch (err) {
            swapped = (err as BookingStateError).code
          }
          expect(swapped).toBe(got)
        }
  })
})

describe('cancellationFee', () => {
  const terms: CancellationTerms = { freeUntilS: 3600, feeNanos: 500_000_000, refundAfterStart: false }
  const dep = 1_750_000_000_000
  const price = 2_000_000_000

  it('CONFIRMED: free up to and including freeUntilS before departure, the fixed fee after', () => {
    expect(cancellationFee(terms, price, 'CONFIRMED', dep, dep - 7_200_000)).toEqual({ fee: 0, refund: price })
    expect(cancellationFee(terms, price, 'CONFIRMED', dep, dep - 3_600_000)).toEqual({ fee: 0, refund: price })
    expect(cancellationFee(terms, price, 'CONFIRMED', dep, dep - 3_599_999)).toEqual({ fee: 500_000_000, refund: 1_500_000_000 })
    // not started yet
    expect(cancellationFee(terms, price, 'CONFIRMED', dep, dep + 60_000)).toEqual({ fee: 500_000_000, refund: 1_500_000_000 })
  })

  it('never charges more than the leg cost', () => {
    expect(cancellationFee(terms, 300_000_000, 'CONFIRMED', dep, dep - 60_000)).toEqual({ fee: 300_000_000, refund: 0 })
    expect(cancellationFee({ ...terms, freeUntilS: 0 }, price, 'CONFIRMED', dep, dep)).toEqual({ fee: 0, refund: price })
  })

  it('refunds nothing once started, and nothing was paid before confirmation', () => {
    expect(cancellationFee(terms, price, 'STARTED', dep, dep - 7_200_000)).toEqual({ fee: price, refund: 0 })
    expect(cancellationFee(terms, price, 'ENDED', dep, dep)).toEqual({ fee: price, refund: 0 })
    expect(cancellationFee(terms, price, 'PENDING', dep, dep)).toEqual({ fee: 0, refund: 0 })
    expect(cancellationFee(terms, price, 'OFFERED', dep, dep)).toEqual({ fee: 0, refund: 0 })
  })

  it('throws BookingStateError where cancelling is impossible', () => {
    for (const s of ['RELEASED', 'EXPIRED', 'CANCELLED', 'SETTLED'] as const) {
      expect(() => cancellationFee(terms, price, s, dep, dep)).toThrow(
        expect.objectContaining({ name: 'BookingStateError', code: 'not-cancellable' })
      )
    }
    expect(() => cancellationFee(terms, price, 'ROLLBACK' as LegStatus, dep, dep)).toThrow(BookingStateError)
  })

  it('throws BookingTermsError for amounts and times that are not whole numbers', () => {
    expect(() => cancellationFee({ ...terms, feeNanos: -1 }, price, 'CONFIRMED', dep, dep)).toThrow(BookingTermsError)
    expect(() => cancellationFee({ ...terms, freeUntilS: 1.5 }, price, 'CONFIRMED', dep, dep)).toThrow(BookingTermsError)
    expect(() => cancellationFee(terms, 0.5, 'CONFIRMED', dep, dep)).toThrow(
      expect.objectContaining({ name: 'BookingTermsError', code: 'bad-terms' })
    )
    expect(() => cancellationFee(terms, price, 'CONFIRMED', dep, Number.NaN)).toThrow(BookingTermsError)
  })
})
