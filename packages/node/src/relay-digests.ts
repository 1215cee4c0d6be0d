import { limits, seal, type Digest, type DigestEntry } from '@kvartal/protocol'
import {
  allocateAcrossFeeders,
  residualOfFeeder,
  spareAcrossFeeders,
  type BookEntry,
  type OrderBook,
  type ResidualOrder,
  type SlotPositions,
  type TradingContext
} from '@kvartal/market'
import type { DigestScope, GossipRouter, KvartalHost, NodeIdentity } from '@kvartal/mesh'
import { tradingContext } from './trading-context.ts'
import { digestKey, MATCHED_PER_SLOT, pickBids, pickOffers, seenHere, uniqueOffers } from './digest-picks.ts'
import type { Journal } from './journal.ts'
import type { Emit } from './events.ts'
import type { KvartalNodeOptions } from './options.ts'

export interface RelayDigestsDeps {
  /** the node's options, read live */
  readonly options: KvartalNodeOptions
  readonly host: KvartalHost
  readonly identity: NodeIdentity
  readonly journal: Journal
  readonly router: GossipRouter
  readonly selling: SlotPositions
  readonly need: SlotPositions
  readonly book: OrderBook
  /** the strategy's randomness, for the prices of the relay's own orders */
  readonly random: () => number
  readonly emit: Emit
}

const isLoopback = (addr: string): boolean => addr.startsWith('/ip4/127.') || addr.startsWith('/ip6/::1/')

/** Most residual offers per slot, and in all, that a relay's district digest lists when the district gossips bids (the hub's input) */
const HUB_OFFERS_PER_SLOT = 24
const HUB_OFFERS_MAX = 96

/**
 * The price a bid announces: its limit, the most the buyer pays by its gate (a concession buyer's last call),
 * not what its strategy offers now. Bids are read by one thing only, the hub's allocation (#inDigest), which
 * must know which buyers will pay for energy of another feeder by the gate: the bids a concession buyer opens
 * with are below every ask, and a bid is announced again when its energy changes, not its price. The cost:
 * a buyer's neighbours on its feeder can read its limit.
 */
export const lastCallBid = (ctx: TradingContext): number => ctx.limit

const entryKey = (e: DigestEntry): string =>
  `${Buffer.from(e.trader).toString('hex')} ${e.slot} ${e.buyer != null ? Buffer.from(e.buyer).toString('hex') : ''}`

/**
 * What a withdrawal names: each entry of the whole digest (`base`) that the list now kept (`kept`) lists with less
 * energy or not at all, with what is left (0: withdrawn), without its addresses (its readers hold them). Cumulative
 * from the whole digest, so a reader that missed an earlier withdrawal loses nothing by it.
 */
export function amendmentOf(
  base: { seq: number; entries: readonly DigestEntry[] },
  kept: readonly DigestEntry[]
): { amends: number; entries: DigestEntry[] } {
  const left = new Map(kept.map(e => [entryKey(e), e.energyWh]))
  const entries: DigestEntry[] = []
  for (const e of base.entries) {
    const wh = left.get(entryKey(e)) ?? 0
    if (wh < e.energyWh) entries.push({ ...e, energyWh: wh, addrs: [] })
  }
  return { amends: base.seq, entries }
}

/**
 * A relay's part in its district (the announcer runs it, announcer.ts): its feeder's residual offers out to
 * the other feeders' relays, and theirs in to its feeder's buyers, as the district's hub allocates them.
 */
export class RelayDigests {
  readonly #d: RelayDigestsDeps
  /** per scope, what the relay's readers hold: its last whole digest (`base`) as amended since */
  readonly #digests: Record<
    DigestScope,
    {
      key: string
      validUntil: number
      entries: DigestEntry[]
      bids: DigestEntry[]
      matched: DigestEntry[]
      base?: { seq: number; entries: readonly DigestEntry[] }
    }
  > = {
    district: { key: '', validUntil: -Infinity, entries: [], bids: [], matched: [] },
    feeder: { key: '', validUntil: -Infinity, entries: [], bids: [], matched: [] }
  }

  constructor(deps: RelayDigestsDeps) {
    this.#d = deps
  }

