import { describe, expect, it } from 'vitest'
import {
  equilibriumPrice,
  maxSurplus,
  runCdaPeriod,
  runCdaSession,
  smithAlpha,
  type CdaAgent,
  type CdaBook,
  type CdaShout,
  type GsTrader
} from '../src/index.ts'

/**
 * The CDA's rules, each on a hand-made script: agents shout prescribed prices, and the random source
 * picks the trader who shouts at each step (pick k of n active traders: (k + 0.5) / n).
 */

interface Seen {
  trader: string
  limit: number
  unit: number
  book: CdaBook
}

/** agents that shout the next price of their own script and record what they saw */
function scripted(traders: readonly GsTrader[], scripts: Record<string, number[]>, seen: Seen[], heard: CdaShout[]): CdaAgent[] {
  return traders.map((t, i) => ({
    shout(limit, book, _random, unit) {
      seen.push({ trader: t.id, limit, unit, book })
      return scripts[t.id].shift()
    },
    observe(shout) {
      if (i === 0) heard.push(shout)
    }
  }))
}

/** a random source that makes trader `ids[k]` shout at step k (all traders active unless told) */
function picks(traders: readonly GsTrader[], ids: string[], activeAt?: (step: number) => string[]): () => number {
  let step = 0
  return () => {
    const active = activeAt?.(step) ?? traders.map(t => t.id)
    const k = active.indexOf(ids[step++])
    if (k < 0) throw new Error(`trader ${ids[step - 1]} is not active`)
    return (k + 0.5) / active.length
  }
}

const two: GsTrader[] = [
  { id: 'b1', side: 'buyer', units: [150, 120] },
  { id: 'b2', side: 'buyer', units: [140] },
  { id: 's1', side: 'seller', units: [30, 60] }
]

describe('continuous double auction (Gode & Sunder 1993 rules)', () => {
  it('a new bid must improve the standing bid and a new ask the standing ask, otherwise it is ignored', () => {
    const seen: Seen[] = []
    const heard: CdaShout[] = []
    const agents = scripted(two, { b1: [50], b2: [40, 60], s1: [100, 120, 90] }, seen, heard)
    const trades = runCdaPeriod(two, agents, picks(two, ['b1', 'b2', 'b2', 's1', 's1', 's1']), { steps: 6 })
    expect(trades).toEqual([])
    // b2's 40 did not replace b1's 50; its 60 did
    expect(seen[2].book).toEqual({ bid: 50 })
    expect(seen[3].book).toEqual({ bid: 60 })
    // s1's 120 did not replace its 100; its 90 did (seen by nobody after: check what was heard)
    expect(seen[5].book).toEqual({ bid: 60, ask: 100 })
    expect(heard.map(h => [h.side, h.price, h.ignored === true])).toEqual([
      ['bid', 50, false],
      ['bid', 40, true],
      ['bid', 60, false],
      ['ask', 100, false],
      ['ask', 120, true],
      ['ask', 90, false]
    ])
  })

  it("a crossing order trades at the standing (earlier) order's price, on either side", () => {
    const seen: Seen[] = []
    const heard: CdaShout[] = []
    // bid 70 stands, ask 20 crosses it: trade at 70; then ask 90 stands, bid 130 crosses it: trade at 90
    const agents = scripted(two, { b1: [70, 130], b2: [], s1: [20, 90] }, seen, heard)
    const trades = runCdaPeriod(two, agents, picks(two, ['b1', 's1', 's1', 'b1']), { steps: 4 })
    expect(trades.map(t => [t.buyer, t.seller, t.price])).toEqual([
      ['b1', 's1', 70],
      ['b1', 's1', 90]
    ])
    expect(heard.filter(h => h.accepted).map(h => h.tradePrice)).toEqual([70, 90])
  })

  it('a trade clears the book: both standing orders go', () => {
    const seen: Seen[] = []
    const heard: CdaShout[] = []
    // b2 bids 60 (stands), s1 asks 100 (stands), b1 bids 110: trade at 100; the bid of 60 goes too
    const agents = scripted(two, { b1: [110], b2: [60, 55], s1: [100] }, seen, heard)
    const trades = runCdaPeriod(two, agents, picks(two, ['b2', 's1', 'b1', 'b2']), { steps: 4 })
    expect(trades.map(t => t.price)).toEqual([100])
    expect(seen[3].book).toEqual({})
    // so b2's 55, lower than its old 60, now stands
    expect(heard.at(-1)).toEqual({ side: 'bid', price: 55, trader: 'b2', accepted: false })
  })

  it("units trade in order: a buyer's highest value first, a seller's lowest cost first, one unit per trade", () => {
    const three: GsTrader[] = [
      { id: 'b1', side: 'buyer', units: [150, 120, 90] },
      { id: 'b2', side: 'buyer', units: [140] },
      { id: 's1', side: 'seller', units: [30, 60, 80] }
    ]
    const seen: Seen[] = []
    const heard: CdaShout[] = []
    // an ask crosses, then a bid crosses, then an ask again: both sides move on to their next unit either way
    const agents = scripted(three, { b1: [100, 130, 100], b2: [], s1: [50, 70, 50] }, seen, heard)
    const trades = runCdaPeriod(three, agents, picks(three, ['b1', 's1', 's1', 'b1', 'b1', 's1']), { steps: 6 })
    expect(trades.map(t => [t.buyerValue, t.sellerCost])).toEqual([
      [150, 30],
      [120, 60],
      [90, 80]
    ])
    expect(seen.map(s => [s.trader, s.limit, s.unit])).toEqual([
      ['b1', 150, 0],
      ['s1', 30, 0],
      ['s1', 60, 1],
      ['b1', 120, 1],
      ['b1', 90, 2],
      ['s1', 80, 2]
    ])
  })

  it('a trader with no units left is never drawn, and the period ends when one side has none', () => {
    const one: GsTrader[] = [
      { id: 'b1', side: 'buyer', units: [150] },
      { id: 'b2', side: 'buyer', units: [140] },
      { id: 's1', side: 'seller', units: [30] }
    ]
    const seen: Seen[] = []
    const heard: CdaShout[] = []
    const agents = scripted(one, { b1: [100], b2: [], s1: [90] }, seen, heard)
    const trades = runCdaPeriod(one, agents, picks(one, ['b1', 's1']), { steps: 100 })
    expect(trades).toHaveLength(1)
    expect(seen).toHaveLength(2)
  })

  it('every period starts from the full endowment', () => {
    // agents that always cross: every period, all units trade, the first at the first units' limits
    const always: CdaAgent[] = two.map(t => ({ shout: limit => (t.side === 'buyer' ? limit : limit) }))
    const r = runCdaSession(two, () => always, { periods: 3, steps: 200, seed: 4 })
    expect(r.periods).toHaveLength(3)
    for (const p of r.periods) {
      expect(p.trades).toHaveLength(2)
      expect(p.trades.map(t => t.sellerCost)).toEqual([30, 60])
    }
  })
})

