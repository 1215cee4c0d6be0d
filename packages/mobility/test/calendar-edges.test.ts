import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {
  ServiceCalendar,
  TimetableError,
  parseGtfsDate,
  serviceDate,
  serviceDayStart,
  timeZoneOffsetMs,
  type GtfsCalendar
} from '../src/index.ts'

/** Runs on the weekdays named by 1s, Sunday first as JavaScript counts them. */
const weekly = (service_id: string, days: string, start_date = 20260101, end_date = 20261231): GtfsCalendar => {
  const [sunday, monday, tuesday, wednesday, thursday, friday, saturday] = [...days].map(Number)
  return { service_id, monday, tuesday, wednesday, thursday, friday, saturday, sunday, start_date, end_date }
}

function message(f: () => unknown): string {
  try {
    f()
  } catch (err) {
    expect(err).toBeInstanceOf(TimetableError)
    expect(err).toMatchObject({ name: 'TimetableError', code: 'ERR_TIMETABLE' })
    return (err as Error).message
  }
  throw new Error('expected a TimetableError')
}

describe('ServiceCalendar', () => {
  // 2026-06-14 is a Sunday
  const week = [20260614, 20260615, 20260616, 20260617, 20260618, 20260619, 20260620]

  it('runs a weekly service on exactly its own weekdays', () => {
    for (let day = 0; day < 7; day++) {
      const days = Array.from({ length: 7 }, (_, i) => (i === day ? '1' : '0')).join('')
      const cal = new ServiceCalendar([weekly('s', days)])
      expect(week.map(d => cal.runsOn('s', d))).toEqual(week.map((_, i) => i === day))
    }
  })

  it('reads the weekday of every month, not only of the month it was tested in', () => {
    // 1–7 March 2026, Sunday to Saturday
    const march = [20260301, 20260302, 20260303, 20260304, 20260305, 20260306, 20260307]
    const weekends = new ServiceCalendar([weekly('we', '1000001')])
    expect(march.map(d => weekends.runsOn('we', d))).toEqual([true, false, false, false, false, false, true])
    const mondays = new ServiceCalendar([weekly('mo', '0100000')])
    expect([20261005, 20261012, 20261006, 20260105].map(d => mondays.runsOn('mo', d))).toEqual([true, true, false, true])
  })

  it('runs from start_date to end_date, both inclusive, and not a day outside', () => {
    const cal = new ServiceCalendar([weekly('s', '1111111', 20260615, 20260617)])
    expect([20260614, 20260615, 20260616, 20260617, 20260618].map(d => cal.runsOn('s', d))).toEqual([false, true, true, true, false])
    expect(cal.runsOn('other', 20260616)).toBe(false)
  })

  it('lets an exception decide its date, either way, and only for its own service', () => {
    const cal = new ServiceCalendar(
      [weekly('s', '0111110'), weekly('t', '0111110')],
      [
        { service_id: 's', date: 20260616, exception_type: 2 },
        { service_id: 's', date: 20260620, exception_type: 1 },
        { service_id: 'x', date: 20260616, exception_type: 1 }
      ]
    )
    expect(cal.runsOn('s', 20260616)).toBe(false) // removed on a Tuesday it would run
    expect(cal.runsOn('s', 20260620)).toBe(true) // added on a Saturday
    expect(cal.runsOn('s', 20260617)).toBe(true)
    expect(cal.runsOn('t', 20260616)).toBe(true)
    expect(cal.runsOn('x', 20260616)).toBe(true)
    expect(cal.runsOn('x', 20260617)).toBe(false)
    expect([cal.knows('s'), cal.knows('x'), cal.knows('y')]).toEqual([true, true, false])
  })

  it('needs neither table: a weekly calendar alone, exceptions alone, or nothing', () => {
    expect(new ServiceCalendar([weekly('s', '1111111')]).runsOn('s', 20260616)).toBe(true)
    expect(new ServiceCalendar(undefined, [{ service_id: 'x', date: 20260616, exception_type: 1 }]).runsOn('x', 20260616)).toBe(true)
    expect(new ServiceCalendar().knows('s')).toBe(false)
  })

  it('refuses a weekday that is not 0 or 1, a service named twice and an end before the start, saying which', () => {
    expect(message(() => new ServiceCalendar([{ ...weekly('s', '0111110'), tuesday: 2 }]))).toBe(
      'calendar s: tuesday must be 0 or 1, got 2'
    )
    expect(message(() => new ServiceCalendar([weekly('s', '0111110'), weekly('s', '1000001')]))).toBe(
      'calendar: service_id s appears twice'
    )
    expect(message(() => new ServiceCalendar([weekly('s', '1111111', 20260102, 20260101)]))).toBe(
      'calendar s: end_date 20260101 is before start_date 20260102'
    )
    expect(new ServiceCalendar([weekly('s', '1111111', 20260101, 20260101)]).runsOn('s', 20260101)).toBe(true)
    expect(message(() => new ServiceCalendar([], [{ service_id: 's', date: 20260101, exception_type: 3 as 1 }]))).toBe(
      'calendar_dates s 20260101: exception_type must be 1 or 2, got 3'
    )
  })

  it('takes every date from 10000101 to 99991231 with a day 1–31 and a month 1–12, and nothing else', () => {
    const ok = [10000101, 99991231, 20260131, 20261201, 20260228]
    for (const d of ok) expect(new ServiceCalendar([], [{ service_id: 's', date: d, exception_type: 1 }]).runsOn('s', d)).toBe(true)
    const bad = [9991231, 10000100, 100000101, 20260100, 20260132, 20260001, 20261301, 20260101.5, Number.NaN]
    for (const d of bad) {
      expect(message(() => new ServiceCalendar([], [{ service_id: 's', date: d, exception_type: 1 }]))).toBe(
        `calendar_dates s date: "${d}" is not a GTFS date YYYYMMDD`
      )
    }
    expect(message(() => new ServiceCalendar([weekly('s', '1111111', 20260132)]))).toBe(
      'calendar s start_date: "20260132" is not a GTFS date YYYYMMDD'
    )
    expect(message(() => new ServiceCalendar([weekly('s', '1111111', 20260101, 20261232)]))).toBe(
      'calendar s end_date: "20261232" is not a GTFS date YYYYMMDD'
    )
  })
})

