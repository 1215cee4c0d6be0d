/**
 * Property tests of the meter decoders on what a broken or hostile device sends: HDLC frames, DLMS
 * data-notifications and HAN lists (Aidon, Kaifa, Kamstrup; lists 1 and 3), DSMR P1 telegrams (Dutch,
 * Belgian, in Wh) and the serial framer, OCPP meter values. Arbitrary bytes and mutated real frames
 * (fixtures/) give a reading or a typed refusal (MeterDataError, BadChecksumError), never another
 * exception; a reading's energy registers are whole, non-negative Wh; the P1 framer cuts a stream into
 * the same telegrams however it arrives.
 * Seeded (protocol/testing/arbitraries.ts: FUZZ_SEED, `FC_SEED=<n>`); `npm run fuzz` runs them at nightly size.
 */
import { readFileSync } from 'node:fs'
import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import {
  BadChecksumError,
  MeterDataError,
  TelegramFramer,
  crc16,
  dataNotification,
  hanFrame,
  hanList,
  hanSample,
  hdlcInformation,
  parseTelegram,
  registerSamples,
  registerSamples201,
  telegramSample,
  type OcppMeterValue
} from '../src/index.ts'
import { fuzzParams, mutate, mutation } from '@kvartal/protocol/testing'

const fixture = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${path}`, import.meta.url)))
const hexFixture = (name: string): Uint8Array =>
  new Uint8Array(
    Buffer.from(
      Buffer.from(fixture(`han/${name}`))
        .toString('utf8')
        .replace(/\s+/g, ''),
      'hex'
    )
  )
const frames = [
  'aidon-list1.hex',
  'kaifa-ma304h3e-list1.hex',
  'kamstrup-3phase-list1.hex',
  // the hourly lists with the cumulative registers: Aidon (clock among the values), Kamstrup (both firmwares)
  'aidon-6534-list3-1600.hex',
  'kamstrup-6841131-list3-2200.hex',
  'kamstrup-6841121-list3-summer-0400.hex'
].map(hexFixture)
/** the LLC-wrapped DLMS bodies, as hanList reads them (one fixture is such a body already) */
const infos = [...frames.map(hdlcInformation), hexFixture('kaifa-ma304h3e-list3.llc.hex')]
/** a fixture whose file opens with a header naming its source: the telegram from its first line starting with / */
const headed = (path: string): Uint8Array => {
  const f = fixture(path)
  return f.subarray(Buffer.from(f).indexOf('\n/') + 1)
}
const telegrams = [
  ...['enexis-xs210-esmr5.txt', 'iskra-am550-2022.txt'].map(n => fixture(`dsmr/${n}`)),
  // a Belgian one, and one whose registers count whole Wh (it has no equipment id: the tests give one)
  ...['fluvius-be-2023.txt', 'sagemcom-t210-d-r-wh.txt'].map(n => headed(`dsmr/${n}`))
]

/** Runs `f`: a MeterDataError or BadChecksumError is a refusal; any other exception fails the property. */
function readingOr<T>(f: () => T): T | undefined {
  try {
    return f()
  } catch (err) {
    if (err instanceof MeterDataError || err instanceof BadChecksumError) return undefined
    throw new Error(`threw ${(err as Error)?.name} (not a MeterDataError): ${(err as Error)?.message}`, { cause: err })
  }
}
const wholeWh = (wh: number | undefined): void => {
  if (wh != null) expect(Number.isSafeInteger(wh) && wh >= 0).toBe(true)
}

const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 })
const anyBytes = (max: number): fc.Arbitrary<Uint8Array> =>
  fc.oneof(fc.uint8Array({ maxLength: max }), fc.uint8Array({ maxLength: max, size: 'max' }))

/** An HDLC frame of format type 3 around `info`, with correct HCS and FCS: what a meter with a broken DLMS encoder sends. */
function framed(info: Uint8Array): Uint8Array {
  const header = [0xa0, 0, 0x41, 0x08, 0x83, 0x13]
  const length = header.length + 2 + info.length + 2
  header[0] = 0xa0 | ((length >> 8) & 0x07)
  header[1] = length & 0xff
  const out = new Uint8Array(length + 2)
  out[0] = 0x7e
  out.set(header, 1)
  const x25 = (b: Uint8Array, from: number, to: number): number => {
    let crc = 0xffff
    for (let i = from; i < to; i++) {
      crc ^= b[i]
      for (let k = 0; k < 8; k++) crc = (crc & 1) !== 0 ? (crc >>> 1) ^ 0x8408 : crc >>> 1
    }
    return (crc ^ 0xffff) & 0xffff
  }
  const hcs = x25(out, 1, 7)
  out[7] = hcs & 0xff
  out[8] = hcs >> 8
  out.set(info, 9)
  const fcs = x25(out, 1, 9 + info.length)
  out[9 + info.length] = fcs & 0xff
  out[10 + info.length] = fcs >> 8
  out[out.length - 1] = 0x7e
  return out
}

describe('HAN port (HDLC, DLMS, the three list formats)', () => {
  test.prop(
    [
      fc.oneof(
        anyBytes(600),
        fc.constantFrom(...frames).chain(f => mutations.map(ms => mutate(f, ms)))
      )
    ],
    fuzzParams(300)
  )('a frame gives a reading or a MeterDataError', bytes => {
    const list = readingOr(() => hanFrame(bytes))
    if (list != null) {
      const s = readingOr(() => hanSample(list))
      wholeWh(s?.importWh)
      wholeWh(s?.exportWh)
    }
  })

  test.prop(
    [
      fc.oneof(
        anyBytes(600),
        fc.constantFrom(...infos).chain(f => mutations.map(ms => mutate(f, ms)))
      )
    ],
    fuzzParams(300)
  )('a DLMS data-notification with a valid frame around it gives a reading or a MeterDataError', info => {
    const n = readingOr(() => dataNotification(info))
    if (n?.time != null) expect(Number.isFinite(n.time)).toBe(true)
    const list = readingOr(() => hanList(info))
    if (list != null) {
      const s = readingOr(() => hanSample(list))
      wholeWh(s?.importWh)
      wholeWh(s?.exportWh)
    }
    // the same body in a frame with correct checksums: the frame check passes it on to the DLMS reader
    if (info.length < 2000) readingOr(() => hanFrame(framed(info)))
  })
})

describe('P1 port (DSMR telegrams)', () => {
  test.prop(
    [
      fc.oneof(
        anyBytes(1_200),
        fc.constantFrom(...telegrams).chain(t => mutations.map(ms => mutate(t, ms)))
      ),
      fc.boolean()
    ],
    fuzzParams(300)
  )('a telegram gives a reading or a MeterDataError', (bytes, requireCrc) => {
    const t = readingOr(() => parseTelegram(bytes, { requireCrc }))
    if (t != null) {
      const s = readingOr(() => telegramSample(t, { id: 'fuzz' }))
      wholeWh(s?.importWh)
      wholeWh(s?.exportWh)
    }
  })

  test.prop([fc.constantFrom(...telegrams).chain(t => mutations.map(ms => mutate(t, ms)))], fuzzParams(300))(
    'a damaged telegram whose CRC was recomputed (a broken meter, not the line) still gives a reading or a MeterDataError',
    bytes => {
      const text = Buffer.from(bytes).toString('latin1')
      const start = text.indexOf('/')
      const bang = text.indexOf('!', start)
      if (start < 0 || bang < 0) return
      const body = bytes.slice(0, bang + 1)
      const fixed = new Uint8Array([
        ...body,
        ...Buffer.from(
          crc16(body, start, bang + 1)
            .toString(16)
            .toUpperCase()
            .padStart(4, '0') + '\r\n',
          'latin1'
        )
      ])
      const t = readingOr(() => parseTelegram(fixed))
      if (t != null) {
        const s = readingOr(() => telegramSample(t, { id: 'fuzz' }))
        wholeWh(s?.importWh)
        wholeWh(s?.exportWh)
      }
    }
  )

  test.prop(
    [
      fc.array(fc.oneof(fc.constantFrom(...telegrams), anyBytes(100)), { maxLength: 5 }),
      fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 })
    ],
    fuzzParams(200, 10)
  )('the framer cuts a stream into the same telegrams whatever its chunks', (parts, cuts) => {
    const stream = Buffer.concat(parts)
    const whole = new TelegramFramer().push(stream).map(t => Buffer.from(t).toString('hex'))
    const f = new TelegramFramer()
    const got: string[] = []
    let at = 0
    let k = 0
    while (at < stream.length) {
      const n = cuts[k++ % cuts.length]
      for (const t of f.push(stream.subarray(at, at + n))) got.push(Buffer.from(t).toString('hex'))
      at += n
    }
    expect(got).toEqual(whole)
    for (const t of whole) {
      expect(t.startsWith('2f')).toBe(true)
      expect(t.endsWith('0a')).toBe(true)
    }
  })
})

describe('OCPP meter values', () => {
  const sampled = fc.record(
    {
      value: fc.oneof(
        fc.stringMatching(/^-?\d{0,12}(\.\d{0,6})?$/),
        fc.string({ maxLength: 20 }),
        fc.constantFrom('1e309', 'NaN', '99999999999999999999')
      ),
      measurand: fc.option(fc.constantFrom('Energy.Active.Import.Register', 'Power.Active.Import', 'SoC'), { nil: undefined }),
      unit: fc.option(fc.constantFrom('Wh', 'kWh', 'W', 'varh', ''), { nil: undefined }),
      format: fc.option(fc.constantFrom('Raw', 'SignedData'), { nil: undefined }),
      phase: fc.option(fc.constantFrom('L1', 'N'), { nil: undefined, freq: 4 }),
      location: fc.option(fc.constantFrom('Outlet', 'Inlet', 'EV'), { nil: undefined })
    },
    { requiredKeys: ['value'] }
  )
  const meterValue = fc.record({
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map(d => d.toISOString()),
      fc.string({ maxLength: 30 })
    ),
    sampledValue: fc.array(sampled, { maxLength: 4 })
  })

  test.prop([fc.array(meterValue, { maxLength: 4 })], fuzzParams(300))(
    'OCPP 1.6 MeterValues give whole non-negative Wh or a MeterDataError',
    values => {
      for (const s of readingOr(() => registerSamples(values as OcppMeterValue[])) ?? []) {
        wholeWh(s.wh)
        expect(Number.isFinite(s.at)).toBe(true)
      }
    }
  )

  test.prop(
    [
      fc.array(
        meterValue.map(mv => ({
          timestamp: mv.timestamp,
          sampledValue: mv.sampledValue.map(s => ({
            value: Number(s.value),
            measurand: s.measurand,
            ...(s.unit != null ? { unitOfMeasure: { unit: s.unit, multiplier: 0 } } : {})
          }))
        })),
        { maxLength: 4 }
      )
    ],
    fuzzParams(300)
  )('OCPP 2.0.1 MeterValues give whole non-negative Wh or a MeterDataError', values => {
    for (const s of readingOr(() => registerSamples201(values as never)) ?? []) wholeWh(s.wh)
  })
})
