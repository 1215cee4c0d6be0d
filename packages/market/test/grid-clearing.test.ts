import { seededRandom } from '@kvartal/protocol'
import { describe, expect, it } from 'vitest'
import { clearDoubleAuction } from '../src/clearing.ts'
import { clearWithGrid, type FeederAsk, type FeederBid, type FeederLimit, type GridClearing, type GridFees } from '../src/grid-clearing.ts'

type Limits = Record<string, FeederLimit>
interface Case { bids: FeederBid[], asks: FeederAsk[], fees: GridFees, limits: Limits }

/**
 * Checks every constraint on the fills of a clearing, independently of the implementation, and returns
 * their exact welfare Σ (bid − fee − ask) × Wh in nanos × 1000 (the unrounded figure).
 */
function checkFills (c: Case, r: GridClearing): number {
  const bid = new Map(c.bids.map(b => [b.id, b]))
  const ask = new Map(c.asks.map(a => [a.id, a]))
  const bought = new Map<string, number>()
  const sold = new Map<string, number>()
  const exported = new Map<string, number>()
  const imported = new Map<string, number>()
  let raw = 0
  let fees = 0
  let traded = 0
  let cross = 0
  for (const f of r.fills) {
    const b = bid.get(f.buyer)
    const a = ask.get(f.seller)
    expect(b, `buyer ${f.buyer}`).toBeDefined()
    expect(a, `seller ${f.seller}`).toBeDefined()
    if (b === undefined || a === undefined) return NaN
    expect(Number.isSafeInteger(f.energyWh) && f.energyWh > 0).toBe(true)
    const crosses = a.feeder !== b.feeder
    expect(f.crossFeeder).toBe(crosses)
    expect(f.fee).toBe(crosses ? c.fees.district : c.fees.local)
    const margin = b.price - f.fee - a.price
    expect(margin, `margin of ${f.seller} → ${f.buyer}`).toBeGreaterThanOrEqual(0)
    raw += margin * f.energyWh
    fees += f.fee * f.energyWh
    traded += f.energyWh
    bought.set(b.id, (bought.get(b.id) ?? 0) + f.energyWh)
    sold.set(a.id, (sold.get(a.id) ?? 0) + f.energyWh)
    if (crosses) {
      cross += f.energyWh
      exported.set(a.feeder, (exported.get(a.feeder) ?? 0) + f.energyWh)
      imported.set(b.feeder, (imported.get(b.feeder) ?? 0) + f.energyWh)
    }
  }
  for (const b of c.bids) expect(bought.get(b.id) ?? 0).toBeLessThanOrEqual(b.energyWh)
  for (const a of c.asks) expect(sold.get(a.id) ?? 0).toBeLessThanOrEqual(a.energyWh)
  const feeders = new Set([...c.bids, ...c.asks].map(o => o.feeder))
  expect(Object.keys(r.perFeeder).sort()).toEqual([...feeders].sort())
  for (const name of feeders) {
    const x = exported.get(name) ?? 0
    const y = imported.get(name) ?? 0
    expect(r.perFeeder[name]).toEqual({ exportWh: x, importWh: y })
    const limit = c.limits[name]
    if (limit !== undefined) {
      expect(x).toBeLessThanOrEqual(limit.exportWh)
      expect(y).toBeLessThanOrEqual(limit.importWh)
    }
  }
  expect(r.tradedWh).toBe(traded)
  expect(r.crossFeederWh).toBe(cross)
  expect(r.welfareNanos).toBe(Math.floor((raw + 500) / 1000))
  expect(r.feeNanos).toBe(Math.floor((fees + 500) / 1000))
  return raw
}

/**
 * Exhaustive reference: every integer fill matrix x[bid][ask] within the order quantities and the
 * feeder limits. Returns the best welfare (nanos × 1000) and, among the allocations reaching it, the
 * largest traded volume.
 */
