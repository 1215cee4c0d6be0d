import { seededRandom } from '@kvartal/protocol'
import { clearDoubleAuction } from './clearing.ts'
import type { GsTrader } from './gode-sunder-markets.ts'

/**
 * The continuous double auction as Gode & Sunder (1993) ran it, for multi-unit traders and integer
 * prices. Pure logic: randomness comes in seeded.
 *
 *  - one standing bid and one standing ask: a new bid must be higher than the standing bid and a new ask
 *    lower than the standing ask, otherwise the shout is ignored;
 *  - a bid at or above the standing ask, or an ask at or below the standing bid, trades at once at the
 *    standing (earlier) order's price;
 *  - a trade clears the book (both standing orders go);
 *  - a trader trades its units in order (a buyer's highest value first, a seller's lowest cost first) and
 *    shouts for its current unit only;
 *  - at each step one trader with units left is drawn at random to shout;
 *  - each period starts from the full endowment; a session is a number of periods.
 */

export interface CdaBook {
  readonly bid?: number
  readonly ask?: number
}

/** A shout, as every trader hears it. */
export interface CdaShout {
  readonly side: 'bid' | 'ask'
  readonly price: number
  readonly trader: string
  /** it crossed the standing order and traded (at `tradePrice`) */
  readonly accepted: boolean
  readonly tradePrice?: number
  /**
   * It did not improve the standing order of its side, so the book ignored it; it was still heard (as in
   * Cliff's 1997 market, every shout is an event). Without it a learning trader whose price is no better
   * than the standing one would never learn to improve it.
   */
  readonly ignored?: boolean
}

/** How one trader behaves in the CDA. */
export interface CdaAgent {
  /** The price to shout now for the current unit (value or cost `limit`, `unit` its index), or undefined to pass. */
  shout(limit: number, book: CdaBook, random: () => number, unit: number): number | undefined
  /**
   * Every shout, after the market applied it. `limit` is this trader's current unit (`unit` its index),
   * or undefined when it has no units left this period.
   */
  observe?(shout: CdaShout, limit: number | undefined, random: () => number, unit: number): void
}

export interface CdaTrade {
  readonly buyer: string
  readonly seller: string
  readonly price: number
  readonly buyerValue: number
  readonly sellerCost: number
  readonly step: number
}

export interface CdaPeriodOptions {
  /** shouts drawn per period (the paper's periods were long enough for ZI traders to finish) */
  steps: number
}

export const defaultCdaPeriodOptions: CdaPeriodOptions = { steps: 2000 }

/** One trading period from the full endowment. `agents[i]` acts for `traders[i]`. */
export function runCdaPeriod(
  traders: readonly GsTrader[],
  agents: readonly CdaAgent[],
  random: () => number,
  options: Partial<CdaPeriodOptions> = {}
): CdaTrade[] {
  const { steps } = { ...defaultCdaPeriodOptions, ...options }
  if (agents.length !== traders.length) throw new RangeError('one agent per trader')
  const next = traders.map(() => 0) // index of each trader's current unit
  const limitOf = (i: number): number | undefined => traders[i].units[next[i]]
  let bid: { price: number; i: number } | undefined
  let ask: { price: number; i: number } | undefined
  const trades: CdaTrade[] = []
  const active: number[] = []
  for (let step = 0; step < steps; step++) {
    active.length = 0
    let buyers = 0
    let sellers = 0
    traders.forEach((t, i) => {
      if (limitOf(i) === undefined) return
      active.push(i)
      if (t.side === 'buyer') buyers++
      else sellers++
    })
    if (buyers === 0 || sellers === 0) break
    const i = active[Math.floor(random() * active.length)]
    const t = traders[i]
    const limit = limitOf(i) as number
    const price = agents[i].shout(
      limit,
      { ...(bid != null ? { bid: bid.price } : {}), ...(ask != null ? { ask: ask.price } : {}) },
      random,
      next[i]
    )
    if (price === undefined) continue
    let shout: CdaShout
    if (t.side === 'buyer') {
      if (ask != null && price >= ask.price) {
        trades.push({
          buyer: t.id,
          seller: traders[ask.i].id,
          price: ask.price,
          buyerValue: limit,
          sellerCost: limitOf(ask.i) as number,
          step
        })
        shout = { side: 'bid', price, trader: t.id, accepted: true, tradePrice: ask.price }
        next[i]++
        next[ask.i]++
        bid = undefined
        ask = undefined
      } else if (bid == null || price > bid.price) {
        bid = { price, i }
        shout = { side: 'bid', price, trader: t.id, accepted: false }
      } else shout = { side: 'bid', price, trader: t.id, accepted: false, ignored: true } // does not improve the standing bid
    } else {
      if (bid != null && price <= bid.price) {
        trades.push({
          buyer: traders[bid.i].id,
          seller: t.id,
          price: bid.price,
          buyerValue: limitOf(bid.i) as number,
          sellerCost: limit,
          step
        })
        shout = { side: 'ask', price, trader: t.id, accepted: true, tradePrice: bid.price }
        next[i]++
        next[bid.i]++
        bid = undefined
        ask = undefined
      } else if (ask == null || price < ask.price) {
        ask = { price, i }
        shout = { side: 'ask', price, trader: t.id, accepted: false }
      } else shout = { side: 'ask', price, trader: t.id, accepted: false, ignored: true }
    }
    for (let j = 0; j < agents.length; j++) agents[j].observe?.(shout, limitOf(j), random, next[j])
  }
  return trades
}

