import { describe, expect, it } from 'vitest'
import { seededRandom } from '@kvartal/protocol'
import {
  Mode,
  buildTimetable,
  generateDistrictNetwork,
  generateOnDemandLegs,
  offsetMetres,
  planJourneys,
  type Feed,
  type OnDemandLeg,
  type PlaceRef
} from '../src/index.ts'

/**
 * The work of the search, pinned: how many labels `planJourneys` creates for 24 seeded queries (from and to stops
 * and places near them, with on-demand legs, 2 transfers and 900 m of walking). planner.test and planner-reference
 * check that the journeys are right (equal to brute force); they cannot see a pruning that stopped working, since
 * the labels it should have refused are dominated and dropped at the end. A dominance test that lets an equal or
 * dominated label in, that no longer removes the labels a new one dominates, or a target pruning that prunes less,
 * creates more labels; one that refuses a label it should keep creates fewer (and usually loses a journey).
 * The counts are those of the planner as it is (2026-12-07); a change to the search that is meant to change them
 * updates them here, with the reason.
 */
const counts: Record<number, Array<[labels: number, journeys: number]>> = {
  1: [
    [344, 20],
    [353, 11],
    [333, 19],
    [388, 2],
    [540, 19],
    [203, 15],
    [208, 14],
    [233, 9]
  ],
  2: [
    [112, 4],
    [53, 2],
    [235, 13],
    [289, 8],
    [103, 5],
    [109, 9],
    [45, 1],
    [225, 4]
  ],
  3: [
    [440, 16],
    [172, 13],
    [324, 10],
    [222, 9],
    [51, 3],
    [351, 11],
    [124, 2],
    [290, 11]
  ]
}

describe('planJourneys: the labels it creates', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: as many labels and journeys per query as pinned`, () => {
      const feed = generateDistrictNetwork({
        seed,
        stops: 30,
        lines: 6,
        trips: 150,
        stopsPerLine: 8,
        serviceStart: 6 * 3600,
        serviceEnd: 11 * 3600
      })
      const tt = buildTimetable(feed)
      const offers = generateOnDemandLegs(feed, { seed, count: 6, start: 7 * 3600, end: 9 * 3600 })
      const rnd = seededRandom(seed * 13 + 5)
      const place = (coord: boolean): PlaceRef => {
        const s = feed.stops[Math.floor(rnd() * feed.stops.length)]
        return coord
          ? offsetMetres({ lat: s.stop_lat, lon: s.stop_lon }, Math.round((rnd() - 0.5) * 200), Math.round((rnd() - 0.5) * 200))
          : { stopId: s.stop_id }
      }
      const seen: Array<[number, number]> = []
      for (let i = 0; i < 8; i++) {
        const q = {
          from: place(i % 2 === 1),
          to: place(i % 4 >= 2),
          departAfter: 7 * 3600 + Math.floor(rnd() * 3600),
          maxTransfers: 2,
          maxWalkingM: 900
        }
        const r = planJourneys(tt, q, offers)
        seen.push([r.labels, r.journeys.length])
      }
      expect(seen).toEqual(counts[seed])
    })
  }
})

/**
 * Ties, worked out by hand: two buses leave A at 100 and reach X at 200, the dearer (500) scanned first (its
 * route comes first in the feed), then the cheaper (400). The cheaper label replaces the dearer one at X, which
 * then walks nowhere: labels at the origin, at A (a walk of 0 m), X twice and the destination = 5.
 */
const tie = (): Feed => ({
  stops: [
    { stop_id: 'A', stop_name: 'A', stop_lat: 52.37, stop_lon: 4.89 },
    { stop_id: 'X', stop_name: 'X', stop_lat: 52.38, stop_lon: 4.89 }
  ],
  routes: [
    { route_id: 'dear', route_type: 3, fare: 500, co2_per_km: 70 },
    { route_id: 'cheap', route_type: 3, fare: 400, co2_per_km: 70 }
  ],
  trips: [
    { trip_id: 'd', route_id: 'dear' },
    { trip_id: 'c', route_id: 'cheap' }
  ],
  stop_times: ['d', 'c'].flatMap(t => [
    { trip_id: t, stop_id: 'A', stop_sequence: 1, arrival_time: 100, departure_time: 100 },
    { trip_id: t, stop_id: 'X', stop_sequence: 2, arrival_time: 200, departure_time: 200 }
  ])
})

describe('planJourneys: labels on ties, by hand', () => {
  const tt = buildTimetable(tie())
  const q = { from: { stopId: 'A' }, to: { stopId: 'X' }, departAfter: 0, maxWalkingM: 0 }

  it('a label arriving at the same second and cheaper removes the dearer one, which then walks nowhere', () => {
    const r = planJourneys(tt, q)
    expect(r.journeys.map(j => [j.arrivalTime, j.price, j.legs[0].routeId])).toEqual([[200, 400, 'cheap']])
    expect(r.labels).toBe(5)
  })

  it('a label arriving at the same second as the destination, and no cheaper, is pruned', () => {
    // an on-demand leg of 0 s from X to a place P at 200: P's label (200, 401, 2 legs) is dominated by the
    // destination's (200, 400, 1 leg); it is refused and creates nothing (without the offer: the same 5 labels)
    const hop: OnDemandLeg = {
      id: 'hop',
      provider: 'p',
      mode: Mode.SCOOTER,
      from: { stopId: 'X' },
      to: { lat: 52.39, lon: 4.89 },
      durationS: 0,
      price: 1,
      co2: 0,
      distance: 10,
      availableFrom: 0
    }
    const r = planJourneys(tt, q, [hop])
    expect(r.journeys.map(j => [j.arrivalTime, j.price])).toEqual([[200, 400]])
    expect(r.labels).toBe(5)
  })
})
