import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parse } from 'yaml'
import { ConfigError } from '@kvartal/protocol'
import { loadScenario, validateScenario, type Scenario } from '../scenario.ts'
import { isObj, known } from '../fields.ts'
import { checkSeeds, paramFromFile, parseSeeds, type SweepParam } from './grid.ts'

/** What a sweep file holds: the scenario, the params, and (when it says) the seeds. */
export interface SweepFile {
  readonly scenario: Scenario
  readonly params: SweepParam[]
  readonly seeds?: number[]
}

/**
 * Whether a YAML document is a sweep file rather than a scenario: a mapping with `params`. A scenario
 * has no such field, so one positional argument serves both.
 */
export function isSweepDocument (doc: unknown): boolean {
  return isObj(doc) && 'params' in doc
}

/**
 * Reads a sweep file:
 *
 *     scenario: district.yaml         # a scenario file beside this one, or a scenario inline; absent: the default
 *     params:
 *       strategy: [zi-c, zip]         # a field by its dotted path (or a short name), and its values
 *       buildings.generate.count: [24, 48]
 *     seeds: 5                        # 5: seeds 1…5; "10..14"; or a list [1, 7, 42]
 */
export async function loadSweepFile (path: string): Promise<SweepFile> {
  let doc: unknown
  try {
    doc = parse(await readFile(path, 'utf8'))
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw new ConfigError(path, e.code != null ? `cannot read the sweep file: ${e.code}` : `not valid YAML: ${e.message.split('\n')[0]}`)
  }
  return await sweepFromDocument(doc, path)
}

/** A parsed sweep document (`path`: where it was read, for errors and the scenario file beside it). */
export async function sweepFromDocument (doc: unknown, path: string): Promise<SweepFile> {
  if (!isObj(doc)) throw new ConfigError(path, 'a sweep file is a YAML mapping with params (and scenario, seeds)')
  known(doc, '', ['scenario', 'params', 'seeds'])
  let scenario: Scenario
  if (doc.scenario == null) scenario = validateScenario({})
  else if (typeof doc.scenario === 'string') scenario = await loadScenario(resolve(dirname(path), doc.scenario))
  else {
    scenario = validateScenario(doc.scenario)
    // a feed named in the sweep file is found beside it, as in a scenario file
    if (scenario.mobility !== false && scenario.mobility.gtfs != null && !isAbsolute(scenario.mobility.gtfs)) scenario = { ...scenario, mobility: { ...scenario.mobility, gtfs: resolve(dirname(path), scenario.mobility.gtfs) } }
  }
  if (!isObj(doc.params)) throw new ConfigError('params', 'a mapping of scenario fields (dotted paths) to their values, e.g. market.strategy: [zi-c, zip]')
  const params = Object.entries(doc.params).map(([k, v]) => paramFromFile(k, v, `params.${k}`))
  let seeds: number[] | undefined
  if (doc.seeds != null) {
    if (typeof doc.seeds === 'number') seeds = parseSeeds(String(doc.seeds), 'seeds')
    else if (typeof doc.seeds === 'string') seeds = parseSeeds(doc.seeds, 'seeds')
    else if (Array.isArray(doc.seeds)) seeds = checkSeeds(doc.seeds as number[], 'seeds')
    else throw new ConfigError('seeds', 'a count (5), a range ("10..14") or a list ([1, 7, 42])')
  }
  return { scenario, params, ...(seeds != null ? { seeds } : {}) }
}
