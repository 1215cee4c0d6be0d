import { describe, expect, it } from 'vitest'
import { seededRandom } from '@kvartal/protocol'
import {
  Mode,
  buildTimetable,
  enumerateParetoCriteria,
  generateDistrictNetwork,
  generateOnDemandLegs,
  offsetMetres,
  type JourneyQuery,
  type PlaceRef
} from '../src/index.ts'
import { referenceJourneys, withTransfers, type RefCriteria } from './gtfs-reference.ts'

/**
 * `enumerateParetoCriteria` (src/reference.ts, the exhaustive enumeration offered for tests of the planner) against
 * `referenceJourneys` (test/gtfs-reference.ts), which shares no helper with it and reads the raw GTFS tables: on
 * small seeded networks with on-demand legs, a service calendar and explicit transfers, both Pareto sets are equal.
 */
const key = (c: RefCriteria): string => [c.arrivalTime, c.price, c.co2, c.transfers, c.walkingMetres].join(',')

const inOrder = (a: RefCriteria, b: RefCriteria): boolean => {
  const x = [a.arrivalTime, a.price, a.co2, a.transfers, a.walkingMetres]
  const y = [b.arrivalTime, b.price, b.co2, b.transfers, b.walkingMetres]
  const k = x.findIndex((v, i) => v !== y[i])
  return k >= 0 && x[k] < y[k]
}

function seededCase(seed: number) {
  const generated = generateDistrictNetwork({
    seed,
    stops: 16,
    lines: 5,
    trips: 60,
    stopsPerLine: 5,
    serviceStart: 7 * 3600,
    serviceEnd: 9 * 3600
  })
  const rnd = seededRandom(seed * 13 + 5)
  // half the trips run on weekdays only: Saturday 20 June 2026 boards the other half
  const trips = generated.trips.map(t => ({
    ...t,
    service_id: rnd() < 0.5 ? 'weekdays' : 'daily',
    wheelchair_accessible: rnd() < 0.3 ? 2 : 1
  }))
  // a wheelchair can neither board nor alight at one stop in four
  const stops = generated.stops.map((s, i) => (i % 4 === 1 ? { ...s, wheelchair_boarding: 2 } : s))
  const days = (weekend: number) => ({ monday: 1, tuesday: 1, wednesday: 1, thursday: 1, friday: 1, saturday: weekend, sunday: weekend })
  const calendar = [
    { service_id: 'weekdays', ...days(0), start_date: 20260101, end_date: 20261231 },
    { service_id: 'daily', ...days(1), start_date: 20260101, end_date: 20261231 }
  ]
  const feed = withTransfers({ ...generated, stops, trips, calendar }, () => Math.floor(rnd() * 60))
  const offers = generateOnDemandLegs(feed, { seed, count: 6, start: 7 * 3600, end: 9 * 3600 })
  const place = (coord: boolean): PlaceRef => {
    const s = feed.stops[Math.floor(rnd() * feed.stops.length)]
    return coord
      ? offsetMetres({ lat: s.stop_lat, lon: s.stop_lon }, Math.round((rnd() - 0.5) * 200), Math.round((rnd() - 0.5) * 200))
      : { stopId: s.stop_id }
  }
  const queries: JourneyQuery[] = Array.from({ length: 8 }, (_, i) => ({
    from: place(i % 2 === 1),
    to: place(i % 3 === 2),
    departAfter: 7 * 3600 + Math.floor(rnd() * 1800),
    maxTransfers: 2,
    maxWalkingM: 900,
    serviceDate: [20260616, 20260620, undefined][i % 3]
  }))
  return { feed, tt: buildTimetable(feed), offers, queries }
}

describe('enumerateParetoCriteria = an independent reference on raw GTFS tables', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}`, () => {
      const { feed, tt, offers, queries } = seededCase(seed)
      let compared = 0
      const differ = { wheelchair: 0, modes: 0 }
      const compare = (q: JourneyQuery, i: number): string[] => {
        const { pareto, enumerated } = enumerateParetoCriteria(tt, q, offers)
        const ref = referenceJourneys(feed, q, offers)
        // by arrival, then price, CO₂, transfers, walking
        for (let k = 1; k < pareto.length; k++) expect(inOrder(pareto[k - 1], pareto[k]), `query ${i}`).toBe(true)
        expect(pareto.map(key).sort(), `query ${i}`).toEqual(ref.map(key).sort())
        expect(enumerated).toBeGreaterThanOrEqual(pareto.length)
        compared += ref.length
        return ref.map(key).sort()
      }
      for (const [i, q] of queries.entries()) {
        const plain = compare(q, i)
        // the same query for a wheelchair, without trams and cars, and with a walking budget that the longest walk
        // of the answer just fits (walks of exactly the budget are allowed)
        if (compare({ ...q, wheelchair: true }, i).join() !== plain.join()) differ.wheelchair++
        if (compare({ ...q, modes: [Mode.BUS, Mode.BICYCLE, Mode.SCOOTER] }, i).join() !== plain.join()) differ.modes++
        const longest = Math.max(0, ...referenceJourneys(feed, q, offers).map(c => c.walkingMetres))
        expect(compare({ ...q, maxWalkingM: longest }, i)).toEqual(plain)
      }
      expect(compared).toBeGreaterThan(0)
      // the wheelchair and the modes change some answers, so those comparisons are not vacuous
      expect(differ.wheelchair).toBeGreaterThan(0)
      expect(differ.modes).toBeGreaterThan(0)
    })
  }
})

describe('enumerateParetoCriteria, by hand', () => {
  const feed = {
    stops: [
      { stop_id: 'A', stop_name: 'A', stop_lat: 52.37, stop_lon: 4.89 },
      { stop_id: 'B', stop_name: 'B', stop_lat: 52.39, stop_lon: 4.89 }
    ],
    routes: [],
    trips: [],
    stop_times: []
  }
  const bike = {
    id: 'bike',
    provider: 'p',
    mode: Mode.BICYCLE,
    from: { stopId: 'A' },
    to: { stopId: 'B' },
    durationS: 600,
    price: 5,
    co2: 1,
    distance: 2_200,
    availableFrom: 0
  }

  it('takes an on-demand leg at second 0 of the service day', () => {
    const q = { from: { stopId: 'A' }, to: { stopId: 'B' }, departAfter: 0 }
    expect(enumerateParetoCriteria(buildTimetable(feed), q, [bike]).pareto).toEqual([
      { arrivalTime: 600, price: 5, co2: 1, transfers: 0, walkingMetres: 0 }
    ])
  })

  it('has no offers unless given some', () => {
    const q = { from: { stopId: 'A' }, to: { stopId: 'B' }, departAfter: 0 }
    expect(enumerateParetoCriteria(buildTimetable(feed), q)).toEqual({ pareto: [], enumerated: 0 })
  })
})