describe('continuous double auction: the edges of its rules', () => {
  it('needs one agent per trader', () => {
    expect(() => runCdaPeriod(two, [], () => 0.5)).toThrow(new RangeError('one agent per trader'))
  })

  it('a pass is heard by nobody and leaves the book as it was', () => {
    const seen: Seen[] = []
    const heard: CdaShout[] = []
    const agents = scripted(two, { b1: [], b2: [60], s1: [100] }, seen, heard)
    runCdaPeriod(two, agents, picks(two, ['b1', 'b2', 's1']), { steps: 3 })
    expect(seen.map(s => s.book)).toStrictEqual([{}, {}, { bid: 60 }])
    expect(heard.map(h => [h.trader, h.price])).toEqual([
      ['b2', 60],
      ['s1', 100]
    ])
  })

  it('a bid at exactly the standing ask trades, and an ask at exactly the standing bid', () => {
    const seen: Seen[] = []
    const heard: CdaShout[] = []
    const agents = scripted(two, { b1: [100, 80], b2: [], s1: [100, 80] }, seen, heard)
    const trades = runCdaPeriod(two, agents, picks(two, ['s1', 'b1', 'b1', 's1']), { steps: 4 })
    expect(trades.map(t => [t.buyer, t.seller, t.price, t.buyerValue, t.sellerCost, t.step])).toEqual([
      ['b1', 's1', 100, 150, 30, 1],
      ['b1', 's1', 80, 120, 60, 3]
    ])
    expect(heard.filter(h => h.accepted)).toEqual([
      { side: 'bid', price: 100, trader: 'b1', accepted: true, tradePrice: 100 },
      { side: 'ask', price: 80, trader: 's1', accepted: true, tradePrice: 80 }
    ])
  })

  it('a bid equal to the standing bid, or an ask equal to the standing ask, does not improve it and is ignored', () => {
    const seen: Seen[] = []
    const heard: CdaShout[] = []
    const agents = scripted(two, { b1: [50], b2: [50], s1: [120, 120] }, seen, heard)
    runCdaPeriod(two, agents, picks(two, ['b1', 'b2', 's1', 's1']), { steps: 4 })
    expect(heard.map(h => [h.trader, h.price, h.ignored === true])).toEqual([
      ['b1', 50, false],
      ['b2', 50, true],
      ['s1', 120, false],
      ['s1', 120, true]
    ])
  })
})