function bruteForce (c: Case): { raw: number, volume: number } {
  const cells: Array<{ b: number, a: number, margin: number, from: string, to: string, cross: boolean }> = []
  c.bids.forEach((b, bi) => c.asks.forEach((a, ai) => {
    const cross = a.feeder !== b.feeder
    cells.push({ b: bi, a: ai, margin: b.price - (cross ? c.fees.district : c.fees.local) - a.price, from: a.feeder, to: b.feeder, cross })
  }))
  const bidLeft = c.bids.map(b => b.energyWh)
  const askLeft = c.asks.map(a => a.energyWh)
  const exportLeft = new Map<string, number>()
  const importLeft = new Map<string, number>()
  for (const [name, l] of Object.entries(c.limits)) { exportLeft.set(name, l.exportWh); importLeft.set(name, l.importWh) }
  let best = { raw: 0, volume: 0 } // the empty allocation
  const visit = (k: number, raw: number, volume: number): void => {
    if (k === cells.length) {
      if (raw > best.raw || (raw === best.raw && volume > best.volume)) best = { raw, volume }
      return
    }
    const cell = cells[k]
    let max = Math.min(bidLeft[cell.b], askLeft[cell.a])
    if (cell.cross) max = Math.min(max, exportLeft.get(cell.from) ?? Infinity, importLeft.get(cell.to) ?? Infinity)
    for (let q = 0; q <= max; q++) {
      bidLeft[cell.b] -= q
      askLeft[cell.a] -= q
      if (cell.cross) {
        if (exportLeft.has(cell.from)) exportLeft.set(cell.from, (exportLeft.get(cell.from) as number) - q)
        if (importLeft.has(cell.to)) importLeft.set(cell.to, (importLeft.get(cell.to) as number) - q)
      }
      visit(k + 1, raw + q * cell.margin, volume + q)
      bidLeft[cell.b] += q
      askLeft[cell.a] += q
      if (cell.cross) {
        if (exportLeft.has(cell.from)) exportLeft.set(cell.from, (exportLeft.get(cell.from) as number) + q)
        if (importLeft.has(cell.to)) importLeft.set(cell.to, (importLeft.get(cell.to) as number) + q)
      }
    }
  }
  visit(0, 0, 0)
  return best
}

/**
 * A second, independent reference for cases too large to enumerate: successive shortest paths
 * (Bellman-Ford) on the full network — source → ask → bid of the same feeder (cost L), or ask →
 * feeder export gate (capacity E) → the import gate of every *other* feeder (cost D, capacity I) → bid
 * → sink. Augments while a path does not lose welfare, so it also maximises volume among optima.
 */
function minCostFlow (c: Case): { raw: number, volume: number } {
  const to: number[] = []
  const cap: number[] = []
  const cost: number[] = []
  const adj: number[][] = []
  const node = (): number => { adj.push([]); return adj.length - 1 }
  const arc = (u: number, v: number, capacity: number, w: number): void => {
    to.push(v); cap.push(capacity); cost.push(w); adj[u].push(to.length - 1)
    to.push(u); cap.push(0); cost.push(-w); adj[v].push(to.length - 1)
  }
  const source = node()
  const sink = node()
  const names = [...new Set([...c.bids, ...c.asks].map(o => o.feeder))]
  const gate = new Map(names.map(n => {
    const ex = node(); const exOut = node(); const imIn = node(); const im = node()
    const l = c.limits[n]
    arc(ex, exOut, l === undefined ? Infinity : l.exportWh, 0)
    arc(imIn, im, l === undefined ? Infinity : l.importWh, 0)
    return [n, { ex, exOut, imIn, im }]
  }))
  for (const f of names) for (const g of names) if (f !== g) arc(gate.get(f)!.exOut, gate.get(g)!.imIn, Infinity, c.fees.district)
  const bidNode = c.bids.map(b => { const v = node(); arc(v, sink, b.energyWh, -b.price); arc(gate.get(b.feeder)!.im, v, Infinity, 0); return v })
  c.asks.forEach(a => {
    const u = node()
    arc(source, u, a.energyWh, a.price)
    arc(u, gate.get(a.feeder)!.ex, Infinity, 0)
    c.bids.forEach((b, k) => { if (b.feeder === a.feeder) arc(u, bidNode[k], Infinity, c.fees.local) })
  })
  let raw = 0
  let volume = 0
  for (;;) {
    const dist = adj.map(() => Infinity)
    const via = adj.map(() => -1)
    dist[source] = 0
    for (let round = 0, changed = true; changed && round < adj.length; round++) {
      changed = false
      for (let u = 0; u < adj.length; u++) {
        if (dist[u] === Infinity) continue
        for (const e of adj[u]) {
          if (cap[e] > 0 && dist[u] + cost[e] < dist[to[e]]) { dist[to[e]] = dist[u] + cost[e]; via[to[e]] = e; changed = true }
        }
      }
    }
    if (dist[sink] > 0) break
    let q = Infinity
    for (let v = sink; v !== source; v = to[via[v] ^ 1]) q = Math.min(q, cap[via[v]])
    for (let v = sink; v !== source; v = to[via[v] ^ 1]) { cap[via[v]] -= q; cap[via[v] ^ 1] += q }
    raw -= dist[sink] * q
    volume += q
  }
  return { raw, volume }
}

