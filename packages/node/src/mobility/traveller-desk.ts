import { randomBytes } from 'node:crypto'
import {
  decodeLegTerms,
  encodeLegTerms,
  fromHex,
  iotaAddress,
  legIdOf,
  type open,
  seal,
  signLegTerms,
  toHex,
  verifyLegTerms,
  errorCode,
  type Clock,
  type Held,
  type LegState,
  type LegTerms,
  type BookingReject
} from '@kvartal/protocol'
import type { Journey, Timetable } from '@kvartal/mobility'
import type { ChannelMeter, FramedChannel, KvartalHost, NodeIdentity } from '@kvartal/mesh'
import type { Settlement } from '@kvartal/settlement'
import type { Journal } from '../journal.ts'
import type { Emit } from '../events.ts'
import { PACKAGES, type PackageLegRecord, type PackageRecord } from './traveller-records.ts'
import type { ServiceBook } from './service-book.ts'
import { BookingError, JourneyPlanner, type JourneyPlan, type JourneyRequest } from './journey-planner.ts'
import { exchangeWithProvider } from './provider-link.ts'
import { RideReceipts } from './traveller-rides.ts'
import { RideLinks } from './ride-link.ts'
import type { MobilityWritePoint } from '../write-points.ts'
import { bookingStep } from './booking-steps.ts'

export interface TravellerDeskDeps {
  readonly host: KvartalHost
  readonly identity: NodeIdentity
  readonly district: string
  readonly journal: Journal
  readonly clock: Clock
  readonly services: ServiceBook
  /** the district's GTFS timetable, when it has transit */
  readonly timetable?: Timetable
  /** GTFS agency_id → the key (hex) of the node that sells its tickets */
  readonly operators?: Readonly<Record<string, string>>
  readonly settlement?: Settlement
  readonly emit: Emit
  readonly frameTimeoutMs: number
  readonly signal: AbortSignal
  readonly meter?: ChannelMeter
  /** a ride's receipts close this long after its window (MobilityOptions.receiptGraceMs) */
  readonly receiptGraceMs: number
}

export interface BookingOutcome {
  readonly package: string
  readonly status: string
  readonly legs: ReadonlyArray<{ legId: string; status: string; code?: string }>
  readonly total: number
  readonly paymentDigest?: string
  readonly reason?: string
}

/**
 * The traveller's side of mobility: asks nearby vehicles for quotes (coarse zones only), plans on its
 * own (McRAPTOR over the timetable and the quoted legs), then books all legs or none: holds every leg in
 * parallel, releases all if one fails, else pays every provider in one ledger transaction and commits
 * every leg. The package's phase is journaled before each step, so a restart resumes or unwinds it.
 * While a rented vehicle is in use it checks the metered use and signs cumulative receipts.
 */
export class TravellerDesk {
  readonly #d: TravellerDeskDeps
  readonly planner: JourneyPlanner
  readonly rides: RideReceipts
  readonly #active = new Set<string>()
  /** packages whose booking has not reached its end, and confirmed legs by leg id: what ticks and rides look at */
  readonly #unfinished = new Map<string, PackageRecord>()
  readonly #confirmed = new Map<string, PackageLegRecord>()
  #loaded = false

