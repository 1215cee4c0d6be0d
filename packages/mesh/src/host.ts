import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { memory } from '@libp2p/memory'
import { noise } from '@chainsafe/libp2p-noise'
import './length-prefix.ts'
import './yamux-window.ts'
import { plaintext } from '@libp2p/plaintext'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { mdns } from '@libp2p/mdns'
import { bootstrap } from '@libp2p/bootstrap'
import { gossipsub, StrictNoSign, type GossipSub } from '@libp2p/gossipsub'
import { hash } from 'node:crypto'
import type { Identify } from '@libp2p/identify'
import type { ComponentLogger, ConnectionGater, Logger, PeerDiscovery } from '@libp2p/interface'
import { ConfigError } from '@kvartal/protocol'
import { memoryListenAddress, type NodeIdentity } from './identity.ts'
import { unencryptedMemory } from './unencrypted-memory.ts'
import { scoreParamsFor } from './scoring.ts'

/** Per topic, the first bytes of its messages' ids: the topic's length (4 bytes, big-endian) and the topic. */
const idPrefixes = new Map<string, Buffer>()
function idPrefix(topic: string): Buffer {
  let prefix = idPrefixes.get(topic)
  if (prefix == null) {
    const t = Buffer.from(topic, 'utf8')
    prefix = Buffer.alloc(4 + t.length)
    prefix.writeUInt32BE(t.length, 0)
    t.copy(prefix, 4)
    // a node reads and writes a handful of topics; a bound all the same
    if (idPrefixes.size >= 1_024) idPrefixes.clear()
    idPrefixes.set(topic, prefix)
  }
  return prefix
}

/**
 * Gossipsub's message id: SHA-256 of the topic's length (4 bytes), the topic, and the message's bytes.
 * Node's one-shot `crypto.hash` (OpenSSL): 0.4 µs for an announcement where @noble/hashes took 3 µs, and
 * gossipsub hashes every copy a node receives (the fast id, below), about seven per message kept.
 */
export function topicMessageId(topic: string, data: Uint8Array): Uint8Array {
  return hash('sha256', Buffer.concat([idPrefix(topic), data]), 'buffer')
}

/** Gossipsub's fast id, its first filter of duplicates: the topic and the SHA-256 of the bytes, base64. */
export function fastMessageId(topic: string, data: Uint8Array | undefined): string {
  return `${topic}\n${hash('sha256', data ?? new Uint8Array(), 'base64')}`
}

export const Transport = { memory: 'memory', tcp: 'tcp' } as const
export type Transport = (typeof Transport)[keyof typeof Transport]

