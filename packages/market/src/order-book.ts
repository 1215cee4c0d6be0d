import { ExpiredMessageError, ReplayedMessageError, toHex, type Announcement, type Order, type TopicKind } from '@kvartal/protocol'

/** One order as a node sees it in its book. */
export interface BookEntry extends Order {
  /** hex public key */
  readonly trader: string
  readonly seq: number
  readonly validUntil: number
  /** what this node has learned since: energy the trader said it no longer has */
  depletedWh: number
  /** energy the trader said is held for others for now, and until when: it may come back */
  heldWh?: number
  heldUntil?: number
}

interface TraderState { seq: number, validUntil: number, orders: BookEntry[], addrs: readonly Uint8Array[] }

/**
 * A node's own view of the district's offers and bids, built from gossip. The latest sequence number per
 * trader and side wins and replaces that trader's whole announcement; expired announcements drop out.
 * Pure: time comes in as arguments.
 */
export class OrderBook {
  readonly #sides: Record<TopicKind, Map<string, TraderState>> = { offer: new Map(), bid: new Map() }
  readonly #self: string | undefined

  constructor (self?: string) { this.#self = self }

  /**
   * Applies an announcement. Throws ReplayedMessageError for a sequence number not newer than the one
   * held, ExpiredMessageError for one already expired; either way the book is unchanged.
   */
  apply (a: Announcement, side: TopicKind, now: number): void {
    const trader = toHex(a.trader)
    const book = this.#sides[side]
    const held = book.get(trader)
    if (held != null && a.seq <= held.seq) throw new ReplayedMessageError(`seq ${a.seq} from ${trader.slice(0, 8)} is not newer than ${held.seq}`)
    if (a.validUntil <= now) throw new ExpiredMessageError(`announcement from ${trader.slice(0, 8)} expired at ${a.validUntil}`)
    const orders = (side === 'offer' ? a.offers : a.bids).map(o => ({ ...o, trader, seq: a.seq, validUntil: a.validUntil, depletedWh: 0 }))
    book.set(trader, { seq: a.seq, validUntil: a.validUntil, orders, addrs: a.addrs })
  }

  /** Orders of one side for one slot, still valid at `now`, excluding this node's own; best price first. */
  forSlot (side: TopicKind, slot: number, now: number): BookEntry[] {
    const out: BookEntry[] = []
    for (const [trader, st] of this.#sides[side]) {
      if (trader === this.#self || st.validUntil <= now) continue
      for (const o of st.orders) if (o.slot === slot && o.energyWh > o.depletedWh + ((o.heldUntil ?? 0) > now ? o.heldWh ?? 0 : 0)) out.push(o)
    }
    out.sort(side === 'offer'
      ? (a, b) => a.price - b.price || (a.trader < b.trader ? -1 : 1)
      : (a, b) => b.price - a.price || (a.trader < b.trader ? -1 : 1))
    return out
  }

  /**
   * Records that a trader has only `availableWh` left for a slot (learned from a reply): for good, until
   * it republishes; or, with `until`, because the rest is held for others until then and may come back.
   */
  markAvailable (side: TopicKind, trader: string, slot: number, availableWh: number, until?: number): void {
    const o = this.#sides[side].get(trader)?.orders.find(x => x.slot === slot)
    if (o == null) return
    const gone = o.energyWh - Math.max(0, availableWh)
    if (until == null) { o.depletedWh = Math.max(o.depletedWh, gone); return }
    o.heldWh = Math.max(0, gone - o.depletedWh)
    o.heldUntil = until
  }

  addrsOf (trader: string): readonly Uint8Array[] {
    return this.#sides.offer.get(trader)?.addrs ?? this.#sides.bid.get(trader)?.addrs ?? []
  }

  lastSeq (side: TopicKind, trader: string): number { return this.#sides[side].get(trader)?.seq ?? 0 }

  /** Drops the orders of expired announcements; the sequence high-water mark stays, so a replay is still refused. */
  prune (now: number): void {
    for (const side of [this.#sides.offer, this.#sides.bid]) for (const st of side.values()) if (st.validUntil <= now) st.orders = []
  }

  get size (): { offers: number, bids: number } {
    let offers = 0; let bids = 0
    for (const st of this.#sides.offer.values()) offers += st.orders.length
    for (const st of this.#sides.bid.values()) bids += st.orders.length
    return { offers, bids }
  }
}
