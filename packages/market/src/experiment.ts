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
}

export interface ExperimentOptions {
  tariffs: Tariffs
  /** how many times, between opening and gate closure, buyers look at the offers */
  ticks: number
  seed: number
}

export const defaultExperimentOptions: ExperimentOptions = {
  // Nordic retail ≈ 1 IOTA/kWh, feed-in ≈ 0.3 IOTA/kWh (scenario defaults)
  tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 },
  // enough steps for concession strategies to sweep the price range finely
  ticks: 16,
  seed: 1
}

export interface ExperimentTrade { readonly buyer: string, readonly seller: string, readonly energyWh: number, readonly price: number, readonly tick: number }

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
export function runExperiment (traders: readonly ExperimentTrader[], options: Partial<ExperimentOptions> = {}): ExperimentResult {
  const opts = { ...defaultExperimentOptions, ...options }
  const random = seededRandom(opts.seed)
  const slot = 0
  const openedAt = 0
  const gateClosureAt = opts.ticks
  const sellers = traders.filter(t => t.side === 'seller')
  const buyers = traders.filter(t => t.side === 'buyer')
  const desk = new SlotPositions()
  const need = new SlotPositions()
  const key = (id: string): number => traders.findIndex(t => t.id === id)
  // each trader's positions live under its own "slot" key in the two books
  for (const s of sellers) desk.setLimit(key(s.id), s.energyWh)
  for (const b of buyers) need.setLimit(key(b.id), b.energyWh)
  const ctxOf = (t: ExperimentTrader, now: number, remainingWh: number): TradingContext => ({ now, slot, openedAt, gateClosureAt, tariffs: opts.tariffs, limit: t.limit, remainingWh, random })
  const trades: ExperimentTrade[] = []
  let proposals = 0
  let n = 0

  for (let tick = 0; tick <= opts.ticks; tick++) {
    const offers = sellers
      .map(s => ({ trader: s.id, energyWh: desk.available(key(s.id), tick), price: s.strategy.askPrice(ctxOf(s, tick, desk.available(key(s.id), tick))) }))
      .filter(o => o.energyWh > 0)
      .sort((a, b) => a.price - b.price || (a.trader < b.trader ? -1 : 1))
    // buyers act in a fresh random order each tick, as messages would arrive
    const order = [...buyers].sort(() => random() - 0.5)
    for (const b of order) {
      const remaining = need.available(key(b.id), tick)
      if (remaining <= 0) continue
      const live = offers.map(o => ({ ...o, energyWh: desk.available(key(o.trader), tick) })).filter(o => o.energyWh > 0)
      for (const a of b.strategy.approach(ctxOf(b, tick, remaining), live)) {
        const s = sellers.find(x => x.id === a.trader)!
        const left = need.available(key(b.id), tick)
        if (left <= 0) break
        proposals++
        let price = a.price
        const sctx = ctxOf(s, tick, desk.available(key(s.id), tick))
        let answer = s.strategy.answerProposal(sctx, price, 0)
        if (answer.action === 'counter') {
          const c = b.strategy.answerCounter(ctxOf(b, tick, left), answer.price, 1)
          if (c.action === 'accept') { price = answer.price; answer = { action: 'accept' } }
        }
        if (answer.action !== 'accept') continue
        const id = `n${n++}`
        const h = desk.hold({ negotiation: id, slot: key(s.id), energyWh: Math.min(a.energyWh, left), holdUntil: tick + 1, price, counterparty: b.id }, tick)
        if (h == null) continue
        desk.commit(key(s.id), id, tick)
        need.addCommitted(key(b.id), h.energyWh)
        trades.push({ buyer: b.id, seller: s.id, energyWh: h.energyWh, price, tick })
      }
    }
  }

  const limitOf = new Map(traders.map(t => [t.id, t.limit]))
  let w = 0n
  for (const t of trades) w += BigInt(limitOf.get(t.buyer)! - limitOf.get(t.seller)!) * BigInt(t.energyWh)
  const welfareNanos = Number((w + 500n) / 1000n)
  const optimum = clearDoubleAuction(
    buyers.map(b => ({ id: b.id, energyWh: b.energyWh, price: b.limit })),
    sellers.map(s => ({ id: s.id, energyWh: s.energyWh, price: s.limit }))
  )
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
