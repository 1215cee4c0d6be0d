import { createHash } from 'node:crypto'
import { gateClosure, limits, seal, type Announcement, type Digest, type DigestEntry, type Order, type TopicKind } from '@kvartal/protocol'
import {
  allocateAcrossFeeders,
  residualOfFeeder,
  type BookEntry,
  type OrderBook,
  type ResidualOrder,
  type SlotPositions,
  type TradingContext
} from '@kvartal/market'
import { tradingContext } from './trading-context.ts'
import { peerIdOfTrader, type DigestScope, type GossipRouter, type KvartalHost, type NodeIdentity, type TopicSync } from '@kvartal/mesh'
import type { Journal } from './journal.ts'
import type { Emit } from './events.ts'
import type { KvartalNodeOptions } from './options.ts'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export interface AnnouncerDeps {
  /** the node's options, read live (a vehicle's profile is replaced once its battery budget is known) */
  options: KvartalNodeOptions
  host: KvartalHost
  identity: NodeIdentity
  journal: Journal
  router: GossipRouter
  topicSync: TopicSync
  selling: SlotPositions
  need: SlotPositions
  book: OrderBook
  /** the strategy's randomness, for the prices it announces */
  random: () => number
  /** a stream of its own for choosing a peer, so that the strategy's draws stay as they were */
  peerRandom: () => number
  emit: Emit
}

/** What one side's last announcement said: energy per slot, and until when it holds. */
interface Said {
  bySlot: Map<number, number>
  validUntil: number
}

/** Most entries per slot, and in all, that a relay's digest lists (cheapest first). */
// 40 per slot, twice a slot, reached the optimum's cross-feeder trade at 100 buildings but collapsed the
// market at 1,000 (local 97 % → 67 %): every feeder's buyers were sent to the same few cheapest sellers
const DIGEST_PER_SLOT = 16
/** Most residual bids per slot that a relay's district digest lists (dearest first): a feeder has about 40 buyers. */
const BIDS_PER_SLOT = 16
/** Most residual offers per slot, and in all, that a relay's district digest lists when the district gossips bids (the hub's input) */
const HUB_OFFERS_PER_SLOT = 24
const HUB_OFFERS_MAX = 96
/** how many feeders' buyers see each residual offer of another feeder (seenHere) */
const FEEDERS_PER_OFFER = 2

/**
 * Which of the other feeders' residual offers a feeder's relays pass on to its buyers: each offer goes to
 * about FEEDERS_PER_OFFER feeders, chosen by a hash of the feeder, the seller and the slot, so both relays of
 * a feeder choose alike and no coordination is needed. When every feeder's digest listed the district's
 * cheapest offers, every buyer of the district proposed to the same few sellers at once: at 1,000 buildings
 * in 6 dawn slots, 86,835 proposals across feeders were refused (no-capacity) for 47 that committed, since
 * each small offer can go to one buyer, and each buyer, short of more than all of them, proposed to each.
 */
export function seenHere(feeder: string, heard: readonly BookEntry[]): (e: BookEntry) => boolean {
  const feeders = new Set(heard.map(e => e.feeder)).size + 1
  const share = Math.min(1, FEEDERS_PER_OFFER / feeders)
  return e => createHash('sha256').update(`${feeder}/${e.trader}/${e.slot}`).digest().readUInt32BE(0) / 2 ** 32 < share
}
/** What a digest says, as one string: a digest is sent again only when this changed (or it is about to expire). */
const digestKey = (entries: readonly DigestEntry[], bids: readonly DigestEntry[] = []): string =>
  [...entries, ...bids.map(b => ({ ...b, buyer: b.trader, trader: new Uint8Array(0) }))]
    .map(e => `${hex(e.trader)}/${e.slot}/${e.energyWh}/${e.price}/${e.buyer != null ? hex(e.buyer) : ''}`)
    .join(',')

/**
 * The price a bid announces: its limit, the most the buyer pays by its gate (a concession buyer's last call),
 * not what its strategy offers now. Bids are read by one thing only, the hub's allocation (#inDigest), which
 * must know which buyers will pay for energy of another feeder by the gate: the bids a concession buyer opens
 * with are below every ask, and a bid is announced again when its energy changes, not its price. The cost:
 * a buyer's neighbours on its feeder can read its limit.
 */
const lastCallBid = (ctx: TradingContext): number => ctx.limit

/** entries in one digest, at most (the wire allows limits.maxDigestEntries) */
const DIGEST_MAX = 64

