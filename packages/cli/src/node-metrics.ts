import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { NodeErrorCode, type NodeEvent } from '@kvartal/protocol'
import type { KvartalNode } from '@kvartal/node'
import { batteryGauges } from './battery-metrics.ts'
import { CONTROL_FILE } from './control-file.ts'

/**
 * The Prometheus metrics of one running node (`GET /metrics`), in their own registry:
 *   - counters from the node's events (`observe`), counted since the process started (Prometheus'
 *     `rate()` and `increase()` handle the reset a restart makes);
 *   - gauges read from the node when scraped (`attach`): peers, the journal, the meter, settlement;
 *   - prom-client's default process metrics (CPU, memory, event loop lag, GC, handles).
 * Names are `kvartal_*` with their unit in the name; energy in Wh and prices in nanos per kWh, the
 * protocol's integer units (protocol/src/units.ts).
 */
export interface NodeMetrics {
  readonly registry: Registry
  /** counts one event of the node */
  observe(e: NodeEvent): void
  /** reads what events do not say from the started node (and hooks its journal's write timing) */
  attach(node: KvartalNode, o: AttachOptions): Promise<void>
  /** the exposition text, and its content type */
  text(): Promise<string>
  readonly contentType: string
  /** every metric name in the registry (a histogram's series add _bucket, _sum and _count) */
  names(): string[]
  /** settlement as the gauges say it (the control API's `/view` shows the same) */
  settlement(): Promise<SettlementState>
}

/** Where settlement stands: what the `kvartal_settlement_*` gauges and counters say. */
export interface SettlementState {
  /** the last period settled (-1: none yet) */
  readonly lastSettledPeriod: number
  /** periods settled since the node started */
  readonly periodsSettled: number
  /** periods whose last attempt failed, waiting for the next */
  readonly retryingPeriods: readonly string[]
  /** committed trades whose period is not settled yet */
  readonly pendingTrades: number
  /** the last failure since the node started: its period, code and message */
  readonly lastFailure: { period: string; code: string; detail: string; at: number } | null
}

export interface AttachOptions {
  readonly dataDir: string
  readonly district: string
  readonly settlement: 'local' | 'iota'
  readonly periodSlots: number
  readonly version: string
}

/**
 * Journal writes are one fsynced LevelDB batch: about a millisecond on an SSD, tens of milliseconds on
 * a Raspberry Pi's SD card, seconds when the card is dying; the buckets span that.
 */
export const journalWriteBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

/** a period's correlation is `<district>/<index>` */
const periodIndex = (correlation: string | undefined): number | undefined => {
  const n = Number(correlation?.slice(correlation.lastIndexOf('/') + 1))
  return correlation != null && Number.isSafeInteger(n) ? n : undefined
}

/** The size on disk of the journal's LevelDB files (the data directory's own files, not its subdirectories). */
async function journalBytes(dir: string): Promise<number> {
  let total = 0
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!e.isFile() || e.name.startsWith(CONTROL_FILE)) continue
    total += await stat(join(dir, e.name)).then(
      s => s.size,
      () => 0
    )
  }
  return total
}

