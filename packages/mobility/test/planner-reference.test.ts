import { describe, expect, it } from 'vitest'
import { seededRandom } from '@kvartal/protocol'
import {
  buildTimetable,
  generateDistrictNetwork,
  generateOnDemandLegs,
  offsetMetres,
  planArriveBy,
  planJourneys,
  type Feed,
  type JourneyQuery,
  type PlaceRef
} from '../src/index.ts'
import { referenceArriveBy, referenceJourneys, withTransfers, type RefArriveBy, type RefCriteria } from './gtfs-reference.ts'

/**
 * The planner against `referenceJourneys`, which shares no helper with it (see gtfs-reference.ts): on
 * seeded generated timetables with a service calendar, explicit transfers.txt rows (minimum times
 * longer than the walk) and on-demand legs, every query's Pareto set must be equal.
 */
function seededFeed(seed: number): Feed {
  const feed = generateDistrictNetwork({
    seed,
    stops: 24,
    lines: 5,
    trips: 120,
    stopsPerLine: 7,
    serviceStart: 6 * 3600,
    serviceEnd: 10 * 3600
  })
  const rnd = seededRandom(seed * 101 + 3)
  const services = ['weekdays', 'weekend', 'daily']
  const trips = feed.trips.map(t => ({ ...t, service_id: services[Math.floor(rnd() * 3)] }))
  const calendar = [
    {
      service_id: 'weekdays',
      monday: 1,
      tuesday: 1,
      wednesday: 1,
      thursday: 1,
      friday: 1,
      saturday: 0,
      sunday: 0,
      start_date: 20260101,
      end_date: 20261231
    },
    {
      service_id: 'weekend',
      monday: 0,
      tuesday: 0,
      wednesday: 0,
      thursday: 0,
      friday: 0,
      saturday: 1,
      sunday: 1,
      start_date: 20260101,
      end_date: 20261231
    },
    {
      service_id: 'daily',
      monday: 1,
      tuesday: 1,
      wednesday: 1,
      thursday: 1,
      friday: 1,
      saturday: 1,
      sunday: 1,
      start_date: 20260101,
      end_date: 20261231
    }
  ]
  // a holiday: weekday service off, weekend service on, on Wednesday 17 June 2026
  const calendarDates = [
    { service_id: 'weekdays', date: 20260617, exception_type: 2 as const },
    { service_id: 'weekend', date: 20260617, exception_type: 1 as const }
  ]
  // minimum transfer times longer than the walk by a seeded 0–119 s, so the planner must read the table
  return withTransfers({ ...feed, trips, calendar, calendar_dates: calendarDates }, () => Math.floor(rnd() * 120))
}

/**
 * `KVARTAL_REFERENCE_SEEDS=<n>` runs the first n seeds of each comparison only: mutation testing
 * (vitest.mutate.config.ts) runs them once per mutant that reaches the planner, and all eleven take
 * about 2 minutes, which made the mobility run 4–12 hours long on 2 cores.
 */
const SEEDS = process.env.KVARTAL_REFERENCE_SEEDS != null ? Number(process.env.KVARTAL_REFERENCE_SEEDS) : Number.POSITIVE_INFINITY
const seeds = (all: number[]): number[] => all.slice(0, SEEDS)

const key = (c: RefCriteria): string => [c.arrivalTime, c.price, c.co2, c.transfers, c.walkingMetres].join(',')

describe('planner = an independent reference on raw GTFS tables', () => {
  for (const seed of seeds([1, 2, 3, 4, 5, 6, 7, 8])) {
    it(`seed ${seed}`, () => {
      const feed = seededFeed(seed)
      const tt = buildTimetable(feed)
      const offers = generateOnDemandLegs(feed, { seed, count: 6, start: 7 * 3600, end: 9 * 3600 })
      const rnd = seededRandom(seed * 31 + 7)
      const place = (coord: boolean): PlaceRef => {
        const s = feed.stops[Math.floor(rnd() * feed.stops.length)]
        return coord
          ? offsetMetres({ lat: s.stop_lat, lon: s.stop_lon }, Math.round((rnd() - 0.5) * 200), Math.round((rnd() - 0.5) * 200))
          : { stopId: s.stop_id }
      }
      let compared = 0
      let rides = 0
      // queries 6–9 leave a stop at the very second one of its trips departs: that trip must be caught
      const departing = feed.stop_times.filter(st => st.departure_time >= 7 * 3600 && st.departure_time <= 8 * 3600)
      for (let i = 0; i < 10; i++) {
        const exact = i >= 6 ? departing[Math.floor(rnd() * departing.length)] : undefined
        const q: JourneyQuery = {
          from: exact != null ? { stopId: exact.stop_id } : place(i % 2 === 1),
          to: place(i % 3 === 2),
          departAfter: exact != null ? exact.departure_time : 7 * 3600 + Math.floor(rnd() * 3600),
          maxTransfers: 2,
          maxWalkingM: 900,
          serviceDate: exact != null ? undefined : [20260616, 20260617, 20260620][i % 3]
        }
        const planned = planJourneys(tt, q, offers).journeys
        const ref = referenceJourneys(feed, q, offers)
        expect(planned.map(key).sort(), `query ${i}`).toEqual(ref.map(key).sort())
        compared += ref.length
        rides += planned.filter(j => j.legs.some(l => l.tripId != null)).length
      }
      expect(compared).toBeGreaterThan(0)
      expect(rides).toBeGreaterThan(0)
    })
  }
})

const arriveByKey = (c: RefArriveBy): string => [c.departureTime, c.price, c.co2, c.transfers, c.walkingMetres].join(',')

describe('arrive-by planner = the independent reference started at every second of the window', () => {
  for (const seed of seeds([4, 5, 6])) {
    it(`seed ${seed}`, () => {
      const feed = seededFeed(seed)
      const tt = buildTimetable(feed)
      const offers = generateOnDemandLegs(feed, { seed, count: 4, start: 7 * 3600, end: 9 * 3600 })
      const rnd = seededRandom(seed * 17 + 3)
      const place = (coord: boolean): PlaceRef => {
        const s = feed.stops[Math.floor(rnd() * feed.stops.length)]
        return coord
          ? offsetMetres({ lat: s.stop_lat, lon: s.stop_lon }, Math.round((rnd() - 0.5) * 200), Math.round((rnd() - 0.5) * 200))
          : { stopId: s.stop_id }
      }
      let nonEmpty = 0
      for (let k = 0; k < 3; k++) {
        const earliestDeparture = 7 * 3600 + Math.floor(rnd() * 1800)
        const q = {
          from: place(k === 1),
          to: place(k === 2),
          maxTransfers: 2,
          maxWalkingM: 900,
          serviceDate: [20260616, 20260617, 20260620][k],
          earliestDeparture,
          arriveBy: earliestDeparture + 1800
        }
        const planned = planArriveBy(tt, q, offers)
        expect(planned.truncated).toBe(false)
        const ref = referenceArriveBy(feed, q, offers)
        expect(planned.journeys.map(j => arriveByKey(j)).sort(), `query ${k}`).toEqual(ref.map(arriveByKey).sort())
        for (const j of planned.journeys) expect(j.arrivalTime).toBeLessThanOrEqual(q.arriveBy)
        if (ref.length > 0) nonEmpty++
      }
      expect(nonEmpty).toBeGreaterThan(0)
    })
  }
})
