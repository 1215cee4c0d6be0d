import {
  ExpiredMessageError,
  ReplayedMessageError,
  toHex,
  type Announcement,
  type Digest,
  type DigestEntry,
  type Order,
  type TopicKind
} from '@kvartal/protocol'

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
  /** the trader's feeder ('' when the district is one feeder) */
  readonly feeder: string
  /** heard from a relay's digest, not from the trader itself */
  readonly relayed?: boolean
  /** a relayed offer the hub allocated to one buyer (hex key): only that buyer sees it */
  readonly for?: string
}

interface TraderState {
  seq: number
  validUntil: number
  orders: BookEntry[]
  addrs: readonly Uint8Array[]
  feeder: string
}
interface RelayState {
  seq: number
  /** the seq of the relay's last whole digest: what its amendments amend */
  base: number
  issuedAt: number
  validUntil: number
  /** the offers it lists: its feeder's residual offers (district digests) or other feeders' (feeder digests) */
  orders: BookEntry[]
  /** its feeder's residual bids (district digests) */
  bids: BookEntry[]
  /** its feeder's dearest asks taken at home (district digests, `Digest.matched`) */
  matched: BookEntry[]
  addrs: Map<string, readonly Uint8Array[]>
  /** the relay's own feeder */
  feeder: string
}

const applyAvailable = (o: BookEntry, availableWh: number, until?: number): void => {
  const gone = o.energyWh - Math.max(0, availableWh)
  if (until == null) {
    o.depletedWh = Math.max(o.depletedWh, gone)
    return
  }
  o.heldWh = Math.max(0, gone - o.depletedWh)
  o.heldUntil = until
}

/**
 * A node's own view of the district's offers and bids, built from gossip. The latest sequence number per
 * trader and side wins and replaces that trader's whole announcement; expired announcements drop out.
 * Pure: time comes in as arguments.
 */
export class OrderBook {
  readonly #sides: Record<TopicKind, Map<string, TraderState>> = { offer: new Map(), bid: new Map() }
  /** offers of other feeders, by the relay that listed them */
  readonly #relays = new Map<string, RelayState>()
  /**
   * What sellers heard only through digests told this node in their replies, per seller and slot. A relay
   * lists what it believed when it wrote its digest, and a fresh digest (the other relay's, the next slot's)
   * would otherwise bring back a seller that already said it sold out, or that it sold all its transformer
   * share to other feeders: at 1,000 buildings, buyers proposed to the same refused seller again at every
   * digest and reached the gate short, while sellers of their own feeder exported. A seller of another
   * feeder is never heard directly, so what it said holds for the slot.
   */
  readonly #learnt = new Map<string, { availableWh: number; until?: number }>()
  /**
   * Sellers of another feeder that a seller of theirs, refusing this node, referred it to, per seller and slot
   * (`applyReferrals`): fresher than any digest, since the referring seller hears its feeder directly.
   */
  readonly #referred = new Map<string, { o: BookEntry; at: number; addrs: readonly Uint8Array[] }>()
  readonly #self: string | undefined

  constructor(self?: string) {
    this.#self = self
  }

  /**
   * Applies an announcement. Throws ReplayedMessageError for a sequence number not newer than the one
   * held, ExpiredMessageError for one already expired; either way the book is unchanged.
   */
  apply(a: Announcement, side: TopicKind, now: number): void {
    const trader = toHex(a.trader)
    const book = this.#sides[side]
    const held = book.get(trader)
    if (held != null && a.seq <= held.seq)
      throw new ReplayedMessageError(`seq ${a.seq} from ${trader.slice(0, 8)} is not newer than ${held.seq}`)
    if (a.validUntil <= now) throw new ExpiredMessageError(`announcement from ${trader.slice(0, 8)} expired at ${a.validUntil}`)
    const feeder = a.feeder ?? ''
    const orders = (side === 'offer' ? a.offers : a.bids).map(o => ({
      ...o,
      trader,
      seq: a.seq,
      validUntil: a.validUntil,
      depletedWh: 0,
      feeder
    }))
    book.set(trader, { seq: a.seq, validUntil: a.validUntil, orders, addrs: a.addrs, feeder })
  }

