import { clampPrice, fillFrom, type Strategy, type TradingContext } from '../strategy.ts'
import { defaultZipOptions, newZipState, quoteDown, quoteUp, zipPrice, zipReact, type ZipOptions, type ZipState } from '../zip-learning.ts'

export interface ZipStrategyOptions extends Omit<ZipOptions, 'a'> {
  /** the absolute perturbation A of the target, as a share of the retail tariff (Cliff's 0.05 on prices of 1–4 is 1–5 %) */
  aShare: number
}

export const defaultZipStrategyOptions: ZipStrategyOptions = { ...defaultZipOptions, aShare: 0.01 }

interface Shout {
  now: number
  remainingWh: number
  price: number
}

/** at most this many slots' last shouts and limits' margins are kept (a node trades a few dozen slots at once) */
const keep = 256

/**
 * ZIP (Cliff 1997) as a Kvartal strategy: a profit margin per side that learns, by Cliff's Widrow-Hoff
 * rule with momentum (zip-learning.ts), from what a node sees of the market. Kvartal has no public tape
 * of shouts and trades, so the signals are the node's own:
 *  - a seller's own offer not taken: when it announces again for a slot and has sold nothing since its
 *    last announcement, its last ask was an offer not accepted, so it lowers its price (Cliff: an offer
 *    not accepted, p ≥ q);
 *  - a proposal a seller accepts is a bid accepted at q ≥ p: it raises its price toward q;
 *  - a buyer's own bid: when it approaches again for a slot, it has bought since its last proposal (its
 *    bid was accepted at q = p: it lowers its price) or not (a bid not accepted: it raises it).
 * A buyer proposes its own price to the offers within its limit, cheapest first — as Kvartal's zi-c does,
 * the proposal is the buyer's shout — or an offer's own price where that is lower; a seller accepts proposals at or
 * above its ask and counters with its ask those within its limit; a buyer accepts a counter at or below its price. At the last call before
 * gate closure a buyer pays up to its limit, since the grid's retail price is worse. Prices are integers,
 * never beyond the limit, within the tariffs.
 *
 * Margins are kept per side and per limit: a node's limit rarely changes from slot to slot, and a
 * multi-unit trader of an experiment (`ExperimentTrader.units`) then keeps one margin per unit, as the
 * CDA's ZIP does (zi-traders.ts). A limit not seen before starts from the side's latest margin.
 * Randomness (β, γ, initial margins, R and A) comes from `ctx.random`. One instance is one trader's
 * memory: give every node its own (the registry makes a new one per call).
 */
export function zipStrategy(options: Partial<ZipStrategyOptions> = {}): Strategy {
  const o = { ...defaultZipStrategyOptions, ...options }
  const states = new Map<string, ZipState>()
  const latest: Partial<Record<'buyer' | 'seller', ZipState>> = {}
  const shouts = new Map<string, Shout>()
  const zo = (ctx: TradingContext): ZipOptions => ({ ...o, a: o.aShare * ctx.tariffs.retail })
  const bounded = <V>(m: Map<string, V>, k: string, v: V): void => {
    m.delete(k)
    m.set(k, v)
    if (m.size > keep) m.delete(m.keys().next().value as string)
  }
  const stateOf = (side: 'buyer' | 'seller', ctx: TradingContext): ZipState => {
    const k = `${side}:${ctx.limit}`
    let s = states.get(k)
    if (s == null) {
      const fresh = newZipState(side, ctx.random, zo(ctx))
      const from = latest[side]
      s = from != null ? { ...fresh, margin: from.margin } : fresh
      bounded(states, k, s)
    }
    latest[side] = s
    return s
  }
  const ask = (ctx: TradingContext): number =>
    clampPrice(Math.max(ctx.limit, quoteUp(zipPrice(stateOf('seller', ctx), ctx.limit))), ctx.tariffs)
  const bid = (ctx: TradingContext): number =>
    clampPrice(Math.min(ctx.limit, quoteDown(zipPrice(stateOf('buyer', ctx), ctx.limit))), ctx.tariffs)
  const learn = (side: 'buyer' | 'seller', ctx: TradingContext, shout: { side: 'bid' | 'ask'; price: number; accepted: boolean }): void => {
    zipReact(stateOf(side, ctx), ctx.limit, shout, ctx.random, zo(ctx), side === 'seller' ? quoteUp : quoteDown)
  }
  /** was this trader's last shout for the slot (and unit: its limit) left untaken? (a later tick, and nothing traded since) */
  const untaken = (kind: 'ask' | 'bid', ctx: TradingContext): Shout | undefined => {
    const last = shouts.get(`${kind}:${ctx.slot}:${ctx.limit}`)
    return last != null && last.now < ctx.now && ctx.remainingWh >= last.remainingWh ? last : undefined
  }
  const most = (ctx: TradingContext): number => (ctx.lastCall === true ? ctx.limit : bid(ctx))
  return {
    name: 'zip',
    askPrice(ctx) {
      const last = shouts.get(`ask:${ctx.slot}:${ctx.limit}`)
      if (last != null && last.now === ctx.now) return last.price
      const missed = untaken('ask', ctx)
      if (missed != null) learn('seller', ctx, { side: 'ask', price: missed.price, accepted: false })
      const price = ask(ctx)
      bounded(shouts, `ask:${ctx.slot}:${ctx.limit}`, { now: ctx.now, remainingWh: ctx.remainingWh, price })
      return price
    },
    bidPrice: bid,
    approach(ctx, offers) {
      const last = shouts.get(`bid:${ctx.slot}:${ctx.limit}`)
      if (last != null && last.now < ctx.now) {
        // its last bid: taken if it has bought since (a bid accepted at q = its price), otherwise not
        const taken = ctx.remainingWh < last.remainingWh
        learn('buyer', ctx, { side: 'bid', price: last.price, accepted: taken })
      }
      const p = most(ctx)
      const within = offers.filter(x => x.price <= ctx.limit)
      if (within.length === 0) return []
      bounded(shouts, `bid:${ctx.slot}:${ctx.limit}`, { now: ctx.now, remainingWh: ctx.remainingWh, price: Math.min(p, within[0].price) })
      // its own price to the offers within its limit, cheapest first, and an offer's own price where that is lower
      return fillFrom(within, ctx.remainingWh, ctx.limit).map(x => ({ ...x, price: Math.min(p, x.price) }))
    },
    answerProposal(ctx, price) {
      const a = ask(ctx)
      if (price >= a) {
        learn('seller', ctx, { side: 'bid', price, accepted: true })
        return { action: 'accept' }
      }
      return price >= ctx.limit ? { action: 'counter', price: a } : { action: 'reject', code: 'price-too-low' }
    },
    answerCounter(ctx, price) {
      if (price > most(ctx)) return { action: 'walk-away' }
      learn('buyer', ctx, { side: 'ask', price, accepted: true })
      return { action: 'accept' }
    }
  }
}
