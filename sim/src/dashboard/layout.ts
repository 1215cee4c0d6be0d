import type { Coordinate } from '@kvartal/mobility'
import { placeBuildings } from '../district-map.ts'
import { computeMetrics } from '../metrics.ts'
import type { PreparedScenario } from '../prepared-scenario.ts'
import type { Scenario } from '../scenario.ts'
import { slotLabels } from '../report-html/axes.ts'
import type { NodeNames } from '../report-html/trace-names.ts'

/** One node of the district as the page shows it: by name, on the map (metres east and north of the site). */
export interface DashboardNode {
  readonly name: string
  /** hex public key */
  readonly key: string
  /** a building's kind (`house`, `office` …), a vehicle's (`bikes`, `scooters`, `cars`) or `transit` */
  readonly kind: string
  readonly building: boolean
  readonly feeder?: string
  readonly relay?: boolean
  /** absent: the node has no place (the transit operator) */
  readonly x?: number
  readonly y?: number
}

/** What the page learns once, before the first tick: the district, its slots and the optimum to compare with. */
export interface DashboardLayout {
  readonly district: string
  readonly date: string
  /** local time = UTC + this */
  readonly utcOffsetHours: number
  readonly nodes: DashboardNode[]
  readonly feeders: Array<{ id: string; buildings: number; relays: string[] }>
  readonly stops: Array<{ x: number; y: number }>
  readonly slots: { count: number; minutes: number; ticksPerSlot: number; labels: string[] }
  readonly tariffs: { retail: number; feedIn: number }
  /** per slot, from the buildings' forecasts and limit prices alone (metrics.ts on a run without trades) */
  readonly optimum: {
    perSlot: Array<{ physicalMaxWh: number; optimumWelfareNanos: number }>
    physicalMaxWh: number
    optimumWelfareNanos: number
  }
}

/** Metres east and north of `centre` (the inverse of mobility's `offsetMetres`). */
export function metresFrom(centre: Coordinate, c: Coordinate): { x: number; y: number } {
  return {
    x: Math.round((c.lon - centre.lon) * 111_320 * Math.cos((centre.lat * Math.PI) / 180)),
    y: Math.round((c.lat - centre.lat) * 111_320)
  }
}

/** The page's view of a prepared scenario. */
export function dashboardLayout(s: Scenario, p: PreparedScenario, names: NodeNames): DashboardLayout {
  const centre = { lat: s.site.latitude, lon: s.site.longitude }
  // with mobility the buildings stand where the mobility district put them; without, on the same kind of grid
  const places =
    p.district?.map.buildings ??
    placeBuildings(p.specs.length, centre, Math.max(200, Math.ceil(Math.sqrt(p.specs.length)) * 60), s.seed ^ 0xb1d)
  const nodes: DashboardNode[] = p.specs.map((spec, i) => ({
    name: names.get(p.identities[i].id) ?? spec.id,
    key: p.identities[i].id,
    kind: spec.kind,
    building: true,
    ...(p.feederOf.has(i) ? { feeder: p.feederOf.get(i)!.id, relay: p.relays.has(i) } : {}),
    ...metresFrom(centre, places[i])
  }))
  p.district?.providers.forEach((pr, j) => {
    const at = 'position' in pr.service ? (pr.service.position as Coordinate | undefined) : undefined
    const spec = p.nodes[p.specs.length + j]
    nodes.push({
      name: pr.name,
      key: p.providerIdentities[j].id,
      kind: pr.kind,
      building: false,
      ...(spec.grid != null ? { feeder: spec.grid.feeder } : {}),
      ...(at != null ? metresFrom(centre, at) : {})
    })
  })
  // the optimum and the physical maximum need no trades: the metrics of a run in which nothing was traded
  const m = computeMetrics(
    { nodes: [], wallMs: 0, startupMs: 0, ticks: 0, gossipLate: 0, verification: { hits: 0, misses: 0 } },
    p.facts,
    s.slots.count,
    s.grid === false
      ? undefined
      : { fees: s.grid.fees, limits: Object.fromEntries(p.feeders.map(f => [f.id, { exportWh: f.limitWh, importWh: f.limitWh }])) }
  )
  return {
    district: s.district,
    date: s.date,
    utcOffsetHours: s.site.utcOffsetHours,
    nodes,
    feeders: p.feeders.map(f => ({
      id: f.id,
      buildings: f.members.length,
      relays: f.members.filter(i => p.relays.has(i)).map(i => p.specs[i].id)
    })),
    stops: (p.district?.map.stops ?? []).map(c => metresFrom(centre, c)),
    slots: { count: s.slots.count, minutes: s.slots.minutes, ticksPerSlot: s.market.ticksPerSlot, labels: slotLabels(s, s.slots.count) },
    tariffs: { retail: s.tariffs.retail, feedIn: s.tariffs.feedIn },
    optimum: {
      perSlot: m.perSlot.map(x => ({ physicalMaxWh: x.physicalMaxWh, optimumWelfareNanos: x.optimumWelfareNanos })),
      physicalMaxWh: m.physicalMaxWh,
      optimumWelfareNanos: m.optimumWelfareNanos
    }
  }
}

/**
 * A slot's limit-order book: the buildings' asks (surplus at their sell limits) and bids (deficit at
 * their buy limits), as the central optimum clears them, as depth curves: [price, cumulative Wh] steps,
 * asks cheapest first, bids dearest first.
 */
export function limitBook(p: PreparedScenario, slot: number): { asks: Array<[number, number]>; bids: Array<[number, number]> } {
  const asks: Array<[number, number]> = []
  const bids: Array<[number, number]> = []
  for (const f of p.facts) {
    const net = f.net[slot] ?? 0
    if (net > 0) asks.push([f.sellLimit, net])
    if (net < 0) bids.push([f.buyLimit, -net])
  }
  const depth = (xs: Array<[number, number]>): Array<[number, number]> => {
    let cum = 0
    return xs.map(([price, wh]) => [price, (cum += wh)])
  }
  return { asks: depth(asks.sort((a, b) => a[0] - b[0])), bids: depth(bids.sort((a, b) => b[0] - a[0])) }
}
