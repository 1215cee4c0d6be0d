import { describe, expect, it } from 'vitest'
import {
  Mode,
  bothMasks,
  buildTimetable,
  computeTransfers,
  earliestTrip,
  modeOfRouteType,
  tripsRunning,
  walkSeconds,
  walkedMetres,
  wheelchairBlockedStops,
  wheelchairTrips,
  type Feed,
  type GtfsStopTime
} from '../src/index.ts'

/**
 * The edges of timetable.ts: each refusal of `buildTimetable` with its words and the value it names, the bounds
 * it accepts (0 and equal times), how trips are sorted and split into FIFO patterns, the CO₂ of each segment,
 * explicit transfers, the wheelchair and calendar masks, and `earliestTrip` over trips that do not run.
 */
const stopTimes = (trip: string, times: Array<[string, number, number]>): GtfsStopTime[] =>
  times.map(([stop_id, arrival_time, departure_time], i) => ({
    trip_id: trip,
    stop_id,
    arrival_time,
    departure_time,
    stop_sequence: i + 1
  }))

const base = (): Feed => ({
  stops: [
    { stop_id: 'A', stop_name: 'A', stop_lat: 52.37, stop_lon: 4.89 },
    { stop_id: 'B', stop_name: 'B', stop_lat: 52.38, stop_lon: 4.89 },
    { stop_id: 'C', stop_name: 'C', stop_lat: 52.39, stop_lon: 4.89 }
  ],
  routes: [{ route_id: 'R', route_type: 3, fare: 10, co2_per_km: 70 }],
  trips: [{ trip_id: 't1', route_id: 'R' }],
  stop_times: stopTimes('t1', [
    ['A', 100, 100],
    ['B', 200, 210],
    ['C', 300, 300]
  ])
})
const refuses = (feed: Feed, message: string): void => {
  expect(() => buildTimetable(feed)).toThrow(expect.objectContaining({ name: 'TimetableError', message }))
}

describe('buildTimetable refuses, naming what is wrong', () => {
  it('a stop_id twice', () => {
    const f = base()
    f.stops.push({ ...f.stops[0] })
    refuses(f, 'stop_id A appears twice in stops')
  })

  it('a fare or CO₂ that is not whole or is negative; 0 is fine', () => {
    for (const fare of [1.5, -1]) refuses({ ...base(), routes: [{ ...base().routes[0], fare }] }, 'route R: fare must be whole nanos')
    for (const co2_per_km of [0.5, -1])
      refuses({ ...base(), routes: [{ ...base().routes[0], co2_per_km }] }, 'route R: co2_per_km must be whole grams')
    const free = buildTimetable({ ...base(), routes: [{ ...base().routes[0], fare: 0, co2_per_km: 0 }] })
    expect(free.patterns[0].co2Cum[2]).toBe(0)
  })

  it('wheelchair fields other than 0, 1 or 2', () => {
    const f = base()
    f.stops[1] = { ...f.stops[1], wheelchair_boarding: 3 }
    refuses(f, 'stop B: wheelchair_boarding must be 0, 1 or 2, got 3')
    refuses(
      { ...base(), trips: [{ trip_id: 't1', route_id: 'R', wheelchair_accessible: -1 }] },
      'trip t1: wheelchair_accessible must be 0, 1 or 2, got -1'
    )
    for (const v of [0, 1, 2]) {
      const ok = base()
      ok.stops[0] = { ...ok.stops[0], wheelchair_boarding: v }
      ok.trips[0] = { ...ok.trips[0], wheelchair_accessible: v }
      expect(buildTimetable(ok).patterns[0].wheelchair).toEqual(Uint8Array.from([v]))
    }
  })

  it('unknown ids: a route, a service, a trip, a stop, a transfer stop', () => {
    refuses({ ...base(), trips: [{ trip_id: 't1', route_id: 'X' }] }, 'trip t1 names unknown route_id X')
    const calendar = [
      {
        service_id: 'wd',
        monday: 1,
        tuesday: 1,
        wednesday: 1,
        thursday: 1,
        friday: 1,
        saturday: 0,
        sunday: 0,
        start_date: 20260101,
        end_date: 20261231
      }
    ]
    refuses(
      { ...base(), calendar, trips: [{ trip_id: 't1', route_id: 'R', service_id: 'we' }] },
      'trip t1 names service_id we, which neither calendar nor calendar_dates has'
    )
    refuses({ ...base(), stop_times: [...base().stop_times, ...stopTimes('t9', [['A', 0, 0]])] }, 'stop_times names unknown trip_id t9')
    refuses(
      { ...base(), stop_times: [...base().stop_times, ...stopTimes('t1', [['Z', 400, 400]])] },
      'stop_times of trip t1 names unknown stop_id Z'
    )
    const transfer = { from_stop_id: 'A', to_stop_id: 'Z', transfer_type: 2 as const, min_transfer_time: 1, distance_m: 1 }
    refuses({ ...base(), transfers: [transfer] }, 'transfer A→Z names an unknown stop')
    refuses({ ...base(), transfers: [{ ...transfer, from_stop_id: 'Z', to_stop_id: 'A' }] }, 'transfer Z→A names an unknown stop')
  })

  it('times that are not whole seconds from 0, naming the field and the trip', () => {
    const f = (a: number, d: number): Feed => ({
      ...base(),
      stop_times: stopTimes('t1', [
        ['A', a, d],
        ['B', 500, 500]
      ])
    })
    refuses(f(-1, 0), 'arrival_time of trip t1 must be whole seconds since service-day start, got -1')
    refuses(f(0, 0.5), 'departure_time of trip t1 must be whole seconds since service-day start, got 0.5')
    expect(buildTimetable(f(0, 0)).patterns[0].dep[0]).toBe(0)
  })

  it('a trip that goes back in time, at a stop or between two; equal times are fine', () => {
    refuses(
      {
        ...base(),
        stop_times: stopTimes('t1', [
          ['A', 100, 99],
          ['B', 200, 200]
        ])
      },
      'trip t1 goes back in time at stop_sequence 1'
    )
    refuses(
      {
        ...base(),
        stop_times: stopTimes('t1', [
          ['A', 100, 150],
          ['B', 149, 200]
        ])
      },
      'trip t1 goes back in time at stop_sequence 2'
    )
    const tt = buildTimetable({
      ...base(),
      stop_times: stopTimes('t1', [
        ['A', 100, 100],
        ['B', 100, 100],
        ['C', 100, 100]
      ])
    })
    expect([...tt.patterns[0].arr]).toEqual([100, 100, 100])
  })
})