export interface HostOptions {
  identity: NodeIdentity
  district: string
  /** the node's feeder: its topics get peer-score parameters */
  feeder?: string
  /** the mobility zones whose topics the node reads: they get peer-score parameters too */
  mobilityZones?: readonly string[]
  transport: Transport
  /** multiaddrs to listen on; defaults depend on the transport */
  listen?: string[]
  /** multiaddrs (with /p2p/ ids) to dial at start */
  bootstrap?: string[]
  /** discover peers on the LAN (edge default; off in simulations) */
  mdns?: boolean
  /** a loopback simulation: raise the inbound connection rate limit (see DESIGN.md, facts) */
  loopback?: boolean
  maxConnections?: number
  /**
   * 'plaintext' is for the memory transport only, where every node lives in one process and no byte
   * leaves it: a simulator then does not pay for encrypting what only it can read (noise was about a
   * tenth of a simulation's CPU). Over TCP a node always speaks noise. Default: noise.
   */
  encryption?: 'noise' | 'plaintext'
  /**
   * A simulator's worker process (TCP between processes): also listen on, and dial, the memory transport,
   * so that nodes in the same process reach each other without the kernel's sockets; every connection
   * between processes speaks noise; with `encryption: 'plaintext'` the in-process ones skip encryption.
   * Only with the tcp transport.
   */
  inProcess?: boolean
  /**
   * libp2p's connection monitor pings every connection every 10 s of real time to find dead ones.
   * A node on a real network needs it. A simulator turns it off: its connections cannot die unseen,
   * and a real-time ping per connection grows with the run's wall time, not with what is simulated —
   * at 1,000 buildings, 8,000 connections pinged from both ends were most of the run's stream
   * traffic, peer-store writes and garbage (a slow machine pinged more per simulated slot). The same
   * holds for yamux's keep-alive, a ping on every connection every 30 s of real time: off with it (at
   * 200 buildings across two processes, its pings were 3 % of a worker's CPU). Default: on.
   */
  connectionMonitor?: boolean
  /**
   * libp2p's own real-time limits on dialling, upgrading a connection and negotiating a stream's
   * protocol (10 s each by default). A simulator raises them with its frame timeout: at 1,000 buildings
   * on 2 cores a stream could wait longer than 10 s for the event loop, and 29 of 1,760 negotiations
   * failed "aborted due to timeout" — an outcome decided by the machine's speed. Default: libp2p's.
   */
  timeoutsMs?: number
  /**
   * Gossipsub's heartbeat (mesh upkeep, IHAVE gossip to non-mesh peers, score refresh, cache shifts)
   * runs every second of real time. A simulator runs it itself instead, at its nodes' ticks
   * (`gossipHeartbeat`, below; at most one per tick and one per real second): at 200 buildings in two
   * processes a tick took several seconds of wall time, so each node ran several heartbeats per tick,
   * 9 % of a worker's CPU and growing with the machine's slowness. Default: off (libp2p's timer).
   */
  manualHeartbeat?: boolean
  /**
   * libp2p's identify exchange on every new connection: each side signs a peer record, checks the
   * other's, and writes its addresses and protocols to the peer store. Gossipsub needs it (it learns
   * from it which peers speak gossipsub); nothing else of Kvartal does: negotiations, catch-up pulls and
   * bookings dial a protocol on a known peer and address. A simulator whose nodes gossip on a process
   * bus (ProcessGossip) turns it off: at 200 buildings it was a tenth of the run's CPU, as buyers
   * connected to sellers across the feeder. Default: on
   */
  identifyOnConnect?: boolean
  /**
   * A simulator's model of the network (sim/src/links): a connection gater (partitions: dials and
   * connections across a cut refused) and a hook that sees the host once it exists, before anything
   * uses it (loss on streams and gossip). A real node has none.
   */
  network?: HostNetworkHooks
}

/** See `HostOptions.network`. */
export interface HostNetworkHooks {
  connectionGater?: ConnectionGater
  attach?: (host: KvartalHost) => void
}

export const defaultHostOptions = {
  // gossipsub needs ~12 connections for its mesh and gossip, and a node negotiates directly with the
  // sellers of its feeder (20–80 buildings) and a few beyond it. At 64, a 100-building simulation pruned
  // connections with negotiations in flight (1,493 disconnects in four slots; the closed-stream failures)
  maxConnections: 256,
  // libp2p's own edge default: at most 5 inbound connections per second from one host
  inboundConnectionThreshold: 5,
  // every node of a loopback simulation dials from 127.0.0.1 at once
  loopbackInboundConnectionThreshold: 10_000,
  // libp2p's default: inbound connections still in their upgrade (noise, yamux) beyond this are dropped
  maxIncomingPendingConnections: 10,
  // a simulation on several processes dials a feeder's first nodes from dozens of nodes at once over
  // TCP, each connection's noise handshake waiting for CPU: at 10, they were dropped and dials timed out
  loopbackMaxIncomingPendingConnections: 128
} as const

const silent: Logger = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false, newScope: () => silent })

/**
 * libp2p's components ask their logger factory for a logger per connection and per stream; the default
 * factory (weald, a fork of `debug`) asks whether stderr is a terminal every time (`tty.isatty`: 2.9 % of
 * a 100-building simulation's CPU). Unless `DEBUG` asks for libp2p's logs, hand out one silent logger.
 */
