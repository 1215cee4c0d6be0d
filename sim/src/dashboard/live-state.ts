import type { NodeEvent, SlotClockConfig } from '@kvartal/protocol'
import { gateClosure } from '@kvartal/protocol'
import type { PreparedScenario } from '../prepared-scenario.ts'
import type { Scenario } from '../scenario.ts'
import { addTraceEvent, emptyTraceFacts, type TraceFacts } from '../report-html/trace-facts.ts'
import type { JourneyOutcome } from '../trip-agent.ts'
import type { DashboardNode } from './layout.ts'
import { LiveJourneys, type MobilityBatch } from './live-journeys.ts'

/** The steps of a negotiation the timeline shows, in order. */
const steps = [
  'proposal-sent',
  'proposal-received',
  'countered',
  'accepted',
  'rejected',
  'trade-committed',
  'negotiation-failed',
  'reservation-released'
] as const
const stepSet = new Set<string>(steps)
const published = new Set(['offer-published', 'bid-published', 'digest-published'])
/** the events the journeys panel and the vehicles' places follow */
const mobilitySteps = new Set(['receipt-signed', 'ride-ended', 'package-released', 'leg-cancelled'])

/** A slot's live figures, from the trade-committed events (the sellers' records: each trade once). */
export interface SlotFigures {
  slot: number
  trades: number
  /** buildings' trades with buildings, as metrics.ts counts them */
  localEnergyWh: number
  welfareNanos: number
  /** every committed trade's price (vehicles' too), nanos per kWh; absent without trades */
  price?: { min: number; mean: number; max: number }
  /** proposals buyers sent for the slot */
  proposals: number
}

/** A sampled negotiation step: `chain` groups the steps of one negotiation (both peers' events). */
export interface SampledStep {
  chain: number
  type: string
  /** node indices in the page's `nodes` */
  node: number
  peer?: number
  slot?: number
  energyWh?: number
  price?: number
  code?: string
  /** a commit's side: the seller's record or the buyer's */
  side?: 'seller' | 'buyer'
  at: number
}

/** What one tick changed (or, with `reset`, everything so far: a new or lagging page). */
export interface Batch {
  type: 'tick'
  reset: boolean
  tick: number
  total: number
  /** the simulated instant of the tick, ms */
  at: number
  /** slots whose trading gate has closed */
  closed: number
  totals: { trades: number; localEnergyWh: number; welfareNanos: number }
  slots: SlotFigures[]
  /** [index, announcements published, announcements received, negotiation steps] of each node that changed */
  nodes: Array<[number, number, number, number]>
  /** mesh connections made and lost, as node index pairs */
  edges: { add: Array<[number, number]>; del: Array<[number, number]> }
  /** [a, b, steps]: negotiation steps between two nodes so far (either side's events), for each pair that changed */
  links: Array<[number, number, number]>
  steps: SampledStep[]
  /** negotiation events not sampled (beyond the per-tick budget) since the start */
  sampledOut: number
  /** journeys and vehicles' places, in a district with mobility */
  mobility?: MobilityBatch
}

export interface SamplingLimits {
  /** new negotiations followed per tick, beyond those of the nodes a page filters on */
  newChainsPerTick: number
  /** steps sent per tick at most */
  stepsPerTick: number
}

/** sampled steps a snapshot carries */
const recentSteps = 600

export const defaultSampling: SamplingLimits = { newChainsPerTick: 40, stepsPerTick: 400 }

/**
 * Folds the district's events into what the dashboard shows: per-slot local energy, welfare and
 * prices, per-node message counts, the mesh, and a bounded sample of negotiations. Figures are made
 * the way metrics.ts makes them, so that once the run ends they equal results.json's.
 */
