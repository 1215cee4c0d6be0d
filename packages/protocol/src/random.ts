/**
 * mulberry32: a 32-bit-state seeded PRNG, fast and good enough for simulation and experiments. Returns
 * floats in [0, 1). Shared by devices (weather, loads) and the market (ZI-C prices, experiment order),
 * so that every random choice in Kvartal follows from a seed.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
