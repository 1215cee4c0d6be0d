import { isDeepStrictEqual } from 'node:util'
import { parse } from 'yaml'
import { ConfigError } from '@kvartal/protocol'
import { validateScenario, type Scenario } from '../scenario.ts'

/** A value a swept field takes: whatever a scenario field holds (a number, a word, `false`, a list, a mapping). */
export type ParamValue = string | number | boolean | null | ParamValue[] | { [k: string]: ParamValue }

/** One swept scenario field: its dotted path and the values it takes, in the order given. */
export interface SweepParam {
  readonly path: string
  readonly values: readonly ParamValue[]
}

/** A sweep: the base scenario, the fields it varies, and the seeds every combination runs with. */
export interface SweepDefinition {
  readonly scenario: Scenario
  readonly params: readonly SweepParam[]
  readonly seeds: readonly number[]
}

/** One run of a sweep: a value for every swept field, and the seed. */
export interface SweepPoint {
  /** by path, in the sweep's order of params */
  readonly params: Readonly<Record<string, ParamValue>>
  readonly seed: number
  /** the run's key: what resuming a sweep matches done runs by (runKey) */
  readonly key: string
}

/**
 * Short names for the fields a sweep varies most; any other field goes by its dotted path in the
 * scenario (docs/simulator.md), e.g. `market.degree`, `site.cloudiness`, `grid.fees.local`.
 */
export const paramAliases: Readonly<Record<string, string>> = {
  strategy: 'market.strategy',
  ticksPerSlot: 'market.ticksPerSlot',
  buildings: 'buildings.generate.count',
  slots: 'slots.count',
  cloudiness: 'site.cloudiness',
  pvShare: 'buildings.generate.pvShare'
}

const segment = /^[A-Za-z_][\w-]*$|^\d+$/

/** The dotted path an alias stands for, or the path itself; checks its shape. */
export function paramPath(name: string, where = '--param'): string {
  const path = paramAliases[name] ?? name
  if (path === '' || !path.split('.').every(s => segment.test(s)))
    throw new ConfigError(
      where,
      `"${name}" is not a scenario field: give its dotted path, e.g. market.strategy or buildings.generate.count`
    )
  if (path === 'seed') throw new ConfigError(where, 'the seed is not a parameter: give the seeds with --seeds (or seeds: in a sweep file)')
  return path
}

/** Splits on the commas that are not inside [ ] or { } (so `limits.buy=[0.5,1],[0.7,1]` is two values). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quote: string | undefined
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quote != null) {
      if (c === quote) quote = undefined
      continue
    }
    if (c === '"' || c === "'") quote = c
    else if (c === '[' || c === '{') depth++
    else if (c === ']' || c === '}') depth--
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts.map(p => p.trim())
}

/** One value as YAML reads it: `24` a number, `zi-c` a word, `false` false, `[0.5, 1]` a list. */
function parseValue(text: string, where: string): ParamValue {
  try {
    return parse(text) as ParamValue
  } catch (err) {
    throw new ConfigError(where, `value ${JSON.stringify(text)} is not valid YAML: ${(err as Error).message.split('\n')[0]}`)
  }
}

/** `--param path=v1,v2,…` → the path (aliases resolved) and its values, each read as YAML. */
export function parseParam(text: string): SweepParam {
  const eq = text.indexOf('=')
  if (eq <= 0)
    throw new ConfigError(
      '--param',
      `give a field and its values, e.g. --param strategy=zi-c,zip or --param buildings.generate.count=24,48, got ${JSON.stringify(text)}`
    )
  const path = paramPath(text.slice(0, eq).trim())
  const parts = splitTopLevel(text.slice(eq + 1))
  if (parts.some(p => p === ''))
    throw new ConfigError('--param', `${path}: an empty value in ${JSON.stringify(text.slice(eq + 1))} (values are comma-separated)`)
  return checkValues(
    path,
    parts.map(p => parseValue(p, `--param ${path}`)),
    '--param'
  )
}

function checkValues(path: string, values: ParamValue[], where: string): SweepParam {
  if (values.length === 0) throw new ConfigError(where, `${path}: give at least one value`)
  for (let i = 0; i < values.length; i++) {
    if (values.findIndex(v => isDeepStrictEqual(v, values[i])) !== i)
      throw new ConfigError(where, `${path}: the value ${JSON.stringify(values[i])} is given twice`)
  }
  return { path, values }
}

/**
 * Seeds: `5` runs seeds 1…5, `10..14` seeds 10…14, `1,7,42` exactly those. Every run is deterministic
 * from its seed (the district's buildings, weather, limit prices, keys and network draws).
 */
export function parseSeeds(text: string, where = '--seeds'): number[] {
  const whole = (t: string): number => {
    const n = Number(t)
    if (!/^\d+$/.test(t) || !Number.isSafeInteger(n))
      throw new ConfigError(
        where,
        `must be a count (5: seeds 1…5), a range (10..14) or a list (1,7,42) of whole numbers, got ${JSON.stringify(text)}`
      )
    return n
  }
  const t = text.trim()
  let seeds: number[]
  const range = /^(\d+)\.\.(\d+)$/.exec(t)
  if (range != null) {
    const [a, b] = [whole(range[1]), whole(range[2])]
    if (b < a) throw new ConfigError(where, `expected a range from low to high (10..14), got the empty range ${t}`)
    seeds = Array.from({ length: b - a + 1 }, (_, i) => a + i)
  } else if (t.includes(',')) {
    seeds = t.split(',').map(x => whole(x.trim()))
  } else {
    const n = whole(t)
    if (n < 1) throw new ConfigError(where, `expected at least one seed, got ${n}`)
    seeds = Array.from({ length: n }, (_, i) => i + 1)
  }
  return checkSeeds(seeds, where)
}

