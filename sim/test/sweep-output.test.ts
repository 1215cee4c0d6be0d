import { describe, expect, it } from 'vitest'
import { tableFromIPC } from 'apache-arrow'
import {
  expandGrid,
  kpiAgainst,
  kpiColumns,
  meanCi,
  parseCsv,
  rowTable,
  sweepReportHtml,
  toArrowIpc,
  toCsv,
  validateScenario,
  type SweepParam,
  type SweepRow
} from '@kvartal/sim'

// rows as runs make them, with what CSV and Arrow must carry: text with commas, quotes and line breaks,
// nulls, a failed run, booleans, nanos beyond 2^31, decimals
const params: SweepParam[] = [
  { path: 'market.strategy', values: ['zi-c', 'zip, "learning"'] },
  { path: 'buildings.generate.count', values: [8, 16] },
  { path: 'mobility', values: [false] },
  { path: 'limits.buy', values: [[0.5, 1]] }
]
const seeds = [1, 2, 3]
const points = expandGrid(params, seeds)
const rows: SweepRow[] = points.map((p, i) =>
  i === 4
    ? {
        key: p.key,
        params: p.params,
        seed: p.seed,
        status: 'failed',
        error: "Error: the run's process was killed by SIGKILL,\nbefore it answered",
        kpis: {}
      }
    : {
        key: p.key,
        params: p.params,
        seed: p.seed,
        status: 'ok',
        error: null,
        kpis: Object.fromEntries(
          kpiColumns.map((c, j) => [
            c.name,
            c.name === 'journeysBooked' ? null : c.kind === 'int' ? 3_000_000_000 * (j + 1) + i * 7 + p.seed : (i * 13 + j) / 8 + p.seed
          ])
        )
      }
)

/** A table's cell as JSON values: bigints as numbers. */
const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v)

describe('sweep output: runs.csv and runs.arrow read back with the same rows; report.html', () => {
  const table = rowTable(params, rows)

  it('the columns: run, each swept field, seed, status, error, the KPIs', () => {
    expect(table.map(c => c.name)).toEqual([
      'run',
      'market.strategy',
      'buildings.generate.count',
      'mobility',
      'limits.buy',
      'seed',
      'status',
      'error',
      ...kpiColumns.map(k => k.name)
    ])
    expect(table.slice(1, 5).map(c => c.type)).toEqual(['string', 'int', 'bool', 'string'])
  })

  it('CSV: every field of every row as written, an empty field for null', () => {
    const back = parseCsv(toCsv(table))
    expect(back).toHaveLength(rows.length)
    const text = (v: unknown): string => (v == null ? '' : String(v))
    for (const [i, r] of back.entries()) {
      for (const c of table) expect(r[c.name], `${c.name} of row ${i}`).toBe(text(c.values[i]))
    }
    expect(back[4].error).toBe("Error: the run's process was killed by SIGKILL,\nbefore it answered")
    expect(back[0]['limits.buy']).toBe('[0.5,1]')
    expect(back[points.findIndex(p => p.params['market.strategy'] !== 'zi-c')]['market.strategy']).toBe('zip, "learning"')
  })

  it('Arrow IPC file: the same rows and types (Int64 whole numbers, Float64, Utf8, Bool), nulls kept', async () => {
    const t = tableFromIPC(await toArrowIpc(table))
    expect(t.numRows).toBe(rows.length)
    expect(t.schema.fields.map(f => f.name)).toEqual(table.map(c => c.name))
    expect(t.schema.fields.map(f => String(f.type))).toEqual(
      table.map(c => ({ int: 'Int64', float: 'Float64', string: 'Utf8', bool: 'Bool' })[c.type])
    )
    for (const c of table) {
      const col = t.getChild(c.name)!
      expect(
        Array.from({ length: t.numRows }, (_, i) => plain(col.get(i))),
        c.name
      ).toEqual(c.values)
    }
    // whole numbers stay exact beyond 32 bits
    expect(t.getChild('welfareNanos')!.get(0)).toBe(BigInt(rows[0].kpis.welfareNanos!))
  })

  it("report.html: self-contained, a chart per charted KPI and swept field, its table's intervals from meanCi", () => {
    const html = sweepReportHtml({ scenario: validateScenario({ mobility: false }), params, seeds }, rows)
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|https?:\/\/(?!www\.w3\.org)/i)
    const charted = kpiColumns.filter(k => k.chart)
    // two fields take more than one value; the two fixed ones have no chart
    expect(html.match(/<figure class="chart"/g)).toHaveLength(2 * charted.length)
    expect(html).toContain('<h2>Against market.strategy</h2>')
    expect(html).toContain('<h2>Against buildings.generate.count</h2>')
    expect(html).not.toContain('<h2>Against mobility</h2>')
    expect(html.match(/<svg/g)).toHaveLength(2 * charted.length)
    // the failed run, with its error
    expect(html).toContain('before it answered')
    // the interval of one grid point's welfare, as meanCi gives it over its seeds
    const pts = kpiAgainst(params[1], [params[0]], 'welfarePct', rows)
    const zic8 = pts.find(p => p.value === 8 && p.series === 'market.strategy=zi-c')!
    const xs = rows
      .filter(r => r.status === 'ok' && r.params['buildings.generate.count'] === 8 && r.params['market.strategy'] === 'zi-c')
      .map(r => r.kpis.welfarePct!)
    expect(xs).toHaveLength(3)
    expect(zic8.ci).toEqual(meanCi(xs))
    // the failed run's grid point counts the seeds that ran
    const failed = rows[4]
    const withFailed = kpiAgainst(params[1], [params[0]], 'welfarePct', rows).find(
      p =>
        p.value === failed.params['buildings.generate.count'] && p.series === `market.strategy=${String(failed.params['market.strategy'])}`
    )!
    expect(withFailed.ci.n).toBe(2)
  })
})
