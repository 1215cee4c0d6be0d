/**
 * Central clearing of one slot of a district market with grid fees and feeder transformer limits: the
 * welfare-optimal baseline that carries the grid (DESIGN.md, "The grid shapes the market"). Pure logic,
 * integers only: energy in Wh, prices and fees in nanos per kWh, money in nanos.
 *
 * A district is a tree: feeders (one secondary substation each) under one medium-voltage grid. One Wh
 * from seller s to buyer b earns b.price − fee(s, b) − s.price, where fee is `fees.local` when both sit on
 * the same feeder and `fees.district` otherwise. Per feeder, what its sellers sell to other feeders is at
 * most `exportWh`, what its buyers buy from other feeders at most `importWh`.
 *
 * ## The problem and the tie rule
 *
 *     maximise   Σ_ij (b_i − fee_ij − a_j) · x_ij
 *     subject to Σ_j x_ij ≤ q_i, Σ_i x_ij ≤ s_j, x_ij ≥ 0 integer,
 *                Σ_{j ∈ f, i ∉ f} x_ij ≤ E_f,  Σ_{i ∈ f, j ∉ f} x_ij ≤ I_f   for every feeder f.
 *
 * The district fee must be at least the local fee (it is: crossing feeders uses more of the grid); the
 * function throws a RangeError otherwise, because the reduction below relies on it (step 2).
 *
 * Zero-welfare units: among all welfare-optimal allocations the result has the largest traded volume,
 * as `clearDoubleAuction` trades its zero-surplus units. Formally we maximise welfare + ε·volume for an
 * infinitesimal ε > 0, i.e. every traded Wh pays the fee minus ε: local L − ε, cross-feeder D − ε. All
 * the arguments below use only sums and comparisons, so they hold verbatim in the lexicographically
 * ordered group of numbers v + e·ε (integers v, e); the code carries such pairs as (value, eps).
 *
 * ## 1. Welfare depends only on aggregates
 *
 * Σ_ij (b_i − fee_ij − a_j) x_ij = Σ_i b_i·B_i − Σ_j a_j·S_j − L·(local Wh) − D·(cross-feeder Wh), where
 * B_i, S_j are what each order trades. Count each cross-feeder Wh at its exporting feeder: welfare is
 * Σ_f W_f, W_f = Σ_{i∈f} b_i B_i − Σ_{j∈f} a_j S_j − L·local_f − D·x_f, with x_f, y_f the feeder's export
 * and import.
 *
 * ## 2. A feeder is one sorted pool; its value depends only on its net export z
 *
 * Let V_f(z) be the best W_f with net export x_f − y_f = z, over the feeder's own choices.
 * - Never both: if x_f, y_f > 0, let m = min(x_f, y_f) exporting sellers sell to importing buyers of
 *   the same feeder instead: W_f changes by (D − L)·m ≥ 0 and both transformer flows shrink. So for
 *   z ≥ 0 take y_f = 0 (local = Wh bought), for z ≤ 0 take x_f = 0 (local = Wh sold).
 * - z ≥ 0: W_f = Σ_{all bid units}(b − L) − Σ_{bid units not bought}(b − L) − Σ_{ask units sold} a − D·z,
 *   and (#ask units sold) + (#bid units not bought) = n_D + z (n_D = Wh of all bids). So the best choice
 *   is the n_D + z cheapest units of the pool P_f = {a per ask unit} ∪ {b − L per bid unit}: sell the ask
 *   units among them, drop the bid units among them, buy the rest.
 * - z ≤ 0: the same with local = Wh sold: the n_D + z cheapest units of {a + L} ∪ {b} = P_f + L, which
 *   is the same order. So one sorted pool serves both signs: V_f(z) is "cut the pool after unit n_D + z".
 * With ε, bid units cost b − L + ε: at equal cost, asks come first (a zero-margin unit trades).
 *
 * Hence, with c_k the k-th cheapest unit of P_f (1-based), the marginals of V_f are
 *     export, k-th Wh:  V_f(k) − V_f(k−1)   = −(c_{n_D+k} + D − ε)      k = 1 … min(E_f, n_S)
 *     import, k-th Wh:  V_f(−k) − V_f(−k+1) = +(c_{n_D−k+1} + L − ε)    k = 1 … min(I_f, n_D)
 * Both are non-increasing along z, and at z = 0 the import marginal c_{n_D} + L ≤ c_{n_D+1} + D is
 * where D ≥ L is needed: V_f is concave. (Intuition: exporting a Wh either sells one more ask unit or
 * takes one away from the feeder's weakest local buyer; importing either feeds one more buyer or
 * replaces the feeder's dearest local seller — whichever is cheaper, as a merge of two sorted lists.)
 *
 * ## 3. The district is a double auction at the hub
 *
 * By step 2, OPT ≤ max { Σ_f V_f(z_f) : Σ_f z_f = 0, −I_f ≤ z_f ≤ E_f }, and every such z is reached:
 * exporters and importers are disjoint feeders, so any pairing of export units with import units is
 * cross-feeder and feasible. So OPT = that maximum. Relax it: let each feeder export X_f and import
 * Y_f at once, earning V_f(0) + Σ_{k≤X_f} export marginals + Σ_{k≤Y_f} import marginals, with Σ X = Σ Y.
 * The relaxation is at least OPT (take X_f·Y_f = 0), and at most OPT, since concavity gives
 * V_f(X) + V_f(−Y) ≤ V_f(X − Y) + V_f(0), so netting X_f − Y_f loses nothing. The relaxation is
 * exactly the double auction of clearing.ts: export Wh are asks at price c + D − ε, import Wh are bids at
 * value c + L − ε, and the greedy walk (cheapest export against dearest import while the bid is
 * strictly above the ask) is optimal. A feeder never appears on both sides of that walk: its own
 * dearest import value is ≤ its own cheapest export price (same inequality as the concavity), so its
 * units could only meet at a margin ≤ 0, which the strict walk does not trade.
 *
 * ## 4. Integrality, fills and determinism
 *
 * Every cut is a whole number of Wh, so the optimum of the relaxation (LP) is integral and therefore
 * optimal among integer allocations. Fills are any pairing consistent with the per-order quantities and
 * each feeder's local / export / import volumes: welfare depends only on those (step 1). No fill has a
 * negative margin: setting such a fill to 0 keeps every constraint and raises welfare, contradicting
 * optimality (checked anyway). Orders are sorted by price then id, feeders by name, hub units by value,
 * then feeder and position; so the result does not depend on input order.
 *
 * Cost: O(n log n) for n orders (sorting), then linear walks — no general min-cost flow is needed.
 *
 * Step 2's pool and the hub runs it offers are built in feeder-pool.ts; the inputs and their checks are in
 * grid-orders.ts.
 */
