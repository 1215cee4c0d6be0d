import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { unzipSync } from 'fflate'
import { TimetableError, type Feed, type GtfsRoute } from './timetable.ts'
import { parseGtfsDate, type GtfsCalendar, type GtfsCalendarDate } from './calendar.ts'

export interface GtfsLoadOptions {
  /** flat fare per boarding in nanos, by GTFS route_type; `default` for the rest */
  fareByRouteType: Readonly<Record<number | 'default', number>>
  /** grams of CO₂ per passenger-km by GTFS route_type; `default` for the rest */
  co2PerKmByRouteType: Readonly<Record<number | 'default', number>>
  signal?: AbortSignal
}

/** GTFS has no fare per boarding nor CO₂: illustrative flat values (bus 0.4 IOTA, 70 g/km; tram, metro, rail electric). */
export const defaultGtfsLoadOptions: GtfsLoadOptions = {
  fareByRouteType: { 0: 600_000_000, 1: 600_000_000, 2: 1_000_000_000, default: 400_000_000 },
  co2PerKmByRouteType: { 0: 25, 1: 25, 2: 30, default: 70 }
}

/** "HH:MM:SS" (hours may pass 24) to seconds since service-day start. */
export function parseGtfsTime(value: string, what: string): number {
  const m = /^\s*(\d+):([0-5]\d):([0-5]\d)\s*$/.exec(value)
  if (m == null) throw new TimetableError(`${what}: "${value}" is not a GTFS time HH:MM:SS`)
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])
}

type Row = Record<string, string>

/** Where a feed's tables come from: an unpacked directory, or the entries of a zip file. */
type TableSource = (name: string, signal?: AbortSignal) => Promise<string>

function directorySource(dir: string): TableSource {
  return async (name, signal) => {
    try {
      return await readFile(join(dir, name), { encoding: 'utf8', signal })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new TimetableError(`the GTFS directory ${dir} has no ${name}`)
      throw new TimetableError(`cannot read ${name} in ${dir}: ${(err as Error).message}`)
    }
  }
}

async function zipSource(file: string, signal?: AbortSignal): Promise<TableSource> {
  let entries: Record<string, Uint8Array>
  try {
    const wanted = new Set(['agency.txt', 'stops.txt', 'routes.txt', 'trips.txt', 'stop_times.txt', 'calendar.txt', 'calendar_dates.txt'])
    // feeds are often zipped with a top folder: match on the file name alone, and unpack only the tables read
    entries = unzipSync(await readFile(file, { signal }), { filter: f => wanted.has(f.name.split('/').pop() ?? '') })
  } catch (err) {
    throw new TimetableError(`cannot read the GTFS zip ${file}: ${(err as Error).message}`)
  }
  const byName = new Map(Object.entries(entries).map(([k, v]) => [k.split('/').pop() ?? k, v]))
  return async name => {
    const bytes = byName.get(name)
    if (bytes == null) throw new TimetableError(`the GTFS zip ${file} has no ${name}`)
    return new TextDecoder().decode(bytes)
  }
}

async function readTable(source: TableSource, name: string, required: readonly string[], signal?: AbortSignal): Promise<Row[]> {
  const text = await source(name, signal)
  const rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Row[]
  const missing = required.filter(c => rows.length > 0 && !(c in rows[0]))
  if (missing.length > 0) throw new TimetableError(`${name} lacks column(s) ${missing.join(', ')}`)
  return rows
}

/**
 * Reads an unpacked GTFS directory (stops.txt, routes.txt, trips.txt, stop_times.txt; agency.txt,
 * calendar.txt and calendar_dates.txt when present) into a Feed. Stop times without both times (untimed
 * stops) are skipped, as are stations (location_type 1). Fares and CO₂ come from the options by
 * route_type. A feed with neither calendar table runs every trip every day.
 */
export async function loadGtfsDirectory(dir: string, init: Partial<GtfsLoadOptions> = {}): Promise<Feed> {
  return await loadFeed(directorySource(dir), { ...defaultGtfsLoadOptions, ...init })
}

/** Reads a GTFS feed from an unpacked directory or a .zip file (fflate), as `loadGtfsDirectory` does. */
export async function loadGtfs(path: string, init: Partial<GtfsLoadOptions> = {}): Promise<Feed> {
  const o = { ...defaultGtfsLoadOptions, ...init }
  let isDir: boolean
  try {
    isDir = (await stat(path)).isDirectory()
  } catch (err) {
    throw new TimetableError(`cannot read the GTFS feed at ${path}: ${(err as Error).message}`)
  }
  return await loadFeed(isDir ? directorySource(path) : await zipSource(path, o.signal), o)
}

