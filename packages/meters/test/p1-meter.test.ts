import { mkdtemp, readFile, rm, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeReading, fromHex, slotEnd, slotStart, verifyReadingChain } from '@kvartal/protocol'
import { identityFromSeed } from '@kvartal/mesh'
import { Journal, PeriodSettler, SlotMeter, type KvartalNodeOptions } from '@kvartal/node'
import { crc16, P1Meter } from '../src/index.ts'
import { ptyPair, socatMissing, type PtyPair } from './pty-pair.ts'
import { collector } from './sample-collector.ts'
import { edited, p1Telegram, seTelegram } from './p1-fixtures.ts'

// The P1 meter on a real serial line: a pseudo-terminal pair made by socat, the test writing real
// DSMR 5 telegrams (fixtures/dsmr) into one end as a meter would, the driver reading the other through
// serialport. socat is installed with apt-get if absent; without it the tests are skipped, saying why.

const missing = socatMissing()
if (missing != null) console.warn(`SKIPPED: ${missing}`)

let pty: PtyPair
let dir: string
let meterEnd: FileHandle
beforeAll(async () => {
  if (missing != null) return
  pty = await ptyPair()
  meterEnd = pty.meter
  dir = await mkdtemp(join(tmpdir(), 'kvartal-p1-'))
})
afterAll(async () => {
  await pty?.close()
  if (dir != null) await rm(dir, { recursive: true, force: true })
})

const fixture = async (name: string): Promise<string> => await readFile(new URL(`./fixtures/dsmr/${name}`, import.meta.url), 'latin1')

/** The AM550 capture with another time stamp and registers, its CRC recomputed (a meter's next telegram). */
function am550At(capture: string, stamp: string, t1Wh: number): string {
  const body = capture
    .slice(0, capture.indexOf('!') + 1)
    .replace(/0-0:1\.0\.0\(\d{12}[SW]\)/, `0-0:1.0.0(${stamp})`)
    .replace(/1-0:1\.8\.1\(\d{6}\.\d{3}\*kWh\)/, `1-0:1.8.1(${(t1Wh / 1000).toFixed(3).padStart(10, '0')}*kWh)`)
  return body + crc16(Buffer.from(body, 'latin1')).toString(16).toUpperCase().padStart(4, '0') + '\r\n'
}

