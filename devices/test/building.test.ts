import { describe, it, expect } from 'vitest'
import { ConfigError } from '@kvartal/protocol'
import { createBattery, createBuilding, createLoad, createPv } from '../src/index.ts'
import { daySlots, TRONDHEIM } from './slots.ts'

const june = daySlots('2025-06-18')

function house(withBattery: boolean) {
  const devices = [
    createLoad({ id: 'h/load', profile: 'household', dailyKwh: 15, seed: 2 }),
    createPv({ id: 'h/pv', peakW: 8000, ...TRONDHEIM, seed: 2 })
  ]
  const battery = createBattery({
    id: 'h/battery',
    capacityWh: 10_000,
    maxChargeW: 5000,
    maxDischargeW: 5000,
    roundTripEfficiency: 0.9,
    initialSocWh: 2000
  })
  return { building: createBuilding({ id: 'h', devices: withBattery ? [...devices, battery] : devices }), battery }
}

describe('createBuilding', () => {
  it('sums forecasts and lets the battery answer the net', () => {
    const { building, battery } = house(true)
    const plain = house(false).building
    let absorbed = 0
    for (const s of june) {
      const without = plain.netForecast(s)
      const net = building.netForecast(s)
      expect(Number.isInteger(net)).toBe(true)
      expect(net).toBe(without + battery.measure(s))
      // self-consumption never flips the sign of the net
      if (without > 0) expect(net).toBeGreaterThanOrEqual(0)
      if (without < 0) expect(net).toBeLessThanOrEqual(0)
      if (without > 0) absorbed += without - net
    }
    expect(absorbed).toBeGreaterThan(5000)
  })

  it('returns the cached value for a slot already planned, without dispatching again', () => {
    const { building, battery } = house(true)
    const noon = june[50]
    for (const s of june.slice(0, 51)) building.netForecast(s)
    const soc = battery.stateOfChargeWh
    const first = building.netForecast(noon)
    expect(building.netForecast(noon)).toBe(first)
    expect(battery.stateOfChargeWh).toBe(soc)
  })

  it('measures the sum of its devices, planning the slot first if needed', () => {
    const { building, battery } = house(true)
    for (const s of june) {
      const m = building.netMeasured(s)
      expect(Number.isInteger(m)).toBe(true)
      expect(m).toBe(building.devices.reduce((a, d) => a + d.measure(s), 0))
    }
    expect(battery.stateOfChargeWh).toBeGreaterThan(2000)
  })

  it('rejects two devices with one id', () => {
    const load = createLoad({ id: 'x', profile: 'office', dailyKwh: 100, seed: 1 })
    expect(() => createBuilding({ id: 'b', devices: [load, load] })).toThrow(ConfigError)
  })
})
