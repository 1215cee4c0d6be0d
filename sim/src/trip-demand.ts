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
  /**
   * trips over a whole day, every day from `localMidnightMs` on until `untilMs`; only those falling inside
   * [fromMs, untilMs) are kept
   */
  count: number
  /** the first day's trips follow from it; each later day's from a seed of its own (`daySeed`) */
  seed: number
  /** local midnight of the simulated date (the first day), ms */
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

const DAY_MS = 86_400_000

/** Day `d`'s seed (d ≥ 1) in a run of several days: a mix of the scenario's seed and the day. Day 0 keeps `seed`. */
export function daySeed(seed: number, d: number): number {
  return d === 0 ? seed : (seed ^ Math.imul(d, 0x9e3779b1)) >>> 0
}

/**
 * Seeded trip demand through the day, in time order (ties by id). A run of several days gets `count` trips every
 * day (the site keeps one UTC offset, as the rest of the simulator does), each day drawn on its own seed, so the
 * first day's trips are the same whatever the run's length; trip ids go on from day to day.
 */
export function tripDemand(o: TripDemandOptions): TripDemand[] {
  const out: TripDemand[] = []
  if (o.map.buildings.length === 0) return out
  for (let d = 0; o.localMidnightMs + d * DAY_MS < o.untilMs; d++) out.push(...dayOfTrips(o, d))
  return out.sort((a, b) => a.at - b.at || a.id - b.id)
}

function dayOfTrips(o: TripDemandOptions, day: number): TripDemand[] {
  const rnd = seededRandom(daySeed(o.seed, day))
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
  const midnight = o.localMidnightMs + day * DAY_MS
  for (let i = 0; i < o.count; i++) {
    const id = day * o.count + i
    // every draw is made for every trip, so a trip's place does not depend on which others were kept
    const at = midnight + Math.round(hourOf() * 3_600_000)
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
  return out
}
