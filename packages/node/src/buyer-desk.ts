import { multiaddr } from '@multiformats/multiaddr'
import {
  NEGOTIATION_PROTOCOL,
  MalformedMessageError,
  NegotiationError,
  bytesEqual,
  fromHex,
  open,
  seal,
  signTerms,
  toHex,
  tradeId,
  verifyTermsSignature,
  type Accept,
  type Clock,
  type Counter,
  type Reject,
  type DigestEntry,
  type Signer,
  type Trade
} from '@kvartal/protocol'
import { openChannel, peerIdOfTrader, type ChannelMeter, type FramedChannel, type KvartalHost } from '@kvartal/mesh'
import type { CounterAnswer, OrderBook, SlotPositions, Strategy, TradingContext } from '@kvartal/market'
import type { Journal } from './journal.ts'
import { stepId, type Emit } from './events.ts'
import type { GridOptions } from './options.ts'
import type { ConfirmResult, NegotiationInput, Reply } from './negotiation.machine.ts'

export interface BuyerDeskDeps {
  host: KvartalHost
  signer: Signer
  district: string
  journal: Journal
  /** what this node still needs to buy per slot; holds cover negotiations in flight */
  need: SlotPositions
  book: OrderBook
  strategy: Strategy
  clock: Clock
  holdMs: number
  frameTimeoutMs: number
  meter?: ChannelMeter
  context(slot: number, remainingWh: number): TradingContext
  emit: Emit
  /** the buyer's feeder and the grid's fees; absent: one feeder, no fees */
  grid?: GridOptions
}

/**
 * How long, clock ms, a buyer passes over a seller that answered with a forgery (an accept it did not
 * sign, or for other terms, or a reply that does not verify): a fake seller that announces plenty of
 * cheap energy would otherwise take every approach of every tick (tests/hostile-peers.test.ts).
 */
const DISTRUST_MS = 60 * 60_000

/** The buyer's effects: streams to sellers, the journal, the strategy. Supplied to the negotiation machine. */
export class BuyerDesk {
  readonly #d: BuyerDeskDeps
  readonly #channels = new Map<string, FramedChannel>()
  /** seller (hex) → until when its offers are passed over */
  readonly #distrusted = new Map<string, number>()

  constructor(deps: BuyerDeskDeps) {
    this.#d = deps
  }

  /**
   * The strategy's answer to a seller's counter-offer. The strategy weighs what the energy costs this
   * buyer landed (price plus grid fee) against its limit; a price it proposes back is an energy price.
   */
  decideCounter(counter: Counter, slot: number, fee = 0): CounterAnswer {
    const remaining = this.#d.need.available(slot, this.#d.clock.now()) + counter.energyWh
    const answer = this.#d.strategy.answerCounter(this.#d.context(slot, remaining), counter.price + fee, counter.round)
    return answer.action === 'propose' ? { action: 'propose', price: Math.max(0, answer.price - fee) } : answer
  }

