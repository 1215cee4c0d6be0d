import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Mode, generateDistrictNetwork, generateOnDemandLegs, type Coordinate, type Feed, type GtfsStopTime } from '../src/index.ts'

/**
 * What the generators promise, checked on their output with geometry written here: the jittered grid of stops,
 * lines as paths between grid neighbours that never revisit a stop, bus and tram kinds, trips both ways at a
 * fixed headway inside the service window, hop times from distance and speed, dwell at middle stops only; and
 * on-demand offers priced, timed and placed as their kinds say.
 */
const EARTH_M = 6_371_008
const RAD = Math.PI / 180
const metres = (a: Coordinate, b: Coordinate): number => {
  const h =
    Math.sin(((b.lat - a.lat) * RAD) / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(((b.lon - a.lon) * RAD) / 2) ** 2
  return Math.round(2 * EARTH_M * Math.asin(Math.sqrt(h)))
}
const at = (feed: Feed, stopId: string): Coordinate => {
  const s = feed.stops.find(x => x.stop_id === stopId)!
  return { lat: s.stop_lat, lon: s.stop_lon }
}
const byTrip = (feed: Feed): Map<string, GtfsStopTime[]> => {
  const out = new Map<string, GtfsStopTime[]>()
  for (const st of feed.stop_times) out.set(st.trip_id, [...(out.get(st.trip_id) ?? []), st])
  return out
}

describe('generateDistrictNetwork', () => {
  // 14 stops on a 4 × 4 grid: the last row is short; 5 lines, so that line 4 is a tram
  const o = {
    seed: 5,
    stops: 14,
    lines: 5,
    trips: 40,
    stopsPerLine: 6,
    spacingM: 250,
    serviceStart: 6 * 3600,
    serviceEnd: 8 * 3600,
    center: { lat: 60, lon: 10 }
  }
  // generated in each test, not when the file is collected: a mutation test switches the code under test per test
  const network = (): Feed => generateDistrictNetwork(o)
  const side = 4
  const cell = (stopId: string): [number, number] => {
    const i = Number(stopId.slice(1))
    return [Math.floor(i / side), i % side]
  }

  it('lays the stops on a square grid around the centre, each within 20 % of the spacing of its point', () => {
    const feed = network()
    expect(feed.stops.map(s => s.stop_id)).toEqual(Array.from({ length: 14 }, (_, i) => `S${i}`))
    for (const s of feed.stops) {
      const [row, col] = cell(s.stop_id)
      expect(s.stop_name).toBe(`Stop ${row}-${col}`)
      const north = (s.stop_lat - o.center.lat) * 111_320
      const east = (s.stop_lon - o.center.lon) * 111_320 * Math.cos(o.center.lat * RAD)
      expect(Math.abs(north - (row - side / 2) * o.spacingM)).toBeLessThanOrEqual(0.2 * o.spacingM + 1)
      expect(Math.abs(east - (col - side / 2) * o.spacingM)).toBeLessThanOrEqual(0.2 * o.spacingM + 1)
    }
    // jittered: no stop exactly on its grid point
    const offGrid = feed.stops.filter(s => {
      const [row] = cell(s.stop_id)
      return Math.abs((s.stop_lat - o.center.lat) * 111_320 - (row - side / 2) * o.spacingM) > 1
    })
    expect(offGrid.length).toBeGreaterThan(7)
  })

  it('names one route per line, every fifth a tram, the others buses, with their fares and CO₂', () => {
    const feed = network()
    expect(feed.routes).toEqual(
      Array.from({ length: 5 }, (_, l) => ({
        route_id: `L${l}`,
        route_short_name: `${l}`,
        route_type: l === 4 ? 0 : 3,
        agency_id: 'district-transit',
        fare: l === 4 ? 600_000_000 : 400_000_000,
        co2_per_km: l === 4 ? 25 : 70
      }))
    )
  })

  it('runs each line both ways along a path of grid neighbours that never revisits a stop', () => {
    const feed = network()
    const trips = byTrip(feed)
    for (const route of feed.routes) {
      const ids = feed.trips.filter(t => t.route_id === route.route_id).map(t => t.trip_id)
      const out = ids.filter(id => id.startsWith(`${route.route_id}-0-`))
      const back = ids.filter(id => id.startsWith(`${route.route_id}-1-`))
      expect(out.length).toBeGreaterThan(0)
      expect(back.length).toBe(out.length)
      expect(out.length + back.length).toBe(ids.length)
      expect(out).toEqual(out.map((_, k) => `${route.route_id}-0-${k}`))
      const path = trips.get(out[0])!.map(st => st.stop_id)
      expect(trips.get(back[0])!.map(st => st.stop_id)).toEqual([...path].reverse())
      expect(new Set(path).size).toBe(path.length)
      expect(path.length).toBeLessThanOrEqual(o.stopsPerLine)
      for (let i = 1; i < path.length; i++) {
        const [r0, c0] = cell(path[i - 1])
        const [r1, c1] = cell(path[i])
        expect(Math.abs(r1 - r0) + Math.abs(c1 - c0)).toBe(1)
      }
      if (path.length < o.stopsPerLine) {
        // stopped short: every grid neighbour of its last stop is taken or off the grid
        const [r, c] = cell(path.at(-1)!)
        for (const [dr, dc] of [
          [0, 1],
          [1, 0],
          [0, -1],
          [-1, 0]
        ]) {
          const [nr, nc] = [r + dr, c + dc]
          if (nr < 0 || nc < 0 || nc >= side || nr * side + nc >= o.stops) continue
          expect(path).toContain(`S${nr * side + nc}`)
        }
      }
      for (const id of ids) expect(feed.trips.find(t => t.trip_id === id)!.wheelchair_accessible).toBe(1)
    }
    expect(feed.trips.length).toBeGreaterThanOrEqual(o.trips)
  })

  it('times each trip from distance and speed, with 20 s at middle stops, a fixed headway, inside the window', () => {
    const feed = network()
    const trips = byTrip(feed)
    for (const route of feed.routes) {
      const speed = route.route_type === 0 ? 8 : 7
      for (const dir of [0, 1]) {
        const ids = feed.trips.filter(t => t.trip_id.startsWith(`${route.route_id}-${dir}-`)).map(t => t.trip_id)
        const starts = ids.map(id => trips.get(id)![0].departure_time)
        expect(starts[0]).toBeGreaterThanOrEqual(o.serviceStart)
        const headway = ids.length > 1 ? starts[1] - starts[0] : undefined
        if (headway != null) {
          expect(headway).toBe(Math.max(60, Math.floor((o.serviceEnd - o.serviceStart) / ids.length)))
          expect(starts[0]).toBeLessThan(o.serviceStart + headway)
          for (let k = 1; k < starts.length; k++) expect(starts[k] - starts[k - 1]).toBe(headway)
        }
        expect(starts.at(-1)!).toBeLessThan(o.serviceEnd)
        for (const id of ids) {
          const sts = trips.get(id)!
          expect(sts.map(st => st.stop_sequence)).toEqual(sts.map((_, i) => i + 1))
          sts.forEach((st, i) => {
            expect(st.departure_time - st.arrival_time).toBe(i === 0 || i === sts.length - 1 ? 0 : 20)
            if (i > 0) {
              const hop = Math.ceil(metres(at(feed, sts[i - 1].stop_id), at(feed, st.stop_id)) / speed)
              expect(st.arrival_time - sts[i - 1].departure_time).toBe(hop)
            }
          })
        }
      }
    }
  })

  it('spreads the trips over the lines by weight, each line from its own offset', () => {
    const feed = network()
    const trips = byTrip(feed)
    const counts = feed.routes.map(r => feed.trips.filter(t => t.route_id === r.route_id).length)
    expect(new Set(counts).size).toBeGreaterThan(1)
    const firsts = feed.routes.map(r => trips.get(`${r.route_id}-0-0`)![0].departure_time)
    expect(firsts.some(t => t > o.serviceStart)).toBe(true)
  })

  it('runs a line of two stops', () => {
    const two = generateDistrictNetwork({ seed: 6, stops: 16, lines: 3, trips: 12, stopsPerLine: 2 })
    for (const r of two.routes) expect(two.trips.filter(t => t.route_id === r.route_id).length).toBeGreaterThan(0)
  })

  it('gives a line of one stop a route and no trips', () => {
    const single = generateDistrictNetwork({ seed: 2, stops: 9, lines: 2, trips: 10, stopsPerLine: 1 })
    expect(single.routes).toHaveLength(2)
    expect(single.trips).toEqual([])
    expect(single.stop_times).toEqual([])
  })

  it('keeps at least 60 s between trips, and runs at least one trip each way', () => {
    const dense = generateDistrictNetwork({ seed: 3, stops: 9, lines: 1, trips: 400, stopsPerLine: 3, serviceStart: 0, serviceEnd: 3_000 })
    const starts = byTrip(dense)
    const out = dense.trips.filter(t => t.trip_id.startsWith('L0-0-')).map(t => starts.get(t.trip_id)![0].departure_time)
    expect(out[1] - out[0]).toBe(60)
    const sparse = generateDistrictNetwork({ seed: 3, stops: 9, lines: 3, trips: 1, stopsPerLine: 3 })
    for (const l of [0, 1, 2])
      expect(sparse.trips.filter(t => t.route_id === `L${l}`).map(t => t.trip_id)).toEqual([`L${l}-0-0`, `L${l}-1-0`])
  })
})

describe('generateOnDemandLegs', () => {
  const feed = generateDistrictNetwork({ seed: 4, stops: 64, lines: 4, trips: 40 }) // input only
  const kinds = {
    [Mode.BICYCLE]: { speed: 4.5, unlock: 100_000_000, perMin: 30_000_000, co2PerKm: 10 },
    [Mode.SCOOTER]: { speed: 5, unlock: 150_000_000, perMin: 60_000_000, co2PerKm: 40 },
    [Mode.CAR]: { speed: 8, unlock: 500_000_000, perMin: 100_000_000, co2PerKm: 90 }
  } as Record<string, { speed: number; unlock: number; perMin: number; co2PerKm: number }>
  const where = (p: { stopId: string } | Coordinate): Coordinate => ('stopId' in p ? at(feed, p.stopId) : p)

  it('prices, times and places each offer as its kind says', () => {
    const o = { seed: 7, count: 60, start: 7 * 3600, end: 9 * 3600, coordinateShare: 0.5, maxRideM: 2_000 }
    const offers = generateOnDemandLegs(feed, o)
    expect(offers.map(x => x.id)).toEqual(offers.map((_, i) => `od-${i}`))
    expect(new Set(offers.map(x => x.mode))).toEqual(new Set([Mode.BICYCLE, Mode.SCOOTER, Mode.CAR]))
    for (const x of offers) {
      const k = kinds[x.mode]
      expect(x.provider).toBe(`${x.mode.toLowerCase()}-share`)
      expect(x.distance).toBe(Math.round(metres(where(x.from), where(x.to)) * 1.3))
      expect(x.durationS).toBe(60 + Math.ceil(x.distance / k.speed))
      expect(x.price).toBe(k.unlock + Math.ceil(x.durationS / 60) * k.perMin)
      expect(x.co2).toBe(Math.round((x.distance * k.co2PerKm) / 1000))
      expect(x.availableFrom!).toBeGreaterThanOrEqual(o.start)
      expect(x.availableUntil!).toBeLessThan(o.end)
      expect(x.availableFrom!).toBeLessThanOrEqual(x.availableUntil!)
      // a ride is at most maxRideM in a straight line
      expect(metres(where(x.from), where(x.to))).toBeLessThanOrEqual(o.maxRideM + 1)
      for (const p of [x.from, x.to]) {
        if ('stopId' in p) continue
        expect(Math.round(p.lat * 1e6) / 1e6).toBe(p.lat)
        expect(Math.round(p.lon * 1e6) / 1e6).toBe(p.lon)
      }
      // a free starting point is at most 200 m from a stop
      if (!('stopId' in x.from))
        expect(Math.min(...feed.stops.map(s => metres(x.from as Coordinate, at(feed, s.stop_id))))).toBeLessThanOrEqual(201)
    }
    expect(offers.some(x => 'stopId' in x.from) && offers.some(x => !('stopId' in x.from))).toBe(true)
    expect(new Set(offers.map(x => x.availableFrom)).size).toBeGreaterThan(30)
    // windows, not instants
    expect(offers.filter(x => x.availableFrom! < x.availableUntil!).length).toBeGreaterThan(50)
  })

  it('places every endpoint at a stop when no share is coordinates, and none when all are', () => {
    const atStops = generateOnDemandLegs(feed, { seed: 8, count: 30, coordinateShare: 0, maxRideM: 5_000 })
    expect(atStops.every(x => 'stopId' in x.from && 'stopId' in x.to)).toBe(true)
    // drawn from all the stops, not one
    expect(new Set(atStops.map(x => (x.from as { stopId: string }).stopId)).size).toBeGreaterThan(10)
    expect(new Set(atStops.map(x => (x.to as { stopId: string }).stopId)).size).toBeGreaterThan(10)
    const free = generateOnDemandLegs(feed, { seed: 8, count: 30, coordinateShare: 1 })
    expect(free.every(x => !('stopId' in x.from) && !('stopId' in x.to))).toBe(true)
    // a free start up to 200 m from a stop, a free end up to maxRideM (3,000 m) from the start, in every direction
    const start = (x: (typeof free)[number]): Coordinate => x.from as Coordinate
    const end = (x: (typeof free)[number]): Coordinate => x.to as Coordinate
    const nearest = (c: Coordinate): number => Math.min(...feed.stops.map(s => metres(c, at(feed, s.stop_id))))
    expect(free.some(x => nearest(start(x)) > 50)).toBe(true)
    const nearestStop = (c: Coordinate): number => feed.stops.findIndex(s => metres(c, at(feed, s.stop_id)) === nearest(c))
    expect(new Set(free.map(x => nearestStop(start(x)))).size).toBeGreaterThan(10)
    expect(free.some(x => metres(start(x), end(x)) > 1_000)).toBe(true)
    expect(free.some(x => end(x).lat < start(x).lat)).toBe(true)
    expect(free.some(x => end(x).lon < start(x).lon)).toBe(true)
  })

  it('reads its defaults: ten offers between 05:00 and 24:00, seed 1', () => {
    const offers = generateOnDemandLegs(feed)
    expect(offers).toHaveLength(10)
    expect(offers).toEqual(generateOnDemandLegs(feed, { seed: 1 }))
    for (const x of offers) {
      expect(x.availableFrom!).toBeGreaterThanOrEqual(5 * 3600)
      expect(x.availableUntil!).toBeLessThan(24 * 3600)
    }
  })
})

describe('a seed gives the same feed from one version to the next', () => {
  // what a seed produces is part of the contract: simulations and benchmarks name their seeds. Digests of the JSON,
  // fractions to 6 decimals (a last-bit difference in a sine must not change them)
  const digest = (x: unknown): string =>
    createHash('sha256')
      .update(JSON.stringify(x, (_, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(6)) : v)))
      .digest('hex')
      .slice(0, 16)

  it('seed 11: 30 stops, 6 lines, and 20 on-demand offers', () => {
    const feed = generateDistrictNetwork({ seed: 11, stops: 30, lines: 6, trips: 60, stopsPerLine: 8 })
    expect(digest(feed)).toBe('33605b9b5ddf305f')
    expect(digest(generateOnDemandLegs(feed, { seed: 11, count: 20 }))).toBe('c2608ad7b92107e5')
  })
})
