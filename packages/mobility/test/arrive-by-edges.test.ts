import { describe, expect, it } from 'vitest'
import {
  buildTimetable,
  paretoArriveBy,
  pickArriveBy,
  planArriveBy,
  planJourneys,
  rankArriveBy,
  type Feed,
  type Journey
} from '../src/index.ts'

/**
 * The edges of arrive-by.ts: the number of searches (none when the window is empty, one when it is a single
 * second, at most `maxSearches`, 64 by default) and their labels, the short list's tie-breaks and the generalised
 * cost counted back from the deadline, term by term.
 */
// one line A → B, a bus every minute from 07:00 to 09:00, 10 minutes a ride
const minuteBus = (): Feed => ({
  stops: [
    { stop_id: 'A', stop_name: 'A', stop_lat: 63.43, stop_lon: 10.39 },
    { stop_id: 'B', stop_name: 'B', stop_lat: 63.46, stop_lon: 10.44 }
  ],
  routes: [{ route_id: 'R', route_type: 3, fare: 4, co2_per_km: 70 }],
  trips: Array.from({ length: 121 }, (_, i) => ({ trip_id: `t${i}`, route_id: 'R' })),
  stop_times: Array.from({ length: 121 }, (_, i) => [
    { trip_id: `t${i}`, stop_id: 'A', stop_sequence: 1, arrival_time: 25_200 + i * 60, departure_time: 25_200 + i * 60 },
    { trip_id: `t${i}`, stop_id: 'B', stop_sequence: 2, arrival_time: 25_800 + i * 60, departure_time: 25_800 + i * 60 }
  ]).flat()
})
const ab = { from: { stopId: 'A' }, to: { stopId: 'B' } }

describe('planArriveBy searches', () => {
  const tt = buildTimetable(minuteBus())

  it('makes at most 64 searches by default, and says when that cut the window short', () => {
    // every search finds the next bus only: 2 hours of buses need 120 searches
    const r = planArriveBy(tt, { ...ab, earliestDeparture: 25_200, arriveBy: 33_000 })
    expect(r.searches).toBe(64)
    expect(r.truncated).toBe(true)
    const few = planArriveBy(tt, { ...ab, earliestDeparture: 25_200, arriveBy: 33_000, maxSearches: 3 })
    expect(few).toMatchObject({ searches: 3, truncated: true })
    expect(few.journeys.map(j => j.departureTime)).toEqual([25_320])
  })

  it('counts the labels of every search', () => {
    const one = planArriveBy(tt, { ...ab, earliestDeparture: 25_200, arriveBy: 33_000, maxSearches: 1 })
    const forward = planJourneys(tt, { ...ab, departAfter: 25_200, latestArrival: 33_000 })
    expect(one.labels).toBe(forward.labels)
    const two = planArriveBy(tt, { ...ab, earliestDeparture: 25_200, arriveBy: 33_000, maxSearches: 2 })
    expect(two.labels).toBe(forward.labels + planJourneys(tt, { ...ab, departAfter: 25_201, latestArrival: 33_000 }).labels)
  })

  it('searches once in a window of one second, and never in an empty one', () => {
    expect(planArriveBy(tt, { ...ab, earliestDeparture: 26_000, arriveBy: 26_000 })).toMatchObject({
      searches: 1,
      truncated: false,
      journeys: []
    })
    expect(planArriveBy(tt, { ...ab, earliestDeparture: 26_001, arriveBy: 26_000 })).toMatchObject({
      searches: 0,
      truncated: false,
      journeys: [],
      ranked: [],
      preferred: undefined
    })
  })

  it('keeps a bus that arrives at the deadline itself', () => {
    expect(planArriveBy(tt, { ...ab, earliestDeparture: 25_200, arriveBy: 25_800 }).journeys.map(j => j.departureTime)).toEqual([25_200])
  })

  it('searches once when the answer is a walk: no later search can leave later and arrive in time', () => {
    const near = { lat: 63.4305, lon: 10.39 }
    const r = planArriveBy(tt, { from: { stopId: 'A' }, to: near, earliestDeparture: 25_200, arriveBy: 26_000 })
    expect(r.journeys.map(j => [j.legs.map(l => l.mode), j.arrivalTime])).toEqual([[['WALK'], 26_000]])
    expect(r.searches).toBe(1)
  })

  it('stops when a search finds nothing in time, without counting it as cut short', () => {
    const r = planArriveBy(tt, { ...ab, earliestDeparture: 25_200, arriveBy: 26_000 + 120 })
    // buses leaving 07:00 … 07:05 arrive by 07:12; the search from 07:05:01 finds nothing in time
    expect(r.journeys.map(j => j.departureTime)).toEqual([25_200 + 300])
    expect(r).toMatchObject({ searches: 7, truncated: false })
  })
})

