import type { Device, SlotWindow, Wh } from '@kvartal/protocol'
import { MS_PER_HOUR, toWh } from './energy.ts'
import { isWeekend, localMidnightMs, localTime } from './local-time.ts'
import { hashSeed, uniformAt } from './random.ts'
import { requireBetween, requireFinite, requireNonNegative, requirePositive } from './validate.ts'

export interface EvChargerOptions {
  readonly id: string
  /** charger limit, W (7 400 for a 32 A single-phase wallbox, 11 000 for 16 A three-phase) */
  readonly maxPowerW: number
  readonly seed: number
  /** local clock hour the car usually plugs in, 0 ≤ h < 24 */
  readonly arrivalHour: number
  /** local clock hour it leaves; at or before `arrivalHour` means the next day */
  readonly departureHour: number
  /** energy the car must have taken by departure, Wh */
  readonly energyNeededWh: number
  readonly utcOffsetHours?: number
  /** how far, in hours, the arrival strays either way from `arrivalHour`, uniformly */
  readonly arrivalJitterHours?: number
  /** no sessions that arrive on Saturdays and Sundays (workplace chargers) */
  readonly weekdaysOnly?: boolean
}

export const defaultEvChargerOptions = {
  utcOffsetHours: 2,
  // people come home within an hour either side of their usual time
  arrivalJitterHours: 1,
  weekdaysOnly: false,
  // a session shorter than this is not worth planning (the car only stops by)
  minSessionMs: 15 * 60_000
} as const

/** One plug-in: from arrival to departure at a constant power. */
export interface ChargingSession {
  /** local day (days since 1970-01-01 in local time) of the arrival */
  readonly day: number
  readonly arrivalMs: number
  readonly departureMs: number
  /** constant charging power over the session, W */
  readonly powerW: number
  /** energy delivered over the session, integer Wh: energyNeededWh unless the charger is too slow */
  readonly energyWh: Wh
}

export interface EvChargerDevice extends Device {
  readonly kind: 'ev'
  readonly maxPowerW: number
  /** The session that arrives on local day `day`, if any. */
  session(day: number): ChargingSession | undefined
}

/**
 * A home or workplace charger with one car. Every day the car arrives at `arrivalHour` plus a seeded
 * jitter (drawn from the seed and the day, so any slot can be asked for in any order) and must take
 * `energyNeededWh` by `departureHour`, which may be the next morning. The charger spreads the energy
 * evenly over the plugged-in time, capped at `maxPowerW` (then the car leaves with less).
 *
 * Whole Wh per slot come from rounding the session's cumulative energy at the slot's edges, so the
 * slots of a session add up to exactly its energy and no slot exceeds the power limit by more than 1 Wh
 * of rounding. `forecast` is this plan (negative); `measure` is the same, because the charger is the one
 * that decides.
 */
export function createEvCharger(options: EvChargerOptions): EvChargerDevice {
  requirePositive(options.maxPowerW, 'ev.maxPowerW')
  requireFinite(options.seed, 'ev.seed')
  requireBetween(options.arrivalHour, 0, 24, 'ev.arrivalHour')
  requireBetween(options.departureHour, 0, 24, 'ev.departureHour')
  requireNonNegative(options.energyNeededWh, 'ev.energyNeededWh')
  const utcOffsetHours = options.utcOffsetHours ?? defaultEvChargerOptions.utcOffsetHours
  requireBetween(utcOffsetHours, -14, 14, 'ev.utcOffsetHours')
  const jitterHours = options.arrivalJitterHours ?? defaultEvChargerOptions.arrivalJitterHours
  requireBetween(jitterHours, 0, 6, 'ev.arrivalJitterHours')
  const weekdaysOnly = options.weekdaysOnly ?? defaultEvChargerOptions.weekdaysOnly
  const seed = hashSeed(options.seed, 'ev')
  const overnight = options.departureHour <= options.arrivalHour

  const arrivalOf = (day: number): number => {
    const jitter = (2 * uniformAt(seed, day) - 1) * jitterHours
    return localMidnightMs(day, utcOffsetHours) + (options.arrivalHour + jitter) * MS_PER_HOUR
  }
  const plugsIn = (day: number): boolean => !weekdaysOnly || !isWeekend((((day + 4) % 7) + 7) % 7)

  const sessionOf = (day: number): ChargingSession | undefined => {
    if (!plugsIn(day) || options.energyNeededWh === 0) return undefined
    const arrivalMs = arrivalOf(day)
    let departureMs = localMidnightMs(day + (overnight ? 1 : 0), utcOffsetHours) + options.departureHour * MS_PER_HOUR
    // the car cannot still be plugged in when it arrives the next time
    if (plugsIn(day + 1)) departureMs = Math.min(departureMs, arrivalOf(day + 1))
    const durationMs = departureMs - arrivalMs
    if (durationMs < defaultEvChargerOptions.minSessionMs) return undefined
    const hours = durationMs / MS_PER_HOUR
    const powerW = Math.min(options.maxPowerW, options.energyNeededWh / hours)
    return { day, arrivalMs, departureMs, powerW, energyWh: toWh(powerW * hours) }
  }

  // energy (whole Wh) the session has delivered by `timeMs`
  const deliveredBy = (s: ChargingSession, timeMs: number): number => {
    if (timeMs <= s.arrivalMs) return 0
    if (timeMs >= s.departureMs) return s.energyWh
    return Math.min(s.energyWh, Math.round((s.powerW * (timeMs - s.arrivalMs)) / MS_PER_HOUR))
  }

  const planWh = (slot: SlotWindow): Wh => {
    const end = slot.startMs + slot.durationMs
    // a session arrives at most arrivalHour + jitter after its local midnight and lasts under 24 h
    const first = localTime(slot.startMs, utcOffsetHours).day - 2
    const last = localTime(end, utcOffsetHours).day + 1
    let wh = 0
    for (let day = first; day <= last; day++) {
      const s = sessionOf(day)
      if (s == null || s.departureMs <= slot.startMs || s.arrivalMs >= end) continue
      wh += deliveredBy(s, end) - deliveredBy(s, slot.startMs)
    }
    return toWh(-wh)
  }

  return {
    id: options.id,
    kind: 'ev',
    maxPowerW: options.maxPowerW,
    session: sessionOf,
    forecast: planWh,
    measure: planWh
  }
}
