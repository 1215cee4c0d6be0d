import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ConfigError } from '@kvartal/protocol'
import {
  isSweepDocument,
  loadScenario,
  loadSweepFile,
  parseParam,
  parseSeeds,
  runSweep,
  scenarioFor,
  validateScenario,
  expandGrid,
  readJournal,
  type Scenario,
  type SweepParam,
  type SweepRow
} from '@kvartal/sim'
import { missingHeapFlags } from './sim-memory.ts'

/** `kvartal sweep`'s options, parsed by the command line (program.ts). */
export interface SweepCommandOptions {
  /** `--param path=v1,v2`, each as given */
  readonly param?: readonly string[]
  readonly seeds?: string
  readonly jobs?: number
  readonly out?: string
  /** seconds */
  readonly timeout?: number
  readonly keepRuns?: boolean
  readonly dryRun?: boolean
  readonly quiet?: boolean
  /** false: --no-report */
  readonly report?: boolean
}

const describe = (r: SweepRow): string =>
  r.status === 'ok'
    ? `local ${r.kpis.localEnergyPct} %, welfare ${r.kpis.welfarePct} %, ` +
      `${r.kpis.trades} trades, ${((r.kpis.wallMs ?? 0) / 1000).toFixed(1)} s`
    : `FAILED: ${r.error}`

/**
 * `kvartal sweep [scenario.yaml | sweep.yaml] --param path=v1,v2 … --seeds 5`: every combination of the
 * params' values with every seed, each run in its own process, as many at once as cores (--jobs), rows
 * in <out>/runs.csv and runs.arrow, charts with 95 % intervals in <out>/report.html (sim/src/sweep/).
 */
export async function sweepCommand(positionals: readonly string[], o: SweepCommandOptions): Promise<number> {
  if (positionals.length > 1) throw new ConfigError('arguments', 'kvartal sweep takes at most one file: a scenario or a sweep file')
  let scenario: Scenario
  let params: SweepParam[] = []
  let seeds: number[] | undefined
  const file = positionals[0]
  if (file == null) scenario = validateScenario({})
  else {
    // a file with params: is a sweep file (sweep-file.ts); either way its errors say where: file:line:col: field: …
    const doc = await readFile(file, 'utf8').then(
      t => {
        try {
          return parse(t) as unknown
        } catch {
          return undefined
        }
      },
      () => undefined
    )
    if (isSweepDocument(doc)) ({ scenario, params, seeds } = await loadSweepFile(file))
    else scenario = await loadScenario(file)
  }
  // --param adds a field to the file's, or replaces the file's values of that field
  for (const text of o.param ?? []) {
    const p = parseParam(text)
    params = [...params.filter(x => x.path !== p.path), p]
  }
  if (o.seeds != null) seeds = parseSeeds(o.seeds)
  seeds ??= parseSeeds('5')
  const outDir = o.out ?? join('out', `sweep-${scenario.district}-${scenario.date}`)
  const def = { scenario, params, seeds }
  if (o.dryRun === true) {
    const done = await readJournal(join(outDir, 'runs.ndjson'))
    const points = expandGrid(params, seeds)
    for (const p of points) scenarioFor(scenario, p)
    for (const p of points) process.stdout.write(`${done.get(p.key)?.status === 'ok' ? 'done ' : 'to run'}  ${p.key}\n`)
    process.stdout.write(`${points.length} runs, ${points.filter(p => done.get(p.key)?.status === 'ok').length} done in ${outDir}\n`)
    return 0
  }
  const quiet = o.quiet === true
  const outcome = await runSweep(def, {
    outDir,
    ...(o.jobs != null ? { jobs: o.jobs } : {}),
    ...(o.timeout != null ? { timeoutMs: o.timeout * 1000 } : {}),
    keepRuns: o.keepRuns === true,
    report: o.report !== false,
    // each run's process holds a district, as `kvartal sim` does: the same heap bounds (sim-memory.ts)
    execArgv: [...missingHeapFlags(), ...process.execArgv],
    onStart: (total, done) => {
      if (!quiet)
        process.stderr.write(
          `sweep: ${total} runs (${total / seeds.length} combinations × ${seeds.length} ` +
            `seeds)${done > 0 ? `, ${done} done before in ${outDir}` : ''}, ${o.jobs ?? 'one per core'} at once\n`
        )
    },
    onRun: (row, n, total) => {
      if (!quiet) process.stderr.write(`[${n}/${total}] ${row.key}: ${describe(row)}\n`)
    }
  })
  process.stdout.write(
    `runs        ${outcome.rows.length}: ${outcome.ran} run now, ${outcome.skipped} done before, ${outcome.failed} failed\n`
  )
  process.stdout.write(`csv         ${outcome.files.csv}\narrow       ${outcome.files.arrow}\n`)
  if (outcome.files.report != null) process.stdout.write(`report      ${outcome.files.report}\n`)
  return 0
}
