import type { KvartalNode } from '@kvartal/node'
import type { GossipStats } from '@kvartal/mesh'

type TopicCounts = GossipStats['topics']

/** One node's gossip so far: per topic it wrote or read, what it published and received; the topics it reads. */
export interface GossipCounts {
  readonly topics: readonly TopicCounts[]
  readonly subscriptions: readonly string[]
  /** topics it publishes on without reading them (a feeder's bids, read by its relays only): nothing to wait for */
  readonly writeOnly?: readonly string[]
}

/** What the runner sees of a group of nodes (all of them, or one process's) at one poll. */
export interface Probe {
  /** some node was busy when the poll began */
  readonly busy: boolean
  /** work still in flight once the poll had waited for the nodes to be idle */
  readonly inFlight: number
  /** work begun so far, summed over the nodes (`KvartalNode.workBegun`) */
  readonly workBegun: number
  /** buyers' trades still waiting for the seller's Committed, summed (`KvartalNode.pendingConfirms`) */
  readonly pendingConfirms: number
  /** per node, in the district's node order */
  readonly counts: readonly GossipCounts[]
  /** real ms the poll spent reading the nodes, once they were idle (not the wait for them) */
  readonly readMs?: number
}

export function gossipCounts(n: KvartalNode): GossipCounts {
  const subscriptions = [...(n.router?.subscriptions ?? []), ...(n.mobility?.gossipSubscriptions ?? [])]
  const mobility = n.mobility?.gossipStats?.topics ?? {}
  // a vehicle writes on its zone's topic without reading it; a feeder's node, on the bid topic
  const written = [...Object.keys(n.router?.stats.topics ?? {}), ...Object.keys(mobility)].filter(t => !subscriptions.includes(t))
  return {
    topics: [n.router?.stats.topics ?? {}, mobility],
    subscriptions,
    ...(written.length > 0 ? { writeOnly: written } : {})
  }
}

/** Polls nodes of this process: waits until they are idle, then reads their counters. */
export async function probeNodes(nodes: readonly KvartalNode[]): Promise<Probe> {
  const working = nodes.filter(n => n.inFlight > 0)
  const busy = working.length > 0
  await Promise.all(
    working.map(async n => {
      await n.idle()
    })
  )
  const t0 = performance.now()
  let inFlight = 0
  let workBegun = 0
  let pendingConfirms = 0
  for (const n of nodes) {
    inFlight += n.inFlight
    workBegun += n.workBegun
    pendingConfirms += n.pendingConfirms
  }
  const counts = nodes.map(gossipCounts)
  return { busy, inFlight, workBegun, pendingConfirms, counts, readMs: performance.now() - t0 }
}

/**
 * Messages published so far that have not reached each node: on every topic the node reads, what every
 * other node published there less what it received there (its feeder's offers and digests, the
 * district's digests on a relay, the mobility topic when it takes part in mobility). Topic by topic: a
 * node that received more than was published on one topic (a node back from churn pulls what it missed,
 * and what was published before its return already counts as seen) still waits for what it lacks on another.
 */
export function outstanding(counts: readonly GossipCounts[]): number[] {
  // on every poll of the barrier (the hot path of a large run): sums only, no per-topic record
  const published = publishedPerTopic(counts)
  return counts.map(c => {
    let out = 0
    const seen = new Set<string>(c.writeOnly)
    for (const st of c.topics)
      for (const t in st) {
        if (seen.has(t)) continue
        seen.add(t)
        const x = (published.get(t) ?? 0) - st[t].published - st[t].received
        if (x > 0) out += x
      }
    for (const t of c.subscriptions) if (!seen.has(t)) out += published.get(t) ?? 0
    return out
  })
}

/** The same, per topic (for the report of a late tick): each node's topics with what has not reached it there (more than 0). */
export function outstandingByTopic(counts: readonly GossipCounts[]): Array<Map<string, number>> {
  const published = publishedPerTopic(counts)
  return counts.map(c => {
    const out = new Map<string, number>()
    const seen = new Set<string>(c.writeOnly)
    for (const st of c.topics)
      for (const t in st) {
        if (seen.has(t)) continue
        seen.add(t)
        const x = (published.get(t) ?? 0) - st[t].published - st[t].received
        if (x > 0) out.set(t, x)
      }
    for (const t of c.subscriptions) if (!seen.has(t) && (published.get(t) ?? 0) !== 0) out.set(t, published.get(t)!)
    return out
  })
}

function publishedPerTopic(counts: readonly GossipCounts[]): Map<string, number> {
  const published = new Map<string, number>()
  for (const c of counts) for (const st of c.topics) for (const t in st) published.set(t, (published.get(t) ?? 0) + st[t].published)
  return published
}

export interface SettleOptions {
  /** real ms without progress after which missing gossip is taken as lost */
  readonly gossipSettleMs: number
  /**
   * Ask twice: idle only when two polls in a row find it so and nothing began in between. Needed when
   * a poll cannot see every node at one instant (nodes in several processes); one poll suffices in one
   * process, where the poll itself runs while nothing else does.
   */
  readonly confirm?: boolean
}

/**
 * Waits until every node is idle and has every message published so far (less what it was never going
 * to get: `missed`). False when gossip stopped arriving for `gossipSettleMs` before it was complete.
 */
export async function settle(probe: () => Promise<Probe>, missed: readonly number[], o: SettleOptions): Promise<boolean> {
  // the wait counts from the last sign of progress (a node busy, a message received or published), not
  // from the tick: at 200 buildings a tick's negotiations alone can take longer than the wait, and
  // their sales publish announcements as they go; only gossip that has not come after that long with
  // nothing else happening is taken as lost
  let deadline = performance.now() + o.gossipSettleMs
  let last = ''
  let quiet = ''
  let pause = 2
  for (;;) {
    const p = await probe()
    const t0 = performance.now()
    const now = outstanding(p.counts)
    const state = `${p.workBegun}:${now.join(',')}`
    const complete = p.inFlight === 0 && now.every((x, i) => x <= missed[i])
    if (complete) {
      if (o.confirm !== true || (!p.busy && quiet === state)) return true
      quiet = p.busy ? '' : state
    } else quiet = ''
    if (p.busy || state !== last) {
      last = state
      deadline = performance.now() + o.gossipSettleMs
    }
    if (performance.now() > deadline) return false
    // a poll reads every node: at 1,000 nodes it costs about a millisecond, so the pause between polls
    // grows with it, and polling never takes more than a fifth of the time the nodes need to deliver
    pause = Math.max(2, Math.min(50, 4 * (performance.now() - t0 + (p.readMs ?? 0))))
    if (!complete || o.confirm !== true) await new Promise(resolve => setTimeout(resolve, pause))
  }
}
