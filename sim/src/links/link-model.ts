import { LinkClasses, type LinkNodes } from './link-classes.ts'
import type { Latency } from './link-conditions.ts'
import type { NetworkScenario } from './network-scenario.ts'

/** What the links of one class carried and lost. */
export interface LinkCounts {
  gossipMessages: number
  gossipLost: number
  frames: number
  framesLost: number
}

/**
 * The district's links, as the simulator models them (docs/simulator.md, "Link conditions"). Pure
 * logic: no host, no clock. Every decision is a hash of the run's seed, the link (sender and receiver
 * by node index), the message's bytes and how many times those same bytes crossed that link before —
 * never of the time or the order in which the machine ran things. So the same message on the same link
 * gets the same fate in every run, a retransmission (a retried confirm: the same bytes) gets a fresh
 * draw, and the share of messages lost is the configured one. Each link's loss, latency and bandwidth are
 * those of its class (link-classes.ts: inside a feeder, across feeders, a named group), which changes the
 * thresholds and the distribution, never the draws.
 */
export class LinkModel {
  readonly #n: NetworkScenario
  readonly #seed: number
  /** per partition, the nodes cut off from the rest */
  readonly #groups: Array<Set<number>>
  readonly #open = new Set<number>()
  readonly #seen = new Map<string, number>()
  /** added delay per negotiation stream (dialer>listener:stream id), simulated ms, and the class of its link */
  /** every negotiation's delay so far, and the latest under each stream key (a key comes again on a new connection) */
  readonly #streamDelays: Array<{ ms: number; link: number }> = []
  readonly #streamDelay = new Map<string, { ms: number; link: number }>()
  readonly classes: LinkClasses
  /** per class of link (`classes.names`), what its links carried and lost */
  readonly byClass: LinkCounts[]
  readonly counts = {
    gossipMessages: 0,
    gossipLost: 0,
    frames: 0,
    framesLost: 0,
    dialsRefused: 0,
    connectionsCut: 0,
    partitionsOpened: 0,
    partitionsHealed: 0,
    linksRedialled: 0,
    nodesLeft: 0,
    nodesRejoined: 0
  }

  /**
   * `groups[k]`: the node indices partition `k` cuts off; `nodes`: each node's feeder and the nodes of each
   * of `network.groups` (absent: every link is inside one feeder, in no group)
   */
  constructor(network: NetworkScenario, seed: number, groups: Array<Set<number>>, nodes?: LinkNodes) {
    this.#n = network
    this.#seed = (network.seed ?? seed) >>> 0
    this.#groups = groups
    this.classes = new LinkClasses(network, nodes)
    this.byClass = this.classes.names.map(() => ({ gossipMessages: 0, gossipLost: 0, frames: 0, framesLost: 0 }))
  }

  get network(): NetworkScenario {
    return this.#n
  }

  open(k: number): void {
    if (!this.#open.has(k)) {
      this.#open.add(k)
      this.counts.partitionsOpened++
    }
  }
  heal(k: number): void {
    if (this.#open.delete(k)) this.counts.partitionsHealed++
  }
  isOpen(k: number): boolean {
    return this.#open.has(k)
  }
  group(k: number): ReadonlySet<number> {
    return this.#groups[k]
  }

  /** Is the link between nodes `a` and `b` cut by an open partition? */
  cut(a: number, b: number): boolean {
    for (const k of this.#open) {
      const g = this.#groups[k]
      if (g.has(a) !== g.has(b)) return true
    }
    return false
  }

  /**
   * One message from node `from` to node `to`: is it lost, and how long would it take (simulated ms:
   * the latency drawn from the distribution plus its transmission time at the link's bandwidth)?
   * `link`: the class of the link it crossed (`classes.names`).
   */
  send(kind: 'gossip' | 'frame', from: number, to: number, bytes: Uint8Array): { lost: boolean; delayMs: number; link: number } {
    const h = fnv1a(bytes)
    const key = `${kind}:${from}>${to}:${h}:${bytes.length}`
    const nth = this.#seen.get(key) ?? 0
    this.#seen.set(key, nth + 1)
    const u = (salt: number): number => unit(this.#seed, salt, from, to, h, nth)
    const { index: link, condition: c } = this.classes.of(from, to)
    const lost = c.loss > 0 && u(1) < c.loss
    const k = this.byClass[link]
    if (kind === 'gossip') {
      this.counts.gossipMessages++
      k.gossipMessages++
      if (lost) {
        this.counts.gossipLost++
        k.gossipLost++
      }
    } else {
      this.counts.frames++
      k.frames++
      if (lost) {
        this.counts.framesLost++
        k.framesLost++
      }
    }
    return { lost, delayMs: latency(c.latency, u) + (c.bandwidthKbps > 0 ? (bytes.length * 8) / c.bandwidthKbps : 0), link }
  }

  /**
   * A frame's delay counted against its stream (one negotiation) on a link of class `link`. `first`: the
   * stream's first frame, sent by the end that opened it before the other end can send anything; a stream
   * id comes again on a new connection between the same two nodes, so the first frame starts a new count.
   */
  addStreamDelay(stream: string, ms: number, link = 0, first = false): void {
    const d = first ? undefined : this.#streamDelay.get(stream)
    if (d != null) {
      d.ms += ms
      return
    }
    const fresh = { ms, link }
    this.#streamDelay.set(stream, fresh)
    this.#streamDelays.push(fresh)
  }

  /** The simulated delay the frames sent so far on one stream add up to, in ms. */
  streamDelayMs(stream: string): number {
    return this.#streamDelay.get(stream)?.ms ?? 0
  }

  /** Added simulated delay per stream, in ms: what latency and bandwidth add to each exchange's duration; of one class of link, or all. */
  streamDelays(link?: number): number[] {
    return this.#streamDelays
      .filter(d => link == null || d.link === link)
      .map(d => d.ms)
      .sort((a, b) => a - b)
  }
}

/** A delay drawn from the distribution `l` with the link's and the message's uniform draws `u`. */
function latency(l: Latency, u: (salt: number) => number): number {
  const { distribution, ms, spreadMs } = l
  if (distribution === 'fixed' || spreadMs === 0) return ms
  if (distribution === 'uniform') return Math.max(0, ms + (2 * u(2) - 1) * spreadMs)
  // Box–Muller: a normal draw from two uniform ones, cut at 0
  const z = Math.sqrt(-2 * Math.log(Math.max(u(2), 1e-12))) * Math.cos(2 * Math.PI * u(3))
  return Math.max(0, ms + z * spreadMs)
}

/** FNV-1a over bytes: 32 bits. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** A uniform number in [0, 1) from integers, by murmur3's finaliser over each in turn. */
export function unit(...xs: number[]): number {
  let h = 0x9e3779b9
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b)
    h ^= h >>> 13
    h = Math.imul(h, 0xc2b2ae35)
    h ^= h >>> 16
  }
  return (h >>> 0) / 4_294_967_296
}
