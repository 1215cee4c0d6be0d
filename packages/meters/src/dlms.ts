import { MeterDataError } from './meter.ts'

/** A DLMS/COSEM value as the HAN port pushes it. */
export type DlmsValue = null | boolean | number | bigint | string | Uint8Array | DlmsValue[]

/** A data-notification: its time (ms, if the meter sent one, by `dlmsTime`), that date-time's 12 bytes, and its body. */
export interface DataNotification {
  readonly time?: number
  readonly clock?: Uint8Array
  readonly body: DlmsValue
}

/**
 * Decodes the LLC-wrapped DLMS data-notification of a HAN frame (E6 E7 00, then 0F, invoke id, an
 * optional date-time, the body). Unknown tags are refused, not skipped: a value that cannot be read
 * must not shift the ones after it.
 */
export function dataNotification(info: Uint8Array): DataNotification {
  if (info[0] !== 0xe6 || info[1] !== 0xe7 || info[2] !== 0x00)
    throw new MeterDataError('malformed', 'the HAN frame does not carry an LLC header E6 E7 00')
  if (info[3] !== 0x0f) throw new MeterDataError('malformed', `not a DLMS data-notification (tag ${info[3]?.toString(16)})`)
  let i = 8 // 0F + 4 bytes of invoke id and priority
  let clock: Uint8Array | undefined
  if (info[i] === 0x0c) {
    clock = info.subarray(i + 1, i + 13)
    i += 13
  } else if (info[i] === 0x09 && info[i + 1] === 0x0c) {
    clock = info.subarray(i + 2, i + 14)
    i += 14
  } else if (info[i] === 0x00) i += 1
  const [body] = readValue(info, i)
  return { ...(clock != null ? { time: dlmsTime(clock), clock } : {}), body }
}

function readValue(b: Uint8Array, i: number): [DlmsValue, number] {
  // every value's bytes must be there: a value cut short is refused, not read past the end (a RangeError
  // from the DataView) nor taken short (an octet string, a count or a byte read as undefined)
  const need = (n: number): void => {
    if (i + n > b.length) throw new MeterDataError('malformed', 'the DLMS body ends inside a value')
  }
  need(1)
  const tag = b[i]
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  switch (tag) {
    case 0x00:
      return [null, i + 1]
    case 0x01:
    case 0x02: {
      need(2)
      const n = b[i + 1]
      const out: DlmsValue[] = []
      let j = i + 2
      for (let k = 0; k < n; k++) {
        const [x, next] = readValue(b, j)
        out.push(x)
        j = next
      }
      return [out, j]
    }
    case 0x03:
      need(2)
      return [b[i + 1] !== 0, i + 2]
    case 0x05:
      need(5)
      return [v.getInt32(i + 1), i + 5]
    case 0x06:
      need(5)
      return [v.getUint32(i + 1), i + 5]
    case 0x09: {
      need(2)
      const n = b[i + 1]
      need(2 + n)
      return [b.slice(i + 2, i + 2 + n), i + 2 + n]
    }
    case 0x0a: {
      need(2)
      const n = b[i + 1]
      need(2 + n)
      return [Buffer.from(b.subarray(i + 2, i + 2 + n)).toString('latin1'), i + 2 + n]
    }
    case 0x0f:
      need(2)
      return [v.getInt8(i + 1), i + 2]
    case 0x10:
      need(3)
      return [v.getInt16(i + 1), i + 3]
    case 0x11:
      need(2)
      return [b[i + 1], i + 2]
    case 0x12:
      need(3)
      return [v.getUint16(i + 1), i + 3]
    case 0x14:
      need(9)
      return [v.getBigInt64(i + 1), i + 9]
    case 0x15:
      need(9)
      return [v.getBigUint64(i + 1), i + 9]
    case 0x16:
      need(2)
      return [b[i + 1], i + 2]
    default:
      throw new MeterDataError('malformed', `unknown DLMS data tag ${tag.toString(16)} at byte ${i}`)
  }
}

/**
 * A COSEM date-time (12 bytes: year, month, day, weekday, hour, minute, second, hundredths, deviation
 * in minutes, status) in ms. Deviation 0x8000 (unspecified, as Kaifa and Kamstrup send it): local time
 * in Norway, whose offset is taken from the time zone database. `hanList` reads a list's clock by its
 * make's rule instead (`norwegianTime`): Aidon's and Kamstrup's are UTC+1 all year.
 */
export function dlmsTime(d: Uint8Array): number {
  const local = localAsUtc(d)
  const deviation = (d[9] << 8) | d[10]
  // deviation: minutes from local time to UTC (UTC = local + deviation; −60 in CET)
  if (deviation !== 0x8000) return local + ((deviation << 16) >> 16) * 60_000
  return local - osloOffsetMs(local)
}

/**
 * How a Norwegian meter's clock reads (its deviation field aside):
 * - `local`: Norwegian local time, summer time included (Europe/Oslo) — Kaifa, whose clock in a
 *   capture made in September 2017 trails the receiving computer's summer-time clock by under 2 s;
 * - `normal`: Norwegian normal time, UTC+1 all year — Aidon and Kamstrup. A Kamstrup capture made on
 *   20 October 2017, still summer time, names 04:00:05 for a push received at 05:00:07; AmsToMqttBridge
 *   / amsreader-firmware (the most used HAN reader) reads both makes as UTC+1 all year, its code noting
 *   "the clock is now correct" on 21.09.24 (Aidon) and 23.10.25 (Kamstrup), both in summer time. Aidon
 *   sends the deviation 0x0000 with it, which would read as UTC: its December captures name the local hour.
 * The NVE OBIS lists of Aidon and Kamstrup say only "local date and time of Norway".
 */
export type NorwegianClock = 'local' | 'normal'

/**
 * A Norwegian HAN meter's date-time (12 bytes) by its make's rule, whatever its deviation says.
 * Refused (`bad-time`) when a field is out of range, e.g. a year of 0xFFFF ("not specified").
 */
export function norwegianTime(d: Uint8Array, rule: NorwegianClock): number {
  const [month, day, hour, minute, second] = [d[2], d[3], d[5], d[6], d[7]]
  if (d.length !== 12 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59 || d[0] === 0xff)
    throw new MeterDataError('bad-time', `not a date-time of 12 bytes with a valid date and time: ${Buffer.from(d).toString('hex')}`)
  const local = localAsUtc(d)
  return local - (rule === 'normal' ? 3_600_000 : osloOffsetMs(local))
}

/** The date and time fields of a COSEM date-time, read as if they were UTC (hundredths 0xFF: none). */
function localAsUtc(d: Uint8Array): number {
  const year = (d[0] << 8) | d[1]
  return Date.UTC(year, d[2] - 1, d[3], d[5], d[6], d[7], d[8] === 0xff ? 0 : d[8] * 10)
}

function osloOffsetMs(localAsUtc: number): number {
  // the offset in force at that local time (one hour in winter, two in summer)
  const guess = localAsUtc - 3_600_000
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', timeZoneName: 'shortOffset' }).formatToParts(new Date(guess))
  const m = /GMT([+-]\d+)?/.exec(parts.find(p => p.type === 'timeZoneName')?.value ?? '')
  return Number(m?.[1] ?? 0) * 3_600_000
}

/** An OBIS code from its six bytes: `1-0:1.8.0.255`. */
export function obisCode(b: Uint8Array): string {
  return `${b[0]}-${b[1]}:${b[2]}.${b[3]}.${b[4]}.${b[5]}`
}
