import { fork } from 'node:child_process'
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import { ConfigError } from '@kvartal/protocol'
import type { Scenario } from '../scenario.ts'
import { baseOf, expandGrid, scenarioFor, type SweepDefinition, type SweepPoint } from './grid.ts'
import { rowTable, type SweepRow } from './rows.ts'
import { toCsv } from './csv.ts'
import { toArrowIpc } from './arrow.ts'
import { sweepReportHtml } from './report.ts'
import type { RunAnswer, RunRequest } from './run-child.ts'

export interface SweepOptions {
  /** runs.ndjson, runs.csv, runs.arrow, report.html and sweep.json go here; a sweep run again into it resumes */
  readonly outDir: string
  /** runs at once, each in its own process; default `os.availableParallelism()` */
  readonly jobs?: number
  /** a run that takes longer is killed and recorded as failed */
  readonly timeoutMs?: number
  /** also keep each run's results.json and trace.ndjson, in `runs/<key>/` */
  readonly keepRuns?: boolean
  /** the Node flags each run's process starts with (default: this process's) */
  readonly execArgv?: readonly string[]
  /** false: no report.html */
  readonly report?: boolean
  /** before the first run: how many runs the sweep has, and how many of them were done before */
  readonly onStart?: (total: number, done: number) => void
  /** after each run, once its row is in runs.ndjson */
  readonly onRun?: (row: SweepRow, finished: number, toRun: number) => void
}

export interface SweepOutcome {
  /** one per run of the sweep, in grid order: those run now and those done before */
  readonly rows: SweepRow[]
  readonly ran: number
  readonly skipped: number
  readonly failed: number
  readonly files: { readonly journal: string; readonly csv: string; readonly arrow: string; readonly report?: string }
}

const childEntry = fileURLToPath(new URL('./run-child.ts', import.meta.url))

/** A run's directory name under runs/ (--keep-runs): its key with the quotes and spaces out. */
export const runDirName = (key: string): string => key.replace(/"/g, '').replace(/[^\w.=,+-]+/g, '_')

/** Reads runs.ndjson: the last row of each key (a run done again replaces its row); a torn last line is skipped. */
export async function readJournal(path: string): Promise<Map<string, SweepRow>> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return ''
    throw err
  })
  const rows = new Map<string, SweepRow>()
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    let row: SweepRow
    try {
      row = JSON.parse(line) as SweepRow
    } catch {
      continue
    }
    if (typeof row.key === 'string') rows.set(row.key, row)
  }
  return rows
}

/** Runs one point in a process of its own; whatever happens, a row. */
async function runInChild(point: SweepPoint, scenario: Scenario, o: SweepOptions): Promise<SweepRow> {
  const failed = (error: string): SweepRow => ({
    key: point.key,
    params: point.params,
    seed: point.seed,
    status: 'failed',
    error,
    kpis: {}
  })
  return await new Promise<SweepRow>(resolve => {
    const child = fork(childEntry, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      ...(o.execArgv != null ? { execArgv: [...o.execArgv] } : {})
    })
    let answer: RunAnswer | undefined
    let timedOut = false
    let stderr = ''
    child.stderr!.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000)
    })
    child.once('message', (m: RunAnswer) => {
      answer = m
    })
    const timer =
      o.timeoutMs != null
        ? setTimeout(() => {
            timedOut = true
            child.kill('SIGKILL')
          }, o.timeoutMs)
        : undefined
    // 'close': the process exited and its stderr is read to the end
    child.once('close', (code, signal) => {
      if (timer != null) clearTimeout(timer)
      if (answer != null && 'kpis' in answer)
        resolve({ key: point.key, params: point.params, seed: point.seed, status: 'ok', error: null, kpis: answer.kpis })
      else if (answer != null) resolve(failed(answer.error))
      else if (timedOut) resolve(failed(`timed out after ${o.timeoutMs! / 1000} s`))
      else {
        const last = stderr
          .trim()
          .split('\n')
          .filter(l => l.trim() !== '')
          .slice(-3)
          .join(' | ')
        resolve(
          failed(
            `the run's process ${signal != null ? `was killed by ${signal}` : `exited with code ${code}`} ` +
              `before it answered${last !== '' ? `: ${last}` : ''}`
          )
        )
      }
    })
    child.once('error', err => {
      stderr += `\n${err.message}`
      child.kill('SIGKILL')
    })
    const req: RunRequest = { scenario, ...(o.keepRuns === true ? { outDir: join(o.outDir, 'runs', runDirName(point.key)) } : {}) }
    child.send(req)
  })
}