function randomCase (random: () => number, size: { feeders: number, minOrders: number, asks: number, bids: number, maxWh: number, askPrices: readonly number[], bidPrices: readonly number[], localFees: readonly number[], extraDistrict: readonly number[], limitChance: number, maxLimit: number }): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]
  const int = (max: number): number => Math.floor(random() * (max + 1))
  const feeders = Array.from({ length: size.feeders }, (_, k) => `F${k}`)
  const count = (max: number): number => size.minOrders + int(max - size.minOrders)
  const asks = Array.from({ length: count(size.asks) }, (_, k) => ({ id: `s${k}`, feeder: pick(feeders), energyWh: int(size.maxWh), price: pick(size.askPrices) }))
  const bids = Array.from({ length: count(size.bids) }, (_, k) => ({ id: `b${k}`, feeder: pick(feeders), energyWh: int(size.maxWh), price: pick(size.bidPrices) }))
  const local = pick(size.localFees)
  const fees = { local, district: local + pick(size.extraDistrict) }
  const limits: Limits = {}
  for (const f of feeders) if (random() < size.limitChance) limits[f] = { exportWh: int(size.maxLimit), importWh: int(size.maxLimit) }
  return { bids, asks, fees, limits }
}

function shuffled<T> (xs: readonly T[], random: () => number): T[] {
  const out = [...xs]
  for (let k = out.length - 1; k > 0; k--) {
    const m = Math.floor(random() * (k + 1))
    ;[out[k], out[m]] = [out[m], out[k]]
  }
  return out
}

const clear = (c: Case): GridClearing => clearWithGrid(c.bids, c.asks, { fees: c.fees, limits: c.limits })

const k = 1000 // nanos per kWh: with Wh quantities, 1000 nanos/kWh × 1 Wh = 1 nano

describe('clearWithGrid: against exhaustive search', () => {
  it('matches the best integer fill matrix on 600 small random districts (welfare, and volume among optima)', () => {
    const random = seededRandom(20240611)
    let traded = 0
    let crossed = 0
    let limited = 0
    let limitsChangeOptimum = 0
    for (let n = 0; n < 600; n++) {
      const c = randomCase(random, {
        feeders: 2 + Math.floor(random() * 2),
        minOrders: 1,
        asks: 3,
        bids: 3,
        maxWh: 4,
        askPrices: [0, 1 * k, 1.5 * k, 2 * k, 3 * k, 3.25 * k, 5 * k],
        bidPrices: [1.5 * k, 2 * k, 3 * k, 3.25 * k, 5 * k, 6 * k, 8 * k],
        localFees: [0, 0.25 * k, 1 * k],
        extraDistrict: [0, 0.5 * k, 1 * k, 2 * k],
        limitChance: 0.7,
        maxLimit: 4
      })
      const r = clear(c)
      const raw = checkFills(c, r)
      const best = bruteForce(c)
      expect({ n, raw, volume: r.tradedWh }).toEqual({ n, raw: best.raw, volume: best.volume })
      if (r.tradedWh > 0) traded++
      if (r.crossFeederWh > 0) crossed++
      if (Object.values(c.limits).some(l => l.exportWh === 0 || l.importWh === 0)) limited++
      if (bruteForce({ ...c, limits: {} }).raw !== best.raw) limitsChangeOptimum++
    }
    // the cases exercise what they should
    expect(traded).toBeGreaterThan(300)
    expect(crossed).toBeGreaterThan(120)
    expect(limited).toBeGreaterThan(250)
    expect(limitsChangeOptimum).toBeGreaterThan(60)
  })
})

