import { describe, expect, it } from 'vitest'
import {
  buildTimetable,
  computeTransfers,
  distanceMetres,
  earliestTrip,
  generateDistrictNetwork,
  generateOnDemandLegs,
  defaultWalkingOptions,
  type Feed
} from '../src/index.ts'

const tiny = (): Feed => ({
  stops: [
    { stop_id: 'A', stop_name: 'A', stop_lat: 52.37, stop_lon: 4.89 },
    { stop_id: 'B', stop_name: 'B', stop_lat: 52.375, stop_lon: 4.89 },
    { stop_id: 'C', stop_name: 'C', stop_lat: 52.3751, stop_lon: 4.8905 }
  ],
  routes: [{ route_id: 'R', route_type: 3, fare: 400_000_000, co2_per_km: 70 }],
  trips: [
    { trip_id: 't1', route_id: 'R' },
    { trip_id: 't2', route_id: 'R' },
    { trip_id: 't3', route_id: 'R' }
  ],
  stop_times: [
    { trip_id: 't1', stop_id: 'A', stop_sequence: 1, arrival_time: 100, departure_time: 100 },
    { trip_id: 't1', stop_id: 'B', stop_sequence: 2, arrival_time: 200, departure_time: 210 },
    { trip_id: 't2', stop_id: 'A', stop_sequence: 1, arrival_time: 150, departure_time: 150 },
    { trip_id: 't2', stop_id: 'B', stop_sequence: 2, arrival_time: 180, departure_time: 180 }, // overtakes t1
    { trip_id: 't3', stop_id: 'B', stop_sequence: 2, arrival_time: 500, departure_time: 500 },
    { trip_id: 't3', stop_id: 'A', stop_sequence: 1, arrival_time: 400, departure_time: 400 }
  ]
})

describe('buildTimetable', () => {
  it('groups trips into FIFO patterns, sorted, with integer distances and CO₂', () => {
    const tt = buildTimetable(tiny())
    expect(tt.tripCount).toBe(3)
    expect(tt.patterns).toHaveLength(2) // t2 overtakes t1, so they cannot share a pattern
    for (const p of tt.patterns) {
      const n = p.stops.length
      for (let k = 1; k < p.tripIds.length; k++)
        for (let i = 0; i < n; i++) expect(p.dep[k * n + i]).toBeGreaterThanOrEqual(p.dep[(k - 1) * n + i])
      expect(p.distCum[n - 1]).toBe(distanceMetres({ lat: 52.37, lon: 4.89 }, { lat: 52.375, lon: 4.89 }))
      expect(p.co2Cum[n - 1]).toBe(Math.round((p.distCum[n - 1] * 70) / 1000))
    }
    const withT3 = tt.patterns.find(p => p.tripIds.includes('t3'))!
    expect(earliestTrip(withT3, 0, 101)).toBe(1)
    expect(earliestTrip(withT3, 0, 401)).toBe(-1)
  })

  it('computes footpaths between near stops only, both ways, in whole metres and seconds', () => {
    const tt = buildTimetable(tiny())
    const ab = distanceMetres({ lat: 52.37, lon: 4.89 }, { lat: 52.375, lon: 4.89 })
    expect(ab).toBeGreaterThan(defaultWalkingOptions.maxTransferM)
    const pairs = tt.transfers.map(t => `${t.from_stop_id}${t.to_stop_id}`).sort()
    expect(pairs).toEqual(['BC', 'CB'])
    const bc = tt.transfers[0]
    expect(Number.isInteger(bc.distance_m) && Number.isInteger(bc.min_transfer_time)).toBe(true)
    expect(bc.min_transfer_time).toBe(Math.ceil((bc.distance_m * 1000) / defaultWalkingOptions.speedMmPerS))
  })

  it('refuses unknown ids and times that go backwards with TimetableError', () => {
    const bad = tiny()
    bad.stop_times[1] = { ...bad.stop_times[1], arrival_time: 50, departure_time: 50 }
    expect(() => buildTimetable(bad)).toThrow(expect.objectContaining({ name: 'TimetableError' }))
    const unknown = tiny()
    unknown.trips.push({ trip_id: 'x', route_id: 'nope' })
    expect(() => buildTimetable(unknown)).toThrow(expect.objectContaining({ name: 'TimetableError' }))
    const fractional = tiny()
    fractional.stop_times[0] = { ...fractional.stop_times[0], arrival_time: 1.5 }
    expect(() => buildTimetable(fractional)).toThrow(expect.objectContaining({ name: 'TimetableError' }))
  })
})

describe('generateDistrictNetwork', () => {
  it('is deterministic per seed', () => {
    const a = generateDistrictNetwork({ seed: 9, stops: 50, lines: 5, trips: 100 })
    expect(generateDistrictNetwork({ seed: 9, stops: 50, lines: 5, trips: 100 })).toEqual(a)
    expect(generateDistrictNetwork({ seed: 10, stops: 50, lines: 5, trips: 100 })).not.toEqual(a)
    expect(generateOnDemandLegs(a, { seed: 3 })).toEqual(generateOnDemandLegs(a, { seed: 3 }))
  })

  it('reaches 1,000 stops and 10,000 trips, all of them usable', () => {
    const feed = generateDistrictNetwork({ seed: 42, stops: 1_024, lines: 64, trips: 10_000, stopsPerLine: 30 })
    expect(feed.stops.length).toBeGreaterThanOrEqual(1_000)
    expect(feed.trips.length).toBeGreaterThanOrEqual(10_000)
    const tt = buildTimetable(feed)
    expect(tt.tripCount).toBe(feed.trips.length)
    expect(tt.patterns.length).toBe(2 * 64) // one pattern per line and direction: trips never overtake
    expect(computeTransfers(feed.stops).length).toBe(tt.transfers.length)
  })

  it('prices on-demand legs in whole nanos, grams, metres and seconds', () => {
    const feed = generateDistrictNetwork({ seed: 1 })
    for (const o of generateOnDemandLegs(feed, { seed: 1, count: 50 })) {
      for (const v of [o.price, o.co2, o.distance, o.durationS, o.availableFrom!, o.availableUntil!])
        expect(Number.isSafeInteger(v)).toBe(true)
      expect(o.availableFrom!).toBeLessThanOrEqual(o.availableUntil!)
    }
  })
})
