import { createHash } from 'node:crypto'
import {
  ProtocolError,
  RIDE_PROTOCOL,
  decodeLegTerms,
  errorCode,
  fromHex,
  iotaAddress,
  legIdOf,
  mobilityLimits,
  openAs,
  open,
  seal,
  toHex,
  type Clock,
  type LegTerms
} from '@kvartal/protocol'
import { Inventory, ReceiptLedger, VehicleBudget, fromE6, tripIndex, type HeldLeg, type TripLocation } from '@kvartal/mobility'
import {
  openChannel as openStream,
  peerIdOfTrader,
  type ChannelMeter,
  type FramedChannel,
  type KvartalHost,
  type NodeIdentity
} from '@kvartal/mesh'
import type { Settlement } from '@kvartal/settlement'
import type { Journal } from '../journal.ts'
import type { Emit } from '../events.ts'
import { planFromWire } from './pricing-wire.ts'
import { defaultProviderHoldMs, type ProviderService } from './provider-service.ts'
import { VEHICLE, serviceOffer, type ProviderState } from './provider-terms.ts'
import { PROVIDER_LEGS, RIDE_RECEIPTS, type ProviderLegRecord, type RideReceiptRecord } from './provider-records.ts'
import type { MobilityWritePoint } from '../write-points.ts'
import { bookingStep } from './booking-steps.ts'
import { untilConnected } from './ride-link.ts'
import { ProviderBookings } from './provider-bookings.ts'

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
 * booking streams (provider-bookings.ts); it is the only authority over its seats and its vehicle, and
 * journals every promise before it sends it. A vehicle also meters rides and collects cumulative receipts.
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
  #position?: { lat: number; lon: number }
  #offerSeq = 0
  /** legs still open (held, confirmed, started, cancelling), by leg id: what ticks and commits look at */
  readonly #open = new Map<string, ProviderLegRecord>()
  /** the answers on booking streams: quotes, holds, commits, releases, cancellations */
  readonly #bookings: ProviderBookings

  constructor(deps: ProviderDeskDeps) {
    this.#d = deps
    const s = deps.service
    if (s.kind === 'vehicle') {
      this.inventory.setCapacity(VEHICLE, 1)
      if (s.battery != null) this.budget = new VehicleBudget(s.battery)
    } else {
      this.#trips = tripIndex(s.timetable)
    }
    this.#bookings = new ProviderBookings({
      identity: deps.identity,
      district: deps.district,
      journal: deps.journal,
      clock: deps.clock,
      service: deps.service,
      emit: deps.emit,
      settlement: deps.settlement,
      signal: deps.signal,
      inventory: this.inventory,
      budget: this.budget,
      holdMs: () => this.holdMs,
      state: () => this.#state,
      resourceOf: t => this.#resourceOf(t),
      open: this.#open,
      put: async (leg, r, point) => {
        await this.#put(leg, r, point)
      }
    })
  }

  /** this provider's key (hex): its steps' ids */
  get #me(): string {
    return this.#d.identity.id
  }

  get holdMs(): number {
    return this.#d.holdMs ?? defaultProviderHoldMs
  }
  get position(): { lat: number; lon: number } {
    const s = this.#d.service
    return this.#position ?? (s.kind === 'vehicle' ? s.position : { lat: 0, lon: 0 })
  }

  /** The vehicle's public id for its next trip (GBFS: rotates per trip; the stable identity is the signing key). */
  get assetId(): string {
    return this.#assetId
  }

  async start(): Promise<void> {
    const { journal, clock } = this.#d
    this.#assetSeq = await journal.nextCounter('asset-rotation', 0)
    this.#rotateAsset()
    this.#offerSeq = await journal.nextCounter('service-offer', 0)
    // where the last ride parked it (a journal of an older version kept the place in a record of its own)
    const parked = await journal.getRecord<{ lat: number; lon: number }>('vehicle', 'position')
    if (parked != null) this.#position = { lat: parked.lat, lon: parked.lon }
    let lastEnd = -Infinity
    const now = clock.now()
    for (const [leg, r] of await journal.records<ProviderLegRecord>(PROVIDER_LEGS)) {
      if (r.parked != null && r.at > lastEnd) {
        lastEnd = r.at
        this.#position = { lat: r.parked.lat, lon: r.parked.lon }
      }
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

  #rotateAsset(): void {
    this.#assetId = createHash('sha256').update(this.#d.identity.seed).update(`asset/${this.#assetSeq}`).digest('hex').slice(0, 12)
  }

  async #termsOf(leg: string): Promise<LegTerms | undefined> {
    const r = await this.#d.journal.getRecord<ProviderLegRecord>(PROVIDER_LEGS, leg)
    return r == null ? undefined : decodeLegTerms(fromHex(r.terms))
  }

  #receiptTerms(r: RideReceiptRecord): { ride: string; nonce: number; usage: { seconds: number; metres: number }; totalNanos: number } {
    const opened = openAs(fromHex(r.envelope), 'usage-receipt', mobilityLimits.maxFrameBytes)
    return {
      ride: r.leg,
      nonce: opened.message.nonce,
      usage: { seconds: opened.message.seconds, metres: opened.message.metres },
      totalNanos: opened.message.total
    }
  }

  /** Rebuilds holds and sales from the journal: nothing leaked, nothing sold twice. */
  async #restore(leg: string, r: ProviderLegRecord, now: number): Promise<void> {
    const terms = decodeLegTerms(fromHex(r.terms))
    const resource = this.#resourceOf(terms)
    if (this.#trips != null && resource !== VEHICLE)
      this.inventory.setCapacity(resource, (this.#d.service as { seatsPerTrip: number }).seatsPerTrip)
    const base = { package: r.package, leg: r.legId, resource, from: r.from, to: r.to, units: r.units, holdUntil: r.holdUntil }
    if (r.status === 'PENDING') {
      if (r.holdUntil <= now) {
        await this.#put(leg, { ...r, status: 'EXPIRED', reason: 'expired-while-down', at: now }, 'provider-expire')
        this.#d.emit({
          type: 'leg-released',
          correlation: r.package,
          code: 'expired',
          detail: `${r.resource} (expired while the node was down)`,
          id: bookingStep.expired(this.#me, r.package, r.legId),
          parent: bookingStep.held(this.#me, r.package, r.legId)
        })
        return
      }
      this.inventory.restore({ ...base, state: 'held' })
      this.#restoreRide(leg, r, terms)
    } else if (r.status === 'CONFIRMED' || r.status === 'STARTED') {
      this.inventory.restore({ ...base, state: 'committed' })
      this.#restoreRide(leg, r, terms)
    } else if (r.status === 'CANCELLING') {
      // the refund was journaled as owed before it was paid: pay it (idempotent by key) and finish. A leg
      // refunded because its hold ran out before the commit (provider-bookings.ts #commit) never got its seat
      // back, which may be sold to another traveller by now: restoring it would overfill the trip and stop the start
      if (r.reason !== 'expired-before-commit') this.inventory.restore({ ...base, state: 'committed' })
      await this.#bookings.finishCancel(leg, r, terms)
    }
  }

  /**
   * A journaled ride takes its charge back in the battery budget. The budget itself is not journaled
   * (it is rebuilt from rides, and energy trades re-book as they commit), so a restored ride can meet a
   * plan that no longer fits: the ride stays sold, and the conflict is said, never hidden.
   */
  #restoreRide(leg: string, r: ProviderLegRecord, terms: LegTerms): void {
    const ok = this.budget?.reserveRide(leg, r.from, r.to, terms.distanceM)
    if (ok != null && !ok.ok)
      this.#d.emit({
        type: 'negotiation-failed',
        correlation: r.package,
        code: 'battery-overcommitted',
        detail: `restored ride ${leg.slice(0, 12)}: ${ok.detail}`
      })
  }

  #resourceOf(t: LegTerms): string {
    return this.#d.service.kind === 'vehicle' ? VEHICLE : t.resource
  }

  async #put(leg: string, r: ProviderLegRecord, point: MobilityWritePoint): Promise<void> {
    await this.#d.journal.putRecord(PROVIDER_LEGS, leg, r as unknown as Record<string, unknown>, point)
    if (OPEN.has(r.status)) this.#open.set(leg, r)
    else this.#open.delete(leg)
  }

  // ---- gossip ----

  /** The signed service offer to gossip now (the vehicle's current asset id, charge and place). */
  async offer(now: number, validMs: number, addrs: Uint8Array[]): Promise<Uint8Array> {
    this.#offerSeq = await this.#d.journal.nextCounter('service-offer', this.#offerSeq)
    const offer = serviceOffer(
      this.#state,
      {
        version: 1,
        district: this.#d.district,
        provider: this.#d.identity.signer.publicKey,
        seq: this.#offerSeq,
        issuedAt: now,
        validUntil: now + validMs,
        availableFrom: now,
        availableUntil: now + validMs,
        addrs: addrs.slice(0, mobilityLimits.maxAddrs)
      },
      now
    )
    return seal('service-offer', offer, this.#d.identity.signer)
  }

  get #state(): ProviderState {
    return {
      service: this.#d.service,
      position: this.position,
      assetId: this.#assetId,
      inventory: this.inventory,
      budget: this.budget,
      trips: this.#trips
    }
  }

  // ---- booking streams ----

  /** Serves one booking stream: one request, one answer (provider-bookings.ts). */
  async handle(ch: FramedChannel): Promise<void> {
    await this.#bookings.handle(ch)
  }

  // ---- the clock: expiry and rides ----

  /** Expires holds, starts and meters rides. */
  async tick(): Promise<void> {
    const now = this.#d.clock.now()
    for (const h of this.inventory.expire(now)) await this.#expire(h, now)
    if (this.#d.service.kind === 'vehicle') await this.#meterRides(now)
    else await this.#endTrips(now)
  }

  async #expire(h: HeldLeg, now: number): Promise<void> {
    for (const [leg, r] of [...this.#open]) {
      if (r.package === h.package && r.legId === h.leg && r.status === 'PENDING') {
        this.budget?.releaseRide(leg)
        await this.#put(leg, { ...r, status: 'EXPIRED', reason: 'hold-expired', at: now }, 'provider-expire')
        this.#d.emit({
          type: 'leg-released',
          correlation: r.package,
          code: 'expired',
          detail: r.resource,
          id: bookingStep.expired(this.#me, r.package, r.legId),
          parent: bookingStep.held(this.#me, r.package, r.legId)
        })
      }
    }
  }

  /** A trip that has arrived ends its legs and gives their seats back: a trip id names the same trip every service
   * day, so a past day's seats would fill it for good in an operator that runs for days (a restart freed them). */
  async #endTrips(now: number): Promise<void> {
    for (const [leg, r] of [...this.#open]) {
      if (r.status !== 'CONFIRMED') continue
      const terms = decodeLegTerms(fromHex(r.terms))
      if (terms.arrivalTime > now) continue
      await this.#put(leg, { ...r, status: 'ENDED', at: now }, 'provider-ended')
      this.inventory.release(r.package, r.legId)
    }
  }

  /**
   * Pay per use: a confirmed rental starts at its window; every tick the vehicle reports the metered
   * minutes and metres and asks the traveller for a cumulative receipt. A late or refused receipt stops
   * the ride (the vehicle locks), so neither side risks more than one tick of use.
   */
  async #meterRides(now: number): Promise<void> {
    const s = this.#d.service
    if (s.kind !== 'vehicle') return
    for (const [leg, r] of [...this.#open]) {
      if ((r.status !== 'CONFIRMED' && r.status !== 'STARTED') || now < r.from) continue
      const terms = decodeLegTerms(fromHex(r.terms))
      const plan = planFromWire(terms.pricing)
      const durationS = Math.max(1, Math.floor((r.to - r.from) / 1000))
      const seconds = Math.min(durationS, Math.floor((now - r.from) / 1000))
      const metres = Math.floor((terms.distanceM * seconds) / durationS)
      const ended = now >= r.to
      // the report's number follows the last receipt held, not only the last journaled report: a vehicle that
      // died between journaling a receipt and journaling the ride would otherwise send that number again with
      // more usage, which the traveller refuses as stale (and the ride stops)
      const seq = Math.max(r.reports ?? 0, this.receipts.latest(leg)?.nonce ?? 0) + 1
      let record: ProviderLegRecord = {
        ...r,
        status: ended ? 'ENDED' : 'STARTED',
        usedSeconds: seconds,
        usedMetres: metres,
        reports: plan != null ? seq : r.reports,
        at: now
      }
      if (plan != null) {
        const ok = await this.#collectReceipt(leg, terms, r, seq, seconds, metres, ended, plan)
        if (!ok) record = { ...record, status: 'ENDED', reason: 'receipt-late' }
      }
      if (record.status === 'ENDED' && (terms.toLatE6 !== 0 || terms.toLonE6 !== 0)) {
        // parked where the ride ended (or, stopped early, that far along the way), in the same write as the end
        const f = terms.distanceM > 0 ? Math.min(1, metres / terms.distanceM) : 1
        const at = this.position
        record = {
          ...record,
          parked: { lat: at.lat + (fromE6(terms.toLatE6) - at.lat) * f, lon: at.lon + (fromE6(terms.toLonE6) - at.lon) * f }
        }
      }
      await this.#put(leg, record, record.status === 'ENDED' ? 'provider-ended' : 'provider-started')
      if (record.status === 'ENDED') {
        if (record.parked != null) this.#position = record.parked
        this.budget?.releaseRide(leg)
        this.budget?.drive(metres)
        this.inventory.release(r.package, r.legId)
        this.#assetSeq = await this.#d.journal.nextCounter('asset-rotation', this.#assetSeq)
        this.#rotateAsset()
        this.#d.emit({
          type: 'ride-ended',
          correlation: r.package,
          detail: `${seconds} s, ${metres} m${record.reason != null ? `, ${record.reason}` : ''}`,
          peer: toHex(terms.traveller),
          id: bookingStep.rideEnded(this.#me, r.package, r.legId),
          parent: bookingStep.confirmed(this.#me, r.package, r.legId)
        })
      }
    }
  }

  async #collectReceipt(
    leg: string,
    terms: LegTerms,
    r: ProviderLegRecord,
    seq: number,
    seconds: number,
    metres: number,
    ended: boolean,
    plan: NonNullable<ReturnType<typeof planFromWire>>
  ): Promise<boolean> {
    const { host, identity, frameTimeoutMs, signal } = this.#d
    let ch: FramedChannel | undefined
    try {
      const to = peerIdOfTrader(terms.traveller)
      const within = AbortSignal.any([signal, AbortSignal.timeout(frameTimeoutMs)])
      const opts = { frameTimeoutMs, maxFrameBytes: mobilityLimits.maxFrameBytes, meter: this.#d.meter, signal: within }
      ch = await openStream(host, to, RIDE_PROTOCOL, opts).catch(async (err: unknown) => {
        // no way to the traveller (this vehicle restarted and lost its address): the traveller dials back
        // (ride-link.ts); wait for it as long as for the receipt, then ask once more
        if (within.aborted || host.getConnections(to).length > 0) throw err
        await untilConnected(host, to, within)
        return await openStream(host, to, RIDE_PROTOCOL, opts)
      })
      await ch.send(seal('usage-report', { leg: legIdOf(terms), seq, seconds, metres, at: this.#d.clock.now(), ended }, identity.signer))
      const frame = await ch.receive()
      const opened = open(frame, { maxBytes: mobilityLimits.maxFrameBytes, kinds: ['usage-receipt', 'booking-reject'] })
      if (opened.kind !== 'usage-receipt') {
        this.#d.emit({
          type: 'receipt-refused',
          correlation: r.package,
          code: (opened.message as { code: string }).code,
          detail: (opened.message as { detail: string }).detail,
          parent: bookingStep.confirmed(this.#me, r.package, r.legId)
        })
        return false
      }
      const m = opened.message as import('@kvartal/protocol').UsageReceipt
      if (
        !Buffer.from(opened.signer).equals(Buffer.from(terms.traveller)) ||
        toHex(m.leg) !== leg ||
        !Buffer.from(m.payee).equals(Buffer.from(identity.signer.publicKey))
      )
        throw new ProtocolError('wrong-receipt', "the receipt is not the traveller's for this ride")
      const outcome = this.receipts.apply(
        { ride: leg, nonce: m.nonce, usage: { seconds: m.seconds, metres: m.metres }, totalNanos: m.total },
        plan
      )
      if (m.seconds < seconds || m.metres < metres) return false
      if (outcome === 'applied') {
        const rec: RideReceiptRecord = {
          leg,
          envelope: toHex(frame),
          nonce: m.nonce,
          total: m.total,
          payer: iotaAddress(m.payer),
          payee: identity.iotaAddress,
          issuedAt: m.issuedAt,
          final: ended,
          role: 'vehicle'
        }
        await this.#d.journal.putRecord(RIDE_RECEIPTS, leg, rec as unknown as Record<string, unknown>, 'vehicle-receipt')
      }
      return true
    } catch (err) {
      if (!signal.aborted)
        this.#d.emit({
          type: 'receipt-late',
          correlation: r.package,
          code: errorCode(err, (err as Error).name),
          detail: (err as Error).message,
          parent: bookingStep.confirmed(this.#me, r.package, r.legId)
        })
      return false
    } finally {
      await ch?.close().catch(() => {})
    }
  }
}
