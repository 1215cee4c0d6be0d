import { describe, expect, it } from 'vitest'
import { Mode, buildTimetable, planJourneys, type Coordinate, type Feed, type OnDemandLeg } from '../src/index.ts'

/**
 * The planner on a network small enough to work out by hand: every field of every leg (places, times, price,
 * CO₂, distance, provider, route, trip, offer), a journey that goes nowhere, the deadline of an arrive-by search
 * at the second, and a wheelchair riding through a stop it cannot use. Distances come from a haversine written here.
 */
const EARTH_M = 6_371_008
const RAD = Math.PI / 180
const metres = (a: Coordinate, b: Coordinate): number => {
  const h =
    Math.sin(((b.lat - a.lat) * RAD) / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(((b.lon - a.lon) * RAD) / 2) ** 2
  return Math.round(2 * EARTH_M * Math.asin(Math.sqrt(h)))
}
const A = { lat: 52.37, lon: 4.89 }
const B = { lat: 52.38, lon: 4.89 }
const C = { lat: 52.39, lon: 4.89 }
const D = { lat: 52.3905, lon: 4.8905 }
const feed = (): Feed => ({
  stops: [
    { stop_id: 'A', stop_name: 'Alpha', stop_lat: A.lat, stop_lon: A.lon },
    { stop_id: 'B', stop_name: 'Beta', stop_lat: B.lat, stop_lon: B.lon },
    { stop_id: 'C', stop_name: 'Gamma', stop_lat: C.lat, stop_lon: C.lon },
    { stop_id: 'D', stop_name: 'Delta', stop_lat: D.lat, stop_lon: D.lon }
  ],
  routes: [{ route_id: 'R', route_type: 3, agency_id: 'ag', fare: 400, co2_per_km: 70 }],
  trips: [{ trip_id: 't1', route_id: 'R' }],
  stop_times: [
    { trip_id: 't1', stop_id: 'A', stop_sequence: 1, arrival_time: 100, departure_time: 100 },
    { trip_id: 't1', stop_id: 'B', stop_sequence: 2, arrival_time: 200, departure_time: 210 },
    { trip_id: 't1', stop_id: 'C', stop_sequence: 3, arrival_time: 300, departure_time: 300 }
  ],
  transfers: [{ from_stop_id: 'C', to_stop_id: 'D', transfer_type: 2, min_transfer_time: 90, distance_m: 80 }]
})
const ab = metres(A, B)
const bc = metres(B, C)
const co2 = Math.round((ab * 70) / 1000) + Math.round((bc * 70) / 1000)

describe('planJourneys, worked out by hand', () => {
  const tt = buildTimetable(feed())

  it('rides the bus with every leg field filled', () => {
    const r = planJourneys(tt, { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 50, maxWalkingM: 0 })
    expect(r.journeys).toEqual([
      {
        departureTime: 100,
        arrivalTime: 300,
        price: 400,
        co2,
        transfers: 0,
        walkingMetres: 0,
        legs: [
          {
            mode: Mode.BUS,
            from: { stopId: 'A', name: 'Alpha', ...A },
            to: { stopId: 'C', name: 'Gamma', ...C },
            departureTime: 100,
            arrivalTime: 300,
            price: 400,
            co2,
            distance: ab + bc,
            provider: 'ag',
            routeId: 'R',
            tripId: 't1'
          }
        ]
      }
    ])
    expect(r.ranked.map(x => x.journey)).toEqual([r.journeys[0], r.journeys[0], r.journeys[0], r.journeys[0]])
    expect(r.preferred).toBe(r.journeys[0])
    // a label each at the origin, at A (a walk of 0 m), B, C and the destination; boarding again at B in the second
    // round reaches C no better than the first ride did, and creates nothing
    expect(r.labels).toBe(5)
    // boarding at B: the fare, the CO₂ and distance of B → C only, leaving B at its departure
    const fromB = planJourneys(tt, { from: { stopId: 'B' }, to: { stopId: 'C' }, departAfter: 0, maxWalkingM: 0 }).journeys
    expect(fromB.map(j => [j.departureTime, j.price, j.co2, j.legs[0].distance])).toEqual([[210, 400, Math.round((bc * 70) / 1000), bc]])
  })

  it('walks to the stop, and from the last stop to the destination (its own place, not the stop D)', () => {
    const from = { lat: 52.3701, lon: 4.89 }
    const walk = Math.round((metres(from, A) * 130) / 100)
    const seconds = Math.ceil((walk * 1000) / 1_200)
    // to the destination from C by its coordinates (a walk cannot follow the footpath C → D)
    const lastMetres = Math.round((metres(C, D) * 130) / 100)
    const last = { metres: lastMetres, seconds: Math.ceil((lastMetres * 1000) / 1_200) }
    // a walking budget of exactly the two walks
    const r = planJourneys(tt, { from, to: { stopId: 'D' }, departAfter: 0, maxWalkingM: walk + last.metres, maxTransfers: 0 })
    const j = r.journeys.find(x => x.legs.some(l => l.tripId === 't1'))!
    expect(j.legs.map(l => l.mode)).toEqual([Mode.WALK, Mode.BUS, Mode.WALK])
    expect(j.legs[0]).toEqual({
      mode: Mode.WALK,
      from,
      to: { stopId: 'A', name: 'Alpha', ...A },
      departureTime: 0,
      arrivalTime: seconds,
      price: 0,
      co2: 0,
      distance: walk
    })
    expect(j.legs[2]).toEqual({
      mode: Mode.WALK,
      from: { stopId: 'C', name: 'Gamma', ...C },
      to: D,
      departureTime: 300,
      arrivalTime: 300 + last.seconds,
      price: 0,
      co2: 0,
      distance: last.metres
    })
    expect(j).toMatchObject({ departureTime: 0, arrivalTime: 300 + last.seconds, walkingMetres: walk + last.metres, transfers: 0 })
  })

  it('takes an on-demand leg with its offer’s fields, leaving when it becomes available', () => {
    const bike: OnDemandLeg = {
      id: 'bk',
      provider: 'bikes',
      mode: Mode.BICYCLE,
      from: { stopId: 'A' },
      to: { stopId: 'C' },
      durationS: 60,
      price: 7,
      co2: 1,
      distance: 2_300,
      availableFrom: 1_000
    }
    const r = planJourneys(tt, { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 500, maxWalkingM: 0 }, [bike])
    expect(r.journeys.map(j => j.legs)).toEqual([
      [
        {
          mode: Mode.BICYCLE,
          from: { stopId: 'A', name: 'Alpha', ...A },
          to: { stopId: 'C', name: 'Gamma', ...C },
          departureTime: 1_000,
          arrivalTime: 1_060,
          price: 7,
          co2: 1,
          distance: 2_300,
          provider: 'bikes',
          legId: 'bk'
        }
      ]
    ])
  })

  it('takes an on-demand leg available from second 0 at second 0', () => {
    const bike: OnDemandLeg = {
      id: 'bk',
      provider: 'bikes',
      mode: Mode.BICYCLE,
      from: { stopId: 'A' },
      to: { stopId: 'C' },
      durationS: 60,
      price: 7,
      co2: 1,
      distance: 2_300,
      availableFrom: 0
    }
    const r = planJourneys(tt, { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 0, maxWalkingM: 0 }, [bike])
    expect(r.journeys.map(j => [j.departureTime, j.arrivalTime, j.legs.map(l => l.legId)])).toEqual([[0, 60, ['bk']]])
  })

  it('goes nowhere from a place to itself: no legs, leaving and arriving at once', () => {
    const here = { lat: 52.3, lon: 4.8 }
    expect(planJourneys(tt, { from: here, to: { ...here }, departAfter: 77 }).journeys).toEqual([
      { departureTime: 77, arrivalTime: 77, price: 0, co2: 0, transfers: 0, walkingMetres: 0, legs: [] }
    ])
  })

  it('keeps a journey arriving at the deadline itself, and none a second later', () => {
    const q = { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 0, maxWalkingM: 0 }
    expect(planJourneys(tt, { ...q, latestArrival: 300 }).journeys.map(j => j.arrivalTime)).toEqual([300])
    expect(planJourneys(tt, { ...q, latestArrival: 299 }).journeys).toEqual([])
  })

  it('rides no bus for a traveller who asked for trams only', () => {
    const q = { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 0, maxWalkingM: 0 }
    expect(planJourneys(tt, { ...q, modes: [Mode.TRAM] }).journeys).toEqual([])
    expect(planJourneys(tt, { ...q, modes: [Mode.TRAM, Mode.BUS] }).journeys.map(j => j.legs[0].tripId)).toEqual(['t1'])
  })

  it('finds nothing once the last trip has left, and creates no label past its stops', () => {
    // t1 left A at 100: from 101 no trip is left to board, and the only labels are the origin's and A's (a walk of 0 m)
    const r = planJourneys(tt, { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 101, maxWalkingM: 0 })
    expect(r.journeys).toEqual([])
    expect(r.labels).toBe(2)
  })

  it('rides a wheelchair through a stop it cannot use, and never boards there', () => {
    const f = feed()
    f.trips = [{ trip_id: 't1', route_id: 'R', wheelchair_accessible: 1 }]
    f.stops[1] = { ...f.stops[1], wheelchair_boarding: 2 }
    const chair = buildTimetable(f)
    expect(
      planJourneys(chair, { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 0, maxWalkingM: 0, wheelchair: true }).journeys
    ).toHaveLength(1)
    expect(
      planJourneys(chair, { from: { stopId: 'A' }, to: { stopId: 'B' }, departAfter: 0, maxWalkingM: 0, wheelchair: true }).journeys
    ).toEqual([])
    expect(
      planJourneys(chair, { from: { stopId: 'B' }, to: { stopId: 'C' }, departAfter: 0, maxWalkingM: 0, wheelchair: true }).journeys
    ).toEqual([])
  })
})

describe('planJourneys keeps the journey with fewer legs', () => {
  it('beside a faster one with a change that costs no more (free buses without CO₂)', () => {
    const free = { fare: 0, co2_per_km: 0 }
    const f: Feed = {
      stops: [
        { stop_id: 'A', stop_name: 'Alpha', stop_lat: A.lat, stop_lon: A.lon },
        { stop_id: 'B', stop_name: 'Beta', stop_lat: B.lat, stop_lon: B.lon },
        { stop_id: 'C', stop_name: 'Gamma', stop_lat: C.lat, stop_lon: C.lon }
      ],
      routes: [
        { route_id: 'direct', route_type: 3, ...free },
        { route_id: 'one', route_type: 3, ...free },
        { route_id: 'two', route_type: 3, ...free }
      ],
      trips: [
        { trip_id: 'd', route_id: 'direct' },
        { trip_id: 'o', route_id: 'one' },
        { trip_id: 'w', route_id: 'two' }
      ],
      stop_times: [
        { trip_id: 'd', stop_id: 'A', stop_sequence: 1, arrival_time: 100, departure_time: 100 },
        { trip_id: 'd', stop_id: 'C', stop_sequence: 2, arrival_time: 300, departure_time: 300 },
        { trip_id: 'o', stop_id: 'A', stop_sequence: 1, arrival_time: 100, departure_time: 100 },
        { trip_id: 'o', stop_id: 'B', stop_sequence: 2, arrival_time: 150, departure_time: 150 },
        { trip_id: 'w', stop_id: 'B', stop_sequence: 1, arrival_time: 160, departure_time: 160 },
        { trip_id: 'w', stop_id: 'C', stop_sequence: 2, arrival_time: 290, departure_time: 290 }
      ]
    }
    // the change arrives 10 s earlier at the same price, CO₂ and walk; the direct bus has one leg fewer: both are Pareto
    const r = planJourneys(buildTimetable(f), { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 0, maxWalkingM: 0 })
    expect(r.journeys.map(j => [j.arrivalTime, j.transfers, j.legs.map(l => l.tripId)])).toEqual([
      [290, 1, ['o', 'w']],
      [300, 0, ['d']]
    ])
  })
})
