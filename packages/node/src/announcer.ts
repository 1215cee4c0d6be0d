import { gateClosure, seal, type Announcement, type Order, type TopicKind } from '@kvartal/protocol'
import type { SlotPositions, TradingContext } from '@kvartal/market'
import type { GossipRouter, KvartalHost, NodeIdentity, TopicSync } from '@kvartal/mesh'
import type { Journal } from './journal.ts'
import type { Emit } from './events.ts'
import type { KvartalNodeOptions } from './options.ts'

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
  /** the strategy's randomness, for the prices it announces */
  random: () => number
  /** a stream of its own for choosing a peer, so that the strategy's draws stay as they were */
  peerRandom: () => number
  emit: Emit
}

/**
 * What a node says on gossip and how it hears what it missed: its signed offers and bids, announced on
 * schedule, and the catch-up pull from one peer (topic-sync.ts) every `catchUpEverySlots`.
 */
export class Announcer {
  readonly #d: AnnouncerDeps
  #lastPublishSlot = -Infinity
  #ticks = 0

  constructor (deps: AnnouncerDeps) { this.#d = deps }

  /**
   * On every tick: pulls from one connected peer, picked by the node's seeded draw, the valid
   * announcements and offers this node lacks, when a pull is due. Any connection will do (gossipsub may
   * not have met the peer yet): a peer that does not serve the protocol only costs a failed pull.
   */
  async catchUpIfDue (): Promise<void> {
    const o = this.#d.options
    if (o.catchUpEverySlots <= 0 || this.#ticks++ % (o.ticksPerSlot * o.catchUpEverySlots) !== 0) return
    const peers = this.#d.host.getPeers().map(p => [p.toString(), p] as const).sort((a, b) => a[0] < b[0] ? -1 : 1)
    if (peers.length === 0) return
    await this.#d.topicSync.pull(peers[Math.floor(this.#d.peerRandom() * peers.length)][1])
  }

  /**
   * Announces on schedule only: when new slots were planned and `republishEverySlots` have passed.
   * Re-announcing when an announced quantity sells out was measured on the default scenario: 2.4× the
   * gossip for 3 % fewer refused proposals, so a sold-out seller answers `no-capacity` instead and the
   * buyer marks the offer depleted in its own book.
   */
  async announceIfDue (first: number, now: number, planned: boolean): Promise<void> {
    if (!planned || first - this.#lastPublishSlot < this.#d.options.republishEverySlots) return
    this.#lastPublishSlot = first
    await this.#announce(first, now)
  }

  async #announce (first: number, now: number): Promise<void> {
    const { options: o, selling, need, host, identity, journal, router, emit } = this.#d
    const offers: Order[] = []
    const bids: Order[] = []
    for (let s = Math.max(0, first); s < first + o.horizonSlots; s++) {
      const sell = selling.available(s, now)
      const buy = need.available(s, now)
      const ctx = (remainingWh: number, limit: number): TradingContext => ({
        now, slot: s, openedAt: gateClosure(o.slots, s) - o.tradingWindowSlots * o.slots.slotMs, gateClosureAt: gateClosure(o.slots, s),
        tariffs: o.tariffs, limit, remainingWh, random: this.#d.random
      })
      if (sell > 0) offers.push({ slot: s, energyWh: sell, price: o.strategy.askPrice(ctx(sell, o.profile.sellLimit)) })
      if (buy > 0) bids.push({ slot: s, energyWh: buy, price: o.strategy.bidPrice(ctx(buy, o.profile.buyLimit)) })
    }
    const validUntil = Math.min(gateClosure(o.slots, first + o.horizonSlots - 1), now + (o.republishEverySlots + 1) * o.slots.slotMs)
    const addrs = host.getMultiaddrs().slice(0, 4).map(a => a.bytes)
    for (const [kind, orders] of [['offer', offers], ['bid', bids]] as Array<[TopicKind, Order[]]>) {
      if (orders.length === 0) continue
      const seq = await journal.nextCounter(`announce-${kind}`, now)
      const a: Announcement = { version: 1, district: o.district, trader: identity.signer.publicKey, seq, issuedAt: now, validUntil, offers: kind === 'offer' ? orders : [], bids: kind === 'bid' ? orders : [], addrs }
      await router.publish(kind, seal('announcement', a, identity.signer))
      emit({ type: kind === 'offer' ? 'offer-published' : 'bid-published', slot: Math.max(0, first), energyWh: orders.reduce((x, y) => x + y.energyWh, 0), detail: `${orders.length} slots` })
    }
  }
}
