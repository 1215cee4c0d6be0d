/**
 * Small seeded randomness. Devices never use `Math.random`: every random draw comes from a generator
 * seeded by `hashSeed(seed, ...what)`, so a slot's value depends only on the seed and the slot, never on
 * which slots were asked for before.
 */

import { seededRandom } from '@kvartal/protocol'

/** mulberry32 (see `seededRandom` in the protocol): floats in [0, 1) from a 32-bit seed. */
export function createRng(seed: number): () => number {
  return seededRandom(seed)
}

/**
 * A 32-bit seed from any list of parts: FNV-1a over the parts' text (with a separator, so ('ab', 'c')
 * and ('a', 'bc') differ), finished with murmur3's avalanche so that neighbouring inputs such as slot
 * 41 and slot 42 give unrelated seeds.
 */
export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5
  for (const part of parts) {
    const s = typeof part === 'number' ? `n${part}` : `s${part}`
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i)
      h = Math.imul(h, 0x01000193)
    }
    h ^= 0x1f
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A uniform draw in [a, b). */
export function uniform(rng: () => number, a: number, b: number): number {
  return a + (b - a) * rng()
}

/** A standard normal draw (Box–Muller; uses two uniforms). */
export function normal(rng: () => number): number {
  const u = 1 - rng() // (0, 1], so the log is finite
  const v = rng()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** One standard normal draw determined only by `parts`. */
export function normalAt(...parts: Array<string | number>): number {
  return normal(createRng(hashSeed(...parts)))
}

/** One uniform [0, 1) draw determined only by `parts`. */
export function uniformAt(...parts: Array<string | number>): number {
  return createRng(hashSeed(...parts))()
}