describe('parseGtfsDate', () => {
  it('reads eight digits, with spaces around, and refuses anything else naming the field', () => {
    expect(parseGtfsDate('20260617', 'd')).toBe(20260617)
    expect(parseGtfsDate('  20260617 ', 'd')).toBe(20260617)
    for (const v of ['2026-06-17', '2026061', '202606170', 'x20260617', '20260617x', '']) {
      expect(message(() => parseGtfsDate(v, 'start_date'))).toBe(`start_date: "${v}" is not a GTFS date YYYYMMDD`)
    }
    expect(message(() => parseGtfsDate('20261301', 'end_date'))).toBe('end_date: "20261301" is not a GTFS date YYYYMMDD')
  })
})

describe('serviceDate', () => {
  it('is the UTC date at noon without a time zone, or with an empty one', () => {
    const day = Date.UTC(2026, 5, 17)
    expect(serviceDate(day)).toBe(20260617)
    expect(serviceDate(day, '')).toBe(20260617)
    // a day that starts late in the evening UTC is named by the date at its noon
    expect(serviceDate(Date.UTC(2026, 5, 16, 13))).toBe(20260617)
    expect(serviceDate(Date.UTC(2026, 5, 16, 11, 59))).toBe(20260616)
    expect(serviceDate(Date.UTC(2026, 11, 31))).toBe(20261231)
  })

  it('is the local date at noon in the time zone', () => {
    // a service day starting 13:00 UTC: noon is 01:00 UTC the next day, still that day in UTC−8 (Los Angeles, winter)
    expect(serviceDate(Date.UTC(2026, 0, 10, 13), 'America/Los_Angeles')).toBe(20260110)
    expect(serviceDate(Date.UTC(2026, 0, 10, 13))).toBe(20260111)
    // and in UTC+14 (Kiritimati) the local noon is on the next date
    expect(serviceDate(Date.UTC(2026, 0, 10, 0), 'Pacific/Kiritimati')).toBe(20260111)
  })
})

