import { seededRandom } from '@kvartal/protocol'
import { clearDoubleAuction } from './clearing.ts'
import { SlotPositions } from './positions.ts'
import type { Strategy, Tariffs, TradingContext } from './strategy.ts'

/** One trader of a market experiment: a side, a limit (value or cost, nanos/kWh), a quantity and a strategy. */
export interface ExperimentTrader {
  readonly id: string
  readonly side: 'buyer' | 'seller'
  readonly limit: number
  readonly energyWh: number
  readonly strategy: Strategy
  /**
   * Multi-unit trader (Smith 1962, Gode & Sunder 1993): the limits of its successive units, each of
   * `energyWh`, traded in this order (a buyer's highest value first, a seller's lowest cost first); `limit`
   * is then ignored. The trader offers, bids and negotiates one unit at a time, with that unit's limit in
   * its `TradingContext` and the rest of that unit as `remainingWh`, and moves on to its next unit once
   * it has traded it — within the same tick when it can. Kept as one trader, not one trader per unit, so
   * that a strategy that learns (ZIP) learns per trader, as in the literature.
   */
  readonly units?: readonly number[]
}

export interface ExperimentOptions {
  tariffs: Tariffs
  /** how many times, between opening and gate closure, buyers look at the offers */
  ticks: number
  seed: number
  /** the slot number the strategies see (several periods of one session are several slots) */
  slot?: number
}

export const defaultExperimentOptions: ExperimentOptions = {
  // Nordic retail ≈ 1 IOTA/kWh, feed-in ≈ 0.3 IOTA/kWh (scenario defaults)
  tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 },
  // enough steps for concession strategies to sweep the price range finely
  ticks: 16,
  seed: 1
}

export interface ExperimentTrade {
  readonly buyer: string
  readonly seller: string
  readonly energyWh: number
  readonly price: number
  readonly tick: number
  /** the limits of the units that traded (the traders' `limit` for single-limit traders) */
  readonly buyerLimit: number
  readonly sellerLimit: number
}

export interface ExperimentResult {
  readonly trades: readonly ExperimentTrade[]
  readonly tradedWh: number
  /** Σ (buyer limit − seller limit) × Wh / 1000, nanos */
  readonly welfareNanos: number
  readonly optimumWh: number
  readonly optimumWelfareNanos: number
  /** welfare / optimum welfare (1 when the optimum is 0) */
  readonly efficiency: number
  readonly proposals: number
}

export { seededRandom }

/**
 * Runs the decentralised market of one slot on an explicit supply and demand schedule, with the same
 * rules as the nodes (posted offers, bilateral proposals, one counter round, the seller the sole
 * authority over its quantity), but in memory and without devices or a network: the way to reproduce
 * classic market experiments and to compare strategies with the central optimum.
 */