  constructor(deps: TravellerDeskDeps) {
    this.#d = deps
    this.planner = new JourneyPlanner(deps)
    this.rides = new RideReceipts({ ...deps, findLeg: async leg => await this.#findLeg(leg) })
    // while it rides a vehicle, a lost connection to it is dialled again (the vehicle may have restarted)
    new RideLinks({ ...deps, confirmed: () => this.#confirmed.values() }) // eslint-disable-line no-new
  }

  get timetable(): Timetable {
    return this.planner.timetable
  }

  // ---- planning ----

  async plan(req: JourneyRequest): Promise<JourneyPlan> {
    return await this.planner.plan(req)
  }
  termsFor(plan: JourneyPlan, journey: Journey, pkg: Uint8Array): Array<{ terms: LegTerms; provider: Uint8Array }> {
    return this.planner.termsFor(plan, journey, pkg)
  }
  async #exchange(provider: Uint8Array, frame: Uint8Array, kinds: Array<'quote' | 'held' | 'leg-state'>): Promise<ReturnType<typeof open>> {
    return await exchangeWithProvider(this.#d, provider, frame, kinds)
  }

  // ---- booking ----

  /** Books every leg of a journey or none. */
  async book(plan: JourneyPlan, journey: Journey): Promise<BookingOutcome> {
    const { identity, clock } = this.#d
    if (this.#d.settlement == null) throw new BookingError('no-settlement', 'booking needs a ledger to pay providers: configure settlement')
    const pkg = randomBytes(16)
    const pkgHex = toHex(pkg)
    const legs = this.termsFor(plan, journey, pkg)
    if (legs.length === 0) throw new BookingError('nothing-to-book', 'the journey is on foot: there is nothing to book')
    const now = clock.now()
    const rec: PackageRecord = {
      status: 'PENDING',
      phase: 'holding',
      total: legs.reduce((a, l) => a + l.terms.price, 0),
      paymentKey: `${this.#d.district}/booking/${pkgHex}`,
      createdAt: now,
      departureTime: plan.dayStartMs + journey.departureTime * 1000,
      arrivalTime: plan.dayStartMs + journey.arrivalTime * 1000,
      co2: journey.co2,
      at: now,
      legs: legs.map(l => ({
        legId: l.terms.legId,
        leg: toHex(legIdOf(l.terms)),
        terms: toHex(encodeLegTerms(l.terms)),
        provider: toHex(l.provider),
        status: 'OFFERED',
        travellerSignature: toHex(signLegTerms(l.terms, identity.signer))
      }))
    }
    // the package is this call's from the moment it is journaled: a tick's resume must not unwind it
    this.#active.add(pkgHex)
    try {
      await this.#put(pkgHex, rec, 'traveller-package')
      this.#d.emit({
        type: 'package-holding',
        correlation: pkgHex,
        amount: rec.total,
        detail: `${legs.length} legs from ${new Set(rec.legs.map(l => l.provider)).size} providers`,
        id: bookingStep.holding(identity.id, pkgHex),
        ...(plan.event != null ? { parent: plan.event } : {})
      })
      return await this.#drive(pkgHex)
    } finally {
      this.#active.delete(pkgHex)
    }
  }

  /** Drives a package from its journaled phase to the end (also after a restart); the caller owns it in #active. */
  async #drive(pkgHex: string): Promise<BookingOutcome> {
    let rec = (await this.#get(pkgHex))!
    if (rec.phase === 'holding') rec = await this.#holdAll(pkgHex, rec)
    if (rec.phase === 'releasing') rec = await this.#releaseAll(pkgHex, rec)
    if (rec.phase === 'paying') rec = await this.#pay(pkgHex, rec)
    if (rec.phase === 'committing') rec = await this.#commitAll(pkgHex, rec)
    return this.#outcome(pkgHex, rec)
  }

  #outcome(pkgHex: string, r: PackageRecord): BookingOutcome {
    return {
      package: pkgHex,
      status: r.status,
      total: r.total,
      legs: r.legs.map(l => ({ legId: l.legId, status: l.status, ...(l.code != null ? { code: l.code } : {}) })),
      ...(r.paymentDigest != null ? { paymentDigest: r.paymentDigest } : {}),
      ...(r.reason != null ? { reason: r.reason } : {})
    }
  }

  async #get(pkgHex: string): Promise<PackageRecord | undefined> {
    return await this.#d.journal.getRecord<PackageRecord>(PACKAGES, pkgHex)
  }
  async #put(pkgHex: string, r: PackageRecord, point: MobilityWritePoint): Promise<void> {
    await this.#d.journal.putRecord(PACKAGES, pkgHex, r as unknown as Record<string, unknown>, point)
    this.#index(pkgHex, r)
  }

