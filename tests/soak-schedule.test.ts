import { describe, expect, it } from 'vitest'
import { killSchedule, partitionSchedule } from '../scripts/soak/schedule.ts'

describe("the soak's schedules, drawn from the seed", () => {
  it('kills: the same seed gives the same schedule; gaps of half to one and a half of the mean; victims and downtimes in range', () => {
    const o = { seed: 5, killEveryMs: 2_000, nodes: 9, durationMs: 120_000, maxDownMs: 3_000 }
    const s = killSchedule(o)
    expect(killSchedule(o)).toEqual(s)
    expect(killSchedule({ ...o, seed: 6 })).not.toEqual(s)
    expect(s.length).toBeGreaterThan(40)
    let prev = 0
    for (const k of s) {
      expect(k.atMs - prev).toBeGreaterThanOrEqual(1_000 - 1)
      expect(k.atMs - prev).toBeLessThanOrEqual(3_000 + 1)
      expect(k.atMs).toBeLessThan(o.durationMs)
      expect(k.victim >= 0 && k.victim < o.nodes && Number.isInteger(k.victim)).toBe(true)
      expect(k.downMs >= 100 && k.downMs <= 3_000).toBe(true)
      prev = k.atMs
    }
  })

  it('partitions: one at a time, each side never empty, lengths and gaps in range, the same seed the same cuts', () => {
    const o = { seed: 11, everyMs: 5_000, meanMs: 3_000, nodes: 5, durationMs: 300_000 }
    const s = partitionSchedule(o)
    expect(partitionSchedule(o)).toEqual(s)
    expect(partitionSchedule({ ...o, seed: 12 })).not.toEqual(s)
    expect(s.length).toBeGreaterThan(20)
    let end = 0
    const sides = new Set<string>()
    for (const p of s) {
      const gap = p.atMs - end
      expect(gap).toBeGreaterThanOrEqual(2_500 - 1)
      expect(gap).toBeLessThanOrEqual(7_500 + 1)
      expect(p.forMs >= 1_500 && p.forMs <= 4_500).toBe(true)
      expect(p.side.length > 0 && p.side.length < o.nodes).toBe(true)
      expect(new Set(p.side).size).toBe(p.side.length)
      expect(p.side.every(i => Number.isInteger(i) && i >= 0 && i < o.nodes)).toBe(true)
      sides.add(p.side.join(','))
      end = p.atMs + p.forMs
    }
    // the cuts vary: not one split over and over
    expect(sides.size).toBeGreaterThan(5)
  })

  it('refuses a partition of fewer than two nodes, and schedules with no rate', () => {
    expect(() => partitionSchedule({ seed: 1, everyMs: 1_000, meanMs: 1_000, nodes: 1, durationMs: 10_000 })).toThrow(RangeError)
    expect(() => partitionSchedule({ seed: 1, everyMs: 0, meanMs: 1_000, nodes: 3, durationMs: 10_000 })).toThrow(RangeError)
    expect(() => killSchedule({ seed: 1, killEveryMs: 0, nodes: 3, durationMs: 10_000 })).toThrow(RangeError)
  })
})
