import { describe, expect, it } from 'vitest'
import { serviceDayStart, timeZoneOffsetMs } from '../src/index.ts'

describe('serviceDayStart (GTFS: noon minus 12 h, local time of the agency)', () => {
  it('is midnight UTC without a time zone', () => {
    expect(serviceDayStart(Date.UTC(2026, 5, 17, 10, 30))).toBe(Date.UTC(2026, 5, 17))
  })
  it('is local midnight in Oslo in summer (UTC+2) and winter (UTC+1)', () => {
    expect(serviceDayStart(Date.UTC(2026, 5, 17, 10, 30), 'Europe/Oslo')).toBe(Date.UTC(2026, 5, 16, 22))
    // 23:30 UTC on 17 June is already 18 June in Oslo
    expect(serviceDayStart(Date.UTC(2026, 5, 17, 23, 30), 'Europe/Oslo')).toBe(Date.UTC(2026, 5, 17, 22))
    expect(serviceDayStart(Date.UTC(2026, 0, 10, 12), 'Europe/Oslo')).toBe(Date.UTC(2026, 0, 9, 23))
    expect(timeZoneOffsetMs('Europe/Oslo', Date.UTC(2026, 0, 10, 12))).toBe(3_600_000)
  })
  it('counts from noon minus 12 h on a daylight-saving day, as GTFS says', () => {
    // 29 March 2026, clocks go forward at 02:00 in Oslo: noon is 10:00 UTC, the reference 22:00 UTC the day before
    expect(serviceDayStart(Date.UTC(2026, 2, 29, 15), 'Europe/Oslo')).toBe(Date.UTC(2026, 2, 28, 22))
  })
  it('refuses an unknown zone with a typed error', () => {
    expect(() => serviceDayStart(0, 'Mars/Olympus')).toThrow(/unknown time zone/)
  })
})