  /**
   * Applies a relay's digest of other feeders' residual offers: the latest seq per relay replaces that
   * relay's list. Same refusals as `apply`. An entry is where to find a seller, not a promise: the
   * seller answers a proposal as it answers any other.
   */
  applyDigest(d: Digest, now: number): void {
    const relay = toHex(d.relay)
    const held = this.#relays.get(relay)
    if (held != null && d.seq <= held.seq)
      throw new ReplayedMessageError(`digest seq ${d.seq} from ${relay.slice(0, 8)} is not newer than ${held.seq}`)
    if (d.validUntil <= now) throw new ExpiredMessageError(`digest from ${relay.slice(0, 8)} expired at ${d.validUntil}`)
    if (d.amends != null) {
      if (held != null) this.#amend(held, d)
      return
    }
    const addrs = new Map<string, readonly Uint8Array[]>()
    const orders: BookEntry[] = []
    for (const e of d.entries) {
      const trader = toHex(e.trader)
      if (trader === this.#self) continue
      // an entry the hub allocated to another buyer of this feeder is that buyer's to use
      const buyer = e.buyer != null ? toHex(e.buyer) : undefined
      if (buyer != null && this.#self != null && buyer !== this.#self) continue
      const o: BookEntry = {
        slot: e.slot,
        energyWh: e.energyWh,
        price: e.price,
        trader,
        seq: d.seq,
        validUntil: d.validUntil,
        depletedWh: 0,
        feeder: e.feeder,
        relayed: true,
        ...(buyer != null ? { for: buyer } : {})
      }
      const learnt = this.#learnt.get(`${trader} ${e.slot}`)
      if (learnt != null) applyAvailable(o, learnt.availableWh, learnt.until)
      orders.push(o)
      addrs.set(trader, e.addrs)
    }
    const relayedOrder = (e: Digest['entries'][number]): BookEntry => ({
      slot: e.slot,
      energyWh: e.energyWh,
      price: e.price,
      trader: toHex(e.trader),
      seq: d.seq,
      validUntil: d.validUntil,
      depletedWh: 0,
      feeder: e.feeder,
      relayed: true
    })
    const bids = (d.bids ?? []).map(relayedOrder)
    const matched = (d.matched ?? []).map(relayedOrder)
    this.#relays.set(relay, {
      seq: d.seq,
      base: d.seq,
      issuedAt: d.issuedAt,
      validUntil: d.validUntil,
      orders,
      bids,
      matched,
      addrs,
      feeder: d.feeder
    })
  }