async function loadFeed(source: TableSource, o: GtfsLoadOptions): Promise<Feed> {
  // optional tables: absent is fine, present but broken is not
  const optional = (name: string, required: readonly string[]): Promise<Row[]> =>
    readTable(source, name, required, o.signal).catch((err: Error) => {
      if (err.message.endsWith(`has no ${name}`)) return []
      throw err
    })
  const settled = await Promise.allSettled([
    optional('agency.txt', ['agency_timezone']),
    readTable(source, 'stops.txt', ['stop_id', 'stop_lat', 'stop_lon'], o.signal),
    readTable(source, 'routes.txt', ['route_id', 'route_type'], o.signal),
    readTable(source, 'trips.txt', ['trip_id', 'route_id'], o.signal),
    readTable(source, 'stop_times.txt', ['trip_id', 'stop_id', 'stop_sequence'], o.signal),
    optional('calendar.txt', [
      'service_id',
      'monday',
      'tuesday',
      'wednesday',
      'thursday',
      'friday',
      'saturday',
      'sunday',
      'start_date',
      'end_date'
    ]),
    optional('calendar_dates.txt', ['service_id', 'date', 'exception_type'])
  ])
  // report the first missing or broken table in the feed's own order, whichever read failed first
  const failed = settled.find(r => r.status === 'rejected')
  if (failed != null) throw (failed as PromiseRejectedResult).reason
  const [agencies, stops, routes, trips, stopTimes, calendar, calendarDates] = settled.map(r => (r as PromiseFulfilledResult<Row[]>).value)
  const byType = (table: Readonly<Record<number | 'default', number>>, t: number): number => table[t] ?? table.default
  // GTFS: every agency of a feed shares one time zone; agency_id may be left out when there is one agency
  const timezone = agencies[0]?.agency_timezone || undefined
  const soleAgency = agencies.length === 1 ? agencies[0].agency_id || agencies[0].agency_name || undefined : undefined
  return {
    ...(timezone != null ? { timezone } : {}),
    stops: stops
      .filter(s => s.location_type == null || s.location_type === '' || s.location_type === '0')
      .map(s => ({
        stop_id: s.stop_id,
        stop_name: s.stop_name ?? '',
        stop_lat: Number(s.stop_lat),
        stop_lon: Number(s.stop_lon),
        ...wheelchair(s.wheelchair_boarding, 'wheelchair_boarding', `stops.txt stop ${s.stop_id}`)
      })),
    routes: routes.map((r): GtfsRoute => {
      const type = Number(r.route_type)
      return {
        route_id: r.route_id,
        route_short_name: r.route_short_name,
        route_type: type,
        agency_id: r.agency_id || soleAgency,
        fare: byType(o.fareByRouteType, type),
        co2_per_km: byType(o.co2PerKmByRouteType, type)
      }
    }),
    trips: trips.map(t => ({
      trip_id: t.trip_id,
      route_id: t.route_id,
      ...(t.service_id ? { service_id: t.service_id } : {}),
      ...wheelchair(t.wheelchair_accessible, 'wheelchair_accessible', `trips.txt trip ${t.trip_id}`)
    })),
    ...(calendar.length > 0 ? { calendar: calendar.map(calendarRow) } : {}),
    ...(calendarDates.length > 0 ? { calendar_dates: calendarDates.map(calendarDateRow) } : {}),
    stop_times: stopTimes
      .filter(st => (st.arrival_time ?? '') !== '' && (st.departure_time ?? '') !== '')
      .map(st => ({
        trip_id: st.trip_id,
        stop_id: st.stop_id,
        stop_sequence: Number(st.stop_sequence),
        arrival_time: parseGtfsTime(st.arrival_time, `stop_times.txt trip ${st.trip_id}`),
        departure_time: parseGtfsTime(st.departure_time, `stop_times.txt trip ${st.trip_id}`)
      }))
  }
}

function calendarRow(r: Row): GtfsCalendar {
  const day = (d: keyof GtfsCalendar): number => {
    if (r[d] !== '0' && r[d] !== '1') throw new TimetableError(`calendar.txt service ${r.service_id}: ${d} must be 0 or 1, got "${r[d]}"`)
    return Number(r[d])
  }
  return {
    service_id: r.service_id,
    monday: day('monday'),
    tuesday: day('tuesday'),
    wednesday: day('wednesday'),
    thursday: day('thursday'),
    friday: day('friday'),
    saturday: day('saturday'),
    sunday: day('sunday'),
    start_date: parseGtfsDate(r.start_date, `calendar.txt service ${r.service_id} start_date`),
    end_date: parseGtfsDate(r.end_date, `calendar.txt service ${r.service_id} end_date`)
  }
}

function calendarDateRow(r: Row): GtfsCalendarDate {
  if (r.exception_type !== '1' && r.exception_type !== '2')
    throw new TimetableError(
      `calendar_dates.txt service ${r.service_id} ${r.date}: exception_type must be 1 or 2, got "${r.exception_type}"`
    )
  return {
    service_id: r.service_id,
    date: parseGtfsDate(r.date, `calendar_dates.txt service ${r.service_id} date`),
    exception_type: Number(r.exception_type) as 1 | 2
  }
}

/** GTFS accessibility fields: empty or absent is "no information" (left out), else 0, 1 or 2. */
function wheelchair<K extends string>(value: string | undefined, key: K, what: string): Partial<Record<K, number>> {
  if (value == null || value === '') return {}
  if (value !== '0' && value !== '1' && value !== '2') throw new TimetableError(`${what}: ${key} must be 0, 1 or 2, got "${value}"`)
  return { [key]: Number(value) } as Partial<Record<K, number>>
}
