import {
  BOOKING_PROTOCOL,
  NodeErrorCode,
  ProtocolError,
  RIDE_PROTOCOL,
  mobilityLimits,
  toHex,
  type Clock,
  type NodeEvent,
  errorCode
} from '@kvartal/protocol'
import { zoneAndNeighbours, zoneOf, type Coordinate, type Timetable } from '@kvartal/mobility'
import {
  handleChannels,
  mobilityGossip,
  traderOfPeer,
  type ChannelMeter,
  type GossipPort,
  type KvartalHost,
  type MobilityGossip,
  type NodeIdentity,
  type TopicSync
} from '@kvartal/mesh'
import type { Settlement } from '@kvartal/settlement'
import type { Journal } from '../journal.ts'
import type { Emit } from '../events.ts'
import { ProviderDesk } from './provider-desk.ts'
import { ServiceBook } from './service-book.ts'
import { TravellerDesk, type BookingOutcome } from './traveller-desk.ts'
import type { JourneyPlan, JourneyRequest } from './journey-planner.ts'
import type { ProviderService } from './provider-service.ts'
import type { Journey } from '@kvartal/mobility'
import type { PackageRecord } from './traveller-records.ts'
import { ChannelStore, levelKeyValue } from '../channel-store.ts'
import { channelSync, type ChannelSync } from '../channel-sync.ts'
import { TripChannels } from './trip-channels.ts'

/** What a node does in the mobility market. Every node can travel; a provider also sells. */
export interface MobilityOptions {
  /** this node sells rides (a vehicle) or seats (a transit operator) */
  provider?: ProviderService
  /** the district's GTFS timetable, for planning transit legs */
  timetable?: Timetable
  /**
   * GTFS agency_id → the key (hex) of the node that sells its tickets. Without it a traveller books
   * with the one node that claims the agency, and refuses when several do.
   */
  operators?: Readonly<Record<string, string>>
  /**
   * The district's mobility gossips by zone (mesh's mobility-gossip.ts): a vehicle gossips its offer on the topic of
   * its zone (a geohash-6 cell, zones.ts), and this node reads, besides the district's topic, the topics of the zone
   * of `home` and the eight around it: where the planner looks for vehicles for a journey from home. What it hears
   * then grows with the vehicles near it, not with the district. Absent: every offer on the district's one topic.
   */
  zones?: { home?: Coordinate }
  /** a provider re-gossips its service offer this often, ms of the node's clock */
  offerEveryMs: number
  /** how long a provider holds an unpaid leg, ms of the node's clock */
  holdMs: number
  /**
   * A ride's receipts close this long after its rental window ends (ms of the node's clock): the traveller
   * signs nothing new for it after that, and settles its last receipt even when the vehicle never sent a
   * final report (the ride stopped early: a receipt that did not arrive locks the vehicle). Longer than a
   * vehicle's tick, so a ride that runs to its end always gets its final report in. Default: one slot.
   */
  receiptGraceMs?: number
}

/** The zones whose mobility topics a node reads (MobilityOptions.zones): its home's and the eight around it; none without a home. */
export function mobilityZonesOf(o: Partial<Pick<MobilityOptions, 'zones'>>): string[] {
  const home = o.zones?.home
  return home == null ? [] : zoneAndNeighbours(zoneOf(home))
}

/**
 * Offers every 15 minutes of the node's clock, valid for two periods: a vehicle's charge, place and
 * public id change slowly, and a missed offer is replaced by the next. A 60 s hold covers the other
 * legs' holds and one ledger payment.
 */
export const defaultMobilityOptions: Pick<MobilityOptions, 'offerEveryMs' | 'holdMs'> = { offerEveryMs: 15 * 60_000, holdMs: 60_000 }

export interface MobilityRuntimeDeps {
  readonly host: KvartalHost
  readonly identity: NodeIdentity
  readonly district: string
  readonly journal: Journal
  readonly clock: Clock
  readonly settlement?: Settlement
  readonly emit: Emit
  readonly frameTimeoutMs: number
  readonly signal: AbortSignal
  readonly options: MobilityOptions
  /** counts stream work as in flight, so a simulator's clock waits for it */
  readonly track: (work: Promise<unknown>) => void
  /** counts booking and ride stream frames and bytes with the node's other streams */
  readonly meter?: ChannelMeter
  /** the node's gossip catch-up: service offers take part in it as announcements do */
  readonly topicSync?: TopicSync
  /** where the node gossips: its gossipsub, or a simulator's process bus for local topics (default: the host's gossipsub) */
  readonly gossip?: GossipPort
  /** the node's slot length: a ride's receipts close a slot after its window unless `receiptGraceMs` says otherwise */
  readonly slotMs: number
}

