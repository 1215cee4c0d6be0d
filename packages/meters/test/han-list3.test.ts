import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { crc16x25, hanFrame, hanSample, MeterDataError, type MeterSample } from '../src/index.ts'

// The hourly list 3 of Aidon and Kamstrup (cumulative A+ and A−), on whole HDLC frames the meters
// sent, both checksums (HCS, FCS) as they carry them (fixtures/han/SOURCES.md):
// - aidon-6534-list3-{1600,1700,1800-repeat,1900}.hex: an Aidon 6534 on 14 December 2025, four
//   consecutive hourly pushes; github.com/UtilitechAS/amsreader-firmware, test/payloads/aidon/gh1119-{1,2,3,4}.hex
//   (issue #1119: the 18:00 push repeats 17:00's clock and registers);
// - kamstrup-6841131-list3-{2200,2300}.hex: a Kamstrup Omnipower on 25 November 2021;
//   github.com/UtilitechAS/amsreader-firmware, test/payloads/kamstrup/em001-3.hex and em001-1.hex;
// - kamstrup-6841121-list3-summer-{0400,0500}.hex: a Kamstrup on 20 October 2017 (summer time, older
//   firmware: 09 before the date-time); github.com/roarfred/AmsToMqttBridge, "Samples/Kamstrup/HAN
//   20171019 xibriz4.txt", the blocks received at 05.00.07.658 and 06.00.07.622.

const hex = async (name: string): Promise<Uint8Array> =>
  new Uint8Array(Buffer.from((await readFile(new URL(`./fixtures/han/${name}`, import.meta.url), 'utf8')).replace(/\s+/g, ''), 'hex'))
const sampleOf = async (name: string): Promise<MeterSample | undefined> => hanSample(hanFrame(await hex(name)))
const hour = (iso: string): number => Date.parse(iso)

/** The frame with `edit` applied to its bytes and its FCS recomputed, as a meter with that content would send it. */
function reframed(frame: Uint8Array, edit: (b: Uint8Array) => void): Uint8Array {
  const b = Uint8Array.from(frame)
  edit(b)
  const fcs = crc16x25(b, 1, b.length - 3)
  b[b.length - 3] = fcs & 0xff
  b[b.length - 2] = fcs >> 8
  return b
}
const at = (b: Uint8Array, bytes: string): number => Buffer.from(b).indexOf(Buffer.from(bytes.replace(/ /g, ''), 'hex'))

describe('Aidon list 3 (OBIS, value, scaler and unit)', () => {
  it('makes a sample: A+ and A− in whole Wh by their scaler (×10, unit Wh), the meter id, the clock among its values', async () => {
    const frame = await hex('aidon-6534-list3-1600.hex')
    // the FCS the meter sent is the one its bytes give (hanFrame refuses any other, and the HCS too)
    expect(crc16x25(frame, 1, frame.length - 3)).toBe(frame[frame.length - 3] | (frame[frame.length - 2] << 8))
    const list = hanFrame(frame)
    // no date-time in the data-notification: the time is the clock 0-0:1.0.0 among the values,
    // 16:00:00 Norwegian normal time (its deviation field says 0x0000, which would read as UTC)
    expect(list.values.get('0-0:1.0.0.255')).toBe('2025-12-14T15:00:00.000Z')
    expect(list.values.get('1-0:1.8.0.255')).toBe(109_552_250) // 10955225 × 10 Wh (scaler 1, unit 30 = Wh)
    expect(list.values.get('1-0:1.7.0.255')).toBe(4_027) // W, the power at the hour
    expect(hanSample(list)).toEqual({
      meterId: 'han:7359992890497997',
      at: hour('2025-12-14T15:00:00Z'),
      importWh: 109_552_250,
      exportWh: 0
    })
  })

  it('shows a repeated hour as the meter said it: the same clock and registers twice, never as an hour of its own', async () => {
    const hours = ['1600', '1700', '1800-repeat', '1900']
    const samples = await Promise.all(hours.map(async h => await sampleOf(`aidon-6534-list3-${h}.hex`)))
    // amsreader-firmware's own table of these frames says 109552.248 kWh at 16:00: a float's rendering of
    // 10955225 × 0.01; read here from the integer, 109 552 250 Wh
    expect(samples.map(s => [s?.at, s?.importWh])).toEqual([
      [hour('2025-12-14T15:00:00Z'), 109_552_250],
      [hour('2025-12-14T16:00:00Z'), 109_554_020],
      [hour('2025-12-14T16:00:00Z'), 109_554_020], // pushed at 18:00:10, stamped 17:00:00 by the meter
      [hour('2025-12-14T18:00:00Z'), 109_562_070]
    ])
  })

  it('refuses an energy register whose unit is not Wh or whose scaler is out of range; floors a negative scaler', async () => {
    const frame = await hex('aidon-6534-list3-1600.hex')
    const a = at(frame, '09 06 01 00 01 08 00 ff 06') + 9 + 4 // the A+ register's scaler-unit structure
    expect(Buffer.from(frame.subarray(a, a + 6)).toString('hex')).toBe('02020f01161e') // [scaler 1, unit 30]
    const unitW = reframed(frame, b => {
      b[a + 5] = 27 // W
    })
    expect(() => hanFrame(unitW)).toThrow(
      expect.objectContaining({ name: 'MeterDataError', code: 'bad-unit', message: expect.stringContaining('1-0:1.8.0.255') })
    )
    const scaler = (s: number): Uint8Array =>
      reframed(frame, b => {
        b[a + 3] = s & 0xff
      })
    expect(() => hanFrame(scaler(0x7f))).toThrow(expect.objectContaining({ code: 'bad-scale-factor' }))
    expect(() => hanFrame(scaler(0x7f))).toThrow(MeterDataError)
    // tenths of a Wh: 10955225 × 10^−1 = 1095522.5, floored to whole Wh; 10^2 exact
    expect(hanFrame(scaler(0xff)).values.get('1-0:1.8.0.255')).toBe(1_095_522)
    expect(hanFrame(scaler(2)).values.get('1-0:1.8.0.255')).toBe(1_095_522_500)
  })

  it('reads its clock as UTC+1 in summer too (the frame re-dated to June, its FCS recomputed: the rule, not a capture)', async () => {
    const frame = await hex('aidon-6534-list3-1600.hex')
    const clock = at(frame, '09 06 00 00 01 00 00 ff 09 0c') + 10
    const june = reframed(frame, b => {
      b[clock + 2] = 6
    })
    expect(hanSample(hanFrame(june))?.at).toBe(hour('2025-06-14T15:00:00Z'))
  })
})