  /**
   * A relay's part, once a slot: on the slot's first tick it gossips its feeder's residual offers (its
   * own, and those its feeder announced, less what it knows was sold) on the district's digest topic,
   * where only relays listen; on the second tick it gossips the other feeders' residual offers it heard
   * there on its own feeder's digest topic, for its feeder's buyers. Each digest lists the cheapest
   * `DIGEST_PER_SLOT` offers per slot (digest-picks.ts) of the slots open for trading, and is sent only when it changed
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
    if (!this.#speaksForFeeder(feeder, now - o.slots.slotMs - tickMs)) {
      await this.#standDown(now)
      return
    }
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
    const { entries, bids, matched = [] } = scope === 'district' ? this.#outDigest(feeder, slots, now) : this.#inDigest(feeder, open, now)
    const key = digestKey(entries, bids, matched)
    const prev = this.#digests[scope]
    if (key === prev.key && prev.validUntil > now + o.slots.slotMs) return
    if (entries.length === 0 && bids.length === 0 && matched.length === 0 && prev.key === '') return
    await this.#publishDigest(scope, entries, key, validUntil, now, bids, matched)
  }

  /**
   * Whether this relay is its feeder's speaker: no relay of the feeder whose key sorts lower was heard since
   * `since` (a slot and a tick: a speaker sends its district digest at least once a slot while it has anything
   * to list). Both relays of a feeder compute the same digests from the same announcements, and each sent to
   * every reader doubled what relays and buyers received (at 1,000 buildings: 7.5 district and 4.1 feeder
   * digests per node and slot). The other relay stays silent while it hears the speaker, and speaks a slot and
   * a tick after it last did: a silent relay still costs one slot of cross-feeder trade, not more.
   */
  #speaksForFeeder(feeder: string, since: number): boolean {
    const me = Buffer.from(this.#d.identity.signer.publicKey).toString('hex')
    return !this.#d.book.relaysOf(feeder, since).some(r => r < me)
  }