import { buildFeeder, type Feeder, type HubRun, hubRuns } from './feeder-pool.ts'
import {
  compareIds,
  type FeederAsk,
  type FeederBid,
  type GridClearingOptions,
  validateFees,
  validateLimits,
  validateOrders
} from './grid-orders.ts'

export interface GridFill {
  readonly buyer: string
  readonly seller: string
  readonly energyWh: number
  readonly fee: number
  readonly crossFeeder: boolean
}
export interface GridClearing {
  /** local fills feeder by feeder (feeders by name), then the cross-feeder fills */
  readonly fills: readonly GridFill[]
  readonly tradedWh: number
  readonly crossFeederWh: number
  /** Σ (bid − fee − ask) × Wh / 1000, nanos: bigint sum, rounded half up at the end */
  readonly welfareNanos: number
  /** Σ fee × Wh / 1000, nanos: bigint sum, rounded half up at the end */
  readonly feeNanos: number
  /** per feeder that has an order: Wh its sellers sold to other feeders, Wh its buyers bought from other feeders */
  readonly perFeeder: Readonly<Record<string, { exportWh: number; importWh: number }>>
}

export function clearWithGrid(bids: readonly FeederBid[], asks: readonly FeederAsk[], options: GridClearingOptions): GridClearing {
  const { local: L, district: D } = validateFees(options?.fees)
  const limits = validateLimits(options.limits)
  validateOrders('bid', bids)
  validateOrders('ask', asks)

  // group by feeder, drop empty orders
  const byName = new Map<string, { asks: FeederAsk[]; bids: FeederBid[] }>()
  const group = (name: string): { asks: FeederAsk[]; bids: FeederBid[] } => {
    let g = byName.get(name)
    if (g === undefined) {
      g = { asks: [], bids: [] }
      byName.set(name, g)
    }
    return g
  }
  for (const a of asks) {
    const g = group(a.feeder)
    if (a.energyWh > 0) g.asks.push(a)
  }
  for (const b of bids) {
    const g = group(b.feeder)
    if (b.energyWh > 0) g.bids.push(b)
  }

  const names = [...byName.keys()].sort(compareIds)
  const feeders = names.map((name, order) =>
    buildFeeder(name, order, byName.get(name) as { asks: FeederAsk[]; bids: FeederBid[] }, L, limits[name])
  )

  // step 3: the hub double auction over export and import marginals
  const exports: HubRun[] = []
  const imports: HubRun[] = []
  for (const f of feeders) hubRuns(f, D, L, exports, imports)
  exports.sort((x, y) => x.value - y.value || x.eps - y.eps || x.feeder.order - y.feeder.order || x.seq - y.seq)
  imports.sort((x, y) => y.value - x.value || y.eps - x.eps || x.feeder.order - y.feeder.order || x.seq - y.seq)
  let i = 0
  let j = 0
  let expLeft = exports.length > 0 ? exports[0].energyWh : 0
  let impLeft = imports.length > 0 ? imports[0].energyWh : 0
  while (i < exports.length && j < imports.length) {
    const e = exports[i]
    const m = imports[j]
    // trade only at a strictly positive margin in welfare + ε·volume
    if (!(m.value > e.value || (m.value === e.value && m.eps > e.eps))) break
    const q = Math.min(expLeft, impLeft)
    e.feeder.hubExportWh += q
    m.feeder.hubImportWh += q
    expLeft -= q
    impLeft -= q
    if (expLeft === 0 && ++i < exports.length) expLeft = exports[i].energyWh
    if (impLeft === 0 && ++j < imports.length) impLeft = imports[j].energyWh
  }

  // step 2 backwards: cut each feeder's pool at n_D + z, then pair
  const fills: GridFill[] = []
  const exportPool: Array<{ feeder: Feeder; ask: FeederAsk; energyWh: number }> = []
  const importPool: Array<{ feeder: Feeder; bid: FeederBid; energyWh: number }> = []
  const perFeeder: Array<[string, { exportWh: number; importWh: number }]> = []
  for (const f of feeders) {
    const z = f.hubExportWh - f.hubImportWh // netting; by step 3 one of the two is 0 already
    const sold = new Array<number>(f.asks.length).fill(0)
    const bought = f.bids.map(b => b.energyWh)
    let left = f.demandWh + z
    for (const run of f.pool) {
      if (left === 0) break
      const q = Math.min(left, run.energyWh)
      if (run.isBid) bought[run.index] -= q
      else sold[run.index] += q
      left -= q
    }
    const exportWh = Math.max(z, 0)
    const importWh = Math.max(-z, 0)
    perFeeder.push([f.name, { exportWh, importWh }])

    // local fills: the cheapest sold asks with the dearest bought bids; the rest crosses feeders
    let a = 0
    let b = 0
    let askLeft = 0
    let bidLeft = 0
    const nextAsk = (): void => {
      while (askLeft === 0 && a < f.asks.length) askLeft = sold[a++]
    }
    const nextBid = (): void => {
      while (bidLeft === 0 && b < f.bids.length) bidLeft = bought[b++]
    }
    nextAsk()
    nextBid()
    while (askLeft > 0 && bidLeft > 0) {
      const ask = f.asks[a - 1]
      const bid = f.bids[b - 1]
      const q = Math.min(askLeft, bidLeft)
      fills.push({ buyer: bid.id, seller: ask.id, energyWh: q, fee: L, crossFeeder: false })
      askLeft -= q
      bidLeft -= q
      nextAsk()
      nextBid()
    }
    while (askLeft > 0) {
      exportPool.push({ feeder: f, ask: f.asks[a - 1], energyWh: askLeft })
      askLeft = 0
      nextAsk()
    }
    while (bidLeft > 0) {
      importPool.push({ feeder: f, bid: f.bids[b - 1], energyWh: bidLeft })
      bidLeft = 0
      nextBid()
    }
  }

  // cross-feeder fills: exporters and importers are disjoint feeders, so every pair crosses
  exportPool.sort((x, y) => x.ask.price - y.ask.price || x.feeder.order - y.feeder.order || compareIds(x.ask.id, y.ask.id))
  importPool.sort((x, y) => y.bid.price - x.bid.price || x.feeder.order - y.feeder.order || compareIds(x.bid.id, y.bid.id))
  i = 0
  j = 0
  expLeft = exportPool.length > 0 ? exportPool[0].energyWh : 0
  impLeft = importPool.length > 0 ? importPool[0].energyWh : 0
  while (i < exportPool.length && j < importPool.length) {
    const e = exportPool[i]
    const m = importPool[j]
    if (e.feeder === m.feeder) throw new Error(`grid clearing invariant broken: feeder "${e.feeder.name}" both exports and imports`)
    const q = Math.min(expLeft, impLeft)
    fills.push({ buyer: m.bid.id, seller: e.ask.id, energyWh: q, fee: D, crossFeeder: true })
    expLeft -= q
    impLeft -= q
    if (expLeft === 0 && ++i < exportPool.length) expLeft = exportPool[i].energyWh
    if (impLeft === 0 && ++j < importPool.length) impLeft = importPool[j].energyWh
  }
  if (i < exportPool.length || j < importPool.length) throw new Error('grid clearing invariant broken: exports and imports do not balance')

  // totals, from the fills themselves
  const bidPrice = new Map<string, number>()
  const askPrice = new Map<string, number>()
  for (const x of bids) bidPrice.set(x.id, x.price)
  for (const x of asks) askPrice.set(x.id, x.price)
  let tradedWh = 0
  let crossFeederWh = 0
  let surplus = 0n // nanos × 1000
  let feeSum = 0n
  for (const fill of fills) {
    const margin = (bidPrice.get(fill.buyer) as number) - fill.fee - (askPrice.get(fill.seller) as number)
    if (margin < 0) throw new Error(`grid clearing invariant broken: fill ${fill.seller} → ${fill.buyer} has margin ${margin}`)
    tradedWh += fill.energyWh
    if (fill.crossFeeder) crossFeederWh += fill.energyWh
    surplus += BigInt(margin) * BigInt(fill.energyWh)
    feeSum += BigInt(fill.fee) * BigInt(fill.energyWh)
  }
  if (!Number.isSafeInteger(tradedWh)) throw new RangeError(`traded energy ${tradedWh} Wh exceeds the safe integer range`)

  return {
    fills,
    tradedWh,
    crossFeederWh,
    welfareNanos: toNanos(surplus, 'welfare'),
    feeNanos: toNanos(feeSum, 'fees'),
    perFeeder: Object.fromEntries(perFeeder)
  }
}

/** (nanos × 1000) → nanos, rounded half up (toward +∞ on exact halves), as clearing.ts does */
function toNanos(thousandths: bigint, what: string): number {
  const n = thousandths + 500n
  const q = n / 1000n
  const nanos = n % 1000n !== 0n && n < 0n ? q - 1n : q
  if (nanos > BigInt(Number.MAX_SAFE_INTEGER) || nanos < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${what} ${nanos} nanos exceeds the safe integer range`)
  }
  return Number(nanos)
}