/** The mobility side of a node: service offers in, bookings and rides over streams, a provider's desk. */
export class MobilityRuntime {
  readonly services = new ServiceBook()
  readonly provider?: ProviderDesk
  readonly traveller: TravellerDesk
  /** every channel this node holds, its own and replicas */
  readonly channels: ChannelStore
  /** this node's own trip-data channels */
  readonly trips: TripChannels
  readonly sync: ChannelSync
  readonly #d: MobilityRuntimeDeps
  #gossip?: MobilityGossip
  #lastOfferAt = -Infinity
  /** the zone a vehicle's last offer named: when it moved, its next offer goes there too */
  #lastZone?: string
  #records: Promise<unknown> = Promise.resolve()

  constructor(deps: MobilityRuntimeDeps) {
    this.#d = deps
    this.channels = new ChannelStore(levelKeyValue(deps.journal.sublevel('channels'), { sync: deps.journal.sync }))
    const emit: typeof deps.emit = e => {
      deps.emit(e)
      this.#record(e)
    }
    this.trips = new TripChannels({ store: this.channels, journal: deps.journal, seed: deps.identity.seed, emit: deps.emit })
    this.sync = channelSync({ host: deps.host, store: this.channels, signal: deps.signal })
    const common = {
      host: deps.host,
      identity: deps.identity,
      district: deps.district,
      journal: deps.journal,
      clock: deps.clock,
      settlement: deps.settlement,
      emit,
      frameTimeoutMs: deps.frameTimeoutMs,
      signal: deps.signal,
      meter: deps.meter
    }
    if (deps.options.provider != null)
      this.provider = new ProviderDesk({ ...common, service: deps.options.provider, holdMs: deps.options.holdMs })
    this.traveller = new TravellerDesk({
      ...common,
      services: this.services,
      timetable: deps.options.timetable,
      operators: deps.options.operators,
      receiptGraceMs: deps.options.receiptGraceMs ?? deps.slotMs
    })
  }

