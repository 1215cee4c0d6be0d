import { describe, expect, it } from 'vitest'
import { meanCi, studentTCdf, studentTQuantile } from '@kvartal/sim'

describe('sweep statistics: Student t intervals over seeds', () => {
  it('t quantiles equal the printed tables (two-sided 95 %: p = 0.975) to 4 decimals', () => {
    // e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2
    const table: Array<[number, number]> = [
      [1, 12.7062],
      [2, 4.3027],
      [3, 3.1824],
      [4, 2.7764],
      [9, 2.2622],
      [30, 2.0423],
      [100, 1.984]
    ]
    for (const [df, t] of table) expect(studentTQuantile(0.975, df), `df ${df}`).toBeCloseTo(t, 4)
    expect(studentTQuantile(0.995, 4)).toBeCloseTo(4.6041, 4)
    expect(studentTQuantile(0.5, 7)).toBeCloseTo(0, 9)
    // the CDF is symmetric and inverts the quantile
    expect(studentTCdf(-2.7764451, 4)).toBeCloseTo(0.025, 7)
    expect(() => studentTQuantile(0.3, 4)).toThrow(RangeError)
  })

  it('mean ± t·s/√n against values worked by hand', () => {
    // 1…5: mean 3, s = √2.5 = 1.581139, s/√5 = 0.707107, t(0.975, 4) = 2.776445 → ± 1.963243
    const c = meanCi([1, 2, 3, 4, 5])
    expect(c.n).toBe(5)
    expect(c.mean).toBe(3)
    expect(c.sd).toBeCloseTo(1.581139, 6)
    expect(c.halfWidth).toBeCloseTo(1.963243, 5)
    expect(c.low).toBeCloseTo(1.036757, 5)
    expect(c.high).toBeCloseTo(4.963243, 5)
    // two samples 10, 14: mean 12, s = 2√2, s/√2 = 2, t(0.975, 1) = 12.706205 → ± 25.41241
    const two = meanCi([10, 14])
    expect([two.mean, two.halfWidth]).toEqual([12, expect.closeTo(25.41241, 4)])
    // equal samples: no spread, a zero-width interval
    expect(meanCi([7, 7, 7])).toMatchObject({ mean: 7, sd: 0, low: 7, high: 7 })
    // one sample has no interval; none has no mean
    expect(meanCi([4])).toMatchObject({ n: 1, mean: 4, low: null, high: null })
    expect(meanCi([]).n).toBe(0)
    expect(Number.isNaN(meanCi([]).mean)).toBe(true)
  })
})