describe('buildTimetable patterns', () => {
  it('sorts a trip by stop_sequence, and leaves out a trip of one stop', () => {
    const f = base()
    f.trips.push({ trip_id: 'lone', route_id: 'R' })
    f.stop_times = [...f.stop_times].reverse().concat(stopTimes('lone', [['A', 5, 5]]))
    const tt = buildTimetable(f)
    expect(tt.tripCount).toBe(1)
    expect(tt.patterns).toHaveLength(1)
    expect([...tt.patterns[0].stops]).toEqual([0, 1, 2])
    expect(tt.patternsAtStop.map(ps => ps.map(x => x.pos))).toEqual([[0], [1], [2]])
  })

  it('keeps trips with equal times, and a trip that leaves together but arrives later, in one pattern, in order', () => {
    const f = base()
    f.trips = ['late', 'same', 't1'].map(trip_id => ({ trip_id, route_id: 'R' }))
    f.stop_times = [
      ...stopTimes('late', [
        ['A', 100, 100],
        ['B', 200, 210],
        ['C', 310, 310]
      ]),
      ...stopTimes('same', [
        ['A', 100, 100],
        ['B', 200, 210],
        ['C', 300, 300]
      ]),
      ...base().stop_times
    ]
    const tt = buildTimetable(f)
    expect(tt.patterns).toHaveLength(1)
    expect(tt.patterns[0].tripIds.at(-1)).toBe('late')
    expect(tt.tripCount).toBe(3)
  })

  it('groups trips by the whole stop sequence: 1 → 12 and 11 → 2 are two patterns', () => {
    const stops = Array.from({ length: 13 }, (_, i) => ({
      stop_id: `S${i}`,
      stop_name: `S${i}`,
      stop_lat: 52.37 + i / 1_000,
      stop_lon: 4.89
    }))
    const tt = buildTimetable({
      stops,
      routes: base().routes,
      trips: [
        { trip_id: 'x', route_id: 'R' },
        { trip_id: 'y', route_id: 'R' }
      ],
      stop_times: [
        ...stopTimes('x', [
          ['S1', 100, 100],
          ['S12', 200, 200]
        ]),
        ...stopTimes('y', [
          ['S11', 300, 300],
          ['S2', 400, 400]
        ])
      ]
    })
    expect(tt.patterns.map(p => [p.tripIds, [...p.stops]])).toEqual([
      [['x'], [1, 12]],
      [['y'], [11, 2]]
    ])
  })

  it('splits a trip that arrives at a middle stop before the one ahead of it', () => {
    const f = base()
    f.trips.push({ trip_id: 'early', route_id: 'R' })
    // leaves A after t1, reaches B before it (199 < 200) though it leaves B after it
    f.stop_times.push(
      ...stopTimes('early', [
        ['A', 150, 150],
        ['B', 199, 215],
        ['C', 310, 310]
      ])
    )
    expect(buildTimetable(f).patterns.map(p => p.tripIds)).toEqual([['t1'], ['early']])
  })

  it('splits a trip that overtakes at a middle stop into a pattern of its own', () => {
    const f = base()
    f.trips.push({ trip_id: 'fast', route_id: 'R' })
    // leaves A after t1 and arrives at B and C after it, but leaves B before it
    f.stop_times.push(
      ...stopTimes('fast', [
        ['A', 150, 150],
        ['B', 205, 205],
        ['C', 305, 305]
      ])
    )
    expect(buildTimetable(f).patterns.map(p => p.tripIds)).toEqual([['t1'], ['fast']])
    const g = base()
    g.trips.push({ trip_id: 'slow', route_id: 'R' })
    // leaves and arrives later everywhere, but arrives at B before t1 leaves it: no overtaking
    g.stop_times.push(
      ...stopTimes('slow', [
        ['A', 150, 150],
        ['B', 205, 215],
        ['C', 301, 301]
      ])
    )
    expect(buildTimetable(g).patterns.map(p => p.tripIds)).toEqual([['t1', 'slow']])
  })

  it('charges the CO₂ of each segment rounded on its own', () => {
    const f = base()
    f.routes = [{ ...f.routes[0], co2_per_km: 45 }]
    const p = buildTimetable(f).patterns[0]
    const d1 = p.distCum[1]
    const d2 = p.distCum[2] - p.distCum[1]
    expect(p.co2Cum[1]).toBe(Math.round((d1 * 45) / 1000))
    expect(p.co2Cum[2]).toBe(Math.round((d1 * 45) / 1000) + Math.round((d2 * 45) / 1000))
  })

  it('maps GTFS route types to modes, any other type to a bus', () => {
    expect([0, 1, 2, 3, 4, 5, 700].map(modeOfRouteType)).toEqual([
      Mode.TRAM,
      Mode.METRO,
      Mode.RAIL,
      Mode.BUS,
      Mode.FERRY,
      Mode.BUS,
      Mode.BUS
    ])
  })
})

