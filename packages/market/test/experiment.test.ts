import { describe, expect, it } from 'vitest'
import { runExperiment, type ExperimentTrader } from '../src/experiment.ts'
import type { Approach, CounterAnswer, OfferView, ProposalAnswer, Strategy, TradingContext } from '../src/strategy.ts'

// runExperiment's rules, with scripted strategies that record what they are shown and answer as told:
// who is asked what, when, with which context, and what a trade then is.

const tariffs = { retail: 1000, feedIn: 100 }

interface Call {
  what: 'ask' | 'approach' | 'proposal' | 'counter'
  now: number
  slot: number
  limit: number
  remainingWh: number
  offers?: OfferView[]
  price?: number
}

/** A strategy that records every call into `log` (tagged with `id`) and answers with the given functions. */
function scripted(
  id: string,
  log: Array<Call & { id: string }>,
  s: {
    ask?: (ctx: TradingContext) => number
    approach?: (ctx: TradingContext, offers: readonly OfferView[]) => Approach[]
    proposal?: (ctx: TradingContext, price: number) => ProposalAnswer
    counter?: (ctx: TradingContext, price: number) => CounterAnswer
  }
): Strategy {
  const at = (what: Call['what'], ctx: TradingContext, extra: Partial<Call> = {}): void => {
    log.push({ id, what, now: ctx.now, slot: ctx.slot, limit: ctx.limit, remainingWh: ctx.remainingWh, ...extra })
  }
  return {
    name: 'scripted',
    askPrice: ctx => {
      at('ask', ctx)
      return s.ask?.(ctx) ?? ctx.limit
    },
    bidPrice: ctx => ctx.limit,
    approach: (ctx, offers) => {
      at('approach', ctx, { offers: offers.map(o => ({ ...o })) })
      return s.approach?.(ctx, offers) ?? []
    },
    answerProposal: (ctx, price) => {
      at('proposal', ctx, { price })
      return s.proposal?.(ctx, price) ?? (price >= ctx.limit ? { action: 'accept' } : { action: 'reject', code: 'price' })
    },
    answerCounter: (ctx, price) => {
      at('counter', ctx, { price })
      return s.counter?.(ctx, price) ?? { action: 'walk-away' }
    }
  }
}

/** approaches every offer at or below its limit, each for all the offer has */
const eager = (ctx: TradingContext, offers: readonly OfferView[]): Approach[] =>
  offers.filter(o => o.price <= ctx.limit).map(o => ({ ...o }))
/** approaches the cheapest offer at or below its limit, for all the offer has */
const first = (ctx: TradingContext, offers: readonly OfferView[]): Approach[] => eager(ctx, offers).slice(0, 1)

const seller = (
  id: string,
  log: Array<Call & { id: string }>,
  limit: number,
  energyWh: number,
  extra: Partial<ExperimentTrader> = {},
  s: Parameters<typeof scripted>[2] = {}
): ExperimentTrader => ({ id, side: 'seller', limit, energyWh, strategy: scripted(id, log, s), ...extra })
const buyer = (
  id: string,
  log: Array<Call & { id: string }>,
  limit: number,
  energyWh: number,
  extra: Partial<ExperimentTrader> = {},
  s: Parameters<typeof scripted>[2] = {}
): ExperimentTrader => ({ id, side: 'buyer', limit, energyWh, strategy: scripted(id, log, { approach: first, ...s }), ...extra })

