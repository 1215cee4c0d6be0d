import { clampPrice, type Strategy } from '../strategy.ts'

/**
 * Zero-intelligence-constrained traders (Gode & Sunder 1993): every price is drawn uniformly at random,
 * constrained only so that no trader can trade at a loss — sellers in [limit, retail], buyers in
 * [feed-in, limit]. The classic baseline: whatever efficiency ZI-C reaches comes from the market's
 * rules, not from the traders' intelligence.
 */
export function zeroIntelligenceConstrained(): Strategy {
  return {
    name: 'zi-c',
    askPrice: ctx => clampPrice(ctx.limit + ctx.random() * (ctx.tariffs.retail - ctx.limit), ctx.tariffs),
    bidPrice: ctx => clampPrice(ctx.tariffs.feedIn + ctx.random() * (ctx.limit - ctx.tariffs.feedIn), ctx.tariffs),
    approach(ctx, offers) {
      // one random draw per approach: take offers at or below it, cheapest first
      const bid = clampPrice(ctx.tariffs.feedIn + ctx.random() * (ctx.limit - ctx.tariffs.feedIn), ctx.tariffs)
      const out = []
      let left = ctx.remainingWh
      for (const o of offers) {
        if (left <= 0) break
        if (o.price > ctx.limit) break
        const q = Math.min(left, o.energyWh)
        // propose at the random bid; the seller decides
        out.push({ trader: o.trader, energyWh: q, price: Math.max(bid, 0) })
        left -= q
      }
      return out
    },
    answerProposal(ctx, price) {
      const ask = clampPrice(ctx.limit + ctx.random() * (ctx.tariffs.retail - ctx.limit), ctx.tariffs)
      return price >= ask
        ? { action: 'accept' }
        : price >= ctx.limit
          ? { action: 'counter', price: ask }
          : { action: 'reject', code: 'price-too-low' }
    },
    answerCounter: (ctx, price) => (price <= ctx.limit ? { action: 'accept' } : { action: 'walk-away' })
  }
}
