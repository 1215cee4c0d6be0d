import { Mode, earliestTrip, type Pattern, type Timetable } from './timetable.ts'
import { offerDeparture, prepareQuery, type JourneyQuery, type OnDemandLeg, type QueryGraph } from './query.ts'
import {
  paretoFilter,
  pickByPreference,
  rankJourneys,
  type Journey,
  type JourneyLeg,
  type LegPlace,
  type PreferenceWeights,
  type RankedJourney
} from './journey.ts'

const LegKind = { origin: 0, walk: 1, trip: 2, onDemand: 3 } as const
type LegKind = (typeof LegKind)[keyof typeof LegKind]

/**
 * A McRAPTOR label: the criteria of one partial journey at one node, and how it got there. `legs`
 * (vehicle legs) stands for transfers inside the search because it grows with every extension;
 * `canWalk` is false after a walk (walks do not chain), and a label that cannot walk never
 * dominates one that can.
 */
interface Label {
  arr: number
  price: number
  co2: number
  legs: number
  walk: number
  canWalk: boolean
  dead: boolean
  node: number
  prev: Label | null
  kind: LegKind
  /** trip: pattern index; walk: metres; onDemand: unused */
  a: number
  /** trip: trip index; walk: seconds */
  b: number
  /** trip: boarding position */
  c: number
  /** trip: alighting position */
  d: number
  offer: OnDemandLeg | null
}

/** Set by the last rejected insert: true when a destination label dominated it. */
let prunedByTarget = false

interface RouteLabel {
  trip: number
  price: number
  co2Off: number
  legs: number
  walk: number
  board: number
  parent: Label
}

export interface PlanResult {
  /** the Pareto set on arrival, price, CO₂, transfers and walking; by arrival */
  readonly journeys: Journey[]
  /** fastest, cheapest, greenest, fewest transfers */
  readonly ranked: RankedJourney[]
  /** least generalised cost under the traveller's weights */
  readonly preferred: Journey | undefined
  /** labels created, for diagnostics */
  readonly labels: number
}

/**
 * Multi-criteria journey search, McRAPTOR (Delling, Pajor, Werneck 2012): round k finds the journeys
 * with k vehicle legs; each node keeps a Pareto bag of labels over arrival, price, CO₂, vehicle legs
 * and walked metres. A round scans every timetable pattern through a stop improved in the previous
 * round (route bags hold one label per boarded trip), takes every on-demand leg leaving such a node,
 * then relaxes footpaths. Labels dominated by one at the destination are pruned (target pruning).
 * Boarding takes the earliest trip of a pattern; patterns are FIFO so later trips are never better.
 * Boarding at the arrival second is allowed (no minimum change time at one stop).
 */
export function planJourneys(
  tt: Timetable,
  query: JourneyQuery,
  offers: readonly OnDemandLeg[] = [],
  weights?: PreferenceWeights
): PlanResult {
  const g = prepareQuery(tt, query, offers)
  const { bag, labels } = search(g)
  const journeys = paretoFilter(bag.map(l => toJourney(g, l)))
  return { journeys, ranked: rankJourneys(journeys), preferred: pickByPreference(journeys, query.departAfter, weights), labels }
}

