import { MeterDataError } from './meter.ts'

/** A DLMS/COSEM value as the HAN port pushes it. */
export type DlmsValue = null | boolean | number | bigint | string | Uint8Array | DlmsValue[]

/** A data-notification: its time (ms, if the meter sent one) and its body. */
export interface DataNotification {
  readonly time?: number
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
  let time: number | undefined
  if (info[i] === 0x0c) {
    time = dlmsTime(info.subarray(i + 1, i + 13))
    i += 13
  } else if (info[i] === 0x09 && info[i + 1] === 0x0c) {
    time = dlmsTime(info.subarray(i + 2, i + 14))
    i += 14
  } else if (info[i] === 0x00) i += 1
  const [body] = readValue(info, i)
  return { ...(time != null ? { time } : {}), body }
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
 * in minutes, status) in ms. The Norwegian meters send deviation 0x8000 (unspecified): local time in
 * Norway, whose offset is taken from the time zone database.
 */
export function dlmsTime(d: Uint8Array): number {
  const year = (d[0] << 8) | d[1]
  const local = Date.UTC(year, d[2] - 1, d[3], d[5], d[6], d[7], d[8] === 0xff ? 0 : d[8] * 10)
  const deviation = (d[9] << 8) | d[10]
  // deviation: minutes from local time to UTC (UTC = local + deviation; −60 in CET)
  if (deviation !== 0x8000) return local + ((deviation << 16) >> 16) * 60_000
  return local - osloOffsetMs(local)
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
