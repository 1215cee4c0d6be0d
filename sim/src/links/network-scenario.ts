import { ConfigError } from '@kvartal/protocol'
import { list, parseWith, section, text, whole, type z } from '@kvartal/config'
import { LinkClasses, degrades } from './link-classes.ts'
import {
  bandwidthSchema,
  latencySchema,
  linkClassSchema,
  linkGroupsSchema,
  lossSchema,
  type Latency,
  type LinkCondition,
  type LinkGroup
} from './link-conditions.ts'

export type { Condition, ConditionsByLink, Latency, LatencyDistribution, LinkCondition, LinkGroup } from './link-conditions.ts'

/**
 * The `network:` section of a scenario: the conditions of the links between nodes (docs/simulator.md,
 * "Link conditions"). Plain fields, so that a sweep can vary any of them by dotted path
 * (`network.loss`, `network.latency.ms`, `network.partitions[0].untilSlot`). Every field has a
 * default that leaves the network perfect.
 */
export interface NetworkScenario {
  /** seeds every link's decisions; default: the scenario's seed */
  seed?: number
  /** share of messages lost on every link, 0–0.5: each gossip message and each stream frame, decided by seeded hash */
  loss: number
  /** one-way delay of each message on a link, simulated ms (reported; see the docs for what it can and cannot change) */
  latency: Latency
  /** per link and direction; adds each message's transmission time to its delay. 0: unlimited */
  bandwidthKbps: number
  /** links between two nodes of one feeder: the fields given replace the three above */
  withinFeeder?: LinkCondition
  /** links between nodes of different feeders (the medium-voltage backhaul): the fields given replace the three above */
  acrossFeeders?: LinkCondition
  /** named groups of nodes: a link with either end in one gets the fields it gives, over withinFeeder, acrossFeeders (link-classes.ts) */
  groups?: LinkGroup[]
  /** cuts between a group of nodes and the rest, from the start of one slot to the start of another */
  partitions: PartitionSpec[]
  /** nodes that stop at the start of one slot and start again from their data directory at another */
  churn: ChurnSpec[]
}

export interface PartitionSpec {
  /** first slot of the run (0-based, in the run's slots) that the cut covers */
  fromSlot: number
  /** the slot at whose start the cut heals (exclusive) */
  untilSlot: number
  /** the group cut off from every other node: these nodes by name … */
  nodes: string[]
  /** … and every node of these feeders */
  feeders: string[]
}

export interface ChurnSpec {
  node: string
  leaveSlot: number
  rejoinSlot: number
}

export const defaultNetworkScenario: NetworkScenario = {
  loss: 0,
  latency: { distribution: 'fixed', ms: 0, spreadMs: 0 },
  bandwidthKbps: 0,
  partitions: [],
  churn: []
}

/** Any condition at all, on any class of links: without one the simulator wires nothing into the hosts. */
export function hasConditions(n: NetworkScenario): boolean {
  return new LinkClasses(n).conditions().some(degrades) || n.partitions.length > 0 || n.churn.length > 0
}

/** slots.count is at most this (scenario-schema.ts): the bounds of a slot before the scenario's own count is known */
export const MAX_SLOT_COUNT = 96 * 7

const node = text("a node's name")
const names = (what: string, doc: string) =>
  list(text(`a ${what}`), `a list of ${what}s`)
    .default(() => [])
    .describe(doc)
/** a window of slots: the two ends, each a slot of the run; checkSlotWindows checks them against slots.count and each other */
const from = (doc: string) => whole(0, MAX_SLOT_COUNT - 1, 'a slot of the run (0-based, a whole number)').describe(doc)
const until = (doc: string) => whole(1, MAX_SLOT_COUNT, 'a slot of the run (a whole number)').describe(doc)