describe('clearWithGrid: against a min-cost flow on the full network', () => {
  it('agrees on 150 medium random districts with binding limits', () => {
    const random = seededRandom(7)
    let bindingExport = 0
    for (let n = 0; n < 150; n++) {
      const c = randomCase(random, {
        feeders: 2 + Math.floor(random() * 5),
        minOrders: 0,
        asks: 14,
        bids: 14,
        maxWh: 60,
        askPrices: Array.from({ length: 30 }, (_, m) => 100 * k + m * 7 * k),
        bidPrices: Array.from({ length: 30 }, (_, m) => 100 * k + m * 7 * k),
        localFees: [0, 5 * k, 10 * k],
        extraDistrict: [0, 10 * k, 40 * k],
        limitChance: 0.8,
        maxLimit: 80
      })
      const r = clear(c)
      const raw = checkFills(c, r)
      const ref = minCostFlow(c)
      expect({ n, raw, volume: r.tradedWh }).toEqual({ n, raw: ref.raw, volume: ref.volume })
      if (Object.entries(r.perFeeder).some(([f, p]) => c.limits[f] !== undefined && p.exportWh === c.limits[f].exportWh && p.exportWh > 0)) bindingExport++
    }
    expect(bindingExport).toBeGreaterThan(20)
  })
})