  async start(): Promise<void> {
    const { host, clock, emit } = this.#d
    this.#gossip = mobilityGossip(this.#d.gossip ?? host.services.pubsub, {
      district: this.#d.district,
      ...(this.#d.options.zones != null ? { zoned: true, zones: mobilityZonesOf(this.#d.options) } : {}),
      sync: this.#d.topicSync,
      accept: opened => {
        this.services.admit(opened.message, clock.now())
      },
      refused: (err, _topic, from) => {
        const t = traderOfPeer(from)
        emit({
          type: 'message-rejected',
          code: err.code,
          detail: `service offer: ${err.message}`,
          peer: t != null ? toHex(t) : from.toString()
        })
      }
    })
    this.#gossip.start()
    await this.sync.start()
    await this.provider?.start()
    const serve =
      (handler: (ch: Parameters<Parameters<typeof handleChannels>[2]>[0]) => Promise<void>) =>
      async (ch: Parameters<Parameters<typeof handleChannels>[2]>[0]): Promise<void> => {
        const work = handler(ch).catch((err: Error) => {
          const t = traderOfPeer(ch.remotePeer)
          const peer = t != null ? toHex(t) : ch.remotePeer.toString()
          if (err instanceof ProtocolError)
            emit({ type: 'message-rejected', code: err.code, detail: `mobility stream: ${err.message}`, peer })
          else if (!this.#d.signal.aborted) emit({ type: 'negotiation-failed', code: errorCode(err, err.name), detail: err.message, peer })
          throw err
        })
        this.#d.track(work.catch(() => {}))
        await work
      }
    const opts = { frameTimeoutMs: this.#d.frameTimeoutMs, maxFrameBytes: mobilityLimits.maxFrameBytes, meter: this.#d.meter }
    if (this.provider != null)
      await handleChannels(
        host,
        BOOKING_PROTOCOL,
        serve(async ch => {
          await this.provider!.handle(ch)
        }),
        opts
      )
    await handleChannels(
      host,
      RIDE_PROTOCOL,
      serve(async ch => {
        await this.traveller.handleRide(ch)
      }),
      opts
    )
  }

  /**
   * The provider's pass in progress. Node ticks are not awaited one by one, and a pass that waits on a ride's
   * receipt can outlast the next tick: two passes at once metered one ride twice (one report number sent twice,
   * so the traveller signed it twice and the two sides kept different receipts; the ride ended twice). A tick
   * that finds the last pass still running leaves the provider to it.
   */
  #providerPass = false

  /** On every node tick: a provider expires holds, meters rides and re-gossips its offer; a traveller resumes unfinished bookings. */
  async tick(): Promise<void> {
    const now = this.#d.clock.now()
    this.services.prune(now)
    if (this.provider != null && !this.#providerPass) {
      this.#providerPass = true
      try {
        await this.provider.tick()
      } finally {
        this.#providerPass = false
      }
      if (now - this.#lastOfferAt >= this.#d.options.offerEveryMs) await this.publishOffer()
    }
    await this.traveller.resume()
  }

  /** Gossips the provider's current service offer now (also after its vehicle's public id rotated). */
  async publishOffer(): Promise<void> {
    if (this.provider == null || this.#gossip == null) return
    const now = this.#d.clock.now()
    this.#lastOfferAt = now
    const envelope = await this.provider.offer(
      now,
      2 * this.#d.options.offerEveryMs,
      this.#d.host
        .getMultiaddrs()
        .slice(0, 4)
        .map(a => a.bytes)
    )
    const zone = this.#d.options.provider?.kind === 'vehicle' ? zoneOf(this.provider.position) : undefined
    await this.#gossip.publish(envelope, this.#lastZone)
    this.#lastZone = zone
    this.#d.emit({
      type: 'service-offer-published',
      detail:
        this.#d.options.provider!.kind === 'vehicle'
          ? `asset ${this.provider.assetId}`
          : (this.#d.options.provider as { agencyId: string }).agencyId
    })
  }

  /** Stops its gossip and its channel sync; both are stopped even if the first fails, and a failure is thrown (the node says it). */
  async stop(): Promise<void> {
    let failure: unknown
    try {
      this.#gossip?.stop()
    } catch (err) {
      failure = err
    }
    try {
      await this.sync.stop()
    } catch (err) {
      failure ??= err
    }
    if (failure !== undefined) throw failure
  }

  /**
   * Trip data goes into the owner's channels as it happens: a traveller's bookings and receipts into
   * `trips`, a vehicle's rides into `rides`. Written in order, one at a time, tracked as work in flight.
   */
  #record(e: { type: string; correlation?: string; amount?: number; detail?: string; code?: string; peer?: string }): void {
    const channel =
      e.type === 'ride-ended'
        ? 'rides'
        : e.type === 'package-booked' || e.type === 'package-released' || e.type === 'package-paid' || e.type === 'receipt-signed'
          ? 'trips'
          : undefined
    if (channel == null) return
    const payload = {
      type: e.type,
      id: e.correlation,
      amount: e.amount,
      detail: e.detail,
      code: e.code,
      peer: e.peer,
      at: this.#d.clock.now()
    }
    const work = this.#records
      .then(async () => await this.trips.append(channel, payload))
      .catch((err: Error) => {
        if (!this.#d.signal.aborted)
          this.#d.emit({ type: 'node-error', code: NodeErrorCode.channelWriteFailed, detail: `${channel}: ${err.message}` })
      })
    this.#records = work
    this.#d.track(work)
  }

  async plan(req: JourneyRequest): Promise<JourneyPlan> {
    return await this.traveller.plan(req)
  }
  async book(plan: JourneyPlan, journey: Journey): Promise<BookingOutcome> {
    return await this.traveller.book(plan, journey)
  }
  async cancel(pkg: string): Promise<PackageRecord> {
    return await this.traveller.cancel(pkg)
  }
  get gossipStats(): MobilityGossip['stats'] | undefined {
    return this.#gossip?.stats
  }
  /** the mobility topics this node reads (the district's, and its zones') */
  get gossipSubscriptions(): readonly string[] {
    return this.#gossip?.subscriptions ?? []
  }
}

export type { NodeEvent }
