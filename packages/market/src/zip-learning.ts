/**
 * The learning rule of ZIP traders (Cliff 1997, "Minimal-intelligence agents for bargaining behaviours
 * in market-based environments", HP Labs HPL-97-91), independent of any market: a trader keeps a profit
 * margin μ and shouts λ(1 + μ) for a unit of limit λ (a seller's μ ≥ 0, a buyer's μ ∈ [−1, 0]). On each
 * shout it sees, it may move its price toward a target τ = R·q + A near the shout's price q, by the
 * Widrow-Hoff rule with momentum:
 *
 *     Δ = β (τ − p),   Γ ← γ Γ + (1 − γ) Δ,   μ ← (p + Γ) / λ − 1
 *
 * with β (learning rate) and γ (momentum) drawn once per trader. Raising a price aims above q
 * (R ∈ [1, 1 + r], A ∈ [0, a]), lowering it aims below (R ∈ [1 − r, 1], A ∈ [−a, 0]).
 */

export interface ZipOptions {
  /** learning rate β drawn uniformly in [betaMin, betaMax] */
  betaMin: number
  betaMax: number
  /** momentum γ drawn uniformly in [gammaMin, gammaMax] */
  gammaMin: number
  gammaMax: number
  /** initial |margin| drawn uniformly in [marginMin, marginMax] */
  marginMin: number
  marginMax: number
  /** relative perturbation of the target: R ∈ [1, 1 + r] up, [1 − r, 1] down */
  r: number
  /** absolute perturbation of the target, in the market's price units: A ∈ [0, a] up, [−a, 0] down */
  a: number
}

/** Cliff's values; `a` = 0.05 is in his price units (prices of about 1–4), so markets with other units rescale it. */
export const defaultZipOptions: ZipOptions = {
  betaMin: 0.1,
  betaMax: 0.5,
  gammaMin: 0,
  gammaMax: 0.1,
  marginMin: 0.05,
  marginMax: 0.35,
  r: 0.05,
  a: 0.05
}

export interface ZipState {
  readonly side: 'buyer' | 'seller'
  margin: number
  readonly beta: number
  readonly gamma: number
  /** Γ, the momentum term */
  momentum: number
}

export function newZipState(side: 'buyer' | 'seller', random: () => number, o: ZipOptions = defaultZipOptions): ZipState {
  const u = (lo: number, hi: number): number => lo + random() * (hi - lo)
  const m = u(o.marginMin, o.marginMax)
  return { side, margin: side === 'seller' ? m : -m, beta: u(o.betaMin, o.betaMax), gamma: u(o.gammaMin, o.gammaMax), momentum: 0 }
}

/** The (real) price for a unit of limit λ. */
export function zipPrice(s: ZipState, limit: number): number {
  return limit * (1 + s.margin)
}

/** Integer quotes from real prices, robust to floating-point noise (600 × 0.68 must quote 408, not 407). */
export const quoteDown = (p: number): number => Math.floor(p + 1e-9)
export const quoteUp = (p: number): number => Math.ceil(p - 1e-9)

/** τ = R·q + A: above q when raising the price, below when lowering it. */
export function zipTarget(direction: 'up' | 'down', q: number, random: () => number, o: ZipOptions = defaultZipOptions): number {
  const r = random() * o.r
  const a = random() * o.a
  return direction === 'up' ? (1 + r) * q + a : (1 - r) * q - a
}

/** One Widrow-Hoff step with momentum toward `target`, margin kept on the trader's side of zero. */
export function zipUpdate(s: ZipState, limit: number, target: number): void {
  if (limit <= 0) return
  const p = zipPrice(s, limit)
  const delta = s.beta * (target - p)
  s.momentum = s.gamma * s.momentum + (1 - s.gamma) * delta
  const m = (p + s.momentum) / limit - 1
  s.margin = s.side === 'seller' ? Math.max(0, m) : Math.min(0, Math.max(-1, m))
}

/** What a ZIP trader sees of a shout: its side, price, and whether it traded (at `price`). */
export interface ZipShout {
  readonly side: 'bid' | 'ask'
  readonly price: number
  readonly accepted: boolean
}

/**
 * Cliff's rules on the last shout, for a trader with a unit of limit λ (prices compared at p = λ(1+μ)):
 *  seller — accepted at q: raise if p ≤ q; else, the shout a bid, lower if p ≥ q.
 *           not accepted: the shout an offer, lower if p ≥ q.
 *  buyer  — accepted at q: raise the margin (lower the price) if p ≥ q; else, the shout an offer, raise the price if p ≤ q.
 *           not accepted: the shout a bid, raise the price if p ≤ q.
 * `quoted` maps the real price to the one the trader would quote (rounding). Returns the direction the
 * price moved, if any.
 */
export function zipReact(
  s: ZipState,
  limit: number,
  shout: ZipShout,
  random: () => number,
  o: ZipOptions = defaultZipOptions,
  quoted?: (price: number) => number
): 'up' | 'down' | undefined {
  // compare what the trader would actually quote: in a market of integer prices, a seller at 132.8 quotes
  // 133 and must see a standing ask of 133 as its own level, or nobody ever undercuts it
  const p = quoted != null ? quoted(zipPrice(s, limit)) : zipPrice(s, limit)
  const q = shout.price
  let dir: 'up' | 'down' | undefined
  if (s.side === 'seller') {
    if (shout.accepted) dir = p <= q ? 'up' : shout.side === 'bid' ? 'down' : undefined
    else if (shout.side === 'ask' && p >= q) dir = 'down'
  } else {
    if (shout.accepted) dir = p >= q ? 'down' : shout.side === 'ask' ? 'up' : undefined
    else if (shout.side === 'bid' && p <= q) dir = 'up'
  }
  if (dir !== undefined) zipUpdate(s, limit, zipTarget(dir, q, random, o))
  return dir
}
