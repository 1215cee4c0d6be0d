import { ConfigError } from '@kvartal/protocol'
import type { Device, SlotWindow, Wh } from '@kvartal/protocol'
import { integrateWh, toWh } from './energy.ts'
import { loadShapes, type LoadProfile, sum, weekendRatio } from './load-profiles.ts'
import { isWeekend, localTime } from './local-time.ts'
import { hashSeed, normalAt } from './random.ts'
import { requireBetween, requireFinite, requirePositive } from './validate.ts'

export interface LoadOptions {
  readonly id: string
  readonly profile: LoadProfile
  /** energy on a working day; give this or `annualKwh` */
  readonly dailyKwh?: number
  /** energy over a year of 365 days with the profile's weekends, no seasons; give this or `dailyKwh` */
  readonly annualKwh?: number
  readonly seed: number
  /** local time offset from UTC that the profile's clock hours are in */
  readonly utcOffsetHours?: number
  /** standard deviation of the metered value around the forecast, relative */
  readonly noise?: number
}

export const defaultLoadOptions = {
  // Norway in summer (CEST); the scenarios are Trondheim summer days
  utcOffsetHours: 2,
  // a single building's 15-min consumption strays about ±12 % from a good profile forecast
  noise: 0.12,
  steps: 3
} as const

export interface LoadDevice extends Device {
  readonly kind: 'load'
  readonly profile: LoadProfile
  /** energy on a working day, Wh */
  readonly dailyWh: number
}

/** Working-day kWh that gives `annualKwh` over 365 days with the profile's weekend share. */
export function dailyKwhFromAnnual(profile: LoadProfile, annualKwh: number): number {
  const meanDayOverWorkingDay = (5 + 2 * weekendRatio(profile)) / 7
  return annualKwh / 365 / meanDayOverWorkingDay
}

/**
 * A building's consumption. `forecast` is the profile shape (linearly interpolated between hour
 * midpoints so slots do not step at the full hour); `measure` is the forecast times 1 + noise·z for a
 * standard-normal z drawn from (seed, slot index), cut at ±3σ. Both are ≤ 0.
 */
export function createLoad(options: LoadOptions): LoadDevice {
  const shape = loadShapes[options.profile]
  if (shape == null)
    throw new ConfigError('load.profile', `must be one of ${Object.keys(loadShapes).join(', ')}, got ${String(options.profile)}`)
  let dailyKwh: number
  if (options.dailyKwh != null && options.annualKwh == null) {
    dailyKwh = options.dailyKwh
  } else if (options.annualKwh != null && options.dailyKwh == null) {
    requirePositive(options.annualKwh, 'load.annualKwh')
    dailyKwh = dailyKwhFromAnnual(options.profile, options.annualKwh)
  } else {
    throw new ConfigError('load.dailyKwh', 'give exactly one of dailyKwh or annualKwh')
  }
  requirePositive(dailyKwh, 'load.dailyKwh')
  requireFinite(options.seed, 'load.seed')
  const utcOffsetHours = options.utcOffsetHours ?? defaultLoadOptions.utcOffsetHours
  requireBetween(utcOffsetHours, -14, 14, 'load.utcOffsetHours')
  const noise = options.noise ?? defaultLoadOptions.noise
  requireBetween(noise, 0, 0.3, 'load.noise')

  const dailyWh = dailyKwh * 1000
  const wattsPerUnit = dailyWh / sum(shape.weekday)
  const seed = hashSeed(options.seed, 'load')

  const shapeAt = (day: number, hour: number): number => {
    const d = day + Math.floor(hour / 24)
    const h = ((hour % 24) + 24) % 24
    const weekday = (((d + 4) % 7) + 7) % 7
    return (isWeekend(weekday) ? shape.weekend : shape.weekday)[h]
  }
  const powerW = (timeMs: number): number => {
    const lt = localTime(timeMs, utcOffsetHours)
    const p = lt.hour - 0.5
    const h0 = Math.floor(p)
    const f = p - h0
    return wattsPerUnit * ((1 - f) * shapeAt(lt.day, h0) + f * shapeAt(lt.day, h0 + 1))
  }
  const expectedWh = (slot: SlotWindow): number => integrateWh(slot, powerW, defaultLoadOptions.steps)

  return {
    id: options.id,
    kind: 'load',
    profile: options.profile,
    dailyWh,
    forecast: (slot): Wh => toWh(-expectedWh(slot)),
    measure(slot): Wh {
      const z = Math.max(-3, Math.min(3, normalAt(seed, slot.index)))
      return toWh(-expectedWh(slot) * Math.max(0, 1 + noise * z))
    }
  }
}
