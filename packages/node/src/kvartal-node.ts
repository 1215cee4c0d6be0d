import { JournalError, NodeErrorCode, errorCode, firstOpenSlot, type NodeEvent } from '@kvartal/protocol'
import { OrderBook, SlotPositions, seededRandom } from '@kvartal/market'
import {
  dialBootstrap,
  identityFromSeed,
  type GossipPort,
  type GossipRouter,
  type KvartalHost,
  type NodeIdentity,
  type TopicSync
} from '@kvartal/mesh'
import { Journal } from './journal.ts'
import { crashHook, withPaymentPoint } from './crash-hook.ts'
import type { Settlement } from '@kvartal/settlement'
import { PeriodSettler } from './period-settler.ts'
import type { Announcer } from './announcer.ts'
import type { SellerDesk } from './seller-desk.ts'
import type { BuyerDesk } from './buyer-desk.ts'
import { defaultNodeOptions, type KvartalNodeOptions } from './options.ts'
import type { Emit } from './events.ts'
import { MobilityRuntime, defaultMobilityOptions } from './mobility/mobility-runtime.ts'
import { vehicleEnergyFor } from './mobility/vehicle-energy.ts'
import { periodExtras } from './mobility/period-extras.ts'
import { ImportShare } from './import-share.ts'
import { SlotMeter, type MeterStatus } from './slot-meter.ts'
import type { BuyerLoop } from './buyer-loop.ts'
import { NodeTicker } from './node-ticker.ts'
import type { NodeStats } from './node-stats.ts'
import { SimulatedMeter } from '@kvartal/meters'
import { nodeActor, untilStopped, untilTrading, type NodeActor } from './node-actor.ts'
import { createNodeHost, joinOfferMesh, serveNegotiations, watchPeers, wireGossip } from './node-mesh.ts'
import { recoverFromJournal } from './node-recovery.ts'
import { WorkInFlight } from './work-in-flight.ts'
import { tradingDesks } from './trading-desks.ts'
import { keySeed, storageEvents } from './node-journal.ts'
import { stopNode } from './node-stop.ts'

export type { NodeStats } from './node-stats.ts'

type Options = KvartalNodeOptions

/**
 * One Kvartal building node: the composition root where mesh, market and journal meet. Its life is the
 * xstate machine in node.machine.ts, run as an actor with this class's effects (node-actor.ts): its start
 * makes and wires its parts (the trading desks: trading-desks.ts; the mesh: node-mesh.ts) and recovers what
 * its journal holds (node-recovery.ts); the work of each tick is NodeTicker's (node-ticker.ts); how it stops,
 * node-stop.ts.
 */
export class KvartalNode {
  readonly options: Options
  identity!: NodeIdentity
  host!: KvartalHost
  journal!: Journal
  book: OrderBook
  readonly selling = new SlotPositions()
  readonly need = new SlotPositions()
  router!: GossipRouter
  /** catch-up on gossip this node missed: one pull from one peer every `catchUpEverySlots` */
  topicSync!: TopicSync
  seller!: SellerDesk
  buyer!: BuyerDesk
  readonly stats: NodeStats = {
    proposalsSent: 0,
    negotiations: { committed: 0, pending: 0, rejected: 0, 'walked-away': 0, failed: 0, void: 0 },
    tradesCommitted: 0,
    boughtWh: 0,
    soldWh: 0,
    gridBuyWh: 0,
    gridSellWh: 0,
    latenciesMs: [],
    streams: { frames: 0, bytes: 0 },
    refusals: {},
    referrals: { refusals: 0, sellers: 0 }
  }
  #actor?: NodeActor
  #abort = new AbortController()
  /** aborts a period's settlement in flight; on stop, only after its grace (node-stop.ts) */
  #settleAbort = new AbortController()
  /** where this node gossips (o.processGossip, or its host's gossipsub) */
  #gossip?: GossipPort
  #listeners = new Set<(e: NodeEvent) => void>()
  /** ticks, negotiations and retries in flight (work-in-flight.ts) */
  readonly #work = new WorkInFlight()
  #random: () => number
  /** the work of each tick (node-ticker.ts), made at start */
  #ticker!: NodeTicker
  /** events this node emitted, for ids (`<node>:<seq>`) */
  #seq = 0
  /** the buyer's approaches and outcomes (buyer-loop.ts) */
  #buying!: BuyerLoop
  /** landed prices and this buyer's share of its transformer (import-share.ts) */
  #imports!: ImportShare
  settlement?: Settlement
  #periods!: PeriodSettler
  #meter: SlotMeter | undefined
  #announcer!: Announcer
  /** real time this node was made: its first look at the bootstrap peers is due `rejoinEveryMs` after it */
  readonly #madeAt = performance.now()
  /** the mobility side, when options.mobility is set */
  mobility?: MobilityRuntime

  constructor(options: Partial<Options> & Pick<Options, 'district' | 'dataDir' | 'profile'>) {
    this.options = { ...defaultNodeOptions, ...options } as Options
    this.#random = seededRandom(this.options.seed)
    this.book = new OrderBook()
  }