describe('runExperiment: what the strategies are shown', () => {
  it('shows buyers the live offers cheapest first, ties by trader id, without sold-out sellers', () => {
    const log: Array<Call & { id: string }> = []
    const r = runExperiment(
      [
        seller('a', log, 500, 100),
        seller('c', log, 400, 100),
        seller('d', log, 400, 100),
        seller('b', log, 400, 100),
        seller('e', log, 300, 100),
        buyer('x', log, 350, 100),
        buyer('y', log, 100, 100) // buys nothing, so it is shown the offers every tick
      ],
      { tariffs, ticks: 1, seed: 1 }
    )
    // at tick 0 x buys all of e; at tick 1 e is no longer among the offers
    expect(r.trades.map(t => [t.buyer, t.seller, t.energyWh, t.price, t.tick])).toEqual([['x', 'e', 100, 300, 0]])
    const shown = (id: string, now: number): string[] | undefined =>
      log.find(c => c.what === 'approach' && c.id === id && c.now === now)?.offers?.map(o => `${o.trader}@${o.price}:${o.energyWh}`)
    expect(shown('x', 0)).toEqual(['e@300:100', 'b@400:100', 'c@400:100', 'd@400:100', 'a@500:100'])
    expect(shown('y', 1)).toEqual(['b@400:100', 'c@400:100', 'd@400:100', 'a@500:100'])
  })

  it(
    "asks each seller for its price once per tick and unit, with that unit's limit " +
      'and what is left of it; a sold-out seller with its last unit and nothing left',
    () => {
      const log: Array<Call & { id: string }> = []
      const r = runExperiment([seller('s', log, 0, 50, { units: [200, 300, 400] }), buyer('b', log, 0, 70, { units: [900, 900, 900] })], {
        tariffs,
        ticks: 2,
        seed: 4,
        slot: 7
      })
      expect(log.filter(c => c.what === 'ask').map(c => [c.now, c.slot, c.limit, c.remainingWh])).toEqual([
        [0, 7, 200, 50],
        [0, 7, 300, 50],
        [1, 7, 400, 50],
        [2, 7, 400, 0]
      ])
      // the buyer moves on unit by unit within a tick, and is offered what is left of the seller's unit
      expect(r.trades.map(t => [t.energyWh, t.price, t.tick, t.buyerLimit, t.sellerLimit])).toEqual([
        [50, 200, 0, 900, 200],
        [20, 300, 0, 900, 300],
        [30, 300, 0, 900, 300],
        [40, 400, 1, 900, 400],
        [10, 400, 1, 900, 400]
      ])
      expect(log.filter(c => c.what === 'proposal').map(c => [c.now, c.limit, c.remainingWh])).toEqual([
        [0, 200, 50],
        [0, 300, 50],
        [0, 300, 30],
        [1, 400, 50],
        [1, 400, 10]
      ])
    }
  )

  it('lets the buyers act in a fresh random order each tick', () => {
    const log: Array<Call & { id: string }> = []
    const ids = ['b0', 'b1', 'b2', 'b3', 'b4']
    runExperiment([seller('s', log, 500, 100), ...ids.map(id => buyer(id, log, 100, 10))], { tariffs, ticks: 7, seed: 2 })
    const orders: string[][] = []
    for (const c of log) {
      if (c.what !== 'approach') continue
      if (orders[c.now] == null) orders[c.now] = []
      orders[c.now].push(c.id)
    }
    expect(orders).toHaveLength(8)
    for (const o of orders) expect([...o].sort()).toEqual(ids)
    expect(new Set(orders.map(o => o.join())).size).toBeGreaterThan(4)
  })

  it('does not ask a buyer that has all it needs, nor one whose unit found nothing twice in a tick', () => {
    const log: Array<Call & { id: string }> = []
    runExperiment([seller('s', log, 200, 100), buyer('full', log, 900, 100), buyer('poor', log, 0, 100, { units: [150, 140, 130] })], {
      tariffs,
      ticks: 2,
      seed: 1
    })
    const approaches = log.filter(c => c.what === 'approach')
    // 'full' buys at tick 0 and is not asked again; 'poor' (every unit below the ask) is asked once a tick
    expect(approaches.filter(c => c.id === 'full').map(c => c.now)).toEqual([0])
    expect(approaches.filter(c => c.id === 'poor').map(c => [c.now, c.limit])).toEqual([
      [0, 150],
      [1, 150],
      [2, 150]
    ])
  })
})

