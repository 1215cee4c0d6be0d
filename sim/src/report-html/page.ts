import type { ScenarioResult } from '../scenario-result.ts'
import { summaryTable } from '../report.ts'
import { escapeHtml as h } from './escape.ts'
import type { Chart } from './render-chart.ts'

/** The summary table's rows, as the terminal prints them: a label, two or more spaces, the figures. */
export function summaryRows(r: ScenarioResult): Array<[string, string]> {
  return summaryTable(r)
    .split('\n')
    .map(line => {
      const m = /^(.*?\S)\s{2,}(.*)$/.exec(line)
      return m == null ? [line, ''] : [m[1], m[2]]
    })
}

/** The scenario as `path → value` rows; long lists (a building list) as JSON, cut at 300 characters. */
export function scenarioRows(x: unknown, path = ''): Array<[string, string]> {
  if (x != null && typeof x === 'object' && !Array.isArray(x))
    return Object.entries(x).flatMap(([k, v]) => scenarioRows(v, path === '' ? k : `${path}.${k}`))
  const text = typeof x === 'string' ? x : (JSON.stringify(x) ?? String(x))
  return [[path, text.length > 300 ? `${text.slice(0, 300)}…` : text]]
}

/** The report's stylesheet: the sweep's report (sweep/report.ts) looks the same. */
export const reportStyle = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1000px;
  padding: 16px 20px 40px; color: #1c1c1c; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
nav a { margin-right: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
td, th { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f6f6f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.summary td:first-child, table.params td:first-child { white-space: nowrap; color: #444; }
code { font-size: 0.85em; }
figure.chart { margin: 24px 0; } figure.chart h3 { margin: 0 0 4px; font-size: 1.05rem; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #555; font-size: 0.85rem; margin-top: 4px; }
`

/** Each building's and vehicle's row: its name, its key, and its totals. */
function nodeRows(r: ScenarioResult): string {
  const row = (n: {
    name?: string
    id: string
    kind: string
    trader: string
    soldWh: number
    boughtWh: number
    trades?: number
    feeder?: string
  }): string =>
    `<tr><td>${h(n.name ?? n.id)}</td><td>${h(n.kind)}</td><td>${h(n.feeder ?? '')}</td><td><code ` +
    `title="${h(n.trader)}">${h(n.trader.slice(0, 16))}…</code></td><td class="num">${h((n.soldWh / 1000).toFixed(1))}</td><td ` +
    `class="num">${h((n.boughtWh / 1000).toFixed(1))}</td><td class="num">${h(n.trades ?? '')}</td></tr>`
  return [...r.buildings.map(row), ...(r.vehicles ?? []).map(v => row(v))].join('\n')
}

/** Each feeder's row (results.json `metrics.grid.byFeeder`): kWh, Kvartal's against the optimum's. */
function feederRows(r: ScenarioResult): string {
  const kwh = (wh: number): string => (wh / 1000).toFixed(1)
  const cell = (x: string): string => `<td class="num">${h(x)}</td>`
  return Object.entries(r.metrics.grid?.byFeeder ?? {})
    .map(
      ([id, f]) =>
        `<tr><td>${h(id)}</td>${cell(String(f.buildings))}${cell(f.limitWh == null ? '' : kwh(f.limitWh))}` +
        `${cell(kwh(f.demandWh))}${cell(kwh(f.surplusWh))}${cell(`${kwh(f.withinWh)} (${kwh(f.optimumWithinWh)})`)}` +
        `${cell(`${kwh(f.importedWh)} (${kwh(f.optimumImportedWh)})`)}${cell(`${kwh(f.exportedWh)} (${kwh(f.optimumExportedWh)})`)}` +
        `${cell(`${(f.boughtShareOfOptimum * 100).toFixed(2)} %`)}${cell(`${kwh(f.peakImportWh)} / ${kwh(f.peakExportWh)}`)}` +
        `${cell(String(f.slotsAtLimit))}</tr>`
    )
    .join('\n')
}

/** The feeders' section, when the district has feeders. */
function feederSection(r: ScenarioResult): string {
  if (r.metrics.grid == null) return ''
  return (
    `<section id="feeders">
<h2>Feeders</h2>
<p>Energy in kWh over the run; in brackets, the central optimum's with the same fees and transformer limits.</p>
<table class="feeders">
<tr><th>feeder</th><th>buildings</th><th>limit kWh per slot</th><th>demand kWh</th><th>surplus kWh</th><th>traded within</th>` +
    `<th>imported</th><th>exported</th><th>bought of the optimum's</th><th>peak import / export</th><th>slots at the limit</th></tr>
${feederRows(r)}
</table>
</section>
`
  )
}

/** The whole page: one file, no script, no stylesheet or image from elsewhere, the charts as inline SVG. */
export function reportPage(r: ScenarioResult, charts: readonly Chart[], sources: { trace: boolean }): string {
  const s = r.scenario
  const figures = charts
    .map(
      c => `<figure class="chart" id="chart-${h(c.id)}">
<h3>${h(c.title)}</h3>
${c.svg}
<figcaption>${h(c.caption)}</figcaption>
</figure>`
    )
    .join('\n')
  const vehicles = r.vehicles != null ? ` and ${r.vehicles.length} mobility providers` : ''
  const run =
    `${r.metrics.buildings} buildings${vehicles}, ${r.metrics.slots} slots of ${s.slots.minutes} min from ${s.date}, ` +
    `seed ${s.seed}, strategy ${s.market.strategy}.`
  const nav =
    '<nav><a href="#summary">Summary</a><a href="#charts">Charts</a>' +
    (r.metrics.grid != null ? '<a href="#feeders">Feeders</a>' : '') +
    '<a href="#nodes">Buildings and vehicles</a><a href="#scenario">Scenario</a></nav>'
  const made =
    `Made from results.json${sources.trace ? ' and trace.ndjson' : ' (trace.ndjson absent)'}; ` + '`kvartal report <dir>` makes it again.'
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(`Kvartal simulation: ${s.district}, ${s.date}`)}</title>
<style>${reportStyle}</style>
</head>
<body>
<header>
<h1>${h(`Kvartal simulation: ${s.district}`)}</h1>
<p>${h(run)}</p>
${nav}
</header>
<section id="summary">
<h2>Summary</h2>
<table class="summary">
${summaryRows(r)
  .map(([k, v]) => `<tr><td>${h(k)}</td><td>${h(v)}</td></tr>`)
  .join('\n')}
</table>
</section>
<section id="charts">
<h2>Charts</h2>
${figures}
</section>
${feederSection(r)}<section id="nodes">
<h2>Buildings and vehicles</h2>
<table class="nodes">
<tr><th>name</th><th>kind</th><th>feeder</th><th>key</th><th>sold kWh</th><th>bought kWh</th><th>trades</th></tr>
${nodeRows(r)}
</table>
</section>
<section id="scenario">
<h2>Scenario</h2>
<table class="params">
${scenarioRows(s)
  .map(([k, v]) => `<tr><td>${h(k)}</td><td><code>${h(v)}</code></td></tr>`)
  .join('\n')}
</table>
</section>
<footer><p>${h(made)}</p></footer>
</body>
</html>
`
}
