import { gateClosure, seal, type Announcement, type Order, type TopicKind } from '@kvartal/protocol'
import type { OrderBook, SlotPositions } from '@kvartal/market'
import { tradingContext } from './trading-context.ts'
import { peerIdOfTrader, type GossipRouter, type KvartalHost, type NodeIdentity, type TopicSync } from '@kvartal/mesh'
import type { Journal } from './journal.ts'
import type { Emit } from './events.ts'
import type { KvartalNodeOptions } from './options.ts'
import { RelayDigests, lastCallBid } from './relay-digests.ts'

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

/** Why an announcement was made: a slot with energy it had not announced, one whose energy fell below half or
 * to nothing, rose above what was said, or the last announcement running out while something is on offer. */
type AnnounceReason = 'new-slot' | 'sold-down' | 'sold-out' | 'rose' | 'expiring'

/** What one side's last announcement said: energy per slot, and until when it holds. */
interface Said {
  bySlot: Map<number, number>
  validUntil: number
}

/**
 * What a node says on gossip and how it hears what it missed: its signed offers (and bids, if it
 * gossips them) announced when what it can trade changed, the catch-up pull from one peer of its
 * feeder every `catchUpEverySlots`, and — on a relay — its feeder's residual offers for the other
 * feeders and theirs for its own (relay-digests.ts).
 */
export class Announcer {
  readonly #d: AnnouncerDeps
  #ticks = 0
  readonly #said: Record<TopicKind, Said> = {
    offer: { bySlot: new Map(), validUntil: -Infinity },
    bid: { bySlot: new Map(), validUntil: -Infinity }
  }
  /** a relay's digests (relay-digests.ts) */
  readonly #relay: RelayDigests

  constructor(deps: AnnouncerDeps) {
    this.#d = deps
    this.#relay = new RelayDigests(deps)
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
      // why it is due (the first reason found), for the event: researchers count what gossip is spent on
      let due: AnnounceReason | undefined
      let any = false
      for (let s = Math.max(0, first); s < first + o.horizonSlots; s++) {
        const now_ = wanted(s)
        if (now_ > 0) any = true
        const was = said.bySlot.get(s) ?? 0
        const covered = said.validUntil >= Math.min(gateClosure(o.slots, s), now + tickMs * 2)
        if (s < soon && now_ > 0 && (was === 0 || !covered)) due ??= was === 0 ? 'new-slot' : 'expiring'
        if (was > 0 && covered && now_ * 2 < was) due ??= now_ === 0 ? 'sold-out' : 'sold-down'
        if (was > 0 && covered && now_ > was) due ??= 'rose'
      }
      if (any && said.validUntil <= now + tickMs) due ??= 'expiring'
      // nothing left to say, and nothing said that still stands
      if (!any && ![...said.bySlot.values()].some(v => v > 0)) due = undefined
      if (due != null) await this.#announce(kind, first, now, due)
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

  async #announce(kind: TopicKind, first: number, now: number, reason: AnnounceReason): Promise<void> {
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
      detail: `${orders.length} slots; ${reason}`
    })
  }

  /**
   * Says its bids again at the next tick, as if never said: they were published while no relay was connected to
   * hear them (RelayDialer), and would otherwise wait for their next change.
   */
  sayBidsAgain(): void {
    this.#said.bid = { bySlot: new Map(), validUntil: -Infinity }
  }

  /** A relay's part, once a slot (RelayDigests.relayIfDue); nothing on a node that is not a relay. */
  async relayIfDue(first: number, now: number): Promise<void> {
    await this.#relay.relayIfDue(first, now)
  }
}
