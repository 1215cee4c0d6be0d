import { createActor, fromPromise, type Actor } from 'xstate'
import {
  JournalError,
  NEGOTIATION_PROTOCOL,
  NodeErrorCode,
  ProtocolError,
  errorCode,
  firstOpenSlot,
  generateSeed,
  toHex,
  type Accept,
  type Counter,
  type NodeEvent
} from '@kvartal/protocol'
import { OrderBook, SlotPositions, seededRandom, type TradingContext } from '@kvartal/market'
import {
  TopicSync,
  createHost,
  dialBootstrap,
  gossipRouter,
  handleChannels,
  identityFromSeed,
  traderOfPeer,
  type GossipPort,
  type GossipRouter,
  type KvartalHost,
  type NodeIdentity
} from '@kvartal/mesh'
import type { PeerId } from '@libp2p/interface'
import { Journal } from './journal.ts'
import { crashHook, withPaymentPoint } from './crash-hook.ts'
import type { Settlement } from '@kvartal/settlement'
import { PeriodSettler } from './period-settler.ts'
import { Announcer } from './announcer.ts'
import { SellerDesk } from './seller-desk.ts'
import { BuyerDesk } from './buyer-desk.ts'
import { negotiationMachine, type NegotiationInput } from './negotiation.machine.ts'
import { nodeMachine } from './node.machine.ts'
import { slotMachine } from './slot.machine.ts'
import { defaultNodeOptions, type KvartalNodeOptions } from './options.ts'
import type { Emit } from './events.ts'
import { MobilityRuntime, defaultMobilityOptions } from './mobility/mobility-runtime.ts'
import { vehicleEnergyFor } from './mobility/vehicle-energy.ts'
import { periodExtras } from './mobility/period-extras.ts'
import { ImportShare } from './import-share.ts'
import { SlotMeter, type MeterStatus } from './slot-meter.ts'
import { tradingContext } from './trading-context.ts'
import { BuyerLoop } from './buyer-loop.ts'
import { NodeTicker } from './node-ticker.ts'
import type { NodeStats } from './node-stats.ts'
import { SimulatedMeter } from '@kvartal/meters'

export type { NodeStats } from './node-stats.ts'

type Options = KvartalNodeOptions

/** how long a stopping node lets a period's settlement in flight finish before aborting it, real ms */
const SETTLE_GRACE_MS = 20_000

