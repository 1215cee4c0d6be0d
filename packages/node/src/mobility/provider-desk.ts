import { createHash } from 'node:crypto'
import {
  ProtocolError, RIDE_PROTOCOL, decodeLegTerms, encodeLegTerms, fromHex, iotaAddress, legIdOf, mobilityLimits, openAs, open,
  seal, signLegTerms, toHex, verifyLegTerms, type Clock, type Commit, type LegTerms, type Quote, type QuoteRequest, type Release
} from '@kvartal/protocol'
import {
  Inventory, ReceiptLedger, VehicleBudget, cancellationFee, fromE6, tripIndex, type HeldLeg, type TripLocation
} from '@kvartal/mobility'
import { openChannel as openStream, peerIdOfTrader, type ChannelMeter, type FramedChannel, type KvartalHost, type NodeIdentity } from '@kvartal/mesh'
import type { Settlement } from '@kvartal/settlement'
import type { Journal } from '../journal.ts'
import type { Emit } from '../events.ts'
import { planFromWire } from './pricing-wire.ts'
import { defaultProviderHoldMs, type ProviderService } from './provider-service.ts'
import { BookingRefusedError, VEHICLE, checkLegTerms, quotedLegs, serviceOffer, type ProviderState } from './provider-terms.ts'
import { PROVIDER_LEGS, RIDE_RECEIPTS, type ProviderLegRecord, type RideReceiptRecord } from './provider-records.ts'
import type { MobilityWritePoint } from '../write-points.ts'
import { bookingStep } from './booking-steps.ts'

export interface ProviderDeskDeps {
  readonly host: KvartalHost
  readonly identity: NodeIdentity
  readonly district: string
  readonly journal: Journal
  readonly clock: Clock
  readonly service: ProviderService
  readonly emit: Emit
  readonly settlement?: Settlement
  readonly holdMs?: number
  readonly frameTimeoutMs: number
  readonly signal: AbortSignal
  readonly meter?: ChannelMeter
}

/** statuses of a leg the provider still has to act on */
const OPEN = new Set(['PENDING', 'CONFIRMED', 'STARTED', 'CANCELLING'])

/**
 * The provider's side of mobility: answers quotes, holds, commits, releases and cancellations on
 * booking streams; it is the only authority over its seats and its vehicle, and journals every promise
 * before it sends it. A vehicle also meters rides and collects cumulative receipts.
 */
export class ProviderDesk {
  readonly #d: ProviderDeskDeps
  readonly inventory = new Inventory()
  readonly receipts = new ReceiptLedger()
  readonly budget?: VehicleBudget
  readonly #trips?: Map<string, TripLocation>
  #assetSeq = 0
  #assetId = ''
  /** where the vehicle is parked: its configured place, then wherever its last ride ended (journaled) */
  #position?: { lat: number, lon: number }
  #offerSeq = 0
  /** legs still open (held, confirmed, started, cancelling), by leg id: what ticks and commits look at */
  readonly #open = new Map<string, ProviderLegRecord>()
  /** legs being committed or cancelled right now: one at a time per leg */
  readonly #busy = new Map<string, Promise<unknown>>()

  constructor (deps: ProviderDeskDeps) {
    this.#d = deps
    const s = deps.service
    if (s.kind === 'vehicle') {
      this.inventory.setCapacity(VEHICLE, 1)
      if (s.battery != null) this.budget = new VehicleBudget(s.battery)
    } else {
      this.#trips = tripIndex(s.timetable)
    }
  }

  /** this provider's key (hex): its steps' ids */
  get #me (): string { return this.#d.identity.id }