  #index(pkgHex: string, r: PackageRecord): void {
    if (r.phase === 'done') this.#unfinished.delete(pkgHex)
    else this.#unfinished.set(pkgHex, r)
    for (const l of r.legs)
      if (l.status === 'CONFIRMED') this.#confirmed.set(l.leg, l)
      else this.#confirmed.delete(l.leg)
  }

  /** Reads the journal's packages once, after a start. */
  async #load(): Promise<void> {
    if (this.#loaded) return
    this.#loaded = true
    for (const [pkgHex, r] of await this.#d.journal.records<PackageRecord>(PACKAGES)) this.#index(pkgHex, r)
  }

  async #holdAll(pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const identity = this.#d.identity
    const results = await Promise.all(
      rec.legs.map(async (l): Promise<PackageLegRecord> => {
        const terms = decodeLegTerms(fromHex(l.terms))
        try {
          const answer = await this.#exchange(terms.provider, seal('hold-request', { terms }, identity.signer), ['held'])
          if (answer.kind === 'booking-reject') return { ...l, status: 'RELEASED', code: (answer.message as BookingReject).code }
          const h = answer.message as Held
          if (
            toHex(h.leg) !== l.leg ||
            toHex(encodeLegTerms(h.terms!)) !== l.terms ||
            !verifyLegTerms(terms, terms.provider, h.providerSignature)
          )
            return { ...l, status: 'UNKNOWN', code: 'bad-hold' }
          return { ...l, status: 'PENDING', holdUntil: h.holdUntil, providerSignature: toHex(h.providerSignature) }
        } catch (err) {
          // a timeout or a lost answer: the provider may hold it; releasing it is harmless either way
          this.#d.emit({
            type: 'negotiation-failed',
            correlation: pkgHex,
            code: 'hold-failed',
            detail: (err as Error).message,
            peer: l.provider,
            id: bookingStep.holdFailed(identity.id, pkgHex, l.legId),
            parent: bookingStep.holding(identity.id, pkgHex)
          })
          return { ...l, status: 'UNKNOWN', code: errorCode(err, 'unreachable') }
        }
      })
    )
    const all = results.every(l => l.status === 'PENDING')
    const next: PackageRecord = {
      ...rec,
      legs: results,
      phase: all ? 'paying' : 'releasing',
      reason: all ? undefined : results.find(l => l.status !== 'PENDING')?.code,
      at: this.#d.clock.now()
    }
    await this.#put(pkgHex, next, all ? 'traveller-held' : 'traveller-releasing')
    return next
  }

  async #releaseAll(pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const identity = this.#d.identity
    await Promise.all(
      rec.legs.map(async l => {
        if (l.status === 'RELEASED' && l.code != null) return
        const terms = decodeLegTerms(fromHex(l.terms))
        try {
          await this.#exchange(
            terms.provider,
            seal('release', { leg: fromHex(l.leg), package: terms.package, legId: l.legId, cancel: false }, identity.signer),
            ['leg-state']
          )
        } catch {
          // unreachable: its hold expires by itself
        }
      })
    )
    const next: PackageRecord = {
      ...rec,
      status: 'RELEASED',
      phase: 'done',
      legs: rec.legs.map(l => ({ ...l, status: 'RELEASED' })),
      at: this.#d.clock.now()
    }
    await this.#put(pkgHex, next, 'traveller-released')
    this.#d.emit({
      type: 'package-released',
      correlation: pkgHex,
      code: rec.reason ?? 'released',
      detail: `${rec.legs.length} legs released, nothing paid`,
      id: bookingStep.released(identity.id, pkgHex),
      parent: bookingStep.holding(identity.id, pkgHex)
    })
    return next
  }

  /** One payment to every provider of the package (one ledger transaction), idempotent by its key. */
  async #pay(pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const { settlement, identity, signal } = this.#d
    const byProvider = new Map<string, number>()
    for (const l of rec.legs) {
      const t = decodeLegTerms(fromHex(l.terms))
      const to = iotaAddress(t.provider)
      if (t.price > 0) byProvider.set(to, (byProvider.get(to) ?? 0) + t.price)
    }
    let digest = ''
    if (byProvider.size > 0) {
      const receipt = await settlement!.pay(
        { key: rec.paymentKey, payer: identity.iotaAddress, transfers: [...byProvider].map(([to, amount]) => ({ to, amount })) },
        { signal }
      )
      digest = receipt.digest
    }
    const next: PackageRecord = { ...rec, phase: 'committing', paymentDigest: digest, at: this.#d.clock.now() }
    await this.#put(pkgHex, next, 'traveller-paid')
    this.#d.emit({
      type: 'package-paid',
      correlation: pkgHex,
      amount: rec.total,
      detail: `${byProvider.size} providers in one transaction ${digest.slice(0, 16)}`,
      id: bookingStep.paid(identity.id, pkgHex),
      parent: bookingStep.holding(identity.id, pkgHex)
    })
    return next
  }

  async #commitAll(pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const identity = this.#d.identity
    // legs whose provider answered this round, with a refusal: only those can be left to a person
    const refused = new Set<string>()
    const legs = await Promise.all(
      rec.legs.map(async (l): Promise<PackageLegRecord> => {
        if (l.status !== 'PENDING') return l
        const terms = decodeLegTerms(fromHex(l.terms))
        try {
          const answer = await this.#exchange(
            terms.provider,
            seal(
              'commit',
              {
                leg: fromHex(l.leg),
                terms,
                travellerSignature: fromHex(l.travellerSignature),
                paymentKey: rec.paymentKey,
                paymentDigest: rec.paymentDigest ?? ''
              },
              identity.signer
            ),
            ['leg-state']
          )
          if (answer.kind === 'booking-reject') {
            refused.add(l.legId)
            return { ...l, code: (answer.message as BookingReject).code }
          }
          const s = answer.message as LegState
          if (s.status === 'CONFIRMED' || s.status === 'STARTED' || s.status === 'ENDED')
            return { ...l, status: 'CONFIRMED', code: undefined }
          return { ...l, status: s.status, refund: s.refund, fee: s.fee, refundDigest: s.refundDigest }
        } catch (err) {
          return { ...l, code: errorCode(err, 'timeout') }
        }
      })
    )
    const now = this.#d.clock.now()
    const pending = legs.filter(l => l.status === 'PENDING')
    let next: PackageRecord = { ...rec, legs, at: now }
    if (pending.length > 0) {
      // paid, and a provider has not confirmed yet (unreachable, or the payment not yet visible to it):
      // the next tick retries, until the leg would have left. After that, a provider that did not answer
      // (down, unreachable) still decides the leg when it is back: it confirms a leg it had sold, and
      // refunds in full one whose hold lapsed (provider-bookings.ts #commit). So the traveller keeps asking,
      // and says once that it does; giving up there left a payment with no seat and no refund (the soak,
      // docs/faults.md). Only a provider that answers with a refusal after the departure (it cannot see
      // the payment, or finds it short) leaves the leg to a person.
      const leaves = Math.min(...pending.map(l => decodeLegTerms(fromHex(l.terms)).departureTime))
      if (now < leaves || pending.some(l => !refused.has(l.legId))) {
        const overdue = now >= leaves && rec.reason?.startsWith('overdue') !== true
        if (now >= leaves) next = { ...next, reason: `overdue: ${pending.map(l => `${l.legId} ${l.code ?? 'unconfirmed'}`).join(', ')}` }
        await this.#put(pkgHex, next, 'traveller-committing')
        if (overdue)
          this.#d.emit({
            type: 'package-overdue',
            correlation: pkgHex,
            detail: `paid in ${rec.paymentDigest?.slice(0, 16)}; ${next.reason}: asking again until the provider confirms or refunds`,
            id: bookingStep.overdue(identity.id, pkgHex),
            parent: bookingStep.paid(identity.id, pkgHex)
          })
        return next
      }
      next = { ...next, phase: 'done', reason: `settle-by-hand: ${pending.map(l => `${l.legId} ${l.code ?? 'unconfirmed'}`).join(', ')}` }
      await this.#put(pkgHex, next, 'traveller-unresolved')
      this.#d.emit({
        type: 'negotiation-failed',
        correlation: pkgHex,
        code: 'settle-by-hand',
        detail:
          `paid in ${rec.paymentDigest?.slice(0, 16)}, but ${pending.length} ` +
          `leg(s) were never confirmed before departure: ${next.reason}`,
        id: bookingStep.unresolved(identity.id, pkgHex),
        parent: bookingStep.paid(identity.id, pkgHex)
      })
      return next
    }
    if (legs.every(l => l.status === 'CONFIRMED')) {
      next = { ...next, status: 'CONFIRMED', phase: 'done' }
      await this.#put(pkgHex, next, 'traveller-confirmed')
      this.#d.emit({
        type: 'package-booked',
        correlation: pkgHex,
        amount: rec.total,
        detail: `${legs.length} legs, paid in ${rec.paymentDigest?.slice(0, 16)}`,
        id: bookingStep.booked(identity.id, pkgHex),
        parent: bookingStep.paid(identity.id, pkgHex)
      })
      return next
    }
    // a provider could no longer sell a paid leg and refunded it in full: the journey is broken, so the
    // other legs are cancelled under their terms (the traveller asked for all or none)
    await this.#put(pkgHex, next, 'traveller-committing')
    return await this.#cancelLegs(pkgHex, { ...next, status: 'CONFIRMED' }, 'leg-lost-after-payment')
  }

  /**
   * Cancels a confirmed package: every confirmed leg under its cancellation terms, refunds through
   * settlement. A leg whose provider cannot be reached stays CONFIRMED (with its error code) and the
   * package stays CONFIRMED, so cancelling again retries it; providers answer a repeat idempotently.
   */
  async cancel(pkgHex: string, reason = 'cancelled-by-traveller'): Promise<PackageRecord> {
    const rec = await this.#get(pkgHex)
    if (rec == null) throw new BookingError('unknown-package', `no package ${pkgHex}`)
    if (rec.status !== 'CONFIRMED')
      throw new BookingError(
        'not-cancellable',
        `package ${pkgHex.slice(0, 12)} is ${rec.status}${rec.phase !== 'done' ? ` (${rec.phase})` : ''}: ` +
          `only a confirmed package can be cancelled`
      )
    return await this.#cancelLegs(pkgHex, rec, reason)
  }

  async #cancelLegs(pkgHex: string, rec: PackageRecord, reason: string): Promise<PackageRecord> {
    const identity = this.#d.identity
    const legs = await Promise.all(
      rec.legs.map(async (l): Promise<PackageLegRecord> => {
        if (l.status !== 'CONFIRMED') return l
        const terms = decodeLegTerms(fromHex(l.terms))
        try {
          const answer = await this.#exchange(
            terms.provider,
            seal('release', { leg: fromHex(l.leg), package: terms.package, legId: l.legId, cancel: true }, identity.signer),
            ['leg-state']
          )
          if (answer.kind === 'booking-reject') return { ...l, code: (answer.message as BookingReject).code }
          const s = answer.message as LegState
          return { ...l, status: s.status, fee: s.fee, refund: s.refund, refundDigest: s.refundDigest, code: undefined }
        } catch (err) {
          return { ...l, code: errorCode(err, 'unreachable') }
        }
      })
    )
    const open = legs.filter(l => l.status === 'CONFIRMED').length
    const next: PackageRecord = {
      ...rec,
      legs,
      status: open === 0 ? 'CANCELLED' : 'CONFIRMED',
      phase: 'done',
      reason,
      at: this.#d.clock.now()
    }
    await this.#put(pkgHex, next, 'traveller-cancelled')
    // a cancellation follows the booking; a journey broken by a refunded leg was never booked, it follows the payment.
    // Only the last try has the step's id: a try that left a leg confirmed is asked again and says so again
    const me = identity.id
    const after = rec.phase === 'done' ? bookingStep.booked(me, pkgHex) : bookingStep.paid(me, pkgHex)
    this.#d.emit({
      type: 'package-released',
      correlation: pkgHex,
      code: reason,
      amount: legs.reduce((a, l) => a + (l.refund ?? 0), 0),
      detail:
        `cancelled ${legs.filter(l => l.status === 'CANCELLED').length} ` +
        `legs${open > 0 ? `, ${open} still confirmed (provider unreachable: cancel again)` : ''}`,
      ...(open === 0 ? { id: bookingStep.cancelled(me, pkgHex) } : {}),
      parent: after
    })
    return next
  }

  /** After a restart, and on every tick: finish every package whose booking did not reach its end. */
  async resume(): Promise<void> {
    await this.#load()
    for (const [pkgHex, r] of [...this.#unfinished]) {
      if (r.phase === 'done' || this.#active.has(pkgHex)) continue
      this.#active.add(pkgHex)
      try {
        // a package caught while holding (a restart) is unwound: its holds are released or expire by themselves
        if (r.phase === 'holding')
          await this.#put(
            pkgHex,
            { ...r, phase: 'releasing', reason: 'restarted-while-holding', at: this.#d.clock.now() },
            'traveller-releasing'
          )
        await this.#drive(pkgHex)
      } catch (err) {
        // nothing is lost: the phase is journaled, and the next tick tries again
        this.#d.emit({
          type: 'negotiation-failed',
          correlation: pkgHex,
          code: errorCode(err, 'booking-error'),
          detail: (err as Error).message
        })
      } finally {
        this.#active.delete(pkgHex)
      }
    }
  }

  async packages(): Promise<Array<[string, PackageRecord]>> {
    return await this.#d.journal.records<PackageRecord>(PACKAGES)
  }

  // ---- pay per use ----

  /** Serves a ride stream: checks a vehicle's usage report against the plan, signs a cumulative receipt. */
  async handleRide(ch: FramedChannel): Promise<void> {
    await this.rides.handleRide(ch)
  }

  async #findLeg(leg: string): Promise<PackageLegRecord | undefined> {
    await this.#load()
    return this.#confirmed.get(leg)
  }
}