describe('clearWithGrid: hand-made cases', () => {
  const fees = { local: 10 * k, district: 50 * k }

  it('a cross-feeder trade pays the district fee', () => {
    const c: Case = {
      asks: [{ id: 's1', feeder: 'A', energyWh: 10, price: 100 * k }],
      bids: [{ id: 'b2', feeder: 'B', energyWh: 10, price: 300 * k }],
      fees,
      limits: {}
    }
    const r = clear(c)
    expect(r.fills).toEqual([{ buyer: 'b2', seller: 's1', energyWh: 10, fee: 50 * k, crossFeeder: true }])
    expect(r.welfareNanos).toBe(10 * (300 - 50 - 100)) // nanos
    expect(r.feeNanos).toBe(10 * 50)
    expect(r.crossFeederWh).toBe(10)
    expect(r.perFeeder).toEqual({ A: { exportWh: 10, importWh: 0 }, B: { exportWh: 0, importWh: 10 } })
    checkFills(c, r)
  })

  it('trades locally what is not worth carrying across feeders (margin between the local and the district fee)', () => {
    // margin 30 per kWh before fees: above the local fee 10, below the district fee 50
    const ask = { id: 's1', feeder: 'A', energyWh: 10, price: 100 * k }
    const across = clear({ asks: [ask], bids: [{ id: 'b1', feeder: 'B', energyWh: 10, price: 130 * k }], fees, limits: {} })
    expect(across.fills).toEqual([])
    expect(across.welfareNanos).toBe(0)
    const inside = clear({ asks: [ask], bids: [{ id: 'b1', feeder: 'A', energyWh: 10, price: 130 * k }], fees, limits: {} })
    expect(inside.fills).toEqual([{ buyer: 'b1', seller: 's1', energyWh: 10, fee: 10 * k, crossFeeder: false }])
    expect(inside.welfareNanos).toBe(10 * 20)
    // both buyers present: the local one is served, the remote one would pay more fee than it gains
    const both: Case = {
      asks: [ask],
      bids: [{ id: 'bA', feeder: 'A', energyWh: 10, price: 130 * k }, { id: 'bB', feeder: 'B', energyWh: 10, price: 175 * k }],
      fees,
      limits: {}
    }
    // local: 130 − 10 − 100 = 20 per kWh; across: 175 − 50 − 100 = 25 per kWh: across wins
    expect(clear(both).fills).toEqual([{ buyer: 'bB', seller: 's1', energyWh: 10, fee: 50 * k, crossFeeder: true }])
    // at 165 across earns 15 < 20: the local buyer wins
    const lower = { ...both, bids: [both.bids[0], { ...both.bids[1], price: 165 * k }] }
    expect(clear(lower).fills).toEqual([{ buyer: 'bA', seller: 's1', energyWh: 10, fee: 10 * k, crossFeeder: false }])
  })

  // A: cheap seller sA (100) and a local buyer bA (140); B: a buyer bB (300) and a dearer local seller sB (200).
  // Unlimited, bB buys all of sA across (150 per kWh) — 1500 nanos. With A's export (or B's import)
  // limited to 4 Wh, bB takes 4 Wh from sA and the next-best local match, 6 Wh from sB (90 per kWh),
  // and sA sells its other 6 Wh to bA locally (30 per kWh): 600 + 540 + 180 = 1320 nanos.
  const limitCase = (limits: Limits): Case => ({
    asks: [{ id: 'sA', feeder: 'A', energyWh: 10, price: 100 * k }, { id: 'sB', feeder: 'B', energyWh: 10, price: 200 * k }],
    bids: [{ id: 'bA', feeder: 'A', energyWh: 10, price: 140 * k }, { id: 'bB', feeder: 'B', energyWh: 10, price: 300 * k }],
    fees,
    limits
  })

  it('without limits the best cross-feeder match takes everything', () => {
    const c = limitCase({})
    const r = clear(c)
    expect(r.welfareNanos).toBe(1500)
    expect(r.fills).toEqual([{ buyer: 'bB', seller: 'sA', energyWh: 10, fee: 50 * k, crossFeeder: true }])
    checkFills(c, r)
  })

  it('an export limit that binds: the rest goes to the next-best local matches', () => {
    const c = limitCase({ A: { exportWh: 4, importWh: 1000 } })
    const r = clear(c)
    expect(r.welfareNanos).toBe(1320)
    expect(r.perFeeder).toEqual({ A: { exportWh: 4, importWh: 0 }, B: { exportWh: 0, importWh: 4 } })
    expect(new Set(r.fills)).toEqual(new Set([
      { buyer: 'bA', seller: 'sA', energyWh: 6, fee: 10 * k, crossFeeder: false },
      { buyer: 'bB', seller: 'sB', energyWh: 6, fee: 10 * k, crossFeeder: false },
      { buyer: 'bB', seller: 'sA', energyWh: 4, fee: 50 * k, crossFeeder: true }
    ]))
    expect(checkFills(c, r)).toBe(bruteForce(c).raw)
  })

  it('an import limit that binds: the same optimum from the other side', () => {
    const c = limitCase({ B: { exportWh: 1000, importWh: 4 } })
    const r = clear(c)
    expect(r.welfareNanos).toBe(1320)
    expect(r.perFeeder).toEqual({ A: { exportWh: 4, importWh: 0 }, B: { exportWh: 0, importWh: 4 } })
    expect(r.crossFeederWh).toBe(4)
    expect(checkFills(c, r)).toBe(bruteForce(c).raw)
  })

  it('an import limit on one feeder re-routes another feeder\'s export to the buyer that can still take it', () => {
    // sA (100) could serve bB (300) or bC (280); B may import only 3 Wh, so C gets the other 7
    const c: Case = {
      asks: [{ id: 'sA', feeder: 'A', energyWh: 10, price: 100 * k }],
      bids: [{ id: 'bB', feeder: 'B', energyWh: 10, price: 300 * k }, { id: 'bC', feeder: 'C', energyWh: 10, price: 280 * k }],
      fees,
      limits: { B: { exportWh: 0, importWh: 3 } }
    }
    const r = clear(c)
    expect(r.perFeeder).toEqual({ A: { exportWh: 10, importWh: 0 }, B: { exportWh: 0, importWh: 3 }, C: { exportWh: 0, importWh: 7 } })
    expect(r.welfareNanos).toBe(3 * 150 + 7 * 130)
    checkFills(c, r)
  })

  it('limit 0 isolates a feeder: it clears on its own', () => {
    const c = limitCase({ A: { exportWh: 0, importWh: 0 } })
    const r = clear(c)
    expect(r.crossFeederWh).toBe(0)
    expect(r.perFeeder).toEqual({ A: { exportWh: 0, importWh: 0 }, B: { exportWh: 0, importWh: 0 } })
    // A: 140 − 10 − 100 = 30 per kWh; B: 300 − 10 − 200 = 90 per kWh
    expect(r.welfareNanos).toBe(300 + 900)
    checkFills(c, r)
    // the same as clearing each feeder alone
    const alone = (f: string): number => clear({ ...c, asks: c.asks.filter(a => a.feeder === f), bids: c.bids.filter(b => b.feeder === f), limits: {} }).welfareNanos
    expect(r.welfareNanos).toBe(alone('A') + alone('B'))
  })

  it('fees above every margin mean no trade', () => {
    const c = limitCase({})
    const r = clear({ ...c, fees: { local: 200 * k + 1, district: 200 * k + 1 } })
    expect(r).toEqual({ fills: [], tradedWh: 0, crossFeederWh: 0, welfareNanos: 0, feeNanos: 0, perFeeder: { A: { exportWh: 0, importWh: 0 }, B: { exportWh: 0, importWh: 0 } } })
  })

  it('trades units of exactly zero welfare (the largest volume among optimal allocations)', () => {
    const r = clear({
      asks: [{ id: 's1', feeder: 'A', energyWh: 5, price: 100 * k }, { id: 's2', feeder: 'A', energyWh: 5, price: 100 * k }],
      bids: [{ id: 'b1', feeder: 'A', energyWh: 5, price: 110 * k }, { id: 'b2', feeder: 'B', energyWh: 5, price: 150 * k }],
      fees,
      limits: {}
    })
    expect(r.tradedWh).toBe(10)
    expect(r.welfareNanos).toBe(0)
  })

  it('rounds welfare and fees half up once, from exact sums', () => {
    // 1 Wh at a margin of 500 nanos/kWh is 0.5 nano → 1; fee 1 Wh × 1500 nanos/kWh = 1.5 → 2
    const r = clear({
      asks: [{ id: 's', feeder: 'A', energyWh: 1, price: 0 }],
      bids: [{ id: 'b', feeder: 'B', energyWh: 1, price: 2000 }],
      fees: { local: 0, district: 1500 },
      limits: {}
    })
    expect(r.welfareNanos).toBe(1)
    expect(r.feeNanos).toBe(2)
  })
})

