import { slotStart, type NodeEvent, type SlotClockConfig } from '@kvartal/protocol'
import type { HostNetworkHooks, NodeIdentity } from '@kvartal/mesh'
import type { KvartalNode } from '@kvartal/node'
import type { PeerId } from '@libp2p/interface'
import type { GossipCounts, Probe } from '../quiescence.ts'
import { ACROSS_FEEDERS, WITHIN_FEEDER } from './link-classes.ts'
import { addCounts, copyCounts, publishedOnly, seenAll } from './churn-counts.ts'
import { LinkModel } from './link-model.ts'
import { LinkLostError, hostHooks } from './host-hooks.ts'
import { checkNetworkNames, type NetworkScenario } from './network-scenario.ts'

/** What the link conditions did in one run (results.json, `network`). */
export interface NetworkFigures {
  /** gossip messages received over a link, and those the model lost there */
  gossip: { messages: number; lost: number }
  /** frames sent on Kvartal's streams (negotiations, catch-up pulls, bookings), and those lost (each broke its stream) */
  frames: { sent: number; lost: number }
  /** dials and connections the gater refused because a partition cut the link */
  dialsRefused: number
  /** connections closed when a partition opened (each counted once) */
  connectionsCut: number
  /** dial-plan links dialled again when a partition healed or a node rejoined */
  linksRedialled: number
  partitions: { opened: number; healed: number; slots: number }
  churn: { left: number; rejoined: number; nodeSlotsAway: number }
  /** negotiation-failed events, by code, on either side */
  negotiationsFailed: Record<string, number>
  /** simulated delay latency and bandwidth add to each negotiation (sum over its frames), ms */
  negotiationDelayMs: DelayFigures
  /**
   * the same per class of link (link-classes.ts): links inside a feeder, across feeders, and those of each
   * of `network.groups` by name; each link counts in one class, the one whose conditions it got
   */
  links: { withinFeeder: LinkClassFigures; acrossFeeders: LinkClassFigures; groups: Record<string, LinkClassFigures> }
}

export interface DelayFigures {
  p50: number
  p99: number
  max: number
  negotiations: number
}

/** What the links of one class carried and lost, and the delay they added to the negotiations over them. */
export interface LinkClassFigures {
  gossip: { messages: number; lost: number }
  frames: { sent: number; lost: number }
  negotiationDelayMs: DelayFigures
}

/** What the controller needs of the run: its nodes (replaced as they rejoin), their plan, and how to make one. */
export interface LinkRun {
  readonly names: readonly string[]
  readonly feederOf: (i: number) => string | undefined
  readonly identities: readonly NodeIdentity[]
  /** whom each node dials at start (dial-plan.ts, dialPlan) */
  readonly dials: readonly number[][]
  readonly slots: SlotClockConfig
  readonly seed: number
  /** a new node `i` on its data directory, with these hooks, not yet started */
  readonly make: (i: number, network: HostNetworkHooks) => KvartalNode
  /** after a rejoined node started (the scenario's own hook) */
  readonly afterStart?: (i: number, node: KvartalNode) => void
}

type Change = { at: number; order: number; apply: () => Promise<void> }

/**
 * Applies a scenario's link conditions to a district in this process: a gater and stream/gossip loss in
 * every host (host-hooks.ts), partitions opened and healed and nodes stopped and started at slot
 * boundaries, before the simulated clock reaches them (`before`), and the quiescence counts of nodes
 * that left and came back (`adjust`). Every change happens between two ticks, when the district is idle.
 */
export class LinkController {
  readonly model: LinkModel
  readonly #r: LinkRun & { nodes: KvartalNode[] }
  readonly #index = new Map<string, number>()
  readonly #changes: Change[] = []
  readonly #down = new Set<number>()
  /** per node that left: its gossip counts when it left, carried across its restart */
  readonly #frozen = new Map<number, GossipCounts>()
  readonly #offset = new Map<number, GossipCounts>()
  readonly #rejoined = new Set<number>()
  #lastCounts: readonly GossipCounts[] = []
  readonly #failed: Record<string, number> = {}
  readonly #unsubscribe: Array<() => void> = []

