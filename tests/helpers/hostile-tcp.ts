/**
 * What a stock libp2p peer (stock-peer.ts) does to a district over TCP, and how the honest nodes are
 * seen to answer it: shared by tests/hostile-peers.test.ts and bench/hostile.ts. The attack itself
 * uses no Kvartal code; only the measurements read the honest nodes (their gossipsub scores and mesh,
 * their streams).
 */
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Stream } from '@libp2p/interface'
import type { KvartalNode } from '@kvartal/node'
import { flipBit, kvartalNames, rawStream, startStockPeer, varint, type StockPeer } from './stock-peer.ts'

/** gossipsub's graylist threshold (its default, which Kvartal keeps): below it a peer's RPCs are ignored */
export const GRAYLIST_THRESHOLD = -80

interface ScoredPubsub {
  getScore(peer: string): number
  getMeshPeers(topic: string): string[]
}
const pubsubOf = (n: KvartalNode): ScoredPubsub => n.host.services.pubsub as unknown as ScoredPubsub

/** `victim`'s gossipsub score of `peer` (recomputed at each heartbeat, once a second) */
export const scoreAt = (victim: KvartalNode, peer: StockPeer): number => pubsubOf(victim).getScore(peer.peerId.toString())
/** whether `peer` is in `victim`'s gossipsub mesh for `topic` */
export const inMesh = (victim: KvartalNode, peer: StockPeer, topic: string): boolean =>
  pubsubOf(victim).getMeshPeers(topic).includes(peer.peerId.toString())

/** `victim`'s open streams of `protocols` from `peers` */
export function streamsFrom(victim: KvartalNode, peers: readonly StockPeer[], protocols: readonly string[]): number {
  const ids = new Set(peers.map(p => p.peerId.toString()))
  return victim.host
    .getConnections()
    .filter(c => ids.has(c.remotePeer.toString()))
    .flatMap(c => c.streams)
    .filter(s => s.protocol != null && protocols.includes(s.protocol) && s.status === 'open').length
}

/** A small seeded generator (the attacker's own; xorshift32). */
function randomBytes(seed: number): (n: number) => Uint8Array {
  let x = seed | 1
  return n =>
    Uint8Array.from({ length: n }, () => {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      return x & 0xff
    })
}

export interface GossipAttack {
  /** messages published, by kind (oversized: 48 KiB, past any Kvartal message, and two of 200 KiB, past gossipsub's frame limit) */
  readonly published: { garbage: number; flipped: number; replayed: number; oversized: number }
  /** ms from the first message until every victim scored the attacker below the graylist threshold */
  readonly graylistMs: number
  /** ms from the first message until no victim kept the attacker in its mesh of the offer topic */
  readonly pruneMs: number
}

/**
 * Publishes `count` messages on the district's offer and mobility topics: garbage, honest messages the
 * attacker heard with one bit flipped, the same honest messages again (replays), and messages far past
 * the size of any Kvartal message; then waits until every victim has graylisted the attacker and pruned
 * it from its offer-topic mesh. Rejects if that takes longer than `timeoutMs`.
 */
export async function floodGossip(
  attacker: StockPeer,
  victims: readonly KvartalNode[],
  district: string,
  count: number,
  timeoutMs = 20_000
): Promise<GossipAttack> {
  const names = kvartalNames(district)
  const honest = [...(attacker.heard.get(names.offerTopic) ?? []), ...(attacker.heard.get(names.mobilityTopic) ?? [])]
  if (honest.length === 0) throw new Error('the attacker heard no honest message to copy')
  const bytes = randomBytes(0x5eed)
  const published = { garbage: 0, flipped: 0, replayed: 0, oversized: 0 }
  const t0 = performance.now()
  let graylistMs: number | undefined
  let pruneMs: number | undefined
  const watch = setInterval(() => {
    const now = performance.now() - t0
    if (graylistMs == null && victims.every(v => scoreAt(v, attacker) < GRAYLIST_THRESHOLD)) graylistMs = now
    if (pruneMs == null && victims.every(v => !inMesh(v, attacker, names.offerTopic))) pruneMs = now
  }, 10)
  try {
    for (let i = 0; i < count; i++) {
      const topic = i % 5 === 4 ? names.mobilityTopic : names.offerTopic
      const copy = honest[i % honest.length]
      let data: Uint8Array
      switch (i % 4) {
        case 0:
          data = bytes(40 + (i % 400))
          published.garbage++
          break
        case 1:
          data = flipBit(copy, i * 7919)
          published.flipped++
          break
        case 2:
          data = copy
          published.replayed++
          break
        // far past any Kvartal message (4 KiB), inside gossipsub's frame limit (128 KiB): the validator's to refuse
        default:
          data = bytes(48 * 1024)
          published.oversized++
      }
      await attacker.host.services.pubsub.publish(topic, data).catch(() => {})
    }
    const deadline = performance.now() + timeoutMs
    while (graylistMs == null || pruneMs == null) {
      if (performance.now() > deadline)
        throw new Error(
          `not pruned within ${timeoutMs} ms: scores ${victims.map(v => scoreAt(v, attacker)).join(', ')}, ` +
            `in mesh ${victims.map(v => inMesh(v, attacker, names.offerTopic)).join(', ')}`
        )
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    // and frames past gossipsub's own limit (128 KiB an RPC frame): refused as they are read
    for (let i = 0; i < 2; i++) {
      await attacker.host.services.pubsub.publish(names.offerTopic, bytes(200 * 1024)).catch(() => {})
      published.oversized++
    }
  } finally {
    clearInterval(watch)
  }
  return { published, graylistMs: Math.round(graylistMs), pruneMs: Math.round(pruneMs) }
}

export interface StreamAttack {
  readonly streams: Stream[]
  readonly crowd: StockPeer[]
  readonly crowdConnected: number
}

/**
 * On `protocols` of the victim at `addrs`: one stream whose first frame claims 1 MiB (and sends a
 * kilobyte of it), `slow` streams that say nothing, `slow` that start a frame and never finish it; and
 * `crowd` more stock peers (fresh keys, no gossip) that connect at once, each opening a silent stream
 * of every protocol.
 */
export async function stallStreams(
  attacker: StockPeer,
  addrs: Multiaddr[],
  protocols: readonly string[],
  slow: number,
  crowd: number
): Promise<StreamAttack> {
  const streams: Stream[] = []
  const bytes = randomBytes(0xb16)
  for (const p of protocols) {
    const big = await rawStream(attacker, addrs, p)
    big.send(new Uint8Array([...varint(1 << 20), ...bytes(1_000)]))
    streams.push(big)
    for (let i = 0; i < slow; i++) streams.push(await rawStream(attacker, addrs, p))
    for (let i = 0; i < slow; i++) {
      const s = await rawStream(attacker, addrs, p)
      s.send(new Uint8Array([...varint(200), 1, 2, 3]))
      streams.push(s)
    }
  }
  const peers = await Promise.all(Array.from({ length: crowd }, async (_, i) => await startStockPeer({ gossip: false, seed: 100 + i })))
  const dialled = await Promise.allSettled(
    peers.map(async p => {
      await p.host.dial(addrs, { signal: AbortSignal.timeout(10_000) })
      for (const proto of protocols) streams.push(await rawStream(p, addrs, proto))
    })
  )
  return { streams, crowd: peers, crowdConnected: dialled.filter(r => r.status === 'fulfilled').length }
}
