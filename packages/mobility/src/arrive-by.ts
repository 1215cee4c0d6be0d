import {
  defaultPreferenceWeights,
  JourneyLabel,
  type Journey,
  type JourneyLeg,
  type PreferenceWeights,
  type RankedJourney
} from './journey.ts'
import { planJourneys } from './planner.ts'
import type { JourneyQuery, OnDemandLeg } from './query.ts'

/**
 * Arrive-by planning: "be there by 09:00" wants the journeys that let the traveller leave as late as
 * possible, not the ones that arrive earliest. A forward search from the start of the window returns
 * the earliest arrivals (the 07:00 bus that arrives at 07:30), so this is a range query in the spirit
 * of rRAPTOR: forward searches from successive departure times, each starting one second after the
 * earliest leave time among the journeys the previous search found.
 *
 * Why that finds every journey that matters. A search from `t` returns the Pareto set of journeys
 * leaving at `t` or later (waiting is allowed). A journey K leaving in [t, m], m the earliest leave
 * time found, that the search did not return is dominated by a returned journey Y on arrival, price,
 * CO₂, transfers and walking; Y leaves at m or later, so Y also dominates K on the arrive-by criteria
 * (later departure, then the same four). Journeys leaving after m are the next searches' business.
 * Earliest arrival never decreases with the start time, so once a search has nothing in time the
 * later ones have nothing either.
 *
 * Each journey's legs before its first timetabled leg (walks, on-demand rides) are moved later so it
 * arrives at the boarding stop just in time, and a journey without a timetabled leg (walk, bike) is
 * moved to arrive at the deadline, within its offers' availability. What is returned is the Pareto
 * set on (latest departure, price, CO₂, transfers, walking) among journeys arriving by the deadline.
 */

export interface ArriveByQuery extends Omit<JourneyQuery, 'departAfter'> {
  /** the earliest the traveller will leave, seconds since service-day start */
  readonly earliestDeparture: number
  /** the latest arrival, seconds since service-day start */
  readonly arriveBy: number
  /** at most this many forward searches (each one a departure time in the window); default 64 */
  readonly maxSearches?: number
}

export interface ArriveByResult {
  /** Pareto set on (latest departure, price, CO₂, transfers, walking), latest departure first */
  readonly journeys: Journey[]
  readonly ranked: RankedJourney[]
  readonly preferred: Journey | undefined
  /** labels created over all searches, for diagnostics */
  readonly labels: number
  /** forward searches made */
  readonly searches: number
  /** true when maxSearches stopped the range before its end */
  readonly truncated: boolean
}

export const arriveByKeys = ['departureTime', 'price', 'co2', 'transfers', 'walkingMetres'] as const

/** a is no worse than b on the arrive-by criteria (departure maximised, the rest minimised) and better on one */
export function dominatesArriveBy(a: Journey, b: Journey): boolean {
  let better = false
  if (a.departureTime < b.departureTime) return false
  if (a.departureTime > b.departureTime) better = true
  for (const k of ['price', 'co2', 'transfers', 'walkingMetres'] as const) {
    if (a[k] > b[k]) return false
    if (a[k] < b[k]) better = true
  }
  return better
}

const vector = (j: Journey): string => arriveByKeys.map(k => j[k]).join(',')

/** The arrive-by Pareto set, one journey per distinct vector (the earliest arriving kept), latest departure first. */
export function paretoArriveBy(items: readonly Journey[]): Journey[] {
  const byVector = new Map<string, Journey>()
  for (const j of items) {
    const v = vector(j)
    const old = byVector.get(v)
    if (old == null || j.arrivalTime < old.arrivalTime) byVector.set(v, j)
  }
  const all = [...byVector.values()]
  return all
    .filter(j => !all.some(o => dominatesArriveBy(o, j)))
    .sort(
      (a, b) =>
        b.departureTime - a.departureTime ||
        a.price - b.price ||
        a.co2 - b.co2 ||
        a.transfers - b.transfers ||
        a.walkingMetres - b.walkingMetres
    )
}

