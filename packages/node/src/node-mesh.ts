import { NEGOTIATION_PROTOCOL, ProtocolError, errorCode, toHex } from '@kvartal/protocol'
import { seededRandom, type OrderBook, type SlotPositions } from '@kvartal/market'
import {
  TopicSync,
  createHost,
  gossipRouter,
  handleChannels,
  traderOfPeer,
  type ChannelMeter,
  type GossipPort,
  type GossipRouter,
  type KvartalHost,
  type NodeIdentity
} from '@kvartal/mesh'
import type { PeerId } from '@libp2p/interface'
import { Announcer } from './announcer.ts'
import { RelayDialer } from './relay-dialer.ts'
import { mobilityZonesOf } from './mobility/mobility-runtime.ts'
import type { Emit } from './events.ts'
import type { Journal } from './journal.ts'
import type { KvartalNodeOptions } from './options.ts'
import type { SellerDesk } from './seller-desk.ts'

// A node on the mesh (kvartal-node.ts wires it in `start`): its libp2p host, the gossip it hears and says, the
// peers that come and go, the seller's side of negotiation streams, and the wait to join the offer mesh.

/** The libp2p host a node's options describe, not yet started. */
export async function createNodeHost(o: KvartalNodeOptions, identity: NodeIdentity): Promise<KvartalHost> {
  return await createHost({
    identity,
    district: o.district,
    feeder: o.grid?.feeder,
    mobilityZones: o.mobility != null ? mobilityZonesOf(o.mobility) : [],
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
}

export interface NodeGossipDeps {
  /** the node's options, read live */
  readonly options: KvartalNodeOptions
  readonly host: KvartalHost
  readonly identity: NodeIdentity
  readonly journal: Journal
  readonly selling: SlotPositions
  readonly need: SlotPositions
  readonly book: OrderBook
  /** the strategy's randomness, for the prices the node announces */
  readonly random: () => number
  /** aborted when the node stops */
  readonly signal: AbortSignal
  readonly emit: Emit
  /** counts work in flight (a dial to a relay) */
  readonly track: (p: Promise<unknown>) => void
}

export interface NodeGossip {
  /** catch-up on gossip the node missed */
  readonly topicSync: TopicSync
  /** where the node gossips (o.processGossip, or its host's gossipsub) */
  readonly gossip: GossipPort
  readonly router: GossipRouter
  /** what the node says on gossip, and its catch-up pulls (announcer.ts) */
  readonly announcer: Announcer
}

/**
 * A node's gossip, not yet started: the catch-up pull, the port it gossips on (a simulator's nodes of one
 * process gossip on its bus; everything else over gossipsub), the router that puts what it hears into the
 * book, and the announcer that says what it has. A message refused is said (`message-rejected`) with the
 * peer it came from.
 */
export function wireGossip(d: NodeGossipDeps): NodeGossip {
  const { options: o, host, emit } = d
  const refusedBy = (err: ProtocolError, from: PeerId): void => {
    const t = traderOfPeer(from)
    emit({ type: 'message-rejected', code: err.code, detail: err.message, peer: t != null ? toHex(t) : from.toString() })
  }
  const topicSync = new TopicSync({ host, now: () => o.clock.now(), signal: d.signal, refused: refusedBy })
  const gossip = o.processGossip?.port(host.services.pubsub, d.identity.peerId) ?? host.services.pubsub
  const router = gossipRouter(gossip, {
    district: o.district,
    feeder: o.grid?.feeder,
    relay: o.grid?.relay,
    sync: topicSync,
    accept: (opened, kind) => {
      d.book.apply(opened.message, kind, o.clock.now())
      emit({ type: 'announcement-received', peer: toHex(opened.message.trader), detail: kind })
    },
    acceptDigest: (opened, scope) => {
      d.book.applyDigest(opened.message, o.clock.now())
      if (scope === 'feeder') dialer.heard(opened.message.relay, opened.message.relayAddrs ?? [], o.clock.now())
      emit({ type: 'announcement-received', peer: toHex(opened.message.relay), detail: `digest:${scope}` })
    },
    refused: (err, _topic, from) => {
      refusedBy(err, from)
    }
  })
  const announcer = new Announcer({
    options: o,
    host,
    identity: d.identity,
    journal: d.journal,
    router,
    topicSync,
    selling: d.selling,
    need: d.need,
    book: d.book,
    random: d.random,
    peerRandom: seededRandom(o.seed * 7919 + 17),
    emit
  })
  const dialer = new RelayDialer({ options: o, host, connected: () => announcer.sayBidsAgain(), track: d.track })
  return { topicSync, gossip, router, announcer }
}

/** Says each peer that connects (`peer-joined`) and disconnects (`peer-left`); with mDNS, dials each peer it discovers. */
export function watchPeers(host: KvartalHost, o: KvartalNodeOptions, emit: Emit): void {
  host.addEventListener('peer:connect', e => {
    const t = traderOfPeer(e.detail)
    emit({ type: 'peer-joined', peer: t != null ? toHex(t) : e.detail.toString() })
  })
  host.addEventListener('peer:disconnect', e => {
    const t = traderOfPeer(e.detail)
    emit({ type: 'peer-left', peer: t != null ? toHex(t) : e.detail.toString() })
  })
  if (o.mdns === true) {
    host.addEventListener('peer:discovery', e => {
      if (host.getConnections(e.detail.id).length === 0) void host.dial(e.detail.id, { signal: AbortSignal.timeout(5_000) }).catch(() => {})
    })
  }
}

export interface NegotiationServiceDeps {
  readonly options: KvartalNodeOptions
  readonly host: KvartalHost
  readonly seller: SellerDesk
  /** the node's stream counters */
  readonly meter: ChannelMeter
  /** aborted when the node stops */
  readonly signal: AbortSignal
  readonly emit: Emit
  /** counts work in flight */
  readonly track: (p: Promise<unknown>) => void
}

/**
 * Serves the seller's side of negotiation streams. Each counts as work in flight, so `idle()` (and a
 * simulator's clock) waits for it.
 */
export async function serveNegotiations(d: NegotiationServiceDeps): Promise<void> {
  const { host, emit } = d
  await handleChannels(
    host,
    NEGOTIATION_PROTOCOL,
    async ch => {
      const work = d.seller.handle(ch).catch((err: Error) => {
        // a peer that sends garbage, a forgery or nothing at all: say so, then drop the stream
        const t = traderOfPeer(ch.remotePeer)
        const peer = t != null ? toHex(t) : ch.remotePeer.toString()
        if (err instanceof ProtocolError)
          emit({ type: 'message-rejected', code: err.code, detail: `negotiation stream: ${err.message}`, peer })
        else if (!d.signal.aborted) emit({ type: 'negotiation-failed', code: errorCode(err, err.name), detail: err.message, peer })
        throw err
      })
      d.track(work.catch(() => {}))
      await work
    },
    { frameTimeoutMs: d.options.frameTimeoutMs, meter: d.meter }
  )
}

/**
 * Waits until the district's offer topic has subscribers and this node is in their gossip mesh (with two
 * of them, or all if fewer), for at most `joinTimeoutMs`, or until the node stops. A node with no bootstrap
 * peers and no mDNS has nobody to find: it waits for nothing (the first node of a district, which the others
 * dial; a simulator's node, dialled once all listen). Those who join later catch up on what it announced.
 */
export async function joinOfferMesh(host: KvartalHost, o: KvartalNodeOptions, stopping: AbortSignal): Promise<void> {
  if ((o.bootstrap ?? []).length === 0 && o.mdns !== true) return
  const pubsub = host.services.pubsub
  const deadline = AbortSignal.any([AbortSignal.timeout(o.joinTimeoutMs), stopping])
  await new Promise<void>(resolve => {
    const check = (): void => {
      const subscribers = pubsub.getSubscribers(`/kvartal/${o.district}/offer/1`).length
      const meshed = (pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(`/kvartal/${o.district}/offer/1`).length
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
}
