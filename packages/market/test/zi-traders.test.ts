import { describe, expect, it } from 'vitest'
import { ziConstrained, ziUnconstrained, zipCdaAgent } from '../src/zi-traders.ts'
import { gsPriceRange } from '../src/gode-sunder-markets.ts'
import type { ZipState } from '../src/zip-learning.ts'

// The CDA's traders on a random source that draws what they are given.

const always = (x: number) => (): number => x

describe('ZI traders draw whole prices uniformly over their whole range', () => {
  it("ZI-U: from the range's minimum to its maximum, both included", () => {
    const u = ziUnconstrained(gsPriceRange)
    expect(u.shout(50, {}, always(0), 0)).toBe(1)
    expect(u.shout(50, {}, always(0.9999), 0)).toBe(200)
    expect(u.shout(50, {}, always(0.5), 0)).toBe(101)
  })

  it('ZI-C: a buyer up to its value, a seller from its cost', () => {
    expect(ziConstrained('buyer', gsPriceRange).shout(50, {}, always(0.9999), 0)).toBe(50)
    expect(ziConstrained('buyer', gsPriceRange).shout(50, {}, always(0), 0)).toBe(1)
    expect(ziConstrained('seller', gsPriceRange).shout(150, {}, always(0), 0)).toBe(150)
    expect(ziConstrained('seller', gsPriceRange).shout(150, {}, always(0.9999), 0)).toBe(200)
  })
})

describe('ZIP in the CDA', () => {
  it("its first unit's margin is the first one drawn; a later unit draws its own and shares β and γ", () => {
    const draws = [0.5, 0.5, 0.5, 1, 0]
    const z = zipCdaAgent('seller', gsPriceRange, () => draws.shift() as number)
    // margin 0.05 + 0.5 × 0.3, β 0.3, γ 0.05
    expect(z.states).toHaveLength(1)
    expect([z.states[0].margin, z.states[0].beta, z.states[0].gamma]).toEqual([
      expect.closeTo(0.2, 12),
      expect.closeTo(0.3, 12),
      expect.closeTo(0.05, 12)
    ])
    expect(z.shout(100, {}, always(0), 0)).toBe(120)
    expect(z.shout(100, {}, always(0), 1)).toBe(135)
    expect(z.states).toHaveLength(2)
    expect(z.states[1]).toEqual({ ...z.states[0], margin: expect.closeTo(0.35, 12) })
  })

  it('learns nothing once it has no unit left', () => {
    const z = zipCdaAgent('seller', gsPriceRange, always(0.5))
    const before: ZipState[] = z.states.map(s => ({ ...s }))
    z.observe?.({ side: 'bid', price: 50, trader: 'x', accepted: true, tradePrice: 50 }, undefined, always(0.5), 1)
    expect(z.states).toEqual(before)
  })
})
