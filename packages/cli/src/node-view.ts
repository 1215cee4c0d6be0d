import { firstOpenSlot, gateClosure, slotAt, slotStart, toHex, type NodeEvent } from '@kvartal/protocol'
import type { BookEntry } from '@kvartal/market'
import type { KvartalNode } from '@kvartal/node'
import { traderOfPeer } from '@kvartal/mesh'
import { meterStatusOf, type MeterStatusAnswer } from './control-api.ts'
import type { SettlementState } from './node-metrics.ts'

/** What a node holds for a slot on one side (selling, or its need): Wh. */
export interface PositionView {
  readonly limitWh: number
  readonly committedWh: number
  readonly heldWh: number
  /** still to sell, or still needed */
  readonly availableWh: number
}

/** One price level of a slot's book: what is left of the orders at it (Wh), how many, how many relayed. */
export interface DepthLevel {
  readonly price: number
  readonly energyWh: number
  readonly orders: number
  readonly relayed: number
}

export interface OpenSlotView {
  readonly slot: number
  readonly startsAt: string
  readonly gateClosesAt: string
  readonly selling: PositionView
  readonly need: PositionView
  /** offers cheapest first, bids dearest first (other traders' only, as the buyer desk sees them) */
  readonly book: { readonly offers: readonly DepthLevel[]; readonly bids: readonly DepthLevel[] }
}

/** This node's committed trades of one side in one slot. */
export interface SideTotals {
  readonly trades: number
  readonly energyWh: number
  readonly nanos: number
}

export interface SlotTradesView {
  readonly slot: number
  readonly startsAt: string
  readonly trades: number
  readonly energyWh: number
  /** energy-weighted mean price, nanos per kWh (rounded) */
  readonly averagePrice: number
  readonly bought: SideTotals
  readonly sold: SideTotals
  /** inside this node's feeder, and across feeders */
  readonly local: { readonly trades: number; readonly energyWh: number }
  readonly crossFeeder: { readonly trades: number; readonly energyWh: number }
  /** a buyer's trades whose confirm the seller has not acknowledged yet (not counted above) */
  readonly pending: number
}

/** What `GET /view` answers: what the node is doing now. Energy in Wh, money in nanos, integers. */
export interface NodeView {
  readonly at: string
  readonly boot: string
  readonly node: {
    readonly peerId: string
    readonly trader: string
    readonly district: string
    readonly feeder: string | null
    readonly relay: boolean
    readonly state: string
  }
  readonly slotSeconds: number
  readonly firstOpenSlot: number
  readonly peers: { readonly count: number; readonly list: ReadonlyArray<{ peerId: string; trader: string | null }> }
  readonly openSlots: readonly OpenSlotView[]
  /** per slot with a trade over the last day, oldest first */
  readonly trades: readonly SlotTradesView[]
  /** the buyer's negotiations by outcome, since start */
  readonly negotiations: Readonly<Record<string, number>>
  readonly settlement: SettlementState & { readonly periodSlots: number; readonly lastSettled: Readonly<Record<string, unknown>> | null }
  readonly meter: MeterStatusAnswer
}

/** - one day of trades; - up to 64 peers listed (the count is all of them) */
export const defaultNodeViewOptions = { tradesDayMs: 24 * 3_600_000, maxPeersListed: 64 }

const iso = (ms: number): string => new Date(ms).toISOString()

/** A slot's orders of one side grouped by price, with what is left of each (as `OrderBook.forSlot` counts it). */
export function depthOf(entries: readonly BookEntry[], now: number): DepthLevel[] {
  const levels = new Map<number, { energyWh: number; orders: number; relayed: number }>()
  for (const o of entries) {
    const left = o.energyWh - o.depletedWh - ((o.heldUntil ?? 0) > now ? (o.heldWh ?? 0) : 0)
    if (left <= 0) continue
    const l = levels.get(o.price) ?? { energyWh: 0, orders: 0, relayed: 0 }
    l.energyWh += left
    l.orders++
    if (o.relayed === true) l.relayed++
    levels.set(o.price, l)
  }
  return [...levels].map(([price, l]) => ({ price, ...l }))
}

type JournalTrades = Awaited<ReturnType<KvartalNode['trades']>>