  async #channel(negotiation: string, seller: string): Promise<FramedChannel> {
    let ch = this.#channels.get(negotiation)
    if (ch != null) return ch
    const d = this.#d
    const peer = peerIdOfTrader(fromHex(seller))
    const addrs = d.book.addrsOf(seller)
    if (addrs.length > 0) {
      try {
        await d.host.peerStore.merge(peer, { multiaddrs: addrs.map(a => multiaddr(a)) })
      } catch {}
    }
    ch = await openChannel(d.host, peer, NEGOTIATION_PROTOCOL, {
      frameTimeoutMs: d.frameTimeoutMs,
      signal: AbortSignal.timeout(d.frameTimeoutMs),
      meter: d.meter
    })
    this.#channels.set(negotiation, ch)
    return ch
  }

  /** Does this buyer pass over `seller`'s offers now (it answered with a forgery)? */
  distrusts(seller: string, now: number): boolean {
    const until = this.#distrusted.get(seller)
    if (until == null) return false
    if (until > now) return true
    this.#distrusted.delete(seller)
    return false
  }

  #forged(seller: string, err: Error): Error {
    this.#distrusted.set(seller, this.#d.clock.now() + DISTRUST_MS)
    return err
  }

  close(negotiation: string): void {
    const ch = this.#channels.get(negotiation)
    if (ch != null) {
      this.#channels.delete(negotiation)
      void ch.close()
    }
  }

  /**
   * Closes this buyer's connections to `seller` that nothing uses any more, for sellers of other
   * feeders (buyer-loop.ts). A buyer meets them through digests, from anywhere in the district, and kept
   * every such connection for the day: at 1,000 buildings, 21,000 TCP connections between two
   * workers; sellers listed in many digests passed libp2p's 256, whose pruner then closes the newest
   * connection first, a buyer's, before its negotiation stream opens (a failed negotiation, and another
   * handshake). Kept: a peer that reads one of this node's gossipsub topics (a relay's link to relays),
   * and a connection with a stream open other than gossipsub's and this buyer's own negotiations (a
   * catch-up pull, the seller's own negotiation with this node as its seller).
   */
  async hangUp(seller: string, idle: () => boolean = () => true): Promise<void> {
    const peer = peerIdOfTrader(fromHex(seller))
    const pubsub = this.#d.host.services.pubsub
    if (pubsub.getTopics().some(t => pubsub.getSubscribers(t).some(p => p.equals(peer)))) return
    for (const c of this.#d.host.getConnections(peer)) {
      // a negotiation with the seller that started since the last one ended needs the connection: asked here,
      // just before the close, since the streams below cannot tell this buyer's old negotiations from a new
      // one (one negotiation in 48,540 failed on "stream closed" at 1,000 buildings before this check)
      if (!idle()) return
      // this buyer's own negotiation streams to the seller are over (their close may still be on its way
      // over TCP); anything else open keeps the connection
      const inUse = c.streams.some(
        s =>
          s.status === 'open' &&
          s.protocol?.startsWith('/meshsub/') !== true &&
          !(s.protocol === NEGOTIATION_PROTOCOL && s.direction === 'outbound')
      )
      if (inUse) continue
      try {
        await c.close()
      } catch (err) {
        c.abort(err as Error)
      }
    }
  }

  /**
   * A seller of another feeder that refused for want of energy named sellers of its feeder that still offer the
   * slot (referrals.ts): the book takes them, and the buyer's next look may approach them. Referrals are only for
   * that slot, of the refusing seller's own feeder, another than the buyer's, and never name the refusing seller:
   * anything else is a seller that forges its replies.
   */
  #applyReferrals(input: NegotiationInput, referrals: readonly DigestEntry[]): void {
    const d = this.#d
    const sellerFeeder = input.sellerFeeder
    const ok =
      d.grid != null &&
      sellerFeeder != null &&
      sellerFeeder !== d.grid.feeder &&
      referrals.every(e => e.slot === input.slot && e.feeder === sellerFeeder && toHex(e.trader) !== input.seller)
    if (!ok)
      throw this.#forged(
        input.seller,
        new NegotiationError('bad-referral', "a refusal's referrals name another slot, feeder or the seller")
      )
    d.book.applyReferrals(referrals, input.slot, d.clock.now(), d.context(input.slot, 0).gateClosureAt)
  }

  async exchange(input: NegotiationInput, round: number, price: number): Promise<Reply> {
    const d = this.#d
    const ch = await this.#channel(input.negotiation, input.seller)
    // a later round's proposal leaves after the frames before it (a simulator's latency; 0 on a real network)
    const now = d.clock.now() + ch.elapsedMs()
    const seller = fromHex(input.seller)
    const feeder = d.grid?.feeder ?? ''
    const proposal = {
      version: 1,
      district: d.district,
      id: fromHex(input.negotiation),
      buyer: d.signer.publicKey,
      seller,
      slot: input.slot,
      energyWh: input.energyWh,
      price,
      expiresAt: now + d.holdMs,
      round,
      ...(feeder !== '' ? { feeder } : {})
    }
    const me = toHex(d.signer.publicKey)
    d.emit({
      type: 'proposal-sent',
      slot: input.slot,
      correlation: input.negotiation,
      peer: input.seller,
      energyWh: input.energyWh,
      price,
      id: stepId(me, input.negotiation, `propose.${round}`),
      ...(round > 0 ? { parent: stepId(input.seller, input.negotiation, `countered.${round - 1}`) } : {})
    })
    await ch.send(seal('proposal', proposal, d.signer))
    const frame = await ch.receive()
    let reply: ReturnType<typeof open>
    try {
      reply = open(frame, { maxBytes: 4096, kinds: ['accept', 'counter', 'reject'] })
    } catch (err) {
      throw this.#forged(input.seller, err as Error)
    }
    if (!bytesEqual(reply.signer, seller)) throw this.#forged(input.seller, new MalformedMessageError('reply not signed by the seller'))
    if (reply.kind === 'accept') {
      const a = reply.message as Accept
      const t = a.terms
      const ok =
        bytesEqual(t.buyer, d.signer.publicKey) &&
        bytesEqual(t.seller, seller) &&
        bytesEqual(t.negotiation, proposal.id) &&
        t.slot === input.slot &&
        t.energyWh > 0 &&
        t.energyWh <= input.energyWh &&
        t.price === price &&
        t.district === d.district
      if (!ok) throw this.#forged(input.seller, new NegotiationError('bad-accept', 'the accepted terms differ from the proposal'))
      // the grid fee is the tariff for where both sit: a seller cannot make the buyer pay another
      const g = d.grid
      const feeOk =
        g == null
          ? t.gridFee == null && t.buyerFeeder == null && t.sellerFeeder == null
          : t.buyerFeeder === g.feeder &&
            (t.gridFee ?? 0) === (t.sellerFeeder === g.feeder ? g.fees.local : g.fees.district) &&
            (input.sellerFeeder == null || t.sellerFeeder === input.sellerFeeder)
      if (!feeOk)
        throw this.#forged(input.seller, new NegotiationError('bad-accept', 'the accepted terms carry the wrong feeders or grid fee'))
      if (!verifyTermsSignature(t, seller, a.sellerSignature))
        throw this.#forged(input.seller, new NegotiationError('bad-signature', "the seller's signature on the terms does not verify"))
      return { kind: 'accept', accept: a }
    }
    if (reply.kind === 'counter') return { kind: 'counter', counter: reply.message as Counter }
    const r = reply.message as Reject
    // sold out, or (feeder-limit) sold as much to other feeders as its transformer share allows
    if (r.code === 'no-capacity' || r.code === 'feeder-limit') d.book.markAvailable('offer', input.seller, input.slot, 0)
    // held for others until then: look again after that, not before
    if (r.code === 'capacity-held')
      d.book.markAvailable('offer', input.seller, input.slot, 0, Number(/until=(\d+)/.exec(r.detail)?.[1] ?? d.clock.now()))
    if (r.referrals != null) this.#applyReferrals(input, r.referrals)
    d.emit({
      type: 'rejected',
      slot: input.slot,
      correlation: input.negotiation,
      peer: input.seller,
      code: r.code,
      detail: r.detail,
      id: stepId(me, input.negotiation, 'rejected'),
      parent: stepId(me, input.negotiation, `propose.${round}`)
    })
    return { kind: 'reject', reject: r }
  }

  /**
   * Signs the accepted terms, journals the trade as pending (write before send), counts it against the
   * need, sends the confirm and waits for the seller's Committed.
   */
  async confirm(a: Accept): Promise<ConfirmResult> {
    const d = this.#d
    const negotiation = toHex(a.negotiation)
    const full: Trade = {
      id: tradeId(a.terms),
      terms: a.terms,
      buyerSignature: signTerms(a.terms, d.signer),
      sellerSignature: a.sellerSignature
    }
    await d.journal.putBuyerTrade(full, 'pending', d.clock.now())
    d.need.release(a.terms.slot, negotiation)
    d.need.addCommitted(a.terms.slot, a.terms.energyWh)
    try {
      const ch = await this.#channel(negotiation, toHex(a.terms.seller))
      await ch.send(seal('confirm', { tradeId: fromHex(full.id), terms: full.terms, buyerSignature: full.buyerSignature }, d.signer))
      return await this.#awaitCommitted(ch, full)
    } finally {
      this.close(negotiation)
    }
  }

  async #awaitCommitted(ch: FramedChannel, trade: Trade): Promise<ConfirmResult> {
    const d = this.#d
    const reply = open(await ch.receive(), { maxBytes: 4096, kinds: ['committed', 'reject'] })
    if (!bytesEqual(reply.signer, trade.terms.seller)) throw new MalformedMessageError('reply not signed by the seller')
    if (reply.kind === 'committed') {
      await d.journal.putBuyerTrade(trade, 'committed', d.clock.now())
      const n = toHex(trade.terms.negotiation)
      d.emit({
        type: 'trade-committed',
        slot: trade.terms.slot,
        correlation: trade.id,
        peer: toHex(trade.terms.seller),
        energyWh: trade.terms.energyWh,
        price: trade.terms.price,
        detail: 'buyer',
        id: stepId(toHex(trade.terms.buyer), n, 'committed'),
        parent: stepId(toHex(trade.terms.seller), n, 'committed')
      })
      return 'committed'
    }
    const r = reply.message as Reject
    if (r.code === 'expired' || r.code === 'bad-confirm') {
      await d.journal.putBuyerTrade(trade, 'void', d.clock.now())
      d.need.addCommitted(trade.terms.slot, -trade.terms.energyWh)
      const n = toHex(trade.terms.negotiation)
      d.emit({
        type: 'negotiation-failed',
        slot: trade.terms.slot,
        correlation: trade.id,
        code: r.code,
        detail: r.detail,
        id: stepId(toHex(trade.terms.buyer), n, 'void'),
        parent: stepId(toHex(trade.terms.seller), n, 'accepted')
      })
      return 'void'
    }
    return 'pending'
  }

  async withdraw(negotiation: string): Promise<void> {
    const ch = this.#channels.get(negotiation)
    try {
      if (ch != null) await ch.send(seal('reject', { negotiation: fromHex(negotiation), code: 'walk-away', detail: '' }, this.#d.signer))
    } finally {
      this.close(negotiation)
    }
  }

  /**
   * After a restart or a lost reply: confirms again every trade the journal holds as pending, and says
   * how many are still pending (to be retried on the next tick). The seller
   * answers Committed (it already had it, or its hold was still alive) or refuses (the hold expired).
   */
  async retryPending(signal?: AbortSignal): Promise<number> {
    const d = this.#d
    let still = 0
    for (const r of await d.journal.trades()) {
      if (r.role !== 'buyer' || r.status !== 'pending') continue
      if (signal?.aborted === true) return still + 1
      const t = r.decoded
      const key = `retry-${t.id}`
      try {
        const ch = await this.#channel(key, toHex(t.terms.seller))
        await ch.send(seal('confirm', { tradeId: fromHex(t.id), terms: t.terms, buyerSignature: t.buyerSignature }, d.signer))
        if ((await this.#awaitCommitted(ch, t)) === 'pending') still++
      } catch {
        // the seller is unreachable or slow: the trade stays pending and is retried on the next tick
        still++
      } finally {
        this.close(key)
      }
    }
    return still
  }
}