const partitionSchema = section(
  {
    fromSlot: from("first slot of the run (0-based, in the run's slots) that the cut covers"),
    untilSlot: until('the slot at whose start the cut heals (exclusive)'),
    nodes: names('node name', 'the group cut off from every other node: these nodes by name …'),
    feeders: names('feeder name', '… and every node of these feeders')
  },
  'a partition { fromSlot, untilSlot, nodes?, feeders? }'
)
  .superRefine((p, ctx) => {
    if (p.nodes.length + p.feeders.length === 0)
      ctx.addIssue({ code: 'custom', path: [], message: 'expected a group to cut off (nodes, feeders or both), got none', input: p })
  })
  .describe('a cut between a group of nodes and the rest, from the start of one slot to the start of another')

const churnSchema = section(
  {
    node: node.describe("the node that leaves (a building's or a vehicle's name)"),
    leaveSlot: from('the slot at whose start it stops'),
    rejoinSlot: until('the slot at whose start it starts again from its data directory')
  },
  'a churn entry { node, leaveSlot, rejoinSlot }'
).describe('a node that stops at the start of one slot and starts again at another')

/**
 * The `network:` section (docs/simulator.md, "Link conditions"): every field, its default and bounds.
 * The slot windows of partitions and churn are checked against the scenario's slots.count (and each
 * other) by checkSlotWindows, which the scenario schema runs on the whole scenario; node and feeder names
 * against the district when it is built (checkNetworkNames), since generated districts name their
 * nodes only then.
 */
const networkSchema = section(
  {
    seed: whole(0, Number.MAX_SAFE_INTEGER, 'a whole number')
      .optional()
      .describe("seeds every link's decisions (default: the scenario's seed)"),
    loss: lossSchema
      .default(0)
      .describe(
        'share of messages lost on every link, 0–0.5: each gossip message and each stream frame, decided by seeded hash (default 0)'
      ),
    latency: latencySchema
      .prefault({})
      .describe('one-way delay of each message on a link, simulated (reported; docs/simulator.md says what it can and cannot change)'),
    bandwidthKbps: bandwidthSchema
      .default(0)
      .describe("per link and direction; adds each message's transmission time to its delay. 0: unlimited (default)"),
    withinFeeder: linkClassSchema(
      'links between two nodes of one feeder: the fields given replace loss, latency and bandwidthKbps above (absent: those)'
    ),
    acrossFeeders: linkClassSchema(
      "links between nodes of different feeders, the district's medium-voltage backhaul: the fields given replace loss, " +
        'latency and bandwidthKbps above (absent: those)'
    ),
    groups: linkGroupsSchema,
    partitions: list(partitionSchema, 'a list of partitions { fromSlot, untilSlot, nodes?, feeders? }')
      .default(() => [])
      .describe('cuts between a group of nodes and the rest'),
    churn: list(churnSchema, 'a list of churn entries { node, leaveSlot, rejoinSlot }')
      .default(() => [])
      .describe('nodes that stop and start again')
  },
  'a mapping of link conditions { loss, latency, bandwidthKbps, withinFeeder, acrossFeeders, groups, partitions, churn, seed }'
).transform(
  (n): NetworkScenario => ({
    ...(n.seed != null ? { seed: n.seed } : {}),
    loss: n.loss,
    latency: { ...n.latency },
    bandwidthKbps: n.bandwidthKbps,
    ...(n.withinFeeder != null ? { withinFeeder: n.withinFeeder } : {}),
    ...(n.acrossFeeders != null ? { acrossFeeders: n.acrossFeeders } : {}),
    ...(n.groups != null ? { groups: n.groups } : {}),
    partitions: n.partitions.map(p => ({ fromSlot: p.fromSlot, untilSlot: p.untilSlot, nodes: [...p.nodes], feeders: [...p.feeders] })),
    churn: n.churn.map(c => ({ node: c.node, leaveSlot: c.leaveSlot, rejoinSlot: c.rejoinSlot }))
  })
)

/**
 * A scenario's `network:`: the section, or absent or empty (`network:` alone) for a perfect network.
 * Its slot windows are checked by checkSlotWindows, with the slot count (scenario-schema.ts, validateNetwork).
 */