/**
 * The maximum surplus of a schedule: the central double auction (`clearDoubleAuction`) on every unit as
 * its own order. Greedy over units is optimal (see clearing.ts) and, since each trader's units are
 * ordered, the units it picks for one trader are always a first run of that trader's units, so the
 * in-order rule costs nothing. Each unit is cleared as 1000 Wh, so welfare in nanos is the surplus in
 * the schedule's own price units, exactly.
 */
export function maxSurplus(traders: readonly GsTrader[]): { surplus: number; quantity: number } {
  const orders = (side: 'buyer' | 'seller'): Array<{ id: string; energyWh: number; price: number }> =>
    traders.filter(t => t.side === side).flatMap(t => t.units.map((price, k) => ({ id: `${t.id}#${k}`, energyWh: 1000, price })))
  const c = clearDoubleAuction(orders('buyer'), orders('seller'))
  return { surplus: c.welfareNanos, quantity: c.tradedWh / 1000 }
}

/**
 * The competitive equilibrium price: the midpoint of the range of prices at which the quantity
 * demanded equals the quantity supplied (between the marginal and the first extramarginal units).
 */
export function equilibriumPrice(traders: readonly GsTrader[]): number {
  const d = traders
    .filter(t => t.side === 'buyer')
    .flatMap(t => t.units)
    .sort((a, b) => b - a)
  const s = traders
    .filter(t => t.side === 'seller')
    .flatMap(t => t.units)
    .sort((a, b) => a - b)
  let q = 0
  while (q < d.length && q < s.length && d[q] >= s[q]) q++
  if (q === 0) return (d[0] + s[0]) / 2
  const lo = Math.max(s[q - 1], d[q] ?? -Infinity)
  const hi = Math.min(d[q - 1], s[q] ?? Infinity)
  return (lo + hi) / 2
}

/** Smith's (1962) alpha: root mean square deviation of prices from the equilibrium price, % of it. */
export function smithAlpha(prices: readonly number[], p0: number): number | undefined {
  if (prices.length === 0 || p0 === 0) return undefined
  let s = 0
  for (const p of prices) s += (p - p0) ** 2
  return (100 * Math.sqrt(s / prices.length)) / p0
}

export interface CdaSessionOptions extends CdaPeriodOptions {
  periods: number
  seed: number
}

export const defaultCdaSessionOptions: CdaSessionOptions = { ...defaultCdaPeriodOptions, periods: 6, seed: 1 }

export interface CdaPeriodResult {
  readonly trades: readonly CdaTrade[]
  readonly surplus: number
  readonly efficiency: number
  readonly alpha: number | undefined
}
export interface CdaSessionResult {
  readonly periods: readonly CdaPeriodResult[]
  /** Σ surplus / (periods × maximum surplus) */
  readonly efficiency: number
  readonly maxSurplus: number
}

/**
 * A session: `periods` periods with the same agents (learning agents keep what they learned), each
 * from the full endowment. `makeAgents` is called once per session with the session's random source.
 */
export function runCdaSession(
  traders: readonly GsTrader[],
  makeAgents: (random: () => number) => readonly CdaAgent[],
  options: Partial<CdaSessionOptions> = {}
): CdaSessionResult {
  const opts = { ...defaultCdaSessionOptions, ...options }
  const random = seededRandom(opts.seed)
  const agents = makeAgents(random)
  const max = maxSurplus(traders).surplus
  const p0 = equilibriumPrice(traders)
  const periods: CdaPeriodResult[] = []
  let total = 0
  for (let p = 0; p < opts.periods; p++) {
    const trades = runCdaPeriod(traders, agents, random, opts)
    const surplus = trades.reduce((a, t) => a + t.buyerValue - t.sellerCost, 0)
    total += surplus
    periods.push({
      trades,
      surplus,
      efficiency: max === 0 ? 1 : surplus / max,
      alpha: smithAlpha(
        trades.map(t => t.price),
        p0
      )
    })
  }
  return { periods, efficiency: max === 0 ? 1 : total / (opts.periods * max), maxSurplus: max }
}
