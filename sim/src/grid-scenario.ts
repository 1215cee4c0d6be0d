import { createHash } from 'node:crypto'
import { ConfigError } from '@kvartal/protocol'
import { parseWith } from '@kvartal/config'
import { transformerShares as shareLimit } from '@kvartal/market'
import { gridSchema, type GridScenario } from './grid-schema.ts'

export { defaultGridScenario, gridSchema, type FeederSpec, type GridScenario } from './grid-schema.ts'

/**
 * Validates `grid:` of a scenario (its fields: grid-schema.ts) and, given the scenario's listed
 * buildings, that each of them is on exactly one listed feeder.
 */
export function validateGrid(doc: unknown, buildingIds: readonly string[] | undefined): GridScenario {
  const grid = parseWith(gridSchema, doc ?? {}, ['grid'])
  checkFeederBuildings(grid, buildingIds)
  return grid
}

/** Each listed building on one listed feeder, and no other building on any. */
export function checkFeederBuildings(grid: GridScenario, buildingIds: readonly string[] | undefined): void {
  if (grid.feeders.list == null) return
  const seen = new Map<string, string>()
  for (const [i, f] of grid.feeders.list.entries()) {
    for (const [j, b] of f.buildings.entries()) {
      const at = `grid.feeders.list[${i}].buildings[${j}]`
      if (seen.has(b)) throw new ConfigError(at, `"${b}" is already on feeder "${seen.get(b)}"`)
      if (buildingIds != null && !buildingIds.includes(b)) throw new ConfigError(at, `no building "${b}" in buildings.list`)
      seen.set(b, f.id)
    }
  }
  const missing = buildingIds?.find(b => !seen.has(b))
  if (missing != null) throw new ConfigError('grid.feeders.list', `building "${missing}" is on no feeder`)
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
export function buildFeeders(grid: GridScenario, buildingIds: readonly string[], slotMinutes: number): Feeder[] {
  const limit = (kva: number): number => Math.floor((kva * 1000 * slotMinutes) / 60)
  if (grid.feeders.list != null) {
    const index = new Map(buildingIds.map((b, i) => [b, i]))
    return grid.feeders.list.map(f => ({
      id: f.id,
      transformerKva: f.transformerKva,
      limitWh: limit(f.transformerKva),
      members: f.buildings.map(b => index.get(b)!).sort((a, b) => a - b)
    }))
  }
  const gen = grid.feeders.generate!
  const n = buildingIds.length
  const wanted = Math.max(1, Math.round(n / gen.buildingsPerFeeder))
  const side = Math.max(1, Math.ceil(Math.sqrt(n)))
  const rows = Math.ceil(n / side)
  const fx = Math.max(1, Math.round(Math.sqrt((wanted * side) / rows)))
  const fy = Math.max(1, Math.ceil(wanted / fx))
  const zones = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / side)
    const col = i % side
    const z = Math.min(fy - 1, Math.floor((row * fy) / rows)) * fx + Math.min(fx - 1, Math.floor((col * fx) / side))
    const l = zones.get(z) ?? []
    l.push(i)
    zones.set(z, l)
  }
  const groups = [...zones.keys()].sort((a, b) => a - b).map(z => zones.get(z)!)
  const width = Math.max(2, String(groups.length).length)
  return groups.map((members, k) => ({
    id: `f${String(k + 1).padStart(width, '0')}`,
    transformerKva: gen.transformerKva,
    limitWh: limit(gen.transformerKva),
    members
  }))
}

/** The feeder's relays: its `count` members whose trader ids hash lowest with the feeder's name. */
export function relaysOf(feeder: Feeder, traderIds: readonly string[], count: number): Set<number> {
  const h = (i: number): string => createHash('sha256').update(`${feeder.id}/${traderIds[i]}`).digest('hex')
  return new Set([...feeder.members].sort((a, b) => (h(a) < h(b) ? -1 : h(a) > h(b) ? 1 : 0)).slice(0, count))
}

/**
 * Each member's share of its feeder's transformer (`grid.crossFeederShareWh`: Wh it may sell to, and buy
 * from, other feeders per slot), in proportion to its connection: here the largest exchange with the grid its
 * day plan shows (`peakWh`, by building index; at least 1 Wh), as a grid operator sizes connections by their
 * rating. The shares add up to at most the limit, so the feeder never carries more whoever trades. Equal
 * shares (the limit ÷ the members) capped the few large sellers of a commercial feeder: at 1,000 buildings
 * 91 kWh of a day's surplus stayed unsold at sellers that had used their share while their feeder exported
 * less than half its limit (docs/feeders.md).
 */
export function transformerShares(feeder: Feeder, peakWh: readonly number[]): Map<number, number> {
  const shares = shareLimit(
    feeder.limitWh,
    feeder.members.map(i => Math.max(1, Math.abs(peakWh[i] ?? 0)))
  )
  return new Map(feeder.members.map((i, k) => [i, shares[k]]))
}