export function checkSeeds(seeds: readonly number[], where: string): number[] {
  if (seeds.length === 0) throw new ConfigError(where, 'expected at least one seed, got none')
  if (seeds.length > 10_000) throw new ConfigError(where, `expected at most 10000 seeds, got ${seeds.length}`)
  for (const s of seeds)
    if (!Number.isSafeInteger(s) || s < 0)
      throw new ConfigError(where, `expected a seed: a whole number, at least 0, got ${JSON.stringify(s)}`)
  const twice = seeds.find((s, i) => seeds.indexOf(s) !== i)
  if (twice != null) throw new ConfigError(where, `expected each seed once, got ${twice} given twice`)
  return [...seeds]
}

/**
 * A run's key: its fields by path (sorted, values as JSON) and its seed, e.g.
 * `buildings.generate.count=24 market.strategy=zi-c seed=3`. The same runs have the same key
 * whatever the order the params were given in.
 */
export function runKey(params: Readonly<Record<string, ParamValue>>, seed: number): string {
  return [
    ...Object.keys(params)
      .sort()
      .map(p => `${p}=${keyText(params[p])}`),
    `seed=${seed}`
  ].join(' ')
}

/** A value in a key: a word that YAML reads back as the same word as it is (zi-c), anything else as JSON ("true", [0.5,1]). */
function keyText(v: ParamValue): string {
  if (typeof v === 'string' && /^[A-Za-z_][\w.+-]*$/.test(v)) {
    try {
      if (parse(v) === v) return v
    } catch {}
  }
  return JSON.stringify(v)
}

/** Every combination of the params' values (the first param varies slowest), each with every seed. */
export function expandGrid(params: readonly SweepParam[], seeds: readonly number[]): SweepPoint[] {
  const paths = params.map(p => p.path)
  if (new Set(paths).size !== paths.length)
    throw new ConfigError('--param', `${paths.find((p, i) => paths.indexOf(p) !== i)!} is given twice: give all its values in one --param`)
  let combos: Array<Record<string, ParamValue>> = [{}]
  for (const p of params) combos = combos.flatMap(c => p.values.map(v => ({ ...c, [p.path]: v })))
  return combos.flatMap(c => seeds.map(seed => ({ params: c, seed, key: runKey(c, seed) })))
}

type Doc = Record<string, unknown>
const isMapping = (v: unknown): v is Doc => typeof v === 'object' && v != null && !Array.isArray(v)

/** Sets `path` in a plain document, making the mappings on the way; a list is indexed by a number. */
function setPath(doc: Doc, path: string, value: ParamValue): void {
  const parts = path.split('.')
  let at: unknown = doc
  for (const [i, k] of parts.entries()) {
    const last = i === parts.length - 1
    const here = parts.slice(0, i + 1).join('.')
    if (Array.isArray(at)) {
      const n = Number(k)
      if (!/^\d+$/.test(k) || n >= at.length)
        throw new ConfigError(path, `${here}: ${parts.slice(0, i).join('.')} is a list of ${at.length}: give an index below ${at.length}`)
      if (last) at[n] = value
      else at = at[n]
    } else if (isMapping(at)) {
      if (last) at[k] = value
      else {
        if (at[k] == null) at[k] = {}
        at = at[k]
      }
    } else {
      throw new ConfigError(path, `${parts.slice(0, i).join('.')} is ${JSON.stringify(at)} in this scenario, not a mapping`)
    }
  }
}

function getPath(doc: unknown, path: string): unknown {
  let at = doc
  for (const k of path.split('.')) {
    if (Array.isArray(at)) at = at[Number(k)]
    else if (isMapping(at)) at = at[k]
    else return undefined
  }
  return at
}

/** Whether the validated scenario holds the value given: equal, or for a mapping every key given equal (defaults fill the rest). */
function holds(actual: unknown, given: unknown): boolean {
  if (isMapping(given)) return isMapping(actual) && Object.entries(given).every(([k, v]) => holds(actual[k], v))
  return isDeepStrictEqual(JSON.parse(JSON.stringify(actual) ?? 'null'), JSON.parse(JSON.stringify(given) ?? 'null'))
}

/** The base scenario without its seed (each run has its own): what a sweep's output directory is tied to. */
export function baseOf(s: Scenario): Omit<Scenario, 'seed'> {
  const { seed: _seed, ...rest } = s
  return rest
}

/**
 * The scenario of one run: the base with each param's value at its path and the run's seed, validated
 * as a scenario file is. A field the scenario does not use with that value (`buildings.generate.count`
 * on a scenario that lists its buildings) is refused: the sweep would vary nothing.
 */
export function scenarioFor(base: Scenario, point: Pick<SweepPoint, 'params' | 'seed'>): Scenario {
  const doc = structuredClone(base) as unknown as Doc
  for (const [path, v] of Object.entries(point.params)) setPath(doc, path, structuredClone(v))
  doc.seed = point.seed
  const run = runKey(point.params, point.seed)
  let s: Scenario
  try {
    s = validateScenario(doc)
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.field, `${err.detail} (in the run ${run})`)
    throw err
  }
  for (const [path, v] of Object.entries(point.params)) {
    if (!holds(getPath(s, path), v)) {
      const why =
        path.startsWith('buildings.generate') && s.buildings.list != null ? ': the scenario lists its buildings (buildings.list)' : ''
      throw new ConfigError(path, `the scenario does not use this field as ${JSON.stringify(v)}${why} (in the run ${run})`)
    }
  }
  return s
}