describe('runExperiment: negotiations', () => {
  it('approaches once per tick and unit: what one approach leaves of a unit waits for the next tick', () => {
    const log: Array<Call & { id: string }> = []
    const r = runExperiment([seller('s1', log, 200, 50), seller('s2', log, 300, 50), buyer('b', log, 900, 100)], {
      tariffs,
      ticks: 2,
      seed: 1
    })
    expect(r.trades.map(t => [t.seller, t.energyWh, t.tick])).toEqual([
      ['s1', 50, 0],
      ['s2', 50, 1]
    ])
    expect(r.tradedWh).toBe(100)
    expect(r.proposals).toBe(2)
  })

  it('stops proposing for a unit once it is bought, and never buys the next unit on the approach made for the last', () => {
    const log: Array<Call & { id: string }> = []
    // the eager buyer approaches both offers for its first unit (900); the second unit (250) is worth less than s2's 300
    const r = runExperiment(
      [seller('s1', log, 200, 100), seller('s2', log, 300, 100), buyer('b', log, 0, 100, { units: [900, 250] }, { approach: eager })],
      { tariffs, ticks: 1, seed: 1 }
    )
    expect(r.trades.map(t => [t.seller, t.price, t.buyerLimit])).toEqual([['s1', 200, 900]])
    expect(log.filter(c => c.what === 'proposal').map(c => c.id)).toEqual(['s1'])
    expect(r.proposals).toBe(1)
    expect(r.welfareNanos).toBe(70)
  })

  it('skips an approach to a seller that has nothing left, without a proposal', () => {
    const log: Array<Call & { id: string }> = []
    const twice = (ctx: TradingContext, offers: readonly OfferView[]): Approach[] => [...first(ctx, offers), ...first(ctx, offers)]
    const r = runExperiment([seller('s', log, 200, 100), buyer('b', log, 900, 300, {}, { approach: twice })], {
      tariffs,
      ticks: 0,
      seed: 1
    })
    expect(r.trades.map(t => t.energyWh)).toEqual([100])
    expect(r.proposals).toBe(1)
    expect(log.filter(c => c.what === 'proposal')).toHaveLength(1)
  })

  it('trades what the buyer approached for when it is less than both have, and nothing on an approach of 0 Wh', () => {
    const log: Array<Call & { id: string }> = []
    const some =
      (wh: number) =>
      (ctx: TradingContext, offers: readonly OfferView[]): Approach[] =>
        first(ctx, offers).map(a => ({ ...a, energyWh: wh }))
    const r = runExperiment([seller('s', log, 200, 100), buyer('b', log, 900, 100, {}, { approach: some(30) })], {
      tariffs,
      ticks: 0,
      seed: 1
    })
    expect(r.trades.map(t => t.energyWh)).toEqual([30])
    const none = runExperiment([seller('s', log, 200, 100), buyer('b', log, 900, 100, {}, { approach: some(0) })], {
      tariffs,
      ticks: 1,
      seed: 1
    })
    expect(none.trades).toEqual([])
    expect(none.proposals).toBe(2)
  })

  it('a counter the buyer accepts trades at the counter price; one it walks away from does not trade', () => {
    const log: Array<Call & { id: string }> = []
    const counters = {
      proposal: (_: TradingContext, price: number): ProposalAnswer =>
        price >= 400 ? { action: 'accept' } : { action: 'counter', price: 400 }
    }
    const lowball = (ctx: TradingContext, offers: readonly OfferView[]): Approach[] => first(ctx, offers).map(a => ({ ...a, price: 250 }))
    const accepted = runExperiment(
      [
        seller('s', log, 200, 100, {}, counters),
        buyer('b', log, 900, 100, {}, { approach: lowball, counter: () => ({ action: 'accept' }) })
      ],
      { tariffs, ticks: 0, seed: 1 }
    )
    expect(accepted.trades.map(t => [t.price, t.energyWh])).toEqual([[400, 100]])
    expect(log.filter(c => c.what === 'counter').map(c => [c.id, c.price, c.limit, c.remainingWh])).toEqual([['b', 400, 900, 100]])
    const walked = runExperiment([seller('s', log, 200, 100, {}, counters), buyer('b', log, 900, 100, {}, { approach: lowball })], {
      tariffs,
      ticks: 0,
      seed: 1
    })
    expect(walked.trades).toEqual([])
  })
})

describe('runExperiment: the result', () => {
  it('sums the traded energy and measures efficiency against the optimum, 1 when there is none', () => {
    const log: Array<Call & { id: string }> = []
    // only 40 of the 100 Wh the optimum trades: 40 % of its welfare
    const half = runExperiment(
      [
        seller('s', log, 200, 100),
        buyer('b', log, 700, 100, {}, { approach: (ctx, offers) => first(ctx, offers).map(a => ({ ...a, energyWh: 40 })) })
      ],
      { tariffs, ticks: 0, seed: 1 }
    )
    expect(half.tradedWh).toBe(40)
    expect(half.optimumWh).toBe(100)
    expect(half.welfareNanos).toBe(20) // (700 − 200) × 40 Wh / 1000
    expect(half.optimumWelfareNanos).toBe(50)
    expect(half.efficiency).toBe(0.4)
    const two = runExperiment([seller('s', log, 200, 100), buyer('b', log, 700, 30), buyer('c', log, 700, 50)], {
      tariffs,
      ticks: 0,
      seed: 1
    })
    expect(two.tradedWh).toBe(80)
    const none = runExperiment([seller('s', log, 800, 100), buyer('b', log, 700, 100)], { tariffs, ticks: 1, seed: 1 })
    expect(none.optimumWelfareNanos).toBe(0)
    expect(none.efficiency).toBe(1)
  })
})
