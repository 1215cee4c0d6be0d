/**
 * The soak's riders (run.ts): each rents a bike through its node's control API, as a person would with
 * `kvartal journey plan` and `kvartal journey book`, over and over, one ride at a time. A bike quotes a ride
 * from where it is parked to the centre of the zone asked for, and a ride stopped early leaves it part of the
 * way, so a rider first plans with a long walk allowed to learn where a bike stands (the bike leg's start),
 * then books from that very place (no walk: the ride starts at once) to the centre of the other zone
 * (district-config.ts's rideZones). The ride itself, metered tick by tick with a receipt each tick, runs
 * between the two nodes; the rider waits until its window is over before it rents again.
 */
import { callNode } from '@kvartal/cli'
import { rideZones, zoneCentre } from './district-config.ts'
import { sleep, type Running } from './soak-processes.ts'

interface LegView {
  mode: string
  from: { lat: number; lon: number }
  arrivalS?: number
}
interface PlanAnswer {
  journeys?: Array<{ legs: LegView[] }>
}
interface BookAnswer {
  status?: string
  legs?: Array<{ code?: string }>
  journey?: { departure?: string; arrival?: string }
}

export interface RideLoops {
  readonly attempts: () => number
  /** what the attempts came back with: CONFIRMED, a package's status and its first leg's refusal, or an error's code */
  readonly outcomes: Record<string, number>
  /** when the latest ride booked (and answered) ends, ms (0: none) */
  readonly lastEnd: () => number
  readonly done: Promise<void>
}

/** Starts one loop per rider; they stop when `stopping()` says so. */
export function rideLoops(
  riders: readonly Running[],
  center: { lat: number; lon: number },
  random: () => number,
  stopping: () => boolean
): RideLoops {
  const zones = rideZones(center)
  const outcomes: Record<string, number> = {}
  let attempts = 0
  let lastEnd = 0
  const count = (k: string): void => {
    outcomes[k] = (outcomes[k] ?? 0) + 1
  }
  const loop = async (r: Running): Promise<void> => {
    while (!stopping()) {
      if (r.down) {
        await sleep(200)
        continue
      }
      attempts++
      try {
        // where is a bike? from either zone's centre, with a walk long enough to reach either zone
        const here = zoneCentre(random() < 0.5 ? zones.a : zones.b)
        const plan = (await callNode(r.node.dataDir, 'POST', '/journeys/plan', {
          from: here,
          to: zoneCentre(zones.other(here)),
          departAfter: Date.now() + 2_000,
          modes: ['BICYCLE'],
          maxWalkingM: 3_000
        })) as PlanAnswer
        const bike = plan.journeys?.flatMap(j => j.legs).find(l => l.mode === 'BICYCLE')
        if (bike == null) {
          count('no-bike')
          await sleep(500 + Math.floor(random() * 500))
          continue
        }
        const out = (await callNode(r.node.dataDir, 'POST', '/journeys/book', {
          from: bike.from,
          to: zoneCentre(zones.other(bike.from)),
          departAfter: Date.now() + 2_000,
          modes: ['BICYCLE'],
          maxWalkingM: 20,
          pick: 'fastest'
        })) as BookAnswer
        count(out.status === 'CONFIRMED' ? 'CONFIRMED' : `${out.status ?? '?'}:${out.legs?.find(l => l.code != null)?.code ?? ''}`)
        if (out.status === 'CONFIRMED' && out.journey?.arrival != null) {
          // one ride at a time: until its window is over (a kill of this rider meanwhile waits too)
          const end = Date.parse(out.journey.arrival)
          lastEnd = Math.max(lastEnd, end)
          while (!stopping() && Date.now() < end) await sleep(250)
        }
      } catch (err) {
        // killed mid-call, a bike taken by another rider, no bike heard yet: the journals tell what happened
        count(`error:${(err as { code?: string }).code ?? 'error'}`)
        await sleep(300)
      }
      await sleep(100 + Math.floor(random() * 400))
    }
  }
  const done = Promise.all(riders.map(loop)).then(() => undefined)
  return { attempts: () => attempts, outcomes, lastEnd: () => lastEnd, done }
}
