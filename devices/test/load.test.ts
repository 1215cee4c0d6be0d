import { describe, it, expect } from 'vitest'
import { createLoad, dailyKwhFromAnnual, weekendRatio } from '../src/index.ts'
import { daySlots, total } from './slots.ts'

// 2025-06-18 is a Wednesday, 2025-06-21 a Saturday
const wednesday = daySlots('2025-06-18')
const saturday = daySlots('2025-06-21')
const hourOf = (i: number): number => Math.floor(i / 4)

describe('createLoad', () => {
  it('never produces and stays within ±20 % of dailyKwh over a working day', () => {
    for (const profile of ['household', 'office', 'commercial'] as const) {
      const load = createLoad({ id: 'l', profile, dailyKwh: 20, seed: 5 })
      const f = wednesday.map(s => load.forecast(s))
      const m = wednesday.map(s => load.measure(s))
      for (const x of [...f, ...m]) {
        expect(Number.isInteger(x)).toBe(true)
        expect(x).toBeLessThanOrEqual(0)
        expect(Object.is(x, -0)).toBe(false)
      }
      expect(-total(f)).toBeGreaterThan(16_000)
      expect(-total(f)).toBeLessThan(24_000)
      expect(-total(m)).toBeGreaterThan(16_000)
      expect(-total(m)).toBeLessThan(24_000)
    }
  })

  it('gives households a morning and an evening peak above the night', () => {
    const load = createLoad({ id: 'h', profile: 'household', dailyKwh: 15, seed: 1 })
    const hourly = Array.from({ length: 24 }, (_, h) => -total(wednesday.filter((_, i) => hourOf(i) === h).map(s => load.forecast(s))))
    expect(hourly[7]).toBeGreaterThan(2 * hourly[3])
    expect(hourly[18]).toBeGreaterThan(2 * hourly[3])
    expect(hourly[18]).toBeGreaterThan(hourly[12])
  })

  it('gives offices a working-day plateau and quiet weekends', () => {
    const load = createLoad({ id: 'o', profile: 'office', dailyKwh: 200, seed: 1 })
    const hourly = Array.from({ length: 24 }, (_, h) => -total(wednesday.filter((_, i) => hourOf(i) === h).map(s => load.forecast(s))))
    expect(hourly[11]).toBeGreaterThan(3 * hourly[2])
    expect(Math.abs(hourly[10] - hourly[14]) / hourly[10]).toBeLessThan(0.05)
    const weekend = -total(saturday.map(s => load.forecast(s)))
    expect(weekend).toBeLessThan(0.5 * 200_000)
    expect(weekend / 200_000).toBeCloseTo(weekendRatio('office'), 1)
  })

  it('measures within the noise band of the forecast, repeatably and in any order', () => {
    const opts = { id: 'h', profile: 'household', dailyKwh: 15, seed: 99 } as const
    const a = createLoad(opts)
    const b = createLoad(opts)
    const m = wednesday.map(s => a.measure(s))
    expect(
      [...wednesday]
        .reverse()
        .map(s => b.measure(s))
        .reverse()
    ).toEqual(m)
    let deviates = 0
    for (const [i, s] of wednesday.entries()) {
      const f = a.forecast(s)
      expect(Math.abs(m[i] - f)).toBeLessThanOrEqual(Math.abs(f) * 0.36 + 1)
      if (m[i] !== f) deviates++
    }
    expect(deviates).toBeGreaterThan(80)
  })

  it('turns annual energy into working-day energy', () => {
    const daily = dailyKwhFromAnnual('household', 5000)
    expect(daily).toBeGreaterThan(12)
    expect(daily).toBeLessThan(15)
    const load = createLoad({ id: 'h', profile: 'household', annualKwh: 5000, seed: 1 })
    expect(load.dailyWh).toBeCloseTo(daily * 1000, 6)
    expect(() => createLoad({ id: 'h', profile: 'household', seed: 1 })).toThrow(/exactly one/)
  })
})