export const quietLogger: ComponentLogger = { forComponent: () => silent }

export type KvartalServices = { identify: Identify; ping: unknown; pubsub: GossipSub }
export type KvartalHost = Libp2p<KvartalServices>

/**
 * A libp2p 3 host for one node: TCP (edge) or memory (simulator) transport, noise, yamux, identify,
 * ping, gossipsub with StrictNoSign envelopes and content-addressed message ids (every Kvartal
 * message carries its author's own Ed25519 signature, checked once per unique message in the topic
 * validator; see DESIGN.md, facts measured), mDNS and bootstrap discovery.
 */
export async function createHost(opts: HostOptions): Promise<KvartalHost> {
  if (opts.encryption === 'plaintext' && opts.transport !== 'memory' && opts.inProcess !== true)
    throw new ConfigError('encryption', 'plaintext is only for the memory transport (one process); over TCP a node speaks noise')
  if (opts.inProcess === true && opts.transport !== 'tcp')
    throw new ConfigError('inProcess', 'the memory transport alongside TCP is for a simulator worker on the tcp transport')
  const listen = [...(opts.listen ?? (opts.transport === 'memory' ? [memoryListenAddress(opts.identity)] : ['/ip4/127.0.0.1/tcp/0']))]
  if (opts.inProcess === true) listen.push(memoryListenAddress(opts.identity))
  const peerDiscovery: Array<(components: any) => PeerDiscovery> = []
  if (opts.mdns === true) peerDiscovery.push(mdns({ interval: 2_000, serviceTag: `kvartal-${opts.district}.local` } as any))
  // @libp2p/bootstrap only understands network addresses; memory addresses are dialled by `dialBootstrap`
  const networkBootstrap = (opts.bootstrap ?? []).filter(a => !a.startsWith('/memory/'))
  if (networkBootstrap.length > 0) peerDiscovery.push(bootstrap({ list: networkBootstrap, timeout: 100 }))
  const node = await createLibp2p({
    // with a manual heartbeat, gossipsub is changed before it starts (below)
    start: opts.manualHeartbeat !== true,
    privateKey: opts.identity.privateKey,
    ...(process.env.DEBUG == null || process.env.DEBUG === '' ? { logger: quietLogger } : {}),
    addresses: { listen },
    transports:
      opts.transport === 'memory'
        ? [memory()]
        : opts.inProcess === true
          ? [tcp(), opts.encryption === 'plaintext' ? unencryptedMemory() : memory()]
          : [tcp()],
    // in a simulator's worker, 'plaintext' means in-process memory connections skip encryption
    // (unencrypted-memory.ts) while TCP, between processes, speaks noise
    connectionEncrypters: [opts.encryption === 'plaintext' && opts.transport === 'memory' ? plaintext() : noise()],
    streamMuxers: [yamux(opts.connectionMonitor === false ? { enableKeepAlive: false } : {})],
    peerDiscovery,
    ...(opts.connectionMonitor === false ? { connectionMonitor: { enabled: false } } : {}),
    ...(opts.network?.connectionGater != null ? { connectionGater: opts.network.connectionGater } : {}),
    connectionManager: {
      ...(opts.timeoutsMs != null
        ? {
            dialTimeout: opts.timeoutsMs,
            addressDialTimeout: opts.timeoutsMs,
            inboundUpgradeTimeout: opts.timeoutsMs,
            inboundStreamProtocolNegotiationTimeout: opts.timeoutsMs,
            outboundStreamProtocolNegotiationTimeout: opts.timeoutsMs
          }
        : {}),
      maxConnections: opts.maxConnections ?? defaultHostOptions.maxConnections,
      inboundConnectionThreshold:
        opts.loopback === true || opts.transport === 'memory'
          ? defaultHostOptions.loopbackInboundConnectionThreshold
          : defaultHostOptions.inboundConnectionThreshold,
      maxIncomingPendingConnections:
        opts.loopback === true ? defaultHostOptions.loopbackMaxIncomingPendingConnections : defaultHostOptions.maxIncomingPendingConnections
    },
    services: {
      identify: identify(opts.identifyOnConnect === false ? { runOnConnectionOpen: false } : {}),
      ping: ping(),
      pubsub: gossipsub({
        globalSignaturePolicy: StrictNoSign,
        // a message is its topic and its bytes (as Ethereum's consensus clients since Altair): the same envelope
        // on two topics (a vehicle's offer on the zone it left and the one it is in) is two messages, not a
        // duplicate that gossipsub drops at its publisher and at every reader of the first
        msgIdFn: msg => topicMessageId(msg.topic, msg.data),
        fastMsgIdFn: msg => fastMessageId(msg.topic, msg.data),
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        scoreParams: scoreParamsFor(opts.district, opts.feeder, opts.mobilityZones),
        // one RPC frame may batch several messages: announcements of a few hundred bytes, and a relay's
        // digest of up to 12 KiB. At 16 KiB, frames that carried a digest with other messages were
        // dropped whole (lost digests at 200 buildings); a frame far beyond a few digests is an attack
        maxInboundDataLength: 128 * 1024
      })
    }
  })
  if (opts.manualHeartbeat === true) {
    // gossipsub's timer calls its `runHeartbeat`, which runs a heartbeat and sets the next timer. Before
    // gossipsub starts, that becomes a no-op that sets none: no heartbeat by timer, and no timer left
    // behind (gossipsub's stop() does not clear a pending heartbeat timer; a long interval instead kept
    // every stopped simulation alive until it fired). The heartbeat interval itself stays 1 s: gossipsub
    // caches scores and spaces backoffs by it.
    ;(node.services.pubsub as unknown as { runHeartbeat: () => void }).runHeartbeat = () => {}
    await node.start()
  }
  opts.network?.attach?.(node as unknown as KvartalHost)
  return node as unknown as KvartalHost
}

