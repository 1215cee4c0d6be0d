import type { CustomSeriesRenderItem } from 'echarts'
import { chart, type Chart } from '../report-html/render-chart.ts'
import { categoryAxis, grid, legend } from '../report-html/axes.ts'
import { escapeHtml as h } from '../report-html/escape.ts'
import { reportStyle, scenarioRows } from '../report-html/page.ts'
import { baseOf, type ParamValue, type SweepDefinition, type SweepParam } from './grid.ts'
import { kpiColumns, type KpiColumn } from './kpis.ts'
import { paramText, type SweepRow } from './rows.ts'
import { meanCi, type MeanCi } from './stats.ts'

/** One point of a chart: a KPI's mean over the seeds of one grid point, with its 95 % interval. */
export interface KpiPoint {
  readonly value: ParamValue
  readonly series: string
  readonly ci: MeanCi
}

const same = (a: ParamValue, b: ParamValue): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * A KPI against one swept param: for each of its values and each combination of the other swept params
 * (a series), the mean over the seeds with its 95 % Student t interval. Failed runs and runs without the
 * figure are left out (n says how many seeds count).
 */
export function kpiAgainst(param: SweepParam, others: readonly SweepParam[], kpi: string, rows: readonly SweepRow[]): KpiPoint[] {
  let combos: Array<Record<string, ParamValue>> = [{}]
  for (const p of others) combos = combos.flatMap(c => p.values.map(v => ({ ...c, [p.path]: v })))
  const out: KpiPoint[] = []
  for (const combo of combos) {
    const series = seriesName(combo)
    for (const value of param.values) {
      const xs = rows
        .filter(
          r => r.status === 'ok' && same(r.params[param.path], value) && Object.entries(combo).every(([k, v]) => same(r.params[k], v))
        )
        .map(r => r.kpis[kpi])
        .filter((x): x is number => typeof x === 'number')
      out.push({ value, series, ci: meanCi(xs) })
    }
  }
  return out
}

/** Seeds as a reader wants them: 1…20 when they run on, else listed (the first 20). */
const seedsText = (seeds: readonly number[]): string =>
  seeds.length > 2 && seeds.every((x, i) => x === seeds[0] + i)
    ? `${seeds[0]}…${seeds[seeds.length - 1]}`
    : seeds.length > 20
      ? `${seeds.slice(0, 20).join(', ')} … (${seeds.length})`
      : seeds.join(', ')
const seriesName = (combo: Record<string, ParamValue>): string =>
  Object.keys(combo).length === 0
    ? 'all runs'
    : Object.entries(combo)
        .map(([k, v]) => `${k}=${paramText(v)}`)
        .join(', ')
const fmt = (x: number | null): string =>
  x == null || Number.isNaN(x) ? '–' : Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(4).replace(/\.?0+$/, '')

/** Each mean as a dot with its interval as a bar, the series side by side at each value. */
function kpiChart(id: string, param: SweepParam, kpi: KpiColumn, points: readonly KpiPoint[]): Chart {
  const names = [...new Set(points.map(p => p.series))]
  const x = param.values.map(paramText)
  const renderItem: CustomSeriesRenderItem = (params, api) => {
    const shift = (params.seriesIndex - (names.length - 1) / 2) * Math.min(14, 60 / names.length)
    const [cx, cy] = api.coord([api.value(0), api.value(1)])
    const color = api.visual('color') as string
    const children: any[] = [{ type: 'circle', shape: { cx: cx + shift, cy, r: 4 }, style: { fill: color } }]
    if (!Number.isNaN(api.value(2) as number)) {
      const [, lo] = api.coord([api.value(0), api.value(2)])
      const [, hi] = api.coord([api.value(0), api.value(3)])
      const line = (x1: number, y1: number, x2: number, y2: number): unknown => ({
        type: 'line',
        shape: { x1, y1, x2, y2 },
        style: { stroke: color, lineWidth: 1.5 }
      })
      children.push(
        line(cx + shift, lo, cx + shift, hi),
        line(cx + shift - 4, lo, cx + shift + 4, lo),
        line(cx + shift - 4, hi, cx + shift + 4, hi)
      )
    }
    return { type: 'group', children }
  }
  const counts = points.map(p => p.ci.n)
  const caption =
    `${kpi.description}: mean over the seeds of each grid point (n = ` +
    `${Math.min(...counts)}${Math.max(...counts) !== Math.min(...counts) ? `–${Math.max(...counts)}` : ''} ` +
    `runs), bars the 95 % confidence interval (Student t, n − 1 degrees of ` +
    `freedom)${names.length > 1 ? '; a series per combination of the other swept fields' : ''}.`
  return chart(
    id,
    `${kpi.label} against ${param.path}`,
    caption,
    {
      legend: { ...legend, show: names.length > 1 },
      grid: grid(x.length > 12 ? 90 : 50),
      xAxis: categoryAxis(x, param.path),
      yAxis: { type: 'value', name: kpi.label, scale: true },
      series: names.map(name => ({
        name,
        type: 'custom' as const,
        renderItem,
        encode: { x: 0, y: [1, 2, 3] },
        data: points
          .filter(p => p.series === name && !Number.isNaN(p.ci.mean))
          .map(p => [x.indexOf(paramText(p.value)), p.ci.mean, p.ci.low ?? NaN, p.ci.high ?? NaN])
      }))
    },
    { width: 960, height: 300 }
  )
}

