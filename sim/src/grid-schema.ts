import { list, section, text, whole, z } from '@kvartal/config'
import { FEEDER_PATTERN } from '@kvartal/protocol'

/**
 * The grid a scenario's district sits on: feeders (one secondary substation each) with their
 * transformer ratings, which buildings sit on which, and what the grid operator charges for energy
 * traded inside a feeder and across feeders.
 */
export interface GridScenario {
  /** nanos per kWh, paid by the buyer to the grid operator on top of the energy price */
  fees: { local: number; district: number }
  /** generated: buildings grouped by where they stand into feeders of about this many */
  feeders: { generate?: { buildingsPerFeeder: number; transformerKva: number }; list?: FeederSpec[] }
  /** buildings per feeder that relay residual offers between feeders (the smallest key hashes) */
  relaysPerFeeder: number
}

export interface FeederSpec {
  id: string
  transformerKva: number
  buildings: string[]
}

/**
 * Defaults. Fees: a Nordic retail tariff carries a grid energy fee of the order of 0.40 NOK/kWh
 * (≈ 0.20 IOTA/kWh at 1 IOTA ≈ 2 NOK; the rest of `tariffs.retail` is energy and taxes). Austria's
 * renewable energy communities (EAG 2021, SNE-V: "Lokalbereich" inside one low-voltage network and
 * "Regionalbereich" up to the medium-voltage grid) pay 57 % and 28 % less of that fee: 0.086 and
 * 0.144 IOTA/kWh. Feeders: 40 buildings on a 500 kVA transformer, the middle of the 20–80 buildings
 * and 315–1,000 kVA of urban secondary substations.
 */
export const defaultGridScenario: GridScenario = {
  fees: { local: 86_000_000, district: 144_000_000 },
  feeders: { generate: { buildingsPerFeeder: 40, transformerKva: 500 } },
  relaysPerFeeder: 2
}

const d = { fees: defaultGridScenario.fees, ...defaultGridScenario.feeders.generate!, relaysPerFeeder: defaultGridScenario.relaysPerFeeder }
const NANOS_KWH = 'a whole number of nanos per kWh'

const feeder = section(
  {
    id: text('a feeder name: lower-case letters, digits and dashes, 1–63 characters', FEEDER_PATTERN).describe("the feeder's name"),
    transformerKva: whole(0, Number.MAX_SAFE_INTEGER, 'a whole number of kVA')
      .default(d.transformerKva)
      .describe(`its transformer's rating, kVA (default ${d.transformerKva})`),
    buildings: list(z.string({ error: () => 'must be a building id' }), 'a non-empty list of building ids')
      .min(1, { error: () => 'must be a non-empty list of building ids' })
      .describe('the ids of the buildings on it (buildings.list)')
  },
  'a feeder { id, transformerKva?, buildings }'
)

/**
 * `grid:` of a scenario: feeders (generated, or listed), the grid fees and the relays. Buildings on
 * listed feeders are checked against the scenario's buildings by `validateGrid` (grid-scenario.ts).
 */
export const gridSchema = section(
  {
    fees: section({
      local: whole(0, Number.MAX_SAFE_INTEGER, NANOS_KWH)
        .default(d.fees.local)
        .describe('grid fee for energy traded inside a feeder, nanos per kWh, paid by the buyer'),
      district: whole(0, Number.MAX_SAFE_INTEGER, NANOS_KWH)
        .default(d.fees.district)
        .describe('grid fee for energy traded across feeders, nanos per kWh (at least local)')
    })
      .prefault({})
      .superRefine((f, ctx) => {
        if (f.district < f.local)
          ctx.addIssue({
            code: 'custom',
            path: ['district'],
            message: `must be at least grid.fees.local (${f.local}): energy that crosses feeders uses more of the grid`,
            input: f.district
          })
      })
      .describe('what the grid operator charges on top of the energy price'),
    feeders: section({
      generate: section({
        buildingsPerFeeder: whole(1, 10_000, 'a whole number of buildings')
          .default(d.buildingsPerFeeder)
          .describe('buildings are grouped by where they stand into feeders of about this many'),
        transformerKva: whole(0, Number.MAX_SAFE_INTEGER, 'a whole number of kVA')
          .default(d.transformerKva)
          .describe("each feeder's transformer rating, kVA")
      })
        .prefault({})
        .describe('generated feeders'),
      list: list(feeder, 'a non-empty list of feeders')
        .min(1, { error: () => 'must be a non-empty list of feeders' })
        .optional()
        .describe('listed feeders (instead of generate)')
    })
      .prefault({})
      .superRefine((f, ctx) => {
        const ids = new Set<string>()
        for (const [i, x] of (f.list ?? []).entries()) {
          if (ids.has(x.id)) ctx.addIssue({ code: 'custom', path: ['list', i, 'id'], message: `duplicate feeder "${x.id}"`, input: x.id })
          ids.add(x.id)
        }
      })
      .describe("the district's feeders, one secondary substation each"),
    relaysPerFeeder: whole(1, 8, 'a whole number of buildings')
      .default(d.relaysPerFeeder)
      .describe('buildings per feeder that relay residual offers between feeders')
  },
  'a mapping, or false for one feeder without fees'
)
  .transform(
    (g): GridScenario => ({
      fees: g.fees,
      feeders:
        g.feeders.list != null
          ? { list: g.feeders.list.map((f): FeederSpec => ({ id: f.id, transformerKva: f.transformerKva, buildings: [...f.buildings] })) }
          : { generate: g.feeders.generate },
      relaysPerFeeder: g.relaysPerFeeder
    })
  )
  .describe('feeders, transformer ratings and grid fees (docs/feeders.md); false: one feeder, no grid fees')