/** One gossipsub heartbeat of a host made with `manualHeartbeat` (the simulator: once per tick). */
export async function gossipHeartbeat(host: KvartalHost): Promise<void> {
  // the class has it; @libp2p/gossipsub's exported GossipSub interface does not list it
  await (host.services.pubsub as unknown as { heartbeat: () => Promise<void> }).heartbeat()
}

/** Dials the bootstrap addresses the bootstrap module cannot (memory transport), in parallel. */
export async function dialBootstrap(host: KvartalHost, addrs: readonly string[], signal?: AbortSignal): Promise<number> {
  return await dialAddresses(
    host,
    addrs.filter(a => a.startsWith('/memory/')),
    signal
  )
}

/**
 * Whether the host has a connection to any of the bootstrap addresses' peers (those that name one with
 * `/p2p/`); with no address naming a peer, whether it has any connection at all.
 */
export function connectedToBootstrap(host: KvartalHost, addrs: readonly string[]): boolean {
  const ids = addrs.map(a => a.split('/p2p/')[1]).filter((p): p is string => p != null && p !== '')
  if (ids.length === 0) return host.getConnections().length > 0
  const connected = new Set(host.getConnections().map(c => c.remotePeer.toString()))
  return ids.some(id => connected.has(id))
}

/**
 * Dials addresses in parallel, each a few times with a short backoff (a peer started at the same moment may not listen
 * yet); resolves with how many answered.
 */
export async function dialAddresses(host: KvartalHost, addrs: readonly string[], signal?: AbortSignal): Promise<number> {
  const { multiaddr } = await import('@multiformats/multiaddr')
  const results = await Promise.allSettled(
    addrs.map(async a => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await host.dial(multiaddr(a), { signal: signal ?? AbortSignal.timeout(5_000) })
        } catch (err) {
          if (attempt >= 10 || signal?.aborted === true) throw err
          await new Promise(resolve => setTimeout(resolve, 20 * (attempt + 1)))
        }
      }
    })
  )
  return results.filter(r => r.status === 'fulfilled').length
}