const j = (departureTime: number, arrivalTime: number, price: number, co2: number, transfers: number, walkingMetres: number): Journey => ({
  departureTime,
  arrivalTime,
  price,
  co2,
  transfers,
  walkingMetres,
  legs: []
})

describe('paretoArriveBy', () => {
  it('keeps two vectors whose numbers run together alike, and the earliest arriving journey of one vector', () => {
    // 10,1,23,… and 10,12,3,…: the first is cheaper, the second greener
    const a = j(10, 50, 1, 23, 0, 0)
    const b = j(10, 50, 12, 3, 0, 0)
    expect(paretoArriveBy([a, b])).toEqual([a, b])
    const late = j(10, 90, 1, 1, 0, 0)
    const early = j(10, 80, 1, 1, 0, 0)
    expect(paretoArriveBy([late, early])).toEqual([early])
  })
})

describe('rankArriveBy', () => {
  const label = (js: Journey[], l: string): Journey => rankArriveBy(js).find(r => r.label === l)!.journey

  it('ranks no journeys as an empty list', () => {
    expect(rankArriveBy([])).toEqual([])
  })

  it('fastest leaves latest, then arrives earliest, then the rest', () => {
    const a = j(100, 200, 5, 5, 0, 0)
    const b = j(100, 190, 9, 9, 1, 9)
    const c = j(90, 150, 1, 1, 0, 0)
    expect(label([a, b, c], 'fastest')).toBe(b)
    const d = j(100, 190, 8, 9, 1, 9)
    expect(label([b, d], 'fastest')).toBe(d)
  })

  it('breaks a tie on price, CO₂ or transfers by later departure, then price, CO₂, transfers, walking', () => {
    expect(label([j(90, 200, 5, 1, 0, 0), j(100, 200, 5, 9, 0, 0)], 'cheapest').departureTime).toBe(100)
    expect(label([j(90, 200, 1, 5, 0, 0), j(100, 200, 9, 5, 0, 0)], 'greenest').departureTime).toBe(100)
    expect(label([j(90, 200, 1, 1, 0, 0), j(100, 200, 9, 9, 0, 0)], 'fewestTransfers').departureTime).toBe(100)
    expect(label([j(100, 200, 5, 2, 0, 0), j(100, 200, 5, 1, 0, 0)], 'cheapest').co2).toBe(1)
    expect(label([j(100, 200, 5, 1, 1, 0), j(100, 200, 5, 1, 0, 0)], 'cheapest').transfers).toBe(0)
    expect(label([j(100, 200, 5, 1, 0, 7), j(100, 200, 5, 1, 0, 3)], 'cheapest').walkingMetres).toBe(3)
    expect(label([j(100, 200, 6, 1, 0, 0), j(100, 200, 5, 1, 0, 0)], 'greenest').price).toBe(5)
    expect(label([j(100, 200, 1, 1, 2, 0), j(90, 200, 9, 9, 1, 0)], 'fewestTransfers').transfers).toBe(1)
  })
})

describe('pickArriveBy', () => {
  const w = { nanosPerSecond: 3, nanosPerGramCo2: 5, nanosPerTransfer: 7, nanosPerWalkMetre: 11 }

  it('costs the fare and each criterion at its weight, time counted from leaving to the deadline', () => {
    // cost: price + (1000 − dep) × 3 + co2 × 5 + transfers × 7 + walking × 11
    const a = j(900, 950, 1_000, 0, 0, 0) // 1000 + 300 = 1300
    const b = j(800, 950, 0, 20, 2, 30) // 600 + 100 + 14 + 330 = 1044
    expect(pickArriveBy([a, b], 1_000, w)).toBe(b)
    const c = j(900, 950, 0, 39, 0, 0) // 300 + 195 = 495
    const d = j(900, 950, 0, 0, 0, 18) // 300 + 198 = 498
    expect(pickArriveBy([d, c], 1_000, w)).toBe(c)
    const e = j(900, 950, 0, 0, 28, 0) // 300 + 196 = 496
    expect(pickArriveBy([d, e], 1_000, w)).toBe(e)
    expect(pickArriveBy([e, c], 1_000, w)).toBe(c)
  })

  it('picks the first of two of equal cost, and none of none', () => {
    const a = j(990, 1_000, 0, 0, 0, 0) // 30
    const b = j(1_000, 1_000, 0, 6, 0, 0) // 30
    expect(pickArriveBy([a, b], 1_000, w)).toBe(a)
    expect(pickArriveBy([b, a], 1_000, w)).toBe(b)
    expect(pickArriveBy([], 1_000, w)).toBeUndefined()
  })
})
