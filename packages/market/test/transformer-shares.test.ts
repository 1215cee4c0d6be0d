import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { transformerShares } from '../src/transformer-shares.ts'

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)

describe('transformerShares: a transformer limit cut in proportion to weights', () => {
  it('floors limit × weight ÷ Σweights, integers that add up to at most the limit', () => {
    // 125,000 Wh (500 kVA × 15 min) over connections of 17, 43.5 and 25 kW, in W
    const shares = transformerShares(125_000, [17_000, 43_500, 25_000])
    // 125,000 × 17,000 / 85,500 = 24,853.8…, × 43,500 / 85,500 = 63,596.4…, × 25,000 / 85,500 = 36,549.7…
    expect(shares).toEqual([24_853, 63_596, 36_549])
    expect(sum(shares)).toBe(124_998)
    // the same weights in other units give the same shares; one member takes the whole limit
    expect(transformerShares(125_000, [17, 43.5, 25])).toEqual(shares)
    expect(transformerShares(125_000, [9])).toEqual([125_000])
    // equal weights: equal shares; a weight of 0: no share
    expect(transformerShares(100, [1, 1, 1])).toEqual([33, 33, 33])
    expect(transformerShares(100, [0, 3, 1])).toEqual([0, 75, 25])
    expect(transformerShares(0, [1, 2])).toEqual([0, 0])
    expect(transformerShares(100, [])).toEqual([])
  })

  it('stays in whole numbers within the limit where limit × weight passes 2^53', () => {
    // 100 MVA over a day's slot: 2.4e9 Wh; connections of 100 MW in W: each product about 2.4e17
    const limit = 2_400_000_000
    const weights = [100_000_000, 99_999_999, 1, 33_333_333]
    const shares = transformerShares(limit, weights)
    const exact = weights.map(w => Number((BigInt(limit) * BigInt(w)) / BigInt(sum(weights))))
    expect(shares).toEqual(exact)
    expect(sum(shares)).toBeLessThanOrEqual(limit)
    for (const s of shares) expect(Number.isSafeInteger(s)).toBe(true)
    // here floating point would round 1,310,653,938.99… up to 1,310,653,939: in integers it stays below
    expect(transformerShares(2_096_468_167, [54_276_716, 90_527_747])).toEqual([785_814_228, 1_310_653_938])
  })

  it('refuses a limit that is not a whole number of Wh, a negative weight, and weights that add up to 0', () => {
    expect(() => transformerShares(1.5, [1])).toThrow(RangeError)
    expect(() => transformerShares(-1, [1])).toThrow(RangeError)
    expect(() => transformerShares(100, [1, -1])).toThrow(/weight/)
    expect(() => transformerShares(100, [1, Number.NaN])).toThrow(/weight/)
    expect(() => transformerShares(100, [0, 0])).toThrow(/add up to 0/)
  })

  const limit = fc.integer({ min: 0, max: 100_000_000 })
  const weights = fc.array(fc.integer({ min: 1, max: 100_000_000 }), { minLength: 1, maxLength: 80 })

  test.prop([limit, weights])('whole numbers, never above the limit, at most one Wh per member below it', (l, ws) => {
    const shares = transformerShares(l, ws)
    expect(shares).toHaveLength(ws.length)
    for (const s of shares) expect(Number.isSafeInteger(s) && s >= 0).toBe(true)
    expect(sum(shares)).toBeLessThanOrEqual(l)
    expect(sum(shares)).toBeGreaterThan(l - ws.length)
  })

  test.prop([limit, weights])('proportional: a larger weight never gets less, twice the weight twice the share (±1 Wh)', (l, ws) => {
    const shares = transformerShares(l, [...ws, 2 * ws[0]])
    const [first, double] = [shares[0], shares[shares.length - 1]]
    expect(Math.abs(double - 2 * first)).toBeLessThanOrEqual(1)
    for (let i = 0; i < ws.length; i++)
      for (let j = 0; j < ws.length; j++) if (ws[i] < ws[j]) expect(shares[i]).toBeLessThanOrEqual(shares[j])
    // each share is the exact floor of limit × w ÷ Σw
    const total = BigInt(sum(ws) + 2 * ws[0])
    expect(shares).toEqual([...ws, 2 * ws[0]].map(w => Number((BigInt(l) * BigInt(w)) / total)))
  })
})
