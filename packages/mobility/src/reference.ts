import { earliestTrip, type Timetable } from './timetable.ts'
import { offerDeparture, prepareQuery, type JourneyQuery, type OnDemandLeg } from './query.ts'
import { paretoFilter, type Criteria } from './journey.ts'

/**
 * Reference enumeration for tests: walks every journey of the query graph (same walking, boarding and
 * availability rules as the planner) with at most maxTransfers + 1 vehicle legs, alighting at every later
 * stop, taking every on-demand leg, then keeps the Pareto set. Exponential: small networks only.
 * Boards the earliest trip of a pattern only; patterns are FIFO, so a later trip of the same pattern
 * costs the same and arrives no earlier.
 */
export function enumerateParetoCriteria(
  tt: Timetable,
  query: JourneyQuery,
  offers: readonly OnDemandLeg[] = []
): { pareto: Criteria[]; enumerated: number } {
  const g = prepareQuery(tt, query, offers)
  const found: Criteria[] = []
  const visit = (node: number, t: number, price: number, co2: number, legs: number, walk: number, canWalk: boolean): void => {
    if (node === g.destination) {
      found.push({ arrivalTime: t, price, co2, transfers: Math.max(0, legs - 1), walkingMetres: walk })
      return
    }
    if (canWalk) {
      const edges = [...(node < g.stopCount ? tt.footpaths[node] : []), ...g.extraWalks[node]]
      for (const e of edges) if (walk + e.metres <= g.maxWalkingM) visit(e.to, t + e.seconds, price, co2, legs, walk + e.metres, false)
    }
    if (legs >= g.maxLegs) return
    if (node < g.stopCount) {
      for (const { pattern, pos } of tt.patternsAtStop[node]) {
        if (g.patternAllowed[pattern] === 0 || g.blockedStops?.[node] === 1) continue
        const p = tt.patterns[pattern]
        const trip = earliestTrip(p, pos, t, g.running?.[pattern])
        if (trip < 0) continue
        const n = p.stops.length
        for (let j = pos + 1; j < n; j++) {
          if (g.blockedStops?.[p.stops[j]] === 1) continue
          visit(p.stops[j], p.arr[trip * n + j], price + p.route.fare, co2 + p.co2Cum[j] - p.co2Cum[pos], legs + 1, walk, true)
        }
      }
    }
    for (const o of g.offersFrom[node]) {
      const dep = offerDeparture(o, t)
      if (dep >= 0) visit(g.offerTo.get(o)!, dep + o.durationS, price + o.price, co2 + o.co2, legs + 1, walk, true)
    }
  }
  visit(g.origin, query.departAfter, 0, 0, 0, 0, true)
  return { pareto: paretoFilter(found), enumerated: found.length }
}