export function planArriveBy(
  tt: Parameters<typeof planJourneys>[0],
  q: ArriveByQuery,
  offers: readonly OnDemandLeg[] = [],
  weights: PreferenceWeights = defaultPreferenceWeights
): ArriveByResult {
  const { earliestDeparture, arriveBy, maxSearches = 64, ...rest } = q
  const offerById = new Map(offers.map(o => [o.id, o]))
  const found: Journey[] = []
  let start = earliestDeparture
  let searches = 0
  let labels = 0
  let truncated = false
  while (start <= arriveBy) {
    if (searches >= maxSearches) {
      truncated = true
      break
    }
    searches++
    const r = planJourneys(tt, { ...rest, departAfter: start, latestArrival: arriveBy }, offers)
    labels += r.labels
    const inTime = r.journeys.filter(j => j.arrivalTime <= arriveBy)
    if (inTime.length === 0) break
    const moved = inTime.map(j => moveLater(j, arriveBy, offerById))
    found.push(...moved)
    const timed = moved.filter(j => j.legs.some(l => l.tripId != null))
    if (timed.length === 0) break
    start = Math.min(...timed.map(j => j.departureTime)) + 1
  }
  const journeys = paretoArriveBy(found)
  return { journeys, ranked: rankArriveBy(journeys), preferred: pickArriveBy(journeys, arriveBy, weights), labels, searches, truncated }
}

/** Moves the legs before the first timetabled leg (or all legs, when there is none) as late as they may go. */
function moveLater(j: Journey, arriveBy: number, offers: ReadonlyMap<string, OnDemandLeg>): Journey {
  const first = j.legs.findIndex(l => l.tripId != null)
  const upTo = first < 0 ? j.legs.length : first
  if (upTo === 0) return j
  // the slack: until the boarding, or until the deadline
  let delta = first < 0 ? arriveBy - j.arrivalTime : j.legs[first].departureTime - j.legs[upTo - 1].arrivalTime
  for (let i = 0; i < upTo; i++) {
    const o = j.legs[i].legId != null ? offers.get(j.legs[i].legId!) : undefined
    if (o?.availableUntil != null) delta = Math.min(delta, o.availableUntil - j.legs[i].departureTime)
  }
  if (delta <= 0) return j
  const legs: JourneyLeg[] = j.legs.map((l, i) =>
    i < upTo ? { ...l, departureTime: l.departureTime + delta, arrivalTime: l.arrivalTime + delta } : l
  )
  return { ...j, legs, departureTime: legs[0].departureTime, arrivalTime: legs[legs.length - 1].arrivalTime }
}

/** fastest = leaves latest (then arrives earliest); the others as for depart-after queries */
export function rankArriveBy(journeys: readonly Journey[]): RankedJourney[] {
  if (journeys.length === 0) return []
  const best = (cmp: (a: Journey, b: Journey) => number): Journey => [...journeys].sort(cmp)[0]
  const rest = (a: Journey, b: Journey): number =>
    b.departureTime - a.departureTime ||
    a.price - b.price ||
    a.co2 - b.co2 ||
    a.transfers - b.transfers ||
    a.walkingMetres - b.walkingMetres
  return [
    {
      label: JourneyLabel.fastest,
      journey: best((a, b) => b.departureTime - a.departureTime || a.arrivalTime - b.arrivalTime || rest(a, b))
    },
    { label: JourneyLabel.cheapest, journey: best((a, b) => a.price - b.price || rest(a, b)) },
    { label: JourneyLabel.greenest, journey: best((a, b) => a.co2 - b.co2 || rest(a, b)) },
    { label: JourneyLabel.fewestTransfers, journey: best((a, b) => a.transfers - b.transfers || rest(a, b)) }
  ]
}

/** least generalised cost, time counted from leaving to the deadline (the time the traveller gives up) */
export function pickArriveBy(
  journeys: readonly Journey[],
  arriveBy: number,
  w: PreferenceWeights = defaultPreferenceWeights
): Journey | undefined {
  let best: Journey | undefined
  let bestCost = Infinity
  for (const j of journeys) {
    const c =
      j.price +
      (arriveBy - j.departureTime) * w.nanosPerSecond +
      j.co2 * w.nanosPerGramCo2 +
      j.transfers * w.nanosPerTransfer +
      j.walkingMetres * w.nanosPerWalkMetre
    if (c < bestCost) {
      best = j
      bestCost = c
    }
  }
  return best
}