describe.skipIf(missing != null)('P1 meter over a serial line (socat pty pair)', () => {
  it('reads real telegrams, refuses and counts one with a bad CRC, and goes on reading', async () => {
    const meter = new P1Meter({ port: pty.node, baudRate: 115_200, toleranceMs: 10_000 })
    const c = collector()
    await meter.start(c.sink)
    try {
      const xs210 = await fixture('enexis-xs210-esmr5.txt')
      const am550 = await fixture('iskra-am550-2022.txt')
      await meterEnd.write(Buffer.from(xs210, 'latin1'))
      await c.next('samples', 1)
      // a bit flipped on the line: 2872.376 kWh became 2872.377
      await meterEnd.write(Buffer.from(am550.replace('002872.376', '002872.377'), 'latin1'))
      await c.next('refused', 1)
      await meterEnd.write(Buffer.from(am550, 'latin1'))
      await c.next('samples', 2)
      expect(c.samples.map(s => [s.meterId, s.importWh, s.exportWh])).toEqual([
        ['p1:E0047000007630817', 41_979, 17_760],
        ['p1:E0044007454166319', 6_424_293, 6]
      ])
      expect(c.refused[0]).toMatchObject({ name: 'BadChecksumError', code: 'bad-crc' })
      expect(meter.counts).toEqual({ telegrams: 3, refused: 1 })
    } finally {
      await meter.stop()
    }
  })

  it('reads a Belgian (Fluvius) telegram and one in Wh (Sagemcom T210-D-r); refuses and counts one in MWh', async () => {
    const meter = new P1Meter({ port: pty.node, baudRate: 115_200, toleranceMs: 10_000, meterId: 'T210-D-r' })
    const c = collector()
    await meter.start(c.sink)
    try {
      const t210 = await p1Telegram('dsmr', 'sagemcom-t210-d-r-wh.txt')
      await meterEnd.write(await p1Telegram('dsmr', 'fluvius-be-2023.txt'))
      await meterEnd.write(edited(t210, b => b.replace('1-0:1.8.0(006545766*Wh)', '1-0:1.8.0(006545.766*MWh)')))
      await meterEnd.write(t210)
      await c.next('samples', 2)
      // the Belgian telegram carries its equipment id, which wins over the configured one
      expect(c.samples.map(s => [s.meterId, s.importWh, s.exportWh])).toEqual([
        ['p1:1SAG3100721326', 571_562, 5],
        ['p1:T210-D-r', 6_545_766, 58]
      ])
      expect(c.refused).toEqual([expect.objectContaining({ name: 'MeterDataError', code: 'bad-unit' })])
      expect(meter.counts).toEqual({ telegrams: 3, refused: 1 })
    } finally {
      await meter.stop()
    }
  })

  it('in a node: telegrams at slot boundaries make readings; a meter that falls silent makes a gap, not a reading', async () => {
    const slots = { epochMs: Date.parse('2022-07-11T09:00:00Z'), slotMs: 900_000, gateClosureMs: 60_000 }
    const journal = await Journal.open(join(dir, 'journal'), { sync: false })
    const meter = new P1Meter({ port: pty.node, baudRate: 115_200, toleranceMs: 10_000 })
    const slotMeter = new SlotMeter({ journal, slots, emit: () => {}, meter })
    try {
      await slotMeter.start()
      const identity = await identityFromSeed(new Uint8Array(32).fill(5))
      const options = {
        district: 'd',
        slots,
        tariffs: { retail: 1, feedIn: 0 },
        profile: { buyLimit: 0, sellLimit: 0, position: () => -700 }
      } as unknown as KvartalNodeOptions
      const settler = new PeriodSettler({
        journal,
        identity,
        options,
        emit: () => {},
        signal: new AbortController().signal,
        meter: slotMeter
      })
      const am550 = await fixture('iskra-am550-2022.txt')
      // 11:00:01, 11:15:01, 11:30:01 summer time = 09:00:01, 09:15:01, 09:30:01 UTC; then silence
      await meterEnd.write(Buffer.from(am550At(am550, '220711110001S', 2_872_376), 'latin1'))
      await meterEnd.write(Buffer.from(am550At(am550, '220711111501S', 2_872_501), 'latin1'))
      await meterEnd.write(Buffer.from(am550At(am550, '220711113001S', 2_872_800), 'latin1'))
      await slotMeter.until(s => s.samples === 3)
      await settler.readMeters(slotEnd(slots, 2) + slotMeter.graceMs, 0)
      const chain = (await journal.readings(0, 9)).map(h => decodeReading(fromHex(h)))
      expect(chain.map(r => [r.slot, r.gap ?? false, r.importWh, r.exportWh, r.source])).toEqual([
        [0, false, 125, 0, 'p1:E0044007454166319'],
        [1, false, 299, 0, 'p1:E0044007454166319'],
        [2, true, 0, 0, "no sample at the slot's end"]
      ])
      expect(chain[1].at).toBe(slotStart(slots, 2) + 1_000)
      expect(verifyReadingChain(chain)).toEqual({ ok: true, gaps: [2] })
    } finally {
      await slotMeter.stop()
      await journal.close()
    }
  })

  it('a Swedish P1 meter (standard se, its identity configured): real telegrams read, then signed as readings in UTC+1', async () => {
    const meter = new P1Meter({ port: pty.node, baudRate: 115_200, toleranceMs: 10_000, standard: 'se', meterId: '85123456' })
    const c = collector()
    await meter.start(c.sink)
    const e360 = await seTelegram('lgf-e360.txt')
    try {
      await meterEnd.write(await seTelegram('ell5-253833635.txt'))
      await meterEnd.write(e360)
      await c.next('samples', 2)
      expect(c.samples).toEqual([
        { meterId: 'p1:85123456', at: Date.parse('2021-02-17T17:40:19Z'), importWh: 6_678_394, exportWh: 0 },
        { meterId: 'p1:85123456', at: Date.parse('2021-02-22T15:19:00Z'), importWh: 896_020, exportWh: 48_792 }
      ])
    } finally {
      await meter.stop()
    }
    // in a node: the E360's next telegrams at 16:00:01, 16:15:01 and 16:30:01 Swedish standard time
    const slots = { epochMs: Date.parse('2021-02-22T15:00:00Z'), slotMs: 900_000, gateClosureMs: 60_000 }
    const journal = await Journal.open(join(dir, 'journal-se'), { sync: false })
    const slotMeter = new SlotMeter({
      journal,
      slots,
      emit: () => {},
      meter: new P1Meter({ port: pty.node, baudRate: 115_200, toleranceMs: 10_000, standard: 'se', meterId: '85123456' })
    })
    try {
      await slotMeter.start()
      const identity = await identityFromSeed(new Uint8Array(32).fill(6))
      const options = {
        district: 'd',
        slots,
        tariffs: { retail: 1, feedIn: 0 },
        profile: { buyLimit: 0, sellLimit: 0, position: () => 0 }
      } as unknown as KvartalNodeOptions
      const settler = new PeriodSettler({
        journal,
        identity,
        options,
        emit: () => {},
        signal: new AbortController().signal,
        meter: slotMeter
      })
      const at = (stamp: string, importWh: number, exportWh: number): Uint8Array =>
        edited(e360, b =>
          b
            .replace(/0-0:1\.0\.0\(\d{12}W\)/, `0-0:1.0.0(${stamp})`)
            .replace(/1-0:1\.8\.0\([^)]*\)/, `1-0:1.8.0(${(importWh / 1000).toFixed(3).padStart(12, '0')}*kWh)`)
            .replace(/1-0:2\.8\.0\([^)]*\)/, `1-0:2.8.0(${(exportWh / 1000).toFixed(3).padStart(12, '0')}*kWh)`)
        )
      await meterEnd.write(at('210222160001W', 896_020, 48_792))
      await meterEnd.write(at('210222161501W', 896_200, 48_800))
      await meterEnd.write(at('210222163001W', 896_210, 48_990))
      await slotMeter.until(s => s.samples === 3)
      await settler.readMeters(slotEnd(slots, 1) + slotMeter.graceMs, 0)
      const chain = (await journal.readings(0, 9)).map(h => decodeReading(fromHex(h)))
      expect(chain.map(r => [r.slot, r.gap ?? false, r.importWh, r.exportWh, r.source, r.at])).toEqual([
        [0, false, 180, 8, 'p1:85123456', slotStart(slots, 1) + 1_000],
        [1, false, 10, 190, 'p1:85123456', slotStart(slots, 2) + 1_000]
      ])
      expect(verifyReadingChain(chain)).toEqual({ ok: true, gaps: [] })
    } finally {
      await slotMeter.stop()
      await journal.close()
    }
  })
})
