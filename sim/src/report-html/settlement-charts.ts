import type { ScenarioResult } from '../scenario-result.ts'
import { chart, type Chart } from './render-chart.ts'
import { iota } from './axes.ts'
import type { TraceFacts } from './trace-facts.ts'

export interface PeriodFigures {
  period: string
  nodes: number
  trades: number
  paidNanos: number
  toGridOperatorNanos: number
  receivableNanos: number
}

/**
 * Each settlement period's figures: from the nodes' `period-settled` events in the trace; without a
 * trace, the run's one period from results.json's settlement figures.
 */
export function periodFigures(r: ScenarioResult, trace: TraceFacts | undefined): PeriodFigures[] {
  if (trace != null && trace.periods.size > 0) return [...trace.periods].map(([period, p]) => ({ period, ...p }))
  const s = r.settlement
  return [
    {
      period: `${r.scenario.district}/0`,
      nodes: s.attestations,
      trades: s.trades,
      paidNanos: s.totalPaidNanos,
      toGridOperatorNanos: s.paidToGridOperatorNanos,
      receivableNanos: s.receivableFromGridOperatorNanos
    }
  ]
}

/** Settlement per period: what the nodes paid each other and the grid operator, and how many settled. */
export function settlementChart(r: ScenarioResult, trace: TraceFacts | undefined): Chart {
  const periods = periodFigures(r, trace)
  const s = r.settlement
  const source = trace == null ? "; no trace: the run's figures from results.json" : ''
  return chart(
    'settlement',
    'Settlement per period',
    `Each period's payments (nodes' period-settled events${source}), IOTA; ` +
      'nodes settled, each in one ledger transaction. ' +
      `The run: ${s.payments} payments + ${s.attestations} attestations in ${s.onChainTransactions} ledger transactions, ` +
      `${s.verifiedTrades} of ${s.trades} trades verifiable, paid ${s.paidEqualsOwed ? 'equals' : 'DIFFERS FROM'} owed.`,
    {
      legend: { top: 0 },
      grid: { left: 80, right: 80, top: 50, bottom: 50 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'category', data: periods.map(p => p.period) },
      yAxis: [
        { type: 'value', name: 'IOTA' },
        { type: 'value', name: 'nodes', minInterval: 1 }
      ],
      series: [
        {
          name: 'paid to peers',
          type: 'bar',
          stack: 'paid',
          data: periods.map(p => iota(p.paidNanos - p.toGridOperatorNanos)),
          itemStyle: { color: '#2e86c1' }
        },
        {
          name: 'paid to the grid operator',
          type: 'bar',
          stack: 'paid',
          data: periods.map(p => iota(p.toGridOperatorNanos)),
          itemStyle: { color: '#c0392b' }
        },
        {
          name: 'receivable from the grid operator',
          type: 'bar',
          data: periods.map(p => iota(p.receivableNanos)),
          itemStyle: { color: '#e6a23c' }
        },
        { name: 'nodes settled', type: 'bar', yAxisIndex: 1, data: periods.map(p => p.nodes), itemStyle: { color: '#95a5a6' } }
      ]
    },
    { width: 960, height: 300 }
  )
}
