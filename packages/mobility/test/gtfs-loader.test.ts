import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { zipSync, strToU8 } from 'fflate'
import { Mode, buildTimetable, loadGtfs, loadGtfsDirectory, parseGtfsTime, planJourneys } from '../src/index.ts'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-gtfs-'))
  const files: Record<string, string> = {
    // a BOM, a quoted name with a comma, a station row (location_type 1) that is not a stop
    'stops.txt': '\uFEFFstop_id,stop_name,stop_lat,stop_lon,location_type\n' +
      'A,"Centraal, perron 1",52.3780,4.9000,0\nB,Dam,52.3730,4.8930,\nC,Spui,52.3690,4.8890,0\nST,Station,52.3781,4.9001,1\n',
    'routes.txt': 'route_id,agency_id,route_short_name,route_type\nT2,GVB,2,0\nB1,GVB,1,3\n',
    'trips.txt': 'route_id,service_id,trip_id\nT2,wd,t2-a\nB1,wd,b1-a\n',
    // hours past 24, spaces, and an untimed middle stop
    'stop_times.txt': 'trip_id,arrival_time,departure_time,stop_id,stop_sequence\n' +
      't2-a,08:00:00,08:00:00,A,1\nt2-a,08:04:00,08:04:30,B,2\nt2-a,08:08:00,08:08:00,C,3\n' +
      'b1-a,24:10:00,24:10:00,A,1\nb1-a,,,B,2\nb1-a, 24:20:00,24:20:00,C,3\n'
  }
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  // the same feed zipped, as operators publish it, inside a top folder
  await writeFile(join(dir, 'feed.zip'), zipSync(Object.fromEntries(Object.entries(files).map(([n, t]) => [`gvb/${n}`, strToU8(t)]))))
})
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

describe('loadGtfsDirectory', () => {
  it('takes the time zone from agency.txt and fills a route\'s missing agency_id with the sole agency', async () => {
    const one = await mkdtemp(join(tmpdir(), 'kvartal-gtfs-agency-'))
    try {
      await writeFile(join(one, 'agency.txt'), 'agency_id,agency_name,agency_url,agency_timezone\natb,AtB,https://atb.no,Europe/Oslo\n')
      await writeFile(join(one, 'stops.txt'), 'stop_id,stop_name,stop_lat,stop_lon\nA,A,63.43,10.39\nB,B,63.44,10.40\n')
      await writeFile(join(one, 'routes.txt'), 'route_id,route_short_name,route_type\nR,1,3\n')
      await writeFile(join(one, 'trips.txt'), 'route_id,service_id,trip_id\nR,wd,t1\n')
      await writeFile(join(one, 'stop_times.txt'), 'trip_id,arrival_time,departure_time,stop_id,stop_sequence\nt1,08:00:00,08:00:00,A,1\nt1,08:05:00,08:05:00,B,2\n')
      const feed = await loadGtfs(one)
      expect(feed.timezone).toBe('Europe/Oslo')
      expect(feed.routes[0].agency_id).toBe('atb')
      expect(buildTimetable(feed).timezone).toBe('Europe/Oslo')
    } finally { await rm(one, { recursive: true, force: true }) }
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
    expect(feed.routes.map(r => [r.route_id, r.route_type, r.fare, r.co2_per_km])).toEqual([['T2', 0, 600_000_000, 25], ['B1', 3, 400_000_000, 70]])
    expect(feed.trips).toEqual([{ trip_id: 't2-a', route_id: 'T2' }, { trip_id: 'b1-a', route_id: 'B1' }])
    expect(feed.stop_times).toHaveLength(5)
    expect(feed.stop_times.find(st => st.trip_id === 'b1-a' && st.stop_id === 'C')!.arrival_time).toBe(24 * 3600 + 20 * 60)
  })

  it('plans on the loaded feed', async () => {
    const tt = buildTimetable(await loadGtfsDirectory(dir))
    const r = planJourneys(tt, { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 7 * 3600 + 55 * 60 })
    const tram = r.journeys.find(j => j.legs.some(l => l.mode === Mode.TRAM))
    expect(tram).toMatchObject({ arrivalTime: 8 * 3600 + 8 * 60, price: 600_000_000, transfers: 0 })
    expect(tram!.legs.find(l => l.mode === Mode.TRAM)).toMatchObject({ tripId: 't2-a', routeId: 'T2', provider: 'GVB', departureTime: 8 * 3600 })
  })

  it('says which file or value is wrong', async () => {
    await expect(loadGtfsDirectory(join(dir, 'missing'))).rejects.toMatchObject({ name: 'TimetableError' })
    expect(() => parseGtfsTime('8h00', 'x')).toThrow(expect.objectContaining({ name: 'TimetableError' }))
    expect(parseGtfsTime('25:01:02', 'x')).toBe(25 * 3600 + 62)
  })
})
