import { clearDoubleAuction, clearWithGrid, type FeederLimit, type GridFees } from '@kvartal/market'
import { gossipTopicKind, type GossipTopicKind } from '@kvartal/protocol'
import type { DistrictRunResult } from './district-run-result.ts'
import { FeederTally, type FeederFigures } from './feeder-figures.ts'

/** What the simulator knows of each building, beyond its node. */
export interface BuildingFacts {
  readonly id: string
  /** trader id (hex public key) */
  readonly trader: string
  readonly buyLimit: number
  readonly sellLimit: number
  /** forecast net per simulated slot, Wh (+ surplus) */
  readonly net: readonly number[]
  /** gross consumption per slot (loads and EV charging), Wh, positive */
  readonly consumption: readonly number[]
  /** the building's feeder, when the district has feeders */
  readonly feeder?: string
}

/** The grid the district sits on: what the optimum and the physical maximum must respect too. */
export interface GridFacts {
  readonly fees: GridFees
  readonly limits: Readonly<Record<string, FeederLimit>>
}

export interface DistrictMetrics {
  /** the slots the figures cover: the run's, less its warm-up */
  slots: number
  /** slots simulated before them (`slots.warmup`): traded, settled and checked for consistency, left out of the market's figures */
  warmupSlots?: number
  buildings: number
  /** committed trades in the slots the figures cover */
  trades: number
  localEnergyWh: number
  physicalMaxWh: number
  /** local energy / physical maximum */
  localShare: number
  welfareNanos: number
  optimumWelfareNanos: number
  /** welfare / central optimum */
  welfareShare: number
  optimumTradedWh: number
  /** share of the buildings' consumption met by their own production, with local trading (V2G counts as from outside) */
  selfSufficiency: number
  /** the same if every building traded only with the grid */
  selfSufficiencyWithoutTrading: number
  gridImportWh: number
  gridExportWh: number
  /** energy buildings bought from vehicles' batteries (V2G); not local production, not from the grid */
  vehicleToBuildingWh: number
  /** buildings' surplus sold to vehicles (charging their batteries); not exported to the grid */
  buildingToVehicleWh: number
  /** money that changed hands locally, nanos */
  paidNanos: number
  /** average price of local energy, nanos per kWh */
  averagePrice: number
  negotiations: {
    proposals: number
    committed: number
    rejected: number
    walkedAway: number
    failed: number
    pending: number
    void: number
    /** the refusals buyers met, by code, most first */
    refusals: Record<string, number>
    /** refusals that named other sellers of the refusing seller's feeder (referrals), and the sellers named */
    referrals: { refusals: number; sellers: number }
  }
  perNode: {
    gossipMessages: number
    gossipBytes: number
    streamFrames: number
    streamBytes: number
    catchUpFrames: number
    messages: number
    bytes: number
  }
  /** gossip catch-up (topic-sync): pulls made, messages that gossip had not delivered, frames and bytes of it all */
  catchUp: { pulls: number; caughtUp: number; frames: number; bytes: number }
  latencyMs: { p50: number; p99: number; max: number }
  consistency: { sellerTrades: number; buyerTrades: number; mismatched: number; oversoldSlots: number; feederSlotsOverLimit: number }
  /** with feeders: energy traded across feeders, grid fees the buyers owe, the optimum's cross-feeder energy */
  grid?: {
    feeders: number
    crossFeederWh: number
    gridFeesNanos: number
    optimumCrossFeederWh: number
    optimumGridFeesNanos: number
    /** each feeder's own figures, by feeder id (feeder-figures.ts) */
    byFeeder: Record<string, FeederFigures>
  }
  /**
   * gossip messages each node received per slot (mean over nodes, and the most any node received), and the
   * mean by what they carried: feeders' offers and bids, relays' digests for a feeder and for the district,
   * the mobility topic, anything else (a district without feeders announces on `offer`/`bid` too)
   */
  gossipPerNodePerSlot: { mean: number; max: number; byTopic: Record<GossipTopicKind, number> }
  /** slot by slot: the buildings' local energy and welfare against the physical maximum and the optimum */
  perSlot: Array<{
    slot: number
    localEnergyWh: number
    physicalMaxWh: number
    welfareNanos: number
    optimumWelfareNanos: number
    gridImportWh: number
    gridExportWh: number
    /** what the optimum trades in the slot; with feeders, what each side carries across feeders and pays in grid
     * fees: where welfare is lost while local energy is at its maximum (docs/feeders.md) */
    optimumTradedWh: number
    crossFeederWh?: number
    optimumCrossFeederWh?: number
    gridFeesNanos?: number
    optimumGridFeesNanos?: number
  }>
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}

