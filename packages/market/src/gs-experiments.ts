import { equilibriumPrice, runCdaSession, smithAlpha, type CdaAgent } from './cda.ts'
import { runExperiment, type ExperimentTrader } from './experiment.ts'
import { gsPriceRange, type GsMarket } from './gode-sunder-markets.ts'
import { strategyByName } from './strategies/registry.ts'
import { ziConstrained, ziUnconstrained, zipCdaAgent } from './zi-traders.ts'

/**
 * Gode & Sunder's experiment, and Kvartal's own negotiation on the same schedules: sessions of periods,
 * efficiency and Smith's alpha, mean and standard deviation over seeded sessions.
 */

export type CdaTraderKind = 'zi-u' | 'zi-c' | 'zip'

/**
 * ZIP's absolute target perturbation A in the CDA, in price points: Cliff's 0.05 on prices of about 1–4 is 1–5 %, and
 * G&S prices are about 100
 */
export const gsZipA = 2

export function cdaAgentsFor(kind: CdaTraderKind, market: GsMarket): (random: () => number) => CdaAgent[] {
  return random =>
    market.traders.map(t =>
      kind === 'zi-u'
        ? ziUnconstrained(gsPriceRange)
        : kind === 'zi-c'
          ? ziConstrained(t.side, gsPriceRange)
          : zipCdaAgent(t.side, gsPriceRange, random, { a: gsZipA })
    )
}

export interface Summary {
  readonly mean: number
  readonly sd: number
  readonly n: number
}

export function summarise(xs: readonly number[]): Summary {
  const n = xs.length
  if (n === 0) return { mean: NaN, sd: NaN, n }
  const mean = xs.reduce((a, x) => a + x, 0) / n
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0
  return { mean, sd, n }
}

export interface SessionsOptions {
  sessions: number
  periods: number
  seed: number
}
export const defaultSessionsOptions: SessionsOptions = { sessions: 100, periods: 6, seed: 1 }

export interface SessionsResult {
  /** session efficiency: Σ surplus / (periods × maximum surplus), % */
  readonly efficiency: Summary
  /** Smith's alpha (%) of the first and of the last period's prices, over the sessions that traded in it */
  readonly alphaFirst: Summary
  readonly alphaLast: Summary
  /** Smith's alpha (%) of each period */
  readonly alphaByPeriod: readonly Summary[]
}

function collect(runs: Array<{ efficiency: number; alphas: Array<number | undefined> }>): SessionsResult {
  const alphaAt = (k: (a: Array<number | undefined>) => number | undefined): number[] =>
    runs.map(r => k(r.alphas)).filter((x): x is number => x !== undefined)
  return {
    efficiency: summarise(runs.map(r => 100 * r.efficiency)),
    alphaFirst: summarise(alphaAt(a => a[0])),
    alphaLast: summarise(alphaAt(a => a.at(-1))),
    alphaByPeriod: (runs[0]?.alphas ?? []).map((_, k) => summarise(alphaAt(a => a[k])))
  }
}

/** `sessions` CDA sessions of `kind` traders, seeds seed, seed + 1, … */
export function runCdaSessions(
  market: GsMarket,
  kind: CdaTraderKind,
  options: Partial<SessionsOptions & { steps: number }> = {}
): SessionsResult {
  const o = { ...defaultSessionsOptions, ...options }
  const runs = []
  for (let k = 0; k < o.sessions; k++) {
    const r = runCdaSession(market.traders, cdaAgentsFor(kind, market), {
      periods: o.periods,
      seed: o.seed + k,
      ...(o.steps != null ? { steps: o.steps } : {})
    })
    runs.push({ efficiency: r.efficiency, alphas: r.periods.map(p => p.alpha) })
  }
  return collect(runs)
}

/** One G&S price point in nanos per kWh (0.01 IOTA/kWh), and one unit in Wh */
export const gsNanosPerPoint = 10_000_000
export const gsUnitWh = 1000

/**
 * Kvartal's decentralised negotiation (`runExperiment`) on a G&S schedule: each trader keeps its units
 * (`ExperimentTrader.units`, 1 kWh each, limits in points × 10⁷ nanos/kWh) and one strategy instance for
 * the whole session, so a learning strategy carries what it learned from period to period; the tariffs
 * are the ZI traders' price range (feed-in 1 point, retail 200 points), so Kvartal's zi-c draws exactly
 * as Gode & Sunder's ZI-C. Each period is one slot of `ticks` ticks.
 */
export function runKvartalSession(
  market: GsMarket,
  strategy: string,
  options: { periods?: number; ticks?: number; seed?: number } = {}
): { efficiency: number; alphas: Array<number | undefined> } {
  const periods = options.periods ?? 6
  const seed = options.seed ?? 1
  const traders: ExperimentTrader[] = market.traders.map(t => {
    const s = strategyByName(strategy)
    if (s == null) throw new RangeError(`unknown strategy ${strategy}`)
    return {
      id: t.id,
      side: t.side,
      limit: t.units[0] * gsNanosPerPoint,
      units: t.units.map(u => u * gsNanosPerPoint),
      energyWh: gsUnitWh,
      strategy: s
    }
  })
  const tariffs = { feedIn: gsPriceRange.min * gsNanosPerPoint, retail: gsPriceRange.max * gsNanosPerPoint }
  const p0 = equilibriumPrice(market.traders)
  let welfare = 0
  let optimum = 0
  const alphas: Array<number | undefined> = []
  for (let p = 0; p < periods; p++) {
    const r = runExperiment(traders, { tariffs, ticks: options.ticks ?? 16, seed: seed * 1000 + p, slot: p })
    welfare += r.welfareNanos
    optimum += r.optimumWelfareNanos
    alphas.push(
      smithAlpha(
        r.trades.flatMap(t => Array.from({ length: Math.round(t.energyWh / gsUnitWh) }, () => t.price / gsNanosPerPoint)),
        p0
      )
    )
  }
  return { efficiency: optimum === 0 ? 1 : welfare / optimum, alphas }
}

export function runKvartalSessions(
  market: GsMarket,
  strategy: string,
  options: Partial<SessionsOptions & { ticks: number }> = {}
): SessionsResult {
  const o = { ...defaultSessionsOptions, ...options }
  const runs = []
  for (let k = 0; k < o.sessions; k++)
    runs.push(runKvartalSession(market, strategy, { periods: o.periods, seed: o.seed + k, ...(o.ticks != null ? { ticks: o.ticks } : {}) }))
  return collect(runs)
}

/** The columns of the comparison: the CDA's traders, then Kvartal's built-in strategies. */
export const gsColumns: ReadonlyArray<{
  readonly label: string
  readonly run: (m: GsMarket, o: Partial<SessionsOptions>) => SessionsResult
}> = [
  { label: 'ZI-U (CDA)', run: (m, o) => runCdaSessions(m, 'zi-u', o) },
  { label: 'ZI-C (CDA)', run: (m, o) => runCdaSessions(m, 'zi-c', o) },
  { label: 'ZIP (CDA)', run: (m, o) => runCdaSessions(m, 'zip', o) },
  { label: 'Kvartal fixed-markup', run: (m, o) => runKvartalSessions(m, 'fixed-markup', o) },
  { label: 'Kvartal concession', run: (m, o) => runKvartalSessions(m, 'concession', o) },
  { label: 'Kvartal zi-c', run: (m, o) => runKvartalSessions(m, 'zi-c', o) },
  { label: 'Kvartal zip', run: (m, o) => runKvartalSessions(m, 'zip', o) }
]
