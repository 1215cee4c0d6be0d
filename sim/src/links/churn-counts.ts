import type { TopicStats } from '@kvartal/mesh'
import type { GossipCounts } from '../quiescence.ts'

/**
 * The quiescence counts of nodes that leave and rejoin (LinkController.adjust): a node away expects
 * nothing; a node back counts everything published before its return as seen (`seenAll`, added to its
 * new node's own counts by `addCounts`), and expects only what is published after, on the topics it reads.
 */

export function copyCounts(c: GossipCounts): GossipCounts {
  return {
    topics: c.topics.map(st => Object.fromEntries(Object.entries(st).map(([t, v]) => [t, { ...v }]))),
    subscriptions: [...c.subscriptions],
    ...(c.writeOnly != null ? { writeOnly: [...c.writeOnly] } : {})
  }
}

/** What node `c` published, and everything else published so far (`totals`, per topic) as received. */
export function seenAll(c: GossipCounts, totals: ReadonlyMap<string, number>): GossipCounts {
  const pub = new Map<string, number>()
  for (const st of c.topics) for (const t in st) pub.set(t, (pub.get(t) ?? 0) + st[t].published)
  return {
    topics: [Object.fromEntries([...totals].map(([t, n]) => [t, { published: pub.get(t) ?? 0, received: n - (pub.get(t) ?? 0) }]))],
    subscriptions: []
  }
}

export function publishedOnly(c: GossipCounts): GossipCounts {
  return {
    topics: c.topics.map(st => Object.fromEntries(Object.entries(st).map(([t, v]) => [t, { published: v.published, received: 0 }]))),
    subscriptions: [],
    ...(c.writeOnly != null ? { writeOnly: c.writeOnly } : {})
  }
}

export function addCounts(a: GossipCounts, b: GossipCounts): GossipCounts {
  const sum: Record<string, TopicStats> = {}
  for (const st of [...a.topics, ...b.topics])
    for (const t in st)
      sum[t] = { published: (sum[t]?.published ?? 0) + st[t].published, received: (sum[t]?.received ?? 0) + st[t].received }
  // only what the node reads now counts as outstanding: the offset covers every topic of the district
  // (and those the node read or wrote before it left), which it does not all read
  const reads = new Set(b.subscriptions)
  const writeOnly = Object.keys(sum).filter(t => !reads.has(t))
  return { topics: [sum], subscriptions: b.subscriptions, ...(writeOnly.length > 0 ? { writeOnly } : {}) }
}
