import type { ScenarioResult } from './run-scenario.ts'

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`
const kwh = (wh: number): string => `${(wh / 1000).toFixed(1)} kWh`
const iota = (nanos: number): string => `${(nanos / 1e9).toFixed(3)} IOTA`

/** The summary table printed at the end of a simulation. */
export function summaryTable (r: ScenarioResult): string {
  const m = r.metrics
  const rows: Array<[string, string]> = [
    ['district', `${r.scenario.district}, ${m.buildings} buildings, ${m.slots} slots of ${r.scenario.slots.minutes} min from ${r.scenario.date}`],
    ['strategy', r.scenario.market.strategy],
    ['local energy traded', `${kwh(m.localEnergyWh)} of ${kwh(m.physicalMaxWh)} physical maximum (${pct(m.localShare)})`],
    ['welfare', `${iota(m.welfareNanos)} of ${iota(m.optimumWelfareNanos)} central optimum (${pct(m.welfareShare)})`],
    ['self-sufficiency', `${pct(m.selfSufficiency)} (without local trading ${pct(m.selfSufficiencyWithoutTrading)})`],
    ['grid import / export', `${kwh(m.gridImportWh)} / ${kwh(m.gridExportWh)}`],
    ['trades', `${m.trades}, ${iota(m.paidNanos)} paid locally, average ${(m.averagePrice / 1e9).toFixed(3)} IOTA/kWh`],
    ['negotiations', `${m.negotiations.proposals} proposals: ${m.negotiations.committed} committed, ${m.negotiations.rejected} rejected, ${m.negotiations.walkedAway} walked away, ${m.negotiations.failed} failed`],
    ['messages per node', `${m.perNode.messages} (${m.perNode.gossipMessages} gossip, ${m.perNode.streamFrames} stream frames), ${(m.perNode.bytes / 1024).toFixed(1)} KiB`],
    ['negotiation latency', `p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms`],
    ['consistency', `${m.consistency.sellerTrades} seller = ${m.consistency.buyerTrades} buyer records, ${m.consistency.mismatched} mismatched, ${m.consistency.oversoldSlots} oversold slots`],
    ['settlement', `${r.settlement.payments} payments + ${r.settlement.attestations} attestations = ${r.settlement.onChainTransactions} ledger transactions, ${r.settlement.onChainTransactionsPerTrade} per trade (${r.settlement.adapter.split(' (')[0]})`],
    ['paid vs owed', `${iota(r.settlement.totalPaidNanos)} paid, ${iota(r.settlement.totalOwedNanos)} owed after netting${r.settlement.paidEqualsOwed ? '' : '  MISMATCH'}`],
    ['verifiable trades', `${r.settlement.verifiedTrades} of ${r.settlement.trades} (signatures, inclusion proof, attested root)`],
    ['wall time', `${(r.wallMs / 1000).toFixed(1)} s (start ${(r.startupMs / 1000).toFixed(1)} s, ${r.wallMsPerSlot} ms per slot)`]
  ]
  const w = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')
}

/** A one-line progress bar for a terminal (stderr). */
export function progressBar (stream: NodeJS.WriteStream): (done: number, total: number) => void {
  let last = -1
  return (done, total) => {
    const p = Math.floor(done / total * 40)
    if (p === last && done !== total) return
    last = p
    if (stream.isTTY) stream.write(`\r[${'#'.repeat(p)}${'.'.repeat(40 - p)}] ${Math.round(done / total * 100)}%${done === total ? '\n' : ''}`)
    else if (done === total || p % 10 === 0) stream.write(`progress ${Math.round(done / total * 100)}%\n`)
  }
}
