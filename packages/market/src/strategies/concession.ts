import { clampPrice, elapsed, fillFrom, type Approach, type OfferView, type Strategy, type TradingContext } from '../strategy.ts'

export interface ConcessionOptions {
  /** concession curve exponent: 1 linear, < 1 concedes early (Boulware > 1 holds out) */
  beta: number
  /** sellers start at retail and buyers at feed-in, then move toward limit ± this share of the gap */
  reserveShare: number
}

export const defaultConcessionOptions: ConcessionOptions = {
  // linear: every trader concedes at the same pace, so at any instant prices rank traders by their limits
  beta: 1,
  // end a little short of the limit, so a trade always leaves the trader some surplus
  reserveShare: 0.05
}

/**
 * Time-dependent concession (Faratin, Sierra & Jennings 1998) on the buyer's side of a posted-offer
 * market: a buyer's price moves from feed-in toward its limit as gate closure nears, while sellers post
 * firm asks a small share above their limit (an announcement is a seller's price for the hour; a price
 * that moved between announcements would be invisible to buyers). With the same curve for every buyer,
 * a buyer with a higher limit is willing to pay any given ask sooner, so when energy is short the
 * buyers who value it most reach the offers first — a decentralised clock auction — and cheaper asks
 * are taken first whenever energy is plentiful. At the last call before gate closure a buyer pays up
 * to its limit, since the grid's retail price is worse, and a seller takes any price within its limit, since
 * the grid's feed-in is worse: a buyer then offers its limit to asks above it.
 */
export function timeDependentConcession(options: Partial<ConcessionOptions> = {}): Strategy {
  const { beta, reserveShare } = { ...defaultConcessionOptions, ...options }
  const f = (ctx: TradingContext): number => elapsed(ctx) ** beta
  const ask = (ctx: TradingContext): number => clampPrice(ctx.limit + reserveShare * (ctx.tariffs.retail - ctx.limit), ctx.tariffs)
  const bid = (ctx: TradingContext): number => {
    const cap = ctx.limit - reserveShare * (ctx.limit - ctx.tariffs.feedIn)
    return clampPrice(ctx.tariffs.feedIn + f(ctx) * (cap - ctx.tariffs.feedIn), ctx.tariffs)
  }
  // At the last call a buyer takes any offer within its limit: the reserve would otherwise leave a
  // feasible trade to the grid. With grid fees, a seller's reserve, the fee and a buyer's reserve add up:
  // a buyer at 0.654 IOTA/kWh and a seller at 0.544 could trade (0.544 + 0.086 fee = 0.630) but the
  // reserves put the seller's ask at 0.567 + 0.086 = 0.653 and the buyer's bid at most at 0.637, so
  // 1.3 % of the default day's local energy went to the grid (docs/feeders.md)
  const most = (ctx: TradingContext): number => (ctx.lastCall === true ? ctx.limit : bid(ctx))
  // The seller's reserve is the same loss from the other side: at its last call a seller takes any price within its
  // limit, and a buyer offers its limit to asks above it (they may be within the seller's limit, which the buyer does
  // not know; a refusal costs a round trip). Over the 1,000-building day, buyers short at the gate could have bought
  // 138 kWh from sellers that exported, limit against limit, and 102 kWh at the sellers' posted asks.
  const approach = (ctx: TradingContext, offers: readonly OfferView[]): Approach[] => {
    const within = fillFrom(offers, ctx.remainingWh, most(ctx))
    if (ctx.lastCall !== true) return within
    let left = ctx.remainingWh - within.reduce((a, x) => a + x.energyWh, 0)
    for (const o of offers) {
      if (left <= 0) break
      if (o.price <= ctx.limit || o.energyWh <= 0) continue
      const energyWh = Math.min(left, o.energyWh)
      within.push({ trader: o.trader, energyWh, price: ctx.limit })
      left -= energyWh
    }
    return within
  }
  return {
    name: `concession(beta=${beta})`,
    askPrice: ask,
    bidPrice: bid,
    approach,
    answerProposal: (ctx, price) =>
      price >= ask(ctx) || (ctx.lastCall === true && price >= ctx.limit)
        ? { action: 'accept' }
        : price >= ctx.limit
          ? { action: 'counter', price: ask(ctx) }
          : { action: 'reject', code: 'price-too-low' },
    answerCounter: (ctx, price) => (price <= most(ctx) ? { action: 'accept' } : { action: 'walk-away' })
  }
}