describe('clearWithGrid: one feeder without fees is the plain double auction', () => {
  it('gives the welfare and volume of clearDoubleAuction on 300 random books', () => {
    const random = seededRandom(99)
    for (let n = 0; n < 300; n++) {
      const count = (max: number): number => Math.floor(random() * (max + 1))
      const asks = Array.from({ length: count(30) }, (_, m) => ({ id: `s${m}`, energyWh: 1 + count(5000), price: count(20) * 50_000_000 + count(999) }))
      const bids = Array.from({ length: count(30) }, (_, m) => ({ id: `b${m}`, energyWh: 1 + count(5000), price: count(20) * 50_000_000 + count(999) }))
      const plain = clearDoubleAuction(bids, asks)
      const limits: Limits = random() < 0.5 ? { F: { exportWh: count(100), importWh: count(100) } } : {}
      const grid = clearWithGrid(bids.map(b => ({ ...b, feeder: 'F' })), asks.map(a => ({ ...a, feeder: 'F' })), { fees: { local: 0, district: count(3) * 1000 }, limits })
      expect({ n, welfareNanos: grid.welfareNanos, tradedWh: grid.tradedWh }).toEqual({ n, welfareNanos: plain.welfareNanos, tradedWh: plain.tradedWh })
      expect(grid.crossFeederWh).toBe(0)
    }
  })
})