/**
 * What a node says on gossip and how it hears what it missed: its signed offers (and bids, if it
 * gossips them) announced when what it can trade changed, the catch-up pull from one peer of its
 * feeder every `catchUpEverySlots`, and — on a relay — its feeder's residual offers for the other
 * feeders and theirs for its own.
 */
export class Announcer {
  readonly #d: AnnouncerDeps
  #ticks = 0
  readonly #said: Record<TopicKind, Said> = {
    offer: { bySlot: new Map(), validUntil: -Infinity },
    bid: { bySlot: new Map(), validUntil: -Infinity }
  }
  readonly #digests: Record<DigestScope, { key: string; validUntil: number; entries: DigestEntry[]; bids: DigestEntry[] }> = {
    district: { key: '', validUntil: -Infinity, entries: [], bids: [] },
    feeder: { key: '', validUntil: -Infinity, entries: [], bids: [] }
  }

  constructor(deps: AnnouncerDeps) {
    this.#d = deps
  }

  /**
   * On every tick: pulls from one connected peer, picked by the node's seeded draw, the valid
   * announcements and offers this node lacks, when a pull is due. A peer of its own feeder when it knows
   * one (one of another feeder holds other topics); else any connection (gossipsub may not have met the
   * peer yet): a peer that does not serve the protocol only costs a failed pull.
   */
  async catchUpIfDue(): Promise<void> {
    const o = this.#d.options
    if (o.catchUpEverySlots <= 0 || this.#ticks++ % (o.ticksPerSlot * o.catchUpEverySlots) !== 0) return
    const all = this.#d.host.getPeers().map(p => [p.toString(), p] as const)
    let peers = all
    if ((o.grid?.feeder ?? '') !== '') {
      const mine = new Set(this.#d.book.traders().map(t => peerIdOfTrader(Buffer.from(t, 'hex')).toString()))
      const same = all.filter(([id]) => mine.has(id))
      if (same.length > 0) peers = same
    }
    peers = [...peers].sort((a, b) => (a[0] < b[0] ? -1 : 1))
    if (peers.length === 0) return
    await this.#d.topicSync.pull(peers[Math.floor(this.#d.peerRandom() * peers.length)][1])
  }

  /**
   * Announces only on change, so that a district where nothing changes (a night without sellers) costs
   * almost no gossip, and so that books reflect what is left:
   * - a slot that opens for trading soon has energy the last announcement did not offer (or will have
   *   expired by then);
   * - what an announced slot has left fell below half of what was said, or rose above it (a seller that
   *   sold out says so once, instead of answering `no-capacity` to every buyer of the district);
   * - the last announcement expires before the next tick and something is still on offer.
   * Bids are announced the same way, only when `announceBids` is set: nothing in the negotiation reads them.
   */
  async announceIfDue(first: number, now: number): Promise<void> {
    const o = this.#d.options
    const tickMs = Math.floor(o.slots.slotMs / o.ticksPerSlot)
    const soon = first + o.tradingWindowSlots + 1
    const hub = this.#hubBids()
    for (const kind of (o.announceBids || hub ? ['offer', 'bid'] : ['offer']) as TopicKind[]) {
      const wanted = this.#wanted(kind, now)
      const said = this.#said[kind]
      let due = false
      let any = false
      for (let s = Math.max(0, first); s < first + o.horizonSlots; s++) {
        const now_ = wanted(s)
        if (now_ > 0) any = true
        const was = said.bySlot.get(s) ?? 0
        const covered = said.validUntil >= Math.min(gateClosure(o.slots, s), now + tickMs * 2)
        if (s < soon && now_ > 0 && (was === 0 || !covered)) due = true
        if (was > 0 && covered && (now_ * 2 < was || now_ > was)) due = true
      }
      if (any && said.validUntil <= now + tickMs) due = true
      // nothing left to say, and nothing said that still stands
      if (!any && ![...said.bySlot.values()].some(v => v > 0)) due = false
      if (due) await this.#announce(kind, first, now)
    }
  }

  /**
   * On a feeder, a buyer gossips its bids (on its feeder's bid topic) for the slots where it sees energy of
   * other feeders on offer (relayed): its feeder's relays carry what the feeder cannot cover to the district's
   * hub (#inDigest). Where no other feeder offers anything — a night, a district of one feeder — it says
   * nothing, and bids cost no gossip.
   */
  #hubBids(): boolean {
    const g = this.#d.options.grid
    return g != null && g.feeder !== ''
  }

  /** What the node would announce of one side, per slot: with hub bids only, its need where offers are seen. */
  #wanted(kind: TopicKind, now: number): (slot: number) => number {
    if (kind === 'offer') return s => this.#d.selling.available(s, now)
    const everywhere = this.#d.options.announceBids
    return s => {
      const wh = this.#d.need.available(s, now)
      return wh > 0 && (everywhere || this.#d.book.hasRelayedOffer(s, now)) ? wh : 0
    }
  }

  async #announce(kind: TopicKind, first: number, now: number): Promise<void> {
    const { options: o, host, identity, journal, router, emit } = this.#d
    const orders: Order[] = []
    const bySlot = new Map<number, number>()
    const wanted = this.#wanted(kind, now)
    for (let s = Math.max(0, first); s < first + o.horizonSlots; s++) {
      const energyWh = wanted(s)
      if (energyWh <= 0) continue
      const ctx = tradingContext(o, kind === 'offer' ? 'seller' : 'buyer', s, energyWh, now, this.#d.random)
      orders.push({ slot: s, energyWh, price: kind === 'offer' ? o.strategy.askPrice(ctx) : lastCallBid(ctx) })
      bySlot.set(s, energyWh)
    }
    const validUntil = Math.min(gateClosure(o.slots, first + o.horizonSlots - 1), now + (o.republishEverySlots + 1) * o.slots.slotMs)
    // said before anything is awaited: a tick that starts while this one publishes must not say it again
    this.#said[kind] = { bySlot, validUntil }
    const addrs = host
      .getMultiaddrs()
      .slice(0, 4)
      .map(a => a.bytes)
    const seq = await journal.nextCounter(`announce-${kind}`, now)
    const feeder = o.grid?.feeder
    const a: Announcement = {
      version: 1,
      district: o.district,
      trader: identity.signer.publicKey,
      seq,
      issuedAt: now,
      validUntil,
      offers: kind === 'offer' ? orders : [],
      bids: kind === 'bid' ? orders : [],
      addrs,
      ...(feeder != null && feeder !== '' ? { feeder } : {})
    }
    await router.publish(kind, seal('announcement', a, identity.signer))
    emit({
      type: kind === 'offer' ? 'offer-published' : 'bid-published',
      slot: Math.max(0, first),
      energyWh: orders.reduce((x, y) => x + y.energyWh, 0),
      detail: `${orders.length} slots`
    })
  }

  /**
   * A relay's part, once a slot: on the slot's first tick it gossips its feeder's residual offers (its
   * own, and those its feeder announced, less what it knows was sold) on the district's digest topic,
   * where only relays listen; on the second tick it gossips the other feeders' residual offers it heard
   * there on its own feeder's digest topic, for its feeder's buyers. Each digest lists the cheapest
   * `DIGEST_PER_SLOT` offers per slot of the slots open for trading, and is sent only when it changed
   * or is about to expire; on the other ticks it only withdraws what its sellers no longer have
   * (#withdrawIfGone). A relay vouches for nothing: a seller answers a proposal from another feeder
   * as it answers any other, and a relay that lies or stays silent costs refused proposals or local-only
   * trading, never energy sold twice.
   */
  async relayIfDue(first: number, now: number): Promise<void> {
    const o = this.#d.options
    const feeder = o.grid?.feeder ?? ''
    if (o.grid?.relay !== true || feeder === '') return
    const tickMs = Math.floor(o.slots.slotMs / o.ticksPerSlot)
    const tickInSlot = Math.floor((now - o.slots.epochMs) / tickMs) % o.ticksPerSlot
    // once a slot: out on its first tick, in on its second
    const scope: DigestScope | undefined =
      tickInSlot === 0 ? 'district' : tickInSlot === Math.min(1, o.ticksPerSlot - 1) ? 'feeder' : undefined
    const last = first + o.tradingWindowSlots
    const open = (s: number): boolean => s >= first && s < last
    // on the other ticks, a digest is sent again only to withdraw entries: what its sellers no longer have
    for (const other of ['district', 'feeder'] as const) if (other !== scope) await this.#withdrawIfGone(other, open, now)
    if (scope == null) return
    const validUntil = now + 2 * o.slots.slotMs
    const slots: number[] = []
    for (let s = Math.max(0, first); s < last; s++) slots.push(s)
    const { entries, bids } = scope === 'district' ? this.#outDigest(feeder, slots, now) : this.#inDigest(feeder, open, now)
    const key = digestKey(entries, bids)
    const prev = this.#digests[scope]
    if (key === prev.key && prev.validUntil > now + o.slots.slotMs) return
    if (entries.length === 0 && bids.length === 0 && prev.key === '') return
    await this.#publishDigest(scope, entries, key, validUntil, now, bids)
  }

  /** This feeder's residual orders: its offers (and bids) heard directly, and the relay's own, for slots open for trading. */
  #feederOrders(feeder: string, slots: readonly number[], now: number): { asks: BookEntry[]; bids: BookEntry[] } {
    const o = this.#d.options
    const me = Buffer.from(this.#d.identity.signer.publicKey).toString('hex')
    const open = new Set(slots)
    const asks = this.#d.book.liveOffers(now).filter(e => open.has(e.slot) && e.feeder === feeder)
    const bids = this.#d.book.liveBids(now).filter(e => open.has(e.slot) && e.feeder === feeder)
    for (const [side, list] of [
      ['seller', asks],
      ['buyer', bids]
    ] as const) {
      for (const slot of slots) {
        const energyWh = (side === 'seller' ? this.#d.selling : this.#d.need).available(slot, now)
        if (energyWh <= 0) continue
        const ctx = tradingContext(o, side, slot, energyWh, now, this.#d.random)
        list.push({
          trader: me,
          slot,
          energyWh,
          price: side === 'seller' ? o.strategy.askPrice(ctx) : lastCallBid(ctx),
          seq: 0,
          validUntil: now + o.slots.slotMs,
          depletedWh: 0,
          feeder
        })
      }
    }
    return { asks, bids }
  }

  /**
   * Out, on the district's topic: what the feeder cannot match inside itself. Without bids (buyers that do not
   * gossip them) that is every residual offer, as before the hub; with them, the offers its own buyers will not
   * take at the local fee, and the bids its own sellers cannot cover.
   */
  #outDigest(feeder: string, slots: readonly number[], now: number): { entries: DigestEntry[]; bids: DigestEntry[] } {
    const own = this.#feederOrders(feeder, slots, now)
    const left = (e: BookEntry): ResidualOrder => ({
      trader: e.trader,
      feeder: e.feeder,
      slot: e.slot,
      energyWh: e.energyWh - e.depletedWh,
      price: e.price
    })
    const fees = this.#d.options.grid?.fees ?? { local: 0, district: 0 }
    const residual = residualOfFeeder(this.#unique(own.asks).map(left), own.bids.map(left), fees.local)
    const asEntry = (r: ResidualOrder): BookEntry => ({
      trader: r.trader,
      slot: r.slot,
      energyWh: r.energyWh,
      price: r.price,
      seq: 0,
      validUntil: now,
      depletedWh: 0,
      feeder: r.feeder
    })
    // with bids, the hub allocates these offers one buyer each rather than showing them to every buyer: more of
    // them can go out than the cheapest DIGEST_PER_SLOT (which, shown to all, herded buyers to a few sellers)
    const withBids = residual.bids.length > 0 || this.#d.book.relayedBids(now, feeder).length > 0
    const entries = withBids
      ? this.#pick(residual.asks.map(asEntry), feeder, HUB_OFFERS_PER_SLOT, HUB_OFFERS_MAX)
      : this.#pick(residual.asks.map(asEntry), feeder)
    return { entries, bids: this.#pickBids(residual.bids, limits.maxDigestEntries - entries.length) }
  }

  /**
   * In, on its feeder's topic: with bids heard on the district's topic, the hub's allocation — every relay
   * computes the same from the same digests — of other feeders' residual offers to this feeder's buyers, each
   * entry for one buyer, so that a feeder's buyers do not race each other, nor other feeders' buyers, for one
   * seller; then what no buyer was allocated, to about FEEDERS_PER_OFFER feeders (seenHere). Without bids,
   * only the latter, as before.
   */
  #inDigest(feeder: string, open: (s: number) => boolean, now: number): { entries: DigestEntry[]; bids: DigestEntry[] } {
    const heard = this.#unique(this.#d.book.relayedOffers(now, feeder).filter(e => open(e.slot)))
    const otherBids = this.#d.book.relayedBids(now, feeder).filter(e => open(e.slot))
    const ownOut = this.#digests.district
    const ownBids = ownOut.validUntil > now ? ownOut.bids.filter(b => open(b.slot)) : []
    const allocated: DigestEntry[] = []
    const taken = new Map<string, number>()
    // computed whenever some feeder has bids, even when this one has none: what the hub gave other feeders'
    // buyers is then left out of what this feeder's buyers are shown
    if (ownBids.length > 0 || otherBids.length > 0) {
      const toOrder = (
        e: { trader: string | Uint8Array; feeder: string; slot: number; energyWh: number; price: number },
        depleted = 0
      ): ResidualOrder => ({
        trader: typeof e.trader === 'string' ? e.trader : Buffer.from(e.trader).toString('hex'),
        feeder: e.feeder,
        slot: e.slot,
        energyWh: e.energyWh - depleted,
        price: e.price
      })
      const asks = [
        ...heard.map(e => toOrder(e, e.depletedWh)),
        ...(ownOut.validUntil > now ? ownOut.entries.filter(e => open(e.slot)).map(e => toOrder(e)) : [])
      ]
      const bids = [...otherBids.map(e => toOrder(e, e.depletedWh)), ...ownBids.map(e => toOrder(e))]
      const fee = this.#d.options.grid?.fees.district ?? 0
      for (const a of allocateAcrossFeeders(asks, bids, fee)) {
        const k = `${a.seller}/${a.slot}`
        taken.set(k, (taken.get(k) ?? 0) + a.energyWh)
        if (a.buyerFeeder !== feeder) continue
        allocated.push({
          trader: Buffer.from(a.seller, 'hex'),
          feeder: a.sellerFeeder,
          slot: a.slot,
          energyWh: a.energyWh,
          price: a.price,
          addrs: this.#d.book.addrsOf(a.seller).slice(0, 1),
          buyer: Buffer.from(a.buyer, 'hex')
        })
      }
    }
    const rest = heard
      .map(e => ({ ...e, depletedWh: e.depletedWh + (taken.get(`${e.trader}/${e.slot}`) ?? 0) }))
      .filter(e => e.energyWh > e.depletedWh)
    const shown = this.#pick(rest.filter(seenHere(feeder, heard)), undefined)
    // every allocation first (a feeder of 40 buyers may be allocated more than DIGEST_MAX), then what is left, up to the wire's limit
    return { entries: [...allocated, ...shown].slice(0, limits.maxDigestEntries), bids: [] }
  }

  /** One entry per seller and slot: the one that leaves the least (two relays of a feeder may list it). */
  #unique(entries: readonly BookEntry[]): BookEntry[] {
    const best = new Map<string, BookEntry>()
    for (const e of entries) {
      const k = `${e.trader}/${e.slot}`
      const prev = best.get(k)
      if (prev == null || e.energyWh - e.depletedWh < prev.energyWh - prev.depletedWh) best.set(k, e)
    }
    return [...best.values()]
  }

  /** A feeder's residual bids for its district digest: the dearest BIDS_PER_SLOT per slot, at most `max` in all. */
  #pickBids(bids: readonly ResidualOrder[], max: number): DigestEntry[] {
    const bySlot = new Map<number, ResidualOrder[]>()
    for (const b of bids) {
      const l = bySlot.get(b.slot) ?? []
      l.push(b)
      bySlot.set(b.slot, l)
    }
    const out: DigestEntry[] = []
    for (const slot of [...bySlot.keys()].sort((a, b) => a - b)) {
      for (const b of bySlot.get(slot)!.slice(0, BIDS_PER_SLOT))
        out.push({ trader: Buffer.from(b.trader, 'hex'), feeder: b.feeder, slot, energyWh: b.energyWh, price: b.price, addrs: [] })
    }
    return out.slice(0, max)
  }

  /**
   * Withdraws, between a relay's once-a-slot digests, the entries whose sellers no longer have half of what
   * was listed (sold out, or a forecast that turned a seller into a buyer): nothing is added, so buyers are not
   * herded to new offers every tick. Before, such an entry stayed listed for up to two slots (out once a
   * slot, in once a slot): at 1,000 buildings one office was refused 76 times in one slot for energy its
   * forecast had withdrawn.
   */
  async #withdrawIfGone(scope: DigestScope, open: (s: number) => boolean, now: number): Promise<void> {
    const prev = this.#digests[scope]
    if (prev.entries.length === 0 || prev.validUntil <= now) return
    const left = new Map<string, number>()
    const note = (trader: string, slot: number, wh: number): void => {
      const k = `${trader}/${slot}`
      left.set(k, Math.min(left.get(k) ?? Infinity, wh))
    }
    const feeder = this.#d.options.grid?.feeder ?? ''
    if (scope === 'district') {
      for (const e of this.#d.book.liveOffers(now)) if (e.feeder === feeder) note(e.trader, e.slot, e.energyWh - e.depletedWh)
      const me = Buffer.from(this.#d.identity.signer.publicKey).toString('hex')
      for (const e of prev.entries)
        if (Buffer.from(e.trader).toString('hex') === me) note(me, e.slot, this.#d.selling.available(e.slot, now))
    } else {
      for (const e of this.#d.book.relayedOffers(now, feeder)) note(e.trader, e.slot, e.energyWh - e.depletedWh)
    }
    const listed = prev.entries.filter(e => open(e.slot))
    const kept: DigestEntry[] = []
    for (const e of listed) {
      const wh = left.get(`${Buffer.from(e.trader).toString('hex')}/${e.slot}`) ?? 0
      if (wh * 2 >= e.energyWh) kept.push({ ...e, energyWh: Math.min(e.energyWh, wh) })
    }
    if (kept.length === listed.length) return
    const bids = prev.bids.filter(b => open(b.slot))
    await this.#publishDigest(scope, kept, digestKey(kept, bids), prev.validUntil, now, bids)
  }

  async #publishDigest(
    scope: DigestScope,
    entries: DigestEntry[],
    key: string,
    validUntil: number,
    now: number,
    bids: DigestEntry[] = []
  ): Promise<void> {
    const o = this.#d.options
    const feeder = o.grid?.feeder ?? ''
    const { identity, journal, router } = this.#d
    this.#digests[scope] = { key, validUntil, entries, bids }
    const seq = await journal.nextCounter(`digest-${scope}`, now)
    const d: Digest = {
      version: 1,
      district: o.district,
      relay: identity.signer.publicKey,
      feeder,
      seq,
      issuedAt: now,
      validUntil,
      entries,
      ...(bids.length > 0 ? { bids } : {})
    }
    await router.publishDigest(scope, seal('digest', d, identity.signer))
    const forOne = entries.filter(e => e.buyer != null).length
    this.#d.emit({
      type: 'digest-published',
      energyWh: entries.reduce((a, e) => a + e.energyWh, 0),
      detail:
        `${scope}: ${entries.length} ` +
        `offers${forOne > 0 ? ` (${forOne} for one buyer each)` : ''}${bids.length > 0 ? `, ${bids.length} bids` : ''}`
    })
  }

  /** The cheapest offers per slot, one entry per seller and slot, at most the digest's size in all. */
  #pick(candidates: readonly BookEntry[], onlyFeeder: string | undefined, perSlot = DIGEST_PER_SLOT, max = DIGEST_MAX): DigestEntry[] {
    const best = new Map<string, BookEntry>()
    for (const e of candidates) {
      if (onlyFeeder != null && e.feeder !== onlyFeeder) continue
      const left = e.energyWh - e.depletedWh
      if (left <= 0) continue
      const k = `${e.trader}/${e.slot}`
      const prev = best.get(k)
      if (prev == null || left < prev.energyWh - prev.depletedWh) best.set(k, e)
    }
    const bySlot = new Map<number, BookEntry[]>()
    for (const e of best.values()) {
      const l = bySlot.get(e.slot) ?? []
      l.push(e)
      bySlot.set(e.slot, l)
    }
    const me = Buffer.from(this.#d.identity.signer.publicKey).toString('hex')
    const mine = this.#d.host
      .getMultiaddrs()
      .slice(0, 1)
      .map(a => a.bytes)
    const out: DigestEntry[] = []
    for (const slot of [...bySlot.keys()].sort((a, b) => a - b)) {
      const list = bySlot
        .get(slot)!
        .sort((a, b) => a.price - b.price || (a.trader < b.trader ? -1 : 1))
        .slice(0, perSlot)
      for (const e of list) {
        out.push({
          trader: Buffer.from(e.trader, 'hex'),
          feeder: e.feeder,
          slot,
          energyWh: e.energyWh - e.depletedWh,
          price: e.price,
          addrs: e.trader === me ? mine : this.#d.book.addrsOf(e.trader).slice(0, 1)
        })
      }
    }
    // nearest slots first: they close first
    return out.slice(0, Math.min(max, limits.maxDigestEntries))
  }
}
