import type { Nanos } from '@kvartal/protocol'
import type { Mode } from './timetable.ts'

/** A place in a leg, TOMP-API style: a stop reference when there is one, and always coordinates. */
export interface LegPlace {
  readonly stopId?: string
  readonly name?: string
  readonly lat: number
  readonly lon: number
}

/** One leg of a journey, named as in TOMP-API v2 legs. Times in seconds since service-day start. */
export interface JourneyLeg {
  readonly mode: Mode
  readonly from: LegPlace
  readonly to: LegPlace
  readonly departureTime: number
  readonly arrivalTime: number
  readonly price: Nanos
  /** grams */
  readonly co2: number
  /** metres (walked metres for WALK, straight-line metres otherwise) */
  readonly distance: number
  readonly provider?: string
  readonly routeId?: string
  readonly tripId?: string
  /** the on-demand offer's id */
  readonly legId?: string
}

/** The declared criteria, all minimised. */
export interface Criteria {
  readonly arrivalTime: number
  readonly price: Nanos
  readonly co2: number
  /** vehicle legs minus one, never below zero */
  readonly transfers: number
  readonly walkingMetres: number
}

export interface Journey extends Criteria {
  readonly departureTime: number
  readonly legs: readonly JourneyLeg[]
}

export const criteriaKeys = ['arrivalTime', 'price', 'co2', 'transfers', 'walkingMetres'] as const

/** True when a is no worse than b on every criterion and better on at least one. */
export function dominates(a: Criteria, b: Criteria): boolean {
  let better = false
  for (const k of criteriaKeys) {
    if (a[k] > b[k]) return false
    if (a[k] < b[k]) better = true
  }
  return better
}

export function criteriaVector(c: Criteria): number[] {
  return criteriaKeys.map(k => c[k])
}

/**
 * The Pareto set: journeys no other dominates, one per distinct criteria vector (the first met),
 * sorted by arrival, then price, CO₂, transfers, walking.
 */
export function paretoFilter<J extends Criteria>(items: readonly J[]): J[] {
  const seen = new Set<string>()
  const out: J[] = []
  for (const j of items) {
    const key = criteriaVector(j).join(',')
    if (seen.has(key)) continue
    seen.add(key)
    if (!items.some(o => dominates(o, j))) out.push(j)
  }
  return out.sort(lexicographic(criteriaKeys))
}

function lexicographic(keys: ReadonlyArray<keyof Criteria>): (a: Criteria, b: Criteria) => number {
  return (a, b) => {
    for (const k of keys) if (a[k] !== b[k]) return a[k] - b[k]
    return 0
  }
}

export const JourneyLabel = { fastest: 'fastest', cheapest: 'cheapest', greenest: 'greenest', fewestTransfers: 'fewestTransfers' } as const
export type JourneyLabel = (typeof JourneyLabel)[keyof typeof JourneyLabel]

export interface RankedJourney {
  readonly label: JourneyLabel
  readonly journey: Journey
}

/**
 * The short list: the best journey on each headline criterion, ties broken by the other criteria in the
 * order arrival, price, CO₂, transfers, walking. One journey may carry several labels. Empty input,
 * empty list.
 */
export function rankJourneys(journeys: readonly Journey[]): RankedJourney[] {
  if (journeys.length === 0) return []
  const pick = (first: keyof Criteria): Journey => [...journeys].sort(lexicographic([first, ...criteriaKeys.filter(k => k !== first)]))[0]
  return [
    { label: JourneyLabel.fastest, journey: pick('arrivalTime') },
    { label: JourneyLabel.cheapest, journey: pick('price') },
    { label: JourneyLabel.greenest, journey: pick('co2') },
    { label: JourneyLabel.fewestTransfers, journey: pick('transfers') }
  ]
}

/**
 * A traveller's preferences as prices, so a journey has one generalised cost in nanos: its fare plus
 * what the traveller would pay to save each second, gram, transfer and walked metre.
 */
export interface PreferenceWeights {
  readonly nanosPerSecond: number
  readonly nanosPerGramCo2: number
  readonly nanosPerTransfer: number
  readonly nanosPerWalkMetre: number
}

/**
 * An illustrative traveller: 0.1 IOTA per minute of travel time, 0.5 IOTA per kg of CO₂, a transfer
 * worth 5 minutes (the penalty most planners apply), a walked metre worth 1.5 × a second in a vehicle
 * (walking time is usually weighted 1.5–2 ×; about 1 m/s of walking makes a metre ≈ 1.5 s).
 */
export const defaultPreferenceWeights: PreferenceWeights = {
  nanosPerSecond: 1_666_667,
  nanosPerGramCo2: 500_000,
  nanosPerTransfer: 500_000_000,
  nanosPerWalkMetre: 2_500_000
}

/** Generalised cost in nanos, counted from `departAfter`. */
export function generalisedCost(j: Journey, departAfter: number, w: PreferenceWeights = defaultPreferenceWeights): number {
  return (
    j.price +
    (j.arrivalTime - departAfter) * w.nanosPerSecond +
    j.co2 * w.nanosPerGramCo2 +
    j.transfers * w.nanosPerTransfer +
    j.walkingMetres * w.nanosPerWalkMetre
  )
}

/** The journey of least generalised cost (ties: the earlier in Pareto order), or undefined if none. */
export function pickByPreference(
  journeys: readonly Journey[],
  departAfter: number,
  w: PreferenceWeights = defaultPreferenceWeights
): Journey | undefined {
  let best: Journey | undefined
  let bestCost = Infinity
  for (const j of journeys) {
    const c = generalisedCost(j, departAfter, w)
    if (c < bestCost) {
      best = j
      bestCost = c
    }
  }
  return best
}