  /** A relay that stops speaking for its feeder withdraws what its last digests still list, once. */
  async #standDown(now: number): Promise<void> {
    for (const scope of ['district', 'feeder'] as const) {
      const prev = this.#digests[scope]
      if (prev.validUntil > now && (prev.entries.length > 0 || prev.bids.length > 0 || prev.matched.length > 0))
        await this.#publishDigest(scope, [], '', prev.validUntil, now)
    }
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
   * take at the local fee, and the bids its own sellers cannot cover; and the dearest asks its buyers take at
   * home, which cheaper energy of other feeders would spare (`Digest.matched`, the hub's import marginal).
   */
  #outDigest(
    feeder: string,
    slots: readonly number[],
    now: number
  ): { entries: DigestEntry[]; bids: DigestEntry[]; matched: DigestEntry[] } {
    const own = this.#feederOrders(feeder, slots, now)
    const left = (e: BookEntry): ResidualOrder => ({
      trader: e.trader,
      feeder: e.feeder,
      slot: e.slot,
      energyWh: e.energyWh - e.depletedWh,
      price: e.price
    })
    const fees = this.#d.options.grid?.fees ?? { local: 0, district: 0 }
    const residual = residualOfFeeder(uniqueOffers(own.asks).map(left), own.bids.map(left), fees.local)
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
    const withBids =
      residual.bids.length > 0 ||
      residual.matched.length > 0 ||
      this.#d.book.relayedBids(now, feeder).length > 0 ||
      this.#d.book.relayedMatched(now, feeder).length > 0
    const entries = withBids
      ? pickOffers(this.#d, residual.asks.map(asEntry), feeder, HUB_OFFERS_PER_SLOT, HUB_OFFERS_MAX)
      : pickOffers(this.#d, residual.asks.map(asEntry), feeder)
    const bids = pickBids(residual.bids, limits.maxDigestEntries - entries.length)
    const matched = pickBids(residual.matched, limits.maxDigestEntries - entries.length - bids.length, MATCHED_PER_SLOT)
    return { entries, bids, matched }
  }

  /**
   * In, on its feeder's topic: with bids heard on the district's topic, the hub's allocation — every relay
   * computes the same from the same digests — of other feeders' residual offers to this feeder's buyers, each
   * entry for one buyer, so that a feeder's buyers do not race each other, nor other feeders' buyers, for one
   * seller; then the offers the hub's import marginal sends to this feeder, where they land cheaper than the
   * dearest asks its buyers take at home (`spareAcrossFeeders`: for any buyer, after the real bids, and hiding
   * nothing from other feeders); then what no buyer was allocated, to about FEEDERS_PER_OFFER feeders
   * (seenHere). Without bids or matched asks, only the latter, as before.
   */
  #inDigest(
    feeder: string,
    open: (s: number) => boolean,
    now: number
  ): { entries: DigestEntry[]; bids: DigestEntry[]; matched?: DigestEntry[] } {
    const heard = uniqueOffers(this.#d.book.relayedOffers(now, feeder).filter(e => open(e.slot)))
    const otherBids = this.#d.book.relayedBids(now, feeder).filter(e => open(e.slot))
    const ownOut = this.#digests.district
    const ownBids = ownOut.validUntil > now ? ownOut.bids.filter(b => open(b.slot)) : []
    const matched = [
      ...this.#d.book.relayedMatched(now, feeder).filter(e => open(e.slot)),
      ...(ownOut.validUntil > now ? ownOut.matched.filter(e => open(e.slot)) : [])
    ]
    const allocated: DigestEntry[] = []
    const spared = new Map<string, DigestEntry>()
    const taken = new Map<string, number>()
    // computed whenever some feeder has bids, even when this one has none: what the hub gave other feeders'
    // buyers is then left out of what this feeder's buyers are shown
    if (ownBids.length > 0 || otherBids.length > 0 || matched.length > 0) {
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
      // what the real bids left, against the feeders' matched asks: an offer sent here is not taken from the others
      const left = asks.map(a => ({ ...a, energyWh: a.energyWh - (taken.get(`${a.trader}/${a.slot}`) ?? 0) }))
      const fees = this.#d.options.grid?.fees ?? { local: 0, district: 0 }
      for (const a of spareAcrossFeeders(
        left,
        matched.map(e => toOrder(e)),
        fees
      )) {
        if (a.buyerFeeder !== feeder) continue
        const k = `${a.seller}/${a.slot}`
        const prev = spared.get(k)
        spared.set(k, {
          trader: Buffer.from(a.seller, 'hex'),
          feeder: a.sellerFeeder,
          slot: a.slot,
          energyWh: (prev?.energyWh ?? 0) + a.energyWh,
          price: a.price,
          addrs: this.#d.book.addrsOf(a.seller).slice(0, 1)
        })
      }
    }
    const rest = heard
      .map(e => ({ ...e, depletedWh: e.depletedWh + (taken.get(`${e.trader}/${e.slot}`) ?? 0) }))
      .filter(e => e.energyWh > e.depletedWh)
    const shown = pickOffers(this.#d, rest.filter(seenHere(feeder, heard)), undefined)
    // an offer both spared here and seen here is listed once, with all that is left of it
    for (const e of shown) spared.delete(`${Buffer.from(e.trader).toString('hex')}/${e.slot}`)
    // every allocation first (a feeder of 40 buyers may be allocated more than DIGEST_MAX), then what is left, up to the wire's limit
    return { entries: [...allocated, ...spared.values(), ...shown].slice(0, limits.maxDigestEntries), bids: [] }
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
    const matched = prev.matched.filter(b => open(b.slot))
    // entries of closed slots are not named: no reader asks for them again
    const amendment =
      prev.base == null ? undefined : amendmentOf({ seq: prev.base.seq, entries: prev.base.entries.filter(e => open(e.slot)) }, kept)
    await this.#publishDigest(scope, kept, digestKey(kept, bids, matched), prev.validUntil, now, bids, matched, amendment)
  }

  async #publishDigest(
    scope: DigestScope,
    entries: DigestEntry[],
    key: string,
    validUntil: number,
    now: number,
    bids: DigestEntry[] = [],
    matched: DigestEntry[] = [],
    amendment?: { amends: number; entries: DigestEntry[] }
  ): Promise<void> {
    const o = this.#d.options
    const feeder = o.grid?.feeder ?? ''
    const { identity, journal, router, host } = this.#d
    const base = this.#digests[scope].base
    this.#digests[scope] = { key, validUntil, entries, bids, matched, ...(amendment != null && base != null ? { base } : {}) }
    // for its feeder's buyers, where it listens (RelayDialer): addresses other hosts can reach first
    const relayAddrs =
      scope === 'feeder' && amendment == null
        ? [...host.getMultiaddrs()]
            .sort((a, b) => Number(isLoopback(a.toString())) - Number(isLoopback(b.toString())))
            .slice(0, limits.maxDigestAddrs)
            .map(a => a.bytes)
        : []
    // one counter for both scopes: the other relay of the feeder reads both topics, and keeps one seq per relay
    const seq = await journal.nextCounter('digest', now)
    if (amendment == null) this.#digests[scope].base = { seq, entries }
    const head = { version: 1, district: o.district, relay: identity.signer.publicKey, feeder, seq, issuedAt: now, validUntil }
    const d: Digest =
      amendment != null
        ? // what fell since the whole digest, not the whole list again: withdrawals were half of a relay's digests
          // and most of its bytes (docs/feeders.md, Withdrawals by amendment)
          { ...head, entries: amendment.entries, amends: amendment.amends }
        : {
            ...head,
            entries,
            ...(bids.length > 0 ? { bids } : {}),
            ...(matched.length > 0 ? { matched } : {}),
            ...(relayAddrs.length > 0 ? { relayAddrs } : {})
          }
    await router.publishDigest(scope, seal('digest', d, identity.signer))
    const forOne = entries.filter(e => e.buyer != null).length
    this.#d.emit({
      type: 'digest-published',
      energyWh: entries.reduce((a, e) => a + e.energyWh, 0),
      detail:
        `${scope}: ${entries.length} ` +
        `offers${forOne > 0 ? ` (${forOne} for one buyer each)` : ''}${bids.length > 0 ? `, ${bids.length} bids` : ''}` +
        `${matched.length > 0 ? `, ${matched.length} matched asks` : ''}` +
        (amendment != null ? ` (amends ${amendment.amends}: ${amendment.entries.length} fell)` : '')
    })
  }
}
