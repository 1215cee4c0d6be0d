import { dirname, isAbsolute, resolve } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { ConfigError } from '@kvartal/protocol'
import { expected, list, parseWith, readYamlFile, section, show, text, validateFile, whole, z, type YamlFile } from '@kvartal/config'
import { loadScenario, validateScenario, type Scenario } from '../scenario.ts'
import { scenarioSchema } from '../scenario-schema.ts'
import { checkSeeds, paramAliases, paramPath, parseSeeds, runKey, scenarioFor, type ParamValue, type SweepParam } from './grid.ts'

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
export function isSweepDocument(doc: unknown): boolean {
  return typeof doc === 'object' && doc != null && !Array.isArray(doc) && 'params' in doc
}

/** A param's name: a dotted path of a scenario field (a list item by its index) or a short name; never the seed. */
const PARAM_NAME = /^(?!seed$)(?:[A-Za-z_][\w-]*|\d+)(?:\.(?:[A-Za-z_][\w-]*|\d+))*$/
const FIELD =
  'a scenario field by its dotted path (market.strategy, buildings.generate.count, ' +
  'network.loss) or a short name (strategy, buildings, slots, …)'

const paramName = z.string().regex(PARAM_NAME, {
  error: iss =>
    iss.input === 'seed'
      ? 'the seed is not a parameter: give the seeds with seeds: (or --seeds)'
      : `expected ${FIELD}, got ${show(iss.input)}`
})

/** `params:`: each swept field and its values (a list, or one value), as the scenario file spells them. */
const paramsSchema = z
  .record(
    paramName,
    z.unknown().describe('the values the field takes: a list, or one value (set for every run); each as the scenario file spells it'),
    {
      error: iss =>
        iss.code === 'invalid_key'
          ? (iss.issues[0]?.message ?? `expected ${FIELD}`)
          : expected('a mapping of scenario fields (dotted paths) to their values, e.g. market.strategy: [zi-c, zip]')(iss)
    }
  )
  .transform((params, ctx): SweepParam[] => {
    const out: SweepParam[] = []
    const named = new Map<string, string>()
    for (const [name, v] of Object.entries(params)) {
      const path = paramPath(name, `params.${name}`)
      const values = (Array.isArray(v) ? v : [v]) as ParamValue[]
      const issue = (message: string): void => {
        ctx.addIssue({ code: 'custom', path: [name], message, input: v })
      }
      if (named.has(path)) issue(`expected each field once, got ${path} again (also as params.${named.get(path)!})`)
      else if (values.length === 0) issue('expected at least one value, got []')
      else {
        const twice = values.findIndex((x, i) => values.findIndex(y => isDeepStrictEqual(x, y)) !== i)
        if (twice >= 0) issue(`expected each value once, got ${show(values[twice])} twice`)
      }
      named.set(path, name)
      out.push({ path, values })
    }
    return out
  })
  .describe(
    `the swept fields: ${FIELD}, each with its values; short names: ${Object.entries(paramAliases)
      .map(([k, v]) => `${k} (${v})`)
      .join(', ')}`
  )

const SEEDS = 'a count (5: seeds 1…5), a range ("10..14") or a list ([1, 7, 42])'
const seedsSchema = z
  .union(
    [
      whole(1, 10_000, 'a count of seeds (5: seeds 1…5)'),
      z.string().regex(/^\s*(?:\d+\.\.\d+|\d+(?:\s*,\s*\d+)*)\s*$/, { error: iss => `expected ${SEEDS}, got ${show(iss.input)}` }),
      list(whole(0, Number.MAX_SAFE_INTEGER, 'a seed: a whole number'), 'a list of seeds')
        .min(1, { error: () => 'expected at least one seed, got []' })
        .max(10_000, { error: iss => `expected at most 10000 seeds, got ${(iss.input as unknown[]).length}` })
    ],
    { error: expected(SEEDS) }
  )
  .transform((v, ctx): number[] => {
    try {
      return typeof v === 'number'
        ? parseSeeds(String(v), 'seeds')
        : typeof v === 'string'
          ? parseSeeds(v, 'seeds')
          : checkSeeds(v, 'seeds')
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err
      ctx.addIssue({ code: 'custom', path: [], message: err.detail, input: v })
      return z.NEVER
    }
  })
  .describe(`the seeds every combination runs with: ${SEEDS} (default 5; --seeds replaces them)`)