  /**
   * A relay's amendment: each entry it names is cut to what is left (0: dropped); nothing is added. Amendments are
   * cumulative from the digest they amend, and they only lower, so one applied to another list of the same relay
   * (a node that missed the digest amended, and holds an older one) lowers only what both list, and leaves that
   * digest free to arrive: the held seq moves only when the amended digest is the one held.
   */
  #amend(held: RelayState, d: Digest): void {
    const left = new Map<string, number>()
    for (const e of d.entries) left.set(`${toHex(e.trader)} ${e.slot} ${e.buyer != null ? toHex(e.buyer) : ''}`, e.energyWh)
    held.orders = held.orders.flatMap(o => {
      const wh = left.get(`${o.trader} ${o.slot} ${o.for ?? ''}`)
      if (wh == null || wh >= o.energyWh) return [o]
      if (wh === 0) return []
      const { heldWh: _h, heldUntil: _u, ...rest } = o
      const cut: BookEntry = { ...rest, energyWh: wh, depletedWh: 0 }
      const learnt = this.#learnt.get(`${o.trader} ${o.slot}`)
      if (learnt != null) applyAvailable(cut, learnt.availableWh, learnt.until)
      return [cut]
    })
    if (held.base === d.amends) held.seq = d.seq
    held.issuedAt = Math.max(held.issuedAt, d.issuedAt)
  }

  /**
   * Applies what a seller of another feeder said, refusing this node for want of energy: sellers of its feeder
   * that still offer `slot` (a refusal's `referrals`), good until `validUntil` (the slot's gate). Like a digest's
   * entries they are where to look, not promises; what a referred seller already told this node still holds
   * (`markAvailable`), and a seller this node hears directly, or itself, is not taken from a referral.
   */
  applyReferrals(entries: readonly DigestEntry[], slot: number, now: number, validUntil: number): void {
    for (const e of entries) {
      const trader = toHex(e.trader)
      if (e.slot !== slot || trader === this.#self || this.#sides.offer.has(trader)) continue
      const o: BookEntry = {
        slot,
        energyWh: e.energyWh,
        price: e.price,
        trader,
        seq: 0,
        validUntil,
        depletedWh: 0,
        feeder: e.feeder,
        relayed: true
      }
      const learnt = this.#learnt.get(`${trader} ${slot}`)
      if (learnt != null) applyAvailable(o, learnt.availableWh, learnt.until)
      this.#referred.set(`${trader} ${slot}`, { o, at: now, addrs: e.addrs })
    }
  }

  /** Orders of one side for one slot, still valid at `now`, excluding this node's own; best price first. */
  forSlot(side: TopicKind, slot: number, now: number): BookEntry[] {
    const out: BookEntry[] = []
    const live = (o: BookEntry): boolean => o.slot === slot && o.energyWh > o.depletedWh + ((o.heldUntil ?? 0) > now ? (o.heldWh ?? 0) : 0)
    for (const [trader, st] of this.#sides[side]) {
      if (trader === this.#self || st.validUntil <= now) continue
      for (const o of st.orders) if (live(o)) out.push(o)
    }
    if (side === 'offer' && (this.#relays.size > 0 || this.#referred.size > 0)) {
      // relayed offers of other feeders: the freshest digest's entry per seller, never one the seller announced to us itself
      const seen = new Map<string, { o: BookEntry; at: number }>()
      for (const r of this.#relays.values()) {
        if (r.validUntil <= now) continue
        for (const o of r.orders) {
          if (o.slot !== slot || this.#sides.offer.has(o.trader)) continue
          const prev = seen.get(o.trader)
          if (prev == null || r.issuedAt > prev.at) seen.set(o.trader, { o, at: r.issuedAt })
        }
      }
      for (const r of this.#referred.values()) {
        const { o } = r
        if (o.slot !== slot || o.validUntil <= now || this.#sides.offer.has(o.trader)) continue
        const prev = seen.get(o.trader)
        if (prev == null || r.at >= prev.at) seen.set(o.trader, r)
      }
      for (const { o } of seen.values()) if (live(o)) out.push(o)
    }
    out.sort(
      side === 'offer'
        ? (a, b) => a.price - b.price || (a.trader < b.trader ? -1 : 1)
        : (a, b) => b.price - a.price || (a.trader < b.trader ? -1 : 1)
    )
    return out
  }

  /**
   * Records that a trader has only `availableWh` left for a slot (learned from a reply): for good, until
   * it republishes; or, with `until`, because the rest is held for others until then and may come back.
   */
  markAvailable(side: TopicKind, trader: string, slot: number, availableWh: number, until?: number): void {
    const found = this.#sides[side].get(trader)?.orders.filter(x => x.slot === slot) ?? []
    if (side === 'offer') {
      let relayed = false
      for (const r of this.#relays.values())
        for (const x of r.orders)
          if (x.trader === trader && x.slot === slot) {
            found.push(x)
            relayed = true
          }
      const referred = this.#referred.get(`${trader} ${slot}`)
      if (referred != null) {
        found.push(referred.o)
        relayed = true
      }
      // remembered for the digests to come only for a seller not heard directly: one heard directly says itself
      // what it has, in its next announcement
      if (relayed && !this.#sides.offer.has(trader)) {
        const k = `${trader} ${slot}`
        const before = this.#learnt.get(k)
        const left = Math.max(0, availableWh)
        if (until == null) this.#learnt.set(k, { availableWh: Math.min(left, before?.availableWh ?? left) })
        else if (before == null || before.until != null) this.#learnt.set(k, { availableWh: left, until })
      }
    }
    for (const o of found) applyAvailable(o, availableWh, until)
  }

  /** Forgets what sellers of other feeders said of slots before `slot` (those slots are closed). */
  forgetBefore(slot: number): void {
    for (const k of this.#learnt.keys()) if (Number(k.slice(k.indexOf(' ') + 1)) < slot) this.#learnt.delete(k)
    for (const [k, r] of this.#referred) if (r.o.slot < slot) this.#referred.delete(k)
  }

  addrsOf(trader: string): readonly Uint8Array[] {
    const own = this.#sides.offer.get(trader)?.addrs ?? this.#sides.bid.get(trader)?.addrs
    if (own != null) return own
    for (const r of this.#relays.values()) {
      const a = r.addrs.get(trader)
      if (a != null) return a
    }
    for (const r of this.#referred.values()) if (r.o.trader === trader) return r.addrs
    return []
  }

  /** Traders heard directly on this node's own topics (its feeder), either side. */
  traders(): string[] {
    return [...new Set([...this.#sides.offer.keys(), ...this.#sides.bid.keys()])]
  }

  /** A relay's view: valid offers heard directly, with what this node still believes is left of each. */
  liveOffers(now: number): BookEntry[] {
    return this.#live('offer', now)
  }

  /** A relay's view: valid bids heard directly (its own feeder's buyers), with what is still wanted. */
  liveBids(now: number): BookEntry[] {
    return this.#live('bid', now)
  }

  #live(side: TopicKind, now: number): BookEntry[] {
    const out: BookEntry[] = []
    for (const [trader, st] of this.#sides[side]) {
      if (trader === this.#self || st.validUntil <= now) continue
      for (const o of st.orders) if (o.energyWh > o.depletedWh) out.push(o)
    }
    return out
  }

  /**
   * Whether a relay's digest still valid at `now` lists energy of another feeder for `slot` that this node may
   * take (not one for another buyer, not sold out): a buyer asks on every tick, so no list is built or sorted.
   */
  hasRelayedOffer(slot: number, now: number): boolean {
    for (const r of this.#relays.values()) {
      if (r.validUntil <= now) continue
      for (const o of r.orders) if (o.slot === slot && !this.#sides.offer.has(o.trader) && o.energyWh > o.depletedWh) return true
    }
    return false
  }

  /** The relays of `feeder` heard from (a digest of either scope) issued at `since` or later: a relay's siblings, alive. */
  relaysOf(feeder: string, since: number): string[] {
    const out: string[] = []
    for (const [relay, r] of this.#relays) if (r.feeder === feeder && r.issuedAt >= since) out.push(relay)
    return out
  }

  /** A relay's view: other feeders' residual bids from the district's digests, the latest digest per feeder. */
  relayedBids(now: number, exceptFeeder: string): BookEntry[] {
    return this.#latestPerFeeder(now, exceptFeeder, 'bids')
  }

  /** A relay's view: other feeders' dearest asks taken at home (`Digest.matched`), the latest digest per feeder. */
  relayedMatched(now: number, exceptFeeder: string): BookEntry[] {
    return this.#latestPerFeeder(now, exceptFeeder, 'matched')
  }

  #latestPerFeeder(now: number, exceptFeeder: string, list: 'bids' | 'matched'): BookEntry[] {
    const latest = new Map<string, RelayState>()
    for (const r of this.#relays.values()) {
      if (r.validUntil <= now || r.feeder === exceptFeeder || r[list].length === 0) continue
      const prev = latest.get(r.feeder)
      if (prev == null || r.issuedAt > prev.issuedAt) latest.set(r.feeder, r)
    }
    return [...latest.values()].flatMap(r => r[list])
  }

  /** A relay's view: other feeders' residual offers from the district's digests (not from its own feeder's relays). */
  relayedOffers(now: number, exceptFeeder: string): BookEntry[] {
    const out: BookEntry[] = []
    for (const r of this.#relays.values()) {
      if (r.validUntil <= now) continue
      // a digest from a relay of this feeder (on the feeder's digest topic) repeats what that relay heard: taking
      // it again would keep an entry alive after the seller sold out, each relay re-listing the other's copy
      if (r.feeder === exceptFeeder) continue
      for (const o of r.orders) if (o.feeder !== exceptFeeder && o.energyWh > o.depletedWh) out.push(o)
    }
    return out
  }

  lastSeq(side: TopicKind, trader: string): number {
    return this.#sides[side].get(trader)?.seq ?? 0
  }

  /** Drops the orders of expired announcements; the sequence high-water mark stays, so a replay is still refused. */
  prune(now: number): void {
    for (const side of [this.#sides.offer, this.#sides.bid]) for (const st of side.values()) if (st.validUntil <= now) st.orders = []
    for (const r of this.#relays.values())
      if (r.validUntil <= now) {
        r.orders = []
        r.bids = []
        r.addrs.clear()
      }
    for (const [k, r] of this.#referred) if (r.o.validUntil <= now) this.#referred.delete(k)
  }

  get size(): { offers: number; bids: number } {
    let offers = 0
    let bids = 0
    for (const st of this.#sides.offer.values()) offers += st.orders.length
    for (const st of this.#sides.bid.values()) bids += st.orders.length
    return { offers, bids }
  }
}
