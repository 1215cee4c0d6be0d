/**
 * A stock libp2p peer: createLibp2p with TCP, noise, yamux, identify and gossipsub, straight from the
 * libp2p packages, and no Kvartal code at all. It knows Kvartal only as any outsider can: the topic and
 * protocol names (strings) and the bytes it hears. It joins a district over TCP, subscribes to its
 * topics, records what the honest nodes gossip, and sends whatever bytes it likes: garbage, copies of
 * honest messages with bits flipped, the same copies again (replays), frames far past any limit, and
 * streams that never finish (slowloris).
 */
import { createLibp2p, type Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, StrictNoSign, type GossipSub } from '@libp2p/gossipsub'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { PeerId, Stream } from '@libp2p/interface'

/** Kvartal's topic and protocol names, as strings anyone can read off the wire or the README: no import from Kvartal */
export const kvartalNames = (district: string) => ({
  offerTopic: `/kvartal/${district}/offer/1`,
  bidTopic: `/kvartal/${district}/bid/1`,
  mobilityTopic: `/kvartal/${district}/mobility/1`,
  negotiation: '/kvartal/energy/negotiate/1.0.0',
  booking: '/kvartal/mobility/booking/1.0.0'
})

export interface StockPeer {
  readonly host: Libp2p<{ identify: unknown; pubsub: GossipSub }>
  readonly peerId: PeerId
  /** honest gossip this peer received, per topic, in arrival order */
  readonly heard: Map<string, Uint8Array[]>
  stop(): Promise<void>
}

let nextSeed = 1

/**
 * Starts a stock peer on 127.0.0.1. `gossip: false` leaves gossipsub out (a bare connection, for
 * floods of connections and streams).
 */
export async function startStockPeer(opts: { gossip?: boolean; seed?: number } = {}): Promise<StockPeer> {
  const seed = new Uint8Array(32)
  seed[0] = 0xa7
  seed[1] = opts.seed ?? nextSeed++
  seed[2] = (opts.seed ?? nextSeed) >> 8
  const privateKey = await generateKeyPairFromSeed('Ed25519', seed)
  let counter = 0
  const host = (await createLibp2p({
    privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // the honest nodes read unsigned gossipsub envelopes only (their own messages carry their signatures)
    services:
      opts.gossip === false
        ? ({ identify: identify() } as never)
        : {
            identify: identify(),
            pubsub: gossipsub({
              globalSignaturePolicy: StrictNoSign,
              allowPublishToZeroTopicPeers: true,
              emitSelf: false,
              // a fresh id for each publish, so this peer may publish the same bytes again (a replay) and what it
              // received (the honest messages it copies) does not count as already seen
              msgIdFn: () => {
                const id = new Uint8Array(8)
                new DataView(id.buffer).setFloat64(0, ++counter)
                return id
              }
            })
          }
  })) as unknown as StockPeer['host']
  const heard = new Map<string, Uint8Array[]>()
  if (opts.gossip !== false) {
    host.services.pubsub.addEventListener('message', e => {
      const m = e.detail
      const list = heard.get(m.topic) ?? []
      list.push(new Uint8Array(m.data))
      heard.set(m.topic, list)
    })
  }
  return {
    host,
    peerId: host.peerId,
    heard,
    stop: async () => {
      await host.stop()
    }
  }
}

/** A varint length prefix (unsigned LEB128), as the length-prefixed frames on Kvartal's streams use. */
export function varint(n: number): Uint8Array {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return Uint8Array.from(out)
}

/** Opens a raw stream of `protocol` on `to` (dialling `addrs` if not connected). */
export async function rawStream(peer: StockPeer, addrs: Multiaddr[], protocol: string): Promise<Stream> {
  return await peer.host.dialProtocol(addrs, protocol, { signal: AbortSignal.timeout(10_000) })
}

/** `bytes` with one bit flipped at a seeded position */
export function flipBit(bytes: Uint8Array, at: number): Uint8Array {
  const b = new Uint8Array(bytes)
  if (b.length > 0) b[at % b.length] ^= 1 << (at % 8)
  return b
}
