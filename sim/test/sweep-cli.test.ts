import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tableFromIPC } from 'apache-arrow'
import {
  expandGrid,
  kpiColumns,
  kpiValues,
  parseCsv,
  parseParam,
  readJournal,
  runScenario,
  runSweep,
  scenarioFor,
  validateScenario
} from '@kvartal/sim'
import { runCli } from '../../tests/helpers/processes.ts'

// 4 buildings, one slot at noon, energy only: a run takes a few seconds
const tiny = { slots: { count: 1, first: 48 }, buildings: { generate: { count: 4 } }, mobility: false }
const args = ['--param', 'strategy=concession,zi-c', '--param', 'slots.count=1', '--seeds', '2', '--jobs', '2']

describe('kvartal sweep (real processes: the CLI and a process per run)', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvartal-sweep-'))
    await writeFile(join(dir, 'tiny.yaml'), JSON.stringify(tiny))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it("2 fields × 2 seeds: rows equal runScenario's for the same seeds, in CSV and Arrow alike; run again, nothing runs", {
    timeout: 600_000
  }, async () => {
    const out = join(dir, 'out')
    // the sweep's processes and the same runs here, side by side
    const [cli, direct] = await Promise.all([
      runCli(['sweep', join(dir, 'tiny.yaml'), ...args, '--out', out]),
      (async () => {
        const base = validateScenario(tiny)
        const results = new Map<string, Record<string, number | null>>()
        for (const p of expandGrid([parseParam('strategy=concession,zi-c'), parseParam('slots.count=1')], [1, 2]))
          results.set(p.key, kpiValues(await runScenario(scenarioFor(base, p))))
        return results
      })()
    ])
    expect([cli.code, cli.stderr.match(/^\[\d\/4\] .*$/gm)?.length], cli.stderr).toEqual([0, 4])
    expect(cli.stdout).toContain('runs        4: 4 run now, 0 done before, 0 failed')
    const journal = await readJournal(join(out, 'runs.ndjson'))
    expect([...journal.keys()].sort()).toEqual([...direct.keys()].sort())
    // every KPI that does not depend on real time equals the in-process run's
    const fixed = kpiColumns.filter(k => k.deterministic).map(k => k.name)
    const pick = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(fixed.map(k => [k, o[k]]))
    for (const [key, kpis] of direct) {
      expect(journal.get(key)!.status, key).toBe('ok')
      expect(pick(journal.get(key)!.kpis), key).toEqual(pick(kpis))
    }
    // the runs differ from each other: the comparison above is not of empty rows
    expect(new Set([...direct.values()].map(k => JSON.stringify(pick(k)))).size).toBeGreaterThan(1)

    const csv = parseCsv(await readFile(join(out, 'runs.csv'), 'utf8'))
    const arrow = tableFromIPC(await readFile(join(out, 'runs.arrow')))
    expect([csv.length, arrow.numRows]).toEqual([4, 4])
    for (const [i, r] of csv.entries()) {
      const row = journal.get(r.run)!
      expect([r['market.strategy'], r['slots.count'], r.seed, r.status, r.error]).toEqual([
        row.params['market.strategy'],
        '1',
        String(row.seed),
        'ok',
        ''
      ])
      const a = arrow.get(i)!.toJSON() as Record<string, unknown>
      expect([a.run, a['market.strategy'], Number(a['slots.count']), Number(a.seed)]).toEqual([r.run, r['market.strategy'], 1, row.seed])
      for (const k of kpiColumns) {
        const v = row.kpis[k.name]
        expect(r[k.name], `${k.name} in CSV`).toBe(v == null ? '' : String(v))
        expect(a[k.name] == null ? null : Number(a[k.name] as number | bigint), `${k.name} in Arrow`).toBe(v ?? null)
      }
    }
    const report = await readFile(join(out, 'report.html'), 'utf8')
    expect(report).toContain('<h2>Against market.strategy</h2>')

    // the same sweep into the same directory: every run is done, none runs, the rows stay
    const again = await runCli(['sweep', join(dir, 'tiny.yaml'), ...args, '--out', out])
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining('runs        4: 0 run now, 4 done before, 0 failed')])
    expect((await readFile(join(out, 'runs.ndjson'), 'utf8')).trim().split('\n')).toHaveLength(4)
    expect(parseCsv(await readFile(join(out, 'runs.csv'), 'utf8'))).toEqual(csv)
    const dry = await runCli(['sweep', join(dir, 'tiny.yaml'), ...args, '--out', out, '--seeds', '3', '--dry-run'])
    expect(dry.stdout).toMatch(/^done +market\.strategy=concession slots\.count=1 seed=1$/m)
    expect(dry.stdout).toMatch(/^to run +market\.strategy=zi-c slots\.count=1 seed=3$/m)
    expect(dry.stdout).toContain('6 runs, 4 done in')
  })

  it('a run that fails is a row with its error; the sweep goes on, and runs it again when resumed', { timeout: 600_000 }, async () => {
    const out = join(dir, 'failing')
    const def = { scenario: validateScenario(tiny), params: [parseParam('strategy=zi-c')], seeds: [3] }
    // a process stopped before it answers: killed by the timeout
    const first = await runSweep(def, { outDir: out, jobs: 1, timeoutMs: 1 })
    expect([first.ran, first.failed]).toEqual([1, 1])
    expect(first.rows[0]).toMatchObject({ status: 'failed', error: 'timed out after 0.001 s', kpis: {} })
    const csv = parseCsv(await readFile(join(out, 'runs.csv'), 'utf8'))
    expect(csv.map(r => [r.status, r.error, r.trades])).toEqual([['failed', 'timed out after 0.001 s', '']])
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('timed out after 0.001 s')
    // resumed: the failed run runs again, and its row replaces the failed one
    const second = await runSweep(def, { outDir: out, jobs: 1 })
    expect([second.ran, second.skipped, second.failed, second.rows[0].status]).toEqual([1, 0, 0, 'ok'])
    expect((await readFile(join(out, 'runs.ndjson'), 'utf8')).trim().split('\n')).toHaveLength(2)
    expect(parseCsv(await readFile(join(out, 'runs.csv'), 'utf8')).map(r => r.status)).toEqual(['ok'])
    // the directory belongs to its scenario: another one is refused before anything runs
    await expect(runSweep({ ...def, scenario: validateScenario({ ...tiny, site: { cloudiness: 0.9 } }) }, { outDir: out })).rejects.toThrow(
      `--out: ${out} holds a sweep of another scenario`
    )
    // the seed is the run's own: a base scenario that differs only in its seed is the same sweep
    expect((await runSweep({ ...def, scenario: validateScenario({ ...tiny, seed: 77 }) }, { outDir: out })).skipped).toBe(1)
  })

  it('a bad link condition or sweep parameter is exit 2 naming the file, line, column and field, before anything runs', {
    timeout: 180_000
  }, async () => {
    const scenario =
      'slots: { count: 1, first: 48 }\nbuildings: { generate: { count: 4 } }\nmobility: false\nnetwork:\n  loss: 0.05\n  ' +
      'latency: { distribution: normal, ms: 50 }\n  partitions:\n    - { fromSlot: 0, untilSlot: 1, nodes: [household-01] }\n'
    const files: Record<string, string> = {
      'latency.yaml': scenario.replace('normal', 'pareto'),
      'loss.yaml': scenario.replace('0.05', '-0.05'),
      'group.yaml': scenario.replace('nodes: [household-01]', 'nodes: household-01'),
      'sweep.yaml': 'scenario: good.yaml\nparams:\n  strategy: [zi-c, zip]\n  network.loss: [0, 0.6]\nseeds: 2\n',
      'good.yaml': scenario
    }
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
    const [latency, loss, group, sweep] = await Promise.all(
      ['latency.yaml', 'loss.yaml', 'group.yaml', 'sweep.yaml'].map(
        async f => await runCli(['sweep', join(dir, f), '--dry-run', '--out', join(dir, `dry-${f}`)])
      )
    )
    expect([latency.code, latency.stderr]).toEqual([
      2,
      `kvartal: ${join(dir, 'latency.yaml')}:6:14: network.latency.distribution: expected one of fixed, uniform, normal, got "pareto"\n`
    ])
    expect([loss.code, loss.stderr]).toEqual([
      2,
      `kvartal: ${join(dir, 'loss.yaml')}:5:3: network.loss: expected a share of messages between 0 and 0.5, got -0.05\n`
    ])
    expect([group.code, group.stderr]).toEqual([
      2,
      `kvartal: ${join(dir, 'group.yaml')}:8:36: network.partitions[0].nodes: expected a list of node names, got "household-01"\n`
    ])
    expect([sweep.code, sweep.stderr]).toEqual([
      2,
      `kvartal: ${join(dir, 'sweep.yaml')}:4:21: params.network.loss[1]: expected a share of messages between 0 and 0.5, got 0.6\n`
    ])
    expect([latency, loss, group, sweep].map(r => r.stdout)).toEqual(['', '', '', ''])
  })

  it('a bad --param is a usage error before anything runs', { timeout: 120_000 }, async () => {
    const r = await runCli(['sweep', join(dir, 'tiny.yaml'), '--param', 'strategy=zi-c,nope', '--out', join(dir, 'bad')])
    expect([r.code, r.stderr]).toEqual([
      2,
      'kvartal: market.strategy: unknown strategy "nope" (built in: fixed-markup, ' +
        'concession, zi-c, zip) (in the run market.strategy=nope seed=1)\n'
    ])
  })
})
