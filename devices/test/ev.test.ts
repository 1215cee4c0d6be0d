import { describe, it, expect } from 'vitest'
import { createEvCharger } from '../src/index.ts'
import type { EvChargerDevice } from '../src/index.ts'
import { daySlots, SLOT_MS, total } from './slots.ts'

const week = daySlots('2025-06-16', 2, 7) // Monday to Sunday
const slotLimit = (maxPowerW: number): number => (maxPowerW * SLOT_MS) / 3_600_000 + 1

function delivered(ev: EvChargerDevice, arrivalMs: number, departureMs: number): number {
  return -total(week.filter(s => s.startMs + s.durationMs > arrivalMs && s.startMs < departureMs).map(s => ev.forecast(s)))
}

describe('createEvCharger', () => {
  it('delivers the needed energy by departure overnight, within the power limit', () => {
    const ev = createEvCharger({ id: 'ev', maxPowerW: 7400, seed: 3, arrivalHour: 17.5, departureHour: 7, energyNeededWh: 12_000 })
    const firstDay = Math.floor((week[0].startMs + 2 * 3_600_000) / 86_400_000)
    for (let day = firstDay; day < firstDay + 6; day++) {
      const s = ev.session(day)
      expect(s).toBeDefined()
      if (s == null) continue
      const arrivalLocalHour = (((s.arrivalMs / 3_600_000 + 2) % 24) + 24) % 24
      expect(Math.abs(arrivalLocalHour - 17.5)).toBeLessThanOrEqual(1)
      expect((s.departureMs / 3_600_000 + 2) % 24).toBeCloseTo(7, 6)
      expect(s.energyWh).toBe(12_000)
      expect(s.powerW).toBeLessThanOrEqual(7400)
      // sessions do not overlap, so the slots that touch this one hold exactly its energy
      expect(delivered(ev, s.arrivalMs, s.departureMs)).toBe(12_000)
    }
    for (const s of week) {
      const f = ev.forecast(s)
      expect(Number.isInteger(f)).toBe(true)
      expect(f).toBeLessThanOrEqual(0)
      expect(-f).toBeLessThanOrEqual(slotLimit(7400))
      expect(ev.measure(s)).toBe(f)
    }
  })

  it('charges at full power and delivers what it can when the window is too short', () => {
    const ev = createEvCharger({
      id: 'ev',
      maxPowerW: 3700,
      seed: 1,
      arrivalHour: 18,
      departureHour: 20,
      energyNeededWh: 30_000,
      arrivalJitterHours: 0
    })
    const day = Math.floor((week[0].startMs + 2 * 3_600_000) / 86_400_000)
    const s = ev.session(day)
    expect(s?.powerW).toBe(3700)
    expect(s?.energyWh).toBe(7400)
    const slots = week.filter(x => x.startMs >= (s?.arrivalMs ?? 0) && x.startMs < (s?.departureMs ?? 0))
    for (const x of slots) expect(ev.forecast(x)).toBe(-925)
  })

  it('charges only on weekdays when told so, and not outside the plug-in window', () => {
    const ev = createEvCharger({
      id: 'ev',
      maxPowerW: 22_000,
      seed: 8,
      arrivalHour: 8,
      departureHour: 16,
      energyNeededWh: 40_000,
      weekdaysOnly: true
    })
    const perDay = Array.from({ length: 7 }, (_, d) => 0 - total(week.slice(d * 96, (d + 1) * 96).map(s => ev.forecast(s))))
    expect(perDay.slice(0, 5)).toEqual([40_000, 40_000, 40_000, 40_000, 40_000])
    expect(perDay.slice(5)).toEqual([0, 0])
    // nothing before 07:00 or after 16:00 local
    for (const [i, s] of week.entries()) {
      const hour = (i % 96) / 4
      if (hour < 7 || hour >= 16) expect(ev.forecast(s)).toBe(0)
    }
  })

  it('is deterministic and independent of query order', () => {
    const opts = { id: 'ev', maxPowerW: 11_000, seed: 42, arrivalHour: 17, departureHour: 7.5, energyNeededWh: 9000 }
    const a = createEvCharger(opts)
    const b = createEvCharger(opts)
    const xs = week.map(s => a.forecast(s))
    expect(
      [...week]
        .reverse()
        .map(s => b.measure(s))
        .reverse()
    ).toEqual(xs)
    expect(week.map(s => createEvCharger({ ...opts, seed: 43 }).forecast(s))).not.toEqual(xs)
  })
})