export class LiveState {
  readonly #index = new Map<string, number>()
  readonly #buildings: number
  readonly #limits: Array<{ buyLimit: number; sellLimit: number }>
  readonly #feeders: Array<string | undefined>
  readonly #fees: { local: number; district: number } | undefined
  readonly #slots: SlotClockConfig
  readonly #slotCount: number
  readonly #tickMs: number
  readonly #startMs: number
  readonly #sampling: SamplingLimits
  readonly #facts: TraceFacts = emptyTraceFacts()
  readonly #perSlot: Array<{ trades: number; localEnergyWh: number; welfare: bigint; proposals: number }>
  #welfare = 0n
  #trades = 0
  #localWh = 0
  readonly #counts: Array<[number, number, number]>
  readonly #dirtySlots = new Set<number>()
  readonly #dirtyNodes = new Set<number>()
  readonly #links = new Map<string, number>()
  readonly #pairSteps = new Map<string, number>()
  readonly #dirtyPairs = new Set<string>()
  #edgeAdds: Array<[number, number]> = []
  #edgeDels: Array<[number, number]> = []
  readonly #chains = new Map<string, { id: number; slot: number }>()
  readonly #accepted = new Map<string, number>()
  #nextChain = 1
  #newChains = 0
  #steps: SampledStep[] = []
  /** the latest sampled steps, for a page that connects late */
  #recent: SampledStep[] = []
  #sampledOut = 0
  tick = 0
  total = 0
  at: number
  closed = 0
  /** nodes some page filters on: their negotiations are always followed */
  focus = new Set<number>()
  /** the journeys panel and the vehicles on the map, in a district with mobility */
  readonly journeys?: LiveJourneys

  /** `nodes`: the layout's, where the vehicles are parked at the start */
  constructor(
    s: Scenario,
    p: PreparedScenario,
    startMs: number,
    sampling: SamplingLimits = defaultSampling,
    nodes: readonly DashboardNode[] = []
  ) {
    p.identities.forEach((x, i) => {
      this.#index.set(x.id, i)
    })
    p.providerIdentities.forEach((x, j) => {
      this.#index.set(x.id, p.specs.length + j)
    })
    if (s.mobility !== false)
      this.journeys = new LiveJourneys(
        nodes,
        k => this.#index.get(k),
        { lat: s.site.latitude, lon: s.site.longitude },
        p.run.slots,
        s.slots.count
      )
    this.#buildings = p.specs.length
    this.#limits = p.limits
    this.#feeders = p.specs.map((_, i) => p.feederOf.get(i)?.id)
    this.#fees = s.grid === false ? undefined : s.grid.fees
    this.#slots = p.run.slots
    this.#slotCount = s.slots.count
    this.#tickMs = Math.floor(p.run.slots.slotMs / p.run.ticksPerSlot)
    this.#startMs = startMs
    this.at = startMs
    this.#sampling = sampling
    this.#perSlot = Array.from({ length: s.slots.count }, () => ({ trades: 0, localEnergyWh: 0, welfare: 0n, proposals: 0 }))
    this.#counts = Array.from({ length: p.nodes.length }, () => [0, 0, 0])
  }

  /** The simulated instant of tick `n` (driveTicks: the first at the run's start + 1 ms, then every tick). */
  instantOf(n: number): number {
    return this.#startMs + 1 + (n - 1) * this.#tickMs
  }