/**
 * A sweep file (`kvartal sweep sweep.yaml`; docs/sweep.md). The JSON Schema editors check it against is
 * made of this (`npm run schemas` → schemas/sweep.schema.json):
 *
 *     scenario: district.yaml         # a scenario file beside this one, or a scenario inline; absent: the default
 *     params:
 *       strategy: [zi-c, zip]         # a field by its dotted path (or a short name), and its values
 *       buildings.generate.count: [24, 48]
 *     seeds: 5                        # 5: seeds 1…5; "10..14"; or a list [1, 7, 42]
 */
export const sweepFileSchema = section(
  {
    scenario: z
      .union([text("a scenario file's path"), scenarioSchema], {
        error: expected('a scenario file beside this one (its path), or a scenario inline (a mapping)')
      })
      .optional()
      .describe('the scenario swept: a scenario file (relative to this file), or a scenario inline; absent: the embedded default day'),
    params: paramsSchema,
    seeds: seedsSchema.optional()
  },
  'a sweep file: a YAML mapping with params (and scenario, seeds)'
).describe('a Kvartal sweep: a scenario over a grid of parameters and seeds')

/** Reads a sweep file; a bad field is a ConfigError with the file, line and column: `sweep.yaml:4:3: params.strategy: …`. */
export async function loadSweepFile(path: string): Promise<SweepFile> {
  return await sweepOf(await readYamlFile(path, 'the sweep file'))
}

/** A parsed sweep document (`path`: where it was read, for the scenario file beside it); errors name the field. */
export async function sweepFromDocument(doc: unknown, path: string): Promise<SweepFile> {
  return await sweepOf({ file: path, doc })
}

async function sweepOf(y: Pick<YamlFile, 'file' | 'doc'> & Partial<Pick<YamlFile, 'locate'>>): Promise<SweepFile> {
  const validate = (doc: unknown): z.output<typeof sweepFileSchema> => parseWith(sweepFileSchema, doc)
  const f = y.locate != null ? validateFile(y as YamlFile, validate) : validate(y.doc)
  let scenario: Scenario
  if (f.scenario == null) scenario = validateScenario({})
  else if (typeof f.scenario === 'string') {
    const file = resolve(dirname(y.file), f.scenario)
    try {
      scenario = await loadScenario(file)
    } catch (err) {
      // a file that cannot be read is this file's error, at its scenario field; a bad one says where in itself
      if (err instanceof ConfigError && err.source == null && err.field === file)
        throw new ConfigError('scenario', `${err.detail} (${file})`, y.locate?.('scenario'))
      throw err
    }
  } else {
    scenario = f.scenario
    // a feed named in the sweep file is found beside it, as in a scenario file
    if (scenario.mobility !== false && scenario.mobility.gtfs != null && !isAbsolute(scenario.mobility.gtfs))
      scenario = { ...scenario, mobility: { ...scenario.mobility, gtfs: resolve(dirname(y.file), scenario.mobility.gtfs) } }
  }
  checkParams(scenario, f.params, (y.doc as { params: Record<string, unknown> }).params, f.seeds?.[0] ?? 1, y.locate)
  return { scenario, params: f.params, ...(f.seeds != null ? { seeds: f.seeds } : {}) }
}

/**
 * Each param's each value, set alone on the scenario, as a run's scenario is made (scenarioFor): a
 * field the scenario does not have or does not use, or a value it refuses, is this file's error at
 * the value (`params.market.strategy[1]`), before any run. Combinations are checked as the runs are made.
 */
function checkParams(
  scenario: Scenario,
  params: readonly SweepParam[],
  given: Record<string, unknown>,
  seed: number,
  locate: YamlFile['locate'] | undefined
): void {
  const names = Object.keys(given)
  for (const [i, p] of params.entries()) {
    for (const [j, v] of p.values.entries()) {
      try {
        scenarioFor(scenario, { params: { [p.path]: v }, seed })
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err
        const field = `params.${names[i]}${Array.isArray(given[names[i]]) ? `[${j}]` : ''}`
        const run = ` (in the run ${runKey({ [p.path]: v }, seed)})`
        const detail = err.detail.endsWith(run) ? err.detail.slice(0, -run.length) : err.detail
        throw new ConfigError(field, err.field === p.path ? detail : `${err.field}: ${detail}`, locate?.(field))
      }
    }
  }
}
