import { describe, it, expect } from 'vitest'
import { clearSkyIrradiance, solarElevation } from '../src/index.ts'
import { TRONDHEIM } from './slots.ts'

const { latitudeDeg: lat, longitudeDeg: lon } = TRONDHEIM
const at = (iso: string): number => Date.parse(iso)

describe('solarElevation', () => {
  it('puts the midsummer sun about 50° high at Trondheim solar noon', () => {
    // solar noon at 10.39° E is about 11:20 UTC (13:20 local summer time)
    expect(solarElevation(lat, lon, at('2025-06-21T11:20:00Z'))).toBeCloseTo(50, 0)
  })

  it('keeps the midsummer sun just below the horizon at midnight', () => {
    const e = solarElevation(lat, lon, at('2025-06-20T23:20:00Z'))
    expect(e).toBeLessThan(0)
    expect(e).toBeGreaterThan(-5)
  })

  it('puts the December midnight sun far below the horizon and the noon sun barely above', () => {
    expect(solarElevation(lat, lon, at('2025-12-21T23:20:00Z'))).toBeLessThan(-40)
    const noon = solarElevation(lat, lon, at('2025-12-21T11:20:00Z'))
    expect(noon).toBeGreaterThan(1)
    expect(noon).toBeLessThan(5)
  })

  it('gives about 20 hours of daylight on midsummer day in Trondheim', () => {
    const start = at('2025-06-20T22:00:00Z')
    let minutes = 0
    for (let m = 0; m < 1440; m++) if (solarElevation(lat, lon, start + m * 60_000) > 0) minutes++
    expect(minutes / 60).toBeGreaterThan(19)
    expect(minutes / 60).toBeLessThan(21.5)
  })

  it('matches the equinox at the equator: sun near the zenith at solar noon', () => {
    expect(solarElevation(0, 0, at('2025-03-20T12:07:00Z'))).toBeGreaterThan(88)
  })
})

describe('clearSkyIrradiance', () => {
  it('is 0 at night and rises with the sun (Haurwitz)', () => {
    expect(clearSkyIrradiance(-3)).toBe(0)
    expect(clearSkyIrradiance(0)).toBe(0)
    expect(clearSkyIrradiance(10)).toBeLessThan(clearSkyIrradiance(30))
    expect(clearSkyIrradiance(50)).toBeGreaterThan(700)
    expect(clearSkyIrradiance(90)).toBeGreaterThan(1000)
    expect(clearSkyIrradiance(90)).toBeLessThan(1100)
  })
})
