import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { strToU8, zipSync } from 'fflate'
import { loadGtfs, loadGtfsDirectory, parseGtfsTime } from '../src/index.ts'

/**
 * The edges of gtfs-loader.ts: the anchors of the time pattern, each table's required columns, optional tables
 * that are absent or broken, untimed and one-sided stop times, files that cannot be read, a zip that lacks a
 * table or holds one the loader cannot unpack, and the message of each refusal.
 */
const good: Record<string, string> = {
  'agency.txt': 'agency_id,agency_name,agency_url,agency_timezone\natb,AtB,https://atb.no,Europe/Oslo\n',
  'stops.txt': 'stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding\nA,A,63.43,10.39,0\nB,B,63.44,10.40,1\n',
  'routes.txt': 'route_id,route_short_name,route_type\nR,1,3\n',
  'trips.txt': 'route_id,service_id,trip_id\nR,wd,t1\n',
  'stop_times.txt': 'trip_id,arrival_time,departure_time,stop_id,stop_sequence\nt1,08:00:00,08:00:00,A,1\nt1,08:05:00,08:05:00,B,2\n',
  'calendar.txt':
    'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nwd,1,1,1,1,1,0,0,20260101,20261231\n',
  'calendar_dates.txt': 'service_id,date,exception_type\nwd,20260617,2\n'
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-gtfs-edges-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})
const write = async (files: Record<string, string>, into = dir): Promise<void> => {
  for (const [name, text] of Object.entries(files)) await writeFile(join(into, name), text)
}
/** the table with one column taken out of its header and rows */
const without = (table: string, column: string): string => {
  const rows = table
    .trimEnd()
    .split('\n')
    .map(r => r.split(','))
  const k = rows[0].indexOf(column)
  return rows.map(r => r.filter((_, i) => i !== k).join(',')).join('\n') + '\n'
}

describe('parseGtfsTime', () => {
  it('reads HH:MM:SS with spaces around it, and nothing before or after it', () => {
    expect(parseGtfsTime(' 08:00:00 ', 'x')).toBe(8 * 3600)
    expect(parseGtfsTime('08:00:01\t', 'x')).toBe(8 * 3600 + 1)
    expect(() => parseGtfsTime('x08:00:00', 'stop_times.txt trip t1')).toThrow(
      /^stop_times.txt trip t1: "x08:00:00" is not a GTFS time HH:MM:SS$/
    )
    expect(() => parseGtfsTime('08:00:00x', 'x')).toThrow(/"08:00:00x" is not a GTFS time/)
    expect(() => parseGtfsTime('08:00:00 x', 'x')).toThrow(/"08:00:00 x" is not a GTFS time/)
  })
})

