import { describe, it, expect } from 'vitest'
import { ConfigError } from '@kvartal/protocol'
import { createBattery, DispatchOrderError } from '../src/index.ts'
import { daySlots } from './slots.ts'

const slots = daySlots('2025-06-18', 2, 2)
const base = { id: 'bat', capacityWh: 10_000, maxChargeW: 5000, maxDischargeW: 4000, roundTripEfficiency: 0.9, initialSocWh: 0 }

describe('createBattery', () => {
  it('charges from surplus within power and capacity, and discharges into deficit', () => {
    const bat = createBattery(base)
    let into = 0
    let i = 0
    for (; i < 40; i++) {
      const e = bat.dispatch(slots[i], 3000)
      expect(Number.isInteger(e)).toBe(true)
      expect(e).toBeLessThanOrEqual(0)
      expect(-e).toBeLessThanOrEqual(5000 / 4)
      expect(bat.stateOfChargeWh).toBeLessThanOrEqual(10_000)
      into -= e
    }
    // full after ~8.4 kWh from the building (10 kWh stored at √0.9 ≈ 0.949)
    expect(bat.stateOfChargeWh).toBeGreaterThanOrEqual(9_999)
    expect(bat.dispatch(slots[i++], 3000)).toBe(0)

    let out = 0
    for (; i < 100; i++) {
      const e = bat.dispatch(slots[i], -3000)
      expect(Number.isInteger(e)).toBe(true)
      expect(e).toBeGreaterThanOrEqual(0)
      expect(e).toBeLessThanOrEqual(4000 / 4)
      expect(bat.stateOfChargeWh).toBeGreaterThanOrEqual(0)
      out += e
    }
    expect(bat.stateOfChargeWh).toBeLessThanOrEqual(1)
    // energy out = energy in × round-trip efficiency, within whole-Wh rounding
    expect(out).toBeLessThanOrEqual(into * 0.9 + 1)
    expect(out).toBeGreaterThanOrEqual(into * 0.9 - 2)
  })

  it('never moves more than the building offers, and idles at zero net', () => {
    const bat = createBattery({ ...base, initialSocWh: 5000 })
    expect(bat.dispatch(slots[0], 300)).toBe(-300)
    expect(bat.dispatch(slots[1], -250)).toBe(250)
    expect(bat.dispatch(slots[2], 0)).toBe(0)
  })

  it('keeps the minimum state of charge', () => {
    const bat = createBattery({ ...base, initialSocWh: 3000, minSocWh: 2000 })
    let out = 0
    for (let i = 0; i < 10; i++) out += bat.dispatch(slots[i], -5000)
    expect(bat.stateOfChargeWh).toBeGreaterThanOrEqual(2000)
    expect(out).toBeLessThanOrEqual(Math.sqrt(0.9) * 1000)
    expect(out).toBeGreaterThan(Math.sqrt(0.9) * 1000 - 2)
  })

  it('forecasts 0 and measures what it was dispatched for', () => {
    const bat = createBattery({ ...base, initialSocWh: 5000 })
    expect(bat.forecast(slots[3])).toBe(0)
    expect(bat.measure(slots[3])).toBe(0)
    const e = bat.dispatch(slots[3], -700)
    expect(e).toBe(700)
    expect(bat.measure(slots[3])).toBe(700)
    expect(bat.forecast(slots[3])).toBe(0)
  })

  it('re-plans the latest slot from the state before it and refuses to go back further', () => {
    const bat = createBattery({ ...base, initialSocWh: 5000 })
    bat.dispatch(slots[0], -1000)
    const soc = bat.stateOfChargeWh
    bat.dispatch(slots[1], -800)
    expect(bat.dispatch(slots[1], 400)).toBe(-400)
    expect(bat.stateOfChargeWh).toBe(Math.round(soc + 400 * Math.sqrt(0.9)))
    expect(bat.measure(slots[1])).toBe(-400)
    expect(() => bat.dispatch(slots[0], 100)).toThrow(DispatchOrderError)
    try {
      bat.dispatch(slots[0], 100)
    } catch (err) {
      expect((err as Error).name).toBe('DispatchOrderError')
    }
  })

  it('rejects impossible settings by field', () => {
    expect(() => createBattery({ ...base, initialSocWh: 20_000 })).toThrow(ConfigError)
    expect(() => createBattery({ ...base, capacityWh: 0 })).toThrow(/battery.capacityWh/)
  })
})