export function runExperiment(traders: readonly ExperimentTrader[], options: Partial<ExperimentOptions> = {}): ExperimentResult {
  const opts = { ...defaultExperimentOptions, ...options }
  const random = seededRandom(opts.seed)
  const slot = opts.slot ?? 0
  const openedAt = 0
  const gateClosureAt = opts.ticks
  const sellers = traders.filter(t => t.side === 'seller')
  const buyers = traders.filter(t => t.side === 'buyer')
  const desk = new SlotPositions()
  const need = new SlotPositions()
  const index = new Map(traders.map((t, i) => [t.id, i]))
  const key = (id: string): number => index.get(id) as number
  const unitsOf = (t: ExperimentTrader): readonly number[] => t.units ?? [t.limit]
  // each trader's positions live under its own "slot" key in the two books
  for (const s of sellers) desk.setLimit(key(s.id), unitsOf(s).length * s.energyWh)
  for (const b of buyers) need.setLimit(key(b.id), unitsOf(b).length * b.energyWh)
  /** the trader's current unit at `tick`: its index, limit and what is left of it (0 when all traded) */
  const unitAt = (t: ExperimentTrader, tick: number): { index: number; limit: number; restWh: number } => {
    const units = unitsOf(t)
    const available = (t.side === 'seller' ? desk : need).available(key(t.id), tick)
    const traded = units.length * t.energyWh - available
    const index = Math.floor(traded / t.energyWh)
    if (available <= 0 || index >= units.length) return { index: units.length, limit: units.at(-1) ?? t.limit, restWh: 0 }
    return { index, limit: units[index], restWh: Math.min(available, t.energyWh - (traded % t.energyWh)) }
  }
  const ctxOf = (limit: number, now: number, remainingWh: number): TradingContext => ({
    now,
    slot,
    openedAt,
    gateClosureAt,
    tariffs: opts.tariffs,
    limit,
    remainingWh,
    random
  })
  const trades: ExperimentTrade[] = []
  let proposals = 0
  let n = 0

  for (let tick = 0; tick <= opts.ticks; tick++) {
    // a seller announces its current unit's price once per tick and unit
    const asks = new Map<string, number>()
    const askOf = (s: ExperimentTrader, u: { index: number; limit: number; restWh: number }): number => {
      const k = `${s.id}#${u.index}`
      let p = asks.get(k)
      if (p === undefined) {
        p = s.strategy.askPrice(ctxOf(u.limit, tick, u.restWh))
        asks.set(k, p)
      }
      return p
    }
    const liveOffers = (): Array<{ trader: string; energyWh: number; price: number }> =>
      sellers
        .map(s => {
          const u = unitAt(s, tick)
          return { trader: s.id, energyWh: u.restWh, price: u.restWh > 0 ? askOf(s, u) : 0 }
        })
        .filter(o => o.energyWh > 0)
        .sort((a, b) => a.price - b.price || (a.trader < b.trader ? -1 : 1))
    for (const s of sellers) askOf(s, unitAt(s, tick)) // every seller announces at the start of the tick, in order
    // buyers act in a fresh random order each tick, as messages would arrive
    const order = [...buyers].sort(() => random() - 0.5)
    for (const b of order) {
      // one unit at a time; a buyer that traded a unit goes on to its next one in the same tick
      for (let round = 0; round < unitsOf(b).length; round++) {
        const u = unitAt(b, tick)
        if (u.restWh <= 0) break
        let traded = false
        for (const a of b.strategy.approach(ctxOf(u.limit, tick, u.restWh), liveOffers())) {
          const s = sellers.find(x => x.id === a.trader)!
          const bu = unitAt(b, tick)
          if (bu.index !== u.index || bu.restWh <= 0) break
          const su = unitAt(s, tick)
          if (su.restWh <= 0) continue
          proposals++
          let price = a.price
          let answer = s.strategy.answerProposal(ctxOf(su.limit, tick, su.restWh), price, 0)
          if (answer.action === 'counter') {
            const c = b.strategy.answerCounter(ctxOf(bu.limit, tick, bu.restWh), answer.price, 1)
            if (c.action === 'accept') {
              price = answer.price
              answer = { action: 'accept' }
            }
          }
          if (answer.action !== 'accept') continue
          const id = `n${n++}`
          const h = desk.hold(
            {
              negotiation: id,
              slot: key(s.id),
              energyWh: Math.min(a.energyWh, bu.restWh, su.restWh),
              holdUntil: tick + 1,
              price,
              counterparty: b.id
            },
            tick
          )
          if (h == null) continue
          desk.commit(key(s.id), id, tick)
          need.addCommitted(key(b.id), h.energyWh)
          trades.push({ buyer: b.id, seller: s.id, energyWh: h.energyWh, price, tick, buyerLimit: bu.limit, sellerLimit: su.limit })
          traded = true
        }
        if (!traded) break
      }
    }
  }

  let w = 0n
  for (const t of trades) w += BigInt(t.buyerLimit - t.sellerLimit) * BigInt(t.energyWh)
  const welfareNanos = Number((w + 500n) / 1000n)
  const orders = (side: readonly ExperimentTrader[]): Array<{ id: string; energyWh: number; price: number }> =>
    side.flatMap(t =>
      t.units == null
        ? [{ id: t.id, energyWh: t.energyWh, price: t.limit }]
        : t.units.map((price, k) => ({ id: `${t.id}#${k}`, energyWh: t.energyWh, price }))
    )
  const optimum = clearDoubleAuction(orders(buyers), orders(sellers))
  return {
    trades,
    tradedWh: trades.reduce((a, t) => a + t.energyWh, 0),
    welfareNanos,
    optimumWh: optimum.tradedWh,
    optimumWelfareNanos: optimum.welfareNanos,
    efficiency: optimum.welfareNanos === 0 ? 1 : welfareNanos / optimum.welfareNanos,
    proposals
  }
}
