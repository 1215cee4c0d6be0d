/**
 * References for `clearWithGrid`'s tests, independent of the implementation: a checker of every
 * constraint on a clearing's fills, an exhaustive search, a min-cost flow on the full network, and a
 * seeded generator of cases. Of the implementation they import only its types.
 */
import { expect } from 'vitest'
import type { GridClearing } from '../../src/grid-clearing.ts'
import type { FeederAsk, FeederBid, FeederLimit, GridFees } from '../../src/grid-orders.ts'
export type Limits = Record<string, FeederLimit>
export interface Case {
  bids: FeederBid[]
  asks: FeederAsk[]
  fees: GridFees
  limits: Limits
}

/**
 * Checks every constraint on the fills of a clearing, independently of the implementation, and returns
 * their exact welfare Σ (bid − fee − ask) × Wh in nanos × 1000 (the unrounded figure).
 */
export function checkFills(c: Case, r: GridClearing): number {
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
export function bruteForce(c: Case): { raw: number; volume: number } {
  const cells: Array<{ b: number; a: number; margin: number; from: string; to: string; cross: boolean }> = []
  c.bids.forEach((b, bi) => {
    c.asks.forEach((a, ai) => {
      const cross = a.feeder !== b.feeder
      cells.push({
        b: bi,
        a: ai,
        margin: b.price - (cross ? c.fees.district : c.fees.local) - a.price,
        from: a.feeder,
        to: b.feeder,
        cross
      })
    })
  })
  const bidLeft = c.bids.map(b => b.energyWh)
  const askLeft = c.asks.map(a => a.energyWh)
  const exportLeft = new Map<string, number>()
  const importLeft = new Map<string, number>()
  for (const [name, l] of Object.entries(c.limits)) {
    exportLeft.set(name, l.exportWh)
    importLeft.set(name, l.importWh)
  }
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
export function minCostFlow(c: Case): { raw: number; volume: number } {
  const to: number[] = []
  const cap: number[] = []
  const cost: number[] = []
  const adj: number[][] = []
  const node = (): number => {
    adj.push([])
    return adj.length - 1
  }
  const arc = (u: number, v: number, capacity: number, w: number): void => {
    to.push(v)
    cap.push(capacity)
    cost.push(w)
    adj[u].push(to.length - 1)
    to.push(u)
    cap.push(0)
    cost.push(-w)
    adj[v].push(to.length - 1)
  }
  const source = node()
  const sink = node()
  const names = [...new Set([...c.bids, ...c.asks].map(o => o.feeder))]
  const gate = new Map(
    names.map(n => {
      const ex = node()
      const exOut = node()
      const imIn = node()
      const im = node()
      const l = c.limits[n]
      arc(ex, exOut, l === undefined ? Infinity : l.exportWh, 0)
      arc(imIn, im, l === undefined ? Infinity : l.importWh, 0)
      return [n, { ex, exOut, imIn, im }]
    })
  )
  for (const f of names) for (const g of names) if (f !== g) arc(gate.get(f)!.exOut, gate.get(g)!.imIn, Infinity, c.fees.district)
  const bidNode = c.bids.map(b => {
    const v = node()
    arc(v, sink, b.energyWh, -b.price)
    arc(gate.get(b.feeder)!.im, v, Infinity, 0)
    return v
  })
  c.asks.forEach(a => {
    const u = node()
    arc(source, u, a.energyWh, a.price)
    arc(u, gate.get(a.feeder)!.ex, Infinity, 0)
    c.bids.forEach((b, k) => {
      if (b.feeder === a.feeder) arc(u, bidNode[k], Infinity, c.fees.local)
    })
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
          if (cap[e] > 0 && dist[u] + cost[e] < dist[to[e]]) {
            dist[to[e]] = dist[u] + cost[e]
            via[to[e]] = e
            changed = true
          }
        }
      }
    }
    if (dist[sink] > 0) break
    let q = Infinity
    for (let v = sink; v !== source; v = to[via[v] ^ 1]) q = Math.min(q, cap[via[v]])
    for (let v = sink; v !== source; v = to[via[v] ^ 1]) {
      cap[via[v]] -= q
      cap[via[v] ^ 1] += q
    }
    raw -= dist[sink] * q
    volume += q
  }
  return { raw, volume }
}

export function randomCase(
  random: () => number,
  size: {
    feeders: number
    minOrders: number
    asks: number
    bids: number
    maxWh: number
    askPrices: readonly number[]
    bidPrices: readonly number[]
    localFees: readonly number[]
    extraDistrict: readonly number[]
    limitChance: number
    maxLimit: number
  }
): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]
  const int = (max: number): number => Math.floor(random() * (max + 1))
  const feeders = Array.from({ length: size.feeders }, (_, k) => `F${k}`)
  const count = (max: number): number => size.minOrders + int(max - size.minOrders)
  const asks = Array.from({ length: count(size.asks) }, (_, k) => ({
    id: `s${k}`,
    feeder: pick(feeders),
    energyWh: int(size.maxWh),
    price: pick(size.askPrices)
  }))
  const bids = Array.from({ length: count(size.bids) }, (_, k) => ({
    id: `b${k}`,
    feeder: pick(feeders),
    energyWh: int(size.maxWh),
    price: pick(size.bidPrices)
  }))
  const local = pick(size.localFees)
  const fees = { local, district: local + pick(size.extraDistrict) }
  const limits: Limits = {}
  for (const f of feeders) if (random() < size.limitChance) limits[f] = { exportWh: int(size.maxLimit), importWh: int(size.maxLimit) }
  return { bids, asks, fees, limits }
}

export function shuffled<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs]
  for (let k = out.length - 1; k > 0; k--) {
    const m = Math.floor(random() * (k + 1))
    ;[out[k], out[m]] = [out[m], out[k]]
  }
  return out
}
