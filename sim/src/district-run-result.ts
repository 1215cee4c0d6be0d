import type { ProcessGossipStats } from '@kvartal/mesh'
import {
  PACKAGES,
  PROVIDER_LEGS,
  RIDE_RECEIPTS,
  type KvartalNode,
  type PackageRecord,
  type ProviderLegRecord,
  type RideReceiptRecord,
  type TradeRecord
} from '@kvartal/node'
import type { Trade } from '@kvartal/protocol'
import type { DistrictRunConfig } from './district-run-config.ts'
import type { NetworkFigures } from './links/link-controller.ts'
import type { NodeView } from './node-view.ts'
import type { SimNodeSpec } from './node-spec.ts'

export interface NodeResult {
  readonly name: string
  readonly id: string
  /** the node itself in one process; a copy of what the metrics read from a worker process */
  readonly node: NodeView
  readonly trades: Array<TradeRecord & { decoded: Trade }>
  /**
   * each settlement period's summary, by period number (absent where the node did not settle it), and each
   * committed trade's proof record, when the run settled
   */
  readonly periods?: Array<Record<string, any> | undefined>
  readonly proofs: Map<string, Record<string, any>>
  /** the node's mobility records, read from its journal before it stopped */
  readonly mobility?: MobilityRecords
}

export interface MobilityRecords {
  /** packages this node booked as a traveller, by package id */
  readonly packages: Array<[string, PackageRecord]>
  /** legs this node sold as a provider, by leg id */
  readonly providerLegs: Array<[string, ProviderLegRecord]>
  /** the latest cumulative receipt per ride, as this node journaled it (traveller or vehicle) */
  readonly receipts: Array<[string, RideReceiptRecord]>
}

export interface DistrictRunResult {
  readonly nodes: NodeResult[]
  readonly wallMs: number
  readonly startupMs: number
  readonly ticks: number
  /** ticks after which gossip had not reached every node within gossipSettleMs */
  readonly gossipLate: number
  /** ticks after the last slot for buyers' pending confirms (tick-driver.ts; absent when none was pending) */
  readonly closing?: { readonly ticks: number; readonly pendingConfirms: number }
  /** signature checks answered from the process's memo, and checked */
  readonly verification: { hits: number; misses: number }
  /** the processes that ran the district (worker-runner.ts): absent when it ran in this one */
  readonly processes?: Array<{
    readonly pid: number
    readonly nodes: readonly number[]
    readonly cpuMs?: number
    readonly peakRssBytes?: number
  }>
  /** what the link conditions did (absent without any) */
  readonly network?: NetworkFigures
  /** the processes' gossip buses, summed (absent over gossipsub) */
  readonly gossipBus?: ProcessGossipStats
}

/** What the run keeps of a node once its work is done: its trades, settlement and mobility records. */
export async function nodeResult(c: DistrictRunConfig, spec: SimNodeSpec, node: KvartalNode, view: NodeView = node): Promise<NodeResult> {
  const trades = await node.trades()
  const proofs = new Map<string, Record<string, any>>()
  let periods: Array<Record<string, any> | undefined> | undefined
  if (c.ledger != null) {
    periods = []
    for (let p = 0; p < Math.ceil(c.slotCount / (c.periodSlots ?? c.slotCount)); p++)
      periods.push(await node.journal.getPeriod(`${c.district}/${p}`))
    // what verifying a trade needs of its proof record; the record also carries a copy of its period's
    // summary (every counterparty's net by address), which at 1,000 buildings made most of what a run
    // held at its end (docs/simulator.md, "Memory")
    for (const t of trades) {
      const p = await node.journal.getProof(t.id)
      if (p != null) proofs.set(t.id, { period: p.period, root: p.root, attestationKey: p.attestationKey, proof: p.proof })
    }
  }
  const mobility =
    node.mobility == null
      ? undefined
      : {
          packages: await node.journal.records<PackageRecord>(PACKAGES),
          providerLegs: await node.journal.records<ProviderLegRecord>(PROVIDER_LEGS),
          receipts: await node.journal.records<RideReceiptRecord>(RIDE_RECEIPTS)
        }
  return { name: spec.name, id: node.id, node: view, trades, periods, proofs, ...(mobility != null ? { mobility } : {}) }
}
