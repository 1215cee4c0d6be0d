import { CrossSales } from './cross-sales.ts'
import {
  NEGOTIATION_PROTOCOL,
  MalformedMessageError,
  NegotiationError,
  bytesEqual,
  gateClosure,
  open,
  seal,
  signTerms,
  toHex,
  tradeId,
  verifyTermsSignature,
  type Accept,
  type Clock,
  type Confirm,
  type Counter,
  type DigestEntry,
  type Proposal,
  type Reject,
  type Signer,
  type SlotClockConfig,
  type TradeTerms
} from '@kvartal/protocol'
import type { SlotPositions, Strategy, TradingContext } from '@kvartal/market'
import type { FramedChannel } from '@kvartal/mesh'
import type { Journal } from './journal.ts'
import { stepId, type Emit } from './events.ts'
import type { GridOptions } from './options.ts'
import { HoldLapses } from './hold-lapses.ts'

export interface SellerDeskDeps {
  signer: Signer
  district: string
  journal: Journal
  positions: SlotPositions
  strategy: Strategy
  clock: Clock
  slots: SlotClockConfig
  holdMs: number
  context(slot: number, remainingWh: number): TradingContext
  emit: Emit
  /** the seller's feeder, the grid's fees and its share of the transformer; absent: one feeder, no fees */
  grid?: GridOptions
  /** sellers of its feeder it refers a refused buyer of another feeder to (referrals.ts); absent: none */
  referrals?: (slot: number, buyer: string, now: number) => DigestEntry[]
}

/** The seller's answer to one proposal. */
type Decision = { kind: 'reject'; reject: Reject } | { kind: 'counter'; counter: Counter } | { kind: 'accept'; accept: Accept }
/** Refusals for want of energy: to a buyer of another feeder, they carry referrals (referrals.ts). */
const SHORT = new Set(['no-capacity', 'capacity-held', 'feeder-limit'])
/** Counter rounds a seller entertains before it stops answering. */
const MAX_ROUNDS = 4
/**
 * The dearest price a seller accepts, in retail tariffs: ten times what the grid charges, which no buyer pays.
 * At 1 IOTA/kWh retail a pair then owes at most 10 IOTA per kWh: 96 slots of 1 MWh in a period is about
 * 10^15 nanos, below 2^53 (9 × 10^15)
 */
const PRICE_BOUND_RETAILS = 10

/**
 * The seller's side of negotiation: the sole authority over this node's energy. Proposals for one slot
 * are handled one at a time (a per-slot lock from decision to Accept), energy is held before the Accept
 * that promises it is sent, the hold is journaled first, and a confirm turns it into a trade only while
 * the hold is alive. Confirms are idempotent by trade id.
 */
export class SellerDesk {
  readonly #d: SellerDeskDeps
  readonly #locks = new Map<number, Promise<void>>()
  /** negotiation → the trade id this seller signed for it (and the signature); a confirm must match it exactly */
  readonly #signed = new Map<string, string>()
  readonly #signatures = new Map<string, Uint8Array>()
  /** commits being journaled, by trade id: a second confirm of the same trade waits for the first (commitConfirm) */
  readonly #committing = new Map<string, Promise<string>>()
  /** per slot: Wh sold to other feeders (committed) and held for them (by negotiation) */
  readonly #cross = new CrossSales()
  /** buyers that let this seller's holds lapse unconfirmed, refused for a while (hold-lapses.ts) */
  readonly #lapses: HoldLapses

  constructor(deps: SellerDeskDeps) {
    this.#d = deps
    this.#lapses = new HoldLapses(deps.holdMs)
  }