  constructor(network: NetworkScenario, run: LinkRun) {
    this.#r = { ...run, nodes: [] }
    const feeders = run.names.map((_, i) => run.feederOf(i))
    checkNetworkNames(network, run.names, [...new Set(feeders.filter((f): f is string => f != null))])
    const byName = new Map(run.names.map((n, i) => [n, i]))
    const members = (g: { nodes: readonly string[]; feeders: readonly string[] }): Set<number> =>
      new Set(run.names.flatMap((n, i) => (g.nodes.includes(n) || g.feeders.includes(feeders[i] ?? '\0') ? [i] : [])))
    this.model = new LinkModel(network, run.seed, network.partitions.map(members), {
      feeders,
      groups: (network.groups ?? []).map(members)
    })
    run.identities.forEach((x, i) => {
      this.#index.set(x.peerId.toString(), i)
    })
    const at = (slot: number): number => slotStart(run.slots, slot)
    // at one instant: heal, then rejoin, then cut, then leave
    network.partitions.forEach((p, k) => {
      this.#changes.push({
        at: at(p.fromSlot),
        order: 2,
        apply: async () => {
          await this.#open(k)
        }
      })
      this.#changes.push({
        at: at(p.untilSlot),
        order: 0,
        apply: async () => {
          await this.#heal(k)
        }
      })
    })
    for (const c of network.churn) {
      const i = byName.get(c.node)!
      this.#changes.push({
        at: at(c.leaveSlot),
        order: 3,
        apply: async () => {
          await this.#leave(i)
        }
      })
      this.#changes.push({
        at: at(c.rejoinSlot),
        order: 1,
        apply: async () => {
          await this.#rejoin(i)
        }
      })
    }
    this.#changes.sort((a, b) => a.at - b.at || a.order - b.order)
  }

  readonly indexOf = (peer: PeerId): number | undefined => this.#index.get(peer.toString())

  /** The hooks for node `i`'s host. */
  hooksFor(i: number): HostNetworkHooks {
    return hostHooks(this.model, i, this.indexOf)
  }

  /** The district's nodes, made with `hooksFor`: the array the runner reads, where a rejoined node takes its place. */
  attach(nodes: KvartalNode[]): void {
    this.#r.nodes = nodes
    for (const n of nodes) this.watch(n)
  }

  /** Counts a node's failed negotiations by code. */
  watch(node: KvartalNode): void {
    this.#unsubscribe.push(
      node.on((e: NodeEvent) => {
        if (e.type === 'negotiation-failed') {
          const k = e.code ?? 'unknown'
          this.#failed[k] = (this.#failed[k] ?? 0) + 1
        }
      })
    )
  }

  /** Applies every change due at or before simulated `t`, before the clock moves there. */
  async before(t: number): Promise<void> {
    while (this.#changes.length > 0 && this.#changes[0].at <= t) await this.#changes.shift()!.apply()
  }

  /** At the run's end: heals what is still cut and brings back who is still away, so every journal can be read. */
  async finish(): Promise<void> {
    const rest = this.#changes.splice(0).filter(c => c.order <= 1)
    for (const c of rest) await c.apply()
  }

  async #open(k: number): Promise<void> {
    this.model.open(k)
    const { nodes } = this.#r
    for (const [i, n] of nodes.entries()) {
      if (this.#down.has(i)) continue
      for (const c of n.host.getConnections()) {
        const j = this.indexOf(c.remotePeer)
        if (j == null || !this.model.cut(i, j)) continue
        if (i < j) this.model.counts.connectionsCut++
        c.abort(new LinkLostError(`partition ${k} cut nodes ${i} and ${j}`))
      }
    }
  }

  async #heal(k: number): Promise<void> {
    const g = this.model.group(k)
    this.model.heal(k)
    // a real node finds its peers again through its bootstrap list or mDNS: here, its dial plan
    await this.#redial((i, j) => g.has(i) !== g.has(j))
  }

  async #leave(i: number): Promise<void> {
    this.#frozen.set(i, copyCounts(this.#lastCounts[i] ?? { topics: [], subscriptions: [] }))
    this.#down.add(i)
    this.model.counts.nodesLeft++
    await this.#r.nodes[i].stop()
  }

  async #rejoin(i: number): Promise<void> {
    const node = this.#r.make(i, this.hooksFor(i))
    this.watch(node)
    await node.start()
    this.#r.nodes[i] = node
    this.#r.afterStart?.(i, node)
    this.#down.delete(i)
    this.#rejoined.add(i)
    this.model.counts.nodesRejoined++
    await this.#redial((a, b) => a === i || b === i)
  }

  /** Dials again every link of the dial plan that `which` names, unless cut or down. */
  async #redial(which: (i: number, j: number) => boolean): Promise<void> {
    const { nodes, dials } = this.#r
    const todo: Array<[number, number]> = []
    for (const [i, js] of dials.entries())
      for (const j of js) if (which(i, j) && !this.#down.has(i) && !this.#down.has(j) && !this.model.cut(i, j)) todo.push([i, j])
    const done = await Promise.allSettled(
      todo.map(async ([i, j]) => await nodes[i].host.dial(nodes[j].host.getMultiaddrs()[0], { signal: AbortSignal.timeout(30_000) }))
    )
    this.model.counts.linksRedialled += done.filter(d => d.status === 'fulfilled').length
  }

  /**
   * The quiescence counts as if nodes that left had stayed: while away, a node expects nothing (it is
   * not there to receive); once back, it expects only what is published after its return (what it
   * missed comes, if at all, by its catch-up pulls), and what it published before stays in the totals.
   */
  adjust(p: Probe): Probe {
    if (this.#frozen.size === 0) {
      this.#lastCounts = p.counts
      return p
    }
    const counts = p.counts.map((c, i) =>
      this.#down.has(i) ? publishedOnly(this.#frozen.get(i)!) : this.#offset.has(i) ? addCounts(this.#offset.get(i)!, c) : c
    )
    const totals = new Map<string, number>()
    for (const [i, c] of counts.entries()) {
      const own = this.#rejoined.has(i) ? this.#frozen.get(i)! : c
      for (const st of own.topics) for (const t in st) totals.set(t, (totals.get(t) ?? 0) + st[t].published)
    }
    // a node just back: everything published so far counts as seen
    for (const i of this.#rejoined) {
      const offset = seenAll(this.#frozen.get(i)!, totals)
      this.#offset.set(i, offset)
      counts[i] = addCounts(offset, p.counts[i])
    }
    this.#rejoined.clear()
    // a node away: nothing outstanding
    for (const i of this.#down) counts[i] = seenAll(this.#frozen.get(i)!, totals)
    this.#lastCounts = counts
    return { ...p, counts }
  }

  /** The run's figures; stops counting events. */
  figures(): NetworkFigures {
    for (const u of this.#unsubscribe.splice(0)) u()
    const n = this.model.network
    const c = this.model.counts
    const classes = this.model.classes.names.map(
      (_, k): LinkClassFigures => ({
        gossip: { messages: this.model.byClass[k].gossipMessages, lost: this.model.byClass[k].gossipLost },
        frames: { sent: this.model.byClass[k].frames, lost: this.model.byClass[k].framesLost },
        negotiationDelayMs: delayFigures(this.model.streamDelays(k))
      })
    )
    return {
      gossip: { messages: c.gossipMessages, lost: c.gossipLost },
      frames: { sent: c.frames, lost: c.framesLost },
      dialsRefused: c.dialsRefused,
      connectionsCut: c.connectionsCut,
      linksRedialled: c.linksRedialled,
      partitions: {
        opened: c.partitionsOpened,
        healed: c.partitionsHealed,
        slots: n.partitions.reduce((s, p) => s + p.untilSlot - p.fromSlot, 0)
      },
      churn: { left: c.nodesLeft, rejoined: c.nodesRejoined, nodeSlotsAway: n.churn.reduce((s, x) => s + x.rejoinSlot - x.leaveSlot, 0) },
      negotiationsFailed: Object.fromEntries(Object.entries(this.#failed).sort(([a], [b]) => a.localeCompare(b))),
      negotiationDelayMs: delayFigures(this.model.streamDelays()),
      links: {
        withinFeeder: classes[WITHIN_FEEDER],
        acrossFeeders: classes[ACROSS_FEEDERS],
        groups: Object.fromEntries((n.groups ?? []).map((g, k) => [g.name, classes[2 + k]]))
      }
    }
  }
}

/** The quantiles of sorted delays, to 0.01 ms. */
function delayFigures(d: readonly number[]): DelayFigures {
  const q = (p: number): number => (d.length === 0 ? 0 : Math.round(d[Math.min(d.length - 1, Math.floor(p * d.length))] * 100) / 100)
  return { p50: q(0.5), p99: q(0.99), max: q(1), negotiations: d.length }
}
