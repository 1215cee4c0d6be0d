import { describe, expect, it } from 'vitest'
import {
  Mode,
  buildTimetable,
  generateDistrictNetwork,
  generateOnDemandLegs,
  offsetMetres,
  planArriveBy,
  planJourneys,
  type Feed,
  type Journey,
  type JourneyQuery,
  type PlaceRef
} from '../src/index.ts'
import { referenceArriveBy, withTransfers } from './gtfs-reference.ts'
import { seededRandom } from '@kvartal/protocol'

const vectors = (js: readonly Journey[]): string[] =>
  js.map(j => [j.departureTime, j.price, j.co2, j.transfers, j.walkingMetres].join(',')).sort()

describe('arrive-by planning', () => {
  it('leaves as late as the deadline allows, instead of taking the first bus of the window', () => {
    // one line A → B, a bus every 10 minutes from 07:00, 20 minutes a ride
    const feed: Feed = {
      stops: [
        { stop_id: 'A', stop_name: 'A', stop_lat: 63.43, stop_lon: 10.39 },
        { stop_id: 'B', stop_name: 'B', stop_lat: 63.46, stop_lon: 10.44 }
      ],
      routes: [{ route_id: 'R', route_type: 3, fare: 400_000_000, co2_per_km: 70 }],
      trips: Array.from({ length: 12 }, (_, i) => ({ trip_id: `t${i}`, route_id: 'R' })),
      stop_times: Array.from({ length: 12 }, (_, i) => [
        { trip_id: `t${i}`, stop_id: 'A', stop_sequence: 1, arrival_time: 7 * 3600 + i * 600, departure_time: 7 * 3600 + i * 600 },
        {
          trip_id: `t${i}`,
          stop_id: 'B',
          stop_sequence: 2,
          arrival_time: 7 * 3600 + i * 600 + 1200,
          departure_time: 7 * 3600 + i * 600 + 1200
        }
      ]).flat()
    }
    const tt = buildTimetable(feed)
    // be at B by 08:45: the forward search from 07:00 offers the 07:00 bus; arrive-by offers the 08:20
    const forward = planJourneys(tt, { from: { stopId: 'A' }, to: { stopId: 'B' }, departAfter: 7 * 3600 }).journeys.filter(
      j => j.arrivalTime <= 8 * 3600 + 45 * 60
    )
    expect(forward.map(j => j.legs[0].tripId)).toEqual(['t0'])
    const r = planArriveBy(tt, { from: { stopId: 'A' }, to: { stopId: 'B' }, earliestDeparture: 7 * 3600, arriveBy: 8 * 3600 + 45 * 60 })
    expect(r.journeys.map(j => j.legs[0].tripId)).toEqual(['t8'])
    expect(r.journeys[0]).toMatchObject({ departureTime: 8 * 3600 + 20 * 60, arrivalTime: 8 * 3600 + 40 * 60 })
    expect(r.ranked.find(x => x.label === 'fastest')!.journey.legs[0].tripId).toBe('t8')
    expect(r.preferred?.legs[0].tripId).toBe('t8')
    expect(r.searches).toBeLessThanOrEqual(10)
    expect(r.truncated).toBe(false)
    // nothing arrives by 07:10
    expect(
      planArriveBy(tt, { from: { stopId: 'A' }, to: { stopId: 'B' }, earliestDeparture: 7 * 3600, arriveBy: 7 * 3600 + 600 }).journeys
    ).toEqual([])
  })

  it('walks to the stop just in time rather than early, and rides a bike so as to arrive at the deadline', () => {
    const feed = generateDistrictNetwork({
      seed: 9,
      stops: 30,
      lines: 6,
      trips: 150,
      stopsPerLine: 8,
      serviceStart: 6 * 3600,
      serviceEnd: 11 * 3600
    })
    const tt = buildTimetable(feed)
    const s = feed.stops[3]
    const from = offsetMetres({ lat: s.stop_lat, lon: s.stop_lon }, 150, 0)
    const r = planArriveBy(tt, { from, to: { stopId: feed.stops[20].stop_id }, earliestDeparture: 7 * 3600, arriveBy: 8 * 3600 })
    for (const j of r.journeys) {
      const board = j.legs.findIndex(l => l.tripId != null)
      // no waiting before the first boarding
      if (board > 0) expect(j.legs[board - 1].arrivalTime).toBe(j.legs[board].departureTime)
      expect(j.arrivalTime).toBeLessThanOrEqual(8 * 3600)
    }
    const bike = {
      id: 'bike',
      provider: 'p',
      mode: Mode.BICYCLE,
      from,
      to: { lat: feed.stops[20].stop_lat, lon: feed.stops[20].stop_lon },
      durationS: 900,
      price: 1,
      co2: 0,
      distance: 3000,
      availableFrom: 7 * 3600,
      availableUntil: 7 * 3600 + 1800
    }
    const withBike = planArriveBy(
      tt,
      { from, to: { stopId: feed.stops[20].stop_id }, earliestDeparture: 7 * 3600, arriveBy: 8 * 3600, modes: [Mode.BICYCLE] },
      [bike]
    )
    // the bike may leave at 07:30 at the latest (its availability), so the ride ends 07:45, plus the walk to the stop
    const ride = withBike.journeys.find(j => j.legs.some(l => l.legId === 'bike'))!
    expect(ride.legs.find(l => l.legId === 'bike')!.departureTime).toBe(7 * 3600 + 1800)
  })

  // the reference: an independent search over the raw GTFS tables started at every second of the
  // window (gtfs-reference.ts; it shares no helper with the planner and never calls it)
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: equals an independent reference started at every second of the window`, () => {
      const feed = withTransfers(
        generateDistrictNetwork({ seed, stops: 20, lines: 4, trips: 80, stopsPerLine: 6, serviceStart: 6 * 3600, serviceEnd: 10 * 3600 })
      )
      const tt = buildTimetable(feed)
      const offers = generateOnDemandLegs(feed, { seed, count: 4, start: 7 * 3600, end: 9 * 3600 })
      const rnd = seededRandom(seed * 17 + 3)
      const place = (coord: boolean): PlaceRef => {
        const st = feed.stops[Math.floor(rnd() * feed.stops.length)]
        return coord
          ? offsetMetres({ lat: st.stop_lat, lon: st.stop_lon }, Math.round((rnd() - 0.5) * 200), Math.round((rnd() - 0.5) * 200))
          : { stopId: st.stop_id }
      }
      let nonEmpty = 0
      for (let k = 0; k < 3; k++) {
        const base: Omit<JourneyQuery, 'departAfter'> = { from: place(k === 1), to: place(k === 2), maxTransfers: 2, maxWalkingM: 900 }
        const earliest = 7 * 3600 + Math.floor(rnd() * 1800)
        const arriveBy = earliest + 1800
        const fast = planArriveBy(tt, { ...base, earliestDeparture: earliest, arriveBy }, offers)
        expect(fast.truncated).toBe(false)
        const ref = referenceArriveBy(feed, { ...base, earliestDeparture: earliest, arriveBy }, offers)
        expect(vectors(fast.journeys)).toEqual(
          ref.map(c => [c.departureTime, c.price, c.co2, c.transfers, c.walkingMetres].join(',')).sort()
        )
        if (fast.journeys.length > 0) nonEmpty++
      }
      expect(nonEmpty).toBeGreaterThan(0)
    })
  }
})