/** The table of a param's section: every grid point's charted KPIs as mean [low, high]. */
function kpiTable(param: SweepParam, others: readonly SweepParam[], rows: readonly SweepRow[], kpis: readonly KpiColumn[]): string {
  const per = kpis.map(k => kpiAgainst(param, others, k.name, rows))
  const kpiHeads = kpis.map(k => `<th>${h(k.label)}</th>`).join('')
  const head = `<tr><th>${h(param.path)}</th>${others.length > 0 ? '<th>other fields</th>' : ''}<th>n</th>${kpiHeads}</tr>`
  const body = per[0]
    .map(
      (p, i) =>
        `<tr><td>${h(paramText(p.value))}</td>${others.length > 0 ? `<td>${h(p.series)}</td>` : ''}<td class="num">${p.ci.n}</td>${per
          .map(k => {
            const c = k[i].ci
            const ci = c.low != null ? ` <span class="ci">[${h(fmt(c.low))}, ${h(fmt(c.high))}]</span>` : ''
            return `<td class="num">${h(fmt(c.mean))}${ci}</td>`
          })
          .join('')}</tr>`
    )
    .join('\n')
  return `<table class="kpis">\n${head}\n${body}\n</table>`
}

/**
 * report.html of a sweep: one self-contained page (no script, nothing fetched), for each swept field
 * the KPIs against it with their 95 % intervals over the seeds, as charts (ECharts SVG, drawn here) and
 * as a table; the failed runs with their errors; the base scenario.
 */
export function sweepReportHtml(def: SweepDefinition, rows: readonly SweepRow[]): string {
  const s = def.scenario
  const swept = def.params.filter(p => p.values.length > 1)
  const fixed = def.params.filter(p => p.values.length === 1)
  const charted = kpiColumns.filter(k => k.chart)
  const ok = rows.filter(r => r.status === 'ok').length
  const failed = rows.filter(r => r.status === 'failed')
  const sections = (swept.length > 0 ? swept : [undefined])
    .map((param, pi) => {
      if (param == null) {
        // nothing varies but the seed: the KPIs over all runs
        const all: SweepParam = { path: '(none)', values: [null] }
        const tagged = rows.map(r => ({ ...r, params: { ...r.params, '(none)': null } }))
        return (
          `<section id="all"><h2>All runs</h2><p>No field takes more than one value: ` +
          `the KPIs over the seeds.</p>\n${kpiTable(all, [], tagged, charted)}</section>`
        )
      }
      const others = swept.filter(p => p !== param)
      const charts = charted.map((k, ki) => kpiChart(`p${pi}-k${ki}`, param, k, kpiAgainst(param, others, k.name, rows)))
      const figures = charts.map(
        c =>
          `<figure class="chart" id="chart-${h(c.id)}">\n<h3>${h(c.title)}</h3>\n${c.svg}\n` +
          `<figcaption>${h(c.caption)}</figcaption>\n</figure>`
      )
      return `<section id="param-${pi}">
<h2>Against ${h(param.path)}</h2>
${kpiTable(param, others, rows, charted)}
${figures.join('\n')}
</section>`
    })
    .join('\n')
  const failures =
    failed.length === 0
      ? '<p>None.</p>'
      : `<table class="failed"><tr><th>run</th><th>error</th></tr>\n` +
        `${failed.map(r => `<tr><td><code>${h(r.key)}</code></td><td>${h(r.error ?? '')}</td></tr>`).join('\n')}\n</table>`
  const sweptText =
    swept.length > 0
      ? `Swept: ${swept.map(p => `${p.path} (${p.values.map(paramText).join(', ')})`).join('; ')}.`
      : 'Nothing swept but the seed.'
  const fixedText = fixed.length > 0 ? ` Set for every run: ${fixed.map(p => `${p.path}=${paramText(p.values[0])}`).join(', ')}.` : ''
  const ciText =
    'Each KPI is the mean over the seeds of a grid point, with its 95 % confidence interval (Student t). ' +
    "runs.csv and runs.arrow beside this file hold every run's row."
  const navLinks = swept.map((p, i) => `<a href="#param-${i}">${h(p.path)}</a>`).join('')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(`Kvartal sweep: ${s.district}, ${s.date}`)}</title>
<style>${reportStyle}
span.ci { color: #666; font-size: 0.85em; } table.kpis td, table.kpis th { white-space: nowrap; }
section { overflow-x: auto; }</style>
</head>
<body>
<header>
<h1>${h(`Kvartal sweep: ${s.district}`)}</h1>
<p>${h(`${rows.length} runs: ${ok} ok, ${failed.length} failed. ${sweptText}${fixedText} Seeds: ${seedsText(def.seeds)}.`)}</p>
<p>${h(ciText)}</p>
<nav>${navLinks}<a href="#failed">Failed runs</a><a href="#scenario">Base scenario</a></nav>
</header>
${sections}
<section id="failed">
<h2>Failed runs</h2>
${failures}
</section>
<section id="scenario">
<h2>Base scenario</h2>
<p>${h('Every run is this scenario with the swept fields set and its own seed.')}</p>
<table class="params">
${scenarioRows(baseOf(s))
  .map(([k, v]) => `<tr><td>${h(k)}</td><td><code>${h(v)}</code></td></tr>`)
  .join('\n')}
</table>
</section>
</body>
</html>
`
}