describe('loadGtfsDirectory', () => {
  it('reads a feed with every table', async () => {
    await write(good)
    const feed = await loadGtfsDirectory(dir)
    expect(feed.timezone).toBe('Europe/Oslo')
    expect(feed.stops.map(s => s.wheelchair_boarding)).toEqual([0, 1])
    expect(feed.calendar_dates).toEqual([{ service_id: 'wd', date: 20260617, exception_type: 2 }])
  })

  const required: Array<[string, string]> = [
    ['agency.txt', 'agency_timezone'],
    ['stops.txt', 'stop_id'],
    ['stops.txt', 'stop_lat'],
    ['stops.txt', 'stop_lon'],
    ['routes.txt', 'route_id'],
    ['routes.txt', 'route_type'],
    ['trips.txt', 'trip_id'],
    ['trips.txt', 'route_id'],
    ['stop_times.txt', 'trip_id'],
    ['stop_times.txt', 'stop_id'],
    ['stop_times.txt', 'stop_sequence'],
    ['calendar.txt', 'service_id'],
    ['calendar.txt', 'sunday'],
    ['calendar.txt', 'start_date'],
    ['calendar.txt', 'end_date'],
    ['calendar_dates.txt', 'date'],
    ['calendar_dates.txt', 'exception_type']
  ]
  for (const [table, column] of required) {
    it(`refuses ${table} without ${column}, optional table or not`, async () => {
      await write({ ...good, [table]: without(good[table], column) })
      await expect(loadGtfsDirectory(dir)).rejects.toThrow(new RegExp(`^${table} lacks column\\(s\\) ${column}$`))
    })
  }

  it('names every missing column', async () => {
    await write({ ...good, 'stops.txt': without(without(good['stops.txt'], 'stop_lat'), 'stop_lon') })
    await expect(loadGtfsDirectory(dir)).rejects.toThrow(/^stops.txt lacks column\(s\) stop_lat, stop_lon$/)
  })

  it('takes a table with a header and no rows as empty, whatever its columns', async () => {
    await write({ ...good, 'agency.txt': 'agency_id\n', 'calendar_dates.txt': 'service_id\n' })
    const feed = await loadGtfsDirectory(dir)
    expect('timezone' in feed).toBe(false)
    expect('calendar_dates' in feed).toBe(false)
    expect(feed.calendar).toHaveLength(1)
  })

  it('leaves out the time zone and the calendar tables of a feed that has none', async () => {
    const { 'agency.txt': _a, 'calendar.txt': _c, 'calendar_dates.txt': _d, ...core } = good
    await write(core)
    const feed = await loadGtfsDirectory(dir)
    expect(Object.keys(feed).sort()).toEqual(['routes', 'stop_times', 'stops', 'trips'])
  })

  it('gives a stop without a name the empty name', async () => {
    await write({ ...good, 'stops.txt': without(good['stops.txt'], 'stop_name') })
    expect((await loadGtfsDirectory(dir)).stops.map(s => s.stop_name)).toEqual(['', ''])
  })

  it('skips stop times with either time missing, and reads a table without either time column as untimed', async () => {
    const header = 'trip_id,arrival_time,departure_time,stop_id,stop_sequence\n'
    await write({
      ...good,
      'stop_times.txt': header + 't1,08:00:00,08:00:00,A,1\nt1,08:02:00,,B,2\nt1,,08:03:00,A,3\nt1,08:05:00,08:05:00,B,4\n'
    })
    expect((await loadGtfsDirectory(dir)).stop_times.map(st => st.stop_sequence)).toEqual([1, 4])
    for (const column of ['arrival_time', 'departure_time']) {
      await write({ ...good, 'stop_times.txt': without(good['stop_times.txt'], column) })
      expect((await loadGtfsDirectory(dir)).stop_times).toEqual([])
    }
  })

  it('names the trip of a stop time whose arrival or departure is not a time', async () => {
    const header = 'trip_id,arrival_time,departure_time,stop_id,stop_sequence\n'
    await write({ ...good, 'stop_times.txt': header + 't1,8h00,08:00:00,A,1\n' })
    await expect(loadGtfsDirectory(dir)).rejects.toThrow(/^stop_times.txt trip t1: "8h00" is not a GTFS time HH:MM:SS$/)
    await write({ ...good, 'stop_times.txt': header + 't1,08:00:00,8h01,A,1\n' })
    await expect(loadGtfsDirectory(dir)).rejects.toThrow(/^stop_times.txt trip t1: "8h01" is not a GTFS time HH:MM:SS$/)
  })

  it('names the service and the field of a calendar date that is not a date', async () => {
    const calendar = good['calendar.txt'].replace('20261231', '2026-12-31')
    await write({ ...good, 'calendar.txt': calendar })
    await expect(loadGtfsDirectory(dir)).rejects.toThrow(/^calendar.txt service wd end_date: "2026-12-31" is not a GTFS date YYYYMMDD$/)
    await write({ ...good, 'calendar_dates.txt': 'service_id,date,exception_type\nwd,2026-06-17,2\n' })
    await expect(loadGtfsDirectory(dir)).rejects.toThrow(/^calendar_dates.txt service wd date: "2026-06-17" is not a GTFS date YYYYMMDD$/)
  })

  it('names the stop whose wheelchair_boarding is not 0, 1 or 2', async () => {
    await write({ ...good, 'stops.txt': good['stops.txt'].replace('10.40,1', '10.40,yes') })
    await expect(loadGtfsDirectory(dir)).rejects.toThrow(/^stops.txt stop B: wheelchair_boarding must be 0, 1 or 2, got "yes"$/)
  })

  it('says which table cannot be read, and why, when it is there but unreadable', async () => {
    await write(good)
    await rm(join(dir, 'stops.txt'))
    await mkdir(join(dir, 'stops.txt'))
    await expect(loadGtfsDirectory(dir)).rejects.toThrow(new RegExp(`^cannot read stops.txt in ${dir}: .*EISDIR`))
  })

  it('stops reading when its signal is aborted', async () => {
    await write(good)
    await expect(loadGtfsDirectory(dir, { signal: AbortSignal.abort() })).rejects.toThrow(
      new RegExp(`^cannot read agency.txt in ${dir}: .*abort`)
    )
  })
})

