/**
 * `npm run experiments [-- --sessions 100 --periods 6 --seed 1]`: Gode & Sunder's (1993) five markets
 * (and a flat-supply market after Cliff 1997) with ZI-U, ZI-C and ZIP traders in the continuous double
 * auction, and with each of Kvartal's built-in strategies in its own decentralised negotiation. Prints
 * the results as JSON, then as a Markdown table (the README's "Experiments" table). Not part of npm test.
 */
import { parseArgs } from 'node:util'
import {
  equilibriumPrice,
  flatSupplyMarket,
  godeSunderMarkets,
  gsColumns,
  maxSurplus,
  type SessionsResult,
  type Summary
} from '@kvartal/market'

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100' },
    periods: { type: 'string', default: '6' },
    seed: { type: 'string', default: '1' }
  }
})
const options = { sessions: Number(values.sessions), periods: Number(values.periods), seed: Number(values.seed) }

const markets = [...godeSunderMarkets, flatSupplyMarket]
const started = performance.now()
const rows = markets.map(m => {
  const results: Record<string, SessionsResult> = {}
  for (const c of gsColumns) results[c.label] = c.run(m, options)
  const max = maxSurplus(m.traders)
  return {
    market: m.name,
    description: m.description,
    maxSurplus: max.surplus,
    quantity: max.quantity,
    equilibriumPrice: equilibriumPrice(m.traders),
    paper: m.paper ?? null,
    results
  }
})

const round = (s: Summary): { mean: number; sd: number; n: number } => ({
  mean: Number(s.mean.toFixed(2)),
  sd: Number(s.sd.toFixed(2)),
  n: s.n
})
console.log(
  JSON.stringify(
    {
      options,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      rows: rows.map(r => ({
        ...r,
        results: Object.fromEntries(
          Object.entries(r.results).map(([k, v]) => [k, { efficiency: round(v.efficiency), alphaByPeriod: v.alphaByPeriod.map(round) }])
        )
      }))
    },
    null,
    2
  )
)

const cell = (r: SessionsResult): string =>
  `${r.efficiency.mean.toFixed(1)} ± ${r.efficiency.sd.toFixed(1)} · α ` +
  `${Number.isNaN(r.alphaLast.mean) ? '–' : r.alphaLast.mean.toFixed(0)}`
const head = ['market (Q, P₀)', 'paper ZI-C / ZI-U / human', ...gsColumns.map(c => c.label)]
const lines = [
  `| ${head.join(' | ')} |`,
  `| ${head.map(() => '---').join(' | ')} |`,
  ...rows.map(
    r =>
      `| ${r.market} (${r.quantity}, ${r.equilibriumPrice}) | ` +
      `${r.paper != null ? `${r.paper.zic} / ${r.paper.ziu} / ${r.paper.human}` : '–'} ` +
      `| ${gsColumns.map(c => cell(r.results[c.label])).join(' | ')} |`
  )
]
console.log(
  `\nEfficiency % (mean ± sd over ${options.sessions} sessions of ${options.periods} periods) · ` +
    `Smith's α % of period ${options.periods}\n`
)
console.log(lines.join('\n'))

// the figure: price convergence period by period, where ZI-C leaves room
const pairs: Array<[market: string, a: string, b: string]> = [
  ['market 1', 'ZI-C (CDA)', 'ZIP (CDA)'],
  ['market 5', 'ZI-C (CDA)', 'ZIP (CDA)'],
  ['flat supply', 'ZI-C (CDA)', 'ZIP (CDA)'],
  ['flat supply', 'Kvartal zi-c', 'Kvartal zip'],
  ['market 5', 'Kvartal zi-c', 'Kvartal zip']
]
const periods = Array.from({ length: options.periods }, (_, k) => k + 1)
console.log(`\nSmith's α % by period (mean over ${options.sessions} sessions)\n`)
console.log(`| market | traders | ${periods.map(p => `period ${p}`).join(' | ')} |`)
console.log(`| --- | --- | ${periods.map(() => '---').join(' | ')} |`)
for (const [market, ...labels] of pairs) {
  const r = rows.find(x => x.market === market)!
  for (const l of labels) console.log(`| ${market} | ${l} | ${r.results[l].alphaByPeriod.map(s => s.mean.toFixed(1)).join(' | ')} |`)
}
