import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { BadChecksumError, crc16, parseTelegram, telegramSample, TelegramFramer } from '../src/index.ts'
import { edited, seTelegram } from './p1-fixtures.ts'

// Real DSMR 5 telegrams (fixtures/dsmr/SOURCES.md): CRC, OBIS registers, the meter's identity and time.

const fixture = async (name: string): Promise<Uint8Array> =>
  new Uint8Array(await readFile(new URL(`./fixtures/dsmr/${name}`, import.meta.url)))

describe('DSMR 5 telegrams', () => {
  it('reads an Enexis XS210 (ESMR 5.0): registers to whole Wh, its equipment id, its winter-time stamp', async () => {
    const t = parseTelegram(await fixture('enexis-xs210-esmr5.txt'))
    expect(t.header).toBe('/Ene5\\XS210 ESMR 5.0')
    expect(t.crc).toBe(0x1a98)
    expect(t.objects.get('1-0:99.97.0')).toEqual(['0', '0-0:96.7.19'])
    expect(telegramSample(t)).toEqual({
      meterId: 'p1:E0047000007630817',
      at: Date.parse('2017-11-04T20:01:48Z'),
      importWh: 41_979,
      exportWh: 17_760
    })
  })

  it('reads an Iskra AM550 (DSMR 5.0): both tariffs summed, summer time', async () => {
    const s = telegramSample(parseTelegram(await fixture('iskra-am550-2022.txt')))
    expect(s).toEqual({
      meterId: 'p1:E0044007454166319',
      at: Date.parse('2022-07-11T09:28:47Z'),
      importWh: 2_872_376 + 3_551_917,
      exportWh: 6
    })
  })

  it('refuses a telegram whose CRC does not match, whatever was damaged', async () => {
    const good = await fixture('iskra-am550-2022.txt')
    const text = Buffer.from(good).toString('latin1')
    for (const bad of [text.replace('002872.376', '002872.377'), text.replace('!7255', '!7256'), text.replace('1-0:2.8.2', '1-0:2.8.1')]) {
      expect(() => parseTelegram(new Uint8Array(Buffer.from(bad, 'latin1')))).toThrow(BadChecksumError)
    }
    // and one without a CRC (as DSMR 2.2 and 3 send) is refused unless asked for
    const noCrc = new Uint8Array(Buffer.from(text.slice(0, text.indexOf('!') + 1) + '\r\n', 'latin1'))
    expect(() => parseTelegram(noCrc)).toThrow(expect.objectContaining({ name: 'MeterDataError', code: 'no-crc' }))
    expect(parseTelegram(noCrc, { requireCrc: false }).objects.get('1-0:1.8.1')).toEqual(['002872.376*kWh'])
  })

  it('computes CRC-16/ARC (check value of "123456789" is BB3D)', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0xbb3d)
  })

  it('frames a byte stream: joins telegrams split anywhere, drops bytes before the first /', async () => {
    const a = await fixture('enexis-xs210-esmr5.txt')
    const b = await fixture('iskra-am550-2022.txt')
    const stream = Buffer.concat([Buffer.from('0*kWh)\r\n!ABCD\r\n'), a, b])
    const f = new TelegramFramer()
    const out: Uint8Array[] = []
    for (let i = 0; i < stream.length; i += 7) out.push(...f.push(stream.subarray(i, i + 7)))
    expect(out.map(t => Buffer.from(t).toString('latin1'))).toEqual([Buffer.from(a).toString('latin1'), Buffer.from(b).toString('latin1')])
  })
})

// Real telegrams of the Swedish P1 port (fixtures/p1-se: each file's header names its source): totals
// 1.8.0 and 2.8.0 instead of DSMR's tariffs, no equipment id, Swedish standard time all year.

