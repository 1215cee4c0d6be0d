import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { zipSync, strToU8 } from 'fflate'
import {
  Mode,
  buildTimetable,
  loadGtfs,
  loadGtfsDirectory,
  parseGtfsTime,
  planJourneys,
  serviceDate,
  serviceDayStart,
  tripsRunning
} from '../src/index.ts'
import { referenceJourneys } from './gtfs-reference.ts'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-gtfs-'))
  const files: Record<string, string> = {
    // a BOM, a quoted name with a comma, a station row (location_type 1) that is not a stop
    'stops.txt':
      '\uFEFFstop_id,stop_name,stop_lat,stop_lon,location_type\n' +
      'A,"Centraal, perron 1",52.3780,4.9000,0\nB,Dam,52.3730,4.8930,\nC,Spui,52.3690,4.8890,0\nST,Station,52.3781,4.9001,1\n',
    'routes.txt': 'route_id,agency_id,route_short_name,route_type\nT2,GVB,2,0\nB1,GVB,1,3\n',
    'trips.txt': 'route_id,service_id,trip_id\nT2,wd,t2-a\nB1,wd,b1-a\n',
    // hours past 24, spaces, and an untimed middle stop
    'stop_times.txt':
      'trip_id,arrival_time,departure_time,stop_id,stop_sequence\n' +
      't2-a,08:00:00,08:00:00,A,1\nt2-a,08:04:00,08:04:30,B,2\nt2-a,08:08:00,08:08:00,C,3\n' +
      'b1-a,24:10:00,24:10:00,A,1\nb1-a,,,B,2\nb1-a, 24:20:00,24:20:00,C,3\n'
  }
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  // the same feed zipped, as operators publish it, inside a top folder
  await writeFile(join(dir, 'feed.zip'), zipSync(Object.fromEntries(Object.entries(files).map(([n, t]) => [`gvb/${n}`, strToU8(t)]))))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('loadGtfsDirectory', () => {
  it("takes the time zone from agency.txt and fills a route's missing agency_id with the sole agency", async () => {
    const one = await mkdtemp(join(tmpdir(), 'kvartal-gtfs-agency-'))
    try {
      await writeFile(join(one, 'agency.txt'), 'agency_id,agency_name,agency_url,agency_timezone\natb,AtB,https://atb.no,Europe/Oslo\n')
      await writeFile(join(one, 'stops.txt'), 'stop_id,stop_name,stop_lat,stop_lon\nA,A,63.43,10.39\nB,B,63.44,10.40\n')
      await writeFile(join(one, 'routes.txt'), 'route_id,route_short_name,route_type\nR,1,3\n')
      await writeFile(join(one, 'trips.txt'), 'route_id,service_id,trip_id\nR,wd,t1\n')
      await writeFile(
        join(one, 'stop_times.txt'),
        'trip_id,arrival_time,departure_time,stop_id,stop_sequence\nt1,08:00:00,08:00:00,A,1\nt1,08:05:00,08:05:00,B,2\n'
      )
      const feed = await loadGtfs(one)
      expect(feed.timezone).toBe('Europe/Oslo')
      expect(feed.routes[0].agency_id).toBe('atb')
      expect(buildTimetable(feed).timezone).toBe('Europe/Oslo')
    } finally {
      await rm(one, { recursive: true, force: true })
    }
  })

  it('reads the same feed from a zip file', async () => {
    expect(await loadGtfs(join(dir, 'feed.zip'))).toEqual(await loadGtfsDirectory(dir))
    expect(await loadGtfs(dir)).toEqual(await loadGtfsDirectory(dir))
    await expect(loadGtfs(join(dir, 'stops.txt'))).rejects.toThrow(/cannot read the GTFS zip/)
  })

  it('reads a tiny feed into the GTFS-shaped model', async () => {
    const feed = await loadGtfsDirectory(dir)
    expect(feed.stops.map(s => s.stop_id)).toEqual(['A', 'B', 'C'])
    expect(feed.stops[0]).toEqual({ stop_id: 'A', stop_name: 'Centraal, perron 1', stop_lat: 52.378, stop_lon: 4.9 })
    expect(feed.routes.map(r => [r.route_id, r.route_type, r.fare, r.co2_per_km])).toEqual([
      ['T2', 0, 600_000_000, 25],
      ['B1', 3, 400_000_000, 70]
    ])
    expect(feed.trips).toEqual([
      { trip_id: 't2-a', route_id: 'T2', service_id: 'wd' },
      { trip_id: 'b1-a', route_id: 'B1', service_id: 'wd' }
    ])
    // no calendar tables: every trip runs every day
    expect(feed.calendar).toBeUndefined()
    expect(buildTimetable(feed).calendar).toBeUndefined()
    expect(feed.stop_times).toHaveLength(5)
    expect(feed.stop_times.find(st => st.trip_id === 'b1-a' && st.stop_id === 'C')!.arrival_time).toBe(24 * 3600 + 20 * 60)
  })

  it('plans on the loaded feed', async () => {
    const tt = buildTimetable(await loadGtfsDirectory(dir))
    const r = planJourneys(tt, { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 7 * 3600 + 55 * 60 })
    const tram = r.journeys.find(j => j.legs.some(l => l.mode === Mode.TRAM))
    expect(tram).toMatchObject({ arrivalTime: 8 * 3600 + 8 * 60, price: 600_000_000, transfers: 0 })
    expect(tram!.legs.find(l => l.mode === Mode.TRAM)).toMatchObject({
      tripId: 't2-a',
      routeId: 'T2',
      provider: 'GVB',
      departureTime: 8 * 3600
    })
  })

  it('says which file or value is wrong', async () => {
    await expect(loadGtfsDirectory(join(dir, 'missing'))).rejects.toMatchObject({ name: 'TimetableError' })
    expect(() => parseGtfsTime('8h00', 'x')).toThrow(expect.objectContaining({ name: 'TimetableError' }))
    expect(parseGtfsTime('25:01:02', 'x')).toBe(25 * 3600 + 62)
  })

  it('boards only the trips whose calendar runs on the service date: weekdays, weekends, added and removed dates', async () => {
    const cal = await mkdtemp(join(tmpdir(), 'kvartal-gtfs-calendar-'))
    try {
      await writeFile(join(cal, 'agency.txt'), 'agency_id,agency_name,agency_url,agency_timezone\natb,AtB,https://atb.no,Europe/Oslo\n')
      await writeFile(join(cal, 'stops.txt'), 'stop_id,stop_name,stop_lat,stop_lon\nA,A,63.43,10.39\nB,B,63.44,10.40\n')
      await writeFile(join(cal, 'routes.txt'), 'route_id,route_short_name,route_type\nR,1,3\n')
      // a weekday trip at 08:00, a weekend trip at 08:10, an extra trip at 08:05 run on one date only
      await writeFile(join(cal, 'trips.txt'), 'route_id,service_id,trip_id\nR,wd,weekday\nR,we,weekend\nR,extra,extra\n')
      await writeFile(
        join(cal, 'stop_times.txt'),
        'trip_id,arrival_time,departure_time,stop_id,stop_sequence\n' +
          'weekday,08:00:00,08:00:00,A,1\nweekday,08:20:00,08:20:00,B,2\n' +
          'extra,08:05:00,08:05:00,A,1\nextra,08:25:00,08:25:00,B,2\n' +
          'weekend,08:10:00,08:10:00,A,1\nweekend,08:30:00,08:30:00,B,2\n'
      )
      await writeFile(
        join(cal, 'calendar.txt'),
        'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n' +
          'wd,1,1,1,1,1,0,0,20260101,20261231\nwe,0,0,0,0,0,1,1,20260101,20261231\n'
      )
      // Wednesday 17 June 2026 is a holiday here (no weekday service), and the extra trip runs on it only
      await writeFile(join(cal, 'calendar_dates.txt'), 'service_id,date,exception_type\nwd,20260617,2\nextra,20260617,1\n')
      const feed = await loadGtfs(cal)
      const tt = buildTimetable(feed)
      const first = (date: number): string | undefined =>
        planJourneys(tt, { from: { stopId: 'A' }, to: { stopId: 'B' }, departAfter: 7 * 3600, serviceDate: date })
          .journeys.map(j => j.legs.find(l => l.tripId != null)?.tripId)
          .find(id => id != null)
      expect(first(20260616)).toBe('weekday') // a Tuesday
      expect(first(20260617)).toBe('extra') // the holiday: no weekday trip, the added one
      expect(first(20260620)).toBe('weekend') // a Saturday
      expect(first(20270616)).toBeUndefined() // after end_date: nothing runs
      expect(
        tripsRunning(tt, 20260620)!
          .flatMap(m => [...m])
          .reduce((a, b) => a + b, 0)
      ).toBe(1)
      // the independent reference (raw GTFS tables, gtfs-reference.ts) agrees on every date
      for (const date of [20260616, 20260617, 20260620, 20270616]) {
        const q = { from: { stopId: 'A' }, to: { stopId: 'B' }, departAfter: 7 * 3600, serviceDate: date }
        expect(
          planJourneys(tt, q)
            .journeys.map(j => j.arrivalTime)
            .sort()
        ).toEqual(
          referenceJourneys(feed, q)
            .map(c => c.arrivalTime)
            .sort()
        )
      }
      // the service date of an instant: the local date in the feed's time zone (00:30 in Oslo is 22:30 UTC the day before)
      const at = Date.UTC(2026, 5, 16, 22, 30)
      expect(serviceDate(serviceDayStart(at, 'Europe/Oslo'), 'Europe/Oslo')).toBe(20260617)
      expect(serviceDate(serviceDayStart(at))).toBe(20260616)
    } finally {
      await rm(cal, { recursive: true, force: true })
    }
  })

  it('refuses a calendar that is wrong, naming the file and the value', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'kvartal-gtfs-badcal-'))
    try {
      await writeFile(join(bad, 'stops.txt'), 'stop_id,stop_name,stop_lat,stop_lon\nA,A,63.43,10.39\nB,B,63.44,10.40\n')
      await writeFile(join(bad, 'routes.txt'), 'route_id,route_short_name,route_type\nR,1,3\n')
      await writeFile(join(bad, 'trips.txt'), 'route_id,service_id,trip_id\nR,wd,t1\n')
      await writeFile(
        join(bad, 'stop_times.txt'),
        'trip_id,arrival_time,departure_time,stop_id,stop_sequence\nt1,08:00:00,08:00:00,A,1\nt1,08:05:00,08:05:00,B,2\n'
      )
      const header = 'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n'
      await writeFile(join(bad, 'calendar.txt'), header + 'wd,1,1,1,1,1,0,0,2026-01-01,20261231\n')
      await expect(loadGtfs(bad)).rejects.toThrow(/calendar.txt service wd start_date: "2026-01-01" is not a GTFS date/)
      await writeFile(join(bad, 'calendar.txt'), header + 'wd,1,1,yes,1,1,0,0,20260101,20261231\n')
      await expect(loadGtfs(bad)).rejects.toThrow(/wednesday must be 0 or 1/)
      await writeFile(join(bad, 'calendar.txt'), header + 'other,1,1,1,1,1,0,0,20260101,20261231\n')
      expect(() => buildTimetable({ stops: [], routes: [], trips: [], stop_times: [] })).not.toThrow()
      await expect(loadGtfs(bad).then(buildTimetable)).rejects.toThrow(
        /trip t1 names service_id wd, which neither calendar nor calendar_dates has/
      )
      await writeFile(join(bad, 'calendar.txt'), header + 'wd,1,1,1,1,1,0,0,20261231,20260101\n')
      await expect(loadGtfs(bad).then(buildTimetable)).rejects.toThrow(/end_date 20260101 is before start_date 20261231/)
      await writeFile(join(bad, 'calendar.txt'), header + 'wd,1,1,1,1,1,0,0,20260101,20261231\n')
      await writeFile(join(bad, 'calendar_dates.txt'), 'service_id,date,exception_type\nwd,20260617,3\n')
      await expect(loadGtfs(bad)).rejects.toThrow(/exception_type must be 1 or 2, got "3"/)
    } finally {
      await rm(bad, { recursive: true, force: true })
    }
  })

  it('plans a wheelchair traveller onto trips known to have room, never boarding or alighting where a stop rules it out', async () => {
    const w = await mkdtemp(join(tmpdir(), 'kvartal-gtfs-wheelchair-'))
    try {
      // C is far from A and B (no walking there), and its platform cannot take a wheelchair
      await writeFile(
        join(w, 'stops.txt'),
        'stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding\nA,A,63.43,10.39,1\nB,B,63.44,10.40,\nC,C,63.46,10.44,2\n'
      )
      await writeFile(join(w, 'routes.txt'), 'route_id,route_short_name,route_type\nR,1,3\n')
      await writeFile(join(w, 'trips.txt'), 'route_id,trip_id,wheelchair_accessible\nR,unknown,\nR,no,2\nR,yes,1\n')
      await writeFile(
        join(w, 'stop_times.txt'),
        'trip_id,arrival_time,departure_time,stop_id,stop_sequence\n' +
          'unknown,08:00:00,08:00:00,A,1\nunknown,08:20:00,08:20:00,B,2\nunknown,08:40:00,08:40:00,C,3\n' +
          'no,08:05:00,08:05:00,A,1\nno,08:25:00,08:25:00,B,2\nno,08:45:00,08:45:00,C,3\n' +
          'yes,08:10:00,08:10:00,A,1\nyes,08:30:00,08:30:00,B,2\nyes,08:50:00,08:50:00,C,3\n'
      )
      const feed = await loadGtfs(w)
      const tt = buildTimetable(feed)
      const trips = (to: string, wheelchair: boolean): string[] =>
        planJourneys(tt, { from: { stopId: 'A' }, to: { stopId: to }, departAfter: 7 * 3600, wheelchair }).journeys.flatMap(j =>
          j.legs.flatMap(l => (l.tripId != null ? [l.tripId] : []))
        )
      expect(trips('B', false)).toEqual(['unknown'])
      expect(trips('B', true)).toEqual(['yes'])
      expect(trips('C', false)).toEqual(['unknown'])
      expect(trips('C', true)).toEqual([])
      for (const [to, wheelchair] of [
        ['B', true],
        ['C', true],
        ['B', false]
      ] as const) {
        const q = { from: { stopId: 'A' }, to: { stopId: to }, departAfter: 7 * 3600, wheelchair }
        expect(planJourneys(tt, q).journeys.map(j => j.arrivalTime)).toEqual(referenceJourneys(feed, q).map(c => c.arrivalTime))
      }
      await writeFile(join(w, 'trips.txt'), 'route_id,trip_id,wheelchair_accessible\nR,unknown,yes\n')
      await expect(loadGtfs(w)).rejects.toThrow(/trips.txt trip unknown: wheelchair_accessible must be 0, 1 or 2, got "yes"/)
    } finally {
      await rm(w, { recursive: true, force: true })
    }
  })
})
