import type { ScenarioResult } from '../scenario-result.ts'

/** One KPI column of a sweep's rows: its name, what it is, and how it is read from a run's results. */
export interface KpiColumn {
  readonly name: string
  /** whole numbers (counts, Wh, nanos) or a measure with decimals */
  readonly kind: 'int' | 'float'
  /** for the report's axes and docs/sweep.md */
  readonly label: string
  readonly description: string
  /**
   * false for figures measured in real time (latency, wall time): they vary from run to run of the
   * same seed; every other KPI is the same for the same scenario and seed
   */
  readonly deterministic: boolean
  /** charted in report.html against each swept parameter */
  readonly chart: boolean
  readonly of: (r: ScenarioResult) => number | null
}

const sum = (o: Record<string, number> | undefined): number => Object.values(o ?? {}).reduce((a, x) => a + x, 0)
const r2 = (x: number): number => Math.round(x * 100) / 100
const col = (
  name: string,
  kind: KpiColumn['kind'],
  label: string,
  description: string,
  of: KpiColumn['of'],
  o: { deterministic?: boolean; chart?: boolean } = {}
): KpiColumn => ({ name, kind, label, description, of, deterministic: o.deterministic ?? true, chart: o.chart ?? false })

/** The KPIs of one run, in column order (results.json holds them all, and more). */
export const kpiColumns: readonly KpiColumn[] = [
  col('buildings', 'int', 'buildings', 'buildings in the district', r => r.metrics.buildings),
  col('slots', 'int', 'slots', 'slots simulated', r => r.metrics.slots),
  col(
    'localEnergyPct',
    'float',
    'local energy %',
    'local energy traded between buildings, % of the physical maximum (metrics.localShare)',
    r => r2(r.metrics.localShare * 100),
    { chart: true }
  ),
  col(
    'welfarePct',
    'float',
    'welfare %',
    "welfare of the local trades, % of the central double auction's optimum on the same limits (metrics.welfareShare)",
    r => r2(r.metrics.welfareShare * 100),
    { chart: true }
  ),
  col('localEnergyWh', 'int', 'local energy Wh', 'local energy traded between buildings, Wh', r => r.metrics.localEnergyWh),
  col('physicalMaxWh', 'int', 'physical maximum Wh', 'the most the buildings could have traded locally, Wh', r => r.metrics.physicalMaxWh),
  col('welfareNanos', 'int', 'welfare nanos', 'welfare of the local trades, nanos', r => r.metrics.welfareNanos),
  col('optimumWelfareNanos', 'int', 'optimum welfare nanos', 'welfare of the central optimum, nanos', r => r.metrics.optimumWelfareNanos),
  col('selfSufficiencyPct', 'float', 'self-sufficiency %', "consumption met by the district's own production, with local trading, %", r =>
    r2(r.metrics.selfSufficiency * 100)
  ),
  col('trades', 'int', 'trades', 'committed trades', r => r.metrics.trades, { chart: true }),
  col('averagePrice', 'int', 'average price nanos/kWh', 'mean price of local energy, nanos per kWh', r => r.metrics.averagePrice),
  col('proposals', 'int', 'proposals', 'proposals sent', r => r.metrics.negotiations.proposals),
  col('refusals', 'int', 'refusals', 'negotiations the other side rejected', r => r.metrics.negotiations.rejected, { chart: true }),
  col(
    'walkedAway',
    'int',
    'walked away',
    'negotiations a side walked away from (no agreement within its limits)',
    r => r.metrics.negotiations.walkedAway
  ),
  col(
    'failures',
    'int',
    'failures',
    'negotiations that failed (timeout, lost peer, a refused commit)',
    r => r.metrics.negotiations.failed,
    { chart: true }
  ),
  col('gossipRefused', 'int', 'gossip refused', "gossip messages the buildings' nodes refused (bad signature, stale, over quota …)", r =>
    r.buildings.reduce((a, b) => a + sum(b.gossipRefused), 0)
  ),
  col(
    'oversoldSlots',
    'int',
    'oversold slots',
    "seller-slots sold beyond the seller's surplus (must be 0)",
    r => r.metrics.consistency.oversoldSlots
  ),
  col('mismatchedTrades', 'int', 'mismatched trades', 'trades held by one side only (must be 0)', r => r.metrics.consistency.mismatched),
  col(
    'txPerTrade',
    'float',
    'ledger tx per trade',
    'settlement ledger transactions per trade',
    r => r.settlement.onChainTransactionsPerTrade,
    { chart: true }
  ),
  col(
    'latencyP50Ms',
    'float',
    'latency p50 ms',
    'negotiation latency, proposal to outcome, median, real ms',
    r => r.metrics.latencyMs.p50,
    { deterministic: false, chart: true }
  ),
  col('latencyP99Ms', 'float', 'latency p99 ms', 'negotiation latency, 99th percentile, real ms', r => r.metrics.latencyMs.p99, {
    deterministic: false,
    chart: true
  }),
  col(
    'messagesPerNodePerSlot',
    'float',
    'messages / node / slot',
    'messages a node sent and received per slot (gossip, negotiation frames, catch-up), mean over nodes',
    r => r2(r.metrics.perNode.messages / Math.max(1, r.metrics.slots)),
    { chart: true }
  ),
  col('bytesPerNodePerSlot', 'int', 'bytes / node / slot', 'bytes of those messages per node per slot', r =>
    Math.round(r.metrics.perNode.bytes / Math.max(1, r.metrics.slots))
  ),
  col(
    'journeysRequested',
    'int',
    'journeys requested',
    'trips the residents asked for (empty without mobility)',
    r => r.mobility?.journeys.requested ?? null
  ),
  col('journeysBooked', 'int', 'journeys booked', 'trips booked (empty without mobility)', r => r.mobility?.journeys.booked ?? null),
  col('wallMs', 'int', 'wall time ms', "the run's wall time, ms (startup included)", r => r.wallMs, { deterministic: false, chart: true }),
  col('wallMsPerSlot', 'float', 'wall ms / slot', 'wall time per slot after startup, ms', r => r.wallMsPerSlot, { deterministic: false })
]

/** A run's KPIs by column name. */
export function kpiValues(r: ScenarioResult): Record<string, number | null> {
  return Object.fromEntries(kpiColumns.map(c => [c.name, c.of(r)]))
}
