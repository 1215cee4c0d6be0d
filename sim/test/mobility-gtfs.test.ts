import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { offsetMetres } from '@kvartal/mobility'
import { SIM_AGENCY, buildMobilityDistrict, defaultScenario, loadScenario, validateScenario } from '../src/index.ts'

const site = { latitude: 63.43, longitude: 10.39, utcOffsetHours: 2 }
const hms = (s: number): string => [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map(n => String(n).padStart(2, '0')).join(':')

/** A one-line feed through the site: 6 stops 400 m apart, a trip every 10 minutes from 06:00 local. */
async function writeFeed(dir: string, opts: { timezone?: string; north?: number } = {}): Promise<void> {
  const stops = Array.from({ length: 6 }, (_, i) => ({
    id: `s${i}`,
    ...offsetMetres({ lat: site.latitude, lon: site.longitude }, opts.north ?? 0, (i - 3) * 400)
  }))
  const trips = Array.from({ length: 30 }, (_, k) => k)
  await writeFile(
    join(dir, 'agency.txt'),
    `agency_id,agency_name,agency_url,agency_timezone\natb,AtB,https://atb.no,${opts.timezone ?? ''}\n`
  )
  await writeFile(
    join(dir, 'stops.txt'),
    'stop_id,stop_name,stop_lat,stop_lon\n' + stops.map(s => `${s.id},${s.id},${s.lat},${s.lon}`).join('\n') + '\n'
  )
  await writeFile(join(dir, 'routes.txt'), 'route_id,agency_id,route_short_name,route_type\nr1,atb,1,3\n')
  await writeFile(join(dir, 'trips.txt'), 'route_id,service_id,trip_id\n' + trips.map(k => `r1,daily,t${k}`).join('\n') + '\n')
  await writeFile(
    join(dir, 'stop_times.txt'),
    'trip_id,arrival_time,departure_time,stop_id,stop_sequence\n' +
      trips
        .flatMap(k =>
          stops.map((s, i) => {
            const t = 6 * 3600 + k * 600 + i * 90
            return `t${k},${hms(t)},${hms(t)},${s.id},${i + 1}`
          })
        )
        .join('\n') +
      '\n'
  )
}

describe('a district on a real GTFS feed', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvartal-sim-gtfs-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const init = async (gtfs: string) => {
    const m = validateScenario({ mobility: { gtfs, transit: { fare: 1_000_000 }, vehicles: { bikes: 2, scooters: 0, cars: 0 } } }).mobility
    if (m === false) throw new Error('mobility expected')
    return await buildMobilityDistrict({
      mobility: m,
      site,
      buildingCount: 4,
      seed: 1,
      localMidnightMs: Date.UTC(2026, 5, 16, 22),
      fromMs: Date.UTC(2026, 5, 16, 22),
      untilMs: Date.UTC(2026, 5, 17, 21),
      slotMs: 900_000
    })
  }

  it('sells every route through the one operator, at the scenario fare, in UTC when the feed has no time zone', async () => {
    const feed = join(dir, 'utc')
    await mkdir(feed)
    await writeFeed(feed)
    const d = await init(feed)
    expect(d.timetable.stops.length).toBe(6)
    expect(d.timetable.patterns.every(p => p.route.agency_id === SIM_AGENCY && p.route.fare === 1_000_000)).toBe(true)
    expect(d.providers.map(p => p.kind)).toEqual(['transit', 'bikes', 'bikes'])
    // 06:00 local at UTC+2 is 04:00 UTC
    expect(Math.min(...d.timetable.patterns[0].dep)).toBe(4 * 3600)
    expect(d.map.buildings.length).toBe(4)
  })

  it('keeps local times when the feed names its time zone', async () => {
    const feed = join(dir, 'oslo')
    await mkdir(feed)
    await writeFeed(feed, { timezone: 'Europe/Oslo' })
    const d = await init(feed)
    expect((d.timetable as { timezone?: string }).timezone).toBe('Europe/Oslo')
    expect(Math.min(...d.timetable.patterns[0].dep)).toBe(6 * 3600)
  })

  it('names mobility.gtfs when the feed cannot be read or lies elsewhere', async () => {
    await expect(init(join(dir, 'missing'))).rejects.toMatchObject({ name: 'ConfigError', field: 'mobility.gtfs' })
    const far = join(dir, 'far')
    await mkdir(far)
    await writeFeed(far, { north: 20_000 })
    await expect(init(far)).rejects.toMatchObject({ name: 'ConfigError', field: 'mobility.gtfs' })
  })

  it('finds a feed named in a scenario file beside that file', async () => {
    await writeFile(join(dir, 'scenario.yaml'), 'mobility:\n  gtfs: utc\n  transit: { seatsPerTrip: 10 }\n')
    const s = await loadScenario(join(dir, 'scenario.yaml'))
    expect(s.mobility !== false && s.mobility.gtfs).toBe(join(dir, 'utc'))
    expect(defaultScenario.mobility !== false && defaultScenario.mobility.gtfs).toBeUndefined()
  })
})
