import { seededRandom } from '@kvartal/protocol'
import type { Coordinate } from '@kvartal/mobility'
import { near, randomPoint, type DistrictMap } from './district-map.ts'

/** One wish to travel: at `at` (ms), from building `building` to a place. */
export interface TripDemand {
  readonly id: number
  readonly at: number
  readonly building: number
  readonly from: Coordinate
  readonly to: Coordinate
  /** what the destination is: the surroundings of a stop, another building, or a point in the district */
  readonly toKind: 'stop' | 'building' | 'point'
}

export interface TripDemandOptions {
  /** trips over a whole day; only those falling inside [fromMs, untilMs) are kept */
  count: number
  seed: number
  /** local midnight of the simulated date, ms */
  localMidnightMs: number
  /** local hours [from, to) in which trips start */
  hours: readonly [number, number]
  fromMs: number
  untilMs: number
  map: DistrictMap
  /** share of trips to a stop's surroundings (when there are stops); the rest to another building */
  stopShare: number
}

/**
 * When people leave: a weekday's two commuting peaks and a spread in between — 40 % around 07:45
 * (normal, σ 45 min), 40 % around 16:30 (σ 60 min), 20 % uniform over the travel hours. Draws outside
 * the travel hours are drawn again. The shape, not the exact figures, follows Norwegian travel
 * surveys (RVU): a sharper morning peak, a broader afternoon one.
 */
const peaks = [
  { share: 0.4, hour: 7.75, sigma: 0.75 },
  { share: 0.4, hour: 16.5, sigma: 1 }
] as const

/** Seeded trip demand through the day, in time order (ties by id). */
export function tripDemand(o: TripDemandOptions): TripDemand[] {
  const rnd = seededRandom(o.seed)
  const normal = (): number => {
    // Box–Muller on the seeded generator
    const u = Math.max(rnd(), 1e-12)
    const v = rnd()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }
  const hourOf = (): number => {
    for (;;) {
      const r = rnd()
      let h: number
      if (r < peaks[0].share) h = peaks[0].hour + peaks[0].sigma * normal()
      else if (r < peaks[0].share + peaks[1].share) h = peaks[1].hour + peaks[1].sigma * normal()
      else h = o.hours[0] + rnd() * (o.hours[1] - o.hours[0])
      if (h >= o.hours[0] && h < o.hours[1]) return h
    }
  }
  const { map } = o
  const out: TripDemand[] = []
  if (map.buildings.length === 0) return out
  for (let id = 0; id < o.count; id++) {
    // every draw is made for every trip, so a trip's place does not depend on which others were kept
    const at = o.localMidnightMs + Math.round(hourOf() * 3_600_000)
    const building = Math.floor(rnd() * map.buildings.length)
    const toStop = rnd() < o.stopShare
    const stop = map.stops.length > 0 ? map.stops[Math.floor(rnd() * map.stops.length)] : undefined
    let other = Math.floor(rnd() * Math.max(1, map.buildings.length - 1))
    if (other >= building) other++
    const jitter = [rnd(), rnd()]
    const point = randomPoint(map, rnd)
    let to: Coordinate
    let toKind: TripDemand['toKind']
    if (toStop && stop != null) {
      let k = 0
      to = near(stop, 150, () => jitter[k++])
      toKind = 'stop'
    } else if (map.buildings.length > 1) {
      to = map.buildings[other]
      toKind = 'building'
    } else {
      to = point
      toKind = 'point'
    }
    if (at < o.fromMs || at >= o.untilMs) continue
    out.push({ id, at, building, from: map.buildings[building], to, toKind })
  }
  return out.sort((a, b) => a.at - b.at || a.id - b.id)
}