function search(g: QueryGraph): { bag: Label[]; labels: number } {
  const { tt, nodeCount, destination, latestArrival } = g
  const bags: Label[][] = Array.from({ length: nodeCount }, () => [])
  const target = bags[destination]
  let created = 0

  const insert = (
    node: number,
    arr: number,
    price: number,
    co2: number,
    legs: number,
    walk: number,
    canWalk: boolean,
    prev: Label | null,
    kind: LegKind,
    a: number,
    b: number,
    c: number,
    d: number,
    offer: OnDemandLeg | null
  ): Label | null => {
    prunedByTarget = false
    // past the deadline: so are the later stops of the same trip
    if (arr > latestArrival) {
      prunedByTarget = true
      return null
    }
    const bag = bags[node]
    for (let i = 0; i < bag.length; i++) {
      const e = bag[i]
      if (e.arr <= arr && e.price <= price && e.co2 <= co2 && e.legs <= legs && e.walk <= walk && (e.canWalk || !canWalk)) return null
    }
    for (let i = 0; i < target.length; i++) {
      const t = target[i]
      if (t.arr <= arr && t.price <= price && t.co2 <= co2 && t.legs <= legs && t.walk <= walk) {
        prunedByTarget = true
        return null
      }
    }
    const l: Label = { arr, price, co2, legs, walk, canWalk, dead: false, node, prev, kind, a, b, c, d, offer }
    let keep = 0
    for (let i = 0; i < bag.length; i++) {
      const e = bag[i]
      if (arr <= e.arr && price <= e.price && co2 <= e.co2 && legs <= e.legs && walk <= e.walk && (canWalk || !e.canWalk)) e.dead = true
      else bag[keep++] = e
    }
    bag.length = keep
    bag.push(l)
    created++
    return l
  }

  const walkFrom = (l: Label, into: Label[]): void => {
    if (!l.canWalk || l.dead) return
    const edges = l.node < g.stopCount ? tt.footpaths[l.node] : undefined
    const relax = (to: number, metres: number, seconds: number): void => {
      if (l.walk + metres > g.maxWalkingM) return
      const n = insert(to, l.arr + seconds, l.price, l.co2, l.legs, l.walk + metres, false, l, LegKind.walk, metres, seconds, 0, 0, null)
      if (n != null) into.push(n)
    }
    if (edges != null) for (const e of edges) relax(e.to, e.metres, e.seconds)
    for (const e of g.extraWalks[l.node]) relax(e.to, e.metres, e.seconds)
  }

  const start = insert(g.origin, g.departAfter, 0, 0, 0, 0, true, null, LegKind.origin, 0, 0, 0, 0, null)!
  let fresh: Label[] = [start]
  walkFrom(start, fresh)

  const firstPos = new Int32Array(tt.patterns.length).fill(-1)
  const freshAt: Label[][] = Array.from({ length: nodeCount }, () => [])
  for (let round = 1; round <= g.maxLegs && fresh.length > 0; round++) {
    // index the previous round's labels by node
    const touchedNodes: number[] = []
    for (const l of fresh) {
      if (l.dead) continue
      if (freshAt[l.node].length === 0) touchedNodes.push(l.node)
      freshAt[l.node].push(l)
    }
    const touchedPatterns: number[] = []
    for (const node of touchedNodes) {
      if (node >= g.stopCount) continue
      for (const { pattern, pos } of tt.patternsAtStop[node]) {
        if (g.patternAllowed[pattern] === 0) continue
        if (firstPos[pattern] === -1) touchedPatterns.push(pattern)
        if (firstPos[pattern] === -1 || pos < firstPos[pattern]) firstPos[pattern] = pos
      }
    }
    const arrived: Label[] = []
    for (const pi of touchedPatterns) {
      scanPattern(tt.patterns[pi], firstPos[pi], freshAt, insert, arrived, g.running?.[pi], g.blockedStops)
      firstPos[pi] = -1
    }
    for (const node of touchedNodes) {
      for (const o of g.offersFrom[node]) {
        const to = g.offerTo.get(o)!
        for (const l of freshAt[node]) {
          if (l.dead) continue
          const dep = offerDeparture(o, l.arr)
          if (dep < 0) continue
          const n = insert(
            to,
            dep + o.durationS,
            l.price + o.price,
            l.co2 + o.co2,
            l.legs + 1,
            l.walk,
            true,
            l,
            LegKind.onDemand,
            dep,
            0,
            0,
            0,
            o
          )
          if (n != null) arrived.push(n)
        }
      }
    }
    for (const node of touchedNodes) freshAt[node].length = 0
    const next: Label[] = [...arrived]
    for (const l of arrived) walkFrom(l, next)
    fresh = next
  }
  return { bag: target.filter(l => !l.dead), labels: created }
}

type Insert = (
  node: number,
  arr: number,
  price: number,
  co2: number,
  legs: number,
  walk: number,
  canWalk: boolean,
  prev: Label | null,
  kind: LegKind,
  a: number,
  b: number,
  c: number,
  d: number,
  offer: OnDemandLeg | null
) => Label | null

