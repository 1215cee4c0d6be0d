import { describe, expect, it } from 'vitest'
import { buildTimetable, generateDistrictNetwork, tripIndex } from '@kvartal/mobility'
import { sharedTripIndex } from '../src/index.ts'

describe('journey planner', () => {
  it("planners on the same timetable object share one trip index (a simulator's nodes: built once, not once per node)", () => {
    const feed = generateDistrictNetwork({
      seed: 7,
      stops: 25,
      lines: 2,
      trips: 40,
      stopsPerLine: 6,
      spacingM: 300,
      center: { lat: 63.43, lon: 10.39 },
      serviceStart: 5 * 3600,
      serviceEnd: 24 * 3600
    })
    const tt = buildTimetable(feed)
    const index = sharedTripIndex(tt)
    // the same contents as the node built for itself before
    expect([...index]).toEqual([...tripIndex(tt)])
    expect(index.size).toBeGreaterThan(0)
    // built once per timetable object: every planner of the process gets this one
    expect(sharedTripIndex(tt)).toBe(index)
    // another timetable (another district, a reloaded feed) gets its own
    expect(sharedTripIndex(buildTimetable(feed))).not.toBe(index)
  })
})
