import { randomBytes } from 'node:crypto'
import { encodeLegTerms, legIdOf, signLegTerms, toHex, errorCode, type Clock, type LegTerms } from '@kvartal/protocol'
import type { Journey, Timetable } from '@kvartal/mobility'
import type { ChannelMeter, FramedChannel, KvartalHost, NodeIdentity } from '@kvartal/mesh'
import type { Settlement } from '@kvartal/settlement'
import type { Journal } from '../journal.ts'
import type { Emit } from '../events.ts'
import type { MobilityWritePoint } from '../write-points.ts'
import type { PackageRecord } from './traveller-records.ts'
import type { ServiceBook } from './service-book.ts'
import { BookingError, JourneyPlanner, type JourneyPlan, type JourneyRequest } from './journey-planner.ts'
import { RideReceipts } from './traveller-rides.ts'
import { RideLinks } from './ride-link.ts'
import { bookingStep } from './booking-steps.ts'
import { TravellerPackages } from './traveller-packages.ts'
import { PackagePhases } from './package-phases.ts'

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
 * every leg (package-phases.ts). The package's phase is journaled before each step (traveller-packages.ts),
 * so a restart resumes or unwinds it. While a rented vehicle is in use it checks the metered use and signs
 * cumulative receipts.
 */
export class TravellerDesk {
  readonly #d: TravellerDeskDeps
  readonly planner: JourneyPlanner
  readonly rides: RideReceipts
  readonly #active = new Set<string>()
  /** the journal's packages, the unfinished ones and the confirmed legs (traveller-packages.ts) */
  readonly #packages: TravellerPackages
  /** hold, release, pay, commit, cancel (package-phases.ts) */
  readonly #phases: PackagePhases

  constructor(deps: TravellerDeskDeps) {
    this.#d = deps
    this.#packages = new TravellerPackages(deps.journal)
    this.#phases = new PackagePhases({ ...deps, packages: this.#packages })
    this.planner = new JourneyPlanner(deps)
    this.rides = new RideReceipts({ ...deps, findLeg: async leg => await this.#packages.confirmedLeg(leg) })
    // while it rides a vehicle, a lost connection to it is dialled again (the vehicle may have restarted)
    // (it listens on the host until the node's signal aborts: nothing else holds it)
    new RideLinks({ ...deps, confirmed: () => this.#packages.confirmedLegs() })
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
    let rec = (await this.#packages.get(pkgHex))!
    if (rec.phase === 'holding') rec = await this.#phases.holdAll(pkgHex, rec)
    if (rec.phase === 'releasing') rec = await this.#phases.releaseAll(pkgHex, rec)
    if (rec.phase === 'paying') rec = await this.#phases.pay(pkgHex, rec)
    if (rec.phase === 'committing') rec = await this.#phases.commitAll(pkgHex, rec)
    if (rec.phase === 'cancelling') rec = await this.#phases.cancelLegs(pkgHex, rec, rec.reason ?? 'cancelled-by-traveller')
    return this.#outcome(pkgHex, rec)
  }

  /** Journals a package (traveller-packages.ts) at a write point of its booking. */
  async #put(pkgHex: string, r: PackageRecord, point: MobilityWritePoint): Promise<void> {
    await this.#packages.put(pkgHex, r, point)
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

  /**
   * Cancels a confirmed package: every confirmed leg under its cancellation terms, refunds through
   * settlement. A leg whose provider gives no answer stays CONFIRMED (with its error code) and the package
   * CONFIRMED in phase `cancelling`: every tick (`resume`) asks again, as cancelling again would, until the
   * provider answers; providers answer a repeat idempotently. A leg the provider refuses to cancel stays
   * CONFIRMED, and the package with it.
   */
  async cancel(pkgHex: string, reason = 'cancelled-by-traveller'): Promise<PackageRecord> {
    const rec = await this.#packages.get(pkgHex)
    if (rec == null) throw new BookingError('unknown-package', `no package ${pkgHex}`)
    if (rec.status !== 'CONFIRMED')
      throw new BookingError(
        'not-cancellable',
        `package ${pkgHex.slice(0, 12)} is ${rec.status}${rec.phase !== 'done' ? ` (${rec.phase})` : ''}: ` +
          `only a confirmed package can be cancelled`
      )
    // the cancellation is journaled before it is sent: a traveller killed before the answer finishes it after
    // its restart (resume), where the provider may already have cancelled and refunded
    const cancelling: PackageRecord = rec.phase === 'cancelling' ? rec : { ...rec, phase: 'cancelling', reason, at: this.#d.clock.now() }
    // the cancellation is this call's from the moment it is journaled: a tick's resume would otherwise find it
    // `cancelling` and send it a second time while this call waits for the answer (a second traveller-cancelled
    // write and event; the provider answers a repeat alike). A tick already driving it keeps it
    const mine = !this.#active.has(pkgHex)
    if (mine) this.#active.add(pkgHex)
    try {
      if (cancelling !== rec) await this.#put(pkgHex, cancelling, 'traveller-cancelling')
      return await this.#phases.cancelLegs(pkgHex, cancelling, reason)
    } finally {
      if (mine) this.#active.delete(pkgHex)
    }
  }

  /** After a restart, and on every tick: finish every package whose booking did not reach its end. */
  async resume(): Promise<void> {
    await this.#packages.load()
    for (const [pkgHex, listed] of this.#packages.unfinished()) {
      if (listed.phase === 'done' || this.#active.has(pkgHex)) continue
      this.#active.add(pkgHex)
      try {
        // read again once it is this loop's: the list was taken before an earlier package's drive, which can wait
        // on a slow provider for seconds, and a booking that was holding then may have been paid and confirmed
        // since. Unwound from the stale record, such a package was RELEASED after its payment (the soak: the
        // operator kept the seat and the fare, the traveller's package said RELEASED, no restart involved)
        const r = await this.#packages.get(pkgHex)
        if (r == null || r.phase === 'done') continue
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
    return await this.#packages.all()
  }

  // ---- pay per use ----

  /** Serves a ride stream: checks a vehicle's usage report against the plan, signs a cumulative receipt. */
  async handleRide(ch: FramedChannel): Promise<void> {
    await this.rides.handleRide(ch)
  }
}
