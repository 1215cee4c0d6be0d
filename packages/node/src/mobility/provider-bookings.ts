import {
  JournalError,
  ProtocolError,
  encodeLegTerms,
  decodeLegTerms,
  fromHex,
  iotaAddress,
  legIdOf,
  mobilityLimits,
  open,
  seal,
  signLegTerms,
  toHex,
  verifyLegTerms,
  type Clock,
  type Commit,
  type LegTerms,
  type Quote,
  type QuoteRequest,
  type Release
} from '@kvartal/protocol'
import { cancellationFee, type Inventory, type VehicleBudget } from '@kvartal/mobility'
import type { FramedChannel, NodeIdentity } from '@kvartal/mesh'
import type { Settlement } from '@kvartal/settlement'
import type { Journal } from '../journal.ts'
import type { Emit } from '../events.ts'
import type { ProviderService } from './provider-service.ts'
import { BookingRefusedError, checkLegTerms, quotedLegs, type ProviderState } from './provider-terms.ts'
import { PROVIDER_LEGS, type ProviderLegRecord } from './provider-records.ts'
import type { MobilityWritePoint } from '../write-points.ts'
import { bookingStep } from './booking-steps.ts'

export interface ProviderBookingsDeps {
  readonly identity: NodeIdentity
  readonly district: string
  readonly journal: Journal
  readonly clock: Clock
  readonly service: ProviderService
  readonly emit: Emit
  readonly settlement?: Settlement
  readonly signal: AbortSignal
  /** the desk's seats and vehicle, and the vehicle's battery budget */
  readonly inventory: Inventory
  readonly budget: VehicleBudget | undefined
  /** how long a hold lasts (the desk's holdMs) */
  readonly holdMs: () => number
  /** what the desk knows right now that a quote or a check of terms depends on (provider-terms.ts) */
  readonly state: () => ProviderState
  /** the inventory resource a leg's terms take: the vehicle itself, or the seats of a trip */
  readonly resourceOf: (t: LegTerms) => string
  /** the desk's legs still open (held, confirmed, started, cancelling), by leg id */
  readonly open: ReadonlyMap<string, ProviderLegRecord>
  /** journals a leg's record; the desk keeps its open legs by it */
  readonly put: (leg: string, r: ProviderLegRecord, point: MobilityWritePoint) => Promise<void>
}

/**
 * The provider's answers on booking streams (provider-desk.ts owns the state and the journal they change):
 * quotes, holds, commits once the payment is on the ledger, releases, and cancellations with their refunds.
 * Each promise is journaled before it is sent.
 */
export class ProviderBookings {
  readonly #d: ProviderBookingsDeps
  /** legs being committed or cancelled right now: one at a time per leg */
  readonly #busy = new Map<string, Promise<unknown>>()

  constructor(deps: ProviderBookingsDeps) {
    this.#d = deps
  }