  /** Slots whose gate has closed at `t`. */
  closedAt(t: number): number {
    let k = 0
    while (k < this.#slotCount && gateClosure(this.#slots, k) <= t) k++
    return k
  }

  event(e: NodeEvent): void {
    const n = this.#index.get(e.node)
    if (n == null) return
    const peer = e.peer != null ? this.#index.get(e.peer) : undefined
    if (mobilitySteps.has(e.type)) {
      this.journeys?.event(e)
      return
    }
    if (e.type === 'peer-joined' || e.type === 'peer-left') {
      // the nodes stopping after the last tick is not the run's mesh: it keeps the mesh as the run left it
      if (peer != null && (this.total === 0 || this.tick < this.total)) this.#link(n, peer, e.type === 'peer-joined' ? 1 : -1)
      return
    }
    if (e.type === 'announcement-received') {
      this.#count(n, 1)
      return
    }
    if (published.has(e.type)) {
      this.#count(n, 0)
      return
    }
    if (!stepSet.has(e.type)) return
    this.#count(n, 2)
    if (peer != null) {
      const k = n < peer ? `${n}-${peer}` : `${peer}-${n}`
      this.#pairSteps.set(k, (this.#pairSteps.get(k) ?? 0) + 1)
      this.#dirtyPairs.add(k)
    }
    const slot = e.slot != null ? this.#perSlot[e.slot] : undefined
    if (slot != null && e.type === 'proposal-sent') {
      slot.proposals++
      this.#dirtySlots.add(e.slot!)
    }
    if (e.type === 'trade-committed' && e.detail === 'seller') this.#committed(e, n, peer)
    this.#sample(e, n, peer)
  }

  /** A traveller's journey as it was settled (booked, walked or failed). */
  journey(o: JourneyOutcome): void {
    this.journeys?.journey(o)
  }

  #count(n: number, k: 0 | 1 | 2): void {
    this.#counts[n][k]++
    this.#dirtyNodes.add(n)
  }

