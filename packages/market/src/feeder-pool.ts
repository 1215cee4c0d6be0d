/**
 * Step 2 of `clearWithGrid`'s proof (grid-clearing.ts): a feeder's asks and bids merged into one pool
 * sorted by cost, and the export and import marginals that pool offers the hub (step 3) as runs of Wh.
 */
import { compareIds, type FeederAsk, type FeederBid, type FeederLimit } from './grid-orders.ts'

/** a run of equal-cost units of a feeder's pool P_f: part of one ask (cost a) or one bid (cost b − L + ε) */
export interface PoolRun {
  readonly isBid: boolean
  /** index into the feeder's sorted asks or bids */
  readonly index: number
  readonly energyWh: number
  readonly cost: number
  /** coefficient of ε: 0 for asks, 1 for bids */
  readonly eps: number
}

export interface Feeder {
  readonly name: string
  readonly order: number
  /** price ascending, id ascending */
  readonly asks: FeederAsk[]
  /** price descending, id ascending */
  readonly bids: FeederBid[]
  /** ascending by (cost, eps) */
  readonly pool: PoolRun[]
  /** n_D: Wh of all bids, the cut of the pool at net export 0 */
  readonly demandWh: number
  readonly exportCap: number
  readonly importCap: number
  hubExportWh: number
  hubImportWh: number
}

/** a run of export Wh (an ask at the hub) or import Wh (a bid at the hub) of one feeder */
export interface HubRun {
  readonly feeder: Feeder
  /** position of the run in its feeder's export or import sequence, for a total tie order */
  readonly seq: number
  readonly value: number
  readonly eps: number
  readonly energyWh: number
}

export function buildFeeder(
  name: string,
  order: number,
  g: { asks: FeederAsk[]; bids: FeederBid[] },
  L: number,
  limit: FeederLimit | undefined
): Feeder {
  const asks = g.asks.sort((x, y) => x.price - y.price || compareIds(x.id, y.id))
  const bids = g.bids.sort((x, y) => y.price - x.price || compareIds(x.id, y.id))
  // merge asks (cost a, ascending) with bids from the weakest up (cost b − L + ε, ascending)
  const pool: PoolRun[] = []
  let a = 0
  let b = bids.length - 1
  let demandWh = 0
  let supplyWh = 0
  while (a < asks.length || b >= 0) {
    const bidCost = b >= 0 ? bids[b].price - L : 0
    // an ask goes first unless the bid is strictly cheaper: at equal value the bid carries +ε
    if (a < asks.length && (b < 0 || asks[a].price <= bidCost)) {
      pool.push({ isBid: false, index: a, energyWh: asks[a].energyWh, cost: asks[a].price, eps: 0 })
      supplyWh += asks[a].energyWh
      a++
    } else {
      pool.push({ isBid: true, index: b, energyWh: bids[b].energyWh, cost: bidCost, eps: 1 })
      demandWh += bids[b].energyWh
      b--
    }
  }
  if (!Number.isSafeInteger(demandWh + supplyWh))
    throw new RangeError(`feeder "${name}": its orders' energy exceeds the safe integer range`)
  return {
    name,
    order,
    asks,
    bids,
    pool,
    demandWh,
    exportCap: limit === undefined ? Infinity : limit.exportWh,
    importCap: limit === undefined ? Infinity : limit.importWh,
    hubExportWh: 0,
    hubImportWh: 0
  }
}

/**
 * the feeder's export units (pool after n_D, up to its export limit) and import units (pool before n_D, backwards, up to
 * its import limit)
 */
export function hubRuns(f: Feeder, D: number, L: number, exports: HubRun[], imports: HubRun[]): void {
  const cut = f.demandWh
  let start = 0
  const before: PoolRun[] = []
  const beforeWh: number[] = []
  let exportWh = 0
  let seq = 0
  for (const run of f.pool) {
    const end = start + run.energyWh
    if (end <= cut) {
      before.push(run)
      beforeWh.push(run.energyWh)
    } else {
      if (start < cut) {
        before.push(run)
        beforeWh.push(cut - start)
      }
      const q = Math.min(end - Math.max(start, cut), f.exportCap - exportWh)
      if (q > 0) {
        exports.push({ feeder: f, seq: seq++, value: safeSum(run.cost, D), eps: run.eps - 1, energyWh: q })
        exportWh += q
      }
    }
    start = end
  }
  let importWh = 0
  seq = 0
  for (let k = before.length - 1; k >= 0 && importWh < f.importCap; k--) {
    const q = Math.min(beforeWh[k], f.importCap - importWh)
    imports.push({ feeder: f, seq: seq++, value: safeSum(before[k].cost, L), eps: before[k].eps - 1, energyWh: q })
    importWh += q
  }
}

function safeSum(x: number, y: number): number {
  const s = x + y
  if (!Number.isSafeInteger(s)) throw new RangeError(`a price plus a fee (${x} + ${y} nanos/kWh) exceeds the safe integer range`)
  return s
}
