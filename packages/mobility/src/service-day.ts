import { TimetableError } from './timetable-error.ts'

/**
 * Offset of local time in `timeZone` from UTC at `atMs`, ms (positive east of Greenwich). No zone is UTC, never the
 * host's: what a node makes of a timetable must not depend on the machine it runs on.
 */
export function timeZoneOffsetMs(timeZone: string | undefined, atMs: number): number {
  let parts: Intl.DateTimeFormatPart[]
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timeZone || 'UTC',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit'
    }).formatToParts(new Date(atMs))
  } catch (err) {
    throw new TimetableError(`unknown time zone "${timeZone}": ${(err as Error).message}`)
  }
  const get = (t: string): number => Number(parts.find(p => p.type === t)!.value)
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(atMs / 1000) * 1000
}

/**
 * When the GTFS service day containing `nowMs` starts: "noon minus 12 h" local time in the feed's
 * agency_timezone (so that a day with a daylight-saving change still counts times from the same
 * reference), or midnight UTC when the feed has no time zone. GTFS times are seconds after it.
 */
export function serviceDayStart(nowMs: number, timeZone?: string): number {
  if (timeZone == null || timeZone === '') return Math.floor(nowMs / 86_400_000) * 86_400_000
  const local = new Date(nowMs + timeZoneOffsetMs(timeZone, nowMs))
  const noonAsUtc = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), 12)
  const noon = noonAsUtc - timeZoneOffsetMs(timeZone, noonAsUtc - timeZoneOffsetMs(timeZone, nowMs))
  return noon - 12 * 3_600_000
}
