import { multiaddr } from '@multiformats/multiaddr'
import { peerIdOfTrader, type KvartalHost } from '@kvartal/mesh'
import { toHex } from '@kvartal/protocol'
import type { KvartalNodeOptions } from './options.ts'

export interface RelayDialerDeps {
  /** the node's options, read live */
  readonly options: KvartalNodeOptions
  readonly host: KvartalHost
  /** a dial that connected: the node says its bids again, so that the relay hears them (Announcer.sayBidsAgain) */
  readonly connected: () => void
  /** counts work in flight (a simulator waits for it) */
  readonly track: (p: Promise<unknown>) => void
}

/** relays whose last dial is remembered before those dialled more than a slot ago are forgotten */
const MAX_TRIED = 64

/** the peer store tag that keeps a relay's connection over others when libp2p prunes connections */
export const RELAY_TAG = 'kvartal-relay'

/**
 * A buyer's link to its feeder's relay. Only relays read a feeder's bid topic, and gossipsub sends a message
 * on a topic its publisher does not read only to the peers it is connected to that read it: a buyer
 * connected to no relay publishes its bids to nobody, and the hub never allocates it energy of other
 * feeders. So a node that hears a digest from a relay of its own feeder, and is not connected to it, dials
 * it at the addresses the digest names (at most once a slot per relay), and keeps that connection above
 * others when libp2p prunes. On a simulator's process bus every reader of a topic gets every message
 * whoever is connected: nothing to dial there.
 */
export class RelayDialer {
  readonly #d: RelayDialerDeps
  /** per relay (hex key), when it was last dialled (the node's clock) */
  readonly #tried = new Map<string, number>()

  constructor(deps: RelayDialerDeps) {
    this.#d = deps
  }

  /** A digest from `relay`, a relay of this node's feeder, naming where it listens, was heard at `now`. */
  heard(relay: Uint8Array, addrs: readonly Uint8Array[], now: number): void {
    const o = this.#d.options
    if (o.processGossip != null || o.grid?.relay === true || (o.grid?.feeder ?? '') === '' || addrs.length === 0) return
    const key = toHex(relay)
    const peer = peerIdOfTrader(relay)
    if (this.#d.host.getConnections(peer).length > 0) return
    const last = this.#tried.get(key)
    if (last != null && now - last < o.slots.slotMs) return
    this.#tried.set(key, now)
    // any key can sign a digest on the feeder's topic: what is remembered stays bounded by what was tried this slot
    if (this.#tried.size > MAX_TRIED) for (const [k, at] of this.#tried) if (now - at >= o.slots.slotMs) this.#tried.delete(k)
    this.#d.track(this.#dial(peer, addrs))
  }

  async #dial(peer: ReturnType<typeof peerIdOfTrader>, addrs: readonly Uint8Array[]): Promise<void> {
    const { host } = this.#d
    try {
      const multiaddrs = addrs.map(a => multiaddr(a))
      await host.peerStore.merge(peer, { multiaddrs, tags: { [RELAY_TAG]: { value: 100 } } })
      await host.dial(peer, { signal: AbortSignal.timeout(10_000) })
      this.#d.connected()
    } catch {
      // an unreachable relay: tried again at its next digest, a slot later at the earliest
    }
  }
}