function scanPattern(
  p: Pattern,
  from: number,
  freshAt: Label[][],
  insert: Insert,
  arrived: Label[],
  runs?: Uint8Array,
  blocked?: Uint8Array
): void {
  const n = p.stops.length
  const route: RouteLabel[] = []
  for (let pos = from; pos < n; pos++) {
    const stop = p.stops[pos]
    // a stop where this traveller cannot get off or on: ride through it
    if (blocked != null && blocked[stop] === 1) continue
    let keep = 0
    for (let i = 0; i < route.length; i++) {
      const r = route[i]
      const l = insert(
        stop,
        p.arr[r.trip * n + pos],
        r.price,
        r.co2Off + p.co2Cum[pos],
        r.legs,
        r.walk,
        true,
        r.parent,
        LegKind.trip,
        p.index,
        r.trip,
        r.board,
        pos,
        null
      )
      if (l != null) arrived.push(l)
      // later stops of the same trip arrive no earlier with no less CO₂: the destination dominates them too
      else if (prunedByTarget) continue
      route[keep++] = r
    }
    route.length = keep
    const here = freshAt[stop]
    if (pos === n - 1 || here.length === 0) continue
    for (const l of here) {
      if (l.dead) continue
      const trip = earliestTrip(p, pos, l.arr, runs)
      if (trip < 0) continue
      const c: RouteLabel = {
        trip,
        price: l.price + p.route.fare,
        co2Off: l.co2 - p.co2Cum[pos],
        legs: l.legs + 1,
        walk: l.walk,
        board: pos,
        parent: l
      }
      let dominated = false
      for (let i = 0; i < route.length && !dominated; i++) {
        const r = route[i]
        dominated = r.trip <= c.trip && r.price <= c.price && r.co2Off <= c.co2Off && r.legs <= c.legs && r.walk <= c.walk
      }
      if (dominated) continue
      let keep = 0
      for (let i = 0; i < route.length; i++) {
        const r = route[i]
        if (!(c.trip <= r.trip && c.price <= r.price && c.co2Off <= r.co2Off && c.legs <= r.legs && c.walk <= r.walk)) route[keep++] = r
      }
      route.length = keep
      route.push(c)
    }
  }
}

function place(g: QueryGraph, node: number): LegPlace {
  const c = g.places[node]
  if (node < g.stopCount) {
    const s = g.tt.stops[node]
    return { stopId: s.stop_id, name: s.stop_name, lat: c.lat, lon: c.lon }
  }
  return { lat: c.lat, lon: c.lon }
}

function toJourney(g: QueryGraph, last: Label): Journey {
  const legs: JourneyLeg[] = []
  for (let l: Label | null = last; l != null && l.prev != null; l = l.prev) {
    const from = l.prev.node
    if (l.kind === LegKind.walk) {
      if (l.a === 0) continue
      legs.push({
        mode: Mode.WALK,
        from: place(g, from),
        to: place(g, l.node),
        departureTime: l.arr - l.b,
        arrivalTime: l.arr,
        price: 0,
        co2: 0,
        distance: l.a
      })
    } else if (l.kind === LegKind.trip) {
      const p = g.tt.patterns[l.a]
      const n = p.stops.length
      legs.push({
        mode: p.mode,
        from: place(g, p.stops[l.c]),
        to: place(g, l.node),
        departureTime: p.dep[l.b * n + l.c],
        arrivalTime: l.arr,
        price: p.route.fare,
        co2: p.co2Cum[l.d] - p.co2Cum[l.c],
        distance: p.distCum[l.d] - p.distCum[l.c],
        provider: p.route.agency_id,
        routeId: p.route.route_id,
        tripId: p.tripIds[l.b]
      })
    } else if (l.kind === LegKind.onDemand && l.offer != null) {
      const o = l.offer
      legs.push({
        mode: o.mode,
        from: place(g, from),
        to: place(g, l.node),
        departureTime: l.a,
        arrivalTime: l.arr,
        price: o.price,
        co2: o.co2,
        distance: o.distance,
        provider: o.provider,
        legId: o.id
      })
    }
  }
  legs.reverse()
  return {
    departureTime: legs.length > 0 ? legs[0].departureTime : g.departAfter,
    arrivalTime: last.arr,
    price: last.price,
    co2: last.co2,
    transfers: Math.max(0, last.legs - 1),
    walkingMetres: last.walk,
    legs
  }
}