describe('timeZoneOffsetMs', () => {
  it('is the offset east of Greenwich in ms, negative to the west, whatever the milliseconds of the instant', () => {
    expect(timeZoneOffsetMs('UTC', Date.UTC(2026, 5, 17, 10, 30, 15, 999))).toBe(0)
    expect(timeZoneOffsetMs('Asia/Kolkata', Date.UTC(2026, 5, 17, 10, 30, 15, 500))).toBe(5.5 * 3_600_000)
    expect(timeZoneOffsetMs('America/New_York', Date.UTC(2026, 0, 17, 23, 59, 59, 1))).toBe(-5 * 3_600_000)
  })

  it("takes no zone as UTC, never the host's: on a host in Kolkata too (a process of its own, TZ set)", () => {
    // Intl asked for no zone answers with the host's; this machine's is UTC, so the check runs where it is not
    const js =
      `import { timeZoneOffsetMs, serviceDayStart } from ${JSON.stringify(new URL('../src/service-day.ts', import.meta.url).href)};` +
      `import { serviceDate as sd } from ${JSON.stringify(new URL('../src/calendar.ts', import.meta.url).href)};` +
      'const t = Date.UTC(2026, 5, 17, 20);' +
      "console.log(JSON.stringify([timeZoneOffsetMs(undefined, t), timeZoneOffsetMs('', t), " +
      'serviceDayStart(t), sd(Date.UTC(2026, 5, 17))]))'
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', js], {
      env: { ...process.env, TZ: 'Asia/Kolkata' },
      encoding: 'utf8'
    })
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual([0, 0, Date.UTC(2026, 5, 17), 20260617])
  })

  it('names the zone it does not know', () => {
    expect(message(() => timeZoneOffsetMs('Mars/Olympus', 0))).toMatch(/^unknown time zone "Mars\/Olympus": ./)
  })
})

describe('serviceDayStart', () => {
  it('is midnight UTC with an empty time zone as without one, from its first to its last millisecond', () => {
    const day = Date.UTC(2026, 5, 17)
    for (const t of [day, day + 1, day + 86_399_999]) {
      expect(serviceDayStart(t)).toBe(day)
      expect(serviceDayStart(t, '')).toBe(day)
    }
    expect(serviceDayStart(day + 86_400_000, '')).toBe(day + 86_400_000)
  })

  it('takes the offset of local noon on the day before a daylight-saving change, not of the next afternoon', () => {
    // Auckland moves from UTC+12 to UTC+13 at 02:00 on Sunday 27 September 2026; on the Saturday, 10:00 local is 22:00 UTC on
    // the 25th and local noon is midnight UTC, so the service day starts at 12:00 UTC on the 25th
    expect(serviceDayStart(Date.UTC(2026, 8, 25, 22), 'Pacific/Auckland')).toBe(Date.UTC(2026, 8, 25, 12))
    // on the Sunday, local noon is 23:00 UTC on the 26th (UTC+13)
    expect(serviceDayStart(Date.UTC(2026, 8, 26, 22), 'Pacific/Auckland')).toBe(Date.UTC(2026, 8, 26, 11))
  })

  it('is local midnight west of Greenwich too (New York, UTC−5 in winter)', () => {
    expect(serviceDayStart(Date.UTC(2026, 0, 17, 3), 'America/New_York')).toBe(Date.UTC(2026, 0, 16, 5))
    expect(serviceDayStart(Date.UTC(2026, 0, 17, 5), 'America/New_York')).toBe(Date.UTC(2026, 0, 17, 5))
  })
})
