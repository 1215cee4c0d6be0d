import { seededRandom } from '@kvartal/protocol'
import { describe, expect, it } from 'vitest'
import { distanceMetres, generateDistrictNetwork, generateOnDemandLegs, type Feed } from '../src/index.ts'

/**
 * The generators at the edges of their draws: a line that meets the grid's edges on a small grid, a draw equal to
 * a threshold, the last try for a stop within reach, a stop at exactly the longest ride. The draws are those of
 * `seededRandom` (mulberry32), read here in the order the generator makes them.
 */
const stopOf = (p: object): string | undefined => ('stopId' in p ? (p.stopId as string) : undefined)

describe('generateDistrictNetwork: the path of a line', () => {
  it('never comes back to a stop, its first included, where the grid edges turn it', () => {
    // 3 × 3 stops and lines of up to 9: a line is turned at every edge, and could run round back onto itself
    for (const seed of [1, 2, 3]) {
      const feed = generateDistrictNetwork({ seed, stops: 9, lines: 60, trips: 120, stopsPerLine: 9 })
      const first = new Map<string, string[]>()
      for (const st of feed.stop_times)
        if (st.trip_id.endsWith('-0-0')) first.set(st.trip_id, [...(first.get(st.trip_id) ?? []), st.stop_id])
      expect(first.size).toBe(60)
      const lengths = [...first.values()].map(p => p.length)
      // some lines run long enough to meet three edges
      expect(Math.max(...lengths)).toBeGreaterThanOrEqual(7)
      for (const path of first.values()) expect(new Set(path).size).toBe(path.length)
    }
  })

  it('goes straight on at a draw of exactly 0.25: it turns only below a quarter', () => {
    // 4 × 4 stops; the 36th draw (after 32 jitters, the start row and column and the direction) is exactly 0.25
    const seed = 1_270_947_305
    const rnd = seededRandom(seed)
    for (let i = 0; i < 32; i++) rnd()
    const [row, col, dir, turn] = [Math.floor(rnd() * 4), Math.floor(rnd() * 4), Math.floor(rnd() * 4), rnd()]
    expect([row, col, dir, turn]).toEqual([3, 1, 3, 0.25]) // start at S13, heading north
    const feed = generateDistrictNetwork({ seed, stops: 16, lines: 1, trips: 2, stopsPerLine: 2 })
    const path = feed.stop_times.filter(st => st.trip_id === 'L0-0-0').map(st => st.stop_id)
    // straight on: north to S9 (a left turn would be S12, west)
    expect(path).toEqual(['S13', 'S9'])
  })
})

describe('generateOnDemandLegs: at the edges of its draws', () => {
  const feed = generateDistrictNetwork({ seed: 4, stops: 64, lines: 4, trips: 40 }) // input only
  const draws = (seed: number, n: number): number[] => {
    const rnd = seededRandom(seed)
    return Array.from({ length: n }, () => rnd())
  }

  it('takes a stop when the draw equals the coordinate share: coordinates are the draws below it', () => {
    // offer 0: kind, start stop, share, start stop again (it is a stop); then the end: a stop, share
    const x = draws(7, 6)
    expect(x[2]).toBeGreaterThanOrEqual(x[5])
    const start = generateOnDemandLegs(feed, { seed: 7, count: 1, coordinateShare: x[2] })[0]
    expect(stopOf(start.from)).toBe(feed.stops[Math.floor(x[3] * 64)].stop_id)
    const end = generateOnDemandLegs(feed, { seed: 7, count: 1, coordinateShare: x[5], maxRideM: 1e7 })[0]
    expect(stopOf(end.from)).toBe(feed.stops[Math.floor(x[3] * 64)].stop_id)
    expect(stopOf(end.to)).toBe(feed.stops[Math.floor(x[4] * 64)].stop_id)
  })

  it('looks for a stop within reach 20 times, then draws a free end point', () => {
    // every share draw fails at a share of 1: the start is free (kind, stop, share, angle, radius), the end takes
    // 20 tries of two draws and then an angle and a radius; the window is the next two draws
    const x = draws(3, 49)
    const [o] = generateOnDemandLegs(feed, { seed: 3, count: 1, coordinateShare: 1, start: 0, end: 86_400 })
    expect(stopOf(o.from)).toBeUndefined()
    expect(stopOf(o.to)).toBeUndefined()
    const [a, b] = [Math.floor(x[47] * 86_400), Math.floor(x[48] * 86_400)]
    expect([o.availableFrom, o.availableUntil]).toEqual([Math.min(a, b), Math.max(a, b)])
  })

  it('reaches a stop exactly the longest ride away', () => {
    // two stops; the longest ride is the distance between them, to the last bit
    const two: Feed = {
      stops: [
        { stop_id: 'A', stop_name: 'A', stop_lat: 52.37, stop_lon: 4.89 },
        { stop_id: 'B', stop_name: 'B', stop_lat: 52.38, stop_lon: 4.9 }
      ],
      routes: [],
      trips: [],
      stop_times: []
    }
    const d = distanceMetres({ lat: 52.37, lon: 4.89 }, { lat: 52.38, lon: 4.9 })
    expect(distanceMetres({ lat: 52.38, lon: 4.9 }, { lat: 52.37, lon: 4.89 })).toBe(d)
    const offers = generateOnDemandLegs(two, { seed: 5, count: 20, coordinateShare: 0, maxRideM: d })
    const pairs = offers.map(x => `${stopOf(x.from)}-${stopOf(x.to)}`)
    expect(pairs.filter(p => p === 'A-B' || p === 'B-A').length).toBeGreaterThan(3)
    expect(pairs.every(p => ['A-A', 'A-B', 'B-A', 'B-B'].includes(p))).toBe(true)
  })
})
