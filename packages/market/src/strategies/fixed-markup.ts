import { clampPrice, fillFrom, type Strategy, type TradingContext } from '../strategy.ts'

export interface FixedMarkupOptions {
  /**
   * share of the gap to the grid tariff a trader asks for: seller asks limit + m·(retail − limit), buyer bids limit −
   * m·(limit − feedIn)
   */
  markup: number
}

export const defaultFixedMarkupOptions: FixedMarkupOptions = {
  // a small margin keeps posted prices close to limits, so posted prices rank traders as their limits do
  markup: 0.1
}

/**
 * Posts a price a fixed share away from its limit and trades at posted prices: sellers accept any
 * proposal at or above their ask, buyers take any offer at or below their bid. The simplest
 * "truthful-ish" posted-price trader.
 */
export function fixedMarkup(options: Partial<FixedMarkupOptions> = {}): Strategy {
  const { markup } = { ...defaultFixedMarkupOptions, ...options }
  const ask = (ctx: TradingContext): number => clampPrice(ctx.limit + markup * (ctx.tariffs.retail - ctx.limit), ctx.tariffs)
  const bid = (ctx: TradingContext): number => clampPrice(ctx.limit - markup * (ctx.limit - ctx.tariffs.feedIn), ctx.tariffs)
  return {
    name: `fixed-markup(${markup})`,
    askPrice: ask,
    bidPrice: bid,
    approach: (ctx, offers) => fillFrom(offers, ctx.remainingWh, bid(ctx)),
    answerProposal: (ctx, price) =>
      price >= ask(ctx)
        ? { action: 'accept' }
        : price >= ctx.limit
          ? { action: 'counter', price: ask(ctx) }
          : { action: 'reject', code: 'price-too-low' },
    answerCounter: (ctx, price) => (price <= bid(ctx) ? { action: 'accept' } : { action: 'walk-away' })
  }
}