  async #withSlotLock<T>(slot: number, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(slot) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>(resolve => {
      release = resolve
    })
    const chained = prev.then(() => mine)
    this.#locks.set(slot, chained)
    await prev
    try {
      return await fn()
    } finally {
      release()
      if (this.#locks.get(slot) === chained) this.#locks.delete(slot)
    }
  }

  async handle(channel: FramedChannel): Promise<void> {
    const d = this.#d
    const first = open(await channel.receive(), { maxBytes: 4096, kinds: ['proposal', 'confirm'] })
    if (first.kind === 'confirm') {
      const c = first.message as Confirm
      if (!bytesEqual(first.signer, c.terms.buyer)) throw new MalformedMessageError('confirm not signed by the buyer')
      await this.#answerConfirm(channel, c)
      return
    }
    let p = first.message as Proposal
    if (!bytesEqual(first.signer, p.buyer)) throw new MalformedMessageError('proposal not signed by its buyer')
    for (;;) {
      const reply = await this.#decide(p, channel)
      if (reply.kind === 'reject') {
        await channel.send(seal('reject', reply.reject, d.signer))
        return
      }
      if (reply.kind === 'counter') {
        await channel.send(seal('counter', reply.counter, d.signer))
        const next = open(await channel.receive(), { maxBytes: 4096, kinds: ['proposal', 'reject'] })
        if (!bytesEqual(next.signer, p.buyer)) throw new MalformedMessageError('reply not signed by the buyer')
        if (next.kind === 'reject') return
        const np = next.message as Proposal
        if (!bytesEqual(np.id, p.id) || np.round !== reply.counter.round)
          throw new MalformedMessageError('proposal does not continue this negotiation')
        p = np
        continue
      }
      // accepted: the hold is journaled; send the Accept and wait for the confirm
      await channel.send(seal('accept', reply.accept, d.signer))
      // if this read fails (timeout, reset), the hold stays: the buyer may still confirm on a new stream
      // before it expires, and the tick releases it after
      const c = open(await channel.receive(), { maxBytes: 4096, kinds: ['confirm', 'reject'] })
      if (!bytesEqual(c.signer, p.buyer)) throw new MalformedMessageError('confirm not signed by the buyer')
      if (c.kind === 'reject') {
        await this.#release(p.slot, toHex(p.id), 'buyer-withdrew')
        return
      }
      await this.#answerConfirm(channel, c.message as Confirm)
      return
    }
  }

  /** `channel`: the time read is the clock's plus the simulated delay of the frames so far (0 on a real network). */
  async #decide(p: Proposal, channel: Pick<FramedChannel, 'elapsedMs'>): Promise<Decision> {
    const d = this.#d
    const now = d.clock.now() + channel.elapsedMs()
    const negotiation = toHex(p.id)
    const reject = (code: string, detail: string, referrals: DigestEntry[] = []) => ({
      kind: 'reject' as const,
      reject: { negotiation: p.id, code, detail, ...(referrals.length > 0 ? { referrals } : {}) }
    })
    // every step of the seller's answer follows from the buyer's proposal of this round
    const me = toHex(d.signer.publicKey)
    const step = (s: string): { id: string; parent: string } => ({
      id: stepId(me, negotiation, s),
      parent: stepId(toHex(p.buyer), negotiation, `propose.${p.round}`)
    })
    /** a refusal the node's events show (the checks of the proposal's own fields above it are not shown) */
    const refuse = (code: string, detail: string) => {
      // a buyer of another feeder refused for want of energy hears where its feeder still has some (referrals.ts)
      const referrals = cross && SHORT.has(code) ? (d.referrals?.(p.slot, toHex(p.buyer), now) ?? []) : []
      const referred = referrals.length > 0 ? { detail: `referred ${referrals.length}` } : {}
      d.emit({ type: 'rejected', slot: p.slot, correlation: negotiation, peer: toHex(p.buyer), code, ...referred, ...step('rejected') })
      return reject(code, detail, referrals)
    }
    d.emit({
      type: 'proposal-received',
      slot: p.slot,
      correlation: negotiation,
      peer: toHex(p.buyer),
      energyWh: p.energyWh,
      price: p.price,
      ...step(`received.${p.round}`)
    })
    if (!bytesEqual(p.seller, d.signer.publicKey)) return reject('wrong-seller', 'this proposal is addressed to another seller')
    if (p.district !== d.district) return reject('wrong-district', `this node trades in ${d.district}`)
    if (now >= gateClosure(d.slots, p.slot)) return reject('gate-closed', `slot ${p.slot} is closed for trading`)
    if (p.expiresAt <= now) return reject('expired', 'the proposal expired before it was read')
    if (p.round > MAX_ROUNDS) return reject('too-many-rounds', `at most ${MAX_ROUNDS} rounds`)
    const g = d.grid
    const buyerFeeder = p.feeder ?? ''
    const cross = g != null && buyerFeeder !== g.feeder
    const fee = g == null ? 0 : cross ? g.fees.district : g.fees.local
    const refusing = d.journal.refusing
    if (refusing != null) {
      // a hold must be journaled before the Accept that promises it: no journal, no new promises
      return refuse(
        refusing.code,
        refusing.code === 'disk-full'
          ? "this node's disk is full: it takes no new work until space returns"
          : 'this node cannot write its journal: it takes no new work until it can'
      )
    }
    const lapsed = this.#lapses.refused(toHex(p.buyer), now)
    if (lapsed != null)
      return refuse('lapsed-holds', `${lapsed.lapses} holds lapsed unconfirmed in a row; proposals refused until=${lapsed.until}`)
    return await this.#withSlotLock(p.slot, async () => {
      const now = d.clock.now() + channel.elapsedMs()
      let available = d.positions.available(p.slot, now)
      if (cross && g?.crossFeederShareWh != null && available > 0) {
        // the feeder's transformer carries at most its rating across: this seller's share of it is all it may sell out of the feeder
        const left = g.crossFeederShareWh - this.crossWh(p.slot)
        if (left <= 0) return refuse('feeder-limit', `cross-feeder share of ${g.crossFeederShareWh} Wh used`)
        available = Math.min(available, left)
      }
      if (available <= 0) {
        // all sold, or part of it only held for buyers that may not confirm: then say until when
        const back = d.positions.nextRelease(p.slot, now)
        return back == null ? refuse('no-capacity', 'available=0') : refuse('capacity-held', `available=0 until=${back}`)
      }
      const ctx = d.context(p.slot, available)
      // money is exact or refused (units.ts): a price no buyer pays for grid energy could take what a pair owes in a
      // period past 2^53 nanos, and then the period could not be settled; refused now, not at settlement
      if (p.price > PRICE_BOUND_RETAILS * ctx.tariffs.retail)
        return refuse('price-out-of-range', `at most ${PRICE_BOUND_RETAILS} × the retail tariff (${ctx.tariffs.retail} nanos/kWh)`)
      const answer = d.strategy.answerProposal(ctx, p.price, p.round)
      if (answer.action === 'reject') return refuse(answer.code, `available=${available}`)
      if (answer.action === 'counter') {
        d.emit({
          type: 'countered',
          slot: p.slot,
          correlation: negotiation,
          peer: toHex(p.buyer),
          price: answer.price,
          energyWh: Math.min(p.energyWh, available),
          ...step(`countered.${p.round}`)
        })
        return {
          kind: 'counter' as const,
          counter: {
            negotiation: p.id,
            energyWh: Math.min(p.energyWh, available),
            price: answer.price,
            expiresAt: now + d.holdMs,
            round: p.round + 1
          }
        }
      }
      const holdUntil = Math.min(now + d.holdMs, gateClosure(d.slots, p.slot))
      const hold = d.positions.hold(
        { negotiation, slot: p.slot, energyWh: Math.min(p.energyWh, available), holdUntil, price: p.price, counterparty: toHex(p.buyer) },
        now
      )
      if (hold == null) return reject('no-capacity', 'available=0')
      const terms: TradeTerms = {
        version: 1,
        district: d.district,
        negotiation: p.id,
        buyer: p.buyer,
        seller: d.signer.publicKey,
        slot: p.slot,
        energyWh: hold.energyWh,
        price: p.price,
        agreedAt: now,
        ...(g != null ? { buyerFeeder, sellerFeeder: g.feeder, gridFee: fee } : {})
      }
      const id = tradeId(terms)
      this.#signed.set(negotiation, id)
      if (cross) this.#cross.hold(p.slot, negotiation, hold.energyWh)
      try {
        await d.journal.putHold({
          negotiation,
          slot: p.slot,
          energyWh: hold.energyWh,
          price: p.price,
          holdUntil,
          counterparty: toHex(p.buyer),
          tradeId: id,
          ...(cross ? { cross } : {})
        })
      } catch (err) {
        d.positions.release(p.slot, negotiation)
        this.#cross.drop(p.slot, negotiation)
        throw err
      }
      if (d.positions.getHold(p.slot, negotiation) == null) {
        // the tick's expiry sweep took the hold while its record was being written (a slow disk, a
        // busy machine): the sweep's release went to the journal first, so the record just written
        // would stay there as a hold nobody holds. Release it again, and promise nothing
        this.#signed.delete(negotiation)
        await d.journal.releaseHold(negotiation, 'expired')
        d.emit({ type: 'rejected', slot: p.slot, correlation: negotiation, peer: toHex(p.buyer), code: 'expired', ...step('rejected') })
        return reject('expired', 'the hold expired before it was written')
      }
      d.emit({
        type: 'accepted',
        slot: p.slot,
        correlation: negotiation,
        peer: toHex(p.buyer),
        energyWh: hold.energyWh,
        price: p.price,
        ...step('accepted')
      })
      const sellerSignature = signTerms(terms, d.signer)
      this.#signatures.set(id, sellerSignature)
      return { kind: 'accept' as const, accept: { negotiation: p.id, terms, sellerSignature, holdUntil } }
    })
  }

  async #answerConfirm(channel: FramedChannel, c: Confirm): Promise<void> {
    const d = this.#d
    try {
      const id = await this.commitConfirm(c, channel.elapsedMs())
      await channel.send(seal('committed', { tradeId: Buffer.from(id, 'hex') }, d.signer))
    } catch (err) {
      const code = err instanceof NegotiationError ? err.code : 'error'
      await channel.send(seal('reject', { negotiation: c.terms.negotiation, code, detail: (err as Error).message.slice(0, 200) }, d.signer))
    }
  }

  /**
   * Turns a confirmed hold into a committed trade (idempotent by trade id). Returns the trade id. A confirm that
   * comes while the same trade's commit is being journaled (the buyer's retry of a confirm whose answer was slow)
   * gets that commit's answer: it found the hold already taken and no record yet, and was refused `expired`,
   * the buyer voided the trade and bought its energy again, and then the first confirm's `committed` arrived
   * (the soak: 539 Wh overbought).
   */
  async commitConfirm(c: Confirm, elapsedMs = 0): Promise<string> {
    const d = this.#d
    const terms = c.terms
    const id = tradeId(terms)
    if (toHex(c.tradeId) !== id) throw new NegotiationError('bad-confirm', 'trade id does not match the terms')
    if (!bytesEqual(terms.seller, d.signer.publicKey)) throw new NegotiationError('wrong-seller', 'these terms name another seller')
    if (!verifyTermsSignature(terms, terms.buyer, c.buyerSignature))
      throw new NegotiationError('bad-signature', "the buyer's signature on the terms does not verify")
    const inFlight = this.#committing.get(id)
    if (inFlight != null) return await inFlight
    const committing = this.#commitOnce(c, id, elapsedMs)
    this.#committing.set(id, committing)
    try {
      return await committing
    } finally {
      this.#committing.delete(id)
    }
  }

  async #commitOnce(c: Confirm, id: string, elapsedMs: number): Promise<string> {
    const d = this.#d
    const terms = c.terms
    const existing = await d.journal.getTrade(id)
    if (existing?.status === 'committed') return id
    const negotiation = toHex(terms.negotiation)
    const now = d.clock.now() + elapsedMs
    const hold = d.positions.getHold(terms.slot, negotiation)
    if (hold == null || hold.holdUntil <= now)
      throw new NegotiationError('expired', 'no live hold for this negotiation: it expired or was never made')
    if (this.#signed.get(negotiation) !== id) throw new NegotiationError('bad-confirm', 'confirmed terms differ from the accepted ones')
    // Ed25519 is deterministic: the signature made at accept time is the one to keep (after a restart, sign again)
    const trade = { id, terms, buyerSignature: c.buyerSignature, sellerSignature: this.#signatures.get(id) ?? signTerms(terms, d.signer) }
    // commit in memory first, synchronously with the check above: nothing (an expiry sweep on the next
    // tick, another confirm) can take the hold while the journal write is in flight
    if (!d.positions.commit(terms.slot, negotiation, now))
      throw new NegotiationError('expired', 'the hold expired before the confirm arrived')
    const crossWh = this.#cross.drop(terms.slot, negotiation)
    this.#cross.addCommitted(terms.slot, crossWh)
    try {
      await d.journal.commitSellerTrade(trade, negotiation, now)
    } catch (err) {
      // not journaled, so not a trade: give the energy back (the buyer's retry will find no hold)
      d.positions.addCommitted(terms.slot, -hold.energyWh)
      this.#cross.addCommitted(terms.slot, -crossWh)
      throw err
    }
    this.#signed.delete(negotiation)
    this.#signatures.delete(id)
    this.#lapses.confirmed(toHex(terms.buyer))
    const mine = toHex(terms.seller)
    d.emit({
      type: 'trade-committed',
      slot: terms.slot,
      correlation: id,
      peer: toHex(terms.buyer),
      energyWh: terms.energyWh,
      price: terms.price,
      detail: 'seller',
      id: stepId(mine, negotiation, 'committed'),
      parent: stepId(mine, negotiation, 'accepted')
    })
    return id
  }

  /** Wh this seller sold to, or holds for, buyers of other feeders in `slot` */
  crossWh(slot: number): number {
    return this.#cross.wh(slot)
  }

  /** After a restart: a committed trade sold to another feeder counts against the share again. */
  restoreCrossCommitted(slot: number, wh: number): void {
    this.#cross.addCommitted(slot, wh)
  }

  /** Forgets cross-feeder bookkeeping of slots before `slot` (they are closed). */
  dropBefore(slot: number): void {
    this.#cross.dropBefore(slot)
  }

  async #release(slot: number, negotiation: string, reason: string): Promise<void> {
    this.#cross.drop(slot, negotiation)
    const h = this.#d.positions.release(slot, negotiation)
    if (h != null) {
      await this.#d.journal.releaseHold(negotiation, reason)
      const me = toHex(this.#d.signer.publicKey)
      this.#d.emit({
        type: 'reservation-released',
        slot,
        correlation: negotiation,
        energyWh: h.energyWh,
        code: reason,
        id: stepId(me, negotiation, 'released'),
        parent: stepId(me, negotiation, 'accepted')
      })
    }
  }

  /** Restores a hold from the journal after a restart. */
  restoreHold(negotiation: string, tradeIdHex: string, cross?: { slot: number; energyWh: number }): void {
    this.#signed.set(negotiation, tradeIdHex)
    if (cross != null) this.#cross.hold(cross.slot, negotiation, cross.energyWh)
  }

  /** Releases holds past their time, journaling each release. */
  async expireHolds(): Promise<void> {
    const now = this.#d.clock.now()
    for (const h of this.#d.positions.expire(now)) {
      const id = this.#signed.get(h.negotiation)
      if (id != null) this.#signatures.delete(id)
      this.#cross.drop(h.slot, h.negotiation)
      this.#signed.delete(h.negotiation)
      this.#lapses.lapsed(h.counterparty, now)
      await this.#d.journal.releaseHold(h.negotiation, 'expired')
      const me = toHex(this.#d.signer.publicKey)
      this.#d.emit({
        type: 'reservation-released',
        slot: h.slot,
        correlation: h.negotiation,
        energyWh: h.energyWh,
        code: 'expired',
        id: stepId(me, h.negotiation, 'released'),
        parent: stepId(me, h.negotiation, 'accepted')
      })
    }
  }
}

export { NEGOTIATION_PROTOCOL }
