/**
 * `npm run mutate [-- market protocol …]`: mutation testing with StrykerJS (stryker.config.mjs), one package at a
 * time, each against its own tests only (packages/<p>/test). With no argument it runs all five packages.
 * Not part of `npm test`: a first run of one package tests about a thousand mutants (tens of minutes on 2 free
 * cores, much longer on a busy machine); later runs are incremental (reports/mutation/<p>.incremental.json) and
 * only test mutants in code or tests that changed.
 *
 * The process lowers its own priority to the lowest (nice 19) and Stryker's workers inherit it, so a run does not
 * slow down other work on the machine. Afterwards it writes reports/mutation/summary.{json,md}: the score of each
 * package, its counts and every surviving mutant, from Stryker's report (see docs/mutation.md).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { setPriority } from 'node:os'
import { join } from 'node:path'

const packages = ['market', 'settlement', 'mobility', 'channels', 'protocol'] as const
type Package = (typeof packages)[number]
const isPackage = (p: string): p is Package => (packages as readonly string[]).includes(p)

const root = join(import.meta.dirname, '..')
const reportDir = join(root, 'reports', 'mutation')
const summaryJson = join(reportDir, 'summary.json')

const requested = process.argv.slice(2)
const unknown = requested.filter(p => !isPackage(p))
if (unknown.length > 0) {
  console.error(`npm run mutate: unknown package ${unknown.join(', ')}; choose from ${packages.join(', ')}`)
  process.exit(2)
}
const selected: Package[] = requested.length > 0 ? requested.filter(isPackage) : [...packages]

try {
  setPriority(19)
} catch {
  /* already as low as allowed */
}

/** A mutant as Stryker's report (mutation-testing-report-schema) holds it. */
interface ReportMutant {
  id: string
  mutatorName: string
  replacement?: string
  status: 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'RuntimeError' | 'CompileError' | 'Ignored' | 'Pending'
  statusReason?: string
  location: { start: { line: number; column: number }; end: { line: number; column: number } }
}
interface Report {
  files: Record<string, { source: string; mutants: ReportMutant[] }>
}

interface PackageSummary {
  date: string
  seconds: number
  score: number
  killed: number
  timeout: number
  survived: number
  noCoverage: number
  ignored: number
  errors: number
  survivors: string[]
}

const summarise = (report: Report, seconds: number): PackageSummary => {
  const count = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, RuntimeError: 0, CompileError: 0, Pending: 0 }
  const survivors: string[] = []
  for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const lines = source.split('\n')
    for (const m of mutants) {
      count[m.status]++
      if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue
      const line = lines[m.location.start.line - 1]?.trim() ?? ''
      const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80)
      survivors.push(
        `${file}:${m.location.start.line}:${m.location.start.column} ${m.status} ` +
          `${m.mutatorName} \`${replacement}\` in \`${line.slice(0, 100)}\``
      )
    }
  }
  const detected = count.Killed + count.Timeout
  const valid = detected + count.Survived + count.NoCoverage
  return {
    date: new Date().toISOString().slice(0, 10),
    seconds,
    score: valid === 0 ? 100 : Math.floor((detected / valid) * 10_000) / 100,
    killed: count.Killed,
    timeout: count.Timeout,
    survived: count.Survived,
    noCoverage: count.NoCoverage,
    ignored: count.Ignored,
    errors: count.RuntimeError + count.CompileError,
    survivors
  }
}

const done: Partial<Record<Package, PackageSummary>> = {}
let failed = false
for (const pkg of selected) {
  console.log(`\n== mutation testing @kvartal/${pkg}`)
  const started = performance.now()
  const run = spawnSync(process.execPath, [join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', 'stryker.config.mjs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, KVARTAL_MUTATE: pkg }
  })
  const seconds = Math.round((performance.now() - started) / 1000)
  const reportFile = join(reportDir, `${pkg}.incremental.json`)
  if (run.status !== 0 || !existsSync(reportFile)) {
    console.error(`npm run mutate: Stryker failed on ${pkg} (exit ${run.status ?? run.signal})`)
    failed = true
    continue
  }
  done[pkg] = summarise(JSON.parse(readFileSync(reportFile, 'utf8')) as Report, seconds)
  console.log(`== @kvartal/${pkg}: mutation score ${done[pkg].score} % in ${seconds} s`)
}

// read only now: another run (of other packages) may have written its figures while this one ran
const summary: Partial<Record<Package, PackageSummary>> = {
  ...(existsSync(summaryJson) ? (JSON.parse(readFileSync(summaryJson, 'utf8')) as Partial<Record<Package, PackageSummary>>) : {}),
  ...done
}

const rows = packages.filter(p => summary[p] != null).map(p => [p, summary[p]!] as const)
writeFileSync(summaryJson, JSON.stringify(Object.fromEntries(rows), null, 2) + '\n')
writeFileSync(
  join(reportDir, 'summary.md'),
  [
    '# Mutation testing summary',
    '',
    'Written by `npm run mutate` (scripts/mutate.ts); see docs/mutation.md ' +
      'for what the figures mean and why each surviving mutant is left.',
    '',
    '| package | score % | killed | timeout | survived | no coverage | ignored | run s | date |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      ([p, s]) =>
        `| ${p} | ${s.score.toFixed(2)} | ${s.killed} | ${s.timeout} | ` +
        `${s.survived} | ${s.noCoverage} | ${s.ignored} | ${s.seconds} | ${s.date} |`
    ),
    '',
    ...rows.flatMap(([p, s]) => [`## ${p}: surviving mutants (${s.survivors.length})`, '', ...s.survivors.map(x => `- ${x}`), ''])
  ].join('\n')
)
if (failed) process.exit(1)
