import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { offsetMetres, type Coordinate } from '@kvartal/mobility'
import { callNode } from '@kvartal/cli'

export interface GtfsLineOptions {
  /** trips are timed from this instant on, so the test does not depend on the time of day */
  now: number
  agencyId: string
  center: Coordinate
  stops: number
  spacingM: number
  /** first departure from the first stop, seconds after `now` */
  firstInS: number
  headwayS: number
  trips: number
  /** seconds between neighbouring stops */
  hopS: number
}

export interface GtfsLine {
  stops: Array<{ id: string; lat: number; lon: number }>
  fare: number
}

/** GTFS time of day, seconds since the service day's start (midnight UTC here); hours may pass 24. */
function gtfsTime(s: number): string {
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map(n => String(n).padStart(2, '0')).join(':')
}

/**
 * Writes an unpacked GTFS directory with one bus line eastwards through `stops` stops, trips every
 * `headwayS` from `firstInS` after `now`: a timetable that always has trips ahead, whatever the hour.
 * The loader's fare for a bus (route_type 3) is 0.4 IOTA.
 */
export async function writeGtfsLine(dir: string, o: GtfsLineOptions): Promise<GtfsLine> {
  await mkdir(dir, { recursive: true })
  const stops = Array.from({ length: o.stops }, (_, i) => ({ id: `S${i}`, ...offsetMetres(o.center, 0, i * o.spacingM) }))
  const day = Math.floor(o.now / 86_400_000) * 86_400_000
  const first = Math.ceil((o.now - day) / 1000) + o.firstInS
  const times: string[] = []
  const trips: string[] = []
  for (let t = 0; t < o.trips; t++) {
    trips.push(`R1,weekday,T${t}`)
    stops.forEach((s, i) => {
      const at = gtfsTime(first + t * o.headwayS + i * o.hopS)
      times.push(`T${t},${at},${at},${s.id},${i + 1}`)
    })
  }
  await Promise.all([
    writeFile(
      join(dir, 'agency.txt'),
      `agency_id,agency_name,agency_url,agency_timezone\n${o.agencyId},Kvartal Bus,https://example.org,UTC\n`
    ),
    writeFile(
      join(dir, 'stops.txt'),
      'stop_id,stop_name,stop_lat,stop_lon\n' +
        stops.map(s => `${s.id},Stop ${s.id},${s.lat.toFixed(6)},${s.lon.toFixed(6)}`).join('\n') +
        '\n'
    ),
    writeFile(join(dir, 'routes.txt'), `route_id,agency_id,route_short_name,route_type\nR1,${o.agencyId},1,3\n`),
    writeFile(join(dir, 'trips.txt'), 'route_id,service_id,trip_id\n' + trips.join('\n') + '\n'),
    writeFile(join(dir, 'stop_times.txt'), 'trip_id,arrival_time,departure_time,stop_id,stop_sequence\n' + times.join('\n') + '\n')
  ])
  return { stops: stops.map(s => ({ id: s.id, lat: Number(s.lat.toFixed(6)), lon: Number(s.lon.toFixed(6)) })), fare: 400_000_000 }
}

/** Asks a running node's control API directly (as the CLI does), for polling in tests. */
export async function askNode(dataDir: string, path: string): Promise<any> {
  return await callNode(dataDir, 'GET', path)
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}