  get holdMs (): number { return this.#d.holdMs ?? defaultProviderHoldMs }
  get position (): { lat: number, lon: number } {
    const s = this.#d.service
    return this.#position ?? (s.kind === 'vehicle' ? s.position : { lat: 0, lon: 0 })
  }

  /** The vehicle's public id for its next trip (GBFS: rotates per trip; the stable identity is the signing key). */
  get assetId (): string { return this.#assetId }

  async start (): Promise<void> {
    const { journal, clock } = this.#d
    this.#assetSeq = await journal.nextCounter('asset-rotation', 0)
    this.#rotateAsset()
    this.#offerSeq = await journal.nextCounter('service-offer', 0)
    // where the last ride parked it (a journal of an older version kept the place in a record of its own)
    const parked = await journal.getRecord<{ lat: number, lon: number }>('vehicle', 'position')
    if (parked != null) this.#position = { lat: parked.lat, lon: parked.lon }
    let lastEnd = -Infinity
    const now = clock.now()
    for (const [leg, r] of await journal.records<ProviderLegRecord>(PROVIDER_LEGS)) {
      if (r.parked != null && r.at > lastEnd) { lastEnd = r.at; this.#position = { lat: r.parked.lat, lon: r.parked.lon } }
      if (OPEN.has(r.status)) this.#open.set(leg, r)
      await this.#restore(leg, r, now)
    }
    for (const [leg, r] of await journal.records<RideReceiptRecord>(RIDE_RECEIPTS)) {
      if (r.role !== 'vehicle') continue
      const terms = await this.#termsOf(leg)
      const plan = planFromWire(terms?.pricing)
      if (plan != null) this.receipts.apply(this.#receiptTerms(r), plan)
    }
  }

  #rotateAsset (): void {
    this.#assetId = createHash('sha256').update(this.#d.identity.seed).update(`asset/${this.#assetSeq}`).digest('hex').slice(0, 12)
  }

  async #termsOf (leg: string): Promise<LegTerms | undefined> {
    const r = await this.#d.journal.getRecord<ProviderLegRecord>(PROVIDER_LEGS, leg)
    return r == null ? undefined : decodeLegTerms(fromHex(r.terms))
  }

  #receiptTerms (r: RideReceiptRecord): { ride: string, nonce: number, usage: { seconds: number, metres: number }, totalNanos: number } {
    const opened = openAs(fromHex(r.envelope), 'usage-receipt', mobilityLimits.maxFrameBytes)
    return { ride: r.leg, nonce: opened.message.nonce, usage: { seconds: opened.message.seconds, metres: opened.message.metres }, totalNanos: opened.message.total }
  }

  /** Rebuilds holds and sales from the journal: nothing leaked, nothing sold twice. */
  async #restore (leg: string, r: ProviderLegRecord, now: number): Promise<void> {
    const terms = decodeLegTerms(fromHex(r.terms))
    const resource = this.#resourceOf(terms)
    if (this.#trips != null && resource !== VEHICLE) this.inventory.setCapacity(resource, (this.#d.service as { seatsPerTrip: number }).seatsPerTrip)
    const base = { package: r.package, leg: r.legId, resource, from: r.from, to: r.to, units: r.units, holdUntil: r.holdUntil }
    if (r.status === 'PENDING') {
      if (r.holdUntil <= now) {
        await this.#put(leg, { ...r, status: 'EXPIRED', reason: 'expired-while-down', at: now }, 'provider-expire')
        this.#d.emit({ type: 'leg-released', correlation: r.package, code: 'expired', detail: `${r.resource} (expired while the node was down)`, id: bookingStep.expired(this.#me, r.package, r.legId), parent: bookingStep.held(this.#me, r.package, r.legId) })
        return
      }
      this.inventory.restore({ ...base, state: 'held' })
      this.#restoreRide(leg, r, terms)
    } else if (r.status === 'CONFIRMED' || r.status === 'STARTED') {
      this.inventory.restore({ ...base, state: 'committed' })
      this.#restoreRide(leg, r, terms)
    } else if (r.status === 'CANCELLING') {
      // the refund was journaled as owed before it was paid: pay it (idempotent by key) and finish. A leg
      // refunded because its hold ran out before the commit (#commit) never got its seat back, which may
      // be sold to another traveller by now: restoring it would overfill the trip and stop the start
      if (r.reason !== 'expired-before-commit') this.inventory.restore({ ...base, state: 'committed' })
      await this.#finishCancel(leg, r, terms)
    }
  }

  /**
   * A journaled ride takes its charge back in the battery budget. The budget itself is not journaled
   * (it is rebuilt from rides, and energy trades re-book as they commit), so a restored ride can meet a
   * plan that no longer fits: the ride stays sold, and the conflict is said, never hidden.
   */
  #restoreRide (leg: string, r: ProviderLegRecord, terms: LegTerms): void {
    const ok = this.budget?.reserveRide(leg, r.from, r.to, terms.distanceM)
    if (ok != null && !ok.ok) this.#d.emit({ type: 'negotiation-failed', correlation: r.package, code: 'battery-overcommitted', detail: `restored ride ${leg.slice(0, 12)}: ${ok.detail}` })
  }

