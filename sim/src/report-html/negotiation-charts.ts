import type { ScenarioResult } from '../scenario-result.ts'
import { chart, emptyChart, type Chart } from './render-chart.ts'
import { categoryAxis, grid, kwh, legend, round } from './axes.ts'
import type { NodeFigures } from './node-figures.ts'

type Named = Partial<NodeFigures> & { id: string; name?: string }

/** The district's nodes that hold figures: buildings, then vehicles and the operator, by scenario name. */
function nodesOf(r: ScenarioResult): Named[] {
  return [...r.buildings, ...(r.vehicles ?? [])]
}
const nameOf = (n: Named): string => n.name ?? n.id

/** A step that puts about `bins` round-numbered bins between 0 and `max`. */
export function binWidth(max: number, bins = 20): number {
  if (max <= 0) return 1
  const raw = max / bins
  const p = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 2.5, 5, 10].map(k => k * p).find(w => w >= raw)!
}

/** Latency histogram: every node's negotiation latency samples (proposal to outcome, real ms). */
export function latencyHistogram(r: ScenarioResult): Chart {
  const title = 'Negotiation latency'
  const samples = nodesOf(r).flatMap(n => n.negotiationLatenciesMs ?? [])
  const caption =
    `Proposal to outcome, real ms, ${samples.length} negotiations (results.json negotiationLatenciesMs of every ` +
    `node); p50 ${r.metrics.latencyMs.p50} ms, p99 ${r.metrics.latencyMs.p99} ms, max ${r.metrics.latencyMs.max} ms.`
  if (samples.length === 0) return emptyChart('latency', title, caption, 'no negotiation latency samples in results.json')
  // bins up to the 99th percentile; the slowest 1 % share the last bar (a long tail flattens the rest)
  const sorted = [...samples].sort((x, y) => x - y)
  const upper = sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)]
  const w = binWidth(upper)
  const bins = Math.floor(upper / w) + 1
  const counts = Array.from({ length: bins + 1 }, () => 0)
  for (const s of sorted) counts[s >= bins * w ? bins : Math.floor(s / w)]++
  if (counts[bins] === 0) counts.pop()
  const label = (i: number): string => (i === bins ? `≥ ${round(i * w, 2)}` : `${round(i * w, 2)}–${round((i + 1) * w, 2)}`)
  return chart('latency', title, caption, {
    grid: grid(80),
    tooltip: { trigger: 'axis' },
    xAxis: categoryAxis(
      counts.map((_, i) => label(i)),
      'ms'
    ),
    yAxis: { type: 'value', name: 'negotiations', minInterval: 1 },
    series: [{ name: 'negotiations', type: 'bar', barCategoryGap: '2%', data: counts, itemStyle: { color: '#8e44ad' } }]
  })
}

/** Messages per node per slot, by kind: what each node sent and received, over the simulated slots. */
export function messagesPerNode(r: ScenarioResult): Chart {
  const title = 'Messages per node per slot'
  const nodes = nodesOf(r).filter(n => n.messages != null)
  const slots = Math.max(1, r.metrics.slots)
  const caption =
    `Each node's messages over the run divided by its ${r.metrics.slots} slots (results.json ` +
    `messages): gossip received and published, negotiation stream frames, catch-up frames. ` +
    `District mean of gossip received: ${r.metrics.gossipPerNodePerSlot.mean} per slot.`
  if (nodes.length === 0) return emptyChart('messages', title, caption, 'no per-node message counts in results.json')
  const per = (k: keyof NodeFigures['messages']): number[] => nodes.map(n => round(n.messages![k] / slots, 2))
  const names = nodes.map(nameOf)
  return chart(
    'messages',
    title,
    caption,
    {
      legend,
      grid: grid(110),
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: categoryAxis(names),
      yAxis: { type: 'value', name: 'per slot' },
      series: [
        { name: 'gossip received', type: 'bar', stack: 'm', data: per('gossipReceived') },
        { name: 'gossip published', type: 'bar', stack: 'm', data: per('gossipPublished') },
        { name: 'stream frames', type: 'bar', stack: 'm', data: per('streamFrames') },
        { name: 'catch-up frames', type: 'bar', stack: 'm', data: per('catchUpFrames') }
      ]
    },
    { width: 960, height: 380 }
  )
}

/** Trades per building: committed trades, each building's value written on its bar. */
export function tradesPerBuilding(r: ScenarioResult): Chart {
  const title = 'Trades per building'
  const caption =
    `Committed trades each building was a party to, as buyer or seller ` +
    `(results.json buildings[].trades); ${r.metrics.trades} trades in all.`
  if (r.buildings.some(b => typeof b.trades !== 'number'))
    return emptyChart('trades', title, caption, 'no per-building trade counts in results.json')
  return chart(
    'trades',
    title,
    caption,
    {
      grid: grid(110),
      tooltip: { trigger: 'axis' },
      xAxis: categoryAxis(r.buildings.map(nameOf)),
      yAxis: { type: 'value', name: 'trades', minInterval: 1 },
      series: [
        {
          name: 'trades',
          type: 'bar',
          data: r.buildings.map(b => b.trades),
          label: { show: true, position: 'top', fontSize: 10 },
          itemStyle: { color: '#2e86c1' }
        }
      ]
    },
    { width: 960, height: 380 }
  )
}

/** Energy each building sold and bought locally, kWh. */
export function energyPerBuilding(r: ScenarioResult): Chart {
  return chart(
    'building-energy',
    'Energy traded per building',
    'What each building sold and bought in local trades (results.json buildings[].soldWh, boughtWh), kWh.',
    {
      legend,
      grid: grid(110),
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: categoryAxis(r.buildings.map(nameOf)),
      yAxis: { type: 'value', name: 'kWh' },
      series: [
        { name: 'sold', type: 'bar', data: r.buildings.map(b => kwh(b.soldWh)), itemStyle: { color: '#3a7d44' } },
        { name: 'bought', type: 'bar', data: r.buildings.map(b => kwh(b.boughtWh)), itemStyle: { color: '#c0392b' } }
      ]
    },
    { width: 960, height: 380 }
  )
}