export const networkScenarioSchema = networkSchema
  .nullish()
  .transform((n): NetworkScenario => n ?? defaultNetwork())
  .describe(
    'link conditions: loss, latency, bandwidth (for every link, inside feeders, across them, of named groups), partitions, ' +
      'churn (docs/simulator.md, "Link conditions"); absent: a perfect network'
  )

function defaultNetwork(): NetworkScenario {
  return { ...defaultNetworkScenario, latency: { ...defaultNetworkScenario.latency }, partitions: [], churn: [] }
}

/**
 * The rules of the slot windows of partitions and churn: each lies in the run's slots (`slots.count`)
 * and ends after it starts, and a node is away once at a time. A refinement of a schema that holds
 * both the network section and the slot count (`at`: where the network section is in it).
 */
export function checkSlotWindows(
  n: NetworkScenario,
  slotCount: number,
  ctx: z.core.$RefinementCtx,
  at: ReadonlyArray<string | number> = []
): void {
  const window = (path: Array<string | number>, start: string, a: number, end: string, b: number): void => {
    const issue = (field: string, message: string, v: number): void => {
      ctx.addIssue({ code: 'custom', path: [...at, ...path, field], message, input: v })
    }
    if (a > slotCount - 1)
      issue(start, `expected a slot of the run (0-based) between 0 and ${slotCount - 1} (slots.count is ${slotCount}), got ${a}`, a)
    else if (b > slotCount) issue(end, `expected a slot of the run between 1 and ${slotCount} (slots.count is ${slotCount}), got ${b}`, b)
    else if (b <= a) issue(end, `expected a slot after ${start} (${a}), got ${b}`, b)
  }
  for (const [i, p] of n.partitions.entries()) window(['partitions', i], 'fromSlot', p.fromSlot, 'untilSlot', p.untilSlot)
  for (const [i, c] of n.churn.entries()) window(['churn', i], 'leaveSlot', c.leaveSlot, 'rejoinSlot', c.rejoinSlot)
  // one node, one absence at a time: a second leave while away means nothing
  for (const [i, a] of n.churn.entries()) {
    const j = n.churn.slice(0, i).findIndex(b => a.node === b.node && a.leaveSlot < b.rejoinSlot && b.leaveSlot < a.rejoinSlot)
    if (j >= 0)
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'churn', i],
        message:
          `expected "${a.node}" to be back first, got a leave while it is away ` +
          `(churn[${j}]: slots ${n.churn[j].leaveSlot}–${n.churn[j].rejoinSlot})`,
        input: a
      })
  }
}

/**
 * Validates a `network:` section alone, for a run of `slotCount` slots (a scenario validates its own:
 * scenario-schema.ts). Errors name the field under `network`.
 */
export function validateNetwork(doc: unknown, slotCount: number): NetworkScenario {
  return parseWith(
    networkScenarioSchema.superRefine((n, ctx) => {
      checkSlotWindows(n, slotCount, ctx)
    }),
    doc,
    ['network']
  )
}

/** Refuses a partition, group or churn entry that names a node or feeder the district does not have. */
export function checkNetworkNames(n: NetworkScenario, nodes: readonly string[], feeders: readonly string[]): void {
  const known = new Set(nodes)
  const knownFeeders = new Set(feeders)
  const check = (at: string, g: { nodes: readonly string[]; feeders: readonly string[] }): void => {
    for (const [j, x] of g.nodes.entries()) if (!known.has(x)) throw new ConfigError(`${at}.nodes[${j}]`, `no node is named "${x}"`)
    for (const [j, x] of g.feeders.entries())
      if (!knownFeeders.has(x))
        throw new ConfigError(`${at}.feeders[${j}]`, `no feeder is named "${x}" (feeders: ${[...knownFeeders].join(', ') || 'none'})`)
  }
  for (const [i, p] of n.partitions.entries()) check(`network.partitions[${i}]`, p)
  for (const [i, g] of (n.groups ?? []).entries()) check(`network.groups[${i}]`, g)
  for (const [i, c] of n.churn.entries())
    if (!known.has(c.node)) throw new ConfigError(`network.churn[${i}].node`, `no node is named "${c.node}"`)
}
