import { access, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ScenarioResult } from '../scenario-result.ts'
import type { Chart } from './render-chart.ts'
import { energyPerSlot, pricesPerSlot, welfarePerSlot } from './energy-charts.ts'
import { energyPerBuilding, latencyHistogram, messagesPerNode, tradesPerBuilding } from './negotiation-charts.ts'
import { journeysChart } from './mobility-charts.ts'
import { settlementChart } from './settlement-charts.ts'
import { readTraceFacts, type TraceFacts } from './trace-facts.ts'
import { reportPage } from './page.ts'

/** Every chart of the report, in page order. */
export function reportCharts(r: ScenarioResult, trace: TraceFacts | undefined): Chart[] {
  return [
    energyPerSlot(r),
    pricesPerSlot(r, trace),
    welfarePerSlot(r),
    latencyHistogram(r),
    messagesPerNode(r),
    tradesPerBuilding(r),
    energyPerBuilding(r),
    journeysChart(r),
    settlementChart(r, trace)
  ]
}

/** report.html's text, from a run's results and (for prices and periods) its trace's facts. */
export function reportHtml(r: ScenarioResult, trace: TraceFacts | undefined): string {
  return reportPage(r, reportCharts(r, trace), { trace: trace != null })
}

/**
 * (Re)writes `<dir>/report.html` from `<dir>/results.json` and, when there, `<dir>/trace.ndjson`.
 * Returns the report's path.
 */
export async function writeReport(dir: string): Promise<string> {
  const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as ScenarioResult
  const tracePath = join(dir, 'trace.ndjson')
  const hasTrace = await access(tracePath).then(
    () => true,
    () => false
  )
  const trace = hasTrace ? await readTraceFacts(tracePath) : undefined
  const out = join(dir, 'report.html')
  await writeFile(out, reportHtml(results, trace))
  return out
}
