import type { Trade } from '@kvartal/protocol'
import type { NodeStats, TradeRecord } from '@kvartal/node'
import type { DistrictRunResult, NodeResult } from '../district-run-result.ts'
import { computeMetrics, type DistrictMetrics } from '../metrics.ts'
import type { NodeView } from '../node-view.ts'
import { summaryTable } from '../report.ts'
import type { ScenarioResult } from '../scenario-result.ts'
import type { Trace } from './read-trace.ts'

/**
 * The rows of `kvartal sim`'s summary table a trace can give: the others count gossip, stream frames,
 * ledger transactions, journeys' payments or wall time, which the trace does not hold.
 */
export const replayedRows = [
  'district',
  'strategy',
  'feeders',
  'local energy traded',
  'welfare',
  'self-sufficiency',
  'grid import / export',
  'trades',
  'negotiations',
  'refusals',
  'negotiation latency',
  'consistency'
] as const

type Outcome = keyof NodeStats['negotiations']
const outcomes = new Set<string>(['committed', 'pending', 'rejected', 'walked-away', 'failed', 'void'] satisfies Outcome[])

/**
 * What the run's nodes would have reported, rebuilt from the trace alone: each committed trade from
 * the trade-committed events of both sides (terms: slot, energy, price, the parties, the grid fee their
 * feeders imply), each negotiation's outcome and latency from the buyer's negotiation-ended. Traffic
 * counters are not in the trace and stay 0.
 */
export function runFromTrace(t: Trace): DistrictRunResult {
  const h = t.header
  const feederOf = new Map(h.nodes.map(n => [n.key, n.feeder]))
  const fees = h.grid?.fees
  const nodes = new Map<string, NodeResult & { node: NodeView & { stats: NodeStats } }>()
  for (const n of h.nodes) nodes.set(n.key, { name: n.name, id: n.key, node: emptyView(n.key), trades: [], proofs: new Map() })
  const seen = new Set<string>()
  for (const e of t.events) {
    const node = nodes.get(e.node)
    if (node == null) continue
    if (e.type === 'trade-committed' && e.correlation != null && e.peer != null && (e.detail === 'seller' || e.detail === 'buyer')) {
      const role = e.detail
      // a journal holds each trade once per side
      if (seen.has(`${role}/${e.correlation}`)) continue
      seen.add(`${role}/${e.correlation}`)
      const [buyer, seller] = role === 'seller' ? [e.peer, e.node] : [e.node, e.peer]
      const fb = feederOf.get(buyer)
      const fs = feederOf.get(seller)
      const gridFee = fees == null || fb == null || fs == null ? undefined : fb === fs ? fees.local : fees.district
      const terms = {
        slot: e.slot ?? -1,
        energyWh: e.energyWh ?? 0,
        price: e.price ?? 0,
        buyer: Buffer.from(buyer, 'hex'),
        seller: Buffer.from(seller, 'hex'),
        ...(gridFee != null ? { gridFee } : {})
      }
      const record = { id: e.correlation, role, status: 'committed', trade: '', at: e.at, decoded: { id: e.correlation, terms } }
      node.trades.push(record as unknown as TradeRecord & { decoded: Trade })
      if (role === 'seller') node.node.stats.soldWh += terms.energyWh
    }
    if (e.type === 'negotiation-ended' && e.outcome != null && outcomes.has(e.outcome)) {
      const s = node.node.stats
      s.proposalsSent++
      s.negotiations[e.outcome as Outcome]++
      if (e.outcome === 'rejected' && e.code != null) s.refusals[e.code] = (s.refusals[e.code] ?? 0) + 1
      const referred = /^referred (\d+)$/.exec(e.detail ?? '')
      if (referred != null) {
        s.referrals.refusals++
        s.referrals.sellers += Number(referred[1])
      }
      if (e.latencyMs != null) s.latenciesMs.push(e.latencyMs)
      if (e.outcome === 'committed') {
        s.tradesCommitted++
        s.boughtWh += e.energyWh ?? 0
      }
    }
  }
  return { nodes: [...nodes.values()], wallMs: 0, startupMs: 0, ticks: h.run.ticks, gossipLate: 0, verification: { hits: 0, misses: 0 } }
}

function emptyView(key: string): NodeView & { stats: NodeStats } {
  return {
    id: key,
    identity: { iotaAddress: '' },
    options: { transport: 'memory' },
    stats: {
      proposalsSent: 0,
      negotiations: { committed: 0, pending: 0, rejected: 0, 'walked-away': 0, failed: 0, void: 0 },
      tradesCommitted: 0,
      boughtWh: 0,
      soldWh: 0,
      gridBuyWh: 0,
      gridSellWh: 0,
      latenciesMs: [],
      streams: { frames: 0, bytes: 0 },
      refusals: {},
      referrals: { refusals: 0, sellers: 0 }
    },
    router: { stats: { published: 0, publishedBytes: 0, accepted: 0, acceptedBytes: 0, refused: {}, topics: {} } },
    topicSync: {
      stats: { pulls: 0, failedPulls: 0, served: 0, caughtUp: 0, stale: 0, refused: 0, bytes: 0 },
      traffic: { frames: 0, bytes: 0 }
    }
  } as unknown as NodeView & { stats: NodeStats }
}

/** The run's figures, recomputed from its trace by metrics.ts, as `kvartal sim` computed them from the nodes. */
export function replayMetrics(t: Trace): DistrictMetrics {
  const h = t.header
  return computeMetrics(runFromTrace(t), h.facts, h.run.slotCount, h.grid, h.run.warmupSlots ?? 0)
}

/**
 * A ScenarioResult with the replayed figures, for the summary table and the dashboard's final figures.
 * Only `scenario`, `metrics` and the vehicles' count are the run's; the rest is empty.
 */
export function replayResult(t: Trace, metrics: DistrictMetrics = replayMetrics(t)): ScenarioResult {
  const providers = t.header.nodes.filter(n => !n.building)
  return {
    scenario: t.header.scenario,
    metrics,
    settlement: {
      adapter: '',
      payments: 0,
      attestations: 0,
      onChainTransactions: 0,
      paymentsCarryingAttestation: 0,
      onChainTransactionsPerTrade: 0,
      ledgerTransactions: 0,
      totalPaidNanos: 0,
      totalOwedNanos: 0,
      paidEqualsOwed: true,
      verifiedTrades: 0,
      trades: 0
    } as unknown as ScenarioResult['settlement'],
    wallMs: 0,
    startupMs: 0,
    wallMsPerSlot: 0,
    ticks: t.header.run.ticks,
    gossipLate: 0,
    verification: { hits: 0, misses: 0 },
    buildings: [],
    ...(providers.length > 0 ? { vehicles: providers.map(p => ({ name: p.name })) as unknown as ScenarioResult['vehicles'] } : {})
  }
}

/** `kvartal sim`'s summary table (report.ts), keeping the rows the trace gives. */
export function replaySummary(r: ScenarioResult): string {
  const keep = new Set<string>(replayedRows)
  // a row is its name padded to the longest, two spaces, its value: names hold no two spaces in a row
  return summaryTable(r)
    .split('\n')
    .filter(l => keep.has(l.split('  ')[0]))
    .join('\n')
}
