/**
 * Central double-auction clearing: the welfare-optimal baseline that the simulator and researchers
 * compare the decentralised peer-to-peer market against. Pure logic, integers only.
 *
 * Units (see DESIGN.md): energy in integer Wh, prices in integer nanos per kWh, money in integer nanos.
 *
 * ## Why the greedy walk is welfare-optimal
 *
 * The allocation problem is the assignment (transportation) LP
 *
 *     maximise   Σ_ij (b_i − a_j) · x_ij
 *     subject to Σ_j x_ij ≤ q_i   (bid i buys at most its quantity)
 *                Σ_i x_ij ≤ s_j   (ask j sells at most its quantity)
 *                x_ij ≥ 0
 *
 * The objective separates: Σ_ij (b_i − a_j) x_ij = Σ_i b_i·B_i − Σ_j a_j·S_j, where B_i = Σ_j x_ij is
 * what bid i buys and S_j = Σ_i x_ij is what ask j sells, and Σ_i B_i = Σ_j S_j = Q is the traded
 * volume. So welfare depends only on how much each order trades, never on who is paired with whom.
 *
 * Cut every order into units (1 Wh, or infinitesimal slices for the LP relaxation). Let D_k be the
 * k-th most valuable bid unit (the demand curve, non-increasing in k) and C_k the k-th cheapest ask
 * unit (the supply curve, non-decreasing in k). For a fixed volume Q, Σ b_i·B_i is at most the sum
 * of the Q most valuable bid units, Σ a_j·S_j at least the sum of the Q cheapest ask units, and both
 * bounds are reached together by taking exactly those units (exchange argument: swapping a used unit
 * for a better unused one never lowers welfare). Hence the best welfare for volume Q is
 *
 *     f(Q) = Σ_{k ≤ Q} (D_k − C_k),
 *
 * and since D_k − C_k is non-increasing in k, f is concave with its maximum at the largest Q for
 * which D_Q ≥ C_Q (adding units with D_k − C_k ≥ 0, stopping before the first negative one).
 *
 * The walk below does exactly this: bids by price descending, asks ascending, it fills the k-th unit
 * from the k-th bid unit and k-th ask unit, and stops as soon as the current bid price is below the
 * current ask price, i.e. at the first k with D_k < C_k. It is the greedy solution of the LP and, as
 * quantities are integers, it is integral — so it is also optimal among integer allocations.
 * Zero-surplus units (D_k = C_k) are traded: same welfare, more volume. Equal prices are ordered by id,
 * so the result does not depend on input order; any tie order gives the same welfare.
 */

export interface Ask {
  readonly id: string
  readonly energyWh: number
  readonly price: number
} // seller cost floor, nanos per kWh
export interface BidOrder {
  readonly id: string
  readonly energyWh: number
  readonly price: number
} // buyer value cap, nanos per kWh
export interface Fill {
  readonly buyer: string
  readonly seller: string
  readonly energyWh: number
  readonly price: number
}

export interface Clearing {
  readonly fills: readonly Fill[]
  readonly tradedWh: number
  /**
   * uniform clearing price (nanos/kWh) when one exists: midpoint of the marginal bid and ask, integer.
   * Defined whenever something trades (also under 'midpoint' pricing, where it is the price that would
   * have cleared uniformly); undefined when nothing trades. The marginal pair is the last matched pair,
   * so every matched bid is ≥ it and every matched ask is ≤ it: the price is individually rational for all.
   */
  readonly price: number | undefined
  /** gains from trade Σ (bid price − ask price) × Wh / 1000, in nanos (integer, computed with bigint, rounded half up at the end) */
  readonly welfareNanos: number
}

export type Pricing = 'uniform' | 'midpoint'

export interface ClearingOptions {
  readonly pricing?: Pricing
}

export const defaultClearingOptions = {
  /**
   * 'uniform': one price for everyone in the slot, as in a call market / the textbook competitive
   * equilibrium the decentralised market is compared with. 'midpoint' (pay-as-matched, each pair
   * splits its own surplus) is closer to what bilateral negotiation yields.
   */
  pricing: 'uniform'
} as const satisfies Required<ClearingOptions>

export function clearDoubleAuction(bids: readonly BidOrder[], asks: readonly Ask[], options?: ClearingOptions): Clearing {
  const pricing = options?.pricing ?? defaultClearingOptions.pricing
  if (pricing !== 'uniform' && pricing !== 'midpoint') {
    throw new RangeError(`pricing must be 'uniform' or 'midpoint', got ${String(pricing)}`)
  }
  validateOrders('bid', bids)
  validateOrders('ask', asks)

  const sortedBids = [...bids].sort((x, y) => y.price - x.price || compareIds(x.id, y.id))
  const sortedAsks = [...asks].sort((x, y) => x.price - y.price || compareIds(x.id, y.id))

  const matched: Array<{ bid: BidOrder; ask: Ask; energyWh: number }> = []
  let i = 0
  let j = 0
  let bidLeft = sortedBids.length > 0 ? sortedBids[0].energyWh : 0
  let askLeft = sortedAsks.length > 0 ? sortedAsks[0].energyWh : 0
  while (i < sortedBids.length && j < sortedAsks.length && sortedBids[i].price >= sortedAsks[j].price) {
    const bid = sortedBids[i]
    const ask = sortedAsks[j]
    const energyWh = Math.min(bidLeft, askLeft)
    matched.push({ bid, ask, energyWh })
    bidLeft -= energyWh
    askLeft -= energyWh
    if (bidLeft === 0 && ++i < sortedBids.length) bidLeft = sortedBids[i].energyWh
    if (askLeft === 0 && ++j < sortedAsks.length) askLeft = sortedAsks[j].energyWh
  }

  const marginal = matched.at(-1)
  const price = marginal === undefined ? undefined : midpoint(marginal.bid.price, marginal.ask.price)

  let tradedWh = 0
  let surplus = 0n // Σ (bid − ask) × Wh, in nanos × 1000
  const fills: Fill[] = []
  for (const m of matched) {
    tradedWh += m.energyWh
    surplus += (BigInt(m.bid.price) - BigInt(m.ask.price)) * BigInt(m.energyWh)
    fills.push({
      buyer: m.bid.id,
      seller: m.ask.id,
      energyWh: m.energyWh,
      price: pricing === 'uniform' ? (price as number) : midpoint(m.bid.price, m.ask.price)
    })
  }
  if (!Number.isSafeInteger(tradedWh)) throw new RangeError(`traded energy ${tradedWh} Wh exceeds the safe integer range`)

  return { fills, tradedWh, price, welfareNanos: surplusToNanos(surplus) }
}

