/**
 * The district's hub, computed alike by every feeder's relays from the digests they all hear: which of a
 * feeder's buyers should look for which sellers of other feeders. Pure logic, integers only.
 *
 * The central optimum (grid-clearing.ts) shows the shape: each feeder first matches inside itself, and
 * what is left — its residual asks (export) and residual bids (import) — meets the other feeders' at the
 * hub as one double auction with the district fee. Relays play that without a centre: a relay's
 * district digest carries its feeder's residuals (`residualOfFeeder`), and every relay allocates the
 * district's residual bids to residual asks of other feeders (`allocateAcrossFeeders`) and tells its own
 * feeder's buyers only theirs. An allocation promises nothing: the buyer proposes to the seller, which
 * answers as it answers anyone; two relays that heard different digests cost refused proposals at worst.
 */

/** One residual order: a trader's energy for a slot, at its announced price (nanos per kWh). */
export interface ResidualOrder {
  readonly trader: string
  readonly feeder: string
  readonly slot: number
  readonly energyWh: number
  readonly price: number
}

/** Energy a buyer should look for at a seller of another feeder, at the seller's price. */
export interface FeederAllocation {
  readonly seller: string
  readonly sellerFeeder: string
  readonly buyer: string
  readonly buyerFeeder: string
  readonly slot: number
  readonly energyWh: number
  readonly price: number
}

const byAsk = (a: ResidualOrder, b: ResidualOrder): number => a.price - b.price || (a.trader < b.trader ? -1 : a.trader > b.trader ? 1 : 0)
const byBid = (a: ResidualOrder, b: ResidualOrder): number => b.price - a.price || (a.trader < b.trader ? -1 : a.trader > b.trader ? 1 : 0)

function bySlot(orders: readonly ResidualOrder[]): Map<number, ResidualOrder[]> {
  const m = new Map<number, ResidualOrder[]>()
  for (const o of orders) {
    if (o.energyWh <= 0) continue
    const l = m.get(o.slot) ?? []
    l.push(o)
    m.set(o.slot, l)
  }
  return m
}

/**
 * What one feeder cannot match inside itself, slot by slot: its asks and bids after the dearest bids take
 * the cheapest asks while a bid covers the ask plus the local fee. What remains is what the feeder
 * offers to, and wants from, the others (asks cheapest first, bids dearest first, per slot in order);
 * `matched` is what its own buyers take of each ask (dearest first, per slot in order): energy of another
 * feeder landing cheaper than such an ask plus the local fee would spare it (`spareAcrossFeeders`).
 */
export function residualOfFeeder(
  asks: readonly ResidualOrder[],
  bids: readonly ResidualOrder[],
  localFee: number
): { asks: ResidualOrder[]; bids: ResidualOrder[]; matched: ResidualOrder[] } {
  const out = { asks: [] as ResidualOrder[], bids: [] as ResidualOrder[], matched: [] as ResidualOrder[] }
  const a = bySlot(asks)
  const b = bySlot(bids)
  for (const slot of [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y)) {
    const sorted = (a.get(slot) ?? []).sort(byAsk)
    const sa = sorted.map(o => ({ ...o }))
    const sb = (b.get(slot) ?? []).sort(byBid).map(o => ({ ...o }))
    let i = 0
    let j = 0
    while (i < sa.length && j < sb.length && sb[j].price - localFee >= sa[i].price) {
      const q = Math.min(sa[i].energyWh, sb[j].energyWh)
      sa[i] = { ...sa[i], energyWh: sa[i].energyWh - q }
      sb[j] = { ...sb[j], energyWh: sb[j].energyWh - q }
      if (sa[i].energyWh === 0) i++
      if (sb[j].energyWh === 0) j++
    }
    for (let k = Math.min(i, sa.length - 1); k >= 0; k--) {
      const q = sorted[k].energyWh - sa[k].energyWh
      if (q > 0) out.matched.push({ ...sorted[k], energyWh: q })
    }
    out.asks.push(...sa.filter(o => o.energyWh > 0))
    out.bids.push(...sb.filter(o => o.energyWh > 0))
  }
  return out
}

/**
 * The hub's double auction on the district's residual orders, slot by slot: the dearest bid first takes
 * the cheapest asks of other feeders that it covers with the district fee (ties by trader, so that every
 * relay computes the same). A buyer is never sent to its own feeder's sellers: those it hears itself.
 */
export function allocateAcrossFeeders(
  asks: readonly ResidualOrder[],
  bids: readonly ResidualOrder[],
  districtFee: number
): FeederAllocation[] {
  const out: FeederAllocation[] = []
  const a = bySlot(asks)
  const b = bySlot(bids)
  for (const slot of [...b.keys()].sort((x, y) => x - y)) {
    const sa = (a.get(slot) ?? []).sort(byAsk)
    const left = sa.map(o => o.energyWh)
    for (const bid of (b.get(slot) ?? []).sort(byBid)) {
      let need = bid.energyWh
      for (let i = 0; i < sa.length && need > 0; i++) {
        const ask = sa[i]
        if (ask.price + districtFee > bid.price) break
        if (left[i] === 0 || ask.feeder === bid.feeder || ask.trader === bid.trader) continue
        const q = Math.min(left[i], need)
        left[i] -= q
        need -= q
        out.push({
          seller: ask.trader,
          sellerFeeder: ask.feeder,
          buyer: bid.trader,
          buyerFeeder: bid.feeder,
          slot,
          energyWh: q,
          price: ask.price
        })
      }
    }
  }
  return out
}

/**
 * The hub's import marginal beyond the residual bids, after `allocateAcrossFeeders` served them: a Wh imported
 * either feeds one more buyer or spares the feeder's dearest seller its buyers take at home, worth that
 * seller's ask plus the local fee (grid-clearing.ts, step 2). So each feeder's matched asks (its relay's
 * `Digest.matched`) bid at ask + local fee, dearest first, for what is left of the other feeders' residual
 * asks that lands cheaper with the district fee. An allocation names the spared seller as its `buyer`: it
 * says which feeder's buyers should be shown the offer, not which buyer takes it.
 */
export function spareAcrossFeeders(
  asks: readonly ResidualOrder[],
  matched: readonly ResidualOrder[],
  fees: { readonly local: number; readonly district: number }
): FeederAllocation[] {
  return allocateAcrossFeeders(
    asks,
    matched.map(m => ({ ...m, price: m.price + fees.local })),
    fees.district
  )
}
