import { describe, expect, it } from 'vitest'
import { BadChecksumError, crc16, MeterDataError, parseTelegram, registerWh, telegramSample } from '../src/index.ts'
import { edited, p1Telegram } from './p1-fixtures.ts'

// DSMR beyond the Netherlands, on published telegrams whose own CRC matches their bytes (each file's
// header names its source):
// - fluvius-be-2023.txt: a Belgian Fluvius meter (e-MUCS P1, DSMR 5.0.2, 0-0:96.1.4(50217)), from
//   github.com/ndokter/dsmr_parser, test/example_telegrams.py, TELEGRAM_FLUVIUS_V171_ALT;
// - sagemcom-t210-d-r-wh.txt: a Sagemcom T210-D-r whose registers count whole Wh (`006545766*Wh`), from
//   the same file, TELEGRAM_SAGEMCOM_T210_D_R.

const fluvius = (): Promise<Uint8Array> => p1Telegram('dsmr', 'fluvius-be-2023.txt')
const t210 = (): Promise<Uint8Array> => p1Telegram('dsmr', 'sagemcom-t210-d-r-wh.txt')
const refusal = (code: string, message: string) =>
  expect.objectContaining({ name: 'MeterDataError', code, message: expect.stringContaining(message) })

describe('a Belgian telegram (Fluvius e-MUCS P1, DSMR 5.0.2)', () => {
  it('is checked by its own CRC and read: day + night tariffs of import and export, its equipment id, its winter-time stamp', async () => {
    const bytes = await fluvius()
    const text = Buffer.from(bytes).toString('latin1')
    // the CRC the meter sent is the one its bytes give (CRC-16/ARC from / to !)
    expect(crc16(bytes, text.indexOf('/'), text.indexOf('!') + 1)).toBe(0xc4b0)
    const t = parseTelegram(bytes)
    expect([t.header, t.crc]).toEqual(['/FLU5\\253769484_A', 0xc4b0])
    // Fluvius' own lines are read as objects like any other: the e-MUCS version, the capacity tariff's
    // current average demand (1.4.0) and this month's peak with its time (1.6.0), the peaks of past months
    expect(t.objects.get('0-0:96.1.4')).toEqual(['50217'])
    expect(t.objects.get('1-0:1.4.0')).toEqual(['00.052*kW'])
    expect(t.objects.get('1-0:1.6.0')).toEqual(['231102114500W', '03.064*kW'])
    expect(t.objects.get('0-0:98.1.0')?.slice(0, 5)).toEqual(['4', '1-0:1.6.0', '1-0:1.6.0', '230801000000S', '632525252525W'])
    expect(telegramSample(t)).toEqual({
      meterId: 'p1:1SAG3100721326',
      at: Date.parse('2023-11-02T11:15:48Z'),
      importWh: 301_548 + 270_014, // 1.8.1 (day) + 1.8.2 (night)
      exportWh: 5 + 0 // 2.8.1 + 2.8.2
    })
  })

  it('is refused whole when one character of it changed, whatever it was', async () => {
    const text = Buffer.from(await fluvius()).toString('latin1')
    for (const bad of [
      text.replace('000270.014*kWh', '000270.015*kWh'),
      text.replace('(03.064*kW)', '(03.065*kW)'),
      text.replace('0-0:96.1.4(50217)', '0-0:96.1.4(50218)'),
      text.replace('!C4B0', '!C4B1')
    ]) {
      expect(bad).not.toBe(text)
      expect(() => parseTelegram(new Uint8Array(Buffer.from(bad, 'latin1')))).toThrow(BadChecksumError)
    }
  })
})

describe('registers in Wh (DSMR variants outside the Netherlands)', () => {
  it('reads a Sagemcom T210-D-r telegram in Wh: the totals 1.8.0 and 2.8.0 as whole Wh, the configured identity', async () => {
    const t = parseTelegram(await t210())
    expect([t.header, t.crc, t.objects.get('1-0:1.8.0')]).toEqual(['/EST5\\253710000_A', 0x7ef9, ['006545766*Wh']])
    expect(telegramSample(t, { id: 'T210-D-r' })).toEqual({
      meterId: 'p1:T210-D-r',
      at: Date.parse('2022-10-06T13:50:14Z'),
      importWh: 6_545_766,
      exportWh: 58
    })
    // without the totals, its tariffs in Wh are summed as DSMR's in kWh are
    const tariffsOnly = parseTelegram(edited(await t210(), b => b.replace(/1-0:[12]\.8\.0\(\d+\*Wh\)\r\n/g, '')))
    expect([tariffsOnly.objects.has('1-0:1.8.0'), tariffsOnly.objects.has('1-0:2.8.0')]).toEqual([false, false])
    expect(telegramSample(tariffsOnly, { id: 'x' })).toMatchObject({ importWh: 5_017_120 + 1_528_646, exportWh: 0 + 58 })
  })

  it('reads kWh and Wh to the same whole Wh, exactly, from their digits', () => {
    expect(registerWh('006545.766*kWh', '1-0:1.8.0')).toBe(6_545_766)
    expect(registerWh('006545766*Wh', '1-0:1.8.0')).toBe(6_545_766)
    expect(registerWh('000000058*Wh', '1-0:2.8.0')).toBe(58)
    expect(registerWh('004.1*kWh', '1-0:2.8.0')).toBe(4_100)
    // a float product would give 9007199254740.991 kWh × 1000 = 9007199254740990
    expect(registerWh('9007199254740.991*kWh', '1-0:1.8.0')).toBe(9_007_199_254_740_991)
  })

  it('refuses a register in another unit (bad-unit), or one that is not a whole number of Wh (not-a-number)', () => {
    for (const [value, code, says] of [
      ['006545.766*MWh', 'bad-unit', '"MWh"'],
      ['000000747*varh', 'bad-unit', '"varh"'],
      ['000000286*W', 'bad-unit', '"W"'],
      ['006545766', 'bad-unit', 'no unit'],
      ['006545766*wh', 'bad-unit', '"wh"'],
      ['006545766.5*Wh', 'not-a-number', 'Wh without decimals'],
      ['6545.7661*kWh', 'not-a-number', 'up to three decimals'],
      ['-6545766*Wh', 'not-a-number', '-6545766'],
      ['9007199254740992*Wh', 'not-a-number', '9007199254740992'],
      ['', 'missing', '1-0:1.8.0']
    ] as const) {
      expect(() => registerWh(value, '1-0:1.8.0'), value).toThrow(refusal(code, says))
      expect(() => registerWh(value, '1-0:1.8.0')).toThrow(MeterDataError)
    }
    expect(() => registerWh(undefined, '1-0:2.8.0')).toThrow(refusal('missing', '1-0:2.8.0'))
  })

  it('refuses a whole telegram whose register is in a unit it cannot read, naming the register and the unit', async () => {
    const mwh = parseTelegram(edited(await t210(), b => b.replace('1-0:1.8.0(006545766*Wh)', '1-0:1.8.0(006545.766*MWh)')))
    expect(() => telegramSample(mwh, { id: 'x' })).toThrow(refusal('bad-unit', 'register 1-0:1.8.0 is in "MWh"'))
    const kvarh = parseTelegram(edited(await t210(), b => b.replace('1-0:2.8.0(000000058*Wh)', '1-0:2.8.0(000000058*kvarh)')))
    expect(() => telegramSample(kvarh, { id: 'x' })).toThrow(refusal('bad-unit', 'register 1-0:2.8.0 is in "kvarh"'))
  })
})