describe('the Swedish P1 port (standard se)', () => {
  it('reads a Landis+Gyr E360: its CRC checked, the totals 1.8.0 and 2.8.0 to whole Wh, the configured identity, UTC+1', async () => {
    const t = parseTelegram(await seTelegram('lgf-e360.txt'))
    expect([t.header, t.crc, t.objects.has('0-0:96.1.1'), t.objects.has('1-0:1.8.1')]).toEqual(['/LGF5E360', 0xa077, false, false])
    expect(telegramSample(t, { standard: 'se', id: '85123456' })).toEqual({
      meterId: 'p1:85123456',
      at: Date.parse('2021-02-22T15:19:00Z'),
      importWh: 896_020,
      exportWh: 48_792
    })
  })

  it('reads the /ELL5 meter of esphome-p1reader and hanporten (CRC 7945)', async () => {
    const t = parseTelegram(await seTelegram('ell5-253833635.txt'))
    expect(t.crc).toBe(0x7945)
    expect(telegramSample(t, { standard: 'se', id: 'ell5' })).toEqual({
      meterId: 'p1:ell5',
      at: Date.parse('2021-02-17T17:40:19Z'),
      importWh: 6_678_394,
      exportWh: 0
    })
  })

  it('refuses a damaged Swedish telegram whole, and one without an identity when none is configured', async () => {
    const good = await seTelegram('lgf-e360.txt')
    const flipped = Buffer.from(Buffer.from(good).toString('latin1').replace('00000896.020', '00000896.021'), 'latin1')
    expect(() => parseTelegram(flipped)).toThrow(BadChecksumError)
    expect(() => telegramSample(parseTelegram(good), { standard: 'se' })).toThrow(
      expect.objectContaining({ name: 'MeterDataError', code: 'no-identity', message: expect.stringContaining('meter.p1.id') })
    )
    // a DSMR telegram's own equipment id wins over a configured one
    const iskra = parseTelegram(await fixture('iskra-am550-2022.txt'))
    expect(telegramSample(iskra, { id: 'configured' }).meterId).toBe('p1:E0044007454166319')
  })

  it('keeps Swedish standard time all year: an S stamp is UTC+1 for se, UTC+2 for DSMR', async () => {
    const summer = parseTelegram(
      edited(await seTelegram('lgf-e360.txt'), b => b.replace('0-0:1.0.0(210222161900W)', '0-0:1.0.0(210712161900S)'))
    )
    expect(telegramSample(summer, { standard: 'se', id: 'x' }).at).toBe(Date.parse('2021-07-12T15:19:00Z'))
    expect(telegramSample(summer, { standard: 'dsmr', id: 'x' }).at).toBe(Date.parse('2021-07-12T14:19:00Z'))
    expect(telegramSample(summer, { id: 'x' }).at).toBe(Date.parse('2021-07-12T14:19:00Z'))
  })

  it('reads the total when a telegram has both the total and the tariffs; half a pair without a total is refused', async () => {
    const e360 = await seTelegram('lgf-e360.txt')
    // tariffs that do not add up to the total (a third tariff the pair does not show): the total is read
    const both = parseTelegram(
      edited(e360, b =>
        b.replace(
          '1-0:2.8.0',
          '1-0:1.8.1(00000800.000*kWh)\r\n1-0:1.8.2(00000090.000*kWh)\r\n' +
            '1-0:2.8.1(00000040.000*kWh)\r\n1-0:2.8.2(00000001.000*kWh)\r\n1-0:2.8.0'
        )
      )
    )
    expect(telegramSample(both, { id: 'x' })).toMatchObject({ importWh: 896_020, exportWh: 48_792 })
    // tariffs only (DSMR): their sum, as before
    const tariffs = parseTelegram(
      edited(e360, b => b.replace(/1-0:1\.8\.0\([^)]*\)/, '1-0:1.8.1(00000800.000*kWh)\r\n1-0:1.8.2(00000090.000*kWh)'))
    )
    expect(telegramSample(tariffs, { id: 'x' }).importWh).toBe(890_000)
    const half = parseTelegram(edited(e360, b => b.replace(/1-0:1\.8\.0\([^)]*\)/, '1-0:1.8.1(00000800.000*kWh)')))
    expect(() => telegramSample(half, { id: 'x' })).toThrow(
      expect.objectContaining({ name: 'MeterDataError', code: 'missing', message: expect.stringContaining('1-0:1.8.2') })
    )
    const none = parseTelegram(edited(e360, b => b.replace(/1-0:2\.8\.0\([^)]*\)\r\n/, '')))
    expect(() => telegramSample(none, { id: 'x' })).toThrow(
      expect.objectContaining({ code: 'missing', message: expect.stringContaining('no export register') })
    )
  })
})
