import { randomBytes } from 'node:crypto'
import {
  BOOKING_PROTOCOL, KvartalError, ProtocolError, decodeLegTerms, encodeLegTerms, fromHex, iotaAddress, legIdOf, mobilityLimits, open, seal, signLegTerms,
  toHex, verifyLegTerms, type Clock, type Held, type LegState, type LegTerms, type Quote, type UsageReceipt, type UsageReport, type BookingReject
} from '@kvartal/protocol'
import {
  Mode, UsageCheck, fareNanos, fromE6, toE6, pickByPreference, planJourneys, rankJourneys, tripIndex, zoneAndNeighbours, zoneOf, buildTimetable,
  type Coordinate, type Journey, type JourneyLeg, type OnDemandLeg, type PlanResult, type PreferenceWeights, type Timetable, type TripLocation
} from '@kvartal/mobility'
import { openChannel as openStream, peerIdOfTrader, type ChannelMeter, type FramedChannel, type KvartalHost, type NodeIdentity } from '@kvartal/mesh'
import type { Settlement } from '@kvartal/settlement'
import { multiaddr } from '@multiformats/multiaddr'
import type { Journal } from '../journal.ts'
import type { Emit } from '../events.ts'
import { planFromWire } from './pricing-wire.ts'
import { serviceDayStart } from './provider-service.ts'
import { RIDE_RECEIPTS, type RideReceiptRecord } from './provider-records.ts'
import { PACKAGES, type PackageLegRecord, type PackageRecord } from './traveller-records.ts'
import type { ServiceBook } from './service-book.ts'

export interface TravellerDeskDeps {
  readonly host: KvartalHost
  readonly identity: NodeIdentity
  readonly district: string
  readonly journal: Journal
  readonly clock: Clock
  readonly services: ServiceBook
  /** the district's GTFS timetable, when it has transit */
  readonly timetable?: Timetable
  readonly settlement?: Settlement
  readonly emit: Emit
  readonly frameTimeoutMs: number
  readonly signal: AbortSignal
  readonly meter?: ChannelMeter
}

/** What a traveller asks for. Times in ms since the Unix epoch; places exact (they stay on this node). */
export interface JourneyRequest {
  readonly from: Coordinate
  readonly to: Coordinate
  /** leave no earlier than this; with only `arriveBy`, the search starts two hours before it */
  readonly departAfter?: number
  /** arrive no later than this (journeys that arrive later are dropped) */
  readonly arriveBy?: number
  /** modes to avoid (the rest of `modes`, or of all modes) */
  readonly avoidModes?: readonly Mode[]
  readonly travellers?: number
  readonly modes?: readonly Mode[]
  readonly maxWalkingM?: number
  readonly maxTransfers?: number
  readonly accessibility?: readonly string[]
  readonly weights?: PreferenceWeights
  /** how many nearby vehicles to ask for quotes */
  readonly maxQuotes?: number
}

export interface JourneyPlan extends PlanResult {
  readonly request: JourneyRequest & { readonly departAfter: number }
  /** service-day start the journeys' times (seconds) count from */
  readonly dayStartMs: number
  /** on-demand legs by offer id: who quoted them, until when */
  readonly quotes: ReadonlyMap<string, { provider: Uint8Array, leg: Quote['legs'][number], expiresAt: number, addrs: Uint8Array[] }>
}

export interface BookingOutcome {
  readonly package: string
  readonly status: string
  readonly legs: ReadonlyArray<{ legId: string, status: string, code?: string }>
  readonly total: number
  readonly paymentDigest?: string
  readonly reason?: string
}

/** A journey that cannot be booked as asked (no provider for a leg, no ledger). */
export class BookingError extends KvartalError {
  constructor (code: string, message: string) { super(code, message); this.name = 'BookingError' }
}

const EMPTY_TIMETABLE = buildTimetable({ stops: [], routes: [], trips: [], stop_times: [] })