describe('clearWithGrid: determinism', () => {
  it('does not depend on the order of the input', () => {
    const random = seededRandom(3)
    for (let n = 0; n < 100; n++) {
      const c = randomCase(random, {
        feeders: 5,
        minOrders: 0,
        asks: 25,
        bids: 25,
        maxWh: 40,
        askPrices: [100 * k, 120 * k, 140 * k, 160 * k, 200 * k],
        bidPrices: [100 * k, 120 * k, 140 * k, 160 * k, 200 * k],
        localFees: [0, 10 * k],
        extraDistrict: [0, 20 * k],
        limitChance: 0.8,
        maxLimit: 50
      })
      const r = clear(c)
      const shuffledLimits = Object.fromEntries(shuffled(Object.entries(c.limits), random))
      const again = clearWithGrid(shuffled(c.bids, random), shuffled(c.asks, random), { fees: c.fees, limits: shuffledLimits })
      expect(again).toEqual(r)
      expect(JSON.stringify(again)).toBe(JSON.stringify(r))
    }
  })
})

describe('clearWithGrid: input validation', () => {
  const ask = { id: 's', feeder: 'A', energyWh: 10, price: 100 }
  const bid = { id: 'b', feeder: 'A', energyWh: 10, price: 200 }
  const fees = { local: 1, district: 2 }
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['fractional energy', () => clearWithGrid([bid], [{ ...ask, energyWh: 1.5 }], { fees }), /ask "s": energyWh/],
    ['negative energy', () => clearWithGrid([{ ...bid, energyWh: -1 }], [ask], { fees }), /bid "b": energyWh/],
    ['negative price', () => clearWithGrid([bid], [{ ...ask, price: -1 }], { fees }), /ask "s": price/],
    ['fractional price', () => clearWithGrid([{ ...bid, price: 0.5 }], [ask], { fees }), /bid "b": price/],
    ['negative local fee', () => clearWithGrid([bid], [ask], { fees: { local: -1, district: 2 } }), /fees\.local/],
    ['fractional district fee', () => clearWithGrid([bid], [ask], { fees: { local: 1, district: 2.5 } }), /fees\.district/],
    ['district fee below local fee', () => clearWithGrid([bid], [ask], { fees: { local: 3, district: 2 } }), /fees\.district/],
    ['negative export limit', () => clearWithGrid([bid], [ask], { fees, limits: { A: { exportWh: -1, importWh: 0 } } }), /limits\["A"\]\.exportWh/],
    ['fractional import limit', () => clearWithGrid([bid], [ask], { fees, limits: { A: { exportWh: 0, importWh: 0.5 } } }), /limits\["A"\]\.importWh/],
    ['infinite limit', () => clearWithGrid([bid], [ask], { fees, limits: { A: { exportWh: Infinity, importWh: 0 } } }), /limits\["A"\]\.exportWh/],
    ['repeated id', () => clearWithGrid([bid, bid], [ask], { fees }), /bid "b": id appears twice/],
    ['missing feeder', () => clearWithGrid([bid], [{ ...ask, feeder: '' }], { fees }), /ask "s": feeder/]
  ]
  for (const [name, run, message] of cases) {
    it(`rejects ${name} with a RangeError naming the field`, () => {
      expect(run).toThrow(RangeError)
      expect(run).toThrow(message)
    })
  }

  it('accepts empty books and zero quantities', () => {
    expect(clearWithGrid([], [], { fees: { local: 0, district: 0 } })).toEqual({ fills: [], tradedWh: 0, crossFeederWh: 0, welfareNanos: 0, feeNanos: 0, perFeeder: {} })
    const r = clearWithGrid([{ ...bid, energyWh: 0 }], [ask], { fees })
    expect(r.tradedWh).toBe(0)
    expect(r.perFeeder).toEqual({ A: { exportWh: 0, importWh: 0 } })
  })
})