/** Writes a file whole or not at all (a sweep stopped midway leaves the previous file). */
async function writeWhole(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(`${path}.tmp`, data)
  await rename(`${path}.tmp`, path)
}

/**
 * Runs every combination of the params' values with every seed, `jobs` at a time, each run in its own
 * process, and writes one row per run: to runs.ndjson as each run ends (what a resumed sweep reads),
 * then runs.csv, runs.arrow and report.html. A run already in runs.ndjson with status ok is not run
 * again; a failed one is. The output directory belongs to one base scenario (sweep.json): params and
 * seeds may be added to a sweep, the scenario under it may not change.
 */
export async function runSweep(def: SweepDefinition, o: SweepOptions): Promise<SweepOutcome> {
  const jobs = o.jobs ?? availableParallelism()
  if (!Number.isSafeInteger(jobs) || jobs < 1)
    throw new ConfigError('--jobs', `must be a whole number of processes, at least 1, got ${jobs}`)
  const points = expandGrid(def.params, def.seeds)
  // every run's scenario is checked before any runs: a bad value is a usage error, not N failed rows
  const scenarios = new Map(points.map(p => [p.key, scenarioFor(def.scenario, p)]))
  await mkdir(o.outDir, { recursive: true })
  const sweepFile = join(o.outDir, 'sweep.json')
  const base = baseOf(def.scenario)
  const before = await readFile(sweepFile, 'utf8').then(
    t => JSON.parse(t) as { base?: unknown },
    () => undefined
  )
  if (before != null && !isDeepStrictEqual(before.base, JSON.parse(JSON.stringify(base)))) {
    throw new ConfigError(
      '--out',
      `${o.outDir} holds a sweep of another scenario (its sweep.json): give another --out, or remove that directory`
    )
  }
  await writeWhole(sweepFile, JSON.stringify({ base, params: def.params, seeds: def.seeds }, null, 2) + '\n')
  const journal = join(o.outDir, 'runs.ndjson')
  const done = await readJournal(journal)
  const todo = points.filter(p => done.get(p.key)?.status !== 'ok')
  o.onStart?.(points.length, points.length - todo.length)
  let appended = Promise.resolve()
  let finished = 0
  const queue = [...todo]
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let p = queue.shift(); p != null; p = queue.shift()) {
        const row = await runInChild(p, scenarios.get(p.key)!, o)
        // one line per run, appended in turn: a sweep stopped at any moment keeps every finished run
        appended = appended.then(async () => {
          await appendFile(journal, JSON.stringify(row) + '\n')
        })
        await appended
        done.set(row.key, row)
        o.onRun?.(row, ++finished, todo.length)
      }
    })
  )
  const rows = points.map(p => done.get(p.key)!)
  const table = rowTable(def.params, rows)
  const files = {
    journal,
    csv: join(o.outDir, 'runs.csv'),
    arrow: join(o.outDir, 'runs.arrow'),
    ...(o.report !== false ? { report: join(o.outDir, 'report.html') } : {})
  }
  await writeWhole(files.csv, toCsv(table))
  await writeWhole(files.arrow, await toArrowIpc(table))
  if (files.report != null) await writeWhole(files.report, sweepReportHtml(def, rows))
  return { rows, ran: todo.length, skipped: points.length - todo.length, failed: rows.filter(r => r.status === 'failed').length, files }
}