/**
 * The traveller's side of mobility: asks nearby vehicles for quotes (coarse zones only), plans on its
 * own (McRAPTOR over the timetable and the quoted legs), then books all legs or none: holds every leg in
 * parallel, releases all if one fails, else pays every provider in one ledger transaction and commits
 * every leg. The package's phase is journaled before each step, so a restart resumes or unwinds it.
 * While a rented vehicle is in use it checks the metered use and signs cumulative receipts.
 */
export class TravellerDesk {
  readonly #d: TravellerDeskDeps
  readonly #trips: Map<string, TripLocation>
  readonly #routeAgency = new Map<string, string>()
  readonly #checks = new Map<string, UsageCheck>()
  readonly #active = new Set<string>()
  /** packages whose booking has not reached its end, and confirmed legs by leg id: what ticks and rides look at */
  readonly #unfinished = new Map<string, PackageRecord>()
  readonly #confirmed = new Map<string, PackageLegRecord>()
  #loaded = false

  constructor (deps: TravellerDeskDeps) {
    this.#d = deps
    const tt = deps.timetable ?? EMPTY_TIMETABLE
    this.#trips = tripIndex(tt)
    for (const p of tt.patterns) this.#routeAgency.set(p.route.route_id, p.route.agency_id ?? '')
  }