describe('loadGtfs', () => {
  it('says so when there is nothing at the path', async () => {
    const missing = join(dir, 'missing.zip')
    await expect(loadGtfs(missing)).rejects.toThrow(new RegExp(`^cannot read the GTFS feed at ${missing}: .*ENOENT`))
  })

  it('reads agency, calendar and calendar_dates from a zip as from the directory', async () => {
    await write(good)
    const zip = join(dir, 'feed.zip')
    await writeFile(zip, zipSync(Object.fromEntries(Object.entries(good).map(([n, t]) => [`feed/${n}`, strToU8(t)]))))
    const fromZip = await loadGtfs(zip)
    expect(fromZip).toStrictEqual(await loadGtfsDirectory(dir))
    expect(fromZip.timezone).toBe('Europe/Oslo')
    expect(fromZip.calendar).toHaveLength(1)
    expect(fromZip.calendar_dates).toHaveLength(1)
  })

  it('says which table a zip lacks', async () => {
    const { 'stops.txt': _s, ...rest } = good
    const zip = join(dir, 'feed.zip')
    await writeFile(zip, zipSync(Object.fromEntries(Object.entries(rest).map(([n, t]) => [n, strToU8(t)]))))
    await expect(loadGtfs(zip)).rejects.toThrow(new RegExp(`^the GTFS zip ${zip} has no stops.txt$`))
  })

  it('unpacks only the tables it reads: a zip with a file it cannot unpack (bzip2) still loads', async () => {
    const bytes = zipSync({ ...Object.fromEntries(Object.entries(good).map(([n, t]) => [n, strToU8(t)])), 'shapes.txt': strToU8('x\n') })
    // set shapes.txt's compression method, in its central directory record, to 12 (bzip2)
    let patched = 0
    for (let i = 0; i + 46 < bytes.length; i++) {
      if (bytes[i] !== 0x50 || bytes[i + 1] !== 0x4b || bytes[i + 2] !== 0x01 || bytes[i + 3] !== 0x02) continue
      const nameLength = bytes[i + 28] | (bytes[i + 29] << 8)
      if (new TextDecoder().decode(bytes.subarray(i + 46, i + 46 + nameLength)) !== 'shapes.txt') continue
      bytes[i + 10] = 12
      bytes[i + 11] = 0
      patched++
    }
    expect(patched).toBe(1)
    const zip = join(dir, 'feed.zip')
    await writeFile(zip, bytes)
    expect((await loadGtfs(zip)).stops).toHaveLength(2)
  })

  it('stops reading a zip when its signal is aborted', async () => {
    const zip = join(dir, 'feed.zip')
    await writeFile(zip, zipSync(Object.fromEntries(Object.entries(good).map(([n, t]) => [n, strToU8(t)]))))
    await expect(loadGtfs(zip, { signal: AbortSignal.abort() })).rejects.toThrow(new RegExp(`^cannot read the GTFS zip ${zip}: .*abort`))
  })
})