/**
 * The figures that matter for a district: local energy against the physical maximum, welfare against
 * the central double auction on the same limit prices, self-sufficiency, traffic and latency, and a
 * consistency check that both sides of every trade hold the same trade and no seller sold more than it had.
 * The market's figures cover the slots from `warmupSlots` on (`perSlot[0]` is slot `warmupSlots` of the run); the
 * consistency check, traffic and latency, the whole run.
 */
export function computeMetrics(
  run: DistrictRunResult,
  facts: readonly BuildingFacts[],
  slotCount: number,
  grid?: GridFacts,
  warmupSlots = 0
): DistrictMetrics {
  const byTrader = new Map(facts.map(f => [f.trader, f]))
  const sellerTrades = new Map<string, { slot: number; energyWh: number; price: number; buyer: string; seller: string; fee: number }>()
  const buyerTrades = new Set<string>()
  for (const n of run.nodes) {
    for (const t of n.trades) {
      if (t.status !== 'committed') continue
      const terms = t.decoded.terms
      if (t.role === 'seller')
        sellerTrades.set(t.id, {
          slot: terms.slot,
          energyWh: terms.energyWh,
          price: terms.price,
          buyer: Buffer.from(terms.buyer).toString('hex'),
          seller: Buffer.from(terms.seller).toString('hex'),
          fee: terms.gridFee ?? 0
        })
      else buyerTrades.add(t.id)
    }
  }
  let mismatched = 0
  for (const id of sellerTrades.keys()) if (!buyerTrades.has(id)) mismatched++
  for (const id of buyerTrades) if (!sellerTrades.has(id)) mismatched++

  // local energy, welfare and the physical maximum are the buildings' own: a trade with a vehicle
  // (a car-share EV selling from its battery, V2G, or charging it) is counted apart
  let localEnergyWh = 0
  let w = 0n
  let paid = 0n
  let fromVehiclesWh = 0
  let toVehiclesWh = 0
  let fees = 0n
  let crossWh = 0
  const byFeeder =
    grid == null
      ? undefined
      : new FeederTally(new Map(facts.flatMap(f => (f.feeder != null ? [[f.trader, f.feeder] as const] : []))), grid.limits)
  // per feeder and slot: Wh its buildings sold to, and bought from, other feeders
  const crossOut = new Map<string, number>()
  const crossIn = new Map<string, number>()
  const soldPerSellerSlot = new Map<string, number>()
  const boughtPerBuyerSlot = new Map<string, number>()
  const fromVehiclesPerBuyerSlot = new Map<string, number>()
  const toVehiclesPerSellerSlot = new Map<string, number>()
  const add = (m: Map<string, number>, k: string, wh: number): void => {
    m.set(k, (m.get(k) ?? 0) + wh)
  }
  const noFigures = () => ({
    localEnergyWh: 0,
    welfare: 0n,
    physicalMaxWh: 0,
    optimumWelfareNanos: 0,
    gridImportWh: 0,
    gridExportWh: 0,
    optimumTradedWh: 0,
    crossWh: 0,
    optimumCrossWh: 0,
    fees: 0n,
    optimumFeesNanos: 0
  })
  const perSlot = Array.from({ length: slotCount - warmupSlots }, noFigures)
  // a trade outside the run's slots counts in the day's figures, not in any slot's
  const slotFigures = (slot: number): (typeof perSlot)[number] => perSlot[slot - warmupSlots] ?? noFigures()
  let measuredTrades = 0
  for (const t of sellerTrades.values()) {
    const b = byTrader.get(t.buyer)
    const s = byTrader.get(t.seller)
    if (t.slot < warmupSlots) {
      // the warm-up: only what the check that no seller sold more than it had needs
      if (b != null && s != null) add(soldPerSellerSlot, `${t.seller}/${t.slot}`, t.energyWh)
      continue
    }
    measuredTrades++
    paid += BigInt(t.energyWh) * BigInt(t.price)
    if (b != null && s == null) {
      fromVehiclesWh += t.energyWh
      add(fromVehiclesPerBuyerSlot, `${t.buyer}/${t.slot}`, t.energyWh)
    }
    if (s != null && b == null) {
      toVehiclesWh += t.energyWh
      add(toVehiclesPerSellerSlot, `${t.seller}/${t.slot}`, t.energyWh)
    }
    if (b == null || s == null) continue
    byFeeder?.trade(t.buyer, t.seller, t.slot, t.energyWh)
    localEnergyWh += t.energyWh
    // welfare after the grid fee the buyer pays: the same measure as the optimum's
    const tw = BigInt(b.buyLimit - t.fee - s.sellLimit) * BigInt(t.energyWh)
    w += tw
    const ps = slotFigures(t.slot)
    ps.localEnergyWh += t.energyWh
    ps.welfare += tw
    fees += BigInt(t.fee) * BigInt(t.energyWh)
    ps.fees += BigInt(t.fee) * BigInt(t.energyWh)
    if (b.feeder != null && s.feeder != null && b.feeder !== s.feeder) {
      crossWh += t.energyWh
      ps.crossWh += t.energyWh
      add(crossOut, `${s.feeder}/${t.slot}`, t.energyWh)
      add(crossIn, `${b.feeder}/${t.slot}`, t.energyWh)
    }
    add(soldPerSellerSlot, `${t.seller}/${t.slot}`, t.energyWh)
    add(boughtPerBuyerSlot, `${t.buyer}/${t.slot}`, t.energyWh)
  }
  let oversoldSlots = 0
  for (const [k, sold] of soldPerSellerSlot) {
    const [trader, slot] = k.split('/')
    if (sold > Math.max(0, byTrader.get(trader)?.net[Number(slot)] ?? 0)) oversoldSlots++
  }

  let feederSlotsOverLimit = 0
  for (const [m, dir] of [
    [crossOut, 'exportWh'],
    [crossIn, 'importWh']
  ] as const) {
    for (const [k, wh] of m) {
      const lim = grid?.limits[k.slice(0, k.lastIndexOf('/'))]
      if (lim != null && wh > lim[dir]) feederSlotsOverLimit++
    }
  }
  let physicalMaxWh = 0
  let optimumWelfare = 0
  let optimumTradedWh = 0
  let optimumCrossWh = 0
  let optimumFees = 0
  let consumption = 0
  let gridImport = 0
  let gridExport = 0
  let deficitTotal = 0
  let outsideWh = 0
  for (let s = warmupSlots; s < slotCount; s++) {
    let surplus = 0
    let deficit = 0
    const gridBefore = { gridImport, gridExport }
    const bids = []
    const asks = []
    for (const f of facts) {
      const net = f.net[s] ?? 0
      byFeeder?.position(f.trader, net)
      consumption += f.consumption[s] ?? 0
      if (net > 0) {
        surplus += net
        asks.push({ id: f.trader, energyWh: net, price: f.sellLimit })
      }
      if (net < 0) {
        deficit -= net
        bids.push({ id: f.trader, energyWh: -net, price: f.buyLimit })
      }
      const bought = boughtPerBuyerSlot.get(`${f.trader}/${s}`) ?? 0
      const sold = soldPerSellerSlot.get(`${f.trader}/${s}`) ?? 0
      const fromVehicles = fromVehiclesPerBuyerSlot.get(`${f.trader}/${s}`) ?? 0
      if (net < 0) {
        gridImport += -net - bought - fromVehicles
        outsideWh += fromVehicles
      }
      if (net > 0) gridExport += net - sold - (toVehiclesPerSellerSlot.get(`${f.trader}/${s}`) ?? 0)
    }
    deficitTotal += deficit
    const before = { physicalMaxWh, optimumWelfare, optimumTradedWh, optimumCrossWh, optimumFees }
    if (grid == null) {
      physicalMaxWh += Math.min(surplus, deficit)
      const c = clearDoubleAuction(bids, asks)
      optimumWelfare += c.welfareNanos
      optimumTradedWh += c.tradedWh
    } else {
      // the same orders on their feeders, with the same fees and transformer limits; the physical
      // maximum is what the feeders let through whatever the prices
      const fb = bids.map(b => ({ ...b, feeder: byTrader.get(b.id)?.feeder ?? '' }))
      const fa = asks.map(a => ({ ...a, feeder: byTrader.get(a.id)?.feeder ?? '' }))
      physicalMaxWh += clearWithGrid(
        fb.map(b => ({ ...b, price: 1 })),
        fa.map(a => ({ ...a, price: 0 })),
        { fees: { local: 0, district: 0 }, limits: grid.limits }
      ).tradedWh
      const c = clearWithGrid(fb, fa, { fees: grid.fees, limits: grid.limits })
      byFeeder?.optimum(c)
      optimumWelfare += c.welfareNanos
      optimumTradedWh += c.tradedWh
      optimumCrossWh += c.crossFeederWh
      optimumFees += c.feeNanos
    }
    perSlot[s - warmupSlots].physicalMaxWh = physicalMaxWh - before.physicalMaxWh
    perSlot[s - warmupSlots].optimumWelfareNanos = optimumWelfare - before.optimumWelfare
    perSlot[s - warmupSlots].gridImportWh = gridImport - gridBefore.gridImport
    perSlot[s - warmupSlots].gridExportWh = gridExport - gridBefore.gridExport
    perSlot[s - warmupSlots].optimumTradedWh = optimumTradedWh - before.optimumTradedWh
    perSlot[s - warmupSlots].optimumCrossWh = optimumCrossWh - before.optimumCrossWh
    perSlot[s - warmupSlots].optimumFeesNanos = optimumFees - before.optimumFees
  }
  const welfareNanos = Number((w + 500n) / 1000n)
  const nodes = run.nodes.length
  let gossipMessages = 0
  let gossipBytes = 0
  let streamFrames = 0
  let streamBytes = 0
  const catchUp = { pulls: 0, caughtUp: 0, frames: 0, bytes: 0 }
  let gossipMax = 0
  let gossipReceived = 0
  const byTopic: Record<GossipTopicKind, number> = { offer: 0, bid: 0, feederDigest: 0, districtDigest: 0, mobility: 0, other: 0 }
  const latencies: number[] = []
  const neg = { proposals: 0, committed: 0, rejected: 0, walkedAway: 0, failed: 0, pending: 0, void: 0 }
  const refusals: Record<string, number> = {}
  const referrals = { refusals: 0, sellers: 0 }
  for (const n of run.nodes) {
    const st = n.node.router.stats
    gossipMessages += st.published + st.accepted
    const got =
      Object.values(st.topics).reduce((a, x) => a + x.received, 0) +
      Object.values(n.node.mobility?.gossipStats?.topics ?? {}).reduce((a, x) => a + x.received, 0)
    gossipReceived += got
    for (const [topic, x] of Object.entries(st.topics)) byTopic[gossipTopicKind(topic)] += x.received
    for (const x of Object.values(n.node.mobility?.gossipStats?.topics ?? {})) byTopic.mobility += x.received
    gossipMax = Math.max(gossipMax, got)
    gossipBytes += st.publishedBytes + st.acceptedBytes
    streamFrames += n.node.stats.streams.frames
    streamBytes += n.node.stats.streams.bytes
    const sync = n.node.topicSync
    catchUp.pulls += sync.stats.pulls
    catchUp.caughtUp += sync.stats.caughtUp
    catchUp.frames += sync.traffic.frames
    catchUp.bytes += sync.traffic.bytes
    latencies.push(...n.node.stats.latenciesMs)
    const x = n.node.stats.negotiations
    neg.proposals += n.node.stats.proposalsSent
    neg.committed += x.committed
    neg.rejected += x.rejected
    neg.walkedAway += x['walked-away']
    neg.failed += x.failed
    neg.pending += x.pending
    neg.void += x.void
    for (const [code, k] of Object.entries(n.node.stats.refusals)) refusals[code] = (refusals[code] ?? 0) + k
    referrals.refusals += n.node.stats.referrals.refusals
    referrals.sellers += n.node.stats.referrals.sellers
  }
  latencies.sort((a, b) => a - b)
  const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d
  return {
    slots: slotCount - warmupSlots,
    ...(warmupSlots > 0 ? { warmupSlots } : {}),
    buildings: facts.length,
    trades: measuredTrades,
    localEnergyWh,
    physicalMaxWh,
    localShare: physicalMaxWh === 0 ? 1 : round(localEnergyWh / physicalMaxWh),
    welfareNanos,
    optimumWelfareNanos: optimumWelfare,
    welfareShare: optimumWelfare === 0 ? 1 : round(welfareNanos / optimumWelfare),
    optimumTradedWh,
    selfSufficiency: consumption === 0 ? 1 : round(1 - (gridImport + outsideWh) / consumption),
    selfSufficiencyWithoutTrading: consumption === 0 ? 1 : round(1 - deficitTotal / consumption),
    gridImportWh: gridImport,
    gridExportWh: gridExport,
    vehicleToBuildingWh: fromVehiclesWh,
    buildingToVehicleWh: toVehiclesWh,
    paidNanos: Number((paid + 500n) / 1000n),
    averagePrice: localEnergyWh === 0 ? 0 : Math.round(Number(paid / BigInt(Math.max(1, localEnergyWh)))),
    negotiations: {
      ...neg,
      refusals: Object.fromEntries(Object.entries(refusals).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))),
      referrals
    },
    perNode: {
      gossipMessages: Math.round(gossipMessages / nodes),
      gossipBytes: Math.round(gossipBytes / nodes),
      streamFrames: Math.round(streamFrames / nodes),
      streamBytes: Math.round(streamBytes / nodes),
      catchUpFrames: Math.round(catchUp.frames / nodes),
      messages: Math.round((gossipMessages + streamFrames + catchUp.frames) / nodes),
      bytes: Math.round((gossipBytes + streamBytes + catchUp.bytes) / nodes)
    },
    catchUp,
    latencyMs: {
      p50: round(percentile(latencies, 0.5), 2),
      p99: round(percentile(latencies, 0.99), 2),
      max: round(latencies.at(-1) ?? 0, 2)
    },
    consistency: { sellerTrades: sellerTrades.size, buyerTrades: buyerTrades.size, mismatched, oversoldSlots, feederSlotsOverLimit },
    ...(grid != null
      ? {
          grid: {
            feeders: Object.keys(grid.limits).length,
            crossFeederWh: crossWh,
            gridFeesNanos: Number((fees + 500n) / 1000n),
            optimumCrossFeederWh: optimumCrossWh,
            optimumGridFeesNanos: optimumFees,
            byFeeder: byFeeder!.figures()
          }
        }
      : {}),
    gossipPerNodePerSlot: {
      mean: round(gossipReceived / Math.max(1, nodes) / Math.max(1, slotCount), 2),
      max: round(gossipMax / Math.max(1, slotCount), 2),
      byTopic: Object.fromEntries(
        Object.entries(byTopic).map(([k, v]) => [k, round(v / Math.max(1, nodes) / Math.max(1, slotCount), 2)])
      ) as Record<GossipTopicKind, number>
    },
    perSlot: perSlot.map((x, slot) => ({
      slot,
      localEnergyWh: x.localEnergyWh,
      physicalMaxWh: x.physicalMaxWh,
      welfareNanos: Number((x.welfare + 500n) / 1000n),
      optimumWelfareNanos: x.optimumWelfareNanos,
      gridImportWh: x.gridImportWh,
      gridExportWh: x.gridExportWh,
      optimumTradedWh: x.optimumTradedWh,
      ...(grid != null
        ? {
            crossFeederWh: x.crossWh,
            optimumCrossFeederWh: x.optimumCrossWh,
            gridFeesNanos: Number((x.fees + 500n) / 1000n),
            optimumGridFeesNanos: x.optimumFeesNanos
          }
        : {})
    }))
  }
}
