import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { BadChecksumError, crc16, parseTelegram, telegramSample, TelegramFramer } from '../src/index.ts'

// Real DSMR 5 telegrams (fixtures/dsmr/SOURCES.md): CRC, OBIS registers, the meter's identity and time.

const fixture = async (name: string): Promise<Uint8Array> => new Uint8Array(await readFile(new URL(`./fixtures/dsmr/${name}`, import.meta.url)))

describe('DSMR 5 telegrams', () => {
  it('reads an Enexis XS210 (ESMR 5.0): registers to whole Wh, its equipment id, its winter-time stamp', async () => {
    const t = parseTelegram(await fixture('enexis-xs210-esmr5.txt'))
    expect(t.header).toBe('/Ene5\\XS210 ESMR 5.0')
    expect(t.crc).toBe(0x1A98)
    expect(t.objects.get('1-0:99.97.0')).toEqual(['0', '0-0:96.7.19'])
    expect(telegramSample(t)).toEqual({ meterId: 'p1:E0047000007630817', at: Date.parse('2017-11-04T20:01:48Z'), importWh: 41_979, exportWh: 17_760 })
  })

  it('reads an Iskra AM550 (DSMR 5.0): both tariffs summed, summer time', async () => {
    const s = telegramSample(parseTelegram(await fixture('iskra-am550-2022.txt')))
    expect(s).toEqual({ meterId: 'p1:E0044007454166319', at: Date.parse('2022-07-11T09:28:47Z'), importWh: 2_872_376 + 3_551_917, exportWh: 6 })
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
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0xBB3D)
  })

  it('frames a byte stream: joins telegrams split anywhere, drops bytes before the first /', async () => {
    const a = await fixture('enexis-xs210-esmr5.txt'); const b = await fixture('iskra-am550-2022.txt')
    const stream = Buffer.concat([Buffer.from('0*kWh)\r\n!ABCD\r\n'), a, b])
    const f = new TelegramFramer()
    const out: Uint8Array[] = []
    for (let i = 0; i < stream.length; i += 7) out.push(...f.push(stream.subarray(i, i + 7)))
    expect(out.map(t => Buffer.from(t).toString('latin1'))).toEqual([Buffer.from(a).toString('latin1'), Buffer.from(b).toString('latin1')])
  })
})
