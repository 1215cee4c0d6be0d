import { describe, expect, it } from 'vitest'
import { GridIndex, distanceMetres, offsetMetres, type Coordinate } from '../src/index.ts'

/**
 * The edges of geo.ts: the direction and size of `offsetMetres`, and `GridIndex.within` at the rim of its search
 * window (the spare cell on the far side), at the radius itself, at a latitude where a cell is narrow, and its
 * order by index. Distances are checked with a haversine written here, not the library's.
 */
const EARTH_M = 6_371_008
const RAD = Math.PI / 180
const metres = (a: Coordinate, b: Coordinate): number => {
  const h =
    Math.sin(((b.lat - a.lat) * RAD) / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(((b.lon - a.lon) * RAD) / 2) ** 2
  return 2 * EARTH_M * Math.asin(Math.sqrt(h))
}
/** the point `d` metres east (west if negative) of `c` along its parallel, by bisection on the haversine above */
const eastBy = (c: Coordinate, d: number): Coordinate => {
  let lo = 0
  let hi = 1
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2
    if (metres(c, { lat: c.lat, lon: c.lon + mid }) < Math.abs(d)) lo = mid
    else hi = mid
  }
  return { lat: c.lat, lon: c.lon + Math.sign(d) * lo }
}
/** the latitude `d` metres north of `c` (a meridian is a great circle: exact) */
const northBy = (c: Coordinate, d: number): Coordinate => ({ lat: c.lat + d / (EARTH_M * RAD), lon: c.lon })

describe('offsetMetres', () => {
  for (const lat of [52.37, 63.43, -33.9]) {
    it(`moves north and east by the metres asked, at ${lat}°`, () => {
      const c = { lat, lon: 10.39 }
      const north = offsetMetres(c, 1_000, 0)
      expect(north.lat).toBeGreaterThan(c.lat)
      expect(north.lon).toBe(c.lon)
      expect(Math.abs(metres(c, north) - 1_000)).toBeLessThan(5)
      const east = offsetMetres(c, 0, 1_000)
      expect(east.lon).toBeGreaterThan(c.lon)
      expect(east.lat).toBe(c.lat)
      expect(Math.abs(metres(c, east) - 1_000)).toBeLessThan(5)
      const southWest = offsetMetres(c, -600, -800)
      expect(southWest.lat).toBeLessThan(c.lat)
      expect(southWest.lon).toBeLessThan(c.lon)
      expect(Math.abs(metres(c, southWest) - 1_000)).toBeLessThan(5)
    })
  }
})

describe('GridIndex.within', () => {
  it('includes a point at exactly the radius, in whole metres', () => {
    const c = { lat: 52.37, lon: 4.89 }
    const p = northBy(c, 250.2)
    const d = distanceMetres(c, p)
    expect(d).toBe(250)
    const grid = new GridIndex([c, p], 100)
    expect(grid.within(c, 250)).toEqual([
      { index: 0, metres: 0 },
      { index: 1, metres: 250 }
    ])
    expect(grid.within(c, 249)).toEqual([{ index: 0, metres: 0 }])
  })

  it('finds a point in the spare cell north of the window, 4 cells of 100 m away at a radius of 300 m', () => {
    // the query sits 0.1 m south of a cell's edge (cells count lat × 111,320 m), the point 300.3 m due north: it
    // rounds to 300 m, but its cell is ceil(300 / 100) + 1 = 4 cells north of the query's
    const q = { lat: 5_829_799.9 / 111_320, lon: 4.89 }
    const p = northBy(q, 300.3)
    expect(Math.floor((p.lat * 111_320) / 100) - Math.floor((q.lat * 111_320) / 100)).toBe(4)
    const grid = new GridIndex([q, p], 100)
    expect(grid.within(q, 300)).toEqual([
      { index: 0, metres: 0 },
      { index: 1, metres: 300 }
    ])
  })

  it('finds a point in the spare cell east of the window', () => {
    const lat = 52.37
    const k = 111_320 * Math.cos(lat * RAD)
    // 0.1 m west of a cell's edge (cells count lon × 111,320 × cos(lat of the first point) m), the point 300.3 m east
    const q = { lat, lon: (Math.floor((4.89 * k) / 100) * 100 + 99.9) / k }
    const p = eastBy(q, 300.3)
    expect(Math.floor((p.lon * k) / 100) - Math.floor((q.lon * k) / 100)).toBe(4)
    const grid = new GridIndex([q, p], 100)
    expect(grid.within(q, 300)).toEqual([
      { index: 0, metres: 0 },
      { index: 1, metres: 300 }
    ])
  })

  for (const lat of [60, 70, -65]) {
    it(`finds every point within the radius all around, and none beyond it, at ${lat}° (narrow cells)`, () => {
      const c = { lat, lon: 20 }
      const ring: Coordinate[] = []
      for (const d of [290, 310]) {
        ring.push(northBy(c, d), northBy(c, -d), eastBy(c, d), eastBy(c, -d))
        ring.push(eastBy(northBy(c, d * Math.SQRT1_2), d * Math.SQRT1_2), eastBy(northBy(c, -d * Math.SQRT1_2), -d * Math.SQRT1_2))
      }
      const points = [c, ...ring]
      const grid = new GridIndex(points, 100)
      const expected = points.map((p, index) => ({ index, metres: Math.round(metres(c, p)) })).filter(x => x.metres <= 300)
      expect(expected.map(x => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6])
      expect(grid.within(c, 300)).toEqual(expected)
    })
  }

  it('answers by index, whatever cell each point is in', () => {
    // index 0 is the northernmost and easternmost: the search meets it last
    const c = { lat: 52.37, lon: 4.89 }
    const points = [400, 300, 200, 100, 0, -100, -200].map(d => eastBy(northBy(c, d), d))
    const grid = new GridIndex(points, 50)
    expect(grid.within(c, 1_000).map(x => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6])
  })

  it('holds no points', () => {
    expect(new GridIndex([], 100).within({ lat: 52.37, lon: 4.89 }, 500)).toEqual([])
  })
})