  #link(a: number, b: number, d: number): void {
    const [x, y] = a < b ? [a, b] : [b, a]
    const key = `${x}-${y}`
    const before = this.#links.get(key) ?? 0
    const after = Math.max(0, before + d)
    if (after === 0) this.#links.delete(key)
    else this.#links.set(key, after)
    if (before === 0 && after > 0) this.#edgeAdds.push([x, y])
    if (before > 0 && after === 0) this.#edgeDels.push([x, y])
  }

  /** A seller's committed trade: prices (report's trace facts), and local energy and welfare between buildings (metrics.ts). */
  #committed(e: NodeEvent, seller: number, buyer: number | undefined): void {
    addTraceEvent(this.#facts, e as unknown as Record<string, unknown>)
    const s = e.slot != null ? this.#perSlot[e.slot] : undefined
    this.#trades++
    if (s == null) return
    s.trades++
    this.#dirtySlots.add(e.slot!)
    if (buyer == null || buyer >= this.#buildings || seller >= this.#buildings) return
    const wh = e.energyWh ?? 0
    const fee = this.#fees == null ? 0 : this.#feeders[buyer] !== this.#feeders[seller] ? this.#fees.district : this.#fees.local
    const w = BigInt(this.#limits[buyer].buyLimit - fee - this.#limits[seller].sellLimit) * BigInt(wh)
    s.localEnergyWh += wh
    s.welfare += w
    this.#localWh += wh
    this.#welfare += w
  }

  #sample(e: NodeEvent, n: number, peer: number | undefined): void {
    const c = e.correlation ?? ''
    let chain = this.#chains.get(c)
    // a trade's commit carries the trade id: it belongs to the pair's accepted negotiation of that slot
    if (chain == null && e.type === 'trade-committed' && peer != null) {
      const key = e.detail === 'seller' ? `${n}|${peer}|${e.slot}` : `${peer}|${n}|${e.slot}`
      const id = this.#accepted.get(key)
      if (id != null) chain = { id, slot: e.slot ?? 0 }
    }
    if (chain == null && e.type === 'proposal-sent') {
      const focused = this.focus.has(n) || (peer != null && this.focus.has(peer))
      if (focused || this.#newChains < this.#sampling.newChainsPerTick) {
        if (!focused) this.#newChains++
        chain = { id: this.#nextChain++, slot: e.slot ?? 0 }
        this.#chains.set(c, chain)
      }
    }
    if (chain == null || this.#steps.length >= this.#sampling.stepsPerTick) {
      this.#sampledOut++
      return
    }
    if (e.type === 'accepted' && peer != null) this.#accepted.set(`${n}|${peer}|${e.slot}`, chain.id)
    this.#steps.push({
      chain: chain.id,
      type: e.type,
      node: n,
      ...(peer != null ? { peer } : {}),
      ...(e.slot != null ? { slot: e.slot } : {}),
      ...(e.energyWh != null ? { energyWh: e.energyWh } : {}),
      ...(e.price != null ? { price: e.price } : {}),
      ...(e.code != null ? { code: e.code } : {}),
      ...(e.type === 'trade-committed' ? { side: e.detail === 'seller' ? ('seller' as const) : ('buyer' as const) } : {}),
      at: e.at
    })
  }

  #slotFigures(i: number): SlotFigures {
    const x = this.#perSlot[i]
    const p = this.#facts.pricesBySlot.get(i)
    return {
      slot: i,
      trades: x.trades,
      localEnergyWh: x.localEnergyWh,
      welfareNanos: Number((x.welfare + 500n) / 1000n),
      ...(p != null && p.energyWh > 0 ? { price: { min: p.min, mean: Math.round(p.valueNanosWh / p.energyWh), max: p.max } } : {}),
      proposals: x.proposals
    }
  }

  /** Totals as metrics.ts rounds them: welfare summed in nanos × Wh, rounded once. */
  totals(): Batch['totals'] {
    return { trades: this.#trades, localEnergyWh: this.#localWh, welfareNanos: Number((this.#welfare + 500n) / 1000n) }
  }

  /** Moves to tick `done` and forgets negotiations of slots long closed. */
  advance(done: number, total: number): void {
    this.tick = done
    this.total = total
    this.at = this.instantOf(done)
    this.journeys?.advance(this.at)
    const closed = this.closedAt(this.at)
    if (closed !== this.closed) {
      this.closed = closed
      for (const [c, x] of this.#chains) if (x.slot < closed - 1) this.#chains.delete(c)
      for (const k of this.#accepted.keys()) if (Number(k.split('|')[2]) < closed - 1) this.#accepted.delete(k)
    }
  }

  /** What changed since the last batch; the next batch starts empty. */
  batch(): Batch {
    const b: Batch = {
      type: 'tick',
      reset: false,
      tick: this.tick,
      total: this.total,
      at: this.at,
      closed: this.closed,
      totals: this.totals(),
      slots: [...this.#dirtySlots].sort((x, y) => x - y).map(i => this.#slotFigures(i)),
      nodes: [...this.#dirtyNodes].sort((x, y) => x - y).map(i => [i, ...this.#counts[i]]),
      edges: { add: this.#edgeAdds, del: this.#edgeDels },
      links: this.#pairs(this.#dirtyPairs),
      steps: this.#steps,
      sampledOut: this.#sampledOut,
      ...(this.journeys != null ? { mobility: this.journeys.batch() } : {})
    }
    this.#recent.push(...this.#steps)
    if (this.#recent.length > recentSteps) this.#recent = this.#recent.slice(-recentSteps)
    this.#dirtySlots.clear()
    this.#dirtyNodes.clear()
    this.#dirtyPairs.clear()
    this.#edgeAdds = []
    this.#edgeDels = []
    this.#steps = []
    this.#newChains = 0
    return b
  }

  #pairs(keys: Iterable<string>): Array<[number, number, number]> {
    return [...keys].map(k => {
      const [a, b] = k.split('-').map(Number)
      return [a, b, this.#pairSteps.get(k) ?? 0]
    })
  }

  /** Everything so far, for a page that connects late or fell behind (of the sampled negotiation steps, the latest). */
  snapshot(): Batch {
    return {
      type: 'tick',
      reset: true,
      tick: this.tick,
      total: this.total,
      at: this.at,
      closed: this.closed,
      totals: this.totals(),
      slots: this.#perSlot.map((_, i) => this.#slotFigures(i)),
      nodes: this.#counts.map((c, i) => [i, ...c]),
      edges: { add: [...this.#links.keys()].map(k => k.split('-').map(Number) as [number, number]), del: [] },
      links: this.#pairs(this.#pairSteps.keys()),
      steps: [...this.#recent],
      sampledOut: this.#sampledOut,
      ...(this.journeys != null ? { mobility: this.journeys.snapshot() } : {})
    }
  }
}
