import { describe, it, expect } from 'vitest'
import { createCloudModel, createPv } from '../src/index.ts'
import { daySlots, slotAt, total, TRONDHEIM } from './slots.ts'

const june = daySlots('2025-06-21')

describe('createPv', () => {
  it('yields 50–70 kWh from 10 kWp on a clear midsummer day in Trondheim', () => {
    const pv = createPv({ id: 'pv', peakW: 10_000, ...TRONDHEIM, seed: 1, cloudiness: 0 })
    const clear = total(june.map(s => pv.clearSkyWh(s)))
    expect(clear).toBeGreaterThan(50_000)
    expect(clear).toBeLessThan(70_000)
    expect(total(june.map(s => pv.measure(s)))).toBe(clear)
    expect(total(june.map(s => pv.forecast(s)))).toBe(clear)
    // no slot beats the nameplate
    for (const s of june) expect(pv.clearSkyWh(s)).toBeLessThanOrEqual(10_000 / 4)
  })

  it('produces nothing at night', () => {
    const pv = createPv({ id: 'pv', peakW: 10_000, ...TRONDHEIM, seed: 1 })
    // 01:15 local on midsummer night: the sun is about 3° below the horizon
    const night = slotAt(Date.parse('2025-06-20T23:15:00Z'))
    expect(pv.forecast(night)).toBe(0)
    expect(pv.measure(night)).toBe(0)
    for (const s of daySlots('2025-12-21').slice(0, 36)) {
      expect(pv.forecast(s)).toBe(0)
      expect(pv.measure(s)).toBe(0)
    }
  })

  it('returns non-negative integers, measured at or below clear sky', () => {
    const pv = createPv({ id: 'pv', peakW: 7300, ...TRONDHEIM, seed: 9, cloudiness: 0.5 })
    for (const s of june) {
      const f = pv.forecast(s)
      const m = pv.measure(s)
      expect(Number.isInteger(f) && Number.isInteger(m)).toBe(true)
      expect(f).toBeGreaterThanOrEqual(0)
      expect(m).toBeGreaterThanOrEqual(0)
      expect(m).toBeLessThanOrEqual(pv.clearSkyWh(s) + 1)
    }
  })

  it('loses more to clouds the cloudier the sky', () => {
    const day = (cloudiness: number): number => {
      const pv = createPv({ id: 'pv', peakW: 10_000, ...TRONDHEIM, seed: 3, cloudiness })
      return total(daySlots('2025-06-10', 2, 7).map(s => pv.measure(s)))
    }
    expect(day(0.2)).toBeGreaterThan(day(0.6))
    expect(day(0.6)).toBeGreaterThan(day(0.95))
  })

  it('is deterministic and independent of the order slots are asked in', () => {
    const opts = { id: 'pv', peakW: 5000, ...TRONDHEIM, seed: 1234 }
    const a = createPv(opts)
    const b = createPv(opts)
    const forward = june.map(s => [a.forecast(s), a.measure(s)])
    const backward = [...june]
      .reverse()
      .map(s => [b.measure(s), b.forecast(s)])
      .reverse()
      .map(([m, f]) => [f, m])
    expect(backward).toEqual(forward)
    expect(june.map(s => [a.forecast(s), a.measure(s)])).toEqual(forward)
    const other = createPv({ ...opts, seed: 4321 })
    expect(june.map(s => other.measure(s))).not.toEqual(forward.map(([, m]) => m))
  })

  it('drifts its clouds slowly: neighbouring slots are strongly correlated', () => {
    const clouds = createCloudModel({ cloudiness: 0.5, seed: 77 })
    const xs = Array.from({ length: 2000 }, (_, i) => clouds.cover(i))
    const mean = total(xs) / xs.length
    let c0 = 0
    let c1 = 0
    for (let i = 0; i < xs.length - 1; i++) {
      c0 += (xs[i] - mean) ** 2
      c1 += (xs[i] - mean) * (xs[i + 1] - mean)
    }
    expect(c1 / c0).toBeGreaterThan(0.8)
    // the forecast's expected factor matches the long-run mean of the process
    const factors = Array.from({ length: 2000 }, (_, i) => clouds.factor(i))
    expect(total(factors) / factors.length).toBeCloseTo(clouds.expectedFactor, 1)
  })
})