  get timetable (): Timetable { return this.#d.timetable ?? EMPTY_TIMETABLE }

  // ---- planning ----

  async plan (req: JourneyRequest): Promise<JourneyPlan> {
    const { clock, identity, district, services, host, frameTimeoutMs, signal } = this.#d
    const now = clock.now()
    if (req.departAfter == null && req.arriveBy == null) throw new BookingError('bad-request', 'a journey request needs departAfter or arriveBy')
    // arrive-by is searched forward from two hours before (a reverse search would find the latest departure)
    const departAfter = req.departAfter ?? Math.max(now, req.arriveBy! - 2 * 3_600_000)
    const modes = req.avoidModes == null ? req.modes : (req.modes ?? Object.values(Mode)).filter(m => !req.avoidModes!.includes(m))
    const dayStartMs = serviceDayStart(departAfter, this.timetable.timezone)
    const fromZone = zoneOf(req.from); const toZone = zoneOf(req.to)
    const near = new Set(zoneAndNeighbours(fromZone))
    const travellers = req.travellers ?? 1
    const candidates = services.vehicles(now, near, modes?.filter(m => m !== 'WALK'))
      .sort((a, b) => dist(a.offer, req.from) - dist(b.offer, req.from)).slice(0, req.maxQuotes ?? 6)
    const quotes = new Map<string, { provider: Uint8Array, leg: Quote['legs'][number], expiresAt: number, addrs: Uint8Array[] }>()
    const offers: OnDemandLeg[] = []
    const request = {
      version: 1, district, id: randomBytes(16), traveller: identity.signer.publicKey, fromZone, toZone, departAfter, arriveBy: req.arriveBy ?? 0, travellers,
      modes: [...(modes ?? [])].filter(m => m !== 'WALK'), maxWalkingM: req.maxWalkingM ?? 1_000, accessibility: [...(req.accessibility ?? [])], expiresAt: now + 60_000
    }
    const sealed = seal('quote-request', request, identity.signer)
    await Promise.all(candidates.map(async (c) => {
      try {
        const answer = await this.#exchange(c.offer.provider, sealed, ['quote'])
        const q = answer.message as Quote
        if (!Buffer.from(answer.signer).equals(Buffer.from(c.offer.provider)) || !Buffer.from(q.request).equals(request.id)) return
        for (const l of q.legs) {
          const id = `${toHex(c.offer.provider).slice(0, 16)}:${l.legId}`
          quotes.set(id, { provider: c.offer.provider, leg: l, expiresAt: q.expiresAt, addrs: c.offer.addrs })
          offers.push({
            id, provider: toHex(c.offer.provider), mode: l.mode as Mode,
            from: { lat: fromE6(l.fromLatE6), lon: fromE6(l.fromLonE6) }, to: { lat: fromE6(l.toLatE6), lon: fromE6(l.toLonE6) },
            durationS: l.durationS, price: l.price, co2: l.co2G, distance: l.distanceM,
            availableFrom: Math.max(0, Math.floor((Math.max(l.availableFrom, departAfter) - dayStartMs) / 1000)),
            availableUntil: Math.floor((Math.min(l.availableUntil, q.expiresAt + 3_600_000) - dayStartMs) / 1000)
          })
        }
      } catch (err) {
        if (!signal.aborted) this.#d.emit({ type: 'negotiation-failed', code: 'quote-failed', detail: (err as Error).message, peer: toHex(c.offer.provider) })
      }
    }))
    void host; void frameTimeoutMs
    let result = planJourneys(this.timetable, {
      from: req.from, to: req.to, departAfter: Math.floor((departAfter - dayStartMs) / 1000),
      ...(req.maxWalkingM != null ? { maxWalkingM: req.maxWalkingM } : {}), ...(req.maxTransfers != null ? { maxTransfers: req.maxTransfers } : {}),
      ...(modes != null ? { modes } : {})
    }, offers, req.weights)
    if (req.arriveBy != null) {
      const latest = Math.floor((req.arriveBy - dayStartMs) / 1000)
      const journeys = result.journeys.filter(j => j.arrivalTime <= latest)
      const startS = Math.floor((departAfter - dayStartMs) / 1000)
      result = { ...result, journeys, ranked: rankJourneys(journeys), preferred: pickByPreference(journeys, startS, req.weights) }
    }
    this.#d.emit({ type: 'journey-planned', detail: `${result.journeys.length} journeys, ${offers.length} quoted legs from ${candidates.length} vehicles` })
    return { ...result, request: { ...req, departAfter }, dayStartMs, quotes }
  }

  /** One request, one answer, over a fresh booking stream to a provider. */
  async #exchange (provider: Uint8Array, frame: Uint8Array, kinds: Array<'quote' | 'held' | 'leg-state'>): Promise<ReturnType<typeof open>> {
    const { host, frameTimeoutMs, signal } = this.#d
    const peer = peerIdOfTrader(provider)
    // connected already, or dial the addresses the provider gossiped in its offer
    const addrs = host.getConnections(peer).length > 0 ? [] : this.#d.services.addrsOf(toHex(provider)).map(b => multiaddr(b))
    const ch = await openStream(host, addrs.length > 0 ? addrs : peer, BOOKING_PROTOCOL, { frameTimeoutMs, maxFrameBytes: mobilityLimits.maxFrameBytes, meter: this.#d.meter, signal: AbortSignal.any([signal, AbortSignal.timeout(frameTimeoutMs)]) })
    try {
      await ch.send(frame)
      const answer = open(await ch.receive(), { maxBytes: mobilityLimits.maxFrameBytes, kinds: [...kinds, 'booking-reject'] })
      if (!Buffer.from(answer.signer).equals(Buffer.from(provider))) throw new ProtocolError('wrong-signer', 'the answer is not signed by the provider')
      return answer
    } finally {
      await ch.close().catch(() => {})
    }
  }

  // ---- booking ----

  /** The legs of a journey as terms to sign: one per vehicle leg, with the provider that sells it. */
  termsFor (plan: JourneyPlan, journey: Journey, pkg: Uint8Array): Array<{ terms: LegTerms, provider: Uint8Array }> {
    const { district, identity, clock, services } = this.#d
    const now = clock.now()
    const travellers = plan.request.travellers ?? 1
    const out: Array<{ terms: LegTerms, provider: Uint8Array }> = []
    journey.legs.forEach((l: JourneyLeg, i) => {
      if (l.mode === 'WALK') return
      const base = {
        version: 1, district, package: pkg, legId: `leg-${i}`, traveller: identity.signer.publicKey, mode: l.mode, units: travellers,
        departureTime: plan.dayStartMs + l.departureTime * 1000, arrivalTime: plan.dayStartMs + l.arrivalTime * 1000, distanceM: l.distance, co2G: l.co2
      }
      if (l.tripId != null) {
        const loc = this.#trips.get(l.tripId)
        const agency = this.#routeAgency.get(l.routeId ?? '') ?? ''
        const operator = services.operator(agency, now)
        if (loc == null || operator == null) throw new BookingError('no-provider', `no operator sells tickets for trip ${l.tripId} (agency ${agency || 'unknown'})`)
        const from = loc.stopIds.indexOf(l.from.stopId ?? '')
        const to = loc.stopIds.indexOf(l.to.stopId ?? '', from + 1)
        if (from < 0 || to < 0) throw new BookingError('bad-leg', `trip ${l.tripId} does not run from ${l.from.stopId} to ${l.to.stopId}`)
        out.push({ provider: operator.offer.provider, terms: { ...base, provider: operator.offer.provider, resource: l.tripId, from, to, price: l.price * travellers, pricing: EMPTY_PLAN, cancellation: operator.offer.cancellation ?? { freeUntilS: 0, feeNanos: 0 }, fromStopId: l.from.stopId ?? '', toStopId: l.to.stopId ?? '', toLatE6: 0, toLonE6: 0 } })
        return
      }
      const q = plan.quotes.get(l.legId ?? '')
      if (q == null) throw new BookingError('no-provider', `leg ${i} (${l.mode}) has no quote`)
      const plan0 = planFromWire(q.leg.pricing)
      // pay per use: the unlock fee at checkout, the use by cumulative receipts
      out.push({ provider: q.provider, terms: { ...base, units: 1, provider: q.provider, resource: q.leg.assetId, from: base.departureTime, to: base.arrivalTime, price: plan0?.price ?? l.price, pricing: q.leg.pricing ?? EMPTY_PLAN, cancellation: q.leg.cancellation ?? { freeUntilS: 0, feeNanos: 0 }, fromStopId: '', toStopId: '', toLatE6: toE6(l.to.lat), toLonE6: toE6(l.to.lon) } })
    })
    return out
  }

  /** Books every leg of a journey or none. */
  async book (plan: JourneyPlan, journey: Journey): Promise<BookingOutcome> {
    const { identity, clock } = this.#d
    if (this.#d.settlement == null) throw new BookingError('no-settlement', 'booking needs a ledger to pay providers: configure settlement')
    const pkg = randomBytes(16)
    const pkgHex = toHex(pkg)
    const legs = this.termsFor(plan, journey, pkg)
    if (legs.length === 0) throw new BookingError('nothing-to-book', 'the journey is on foot: there is nothing to book')
    const now = clock.now()
    const rec: PackageRecord = {
      status: 'PENDING', phase: 'holding', total: legs.reduce((a, l) => a + l.terms.price, 0), paymentKey: `${this.#d.district}/booking/${pkgHex}`,
      createdAt: now, departureTime: plan.dayStartMs + journey.departureTime * 1000, arrivalTime: plan.dayStartMs + journey.arrivalTime * 1000, co2: journey.co2, at: now,
      legs: legs.map(l => ({ legId: l.terms.legId, leg: toHex(legIdOf(l.terms)), terms: toHex(encodeLegTerms(l.terms)), provider: toHex(l.provider), status: 'OFFERED', travellerSignature: toHex(signLegTerms(l.terms, identity.signer)) }))
    }
    // the package is this call's from the moment it is journaled: a tick's resume must not unwind it
    this.#active.add(pkgHex)
    try {
      await this.#put(pkgHex, rec, 'traveller-package')
      return await this.#drive(pkgHex)
    } finally { this.#active.delete(pkgHex) }
  }


  /** Drives a package from its journaled phase to the end (also after a restart); the caller owns it in #active. */
  async #drive (pkgHex: string): Promise<BookingOutcome> {
    let rec = (await this.#get(pkgHex))!
    if (rec.phase === 'holding') rec = await this.#holdAll(pkgHex, rec)
    if (rec.phase === 'releasing') rec = await this.#releaseAll(pkgHex, rec)
    if (rec.phase === 'paying') rec = await this.#pay(pkgHex, rec)
    if (rec.phase === 'committing') rec = await this.#commitAll(pkgHex, rec)
    return this.#outcome(pkgHex, rec)
  }

  #outcome (pkgHex: string, r: PackageRecord): BookingOutcome {
    return { package: pkgHex, status: r.status, total: r.total, legs: r.legs.map(l => ({ legId: l.legId, status: l.status, ...(l.code != null ? { code: l.code } : {}) })), ...(r.paymentDigest != null ? { paymentDigest: r.paymentDigest } : {}), ...(r.reason != null ? { reason: r.reason } : {}) }
  }

  async #get (pkgHex: string): Promise<PackageRecord | undefined> { return await this.#d.journal.getRecord<PackageRecord>(PACKAGES, pkgHex) }
  async #put (pkgHex: string, r: PackageRecord, point: string): Promise<void> {
    await this.#d.journal.putRecord(PACKAGES, pkgHex, r as unknown as Record<string, unknown>, point)
    this.#index(pkgHex, r)
  }

  #index (pkgHex: string, r: PackageRecord): void {
    if (r.phase === 'done') this.#unfinished.delete(pkgHex); else this.#unfinished.set(pkgHex, r)
    for (const l of r.legs) if (l.status === 'CONFIRMED') this.#confirmed.set(l.leg, l); else this.#confirmed.delete(l.leg)
  }

  /** Reads the journal's packages once, after a start. */
  async #load (): Promise<void> {
    if (this.#loaded) return
    this.#loaded = true
    for (const [pkgHex, r] of await this.#d.journal.records<PackageRecord>(PACKAGES)) this.#index(pkgHex, r)
  }

  async #holdAll (pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const identity = this.#d.identity
    const results = await Promise.all(rec.legs.map(async (l): Promise<PackageLegRecord> => {
      const terms = decodeLegTerms(fromHex(l.terms))
      try {
        const answer = await this.#exchange(terms.provider, seal('hold-request', { terms }, identity.signer), ['held'])
        if (answer.kind === 'booking-reject') return { ...l, status: 'RELEASED', code: (answer.message as BookingReject).code }
        const h = answer.message as Held
        if (toHex(h.leg) !== l.leg || toHex(encodeLegTerms(h.terms!)) !== l.terms || !verifyLegTerms(terms, terms.provider, h.providerSignature)) return { ...l, status: 'UNKNOWN', code: 'bad-hold' }
        return { ...l, status: 'PENDING', holdUntil: h.holdUntil, providerSignature: toHex(h.providerSignature) }
      } catch (err) {
        // a timeout or a lost answer: the provider may hold it; releasing it is harmless either way
        this.#d.emit({ type: 'negotiation-failed', correlation: pkgHex, code: 'hold-failed', detail: (err as Error).message, peer: l.provider })
        return { ...l, status: 'UNKNOWN', code: (err as { code?: string }).code ?? 'unreachable' }
      }
    }))
    const all = results.every(l => l.status === 'PENDING')
    const next: PackageRecord = { ...rec, legs: results, phase: all ? 'paying' : 'releasing', reason: all ? undefined : results.find(l => l.status !== 'PENDING')?.code, at: this.#d.clock.now() }
    await this.#put(pkgHex, next, all ? 'traveller-held' : 'traveller-releasing')
    return next
  }

  async #releaseAll (pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const identity = this.#d.identity
    await Promise.all(rec.legs.map(async (l) => {
      if (l.status === 'RELEASED' && l.code != null) return
      const terms = decodeLegTerms(fromHex(l.terms))
      try { await this.#exchange(terms.provider, seal('release', { leg: fromHex(l.leg), package: terms.package, legId: l.legId, cancel: false }, identity.signer), ['leg-state']) } catch {
        // unreachable: its hold expires by itself
      }
    }))
    const next: PackageRecord = { ...rec, status: 'RELEASED', phase: 'done', legs: rec.legs.map(l => ({ ...l, status: 'RELEASED' })), at: this.#d.clock.now() }
    await this.#put(pkgHex, next, 'traveller-released')
    this.#d.emit({ type: 'package-released', correlation: pkgHex, code: rec.reason ?? 'released', detail: `${rec.legs.length} legs released, nothing paid` })
    return next
  }

  /** One payment to every provider of the package (one ledger transaction), idempotent by its key. */
  async #pay (pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const { settlement, identity, signal } = this.#d
    const byProvider = new Map<string, number>()
    for (const l of rec.legs) {
      const t = decodeLegTerms(fromHex(l.terms))
      const to = iotaAddress(t.provider)
      if (t.price > 0) byProvider.set(to, (byProvider.get(to) ?? 0) + t.price)
    }
    let digest = ''
    if (byProvider.size > 0) {
      const receipt = await settlement!.pay({ key: rec.paymentKey, payer: identity.iotaAddress, transfers: [...byProvider].map(([to, amount]) => ({ to, amount })) }, { signal })
      digest = receipt.digest
    }
    const next: PackageRecord = { ...rec, phase: 'committing', paymentDigest: digest, at: this.#d.clock.now() }
    await this.#put(pkgHex, next, 'traveller-paid')
    this.#d.emit({ type: 'package-paid', correlation: pkgHex, amount: rec.total, detail: `${byProvider.size} providers in one transaction ${digest.slice(0, 16)}` })
    return next
  }

  async #commitAll (pkgHex: string, rec: PackageRecord): Promise<PackageRecord> {
    const identity = this.#d.identity
    const legs = await Promise.all(rec.legs.map(async (l): Promise<PackageLegRecord> => {
      if (l.status !== 'PENDING') return l
      const terms = decodeLegTerms(fromHex(l.terms))
      try {
        const answer = await this.#exchange(terms.provider, seal('commit', { leg: fromHex(l.leg), terms, travellerSignature: fromHex(l.travellerSignature), paymentKey: rec.paymentKey, paymentDigest: rec.paymentDigest ?? '' }, identity.signer), ['leg-state'])
        if (answer.kind === 'booking-reject') return { ...l, code: (answer.message as BookingReject).code }
        const s = answer.message as LegState
        if (s.status === 'CONFIRMED' || s.status === 'STARTED' || s.status === 'ENDED') return { ...l, status: 'CONFIRMED', code: undefined }
        return { ...l, status: s.status, refund: s.refund, fee: s.fee, refundDigest: s.refundDigest }
      } catch (err) {
        return { ...l, code: (err as { code?: string }).code ?? 'timeout' }
      }
    }))
    const now = this.#d.clock.now()
    const pending = legs.filter(l => l.status === 'PENDING')
    let next: PackageRecord = { ...rec, legs, at: now }
    if (pending.length > 0) {
      // paid, and a provider has not confirmed yet (unreachable, or the payment not yet visible to it):
      // the next tick retries, until the leg would have left; after that nothing automatic can settle it
      const leaves = Math.min(...pending.map(l => decodeLegTerms(fromHex(l.terms)).departureTime))
      if (now < leaves) { await this.#put(pkgHex, next, 'traveller-committing'); return next }
      next = { ...next, phase: 'done', reason: `settle-by-hand: ${pending.map(l => `${l.legId} ${l.code ?? 'unconfirmed'}`).join(', ')}` }
      await this.#put(pkgHex, next, 'traveller-unresolved')
      this.#d.emit({ type: 'negotiation-failed', correlation: pkgHex, code: 'settle-by-hand', detail: `paid in ${rec.paymentDigest?.slice(0, 16)}, but ${pending.length} leg(s) were never confirmed before departure: ${next.reason}` })
      return next
    }
    if (legs.every(l => l.status === 'CONFIRMED')) {
      next = { ...next, status: 'CONFIRMED', phase: 'done' }
      await this.#put(pkgHex, next, 'traveller-confirmed')
      this.#d.emit({ type: 'package-booked', correlation: pkgHex, amount: rec.total, detail: `${legs.length} legs, paid in ${rec.paymentDigest?.slice(0, 16)}` })
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
  async cancel (pkgHex: string, reason = 'cancelled-by-traveller'): Promise<PackageRecord> {
    const rec = await this.#get(pkgHex)
    if (rec == null) throw new BookingError('unknown-package', `no package ${pkgHex}`)
    if (rec.status !== 'CONFIRMED') throw new BookingError('not-cancellable', `package ${pkgHex.slice(0, 12)} is ${rec.status}${rec.phase !== 'done' ? ` (${rec.phase})` : ''}: only a confirmed package can be cancelled`)
    return await this.#cancelLegs(pkgHex, rec, reason)
  }

  async #cancelLegs (pkgHex: string, rec: PackageRecord, reason: string): Promise<PackageRecord> {
    const identity = this.#d.identity
    const legs = await Promise.all(rec.legs.map(async (l): Promise<PackageLegRecord> => {
      if (l.status !== 'CONFIRMED') return l
      const terms = decodeLegTerms(fromHex(l.terms))
      try {
        const answer = await this.#exchange(terms.provider, seal('release', { leg: fromHex(l.leg), package: terms.package, legId: l.legId, cancel: true }, identity.signer), ['leg-state'])
        if (answer.kind === 'booking-reject') return { ...l, code: (answer.message as BookingReject).code }
        const s = answer.message as LegState
        return { ...l, status: s.status, fee: s.fee, refund: s.refund, refundDigest: s.refundDigest, code: undefined }
      } catch (err) {
        return { ...l, code: (err as { code?: string }).code ?? 'unreachable' }
      }
    }))
    const open = legs.filter(l => l.status === 'CONFIRMED').length
    const next: PackageRecord = { ...rec, legs, status: open === 0 ? 'CANCELLED' : 'CONFIRMED', phase: 'done', reason, at: this.#d.clock.now() }
    await this.#put(pkgHex, next, 'traveller-cancelled')
    this.#d.emit({ type: 'package-released', correlation: pkgHex, code: reason, amount: legs.reduce((a, l) => a + (l.refund ?? 0), 0), detail: `cancelled ${legs.filter(l => l.status === 'CANCELLED').length} legs${open > 0 ? `, ${open} still confirmed (provider unreachable: cancel again)` : ''}` })
    return next
  }


  /** After a restart, and on every tick: finish every package whose booking did not reach its end. */
  async resume (): Promise<void> {
    await this.#load()
    for (const [pkgHex, r] of [...this.#unfinished]) {
      if (r.phase === 'done' || this.#active.has(pkgHex)) continue
      this.#active.add(pkgHex)
      try {
        // a package caught while holding (a restart) is unwound: its holds are released or expire by themselves
        if (r.phase === 'holding') await this.#put(pkgHex, { ...r, phase: 'releasing', reason: 'restarted-while-holding', at: this.#d.clock.now() }, 'traveller-releasing')
        await this.#drive(pkgHex)
      } catch (err) {
        // nothing is lost: the phase is journaled, and the next tick tries again
        this.#d.emit({ type: 'negotiation-failed', correlation: pkgHex, code: (err as { code?: string }).code ?? 'booking-error', detail: (err as Error).message })
      } finally { this.#active.delete(pkgHex) }
    }
  }


  async packages (): Promise<Array<[string, PackageRecord]>> { return await this.#d.journal.records<PackageRecord>(PACKAGES) }

  // ---- pay per use ----

  /** Serves a ride stream: checks a vehicle's usage report against the plan, signs a cumulative receipt. */
  async handleRide (ch: FramedChannel): Promise<void> {
    const { identity, district, clock, journal } = this.#d
    const opened = open(await ch.receive(), { maxBytes: mobilityLimits.maxFrameBytes, kinds: ['usage-report'] })
    const report = opened.message as UsageReport
    const leg = toHex(report.leg)
    const found = await this.#findLeg(leg)
    const reject = async (code: string, detail: string): Promise<void> => {
      await ch.send(seal('booking-reject', { package: new Uint8Array(0), legId: '', code, detail }, identity.signer))
      this.#d.emit({ type: 'receipt-refused', correlation: leg, code, detail, peer: toHex(opened.signer) })
    }
    if (found == null) { await reject('unknown-leg', 'no booked ride with this id'); return }
    const terms = decodeLegTerms(fromHex(found.terms))
    if (!Buffer.from(opened.signer).equals(Buffer.from(terms.provider))) { await reject('wrong-signer', 'the report is not signed by the vehicle that was booked'); return }
    const plan = planFromWire(terms.pricing)
    if (plan == null) { await reject('no-pricing', 'this leg is not paid per use'); return }
    let check = this.#checks.get(leg)
    const last = await journal.getRecord<RideReceiptRecord>(RIDE_RECEIPTS, leg)
    if (check == null) {
      const bookedS = Math.ceil((terms.arrivalTime - terms.departureTime) / 1000)
      check = new UsageCheck({ ride: leg, plan, cap: fareNanos(plan, { seconds: bookedS, metres: terms.distanceM }), maxSecondsPerReport: bookedS + 60, maxMetresPerSecond: 60, ...(last != null ? { resume: receiptTermsOf(last) } : {}) })
      this.#checks.set(leg, check)
    }
    if (last != null && last.final) {
      // the ride is over: the final receipt again, never a new one
      await ch.send(fromHex(last.envelope)); return
    }
    let terms2
    try {
      terms2 = check.next({ ride: leg, seq: report.seq, usage: { seconds: report.seconds, metres: report.metres }, at: report.at }, clock.now())
    } catch (err) { await reject((err as { code?: string }).code ?? 'refused', (err as Error).message); return }
    const receipt: UsageReceipt = { version: 1, district, leg: report.leg, nonce: terms2.nonce, seconds: terms2.usage.seconds, metres: terms2.usage.metres, total: terms2.totalNanos, payer: identity.signer.publicKey, payee: terms.provider, issuedAt: clock.now() }
    const envelope = seal('usage-receipt', receipt, identity.signer)
    const rec: RideReceiptRecord = { leg, envelope: toHex(envelope), nonce: receipt.nonce, total: receipt.total, payer: identity.iotaAddress, payee: iotaAddress(terms.provider), issuedAt: receipt.issuedAt, final: report.ended, role: 'traveller' }
    // write before you send: the receipt is a promise to pay
    await journal.putRecord(RIDE_RECEIPTS, leg, rec as unknown as Record<string, unknown>, 'traveller-receipt')
    await ch.send(envelope)
    this.#d.emit({ type: 'receipt-signed', correlation: leg, amount: receipt.total, detail: `nonce ${receipt.nonce}, ${receipt.seconds} s, ${receipt.metres} m${report.ended ? ', final' : ''}`, peer: toHex(terms.provider) })
  }

  async #findLeg (leg: string): Promise<PackageLegRecord | undefined> {
    await this.#load()
    return this.#confirmed.get(leg)
  }
}

const EMPTY_PLAN = { planId: '', price: 0, perMinPricing: [], perKmPricing: [], maxPrice: 0 }

function dist (o: { latE6: number, lonE6: number }, c: Coordinate): number {
  const dLat = fromE6(o.latE6) - c.lat; const dLon = (fromE6(o.lonE6) - c.lon) * Math.cos(c.lat * Math.PI / 180)
  return dLat * dLat + dLon * dLon
}

function receiptTermsOf (r: RideReceiptRecord): { ride: string, nonce: number, usage: { seconds: number, metres: number }, totalNanos: number } {
  const m = open(fromHex(r.envelope), { maxBytes: mobilityLimits.maxFrameBytes, kinds: ['usage-receipt'] }).message as UsageReceipt
  return { ride: r.leg, nonce: m.nonce, usage: { seconds: m.seconds, metres: m.metres }, totalNanos: m.total }
}