  #resourceOf (t: LegTerms): string { return this.#d.service.kind === 'vehicle' ? VEHICLE : t.resource }

  async #put (leg: string, r: ProviderLegRecord, point: MobilityWritePoint): Promise<void> {
    await this.#d.journal.putRecord(PROVIDER_LEGS, leg, r as unknown as Record<string, unknown>, point)
    if (OPEN.has(r.status)) this.#open.set(leg, r); else this.#open.delete(leg)
  }

  // ---- gossip ----

  /** The signed service offer to gossip now (the vehicle's current asset id, charge and place). */
  async offer (now: number, validMs: number, addrs: Uint8Array[]): Promise<Uint8Array> {
    this.#offerSeq = await this.#d.journal.nextCounter('service-offer', this.#offerSeq)
    const offer = serviceOffer(this.#state, {
      version: 1, district: this.#d.district, provider: this.#d.identity.signer.publicKey, seq: this.#offerSeq, issuedAt: now, validUntil: now + validMs,
      availableFrom: now, availableUntil: now + validMs, addrs: addrs.slice(0, mobilityLimits.maxAddrs)
    }, now)
    return seal('service-offer', offer, this.#d.identity.signer)
  }

  get #state (): ProviderState {
    return { service: this.#d.service, position: this.position, assetId: this.#assetId, inventory: this.inventory, budget: this.budget, trips: this.#trips }
  }

  // ---- booking streams ----

  /** Serves one booking stream: one request, one answer. */
  async handle (ch: FramedChannel): Promise<void> {
    const opened = open(await ch.receive(), { maxBytes: mobilityLimits.maxFrameBytes, kinds: ['quote-request', 'hold-request', 'commit', 'release'] })
    const signer = this.#d.identity.signer
    try {
      let answer: Uint8Array
      switch (opened.kind) {
        case 'quote-request': answer = seal('quote', this.#quote(opened.message as QuoteRequest, opened.signer), signer); break
        case 'hold-request': answer = await this.#hold((opened.message as { terms: LegTerms }).terms, opened.signer); break
        case 'commit': answer = await this.#serial(toHex((opened.message as Commit).leg), async () => await this.#commit(opened.message as Commit, opened.signer)); break
        default: answer = await this.#serial(toHex((opened.message as Release).leg), async () => await this.#release(opened.message as Release, opened.signer))
      }
      await ch.send(answer)
    } catch (err) {
      if (err instanceof BookingRefusedError) {
        const m = opened.message as { terms?: LegTerms, package?: Uint8Array, legId?: string, cancel?: boolean }
        const pkg = m.terms?.package ?? m.package ?? new Uint8Array(0)
        await ch.send(seal('booking-reject', { package: pkg, legId: m.terms?.legId ?? m.legId ?? '', code: err.code, detail: err.message }, signer))
        // the refusal answers the traveller's step: its holding, or (a commit, a cancellation) its payment
        const traveller = toHex(opened.signer)
        const answers = opened.kind === 'commit' || (opened.kind === 'release' && m.cancel === true) ? bookingStep.paid : bookingStep.holding
        this.#d.emit({ type: 'booking-refused', code: err.code, detail: err.message, peer: traveller, ...(pkg.length > 0 ? { correlation: toHex(pkg), parent: answers(traveller, toHex(pkg)) } : {}) })
        return
      }
      throw err
    }
  }

  async #serial<T> (leg: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#busy.get(leg) ?? Promise.resolve()
    const run = prev.then(fn, fn)
    const tail = run.catch(() => {})
    this.#busy.set(leg, tail)
    try { return await run } finally { if (this.#busy.get(leg) === tail) this.#busy.delete(leg) }
  }

  #quote (req: QuoteRequest, signer: Uint8Array): Quote {
    const now = this.#d.clock.now()
    if (!Buffer.from(signer).equals(Buffer.from(req.traveller))) throw new ProtocolError('wrong-signer', 'a quote request must be signed by its traveller')
    return { version: 1, request: req.id, provider: this.#d.identity.signer.publicKey, traveller: req.traveller, legs: quotedLegs(this.#state, req, now), issuedAt: now, expiresAt: Math.max(now + 1, Math.min(req.expiresAt, now + this.holdMs)) }
  }

  /** Checks the terms against what this provider sells, holds the capacity, journals, signs. */
  async #hold (terms: LegTerms, signer: Uint8Array): Promise<Uint8Array> {
    const { identity, district, clock } = this.#d
    const now = clock.now()
    if (!Buffer.from(signer).equals(Buffer.from(terms.traveller))) throw new BookingRefusedError('wrong-signer', 'a hold request must be signed by its traveller')
    if (terms.district !== district) throw new BookingRefusedError('wrong-district', `this provider serves ${district}`)
    if (!Buffer.from(terms.provider).equals(Buffer.from(identity.signer.publicKey))) throw new BookingRefusedError('wrong-provider', 'the terms name another provider')
    this.#checkTerms(terms, now)
    const leg = toHex(legIdOf(terms))
    const existing = await this.#d.journal.getRecord<ProviderLegRecord>(PROVIDER_LEGS, leg)
    if (existing != null && existing.status !== 'PENDING') throw new BookingRefusedError('conflict', `leg ${leg.slice(0, 12)} is already ${existing.status}`)
    const resource = this.#resourceOf(terms)
    const holdUntil = existing?.holdUntil ?? now + this.holdMs
    const r = this.inventory.hold({ package: toHex(terms.package), leg: terms.legId, resource, from: Number(terms.from), to: Number(terms.to), units: terms.units, holdUntil }, now)
    if (!r.ok) throw new BookingRefusedError(r.code, r.detail)
    if (this.budget != null && existing == null) {
      const ride = this.budget.reserveRide(leg, terms.from, terms.to, terms.distanceM)
      if (!ride.ok) { this.inventory.release(toHex(terms.package), terms.legId); throw new BookingRefusedError(ride.code, ride.detail) }
    }
    const providerSignature = signLegTerms(terms, identity.signer)
    if (existing == null) {
      try {
        await this.#put(leg, {
          status: 'PENDING', terms: toHex(encodeLegTerms(terms)), package: toHex(terms.package), legId: terms.legId, resource, from: terms.from, to: terms.to,
          units: terms.units, price: terms.price, holdUntil, providerSignature: toHex(providerSignature), at: now
        }, 'provider-hold')
      } catch (err) {
        this.inventory.release(toHex(terms.package), terms.legId); this.budget?.releaseRide(leg)
        throw err
      }
      const pkg = toHex(terms.package)
      this.#d.emit({ type: 'leg-held', correlation: pkg, detail: `${terms.mode} ${terms.resource} ×${terms.units} until ${holdUntil}`, peer: toHex(terms.traveller), id: bookingStep.held(this.#me, pkg, terms.legId), parent: bookingStep.holding(toHex(terms.traveller), pkg) })
    }
    return seal('held', { leg: legIdOf(terms), terms, providerSignature, holdUntil }, identity.signer)
  }

  #checkTerms (t: LegTerms, now: number): void {
    checkLegTerms(this.#state, t, now)
    if (this.#d.service.kind === 'transit' && !this.inventory.has(t.resource)) this.inventory.setCapacity(t.resource, this.#d.service.seatsPerTrip)
  }

  /** Confirms a held leg once its payment is on the ledger. Idempotent by (package, leg). */
  async #commit (c: Commit, signer: Uint8Array): Promise<Uint8Array> {
    const { identity, clock, journal } = this.#d
    const now = clock.now()
    const terms = c.terms!
    const leg = toHex(legIdOf(terms))
    if (leg !== toHex(c.leg)) throw new ProtocolError('malformed', 'the commit\'s leg id is not the hash of its terms')
    if (!Buffer.from(signer).equals(Buffer.from(terms.traveller)) || !verifyLegTerms(terms, terms.traveller, c.travellerSignature)) throw new BookingRefusedError('bad-signature', 'the traveller\'s signature on the leg does not verify')
    const r = await journal.getRecord<ProviderLegRecord>(PROVIDER_LEGS, leg)
    if (r == null) throw new BookingRefusedError('unknown-leg', 'no hold for this leg')
    const state = (status: string, extra: Partial<{ fee: number, refund: number, refundDigest: string }> = {}): Uint8Array =>
      seal('leg-state', { leg: c.leg, status, fee: extra.fee ?? 0, refund: extra.refund ?? 0, refundDigest: extra.refundDigest ?? '' }, identity.signer)
    if (r.status === 'CONFIRMED' || r.status === 'STARTED' || r.status === 'ENDED') return state(r.status)
    if (r.status === 'CANCELLED') return state('CANCELLED', { fee: r.fee, refund: r.refund, refundDigest: r.refundDigest })
    if (r.status === 'RELEASED') throw new BookingRefusedError('released', 'the traveller released this leg')
    // the money: a payment on the ledger from the traveller, paying this provider at least what it holds for the package
    const settlement = this.#d.settlement
    if (settlement == null) throw new BookingRefusedError('no-settlement', 'this provider has no ledger to check payments on')
    const paid = await settlement.lookup(c.paymentDigest, { signal: this.#d.signal })
    if (paid == null || paid.status !== 'confirmed') throw new BookingRefusedError('payment-not-found', `payment ${c.paymentDigest.slice(0, 16)} is not on the ledger`)
    if (paid.payer !== iotaAddress(terms.traveller)) throw new BookingRefusedError('payment-mismatch', 'the payment was not made by the traveller')
    const due = [...this.#open.values()].filter(x => x.package === r.package).reduce((a, x) => a + x.price, 0)
    const received = paid.transfers.filter(t => t.to === identity.iotaAddress).reduce((a, t) => a + t.amount, 0)
    if (received < due) throw new BookingRefusedError('payment-mismatch', `the payment brings ${received} nanos; this provider's legs of the package cost ${due}`)
    const pkg = r.package
    let held = this.inventory.commit(pkg, r.legId, now)
    if (held == null) {
      // the hold expired before the commit came (a traveller that crashed after paying, or this provider
      // down when it came): sell it anyway if the capacity is still there and the leg has not left yet;
      // otherwise refund in full, since the leg was never delivered
      const again = now < terms.departureTime ? this.inventory.hold({ package: pkg, leg: r.legId, resource: r.resource, from: r.from, to: r.to, units: r.units, holdUntil: now + this.holdMs }, now) : { ok: false }
      if (again.ok) held = this.inventory.commit(pkg, r.legId, now)
      if (held == null) {
        const refunding: ProviderLegRecord = { ...r, status: 'CANCELLING', fee: 0, refund: r.price, paymentDigest: c.paymentDigest, paymentKey: c.paymentKey, travellerSignature: toHex(c.travellerSignature), reason: 'expired-before-commit', at: now }
        await this.#put(leg, refunding, 'provider-refund')
        const done = await this.#finishCancel(leg, refunding, terms)
        return state('EXPIRED', { fee: 0, refund: done.refund, refundDigest: done.refundDigest })
      }
    }
    try {
      await this.#put(leg, { ...r, status: 'CONFIRMED', travellerSignature: toHex(c.travellerSignature), paymentDigest: c.paymentDigest, paymentKey: c.paymentKey, at: now }, 'provider-commit')
    } catch (err) {
      // not journaled, not confirmed: back to a hold that expires by itself
      this.inventory.release(pkg, r.legId)
      this.inventory.hold({ package: pkg, leg: r.legId, resource: r.resource, from: r.from, to: r.to, units: r.units, holdUntil: r.holdUntil }, now)
      throw err
    }
    this.#d.emit({ type: 'leg-confirmed', correlation: pkg, detail: `${terms.mode} ${terms.resource} ${terms.price} nanos`, peer: toHex(terms.traveller), id: bookingStep.confirmed(this.#me, pkg, r.legId), parent: bookingStep.paid(toHex(terms.traveller), pkg) })
    return state('CONFIRMED')
  }

  /** Releases a held leg (nothing was paid), or cancels a confirmed one under its terms, with a refund. */
  async #release (m: Release, signer: Uint8Array): Promise<Uint8Array> {
    const { identity, clock } = this.#d
    const now = clock.now()
    const leg = toHex(m.leg)
    const r = await this.#d.journal.getRecord<ProviderLegRecord>(PROVIDER_LEGS, leg)
    const state = (status: string, x: Partial<ProviderLegRecord> = {}): Uint8Array => seal('leg-state', { leg: m.leg, status, fee: x.fee ?? 0, refund: x.refund ?? 0, refundDigest: x.refundDigest ?? '' }, identity.signer)
    if (r == null) return state('RELEASED')
    const terms = decodeLegTerms(fromHex(r.terms))
    if (!Buffer.from(signer).equals(Buffer.from(terms.traveller))) throw new BookingRefusedError('wrong-signer', 'only the traveller who holds a leg may release or cancel it')
    if (r.status === 'PENDING') {
      this.inventory.release(r.package, r.legId); this.budget?.releaseRide(leg)
      await this.#put(leg, { ...r, status: 'RELEASED', at: now }, 'provider-release')
      this.#d.emit({ type: 'leg-released', correlation: r.package, detail: terms.resource, peer: toHex(terms.traveller), id: bookingStep.legReleased(this.#me, r.package, r.legId), parent: bookingStep.held(this.#me, r.package, r.legId) })
      return state('RELEASED')
    }
    if (r.status === 'CONFIRMED' && m.cancel) {
      const { fee, refund } = cancellationFee({ freeUntilS: terms.cancellation?.freeUntilS ?? 0, feeNanos: terms.cancellation?.feeNanos ?? 0, refundAfterStart: false }, r.price, 'CONFIRMED', terms.departureTime, now)
      const cancelling: ProviderLegRecord = { ...r, status: 'CANCELLING', fee, refund, reason: 'cancelled-by-traveller', at: now }
      await this.#put(leg, cancelling, 'provider-cancel')
      const done = await this.#finishCancel(leg, cancelling, terms)
      return state('CANCELLED', done)
    }
    if (r.status === 'CANCELLED') return state('CANCELLED', r)
    return state(r.status)
  }

  /** Pays the refund journaled as owed (idempotent by key), frees the capacity, journals CANCELLED. */
  async #finishCancel (leg: string, r: ProviderLegRecord, terms: LegTerms): Promise<ProviderLegRecord> {
    let refundDigest = ''
    if ((r.refund ?? 0) > 0) {
      const settlement = this.#d.settlement
      if (settlement == null) throw new BookingRefusedError('no-settlement', 'this provider cannot refund without a ledger')
      const paid = await settlement.pay({ key: `${this.#d.district}/refund/${leg}`, payer: this.#d.identity.iotaAddress, transfers: [{ to: iotaAddress(terms.traveller), amount: r.refund! }] }, { signal: this.#d.signal })
      refundDigest = paid.digest
    }
    this.inventory.release(r.package, r.legId); this.budget?.releaseRide(leg)
    const done: ProviderLegRecord = { ...r, status: 'CANCELLED', refundDigest, at: this.#d.clock.now() }
    await this.#put(leg, done, 'provider-cancelled')
    // a refund for a hold that lapsed before the commit answers the payment; a cancellation, the confirmed leg
    const after = r.reason === 'expired-before-commit' ? bookingStep.paid(toHex(terms.traveller), r.package) : bookingStep.confirmed(this.#me, r.package, r.legId)
    this.#d.emit({ type: 'leg-cancelled', correlation: r.package, detail: `fee ${r.fee ?? 0}, refund ${r.refund ?? 0}`, peer: toHex(terms.traveller), id: bookingStep.legCancelled(this.#me, r.package, r.legId), parent: after })
    return done
  }

  // ---- the clock: expiry and rides ----

  /** Expires holds, starts and meters rides. Returns how many rides it metered. */
  async tick (): Promise<void> {
    const now = this.#d.clock.now()
    for (const h of this.inventory.expire(now)) await this.#expire(h, now)
    if (this.#d.service.kind === 'vehicle') await this.#meterRides(now)
    else await this.#endTrips(now)
  }

  async #expire (h: HeldLeg, now: number): Promise<void> {
    for (const [leg, r] of [...this.#open]) {
      if (r.package === h.package && r.legId === h.leg && r.status === 'PENDING') {
        this.budget?.releaseRide(leg)
        await this.#put(leg, { ...r, status: 'EXPIRED', reason: 'hold-expired', at: now }, 'provider-expire')
        this.#d.emit({ type: 'leg-released', correlation: r.package, code: 'expired', detail: r.resource, id: bookingStep.expired(this.#me, r.package, r.legId), parent: bookingStep.held(this.#me, r.package, r.legId) })
      }
    }
  }

  async #endTrips (now: number): Promise<void> {
    for (const [leg, r] of [...this.#open]) {
      if (r.status !== 'CONFIRMED') continue
      const terms = decodeLegTerms(fromHex(r.terms))
      if (terms.arrivalTime <= now) await this.#put(leg, { ...r, status: 'ENDED', at: now }, 'provider-ended')
    }
  }

  /**
   * Pay per use: a confirmed rental starts at its window; every tick the vehicle reports the metered
   * minutes and metres and asks the traveller for a cumulative receipt. A late or refused receipt stops
   * the ride (the vehicle locks), so neither side risks more than one tick of use.
   */
  async #meterRides (now: number): Promise<void> {
    const s = this.#d.service
    if (s.kind !== 'vehicle') return
    for (const [leg, r] of [...this.#open]) {
      if ((r.status !== 'CONFIRMED' && r.status !== 'STARTED') || now < r.from) continue
      const terms = decodeLegTerms(fromHex(r.terms))
      const plan = planFromWire(terms.pricing)
      const durationS = Math.max(1, Math.floor((r.to - r.from) / 1000))
      const seconds = Math.min(durationS, Math.floor((now - r.from) / 1000))
      const metres = Math.floor(terms.distanceM * seconds / durationS)
      const ended = now >= r.to
      // the report's number follows the last receipt held, not only the last journaled report: a vehicle that
      // died between journaling a receipt and journaling the ride would otherwise send that number again with
      // more usage, which the traveller refuses as stale (and the ride stops)
      const seq = Math.max(r.reports ?? 0, this.receipts.latest(leg)?.nonce ?? 0) + 1
      let record: ProviderLegRecord = { ...r, status: ended ? 'ENDED' : 'STARTED', usedSeconds: seconds, usedMetres: metres, reports: plan != null ? seq : r.reports, at: now }
      if (plan != null) {
        const ok = await this.#collectReceipt(leg, terms, r, seq, seconds, metres, ended, plan)
        if (!ok) record = { ...record, status: 'ENDED', reason: 'receipt-late' }
      }
      if (record.status === 'ENDED' && (terms.toLatE6 !== 0 || terms.toLonE6 !== 0)) {
        // parked where the ride ended (or, stopped early, that far along the way), in the same write as the end
        const f = terms.distanceM > 0 ? Math.min(1, metres / terms.distanceM) : 1
        const at = this.position
        record = { ...record, parked: { lat: at.lat + (fromE6(terms.toLatE6) - at.lat) * f, lon: at.lon + (fromE6(terms.toLonE6) - at.lon) * f } }
      }
      await this.#put(leg, record, record.status === 'ENDED' ? 'provider-ended' : 'provider-started')
      if (record.status === 'ENDED') {
        if (record.parked != null) this.#position = record.parked
        this.budget?.releaseRide(leg)
        this.budget?.drive(metres)
        this.inventory.release(r.package, r.legId)
        this.#assetSeq = await this.#d.journal.nextCounter('asset-rotation', this.#assetSeq)
        this.#rotateAsset()
        this.#d.emit({ type: 'ride-ended', correlation: r.package, detail: `${seconds} s, ${metres} m${record.reason != null ? `, ${record.reason}` : ''}`, peer: toHex(terms.traveller), id: bookingStep.rideEnded(this.#me, r.package, r.legId), parent: bookingStep.confirmed(this.#me, r.package, r.legId) })
      }
    }
  }

  async #collectReceipt (leg: string, terms: LegTerms, r: ProviderLegRecord, seq: number, seconds: number, metres: number, ended: boolean, plan: NonNullable<ReturnType<typeof planFromWire>>): Promise<boolean> {
    const { host, identity, frameTimeoutMs, signal } = this.#d
    let ch: FramedChannel | undefined
    try {
      ch = await openStream(host, peerIdOfTrader(terms.traveller), RIDE_PROTOCOL, { frameTimeoutMs, maxFrameBytes: mobilityLimits.maxFrameBytes, meter: this.#d.meter, signal: AbortSignal.any([signal, AbortSignal.timeout(frameTimeoutMs)]) })
      await ch.send(seal('usage-report', { leg: legIdOf(terms), seq, seconds, metres, at: this.#d.clock.now(), ended }, identity.signer))
      const frame = await ch.receive()
      const opened = open(frame, { maxBytes: mobilityLimits.maxFrameBytes, kinds: ['usage-receipt', 'booking-reject'] })
      if (opened.kind !== 'usage-receipt') { this.#d.emit({ type: 'receipt-refused', correlation: r.package, code: (opened.message as { code: string }).code, detail: (opened.message as { detail: string }).detail, parent: bookingStep.confirmed(this.#me, r.package, r.legId) }); return false }
      const m = opened.message as import('@kvartal/protocol').UsageReceipt
      if (!Buffer.from(opened.signer).equals(Buffer.from(terms.traveller)) || toHex(m.leg) !== leg || !Buffer.from(m.payee).equals(Buffer.from(identity.signer.publicKey))) throw new ProtocolError('wrong-receipt', 'the receipt is not the traveller\'s for this ride')
      const outcome = this.receipts.apply({ ride: leg, nonce: m.nonce, usage: { seconds: m.seconds, metres: m.metres }, totalNanos: m.total }, plan)
      if (m.seconds < seconds || m.metres < metres) return false
      if (outcome === 'applied') {
        const rec: RideReceiptRecord = { leg, envelope: toHex(frame), nonce: m.nonce, total: m.total, payer: iotaAddress(m.payer), payee: identity.iotaAddress, issuedAt: m.issuedAt, final: ended, role: 'vehicle' }
        await this.#d.journal.putRecord(RIDE_RECEIPTS, leg, rec as unknown as Record<string, unknown>, 'vehicle-receipt')
      }
      return true
    } catch (err) {
      if (!signal.aborted) this.#d.emit({ type: 'receipt-late', correlation: r.package, code: (err as { code?: string }).code ?? (err as Error).name, detail: (err as Error).message, parent: bookingStep.confirmed(this.#me, r.package, r.legId) })
      return false
    } finally {
      await ch?.close().catch(() => {})
    }
  }
}
