import { TimetableError } from './timetable-error.ts'
import { timeZoneOffsetMs } from './service-day.ts'

/**
 * GTFS service calendars: which days a trip runs. `calendar.txt` gives a weekly pattern between two
 * dates, `calendar_dates.txt` adds (exception_type 1) or removes (2) single dates; a feed may use
 * either or both. Dates are GTFS's own YYYYMMDD, as integers. A trip without a service_id, or a feed
 * with neither table, runs every day.
 */
export interface GtfsCalendar {
  service_id: string
  /** monday … sunday, 1 = runs that weekday */
  monday: number
  tuesday: number
  wednesday: number
  thursday: number
  friday: number
  saturday: number
  sunday: number
  /** YYYYMMDD, both inclusive */
  start_date: number
  end_date: number
}
export interface GtfsCalendarDate {
  service_id: string
  date: number
  exception_type: 1 | 2
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const

/** The feed's service calendar, indexed by service_id. */
export class ServiceCalendar {
  readonly #weekly = new Map<string, GtfsCalendar>()
  readonly #exceptions = new Map<string, Map<number, 1 | 2>>()

  constructor(calendar: readonly GtfsCalendar[] = [], dates: readonly GtfsCalendarDate[] = []) {
    for (const c of calendar) {
      checkDate(c.start_date, `calendar ${c.service_id} start_date`)
      checkDate(c.end_date, `calendar ${c.service_id} end_date`)
      if (c.end_date < c.start_date)
        throw new TimetableError(`calendar ${c.service_id}: end_date ${c.end_date} is before start_date ${c.start_date}`)
      for (const d of WEEKDAYS)
        if (c[d] !== 0 && c[d] !== 1) throw new TimetableError(`calendar ${c.service_id}: ${d} must be 0 or 1, got ${c[d]}`)
      if (this.#weekly.has(c.service_id)) throw new TimetableError(`calendar: service_id ${c.service_id} appears twice`)
      this.#weekly.set(c.service_id, c)
    }
    for (const e of dates) {
      checkDate(e.date, `calendar_dates ${e.service_id} date`)
      if (e.exception_type !== 1 && e.exception_type !== 2)
        throw new TimetableError(
          `calendar_dates ${e.service_id} ${e.date}: exception_type must be 1 or 2, got ${e.exception_type as number}`
        )
      let m = this.#exceptions.get(e.service_id)
      if (m == null) this.#exceptions.set(e.service_id, (m = new Map()))
      m.set(e.date, e.exception_type)
    }
  }

  /** whether the service has any calendar entry at all */
  knows(serviceId: string): boolean {
    return this.#weekly.has(serviceId) || this.#exceptions.has(serviceId)
  }

  /** Whether `serviceId` runs on the service date `date` (YYYYMMDD). */
  runsOn(serviceId: string, date: number): boolean {
    const exception = this.#exceptions.get(serviceId)?.get(date)
    if (exception != null) return exception === 1
    const c = this.#weekly.get(serviceId)
    if (c == null || date < c.start_date || date > c.end_date) return false
    return c[WEEKDAYS[weekday(date)]] === 1
  }
}

function checkDate(d: number, what: string): void {
  if (
    !Number.isInteger(d) ||
    d < 1000_01_01 ||
    d > 9999_12_31 ||
    d % 100 < 1 ||
    d % 100 > 31 ||
    Math.floor(d / 100) % 100 < 1 ||
    Math.floor(d / 100) % 100 > 12
  ) {
    throw new TimetableError(`${what}: "${d}" is not a GTFS date YYYYMMDD`)
  }
}

/** 0 = Sunday … 6 = Saturday */
function weekday(date: number): number {
  return new Date(Date.UTC(Math.floor(date / 10000), (Math.floor(date / 100) % 100) - 1, date % 100)).getUTCDay()
}

/** "YYYYMMDD" to the integer GTFS date; throws TimetableError naming `what`. */
export function parseGtfsDate(value: string, what: string): number {
  if (!/^\s*\d{8}\s*$/.test(value)) throw new TimetableError(`${what}: "${value}" is not a GTFS date YYYYMMDD`)
  const d = Number(value)
  checkDate(d, what)
  return d
}

/**
 * The service date (YYYYMMDD) of the service day starting at `dayStartMs` (see `serviceDayStart`): the
 * local date at its noon in `timeZone`, or the UTC date when the feed has none.
 */
export function serviceDate(dayStartMs: number, timeZone?: string): number {
  const noon = dayStartMs + 12 * 3_600_000
  const local = new Date(noon + (timeZone != null && timeZone !== '' ? timeZoneOffsetMs(timeZone, noon) : 0))
  return local.getUTCFullYear() * 10000 + (local.getUTCMonth() + 1) * 100 + local.getUTCDate()
}
