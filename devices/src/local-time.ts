import { MS_PER_DAY, MS_PER_HOUR } from './energy.ts'

/** Local civil time as a fixed offset from UTC (no daylight-saving switches inside a run). */
export interface LocalTime {
  /** days since 1970-01-01 in local time */
  readonly day: number
  /** hours since local midnight, fractional */
  readonly hour: number
  /** 0 = Sunday … 6 = Saturday */
  readonly weekday: number
}

export function localTime(timeMs: number, utcOffsetHours: number): LocalTime {
  const local = timeMs + utcOffsetHours * MS_PER_HOUR
  const day = Math.floor(local / MS_PER_DAY)
  const hour = (local - day * MS_PER_DAY) / MS_PER_HOUR
  // 1970-01-01 was a Thursday
  const weekday = (((day + 4) % 7) + 7) % 7
  return { day, hour, weekday }
}

/** UTC ms of local midnight starting local day `day`. */
export function localMidnightMs(day: number, utcOffsetHours: number): number {
  return day * MS_PER_DAY - utcOffsetHours * MS_PER_HOUR
}

export function isWeekend(weekday: number): boolean {
  return weekday === 0 || weekday === 6
}