/** Committed trades per slot (and pending ones counted apart), from the journal's records. */
export function tradesBySlot(records: JournalTrades, slotMs: (slot: number) => number, fromSlot: number): SlotTradesView[] {
  const by = new Map<
    number,
    {
      bought: SideTotals
      sold: SideTotals
      local: { trades: number; energyWh: number }
      crossFeeder: { trades: number; energyWh: number }
      weighted: number
      pending: number
    }
  >()
  for (const r of records) {
    const t = r.decoded.terms
    if (t.slot < fromSlot || (r.status !== 'committed' && r.status !== 'pending')) continue
    let s = by.get(t.slot)
    if (s == null) {
      s = {
        bought: { trades: 0, energyWh: 0, nanos: 0 },
        sold: { trades: 0, energyWh: 0, nanos: 0 },
        local: { trades: 0, energyWh: 0 },
        crossFeeder: { trades: 0, energyWh: 0 },
        weighted: 0,
        pending: 0
      }
      by.set(t.slot, s)
    }
    if (r.status === 'pending') {
      s.pending++
      continue
    }
    const side = r.role === 'buyer' ? 'bought' : 'sold'
    s[side] = {
      trades: s[side].trades + 1,
      energyWh: s[side].energyWh + t.energyWh,
      nanos: s[side].nanos + Math.round((t.price * t.energyWh) / 1000)
    }
    const where = (t.buyerFeeder ?? '') === (t.sellerFeeder ?? '') ? 'local' : 'crossFeeder'
    s[where] = { trades: s[where].trades + 1, energyWh: s[where].energyWh + t.energyWh }
    s.weighted += t.price * t.energyWh
  }
  return [...by]
    .sort(([a], [b]) => a - b)
    .map(([slot, s]) => {
      const energyWh = s.bought.energyWh + s.sold.energyWh
      return {
        slot,
        startsAt: iso(slotMs(slot)),
        trades: s.bought.trades + s.sold.trades,
        energyWh,
        averagePrice: energyWh === 0 ? 0 : Math.round(s.weighted / energyWh),
        bought: s.bought,
        sold: s.sold,
        local: s.local,
        crossFeeder: s.crossFeeder,
        pending: s.pending
      }
    })
}

export interface NodeViewSource {
  readonly node: KvartalNode
  readonly boot: string
  readonly meterKind: string
  readonly periodSlots: number
  /** where settlement stands (node-metrics.ts counts it from the events and the journal) */
  settlement(): Promise<SettlementState>
  readonly now?: () => number
}

/**
 * `GET /view`: one snapshot of the running node, read from it and its journal. The journal's trades are
 * read again only after an event that may change them (a commit, a negotiation's end, a settled
 * period): a dashboard asking every few seconds costs a scan per trade, not one per request.
 */
export function nodeView(src: NodeViewSource): { view: () => Promise<NodeView>; observe: (e: NodeEvent) => void } {
  const { node } = src
  let cached: JournalTrades | undefined
  /** grows at each event that may change the journal's trades: a read begun before it is not kept */
  let changes = 0
  const journalTrades = async (): Promise<JournalTrades> => {
    if (cached != null) return cached
    const at = changes
    const t = await node.trades()
    if (at === changes) cached = t
    return t
  }
  return {
    observe(e) {
      if (e.type === 'trade-committed' || e.type === 'negotiation-ended' || e.type === 'period-settled' || e.type === 'started') {
        cached = undefined
        changes++
      }
    },
    async view() {
      const o = node.options
      const now = (src.now ?? o.clock.now)()
      const first = firstOpenSlot(o.slots, now)
      const openSlots: OpenSlotView[] = []
      for (let s = first; s < first + o.horizonSlots; s++) {
        // a slot is traded from its window's opening to its gate closure (node-ticker.ts)
        if (gateClosure(o.slots, s) - o.tradingWindowSlots * o.slots.slotMs > now) break
        const position = (p: KvartalNode['selling']): PositionView => ({
          limitWh: p.limit(s),
          committedWh: p.committed(s),
          heldWh: p.held(s, now),
          availableWh: p.available(s, now)
        })
        openSlots.push({
          slot: s,
          startsAt: iso(slotStart(o.slots, s)),
          gateClosesAt: iso(gateClosure(o.slots, s)),
          selling: position(node.selling),
          need: position(node.need),
          book: { offers: depthOf(node.book.forSlot('offer', s, now), now), bids: depthOf(node.book.forSlot('bid', s, now), now) }
        })
      }
      const peers = node.host.getPeers()
      const settlement = await src.settlement()
      const last =
        settlement.lastSettledPeriod >= 0 ? ((await node.journal.getPeriod(`${o.district}/${settlement.lastSettledPeriod}`)) ?? null) : null
      return {
        at: iso(now),
        boot: src.boot,
        node: {
          peerId: node.identity.peerId.toString(),
          trader: node.id,
          district: o.district,
          feeder: o.grid?.feeder ?? null,
          relay: o.grid?.relay === true,
          state: node.state
        },
        slotSeconds: Math.round(o.slots.slotMs / 1000),
        firstOpenSlot: first,
        peers: {
          count: peers.length,
          list: peers.slice(0, defaultNodeViewOptions.maxPeersListed).map(p => {
            const t = traderOfPeer(p)
            return { peerId: p.toString(), trader: t != null ? toHex(t) : null }
          })
        },
        openSlots,
        trades: tradesBySlot(await journalTrades(), s => slotStart(o.slots, s), slotAt(o.slots, now - defaultNodeViewOptions.tradesDayMs)),
        negotiations: { ...node.stats.negotiations },
        settlement: { ...settlement, periodSlots: src.periodSlots, lastSettled: last },
        meter: meterStatusOf(node, src.meterKind)
      }
    }
  }
}