describe('footpaths', () => {
  it('reads a feed’s transfers, leaving out a stop’s transfer to itself', () => {
    const t = (from: string, to: string, s: number) => ({
      from_stop_id: from,
      to_stop_id: to,
      transfer_type: 2 as const,
      min_transfer_time: s,
      distance_m: s * 2
    })
    const tt = buildTimetable({ ...base(), transfers: [t('A', 'C', 30), t('B', 'B', 5), t('C', 'A', 40)] })
    expect(tt.footpaths).toEqual([[{ to: 2, seconds: 30, metres: 60 }], [], [{ to: 0, seconds: 40, metres: 80 }]])
  })

  it('walks 1.3 × the straight line at 1.2 m/s, rounded up to whole seconds', () => {
    const o = { speedMmPerS: 1_200, detourPercent: 130, maxTransferM: 400 }
    expect(walkedMetres(100, o)).toBe(130)
    expect(walkedMetres(101, o)).toBe(131)
    expect(walkSeconds(130, o)).toBe(109)
    expect(walkSeconds(120, o)).toBe(100)
    const stops = [
      { stop_id: 'A', stop_name: 'A', stop_lat: 52.37, stop_lon: 4.89 },
      { stop_id: 'B', stop_name: 'B', stop_lat: 52.3709, stop_lon: 4.89 }
    ]
    expect(
      computeTransfers(stops, { ...o, detourPercent: 100, speedMmPerS: 1_000 }).map(t => [
        t.from_stop_id,
        t.distance_m,
        t.min_transfer_time
      ])
    ).toEqual([
      ['A', 100, 100],
      ['B', 100, 100]
    ])
    expect(computeTransfers(stops, { ...o, maxTransferM: 99 })).toEqual([])
  })
})

