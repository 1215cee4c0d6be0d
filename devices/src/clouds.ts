import { hashSeed, normalAt } from './random.ts'

/**
 * Cloud cover as a slowly varying random process over slot indices, computed so that any slot's value
 * depends only on the seed and the slot index (never on call order).
 *
 * A latent standard-normal AR(1) process z(i) = φ·z(i−1) + √(1−φ²)·ε(i) is evaluated as its moving-average
 * form truncated to a window of `window` innovations, each innovation ε(j) drawn from hashSeed(seed, j).
 * The truncation is rescaled so z keeps unit variance. Cloud cover is then clamp(mean + spread·z, 0, 1),
 * and the fraction of clear-sky irradiance that reaches the ground follows Kasten & Czeplak (1980):
 * 1 − 0.75·cover^3.4.
 */
export interface CloudOptions {
  /** mean cloud cover, 0 (always clear) to 1 (always overcast) */
  readonly cloudiness: number
  readonly seed: number
  /** lag-one correlation of the latent process between neighbouring slots */
  readonly persistence?: number
  /** innovations kept in the moving-average form */
  readonly window?: number
}

export const defaultCloudOptions = {
  // 0.92 per 15-min slot: correlation falls to 1/e in about 12 slots (3 h), weather-like rather than flicker
  persistence: 0.92,
  // 0.92^48 ≈ 0.018: what the truncation drops is negligible, and 48 draws per slot stay cheap
  window: 48
} as const

export interface CloudModel {
  /** cloud cover in slot `index`, 0..1 */
  cover(index: number): number
  /** fraction of clear-sky irradiance reaching the ground in slot `index`, 0.25..1 */
  factor(index: number): number
  /** the expected value of `factor` over the process, what a forecast without weather data assumes */
  readonly expectedFactor: number
}

/** Kasten–Czeplak: fraction of clear-sky global irradiance under cloud cover `cover` (0..1). */
export function kastenCzeplak(cover: number): number {
  return 1 - 0.75 * cover ** 3.4
}

export function createCloudModel(options: CloudOptions): CloudModel {
  const phi = options.persistence ?? defaultCloudOptions.persistence
  const window = options.window ?? defaultCloudOptions.window
  const mean = options.cloudiness
  // spread vanishes at 0 and 1, so cloudiness 0 is a clear sky and 1 a closed deck
  const spread = 0.7 * Math.sqrt(mean * (1 - mean))
  const scale = Math.sqrt((1 - phi * phi) / (1 - phi ** (2 * window)))
  const seed = hashSeed(options.seed, 'clouds')

  const latent = (index: number): number => {
    let z = 0
    let w = 1
    for (let k = 0; k < window; k++) {
      z += w * normalAt(seed, index - k)
      w *= phi
    }
    return z * scale
  }
  const coverOf = (z: number): number => Math.min(1, Math.max(0, mean + spread * z))

  // E[factor] for a standard-normal z, by the midpoint rule over ±6σ
  let expected = 0
  const n = 600
  const dz = 12 / n
  for (let i = 0; i < n; i++) {
    const z = -6 + (i + 0.5) * dz
    expected += kastenCzeplak(coverOf(z)) * Math.exp((-z * z) / 2) * dz
  }
  expected /= Math.sqrt(2 * Math.PI)

  return {
    cover: index => (spread === 0 ? mean : coverOf(latent(index))),
    factor: index => kastenCzeplak(spread === 0 ? mean : coverOf(latent(index))),
    expectedFactor: expected
  }
}