describe('the measures of a CDA session', () => {
  it('maxSurplus: the surplus and the number of units of the central optimum', () => {
    // units 150, 140, 120 against 30, 60: two trade, 150 − 30 + 140 − 60
    expect(maxSurplus(two)).toEqual({ surplus: 200, quantity: 2 })
  })

  it('equilibriumPrice: the midpoint between the marginal and the first extramarginal units, units sorted across traders', () => {
    const schedule = (buyers: number[][], sellers: number[][]): GsTrader[] => [
      ...buyers.map((units, i) => ({ id: `b${i}`, side: 'buyer' as const, units })),
      ...sellers.map((units, i) => ({ id: `s${i}`, side: 'seller' as const, units }))
    ]
    // demand 100, 80, 60; supply 20, 50, 70: two trade; prices from max(50, 60) to min(80, 70)
    expect(equilibriumPrice(schedule([[60], [100, 80]], [[70], [20, 50]]))).toBe(65)
    // supply 20, 50, 90, 95: from max(50, 60) to min(80, 90)
    expect(
      equilibriumPrice(
        schedule(
          [[100, 60], [80]],
          [
            [90, 95],
            [20, 50]
          ]
        )
      )
    ).toBe(70)
    // every buyer unit trades: from the last traded cost (30) to the first untraded one (40)
    expect(equilibriumPrice(schedule([[100, 90]], [[20, 30, 40]]))).toBe(35)
    // nothing trades: between the best value and the lowest cost
    expect(equilibriumPrice(schedule([[10]], [[20]]))).toBe(15)
  })

  it('smithAlpha: the root mean square deviation from the equilibrium price, % of it; none without prices or price', () => {
    expect(smithAlpha([90, 110], 100)).toBe(10)
    expect(smithAlpha([50, 50, 50, 50], 40)).toBe(25)
    expect(smithAlpha([], 100)).toBeUndefined()
    expect(smithAlpha([10], 0)).toBeUndefined()
  })

  it('efficiency per period and per session against the maximum surplus; 1 where there is none', () => {
    const always: CdaAgent[] = two.map(() => ({ shout: limit => limit }))
    // seed 7: the first period trades the best units (200), the second b1's second unit instead of b2's (180)
    const r = runCdaSession(two, () => always, { periods: 2, steps: 200, seed: 7 })
    expect(r.maxSurplus).toBe(200)
    expect(r.periods.map(p => [p.surplus, p.efficiency])).toEqual([
      [200, 1],
      [180, 0.9]
    ])
    expect(r.efficiency).toBe(0.95)
    const dead: GsTrader[] = [
      { id: 'b', side: 'buyer', units: [10] },
      { id: 's', side: 'seller', units: [20] }
    ]
    const none = runCdaSession(dead, () => dead.map(() => ({ shout: () => undefined })), { periods: 2, steps: 10, seed: 1 })
    expect(none.efficiency).toBe(1)
    expect(none.periods.map(p => [p.efficiency, p.alpha])).toEqual([
      [1, undefined],
      [1, undefined]
    ])
  })
})

describe('continuous double auction: the end of a period', () => {
  it('ends when the buyers have no units left, though sellers have', () => {
    const sellersLeft: GsTrader[] = [
      { id: 'b1', side: 'buyer', units: [150] },
      { id: 's1', side: 'seller', units: [30] },
      { id: 's2', side: 'seller', units: [40] }
    ]
    const seen: Seen[] = []
    const heard: CdaShout[] = []
    const agents = scripted(sellersLeft, { b1: [100], s1: [90], s2: [80] }, seen, heard)
    const trades = runCdaPeriod(sellersLeft, agents, picks(sellersLeft, ['b1', 's1']), { steps: 100 })
    expect(trades.map(t => [t.buyer, t.seller, t.price])).toEqual([['b1', 's1', 100]])
    expect(seen.map(s => s.trader)).toEqual(['b1', 's1'])
  })
})