  get id(): string {
    return this.identity?.id ?? ''
  }
  /** the meter's identity, samples, refusals, readings and gaps since start (null before start) */
  meterStatus(): MeterStatus | null {
    return this.#meter?.status() ?? null
  }
  get state(): string {
    return String(this.#actor?.getSnapshot().value ?? 'new')
  }
  get signal(): AbortSignal {
    return this.#abort.signal
  }

  on(listener: (e: NodeEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  readonly emit: Emit = e => {
    const event = { ...e, node: this.id, at: this.options.clock.now(), id: e.id ?? `${this.id.slice(0, 8)}:${++this.#seq}` } as NodeEvent
    this.#buying?.noteEvent(event)
    if (event.type === 'trade-committed' && event.detail === 'seller') {
      this.stats.soldWh += event.energyWh ?? 0
      // a sale that leaves less than half of what was announced is said at once, not a tick later:
      // until then every buyer of the feeder would propose to a seller that has nothing left
      if (this.#announcer != null && !this.#abort.signal.aborted) {
        const now = this.options.clock.now()
        this.#track(this.#announcer.announceIfDue(firstOpenSlot(this.options.slots, now), now), NodeErrorCode.workFailed)
      }
    }
    this.options.onEvent?.(event)
    for (const l of this.#listeners) l(event)
  }

  /** Starts the node and resolves once it trades (or rejects if it failed to start). */
  async start(): Promise<void> {
    this.#actor = nodeActor({
      start: () => this.#start(),
      join: () => this.#join(),
      stop: () => this.#stop(),
      tick: initial => {
        if (!initial || this.options.tickOnStart) this.#track(this.#ticker.tick(), NodeErrorCode.tickFailed)
      },
      closeGate: (slot, now) => {
        this.#closeGate(slot, now)
      },
      buyer: () => this.buyer,
      buying: () => this.#buying
    })
    await untilTrading(this.#actor)
  }

  async stop(): Promise<void> {
    const actor = this.#actor
    if (actor == null) return
    await untilStopped(actor)
  }

  /** Resolves when no tick, negotiation or retry is in flight. */
  async idle(): Promise<void> {
    await this.#work.idle()
  }

  get inFlight(): number {
    return this.#work.inFlight
  }
  /**
   * Trades this buyer journaled as pending (its confirm sent, the seller's Committed not received) that
   * the next tick confirms again. Read while the node is idle, it is every such trade.
   */
  get pendingConfirms(): number {
    return this.#buying?.retriesDue ?? 0
  }
  /**
   * Pieces of work begun so far (ticks, negotiations, retries): it only grows. A simulator that polls
   * nodes in several processes cannot see all of them at one instant; two polls that find every node
   * idle with the same count saw nothing begin in between.
   */
  get workBegun(): number {
    return this.#work.begun
  }

  /** Counts `p` as work in flight; if it fails, says so as a `node-error` with `code` (a tick's, or other work's). */
  #track(p: Promise<unknown>, code: NodeErrorCode = NodeErrorCode.workFailed): void {
    this.#work.track(p, err => {
      if (this.#abort.signal.aborted) return
      // a write the journal refused, or the write that made it refuse: said once, when it began refusing (node-journal.ts)
      if (err instanceof JournalError && this.journal?.refusing != null) return
      this.emit({
        type: 'node-error',
        code,
        detail: `${String((err as Error)?.message ?? err)} (${errorCode(err, (err as Error)?.name ?? 'error')})`
      })
    })
  }

  // ---- lifecycle effects ----

  async #start(): Promise<void> {
    const o = this.options
    this.journal = await Journal.open(o.dataDir, o.journal)
    // a journal write that fails (a full disk, EIO, a closed database): new work waits, what is committed
    // stays, and the journal comes back by itself (node-journal.ts says so)
    this.journal.onStorage = storageEvents(this.emit)
    // the crash-test harness's hook: installed only by a test entry point (`@kvartal/node/testing`)
    const crash = crashHook()
    if (crash != null) this.journal.onWrite = crash
    this.identity = await identityFromSeed(await keySeed(this.journal, o.keySeed))
    this.book = new OrderBook(this.identity.id)
    this.#imports = new ImportShare(o.grid)
    if (o.settlement != null) this.settlement = await o.settlement.create(this.identity.signer, this.journal)
    if (crash != null && this.settlement != null) this.settlement = withPaymentPoint(this.settlement, crash)
    this.host = await createNodeHost(o, this.identity)
    const desks = tradingDesks({
      options: o,
      host: this.host,
      identity: this.identity,
      journal: this.journal,
      selling: this.selling,
      need: this.need,
      book: this.book,
      imports: this.#imports,
      stats: this.stats,
      random: this.#random,
      signal: this.#abort.signal,
      emit: this.emit,
      id: () => this.id,
      send: event => {
        this.#actor?.send(event)
      },
      work: this.#work
    })
    this.seller = desks.seller
    this.buyer = desks.buyer
    this.#buying = desks.buying
    const gossip = wireGossip({
      options: o,
      host: this.host,
      identity: this.identity,
      journal: this.journal,
      selling: this.selling,
      need: this.need,
      book: this.book,
      random: this.#random,
      signal: this.#abort.signal,
      emit: this.emit,
      track: p => {
        this.#track(p)
      }
    })
    this.topicSync = gossip.topicSync
    this.#gossip = gossip.gossip
    this.router = gossip.router
    this.#announcer = gossip.announcer
    watchPeers(this.host, o, this.emit)
    await this.host.start()
    this.router.start()
    await this.topicSync.start()
    if (o.bootstrap != null) await dialBootstrap(this.host, o.bootstrap, AbortSignal.any([AbortSignal.timeout(5_000), this.#abort.signal]))
    await serveNegotiations({
      options: o,
      host: this.host,
      seller: this.seller,
      meter: this.stats.streams,
      signal: this.#abort.signal,
      emit: this.emit,
      track: p => {
        this.#track(p)
      }
    })
    if (o.mobility != null) {
      this.mobility = new MobilityRuntime({
        host: this.host,
        identity: this.identity,
        district: o.district,
        journal: this.journal,
        clock: o.clock,
        settlement: this.settlement,
        emit: this.emit,
        frameTimeoutMs: o.frameTimeoutMs,
        signal: this.#abort.signal,
        options: { ...defaultMobilityOptions, ...o.mobility },
        track: p => {
          this.#track(p, NodeErrorCode.workFailed)
        },
        meter: this.stats.streams,
        topicSync: this.topicSync,
        gossip: this.#gossip,
        slotMs: o.slots.slotMs
      })
      await this.mobility.start()
      // one actor in two markets: a vehicle's battery budget decides its energy position (mobility/vehicle-energy.ts)
      const energy = await vehicleEnergyFor(
        this.mobility,
        { ...o, profile: o.profile },
        { journal: this.journal, selling: this.selling, need: this.need, emit: this.emit }
      )
      if (energy != null) {
        this.options.profile = energy.profile
        this.on(energy.onEvent)
      }
    }
    // the meter: a configured one, or a device model's (the simulator's, a vehicle's battery budget)
    // behind the same interface; none: every slot is a gap
    const measured = o.profile.measured
    const meter =
      o.meter ??
      (measured != null ? new SimulatedMeter({ name: 'model', slots: o.slots, netWh: slot => measured.call(o.profile, slot) }) : undefined)
    this.#meter = new SlotMeter({ journal: this.journal, slots: o.slots, emit: this.emit, meter })
    await this.#meter.start()
    this.#periods = new PeriodSettler({
      extras:
        o.mobility == null
          ? undefined
          : async (period, endMs) =>
              await periodExtras(this.journal, this.mobility!.channels, period, endMs, o.mobility?.receiptGraceMs ?? o.slots.slotMs),
      journal: this.journal,
      identity: this.identity,
      options: o,
      emit: this.emit,
      signal: this.#settleAbort.signal,
      stopping: this.#abort.signal,
      meter: this.#meter
    })
    this.#ticker = new NodeTicker({
      options: this.options,
      host: this.host,
      seller: this.seller,
      buyer: this.buyer,
      book: this.book,
      selling: this.selling,
      need: this.need,
      imports: this.#imports,
      buying: this.#buying,
      announcer: this.#announcer,
      mobility: this.mobility,
      periods: this.#periods,
      settlement: this.settlement,
      journal: this.journal,
      signal: this.#abort.signal,
      send: event => {
        this.#actor?.send(event)
      },
      madeAt: this.#madeAt
    })
    await recoverFromJournal({
      journal: this.journal,
      selling: this.selling,
      need: this.need,
      seller: this.seller,
      imports: this.#imports,
      buying: this.#buying,
      emit: this.emit,
      now: this.options.clock.now()
    })
    this.emit({ type: 'started', detail: this.host.getMultiaddrs().map(String).join(' ') })
  }

  async #join(): Promise<void> {
    await joinOfferMesh(this.host, this.options, this.#abort.signal)
    this.#ticker.schedule()
  }

  async #stop(): Promise<void> {
    await stopNode({
      abort: this.#abort,
      settleAbort: this.#settleAbort,
      ticker: this.#ticker,
      idle: () => this.idle(),
      parts: () => ({
        router: this.router,
        topicSync: this.topicSync,
        mobility: this.mobility,
        meter: this.#meter,
        host: this.host,
        settlement: this.settlement,
        journal: this.journal
      }),
      emit: this.emit
    })
  }

  // ---- trading ----

  /** A slot's actor reached gate closure: what is left goes to the grid at the grid tariffs. */
  #closeGate(s: number, now: number): void {
    const buy = this.need.available(s, now)
    const sell = this.selling.available(s, now)
    this.stats.gridBuyWh += buy
    this.stats.gridSellWh += sell
    this.emit({ type: 'gate-closed', slot: s, energyWh: sell - buy, detail: `grid buy ${buy} Wh, grid sell ${sell} Wh` })
  }

  /** Committed trades from the journal (both roles). */
  async trades(): Promise<Awaited<ReturnType<Journal['trades']>>> {
    return await this.journal.trades()
  }
}