export function nodeMetrics(o: { defaultMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry()
  if (o.defaultMetrics !== false) collectDefaultMetrics({ register: registry })
  const registers = [registry]

  const trades = new Counter({
    name: 'kvartal_trades_total',
    help: "Trades committed by this node (signed by both and journaled), by this node's side",
    labelNames: ['side'] as const,
    registers
  })
  const energy = new Counter({
    name: 'kvartal_energy_traded_watt_hours_total',
    help: "Energy in committed trades, Wh, by this node's side",
    labelNames: ['side'] as const,
    registers
  })
  const price = new Gauge({
    name: 'kvartal_last_trade_price_nanos_per_kwh',
    help: "Price of the last trade committed, IOTA nanos per kWh, by this node's side",
    labelNames: ['side'] as const,
    registers
  })
  const lastTradeAt = new Gauge({
    name: 'kvartal_last_trade_timestamp_seconds',
    help: "When the last trade was committed (Unix time), by this node's side",
    labelNames: ['side'] as const,
    registers
  })
  // the buyer's negotiations end in one outcome each; the node counts them (stats.negotiations)
  const negotiations = new Counter({
    name: 'kvartal_negotiations_total',
    help: 'Negotiations this node started as a buyer, by outcome (committed, pending, rejected, walked-away, failed, void)',
    labelNames: ['outcome'] as const,
    registers
  })
  const proposals = new Counter({
    name: 'kvartal_proposals_answered_total',
    help: 'Proposals this node answered as a seller, by answer (accepted, countered, rejected)',
    labelNames: ['answer'] as const,
    registers
  })
  const failures = new Counter({
    name: 'kvartal_negotiation_failures_total',
    help: 'Negotiations that failed (a peer unreachable, a timeout, a crash), by code',
    labelNames: ['code'] as const,
    registers
  })
  const accepted = new Counter({
    name: 'kvartal_gossip_messages_accepted_total',
    help: 'Gossip messages accepted into the order book, by kind (offer, bid, digest:<scope>)',
    labelNames: ['kind'] as const,
    registers
  })
  const refused = new Counter({
    name: 'kvartal_gossip_messages_refused_total',
    help: 'Gossip messages refused by the topic validators or the catch-up pull, by error code',
    labelNames: ['code'] as const,
    registers
  })
  const streamRefused = new Counter({
    name: 'kvartal_negotiation_messages_refused_total',
    help: 'Negotiation stream messages refused (malformed, forged, unsigned), by error code',
    labelNames: ['code'] as const,
    registers
  })
  const peerEvents = new Counter({
    name: 'kvartal_peer_events_total',
    help: 'Peers that connected (joined) and disconnected (left)',
    labelNames: ['event'] as const,
    registers
  })
  const gaps = new Counter({
    name: 'kvartal_meter_gaps_total',
    help: 'Slots recorded as gaps: no meter reading (no meter, a meter that stopped, a node that was down)',
    registers
  })
  const readings = new Counter({ name: 'kvartal_meter_readings_total', help: "Slot readings signed from the meter's samples", registers })
  const meterRefused = new Counter({
    name: 'kvartal_meter_refused_total',
    help: 'Meter messages or telegrams refused (bad checksum, malformed), or meter faults, by code',
    labelNames: ['code'] as const,
    registers
  })
  const settled = new Counter({
    name: 'kvartal_settlement_periods_settled_total',
    help: 'Settlement periods netted, paid and attested',
    registers
  })
  const lastSettled = new Gauge({
    name: 'kvartal_settlement_last_settled_period',
    help: 'Index of the last settlement period settled (-1: none yet)',
    registers
  })
  const settleFailed = new Counter({
    name: 'kvartal_settlement_failures_total',
    help: 'Settlement attempts that failed (retried on the next tick), by code',
    labelNames: ['code'] as const,
    registers
  })
  const retrying = new Gauge({
    name: 'kvartal_settlement_periods_retrying',
    help: 'Periods whose last settlement attempt failed and that wait for the next attempt',
    registers
  })
  const pending = new Gauge({
    name: 'kvartal_settlement_trades_pending',
    help: 'Committed trades whose payment and attestation wait for their period to be settled',
    registers
  })
  const nodeErrors = new Counter({
    name: 'kvartal_node_errors_total',
    help: 'Failures of the node itself, not of a negotiation (a tick, a journal write, a stop or close), by code (NodeErrorCode)',
    labelNames: ['code'] as const,
    registers
  })
  const diskFull = new Gauge({
    name: 'kvartal_journal_disk_full',
    help: "1 while the journal's disk is full (new work waits, nothing committed is lost), else 0",
    registers
  })
  const writes = new Histogram({
    name: 'kvartal_journal_write_duration_seconds',
    help: 'Time of one durable (fsynced) journal write',
    buckets: journalWriteBuckets,
    registers
  })
  lastSettled.set(-1)

  const failing = new Set<string>()
  const unsettled = new Set<string>()
  /** the negotiations this node is answering as a seller */
  const answering = new Set<string>()
  let node: KvartalNode | undefined
  let dataDir: string | undefined
  let recheck: Promise<void> = Promise.resolve()
  // what the settlement gauges hold, for `settlement()`
  let lastSettledPeriod = -1
  let periodsSettled = 0
  let lastFailure: SettlementState['lastFailure'] = null
  const setLastSettled = (p: number): void => {
    lastSettledPeriod = Math.max(lastSettledPeriod, p)
    lastSettled.set(lastSettledPeriod)
  }

  // read when scraped
  new Gauge({
    name: 'kvartal_connected_peers',
    help: 'Peers this node is connected to',
    registers,
    collect() {
      this.set(node?.host?.getPeers().length ?? 0)
    }
  })
  new Gauge({
    name: 'kvartal_journal_entries',
    help: "Entries in the journal's ordered log",
    registers,
    collect() {
      this.set(node?.journal?.entries ?? 0)
    }
  })
  new Gauge({
    name: 'kvartal_journal_refusing_writes',
    help: '1 while the journal refuses writes (a full disk or a failed write): the node takes no new work until it writes again, else 0',
    registers,
    collect() {
      this.set(node?.journal?.refusing != null ? 1 : 0)
    }
  })
  new Gauge({
    name: 'kvartal_journal_size_bytes',
    help: "Size of the journal's files on disk",
    registers,
    async collect() {
      this.set(dataDir == null ? 0 : await journalBytes(dataDir))
    }
  })
  new Gauge({
    name: 'kvartal_meter_last_sample_timestamp_seconds',
    help: 'When the meter stamped its last sample (Unix time; 0: none since start)',
    registers,
    collect() {
      const s = node?.meterStatus()?.lastSample
      this.set(s == null ? 0 : s.at / 1000)
    }
  })
  batteryGauges(registers, () => node)
  const info = new Gauge({
    name: 'kvartal_node_info',
    help: 'This node: its peer id, district, settlement adapter and version (always 1)',
    labelNames: ['peer_id', 'trader', 'district', 'settlement', 'version'] as const,
    registers
  })
  // the buyer's outcomes live in node.stats: count what they grew by since the last scrape
  const seen: Record<string, number> = {}
  const countOutcomes = (): void => {
    if (node == null) return
    for (const [outcome, n] of Object.entries(node.stats.negotiations)) {
      const d = n - (seen[outcome] ?? 0)
      if (d > 0) negotiations.inc({ outcome }, d)
      seen[outcome] = n
    }
  }
  // every outcome is there from the start, at 0, so a dashboard's rate() has a series to read
  for (const outcome of ['committed', 'pending', 'rejected', 'walked-away', 'failed', 'void']) negotiations.inc({ outcome }, 0)
  for (const side of ['buyer', 'seller']) {
    trades.inc({ side }, 0)
    energy.inc({ side }, 0)
  }
  gaps.inc(0)
  readings.inc(0)
  settled.inc(0)
  diskFull.set(0)
  for (const code of Object.values(NodeErrorCode)) nodeErrors.inc({ code }, 0)

  /** drops the trades whose proof is now journaled (their period settled) */
  const settleCheck = (): void => {
    const n = node
    if (n == null || unsettled.size === 0) return
    recheck = recheck
      .then(async () => {
        for (const id of [...unsettled]) if ((await n.journal.getProof(id)) != null) unsettled.delete(id)
        pending.set(unsettled.size)
      })
      .catch(() => {})
  }

  return {
    registry,
    contentType: registry.contentType,
    observe(e) {
      switch (e.type) {
        case 'trade-committed': {
          const side = e.detail === 'seller' ? 'seller' : 'buyer'
          trades.inc({ side })
          energy.inc({ side }, e.energyWh ?? 0)
          if (e.price != null) price.set({ side }, e.price)
          lastTradeAt.set({ side }, e.at / 1000)
          if (e.correlation != null) {
            unsettled.add(e.correlation)
            pending.set(unsettled.size)
          }
          break
        }
        case 'proposal-received':
          if (e.correlation != null) {
            answering.add(e.correlation)
            // a proposal never answered (the buyer went away mid-round) is forgotten, oldest first
            if (answering.size > 10_000) answering.delete(answering.values().next().value!)
          }
          break
        case 'accepted':
        case 'countered':
        case 'rejected':
          // a buyer sees `rejected` too (the seller's answer): only what this node answered counts
          if (e.correlation != null && answering.has(e.correlation)) {
            proposals.inc({ answer: e.type })
            if (e.type !== 'countered') answering.delete(e.correlation)
          }
          break
        case 'negotiation-failed':
          failures.inc({ code: e.code ?? 'unknown' })
          break
        case 'node-error':
          nodeErrors.inc({ code: e.code ?? 'unknown' })
          break
        case 'announcement-received':
          accepted.inc({ kind: e.detail ?? 'unknown' })
          break
        case 'message-rejected':
          if (e.detail?.startsWith('negotiation stream:') === true) streamRefused.inc({ code: e.code ?? 'unknown' })
          else refused.inc({ code: e.code ?? 'unknown' })
          break
        case 'peer-joined':
          peerEvents.inc({ event: 'joined' })
          break
        case 'peer-left':
          peerEvents.inc({ event: 'left' })
          break
        case 'meter-gap':
          gaps.inc()
          break
        case 'meter-read':
          readings.inc()
          break
        case 'meter-refused':
          meterRefused.inc({ code: e.code ?? 'unknown' })
          break
        case 'period-settled': {
          settled.inc()
          periodsSettled++
          const p = periodIndex(e.correlation)
          if (p != null) setLastSettled(p)
          if (e.correlation != null) failing.delete(e.correlation)
          retrying.set(failing.size)
          settleCheck()
          break
        }
        case 'storage-full' as NodeEvent['type']:
          diskFull.set(1)
          break
        case 'storage-recovered' as NodeEvent['type']:
          diskFull.set(0)
          break
        case 'settlement-failed':
          settleFailed.inc({ code: e.code ?? 'error' })
          lastFailure = { period: e.correlation ?? '', code: e.code ?? 'error', detail: e.detail ?? '', at: e.at }
          if (e.correlation != null) failing.add(e.correlation)
          retrying.set(failing.size)
          break
      }
    },
    async attach(n, a) {
      node = n
      dataDir = a.dataDir
      info.set(
        { peer_id: n.identity.peerId.toString(), trader: n.id, district: a.district, settlement: a.settlement, version: a.version },
        1
      )
      n.journal.onWriteTimed = (_point, ms) => {
        writes.observe(ms / 1000)
      }
      try {
        // what the journal says is still to settle: committed trades without a proof
        for (const t of await n.trades()) {
          if ((t.status === 'committed' || (t.status === 'pending' && t.role === 'buyer')) && (await n.journal.getProof(t.id)) == null)
            unsettled.add(t.id)
        }
        pending.set(unsettled.size)
        // the last settled period, looked for back from the current one (a node settles the periods in order)
        const o = n.options
        const current = Math.floor(Math.floor((o.clock.now() - o.slots.epochMs) / o.slots.slotMs) / a.periodSlots)
        for (let p = current; p >= Math.max(0, current - 96); p--) {
          if ((await n.journal.getPeriod(`${a.district}/${p}`)) != null) {
            setLastSettled(p)
            break
          }
        }
      } catch {
        // the node stopped under it (a signal while starting): the events count the rest
      }
    },
    async text() {
      countOutcomes()
      await recheck
      return await registry.metrics()
    },
    names() {
      return registry.getMetricsAsArray().map(m => (m as unknown as { name: string }).name)
    },
    async settlement() {
      await recheck
      return { lastSettledPeriod, periodsSettled, retryingPeriods: [...failing].sort(), pendingTrades: unsettled.size, lastFailure }
    }
  }
}
