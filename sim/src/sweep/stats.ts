/**
 * Means and 95 % confidence intervals over a sweep's seeds. A run's KPI is one sample; the seeds of one
 * grid point are independent draws (each seed makes its own district, weather, limits and keys), so the
 * interval is the textbook one for a mean with unknown variance: mean ± t(1 − α/2, n − 1) · s / √n,
 * with s the sample standard deviation (n − 1 in the denominator) and t Student's quantile.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
  ]
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x)
  x -= 1
  let a = c[0]
  const t = x + 7.5
  for (let i = 1; i < 9; i++) a += c[i] / (x + i)
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a)
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300
  let c = 1
  let d = 1 - ((a + b) * x) / (a + 1)
  if (Math.abs(d) < tiny) d = tiny
  d = 1 / d
  let h = d
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < 1e-15) break
  }
  return h
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x))
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5)
  return t >= 0 ? 1 - tail : tail
}

/** Student's t quantile: the t with P(T ≤ t) = p, for 0.5 ≤ p < 1 (bisection on the CDF to 1e-12). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p >= 0.5 && p < 1)) throw new RangeError(`studentTQuantile: p must be in [0.5, 1), got ${p}`)
  if (!(df > 0)) throw new RangeError(`studentTQuantile: df must be positive, got ${df}`)
  let lo = 0
  let hi = 1
  while (studentTCdf(hi, df) < p) hi *= 2
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2
    if (studentTCdf(mid, df) < p) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/** A sample's mean with its confidence interval; `low`/`high` are null with fewer than two samples. */
export interface MeanCi {
  readonly n: number
  readonly mean: number
  /** sample standard deviation (n − 1); 0 for one sample */
  readonly sd: number
  readonly low: number | null
  readonly high: number | null
  /** t · s / √n */
  readonly halfWidth: number | null
}

/** Mean and two-sided `level` confidence interval (Student t) of the samples; NaN mean when there are none. */
export function meanCi(xs: readonly number[], level = 0.95): MeanCi {
  const n = xs.length
  if (n === 0) return { n, mean: NaN, sd: NaN, low: null, high: null, halfWidth: null }
  const mean = xs.reduce((a, x) => a + x, 0) / n
  if (n === 1) return { n, mean, sd: 0, low: null, high: null, halfWidth: null }
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1))
  const halfWidth = (studentTQuantile(1 - (1 - level) / 2, n - 1) * sd) / Math.sqrt(n)
  return { n, mean, sd, low: mean - halfWidth, high: mean + halfWidth, halfWidth }
}
