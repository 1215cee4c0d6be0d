import { describe, expect, it } from 'vitest'
import {
  ZONE_PRECISION,
  buildTimetable,
  fromE6,
  toE6,
  tripIndex,
  tripTimes,
  zoneAndNeighbours,
  zoneCentre,
  zoneOf,
  type Feed
} from '../src/index.ts'

describe('zones', () => {
  it('names the geohash cell of a coordinate, precision 6 by default (the geohash example of Wikipedia)', () => {
    expect(ZONE_PRECISION).toBe(6)
    expect(zoneOf({ lat: 57.64911, lon: 10.40744 })).toBe('u4pruy')
    expect(zoneOf({ lat: 57.64911, lon: 10.40744 }, 11)).toBe('u4pruydqqvj')
    expect(zoneOf({ lat: 57.64911, lon: 10.40744 }, 3)).toBe('u4p')
  })

  it('gives the centre of a zone', () => {
    expect(zoneCentre('u4pruy')).toEqual({ lat: 57.64801025390625, lon: 10.4095458984375 })
    expect(zoneOf(zoneCentre('u4pruy'))).toBe('u4pruy')
  })

  it('lists the zone first, then its eight neighbours', () => {
    expect(zoneAndNeighbours('u4pruy')).toEqual(['u4pruy', 'u4pruz', 'u4prvp', 'u4prvn', 'u4prvj', 'u4pruv', 'u4prut', 'u4pruw', 'u4prux'])
  })

  it('writes degrees as whole microdegrees and reads them back', () => {
    expect(toE6(52.370216)).toBe(52_370_216)
    expect(toE6(-4.8951679)).toBe(-4_895_168)
    expect(fromE6(52_370_216)).toBe(52.370216)
    expect(fromE6(toE6(10.40744))).toBe(10.40744)
  })
})

describe('tripIndex and tripTimes', () => {
  const feed = (): Feed => ({
    stops: [
      { stop_id: 'A', stop_name: 'A', stop_lat: 52.37, stop_lon: 4.89 },
      { stop_id: 'B', stop_name: 'B', stop_lat: 52.375, stop_lon: 4.89 },
      { stop_id: 'C', stop_name: 'C', stop_lat: 52.38, stop_lon: 4.89 }
    ],
    routes: [{ route_id: 'R', route_type: 3, fare: 1, co2_per_km: 1 }],
    trips: [
      { trip_id: 'late', route_id: 'R' },
      { trip_id: 'early', route_id: 'R' },
      { trip_id: 'back', route_id: 'R' }
    ],
    stop_times: [
      { trip_id: 'late', stop_id: 'A', stop_sequence: 1, arrival_time: 600, departure_time: 610 },
      { trip_id: 'late', stop_id: 'B', stop_sequence: 2, arrival_time: 700, departure_time: 720 },
      { trip_id: 'late', stop_id: 'C', stop_sequence: 3, arrival_time: 800, departure_time: 800 },
      { trip_id: 'early', stop_id: 'A', stop_sequence: 1, arrival_time: 100, departure_time: 100 },
      { trip_id: 'early', stop_id: 'B', stop_sequence: 2, arrival_time: 200, departure_time: 230 },
      { trip_id: 'early', stop_id: 'C', stop_sequence: 3, arrival_time: 300, departure_time: 300 },
      { trip_id: 'back', stop_id: 'C', stop_sequence: 1, arrival_time: 50, departure_time: 50 },
      { trip_id: 'back', stop_id: 'A', stop_sequence: 2, arrival_time: 90, departure_time: 90 }
    ]
  })

  it("finds each trip's pattern, row and stops, and its times at a position", () => {
    const tt = buildTimetable(feed())
    const index = tripIndex(tt)
    expect([...index.keys()].sort()).toEqual(['back', 'early', 'late'])
    const early = index.get('early')!
    const late = index.get('late')!
    const back = index.get('back')!
    expect(early.pattern).toBe(late.pattern)
    expect([early.trip, late.trip]).toEqual([0, 1]) // sorted by departure
    expect(early.stopIds).toEqual(['A', 'B', 'C'])
    expect(back.pattern).not.toBe(early.pattern)
    expect(back).toEqual({ pattern: back.pattern, trip: 0, stopIds: ['C', 'A'] })
    expect(tt.patterns[back.pattern].tripIds).toEqual(['back'])
    expect(tripTimes(tt, early, 1)).toEqual({ arrival: 200, departure: 230 })
    expect(tripTimes(tt, late, 1)).toEqual({ arrival: 700, departure: 720 })
    expect(tripTimes(tt, late, 0)).toEqual({ arrival: 600, departure: 610 })
    expect(tripTimes(tt, late, 2)).toEqual({ arrival: 800, departure: 800 })
    expect(tripTimes(tt, back, 1)).toEqual({ arrival: 90, departure: 90 })
  })
})
