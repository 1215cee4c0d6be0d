import { describe, expect, it } from 'vitest'
import { runCdaPeriod, runCdaSession, type CdaAgent, type CdaBook, type CdaShout, type GsTrader } from '../src/index.ts'

/**
 * The CDA's rules, each on a hand-made script: agents shout prescribed prices, and the random source
 * picks the trader who shouts at each step (pick k of n active traders: (k + 0.5) / n).
 */

interface Seen { trader: string, limit: number, unit: number, book: CdaBook }

/** agents that shout the next price of their own script and record what they saw */
function scripted (traders: readonly GsTrader[], scripts: Record<string, number[]>, seen: Seen[], heard: CdaShout[]): CdaAgent[] {
  return traders.map((t, i) => ({
    shout (limit, book, _random, unit) {
      seen.push({ trader: t.id, limit, unit, book })
      return scripts[t.id].shift()
    },
    observe (shout) { if (i === 0) heard.push(shout) }
  }))
}

/** a random source that makes trader `ids[k]` shout at step k (all traders active unless told) */
function picks (traders: readonly GsTrader[], ids: string[], activeAt?: (step: number) => string[]): () => number {
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
    const seen: Seen[] = []; const heard: CdaShout[] = []
    const agents = scripted(two, { b1: [50], b2: [40, 60], s1: [100, 120, 90] }, seen, heard)
    const trades = runCdaPeriod(two, agents, picks(two, ['b1', 'b2', 'b2', 's1', 's1', 's1']), { steps: 6 })
    expect(trades).toEqual([])
    // b2's 40 did not replace b1's 50; its 60 did
    expect(seen[2].book).toEqual({ bid: 50 })
    expect(seen[3].book).toEqual({ bid: 60 })
    // s1's 120 did not replace its 100; its 90 did (seen by nobody after: check what was heard)
    expect(seen[5].book).toEqual({ bid: 60, ask: 100 })
    expect(heard.map(h => [h.side, h.price, h.ignored === true])).toEqual([
      ['bid', 50, false], ['bid', 40, true], ['bid', 60, false], ['ask', 100, false], ['ask', 120, true], ['ask', 90, false]
    ])
  })

  it('a crossing order trades at the standing (earlier) order\'s price, on either side', () => {
    const seen: Seen[] = []; const heard: CdaShout[] = []
    // bid 70 stands, ask 20 crosses it: trade at 70; then ask 90 stands, bid 130 crosses it: trade at 90
    const agents = scripted(two, { b1: [70, 130], b2: [], s1: [20, 90] }, seen, heard)
    const trades = runCdaPeriod(two, agents, picks(two, ['b1', 's1', 's1', 'b1']), { steps: 4 })
    expect(trades.map(t => [t.buyer, t.seller, t.price])).toEqual([['b1', 's1', 70], ['b1', 's1', 90]])
    expect(heard.filter(h => h.accepted).map(h => h.tradePrice)).toEqual([70, 90])
  })

  it('a trade clears the book: both standing orders go', () => {
    const seen: Seen[] = []; const heard: CdaShout[] = []
    // b2 bids 60 (stands), s1 asks 100 (stands), b1 bids 110: trade at 100; the bid of 60 goes too
    const agents = scripted(two, { b1: [110], b2: [60, 55], s1: [100] }, seen, heard)
    const trades = runCdaPeriod(two, agents, picks(two, ['b2', 's1', 'b1', 'b2']), { steps: 4 })
    expect(trades.map(t => t.price)).toEqual([100])
    expect(seen[3].book).toEqual({})
    // so b2's 55, lower than its old 60, now stands
    expect(heard.at(-1)).toEqual({ side: 'bid', price: 55, trader: 'b2', accepted: false })
  })

  it('units trade in order: a buyer\'s highest value first, a seller\'s lowest cost first, one unit per trade', () => {
    const three: GsTrader[] = [{ id: 'b1', side: 'buyer', units: [150, 120, 90] }, { id: 'b2', side: 'buyer', units: [140] }, { id: 's1', side: 'seller', units: [30, 60, 80] }]
    const seen: Seen[] = []; const heard: CdaShout[] = []
    // an ask crosses, then a bid crosses, then an ask again: both sides move on to their next unit either way
    const agents = scripted(three, { b1: [100, 130, 100], b2: [], s1: [50, 70, 50] }, seen, heard)
    const trades = runCdaPeriod(three, agents, picks(three, ['b1', 's1', 's1', 'b1', 'b1', 's1']), { steps: 6 })
    expect(trades.map(t => [t.buyerValue, t.sellerCost])).toEqual([[150, 30], [120, 60], [90, 80]])
    expect(seen.map(s => [s.trader, s.limit, s.unit])).toEqual([['b1', 150, 0], ['s1', 30, 0], ['s1', 60, 1], ['b1', 120, 1], ['b1', 90, 2], ['s1', 80, 2]])
  })

  it('a trader with no units left is never drawn, and the period ends when one side has none', () => {
    const one: GsTrader[] = [{ id: 'b1', side: 'buyer', units: [150] }, { id: 'b2', side: 'buyer', units: [140] }, { id: 's1', side: 'seller', units: [30] }]
    const seen: Seen[] = []; const heard: CdaShout[] = []
    const agents = scripted(one, { b1: [100], b2: [], s1: [90] }, seen, heard)
    const trades = runCdaPeriod(one, agents, picks(one, ['b1', 's1']), { steps: 100 })
    expect(trades).toHaveLength(1)
    expect(seen).toHaveLength(2)
  })

  it('every period starts from the full endowment', () => {
    // agents that always cross: every period, all units trade, the first at the first units' limits
    const always: CdaAgent[] = two.map(t => ({ shout: (limit) => t.side === 'buyer' ? limit : limit }))
    const r = runCdaSession(two, () => always, { periods: 3, steps: 200, seed: 4 })
    expect(r.periods).toHaveLength(3)
    for (const p of r.periods) {
      expect(p.trades).toHaveLength(2)
      expect(p.trades.map(t => t.sellerCost)).toEqual([30, 60])
    }
  })
})