describe('Kamstrup list 3 (OBIS-value pairs, energy in 10 Wh)', () => {
  it('makes a sample: A+ and A− in whole Wh (×10), the GS1 meter id, the data-notification time', async () => {
    expect(await sampleOf('kamstrup-6841131-list3-2200.hex')).toEqual({
      meterId: 'han:5706567202753025',
      at: hour('2021-11-25T21:00:55Z'),
      importWh: 85_820_920, // 8582092 × 10 Wh
      exportWh: 4_540_830
    })
    const next = await sampleOf('kamstrup-6841131-list3-2300.hex')
    expect([next?.at, next?.importWh, next?.exportWh]).toEqual([hour('2021-11-25T22:00:55Z'), 85_823_280, 4_540_830])
  })

  it('reads an older firmware (09 before the date-time) in summer as UTC+1, and 10 Wh a count, as the power it pushed says', async () => {
    const [h4, h5] = [await sampleOf('kamstrup-6841121-list3-summer-0400.hex'), await sampleOf('kamstrup-6841121-list3-summer-0500.hex')]
    // the meter says 04:00:05 for the push received at 05:00:07 summer time (03:00:07 UTC)
    expect(h4).toEqual({ meterId: 'han:5706567274389702', at: hour('2017-10-20T03:00:05Z'), importWh: 4_272_440, exportWh: 0 })
    expect(h5?.at).toBe(hour('2017-10-20T04:00:05Z'))
    // 2 030 Wh in the hour; its 354 list-1 pushes (every 10 s) in that hour average 2 023 W (the same log):
    // in whole Wh, not 203
    expect((h5?.importWh ?? 0) - (h4?.importWh ?? 0)).toBe(2_030)
  })

  it('reads a Swedish Kamstrup (kamstrupRegisterWh: 1) in whole Wh a count; other makes are not touched', async () => {
    const frame = await hex('kamstrup-6841131-list3-2200.hex')
    // the same registers, 8582092 and 454083, taken as Wh: a tenth of the Norwegian reading
    expect(hanSample(hanFrame(frame, { kamstrupRegisterWh: 1 }))).toMatchObject({ importWh: 8_582_092, exportWh: 454_083 })
    expect(hanSample(hanFrame(frame, { kamstrupRegisterWh: 10 }))).toEqual(hanSample(hanFrame(frame)))
    const aidon = await hex('aidon-6534-list3-1600.hex')
    expect(hanSample(hanFrame(aidon, { kamstrupRegisterWh: 1 }))).toEqual(hanSample(hanFrame(aidon)))
  })
})
