import { list, real, section, text, whole, type z } from '@kvartal/config'
import { FEEDER_PATTERN } from '@kvartal/protocol'

/**
 * `kvartal shares roster.yaml`: a grid operator's feeders, each with its transformer's rating and the
 * connection of each building on it, from which each node's `grid.crossFeederShareWh` is cut
 * (shares-command.ts). Unknown fields, duplicate names, a feeder with no buildings and a rating or a
 * connection that is not positive are errors naming the field.
 */

/** 100 MW (kW; kVA for a rating): far beyond any building or secondary substation, and a guard against W written as kW. */
const MOST_KW = 100_000

const building = section(
  {
    name: text('the building\'s name, as its node is known (e.g. "b-01")').describe("the building's name"),
    connectionKw: real(0.001, MOST_KW, 'a connection in kW').describe(
      "the building's grid connection, kW: its share of the transformer is in proportion to it"
    )
  },
  'a mapping: { name: b-01, connectionKw: 17 }'
)

const feeder = section(
  {
    name: text(
      "the feeder's name, as nodes write it in grid.feeder: lower-case letters, digits and dashes, 1–63 characters",
      FEEDER_PATTERN
    ).describe("the feeder's name (the nodes' grid.feeder)"),
    ratingKva: real(0.001, MOST_KW, 'a rating in kVA').describe(
      "the feeder's transformer rating, kVA, taken at power factor 1 (1 kVA carries 1 kW)"
    ),
    buildings: list(building, 'a list of buildings: [{ name: b-01, connectionKw: 17 }]')
      .min(1, { error: 'a feeder needs at least one building' })
      .describe('the buildings on the feeder, each with its connection')
  },
  'a mapping: { name: f1, ratingKva: 500, buildings: [...] }'
)

export const rosterSchema = section(
  {
    slotSeconds: whole(1, 86_400, 'a whole number of seconds')
      .default(900)
      .describe("the market's slot length, seconds: the nodes' slots.seconds (default 900, as theirs)"),
    feeders: list(feeder, 'a list of feeders: [{ name: f1, ratingKva: 500, buildings: [...] }]')
      .min(1, { error: 'the roster needs at least one feeder' })
      .describe("the district's feeders")
  },
  'a mapping with feeders (and slotSeconds)'
)
  .superRefine((r, ctx) => {
    // one name, one node: a duplicate is reported at its second appearance, naming where the first is
    const feeders = new Map<string, number>()
    const buildings = new Map<string, string>()
    r.feeders.forEach((f, i) => {
      if (feeders.has(f.name))
        ctx.addIssue({
          code: 'custom',
          path: ['feeders', i, 'name'],
          message: `feeder "${f.name}" is already listed (feeders[${feeders.get(f.name)}])`,
          input: f.name
        })
      else feeders.set(f.name, i)
      f.buildings.forEach((b, j) => {
        const at = `feeders[${i}].buildings[${j}]`
        const first = buildings.get(b.name)
        if (first != null)
          ctx.addIssue({
            code: 'custom',
            path: ['feeders', i, 'buildings', j, 'name'],
            message: `building "${b.name}" is already listed (${first}): a building is on one feeder, once`,
            input: b.name
          })
        else buildings.set(b.name, at)
      })
    })
  })
  .describe('kvartal shares: feeders, their transformer ratings and the connections of their buildings')

export type Roster = z.output<typeof rosterSchema>
