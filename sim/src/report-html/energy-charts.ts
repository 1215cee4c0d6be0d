import type { ScenarioResult } from '../scenario-result.ts'
import { chart, emptyChart, type Chart } from './render-chart.ts'
import { categoryAxis, grid, iota, kwh, legend, round, slotLabels } from './axes.ts'
import type { TraceFacts } from './trace-facts.ts'

const noPerSlot = 'results.json has no per-slot figures (metrics.perSlot): made by an older kvartal sim'

/** Energy per slot: local trade against the physical maximum, and what went to and came from the grid. */
export function energyPerSlot(r: ScenarioResult): Chart {
  const ps = r.metrics.perSlot ?? []
  const x = slotLabels(r.scenario, ps.length)
  const hasGrid = ps.every(p => typeof p.gridImportWh === 'number')
  const caption =
    `Buildings' local trade against the physical maximum${r.metrics.grid != null ? ' the feeders allow' : ''}, ` +
    `and their grid import and export (results.json metrics.perSlot), kWh.`
  if (ps.length === 0) return emptyChart('energy', 'Energy per slot', caption, noPerSlot)
  return chart('energy', 'Energy per slot', caption, {
    legend,
    grid: grid(),
    tooltip: { trigger: 'axis' },
    xAxis: categoryAxis(x),
    yAxis: { type: 'value', name: 'kWh' },
    series: [
      { name: 'local traded', type: 'bar', data: ps.map(p => kwh(p.localEnergyWh)), itemStyle: { color: '#3a7d44' } },
      {
        name: 'physical maximum',
        type: 'line',
        step: 'middle',
        symbol: 'none',
        data: ps.map(p => kwh(p.physicalMaxWh)),
        lineStyle: { color: '#111', type: 'dashed' },
        itemStyle: { color: '#111' }
      },
      ...(hasGrid
        ? [
            {
              name: 'grid import',
              type: 'line' as const,
              symbol: 'none',
              data: ps.map(p => kwh(p.gridImportWh)),
              itemStyle: { color: '#c0392b' }
            },
            {
              name: 'grid export',
              type: 'line' as const,
              symbol: 'none',
              data: ps.map(p => kwh(p.gridExportWh)),
              itemStyle: { color: '#e6a23c' }
            }
          ]
        : [])
    ]
  })
}

/** Prices per slot: the trades' lowest, mean (by energy) and highest price between the two tariffs. */
export function pricesPerSlot(r: ScenarioResult, trace: TraceFacts | undefined): Chart {
  const title = 'Prices per slot'
  const caption =
    "Prices of every committed trade, vehicles' (V2G) included (each trade once, " +
    'from trace.ndjson), against the retail and feed-in tariffs, IOTA per kWh.'
  if (trace == null) return emptyChart('prices', title, caption, 'trace.ndjson is absent: no trade prices')
  const n = r.metrics.slots
  const x = slotLabels(r.scenario, n)
  const at = (i: number): { trades: number; energyWh: number; valueNanosWh: number; min: number; max: number } | undefined =>
    trace.pricesBySlot.get(i + (r.metrics.warmupSlots ?? 0))
  const price = (nanosPerKwh: number): number => round(nanosPerKwh / 1e9, 4)
  const constant = (v: number): number[] => Array.from({ length: n }, () => price(v))
  return chart('prices', title, caption, {
    legend,
    grid: grid(),
    tooltip: { trigger: 'axis' },
    xAxis: categoryAxis(x),
    yAxis: { type: 'value', name: 'IOTA/kWh', min: 0 },
    series: [
      {
        name: 'retail tariff',
        type: 'line',
        symbol: 'none',
        data: constant(r.scenario.tariffs.retail),
        lineStyle: { type: 'dashed', color: '#c0392b' },
        itemStyle: { color: '#c0392b' }
      },
      {
        name: 'feed-in tariff',
        type: 'line',
        symbol: 'none',
        data: constant(r.scenario.tariffs.feedIn),
        lineStyle: { type: 'dashed', color: '#e6a23c' },
        itemStyle: { color: '#e6a23c' }
      },
      {
        name: 'highest',
        type: 'line',
        symbol: 'none',
        connectNulls: false,
        data: x.map((_, i) => (at(i) == null ? null : price(at(i)!.max))),
        lineStyle: { width: 1 },
        itemStyle: { color: '#7fb3d5' }
      },
      {
        name: 'mean (by energy)',
        type: 'line',
        symbolSize: 4,
        connectNulls: false,
        data: x.map((_, i) => (at(i) == null || at(i)!.energyWh === 0 ? null : price(at(i)!.valueNanosWh / at(i)!.energyWh))),
        itemStyle: { color: '#1f4e79' }
      },
      {
        name: 'lowest',
        type: 'line',
        symbol: 'none',
        connectNulls: false,
        data: x.map((_, i) => (at(i) == null ? null : price(at(i)!.min))),
        lineStyle: { width: 1 },
        itemStyle: { color: '#a9cce3' }
      }
    ]
  })
}

/** Welfare ratio per slot: the market's welfare over the central optimum's, where the optimum has any. */
export function welfarePerSlot(r: ScenarioResult): Chart {
  const ps = r.metrics.perSlot ?? []
  const x = slotLabels(r.scenario, ps.length)
  if (ps.length === 0)
    return emptyChart(
      'welfare',
      'Welfare ratio per slot',
      "Welfare of the buildings' local trades over the central optimum's, per slot.",
      noPerSlot
    )
  return chart(
    'welfare',
    'Welfare ratio per slot',
    `Welfare of the buildings' local trades over the central ` +
      `optimum's${r.metrics.grid != null ? ' (after grid fees, same limits)' : ''}, per slot (results.json ` +
      `metrics.perSlot); no point where the optimum is zero. Whole run: ${round(r.metrics.welfareShare * 100, 1)} ` +
      `% (${iota(r.metrics.welfareNanos).toFixed(3)} of ${iota(r.metrics.optimumWelfareNanos).toFixed(3)} IOTA).`,
    {
      legend,
      grid: grid(),
      tooltip: { trigger: 'axis' },
      xAxis: categoryAxis(x),
      yAxis: { type: 'value', name: 'welfare ÷ optimum', min: 0, max: (v: { max: number }) => Math.max(1, Math.ceil(v.max * 10) / 10) },
      series: [
        {
          name: 'welfare ratio',
          type: 'bar',
          data: ps.map(p => (p.optimumWelfareNanos === 0 ? null : round(p.welfareNanos / p.optimumWelfareNanos, 4))),
          itemStyle: { color: '#5b8def' }
        },
        {
          name: 'optimum',
          type: 'line',
          symbol: 'none',
          data: ps.map(() => 1),
          lineStyle: { type: 'dashed', color: '#111' },
          itemStyle: { color: '#111' }
        }
      ]
    }
  )
}
