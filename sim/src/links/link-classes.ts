import type { Condition, ConditionsByLink, LinkCondition } from './link-conditions.ts'

/** Where the district's nodes are, by node index: what decides the class of each link. */
export interface LinkNodes {
  /** each node's feeder; absent: none (a district without feeders is one feeder) */
  readonly feeders: ReadonlyArray<string | undefined>
  /** per group of `network.groups`, in its order, the nodes it holds */
  readonly groups: ReadonlyArray<ReadonlySet<number>>
}

/** The class of one link, and its conditions. */
export interface LinkClass {
  /** the class results report it in: 0 withinFeeder, 1 acrossFeeders, 2 + k the group `network.groups[k]` */
  readonly index: number
  readonly condition: Condition
}

export const WITHIN_FEEDER = 0
export const ACROSS_FEEDERS = 1

/**
 * Which conditions each link gets (docs/simulator.md, "Link conditions"). Pure: a function of the
 * scenario and where the nodes are, the same in both directions of a link. Field by field, the most
 * specific that gives it wins:
 * 1. a group that holds either end of the link (the first listed, when both ends are in groups);
 * 2. `withinFeeder` when both ends are on one feeder, `acrossFeeders` when not;
 * 3. the district's `loss`, `latency`, `bandwidthKbps`.
 */
export class LinkClasses {
  /** the classes' names, by index: withinFeeder, acrossFeeders, then each group's name */
  readonly names: readonly string[]
  /** by 2 × (group + 1) + (across ? 1 : 0), group −1 for none */
  readonly #classes: LinkClass[]
  readonly #feeder: number[]
  /** the first group that holds a node */
  readonly #group = new Map<number, number>()

  constructor(n: ConditionsByLink, nodes: LinkNodes = { feeders: [], groups: [] }) {
    const district: Condition = { loss: n.loss, latency: n.latency, bandwidthKbps: n.bandwidthKbps }
    const within = over(district, n.withinFeeder)
    const across = over(district, n.acrossFeeders)
    const groups = n.groups ?? []
    this.names = ['withinFeeder', 'acrossFeeders', ...groups.map(g => g.name)]
    this.#classes = [
      { index: WITHIN_FEEDER, condition: within },
      { index: ACROSS_FEEDERS, condition: across },
      ...groups.flatMap((g, k) => [
        { index: 2 + k, condition: over(within, g) },
        { index: 2 + k, condition: over(across, g) }
      ])
    ]
    const ids = new Map<string, number>()
    this.#feeder = nodes.feeders.map(f => {
      if (f == null) return -1
      if (!ids.has(f)) ids.set(f, ids.size)
      return ids.get(f)!
    })
    for (let k = Math.min(groups.length, nodes.groups.length) - 1; k >= 0; k--) for (const i of nodes.groups[k]) this.#group.set(i, k)
  }

  /** The class of the link between nodes `a` and `b`, and its conditions. */
  of(a: number, b: number): LinkClass {
    const ga = this.#group.get(a) ?? -1
    const gb = this.#group.get(b) ?? -1
    const g = ga < 0 ? gb : gb < 0 ? ga : Math.min(ga, gb)
    const across = (this.#feeder[a] ?? -1) !== (this.#feeder[b] ?? -1) ? 1 : 0
    return this.#classes[2 * (g + 1) + across]
  }

  /** Every condition some link may get. */
  conditions(): Condition[] {
    return this.#classes.map(c => c.condition)
  }
}

/** `base` with the fields `c` gives replaced. */
function over(base: Condition, c: LinkCondition | undefined): Condition {
  if (c == null) return base
  return { loss: c.loss ?? base.loss, latency: c.latency ?? base.latency, bandwidthKbps: c.bandwidthKbps ?? base.bandwidthKbps }
}

/** Does the condition do anything to a message? */
export function degrades(c: Condition): boolean {
  return c.loss > 0 || c.latency.ms > 0 || c.latency.spreadMs > 0 || c.bandwidthKbps > 0
}
