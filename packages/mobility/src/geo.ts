/** Geometry on the district scale: whole metres, great-circle distances, a grid index for "stops near here". */

/** A WGS84 position in degrees. */
export interface Coordinate {
  readonly lat: number
  readonly lon: number
}

const EARTH_RADIUS_M = 6_371_008

/** Great-circle (haversine) distance in whole metres, rounded to the nearest metre. */
export function distanceMetres(a: Coordinate, b: Coordinate): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  return Math.round(2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h))))
}

/** Moves a coordinate by whole metres north and east (flat-earth approximation, fine within a district). */
export function offsetMetres(c: Coordinate, northM: number, eastM: number): Coordinate {
  const lat = c.lat + northM / 111_320
  const lon = c.lon + eastM / (111_320 * Math.cos((c.lat * Math.PI) / 180))
  return { lat, lon }
}

/**
 * A uniform grid over coordinates, cell size in metres: `within(c, r)` returns the indices of the points
 * at most r metres away with their distances, without scanning every point.
 */
export class GridIndex {
  readonly #cellM: number
  readonly #cells = new Map<string, number[]>()
  readonly #points: readonly Coordinate[]
  readonly #lat0: number

  constructor(points: readonly Coordinate[], cellM: number) {
    this.#cellM = Math.max(1, cellM)
    this.#points = points
    this.#lat0 = points.length > 0 ? points[0].lat : 0
    points.forEach((p, i) => {
      const key = this.#key(...this.#cell(p))
      let cell = this.#cells.get(key)
      if (cell == null) this.#cells.set(key, (cell = []))
      cell.push(i)
    })
  }

  #cell(p: Coordinate): [number, number] {
    const y = p.lat * 111_320
    const x = p.lon * 111_320 * Math.cos((this.#lat0 * Math.PI) / 180)
    return [Math.floor(y / this.#cellM), Math.floor(x / this.#cellM)]
  }

  #key(cy: number, cx: number): string {
    return `${cy}:${cx}`
  }

  /** Indices of points within `radiusM` metres of `c` (inclusive), each with its distance; by index. */
  within(c: Coordinate, radiusM: number): Array<{ index: number; metres: number }> {
    const [cy, cx] = this.#cell(c)
    // one spare cell each side absorbs the flat-earth approximation of the cell coordinates
    const span = Math.ceil(radiusM / this.#cellM) + 1
    const out: Array<{ index: number; metres: number }> = []
    for (let dy = -span; dy <= span; dy++) {
      for (let dx = -span; dx <= span; dx++) {
        const cell = this.#cells.get(this.#key(cy + dy, cx + dx))
        if (cell == null) continue
        for (const i of cell) {
          const metres = distanceMetres(c, this.#points[i])
          if (metres <= radiusM) out.push({ index: i, metres })
        }
      }
    }
    return out.sort((a, b) => a.index - b.index)
  }
}
