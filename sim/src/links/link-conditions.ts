import { list, oneOf, real, section, text } from '@kvartal/config'

/**
 * What one link does to its messages, and the classes of links that each get their own (docs/simulator.md,
 * "Link conditions"): links inside a feeder, links across feeders (the district's medium-voltage
 * backhaul), and named groups of nodes. Schemas and types here; which link gets which: link-classes.ts.
 */

export type LatencyDistribution = 'fixed' | 'uniform' | 'normal'

/** one-way delay of each message on a link, simulated ms */
export interface Latency {
  distribution: LatencyDistribution
  ms: number
  spreadMs: number
}

/** The conditions of one link, in full. */
export interface Condition {
  /** share of messages lost, 0–0.5 */
  loss: number
  latency: Latency
  /** per direction; 0: unlimited */
  bandwidthKbps: number
}

/** The conditions of a class of links: each field given replaces the one it overrides, a field absent keeps it. */
export interface LinkCondition {
  loss?: number
  /** the whole distribution: `{ ms: 40 }` is fixed 40 ms, whatever the district's distribution */
  latency?: Latency
  bandwidthKbps?: number
}

/** A named group of nodes (named as a partition names them): its links, those with either end in it, get its conditions. */
export interface LinkGroup extends LinkCondition {
  name: string
  /** these nodes by name … */
  nodes: string[]
  /** … and every node of these feeders */
  feeders: string[]
}

/** What a `network:` section says of links: the district's conditions, and those of each class of link (link-classes.ts). */
export interface ConditionsByLink extends Condition {
  withinFeeder?: LinkCondition
  acrossFeeders?: LinkCondition
  groups?: readonly LinkGroup[]
}

const ms = (doc: string) => real(0, 600_000, 'a delay in simulated ms').default(0).describe(`${doc} (default 0)`)

export const latencySchema = section(
  {
    distribution: oneOf(['fixed', 'uniform', 'normal'])
      .default('fixed')
      .describe('fixed: ms; uniform: ms ± spreadMs; normal: mean ms, deviation spreadMs (default fixed)'),
    ms: ms('one-way delay of each message on a link, simulated ms'),
    spreadMs: ms('its spread, simulated ms')
  },
  'a mapping { distribution, ms, spreadMs }'
)

export const lossSchema = real(0, 0.5, 'a share of messages')
export const bandwidthSchema = real(0, Number.MAX_SAFE_INTEGER, 'a bandwidth in kbit/s')

const INHERITED = "(absent: a group's from withinFeeder or acrossFeeders, theirs from the district's)"

/** The three fields of a condition, each optional: what a class of links overrides. */
const overrides = {
  loss: lossSchema.optional().describe(`share of messages lost on these links, 0–0.5 ${INHERITED}`),
  latency: latencySchema.optional().describe(`one-way delay of each message on these links, the whole distribution ${INHERITED}`),
  bandwidthKbps: bandwidthSchema.optional().describe(`per link and direction; 0: unlimited ${INHERITED}`)
}

/** Only the fields given: absent ones stay absent, so a validated scenario validates to itself. */
function given(c: { loss?: number; latency?: Latency; bandwidthKbps?: number }): LinkCondition {
  return {
    ...(c.loss != null ? { loss: c.loss } : {}),
    ...(c.latency != null ? { latency: { ...c.latency } } : {}),
    ...(c.bandwidthKbps != null ? { bandwidthKbps: c.bandwidthKbps } : {})
  }
}

/** `withinFeeder` or `acrossFeeders`: absent or empty, the district's conditions. */
export const linkClassSchema = (doc: string) =>
  section(overrides, 'a mapping of link conditions { loss, latency, bandwidthKbps }')
    .nullish()
    .transform(c => (c == null ? undefined : given(c)))
    .describe(doc)

const groupSchema = section(
  {
    name: text('a group name').describe('names the group in results.json (network.links.groups)'),
    nodes: list(text('a node name'), 'a list of node names')
      .default(() => [])
      .describe('the nodes of the group by name …'),
    feeders: list(text('a feeder name'), 'a list of feeder names')
      .default(() => [])
      .describe('… and every node of these feeders'),
    ...overrides
  },
  'a group { name, nodes?, feeders?, loss?, latency?, bandwidthKbps? }'
)
  .superRefine((g, ctx) => {
    if (g.nodes.length + g.feeders.length === 0)
      ctx.addIssue({ code: 'custom', path: [], message: 'expected the nodes of the group (nodes, feeders or both), got none', input: g })
    else if (g.loss == null && g.latency == null && g.bandwidthKbps == null)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'expected a condition for its links (loss, latency, bandwidthKbps or several), got none',
        input: g
      })
  })
  .transform((g): LinkGroup => ({ name: g.name, nodes: [...g.nodes], feeders: [...g.feeders], ...given(g) }))

export const linkGroupsSchema = list(groupSchema, 'a list of groups { name, nodes?, feeders?, loss?, latency?, bandwidthKbps? }')
  .superRefine((gs, ctx) => {
    for (const [i, g] of gs.entries()) {
      const j = gs.findIndex(h => h.name === g.name)
      if (j < i)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `expected a name no other group has, got "${g.name}" (groups[${j}] has it)`,
          input: g.name
        })
    }
  })
  .optional()
  .describe(
    'named groups of nodes whose links (either end in the group) have their own conditions, over withinFeeder and ' +
      'acrossFeeders; a link with ends in two groups takes the first listed'
  )