  /** this provider's key (hex): its steps' ids */
  get #me(): string {
    return this.#d.identity.id
  }

  /** Serves one booking stream: one request, one answer. */
  async handle(ch: FramedChannel): Promise<void> {
    const opened = open(await ch.receive(), {
      maxBytes: mobilityLimits.maxFrameBytes,
      kinds: ['quote-request', 'hold-request', 'commit', 'release']
    })
    const signer = this.#d.identity.signer
    try {
      let answer: Uint8Array
      switch (opened.kind) {
        case 'quote-request':
          answer = seal('quote', this.#quote(opened.message as QuoteRequest, opened.signer), signer)
          break
        case 'hold-request':
          answer = await this.#hold((opened.message as { terms: LegTerms }).terms, opened.signer)
          break
        case 'commit':
          answer = await this.#serial(
            toHex((opened.message as Commit).leg),
            async () => await this.#commit(opened.message as Commit, opened.signer)
          )
          break
        default:
          answer = await this.#serial(
            toHex((opened.message as Release).leg),
            async () => await this.#release(opened.message as Release, opened.signer)
          )
      }
      await ch.send(answer)
    } catch (err) {
      if (err instanceof BookingRefusedError) {
        const m = opened.message as { terms?: LegTerms; package?: Uint8Array; legId?: string; cancel?: boolean }
        const pkg = m.terms?.package ?? m.package ?? new Uint8Array(0)
        await ch.send(
          seal('booking-reject', { package: pkg, legId: m.terms?.legId ?? m.legId ?? '', code: err.code, detail: err.message }, signer)
        )
        // the refusal answers the traveller's step: its holding, or (a commit, a cancellation) its payment
        const traveller = toHex(opened.signer)
        const answers =
          opened.kind === 'commit' || (opened.kind === 'release' && m.cancel === true) ? bookingStep.paid : bookingStep.holding
        this.#d.emit({
          type: 'booking-refused',
          code: err.code,
          detail: err.message,
          peer: traveller,
          ...(pkg.length > 0 ? { correlation: toHex(pkg), parent: answers(traveller, toHex(pkg)) } : {})
        })
        return
      }
      throw err
    }
  }

  async #serial<T>(leg: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#busy.get(leg) ?? Promise.resolve()
    const run = prev.then(fn, fn)
    const tail = run.catch(() => {})
    this.#busy.set(leg, tail)
    try {
      return await run
    } finally {
      if (this.#busy.get(leg) === tail) this.#busy.delete(leg)
    }
  }

  #quote(req: QuoteRequest, signer: Uint8Array): Quote {
    const now = this.#d.clock.now()
    if (!Buffer.from(signer).equals(Buffer.from(req.traveller)))
      throw new ProtocolError('wrong-signer', 'a quote request must be signed by its traveller')
    return {
      version: 1,
      request: req.id,
      provider: this.#d.identity.signer.publicKey,
      traveller: req.traveller,
      legs: quotedLegs(this.#d.state(), req, now),
      issuedAt: now,
      expiresAt: Math.max(now + 1, Math.min(req.expiresAt, now + this.#d.holdMs()))
    }
  }

  /** Checks the terms against what this provider sells, holds the capacity, journals, signs. */
  async #hold(terms: LegTerms, signer: Uint8Array): Promise<Uint8Array> {
    const { identity, district, clock } = this.#d
    const now = clock.now()
    if (!Buffer.from(signer).equals(Buffer.from(terms.traveller)))
      throw new BookingRefusedError('wrong-signer', 'a hold request must be signed by its traveller')
    if (terms.district !== district) throw new BookingRefusedError('wrong-district', `this provider serves ${district}`)
    if (!Buffer.from(terms.provider).equals(Buffer.from(identity.signer.publicKey)))
      throw new BookingRefusedError('wrong-provider', 'the terms name another provider')
    this.#checkTerms(terms, now)
    // a hold is journaled before the Held that promises it: no journal, no new promises (as an energy seller); asked
    // before the journal is read, since a journal that refuses writes is also reopened now and then
    const refusing = this.#d.journal.refusing
    if (refusing != null)
      throw new BookingRefusedError(
        refusing.code,
        refusing.code === 'disk-full'
          ? "this provider's disk is full: it takes no new bookings until space returns"
          : 'this provider cannot write its journal: it takes no new bookings until it can'
      )
    const leg = toHex(legIdOf(terms))
    const existing = await this.#d.journal.getRecord<ProviderLegRecord>(PROVIDER_LEGS, leg)
    if (existing != null && existing.status !== 'PENDING')
      throw new BookingRefusedError('conflict', `leg ${leg.slice(0, 12)} is already ${existing.status}`)
    const resource = this.#d.resourceOf(terms)
    const holdUntil = existing?.holdUntil ?? now + this.#d.holdMs()
    const r = this.#d.inventory.hold(
      {
        package: toHex(terms.package),
        leg: terms.legId,
        resource,
        from: Number(terms.from),
        to: Number(terms.to),
        units: terms.units,
        holdUntil
      },
      now
    )
    if (!r.ok) throw new BookingRefusedError(r.code, r.detail)
    if (this.#d.budget != null && existing == null) {
      const ride = this.#d.budget.reserveRide(leg, terms.from, terms.to, terms.distanceM)
      if (!ride.ok) {
        this.#d.inventory.release(toHex(terms.package), terms.legId)
        throw new BookingRefusedError(ride.code, ride.detail)
      }
    }
    const providerSignature = signLegTerms(terms, identity.signer)
    if (existing == null) {
      try {
        await this.#d.put(
          leg,
          {
            status: 'PENDING',
            terms: toHex(encodeLegTerms(terms)),
            package: toHex(terms.package),
            legId: terms.legId,
            resource,
            from: terms.from,
            to: terms.to,
            units: terms.units,
            price: terms.price,
            holdUntil,
            providerSignature: toHex(providerSignature),
            at: now
          },
          'provider-hold'
        )
      } catch (err) {
        this.#d.inventory.release(toHex(terms.package), terms.legId)
        this.#d.budget?.releaseRide(leg)
        // the write that found the disk full (or failing): refused with its code, the seat given back
        if (err instanceof JournalError) throw new BookingRefusedError(err.code, `the hold could not be journaled: ${err.message}`)
        throw err
      }
      const pkg = toHex(terms.package)
      this.#d.emit({
        type: 'leg-held',
        correlation: pkg,
        detail: `${terms.mode} ${terms.resource} ×${terms.units} until ${holdUntil}`,
        peer: toHex(terms.traveller),
        id: bookingStep.held(this.#me, pkg, terms.legId),
        parent: bookingStep.holding(toHex(terms.traveller), pkg)
      })
    }
    return seal('held', { leg: legIdOf(terms), terms, providerSignature, holdUntil }, identity.signer)
  }

  #checkTerms(t: LegTerms, now: number): void {
    checkLegTerms(this.#d.state(), t, now)
    if (this.#d.service.kind === 'transit' && !this.#d.inventory.has(t.resource))
      this.#d.inventory.setCapacity(t.resource, this.#d.service.seatsPerTrip)
  }

  /** Confirms a held leg once its payment is on the ledger. Idempotent by (package, leg). */
  async #commit(c: Commit, signer: Uint8Array): Promise<Uint8Array> {
    const { identity, clock, journal } = this.#d
    const now = clock.now()
    const terms = c.terms!
    const leg = toHex(legIdOf(terms))
    if (leg !== toHex(c.leg)) throw new ProtocolError('malformed', "the commit's leg id is not the hash of its terms")
    if (!Buffer.from(signer).equals(Buffer.from(terms.traveller)) || !verifyLegTerms(terms, terms.traveller, c.travellerSignature))
      throw new BookingRefusedError('bad-signature', "the traveller's signature on the leg does not verify")
    const r = await journal.getRecord<ProviderLegRecord>(PROVIDER_LEGS, leg)
    if (r == null) throw new BookingRefusedError('unknown-leg', 'no hold for this leg')
    const state = (status: string, extra: Partial<{ fee: number; refund: number; refundDigest: string }> = {}): Uint8Array =>
      seal(
        'leg-state',
        { leg: c.leg, status, fee: extra.fee ?? 0, refund: extra.refund ?? 0, refundDigest: extra.refundDigest ?? '' },
        identity.signer
      )
    if (r.status === 'CONFIRMED' || r.status === 'STARTED' || r.status === 'ENDED') return state(r.status)
    if (r.status === 'CANCELLED') return state('CANCELLED', { fee: r.fee, refund: r.refund, refundDigest: r.refundDigest })
    if (r.status === 'RELEASED') throw new BookingRefusedError('released', 'the traveller released this leg')
    // the money: a payment on the ledger from the traveller, paying this provider at least what it holds for the package
    const settlement = this.#d.settlement
    if (settlement == null) throw new BookingRefusedError('no-settlement', 'this provider has no ledger to check payments on')
    const paid = await settlement.lookup(c.paymentDigest, { signal: this.#d.signal })
    if (paid == null || paid.status !== 'confirmed')
      throw new BookingRefusedError('payment-not-found', `payment ${c.paymentDigest.slice(0, 16)} is not on the ledger`)
    if (paid.payer !== iotaAddress(terms.traveller))
      throw new BookingRefusedError('payment-mismatch', 'the payment was not made by the traveller')
    const due = [...this.#d.open.values()].filter(x => x.package === r.package).reduce((a, x) => a + x.price, 0)
    const received = paid.transfers.filter(t => t.to === identity.iotaAddress).reduce((a, t) => a + t.amount, 0)
    if (received < due)
      throw new BookingRefusedError(
        'payment-mismatch',
        `the payment brings ${received} nanos; this provider's legs of the package cost ${due}`
      )
    const pkg = r.package
    let held = this.#d.inventory.commit(pkg, r.legId, now)
    if (held == null) {
      // the hold expired before the commit came (a traveller that crashed after paying, or this provider
      // down when it came): sell it anyway if the capacity is still there and the leg has not left yet;
      // otherwise refund in full, since the leg was never delivered
      const again =
        now < terms.departureTime
          ? this.#d.inventory.hold(
              {
                package: pkg,
                leg: r.legId,
                resource: r.resource,
                from: r.from,
                to: r.to,
                units: r.units,
                holdUntil: now + this.#d.holdMs()
              },
              now
            )
          : { ok: false }
      if (again.ok) held = this.#d.inventory.commit(pkg, r.legId, now)
      if (held == null) {
        const refunding: ProviderLegRecord = {
          ...r,
          status: 'CANCELLING',
          fee: 0,
          refund: r.price,
          paymentDigest: c.paymentDigest,
          paymentKey: c.paymentKey,
          travellerSignature: toHex(c.travellerSignature),
          reason: 'expired-before-commit',
          at: now
        }
        await this.#d.put(leg, refunding, 'provider-refund')
        const done = await this.finishCancel(leg, refunding, terms)
        return state('EXPIRED', { fee: 0, refund: done.refund, refundDigest: done.refundDigest })
      }
    }
    try {
      await this.#d.put(
        leg,
        {
          ...r,
          status: 'CONFIRMED',
          travellerSignature: toHex(c.travellerSignature),
          paymentDigest: c.paymentDigest,
          paymentKey: c.paymentKey,
          at: now
        },
        'provider-commit'
      )
    } catch (err) {
      // not journaled, not confirmed: back to a hold that expires by itself
      this.#d.inventory.release(pkg, r.legId)
      this.#d.inventory.hold(
        { package: pkg, leg: r.legId, resource: r.resource, from: r.from, to: r.to, units: r.units, holdUntil: r.holdUntil },
        now
      )
      throw err
    }
    this.#d.emit({
      type: 'leg-confirmed',
      correlation: pkg,
      detail: `${terms.mode} ${terms.resource} ${terms.price} nanos`,
      peer: toHex(terms.traveller),
      id: bookingStep.confirmed(this.#me, pkg, r.legId),
      parent: bookingStep.paid(toHex(terms.traveller), pkg)
    })
    return state('CONFIRMED')
  }

  /** Releases a held leg (nothing was paid), or cancels a confirmed one under its terms, with a refund. */
  async #release(m: Release, signer: Uint8Array): Promise<Uint8Array> {
    const { identity, clock } = this.#d
    const now = clock.now()
    const leg = toHex(m.leg)
    const r = await this.#d.journal.getRecord<ProviderLegRecord>(PROVIDER_LEGS, leg)
    const state = (status: string, x: Partial<ProviderLegRecord> = {}): Uint8Array =>
      seal('leg-state', { leg: m.leg, status, fee: x.fee ?? 0, refund: x.refund ?? 0, refundDigest: x.refundDigest ?? '' }, identity.signer)
    if (r == null) return state('RELEASED')
    const terms = decodeLegTerms(fromHex(r.terms))
    if (!Buffer.from(signer).equals(Buffer.from(terms.traveller)))
      throw new BookingRefusedError('wrong-signer', 'only the traveller who holds a leg may release or cancel it')
    if (r.status === 'PENDING') {
      this.#d.inventory.release(r.package, r.legId)
      this.#d.budget?.releaseRide(leg)
      await this.#d.put(leg, { ...r, status: 'RELEASED', at: now }, 'provider-release')
      this.#d.emit({
        type: 'leg-released',
        correlation: r.package,
        detail: terms.resource,
        peer: toHex(terms.traveller),
        id: bookingStep.legReleased(this.#me, r.package, r.legId),
        parent: bookingStep.held(this.#me, r.package, r.legId)
      })
      return state('RELEASED')
    }
    if (r.status === 'CONFIRMED' && m.cancel) {
      const { fee, refund } = cancellationFee(
        { freeUntilS: terms.cancellation?.freeUntilS ?? 0, feeNanos: terms.cancellation?.feeNanos ?? 0, refundAfterStart: false },
        r.price,
        'CONFIRMED',
        terms.departureTime,
        now
      )
      const cancelling: ProviderLegRecord = { ...r, status: 'CANCELLING', fee, refund, reason: 'cancelled-by-traveller', at: now }
      await this.#d.put(leg, cancelling, 'provider-cancel')
      const done = await this.finishCancel(leg, cancelling, terms)
      return state('CANCELLED', done)
    }
    if (r.status === 'CANCELLED') return state('CANCELLED', r)
    return state(r.status)
  }

  /** Pays the refund journaled as owed (idempotent by key), frees the capacity, journals CANCELLED. */
  async finishCancel(leg: string, r: ProviderLegRecord, terms: LegTerms): Promise<ProviderLegRecord> {
    let refundDigest = ''
    if ((r.refund ?? 0) > 0) {
      const settlement = this.#d.settlement
      if (settlement == null) throw new BookingRefusedError('no-settlement', 'this provider cannot refund without a ledger')
      const paid = await settlement.pay(
        {
          key: `${this.#d.district}/refund/${leg}`,
          payer: this.#d.identity.iotaAddress,
          transfers: [{ to: iotaAddress(terms.traveller), amount: r.refund! }]
        },
        { signal: this.#d.signal }
      )
      refundDigest = paid.digest
    }
    this.#d.inventory.release(r.package, r.legId)
    this.#d.budget?.releaseRide(leg)
    const done: ProviderLegRecord = { ...r, status: 'CANCELLED', refundDigest, at: this.#d.clock.now() }
    await this.#d.put(leg, done, 'provider-cancelled')
    // a refund for a hold that lapsed before the commit answers the payment; a cancellation, the confirmed leg
    const after =
      r.reason === 'expired-before-commit'
        ? bookingStep.paid(toHex(terms.traveller), r.package)
        : bookingStep.confirmed(this.#me, r.package, r.legId)
    this.#d.emit({
      type: 'leg-cancelled',
      correlation: r.package,
      detail: `fee ${r.fee ?? 0}, refund ${r.refund ?? 0}`,
      peer: toHex(terms.traveller),
      id: bookingStep.legCancelled(this.#me, r.package, r.legId),
      parent: after
    })
    return done
  }
}