/**
 * Gains from trade of any set of fills, Σ (buyerValue − sellerCost) × Wh / 1000 in nanos: exact
 * bigint sum, rounded half up once at the end. Negative when fills trade below cost; prices paid
 * between the parties are transfers and do not enter.
 */
export function welfareOf(fills: readonly { buyerValue: number; sellerCost: number; energyWh: number }[]): number {
  let surplus = 0n
  fills.forEach((f, k) => {
    if (!Number.isSafeInteger(f.buyerValue))
      throw new RangeError(`fill #${k}: buyerValue must be an integer (nanos/kWh), got ${f.buyerValue}`)
    if (!Number.isSafeInteger(f.sellerCost))
      throw new RangeError(`fill #${k}: sellerCost must be an integer (nanos/kWh), got ${f.sellerCost}`)
    if (!Number.isSafeInteger(f.energyWh) || f.energyWh < 0)
      throw new RangeError(`fill #${k}: energyWh must be a non-negative integer (Wh), got ${f.energyWh}`)
    surplus += (BigInt(f.buyerValue) - BigInt(f.sellerCost)) * BigInt(f.energyWh)
  })
  return surplusToNanos(surplus)
}

export interface SlotOrders {
  readonly bids: readonly BidOrder[]
  readonly asks: readonly Ask[]
}

export interface SlotsClearing {
  /** one clearing per slot, in ascending slot order */
  readonly perSlot: Map<number, Clearing>
  readonly tradedWh: number
  /** Σ of the per-slot welfareNanos (each slot rounded on its own), so the totals always add up */
  readonly welfareNanos: number
}

/** Clears every slot independently: energy in one slot cannot be delivered in another. */
export function clearSlots(ordersBySlot: ReadonlyMap<number, SlotOrders>, options?: ClearingOptions): SlotsClearing {
  const slots = [...ordersBySlot.keys()].sort((x, y) => x - y)
  const perSlot = new Map<number, Clearing>()
  let tradedWh = 0
  let welfareNanos = 0
  for (const slot of slots) {
    if (!Number.isSafeInteger(slot)) throw new RangeError(`slot must be an integer, got ${slot}`)
    const { bids, asks } = ordersBySlot.get(slot) as SlotOrders
    let clearing: Clearing
    try {
      clearing = clearDoubleAuction(bids, asks, options)
    } catch (err) {
      if (err instanceof RangeError) throw new RangeError(`slot ${slot}: ${err.message}`, { cause: err })
      throw err
    }
    perSlot.set(slot, clearing)
    tradedWh += clearing.tradedWh
    welfareNanos += clearing.welfareNanos
  }
  if (!Number.isSafeInteger(tradedWh) || !Number.isSafeInteger(welfareNanos)) {
    throw new RangeError('slot totals exceed the safe integer range')
  }
  return { perSlot, tradedWh, welfareNanos }
}

function validateOrders(side: 'bid' | 'ask', orders: readonly (BidOrder | Ask)[]): void {
  const seen = new Set<string>()
  for (const o of orders) {
    if (!Number.isSafeInteger(o.energyWh) || o.energyWh <= 0) {
      throw new RangeError(`${side} "${o.id}": energyWh must be a positive integer (Wh), got ${o.energyWh}`)
    }
    if (!Number.isSafeInteger(o.price)) {
      throw new RangeError(`${side} "${o.id}": price must be an integer (nanos/kWh), got ${o.price}`)
    }
    // ids name the parties in fills and break price ties; a repeated id would make both ambiguous
    if (seen.has(o.id)) throw new RangeError(`${side} "${o.id}": id appears twice`)
    seen.add(o.id)
  }
}

/** code-unit order: the same on every machine, unlike localeCompare */
function compareIds(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0
}

/** floor((a + b) / 2) without overflow; lies between a and b, so it is a safe integer too */
function midpoint(a: number, b: number): number {
  return Number(floorDiv(BigInt(a) + BigInt(b), 2n))
}

/** (nanos × 1000) → nanos, rounded half up (toward +∞ on exact halves) */
function surplusToNanos(surplus: bigint): number {
  const nanos = floorDiv(surplus + 500n, 1000n)
  if (nanos > BigInt(Number.MAX_SAFE_INTEGER) || nanos < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`welfare ${nanos} nanos exceeds the safe integer range`)
  }
  return Number(nanos)
}

function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d
  return n % d !== 0n && n < 0n !== d < 0n ? q - 1n : q
}