/**
 * One Kvartal building node: the composition root where mesh, market and journal meet. Its life is the
 * xstate machine in node.machine.ts; this class provides that machine's effects, the work of each tick
 * through NodeTicker (node-ticker.ts).
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
    streams: { frames: 0, bytes: 0 }
  }
  #actor?: Actor<typeof nodeMachine>
  #abort = new AbortController()
  /** aborts a period's settlement in flight; on stop, only after SETTLE_GRACE_MS (#stop) */
  #settleAbort = new AbortController()
  /** where this node gossips (o.processGossip, or its host's gossipsub) */
  #gossip?: GossipPort
  #listeners = new Set<(e: NodeEvent) => void>()
  #inFlight = 0
  #workBegun = 0
  #idleWaiters: Array<() => void> = []
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
    const machine = nodeMachine.provide({
      actors: {
        start: fromPromise(async () => {
          await this.#start()
        }),
        join: fromPromise(async () => {
          await this.#join()
        }),
        stop: fromPromise(async () => {
          await this.#stop()
        }),
        // the children's effects are the buyer desk's, created in `start`
        slot: slotMachine.provide({
          actions: {
            approach: (_, params) => {
              this.#buying.approach(params.slot, params.now)
            },
            closeGate: (_, params) => {
              this.#closeGate(params.slot, params.now)
            }
          }
        }),
        negotiation: negotiationMachine.provide({
          actors: {
            exchange: fromPromise(
              async ({ input }: { input: { input: NegotiationInput; round: number; price: number } }) =>
                await this.buyer.exchange(input.input, input.round, input.price)
            ),
            confirm: fromPromise(async ({ input }: { input: { accept: Accept } }) => await this.buyer.confirm(input.accept)),
            decideCounter: fromPromise(async ({ input }: { input: { counter: Counter; slot: number; fee: number } }) =>
              this.buyer.decideCounter(input.counter, input.slot, input.fee)
            ),
            withdraw: fromPromise(async ({ input }: { input: { negotiation: string } }) => {
              await this.buyer.withdraw(input.negotiation)
            })
          }
        })
      },
      actions: {
        tick: (_, params) => {
          if (params?.initial !== true || this.options.tickOnStart) this.#track(this.#ticker.tick(), NodeErrorCode.tickFailed)
        },
        negotiationDone: (_, params) => {
          this.#buying.onOutcome(params.outcome)
        },
        negotiationCrashed: (_, params) => {
          const negotiation = params.id.replace(/^.*\.n-/, '')
          this.#buying.onOutcome({
            negotiation,
            seller: '',
            slot: this.#buying.slotOf(negotiation),
            result: 'failed',
            energyWh: 0,
            price: 0,
            code: 'crashed',
            detail: String((params.error as Error)?.message ?? params.error)
          })
        },
        failed: () => {}
      }
    })
    this.#actor = createActor(machine)
    await new Promise<void>((resolve, reject) => {
      const sub = this.#actor!.subscribe({
        next: s => {
          if (s.value === 'trading') {
            sub.unsubscribe()
            resolve()
          }
          if (s.value === 'failed') {
            sub.unsubscribe()
            reject(new Error(s.context.error ?? 'node failed to start'))
          }
        },
        error: err => reject(err)
      })
      this.#actor!.start()
    })
  }

  async stop(): Promise<void> {
    const actor = this.#actor
    if (actor == null) return
    if (actor.getSnapshot().status === 'done') return
    await new Promise<void>(resolve => {
      const sub = actor.subscribe({
        next: s => {
          if (s.status === 'done') {
            sub.unsubscribe()
            resolve()
          }
        },
        complete: () => resolve()
      })
      actor.send({ type: 'STOP' })
    })
  }

  /** Resolves when no tick, negotiation or retry is in flight. */
  async idle(): Promise<void> {
    if (this.#inFlight === 0) return
    await new Promise<void>(resolve => this.#idleWaiters.push(resolve))
  }

  get inFlight(): number {
    return this.#inFlight
  }
  /**
   * Pieces of work begun so far (ticks, negotiations, retries): it only grows. A simulator that polls
   * nodes in several processes cannot see all of them at one instant; two polls that find every node
   * idle with the same count saw nothing begin in between.
   */
  get workBegun(): number {
    return this.#workBegun
  }

  /** Counts `p` as work in flight; if it fails, says so as a `node-error` with `code` (a tick's, or other work's). */
  #track(p: Promise<unknown>, code: NodeErrorCode = NodeErrorCode.workFailed): void {
    this.#inFlight++
    this.#workBegun++
    p.catch(err => {
      if (this.#abort.signal.aborted) return
      // a write the journal refused, or the write that made it refuse: said once, when it began refusing (#start)
      if (err instanceof JournalError && this.journal?.refusing != null) return
      this.emit({
        type: 'node-error',
        code,
        detail: `${String((err as Error)?.message ?? err)} (${errorCode(err, (err as Error)?.name ?? 'error')})`
      })
    }).finally(() => {
      if (--this.#inFlight === 0) for (const w of this.#idleWaiters.splice(0)) w()
    })
  }

  // ---- lifecycle effects ----

  async #start(): Promise<void> {
    const o = this.options
    this.journal = await Journal.open(o.dataDir, o.journal)
    // a journal write that fails (a full disk, EIO, a closed database): new work waits, what is committed
    // stays, and the journal comes back by itself (journal-guard.ts, docs/faults.md)
    this.journal.onStorage = (refusing, detail, code) => {
      if (!refusing) {
        this.emit({ type: 'storage-recovered', code, detail })
        return
      }
      this.emit({
        type: 'node-error',
        code,
        detail:
          `${detail}; this node takes no new work (proposals refused \`${code}\`, no proposals or announcements) ` +
          'until its journal writes again; nothing committed is lost'
      })
      if (code === 'disk-full') this.emit({ type: 'storage-full', detail })
    }
    // the crash-test harness's hook: installed only by a test entry point (`@kvartal/node/testing`)
    const crash = crashHook()
    if (crash != null) this.journal.onWrite = crash
    let seed = await this.journal.loadSeed()
    if (seed == null) {
      seed = o.keySeed ?? generateSeed()
      await this.journal.saveSeed(seed)
    }
    this.identity = await identityFromSeed(seed)
    this.book = new OrderBook(this.identity.id)
    this.#imports = new ImportShare(o.grid)
    if (o.settlement != null) this.settlement = await o.settlement.create(this.identity.signer, this.journal)
    if (crash != null && this.settlement != null) this.settlement = withPaymentPoint(this.settlement, crash)
    this.host = await createHost({
      identity: this.identity,
      district: o.district,
      feeder: o.grid?.feeder,
      transport: o.transport,
      encryption: o.encryption,
      listen: o.listen,
      bootstrap: o.bootstrap,
      mdns: o.mdns,
      loopback: o.loopback,
      inProcess: o.inProcess,
      connectionMonitor: o.connectionMonitor,
      timeoutsMs: o.libp2pTimeoutsMs,
      manualHeartbeat: o.manualHeartbeat,
      network: o.network,
      identifyOnConnect: o.identifyOnConnect
    })
    const context = (slot: number, remainingWh: number, role: 'buyer' | 'seller'): TradingContext =>
      tradingContext(o, role, slot, remainingWh, o.clock.now(), this.#random)
    this.seller = new SellerDesk({
      signer: this.identity.signer,
      district: o.district,
      journal: this.journal,
      positions: this.selling,
      strategy: o.strategy,
      clock: o.clock,
      slots: o.slots,
      holdMs: o.holdMs,
      context: (s, r) => context(s, r, 'seller'),
      emit: this.emit,
      grid: o.grid
    })
    this.buyer = new BuyerDesk({
      host: this.host,
      signer: this.identity.signer,
      district: o.district,
      journal: this.journal,
      need: this.need,
      book: this.book,
      strategy: o.strategy,
      clock: o.clock,
      holdMs: o.holdMs,
      frameTimeoutMs: o.frameTimeoutMs,
      meter: this.stats.streams,
      context: (s, r) => context(s, r, 'buyer'),
      emit: this.emit,
      grid: o.grid
    })
    this.#buying = new BuyerLoop({
      options: o,
      book: this.book,
      need: this.need,
      imports: this.#imports,
      buyer: this.buyer,
      journal: this.journal,
      stats: this.stats,
      random: this.#random,
      signal: this.#abort.signal,
      emit: this.emit,
      id: () => this.id,
      negotiate: input => {
        this.#actor?.send({ type: 'NEGOTIATE', input })
      },
      approachAgain: (slot, now) => {
        this.#actor?.send({ type: 'APPROACH', slot, now })
      },
      begin: () => {
        this.#inFlight++
      },
      end: () => {
        if (--this.#inFlight === 0) for (const w of this.#idleWaiters.splice(0)) w()
      }
    })
    const refusedBy = (err: ProtocolError, from: PeerId): void => {
      const t = traderOfPeer(from)
      this.emit({ type: 'message-rejected', code: err.code, detail: err.message, peer: t != null ? toHex(t) : from.toString() })
    }
    this.topicSync = new TopicSync({ host: this.host, now: () => o.clock.now(), signal: this.#abort.signal, refused: refusedBy })
    // the negotiation children get the buyer desk's effects
    // a simulator's nodes of one process gossip on its bus; everything else over gossipsub
    const gossip = o.processGossip?.port(this.host.services.pubsub, this.identity.peerId) ?? this.host.services.pubsub
    this.#gossip = gossip
    this.router = gossipRouter(gossip, {
      district: o.district,
      feeder: o.grid?.feeder,
      relay: o.grid?.relay,
      sync: this.topicSync,
      accept: (opened, kind) => {
        this.book.apply(opened.message, kind, o.clock.now())
        this.emit({ type: 'announcement-received', peer: toHex(opened.message.trader), detail: kind })
      },
      acceptDigest: (opened, scope) => {
        this.book.applyDigest(opened.message, o.clock.now())
        this.emit({ type: 'announcement-received', peer: toHex(opened.message.relay), detail: `digest:${scope}` })
      },
      refused: (err, _topic, from) => {
        refusedBy(err, from)
      }
    })
    this.#announcer = new Announcer({
      options: this.options,
      host: this.host,
      identity: this.identity,
      journal: this.journal,
      router: this.router,
      topicSync: this.topicSync,
      selling: this.selling,
      need: this.need,
      book: this.book,
      random: this.#random,
      peerRandom: seededRandom(o.seed * 7919 + 17),
      emit: this.emit
    })
    this.host.addEventListener('peer:connect', e => {
      const t = traderOfPeer(e.detail)
      this.emit({ type: 'peer-joined', peer: t != null ? toHex(t) : e.detail.toString() })
    })
    this.host.addEventListener('peer:disconnect', e => {
      const t = traderOfPeer(e.detail)
      this.emit({ type: 'peer-left', peer: t != null ? toHex(t) : e.detail.toString() })
    })
    if (o.mdns === true) {
      this.host.addEventListener('peer:discovery', e => {
        if (this.host.getConnections(e.detail.id).length === 0)
          void this.host.dial(e.detail.id, { signal: AbortSignal.timeout(5_000) }).catch(() => {})
      })
    }
    await this.host.start()
    this.router.start()
    await this.topicSync.start()
    if (o.bootstrap != null) await dialBootstrap(this.host, o.bootstrap, AbortSignal.any([AbortSignal.timeout(5_000), this.#abort.signal]))
    // the seller's side of a negotiation counts as work in flight, so `idle()` (and a simulator's clock) waits for it
    await handleChannels(
      this.host,
      NEGOTIATION_PROTOCOL,
      async ch => {
        const work = this.seller.handle(ch).catch((err: Error) => {
          // a peer that sends garbage, a forgery or nothing at all: say so, then drop the stream
          const t = traderOfPeer(ch.remotePeer)
          const peer = t != null ? toHex(t) : ch.remotePeer.toString()
          if (err instanceof ProtocolError)
            this.emit({ type: 'message-rejected', code: err.code, detail: `negotiation stream: ${err.message}`, peer })
          else if (!this.#abort.signal.aborted)
            this.emit({ type: 'negotiation-failed', code: errorCode(err, err.name), detail: err.message, peer })
          throw err
        })
        this.#track(work.catch(() => {}))
        await work
      },
      { frameTimeoutMs: o.frameTimeoutMs, meter: this.stats.streams }
    )
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
    await this.#recover()
    this.emit({ type: 'started', detail: this.host.getMultiaddrs().map(String).join(' ') })
  }

  /** Rebuilds holds and commitments from the journal, so a restart loses, doubles and leaks nothing. */
  async #recover(): Promise<void> {
    const now = this.options.clock.now()
    for (const r of await this.journal.trades()) {
      const t = r.decoded.terms
      const cross = (t.buyerFeeder ?? '') !== (t.sellerFeeder ?? '')
      if (r.role === 'seller' && r.status === 'committed') {
        this.selling.addCommitted(t.slot, t.energyWh, toHex(t.negotiation))
        if (cross) this.seller.restoreCrossCommitted(t.slot, t.energyWh)
      }
      if (r.role === 'buyer' && (r.status === 'committed' || r.status === 'pending')) {
        this.need.addCommitted(t.slot, t.energyWh)
        if (cross) this.#imports.restore(t.slot, t.energyWh)
      }
      if (r.role === 'buyer' && r.status === 'pending') this.#buying.addRetries(1)
    }
    for (const h of await this.journal.holds()) {
      if (h.holdUntil <= now) {
        await this.journal.releaseHold(h.negotiation, 'expired-while-down')
        this.emit({
          type: 'reservation-released',
          slot: h.slot,
          correlation: h.negotiation,
          energyWh: h.energyWh,
          code: 'expired-while-down'
        })
        continue
      }
      // the limit is set when the slot is planned; a hold restored first keeps its energy reserved
      this.selling.setLimit(
        h.slot,
        Math.max(this.selling.limit(h.slot), this.selling.committed(h.slot) + this.selling.held(h.slot, now) + h.energyWh)
      )
      this.selling.hold(
        {
          negotiation: h.negotiation,
          slot: h.slot,
          energyWh: h.energyWh,
          holdUntil: h.holdUntil,
          price: h.price,
          counterparty: h.counterparty
        },
        now
      )
      this.seller.restoreHold(h.negotiation, h.tradeId, h.cross === true ? { slot: h.slot, energyWh: h.energyWh } : undefined)
    }
  }

  async #join(): Promise<void> {
    const pubsub = this.host.services.pubsub
    const deadline = AbortSignal.any([AbortSignal.timeout(this.options.joinTimeoutMs), this.#abort.signal])
    await new Promise<void>(resolve => {
      const check = (): void => {
        const subscribers = pubsub.getSubscribers(`/kvartal/${this.options.district}/offer/1`).length
        const meshed = (pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(
          `/kvartal/${this.options.district}/offer/1`
        ).length
        if (subscribers > 0 && meshed >= Math.min(subscribers, 2)) done()
      }
      const done = (): void => {
        pubsub.removeEventListener('gossipsub:graft', check)
        clearInterval(timer)
        resolve()
      }
      pubsub.addEventListener('gossipsub:graft', check)
      const timer = setInterval(check, 100)
      deadline.addEventListener('abort', done, { once: true })
      check()
    })
    this.#ticker.schedule()
  }

  async #stop(): Promise<void> {
    this.#abort.abort()
    this.#ticker?.cancel()
    // a period's settlement in flight finishes first, for up to SETTLE_GRACE_MS: aborted at once, a payment or
    // attestation the ledger had already executed was left unjournaled until the next start (nothing lost,
    // the next start finds it by its key; but an operator reading the journal of a stopped node saw a
    // period attested on the ledger and not settled in its journal: tests/crash-energy.test.ts, under load)
    const settling = this.#ticker?.settling
    if (settling != null)
      await Promise.race([settling.catch(() => {}), new Promise(resolve => setTimeout(resolve, SETTLE_GRACE_MS).unref())])
    this.#settleAbort.abort()
    // let work in flight finish (a journal write, a reply) for a moment; negotiations the machine stops
    // on its way out never report back, so do not wait for them forever
    await Promise.race([this.idle(), new Promise(resolve => setTimeout(resolve, 3_000).unref())])
    // each part stops even if one before it failed; a failure is said (node-error), never swallowed
    const attempt = async (code: NodeErrorCode, part: string, f: () => unknown): Promise<void> => {
      try {
        await f()
      } catch (err) {
        this.emit({
          type: 'node-error',
          code,
          detail: `${part}: ${String((err as Error)?.message ?? err)} (${errorCode(err, (err as Error)?.name ?? 'error')})`
        })
      }
    }
    await attempt(NodeErrorCode.stopFailed, 'gossip router', () => this.router?.stop())
    await attempt(NodeErrorCode.stopFailed, 'topic sync', async () => await this.topicSync?.stop())
    await attempt(NodeErrorCode.stopFailed, 'mobility', async () => await this.mobility?.stop())
    await attempt(NodeErrorCode.stopFailed, 'meter', async () => await this.#meter?.stop())
    await attempt(NodeErrorCode.stopFailed, 'libp2p host', async () => await this.host?.stop())
    await attempt(NodeErrorCode.closeFailed, 'settlement adapter', async () => await this.settlement?.close?.())
    await attempt(NodeErrorCode.closeFailed, 'journal', async () => await this.journal?.close())
    this.emit({ type: 'stopped' })
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