describe('masks', () => {
  const twoTrips = (): Feed => ({
    ...base(),
    trips: [
      { trip_id: 't1', route_id: 'R', service_id: 'wd', wheelchair_accessible: 1 },
      { trip_id: 't2', route_id: 'R', service_id: '' }
    ],
    stop_times: [
      ...base().stop_times,
      ...stopTimes('t2', [
        ['A', 400, 400],
        ['B', 500, 500],
        ['C', 600, 600]
      ])
    ],
    calendar: [
      {
        service_id: 'wd',
        monday: 1,
        tuesday: 1,
        wednesday: 1,
        thursday: 1,
        friday: 1,
        saturday: 0,
        sunday: 0,
        start_date: 20260101,
        end_date: 20261231
      }
    ]
  })

  it('runs a trip with an empty service_id every day, and a trip of a service on its days only', () => {
    const tt = buildTimetable(twoTrips())
    expect(tt.patterns[0].serviceIds).toEqual(['wd', undefined])
    expect(tripsRunning(tt, 20260616)).toEqual([Uint8Array.from([1, 1])])
    expect(tripsRunning(tt, 20260620)).toEqual([Uint8Array.from([0, 1])])
    expect(tripsRunning(tt, undefined)).toBeUndefined()
    // cached: the same masks again for a date asked before, also after another date
    const saturday = tripsRunning(tt, 20260620)
    expect(tripsRunning(tt, 20260616)).toBe(tripsRunning(tt, 20260616))
    expect(tripsRunning(tt, 20260620)).toBe(saturday)
    // more dates than the cache holds, then the first again
    for (const d of [20260615, 20260617, 20260618, 20260619, 20260621]) tripsRunning(tt, d)
    expect(tripsRunning(tt, 20260620)).toEqual([Uint8Array.from([0, 1])])
    const noCalendar = buildTimetable({ ...twoTrips(), calendar: undefined })
    expect(noCalendar.patterns[0].serviceIds).toBeUndefined()
    expect(tripsRunning(noCalendar, 20260620)).toBeUndefined()
  })

  it('runs a trip without a service_id every day in a feed with a calendar', () => {
    const f = twoTrips()
    f.trips[1] = { trip_id: 't2', route_id: 'R' }
    const tt = buildTimetable(f)
    expect(tt.patterns[0].serviceIds).toEqual(['wd', undefined])
    expect(tripsRunning(tt, 20260620)).toEqual([Uint8Array.from([0, 1])])
  })

  it('leaves out the time zone and the calendar when the feed has none', () => {
    const tt = buildTimetable(base())
    expect('timezone' in tt).toBe(false)
    expect('calendar' in tt).toBe(false)
    const zoned = buildTimetable({ ...twoTrips(), timezone: 'Europe/Oslo' })
    expect(zoned.timezone).toBe('Europe/Oslo')
    expect(zoned.calendar?.knows('wd')).toBe(true)
  })

  it('offers a wheelchair only the trips known to have room, and flags the stops that rule it out', () => {
    const f = twoTrips()
    const tt = buildTimetable(f)
    expect(wheelchairTrips(tt)).toEqual([Uint8Array.from([1, 0])])
    expect(wheelchairTrips(tt)).toBe(wheelchairTrips(tt))
    expect(wheelchairBlockedStops(tt)).toBeUndefined()
    f.stops[1] = { ...f.stops[1], wheelchair_boarding: 2 }
    f.stops[2] = { ...f.stops[2], wheelchair_boarding: 1 }
    expect(wheelchairBlockedStops(buildTimetable(f))).toEqual(Uint8Array.from([0, 1, 0]))
  })

  it('boards a trip only when both masks allow it', () => {
    const a = [Uint8Array.from([1, 1, 0]), Uint8Array.from([0])]
    const b = [Uint8Array.from([1, 0, 1]), Uint8Array.from([1])]
    expect(bothMasks(a, b)).toEqual([Uint8Array.from([1, 0, 0]), Uint8Array.from([0])])
    expect(bothMasks(undefined, b)).toBe(b)
    expect(bothMasks(a, undefined)).toBe(a)
    expect(bothMasks(undefined, undefined)).toBeUndefined()
  })

  it('finds the earliest trip that runs, at or after a time, or none', () => {
    const f = base()
    f.trips = ['t1', 't2', 't3'].map(trip_id => ({ trip_id, route_id: 'R' }))
    f.stop_times = [100, 200, 300].flatMap((t, k) =>
      stopTimes(`t${k + 1}`, [
        ['A', t, t],
        ['B', t + 50, t + 50]
      ])
    )
    const p = buildTimetable(f).patterns[0]
    expect([99, 100, 101, 200, 300, 301].map(t => earliestTrip(p, 0, t))).toEqual([0, 0, 1, 1, 2, -1])
    expect(earliestTrip(p, 1, 250)).toBe(1)
    expect(earliestTrip(p, 0, 100, Uint8Array.from([0, 0, 1]))).toBe(2)
    expect(earliestTrip(p, 0, 100, Uint8Array.from([0, 1, 0]))).toBe(1)
    expect(earliestTrip(p, 0, 100, Uint8Array.from([0, 0, 0]))).toBe(-1)
  })
})
