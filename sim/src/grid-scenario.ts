import { createHash } from 'node:crypto'
import { ConfigError, FEEDER_PATTERN } from '@kvartal/protocol'
import { isObj, known, num, sub } from './fields.ts'

/**
 * The grid a scenario's district sits on: feeders (one secondary substation each) with their
 * transformer ratings, which buildings sit on which, and what the grid operator charges for energy
 * traded inside a feeder and across feeders.
 */
export interface GridScenario {
  /** nanos per kWh, paid by the buyer to the grid operator on top of the energy price */
  fees: { local: number, district: number }
  /** generated: buildings grouped by where they stand into feeders of about this many */
  feeders: { generate?: { buildingsPerFeeder: number, transformerKva: number }, list?: FeederSpec[] }
  /** buildings per feeder that relay residual offers between feeders (the smallest key hashes) */
  relaysPerFeeder: number
}

export interface FeederSpec { id: string, transformerKva: number, buildings: string[] }

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

export function validateGrid (doc: unknown, buildingIds: readonly string[] | undefined): GridScenario {
  if (doc == null) doc = {}
  if (!isObj(doc)) throw new ConfigError('grid', 'must be a mapping')
  const d = defaultGridScenario
  known(doc, 'grid', ['fees', 'feeders', 'relaysPerFeeder'])
  const fees = sub(doc, 'fees', 'grid')
  known(fees, 'grid.fees', ['local', 'district'])
  const local = num(fees, 'local', 'grid.fees', d.fees.local, { min: 0, integer: true })
  const district = num(fees, 'district', 'grid.fees', d.fees.district, { min: 0, integer: true })
  if (district < local) throw new ConfigError('grid.fees.district', `must be at least grid.fees.local (${local}): energy that crosses feeders uses more of the grid`)
  const feeders = sub(doc, 'feeders', 'grid')
  known(feeders, 'grid.feeders', ['generate', 'list'])
  const relaysPerFeeder = num(doc, 'relaysPerFeeder', 'grid', d.relaysPerFeeder, { min: 1, max: 8, integer: true })
  if (feeders.list != null) {
    if (!Array.isArray(feeders.list) || feeders.list.length === 0) throw new ConfigError('grid.feeders.list', 'must be a non-empty list of feeders')
    const seen = new Map<string, string>()
    const ids = new Set<string>()
    const list = feeders.list.map((f, i): FeederSpec => {
      const path = `grid.feeders.list[${i}]`
      if (!isObj(f)) throw new ConfigError(path, 'must be a mapping')
      known(f, path, ['id', 'transformerKva', 'buildings'])
      if (typeof f.id !== 'string' || !FEEDER_PATTERN.test(f.id)) throw new ConfigError(`${path}.id`, 'must be lower-case letters, digits and dashes, 1–63 characters')
      if (ids.has(f.id)) throw new ConfigError(`${path}.id`, `duplicate feeder "${f.id}"`)
      ids.add(f.id)
      const transformerKva = num(f, 'transformerKva', path, d.feeders.generate!.transformerKva, { min: 0, integer: true })
      if (!Array.isArray(f.buildings) || f.buildings.length === 0 || f.buildings.some(b => typeof b !== 'string')) throw new ConfigError(`${path}.buildings`, 'must be a non-empty list of building ids')
      for (const [j, b] of (f.buildings as string[]).entries()) {
        if (seen.has(b)) throw new ConfigError(`${path}.buildings[${j}]`, `"${b}" is already on feeder "${seen.get(b)}"`)
        if (buildingIds != null && !buildingIds.includes(b)) throw new ConfigError(`${path}.buildings[${j}]`, `no building "${b}" in buildings.list`)
        seen.set(b, f.id)
      }
      return { id: f.id, transformerKva, buildings: [...f.buildings as string[]] }
    })
    if (buildingIds != null) {
      const missing = buildingIds.find(b => !seen.has(b))
      if (missing != null) throw new ConfigError('grid.feeders.list', `building "${missing}" is on no feeder`)
    }
    return { fees: { local, district }, feeders: { list }, relaysPerFeeder }
  }
  const g = sub(feeders, 'generate', 'grid.feeders')
  known(g, 'grid.feeders.generate', ['buildingsPerFeeder', 'transformerKva'])
  return {
    fees: { local, district },
    feeders: {
      generate: {
        buildingsPerFeeder: num(g, 'buildingsPerFeeder', 'grid.feeders.generate', d.feeders.generate!.buildingsPerFeeder, { min: 1, max: 10_000, integer: true }),
        transformerKva: num(g, 'transformerKva', 'grid.feeders.generate', d.feeders.generate!.transformerKva, { min: 0, integer: true })
      }
    },
    relaysPerFeeder
  }
}

/** A feeder of a built district: its buildings (indices into the scenario's buildings) and its limit per slot. */
export interface Feeder {
  readonly id: string
  readonly transformerKva: number
  /** Wh per slot that local trades may carry across its transformer, each way (rating × slot, cos φ = 1) */
  readonly limitWh: number
  readonly members: readonly number[]
}

/**
 * The district's feeders. Generated ones follow the streets: buildings stand on a square grid in the
 * scenario's order (as district-map.ts lays them out, row by row), and the square is cut into
 * about count ÷ buildingsPerFeeder rectangular zones, one feeder each, so a feeder is a neighbourhood.
 * Since the generator lists buildings by kind, a commercial area gets feeders of its own, as in a city.
 */
export function buildFeeders (grid: GridScenario, buildingIds: readonly string[], slotMinutes: number): Feeder[] {
  const limit = (kva: number): number => Math.floor(kva * 1000 * slotMinutes / 60)
  if (grid.feeders.list != null) {
    const index = new Map(buildingIds.map((b, i) => [b, i]))
    return grid.feeders.list.map(f => ({ id: f.id, transformerKva: f.transformerKva, limitWh: limit(f.transformerKva), members: f.buildings.map(b => index.get(b)!).sort((a, b) => a - b) }))
  }
  const gen = grid.feeders.generate!
  const n = buildingIds.length
  const wanted = Math.max(1, Math.round(n / gen.buildingsPerFeeder))
  const side = Math.max(1, Math.ceil(Math.sqrt(n)))
  const rows = Math.ceil(n / side)
  const fx = Math.max(1, Math.round(Math.sqrt(wanted * side / rows)))
  const fy = Math.max(1, Math.ceil(wanted / fx))
  const zones = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / side); const col = i % side
    const z = Math.min(fy - 1, Math.floor(row * fy / rows)) * fx + Math.min(fx - 1, Math.floor(col * fx / side))
    const l = zones.get(z) ?? []; l.push(i); zones.set(z, l)
  }
  const groups = [...zones.keys()].sort((a, b) => a - b).map(z => zones.get(z)!)
  const width = Math.max(2, String(groups.length).length)
  return groups.map((members, k) => ({ id: `f${String(k + 1).padStart(width, '0')}`, transformerKva: gen.transformerKva, limitWh: limit(gen.transformerKva), members }))
}

/** The feeder's relays: its `count` members whose trader ids hash lowest with the feeder's name. */
export function relaysOf (feeder: Feeder, traderIds: readonly string[], count: number): Set<number> {
  const h = (i: number): string => createHash('sha256').update(`${feeder.id}/${traderIds[i]}`).digest('hex')
  return new Set([...feeder.members].sort((a, b) => h(a) < h(b) ? -1 : h(a) > h(b) ? 1 : 0).slice(0, count))
}
