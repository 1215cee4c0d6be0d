import { describe, it, expect } from 'vitest'
import { createRng, hashSeed, normal, uniform } from '../src/index.ts'

describe('random', () => {
  it('repeats a sequence for the same seed and differs for another', () => {
    const a = createRng(7)
    const b = createRng(7)
    const c = createRng(8)
    const xs = Array.from({ length: 5 }, () => a())
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs)
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs)
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(0)
      expect(x).toBeLessThan(1)
    }
  })

  it('hashes parts into unrelated 32-bit seeds', () => {
    expect(hashSeed(1, 'a')).toBe(hashSeed(1, 'a'))
    expect(hashSeed('ab', 'c')).not.toBe(hashSeed('a', 'bc'))
    expect(hashSeed(1)).not.toBe(hashSeed('1'))
    expect(hashSeed(42, 100)).not.toBe(hashSeed(42, 101))
    const h = hashSeed(3, 'x', -5)
    expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true)
  })

  it('draws normals with mean 0 and variance 1, and uniforms in range', () => {
    const rng = createRng(hashSeed('normal'))
    let s = 0
    let s2 = 0
    const n = 20_000
    for (let i = 0; i < n; i++) {
      const z = normal(rng)
      s += z
      s2 += z * z
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03)
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05)
    for (let i = 0; i < 100; i++) {
      const u = uniform(rng, -2, 3)
      expect(u).toBeGreaterThanOrEqual(-2)
      expect(u).toBeLessThan(3)
    }
  })
})
