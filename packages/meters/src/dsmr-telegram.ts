import { crc16 } from './crc16.ts'
import { BadChecksumError, MeterDataError, type MeterSample } from './meter.ts'

/** A P1 telegram: its header (`/ISK5\2M550T-1012`) and every COSEM object by OBIS reference, values in order. */
export interface DsmrTelegram {
  readonly header: string
  readonly objects: ReadonlyMap<string, readonly string[]>
  /** the checksum it carried (DSMR 4 and 5); undefined for DSMR 2.2 and 3, which carry none */
  readonly crc?: number
}

const LINE = /^(\d+-\d+:\d+\.\d+\.\d+)((?:\([^)]*\))+)$/

/**
 * Parses one telegram (from `/` to the line after `!`, bytes as latin1). The CRC (DSMR 4 and 5: four
 * hex digits after `!`, over every byte from `/` to `!`) must match, or the whole telegram is refused:
 * a reading is never taken from a telegram that arrived damaged.
 */
export function parseTelegram (bytes: Uint8Array, options: { requireCrc?: boolean } = {}): DsmrTelegram {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  const start = text.indexOf('/'); const bang = text.indexOf('!', start)
  if (start < 0 || bang < 0) throw new MeterDataError('malformed', 'a P1 telegram runs from / to !')
  const tail = text.slice(bang + 1).trim()
  let crc: number | undefined
  if (tail !== '') {
    if (!/^[0-9A-Fa-f]{4}$/.test(tail)) throw new MeterDataError('malformed', `the checksum after ! must be four hex digits, got ${JSON.stringify(tail)}`)
    crc = parseInt(tail, 16)
    const computed = crc16(bytes, start, bang + 1)
    if (computed !== crc) throw new BadChecksumError(`P1 telegram refused: its CRC is ${tail.toUpperCase()}, its content gives ${computed.toString(16).toUpperCase().padStart(4, '0')}`)
  } else if (options.requireCrc !== false) {
    throw new MeterDataError('no-crc', 'the telegram carries no CRC (DSMR 4 and 5 always do): refused')
  }
  const lines = text.slice(start, bang).split(/\r?\n/)
  const header = lines[0].trim()
  const objects = new Map<string, string[]>()
  let open = ''
  for (const raw of lines.slice(1)) {
    // a value may continue on the next line (DSMR 3 gas readings: the value in parentheses below)
    const line = open + raw.trim()
    if (line === '') continue
    const m = LINE.exec(line)
    if (m == null) { if (/^\d+-\d+:/.test(line) && !line.endsWith(')')) { open = line; continue } throw new MeterDataError('malformed', `cannot read the telegram line ${JSON.stringify(line.slice(0, 60))}`) }
    open = ''
    objects.set(m[1], m[2].slice(1, -1).split(')('))
  }
  return { header, objects, ...(crc != null ? { crc } : {}) }
}

/** An OBIS register value such as `002872.376*kWh` in whole Wh (exact: from its decimal digits). */
export function registerWh (value: string | undefined, obis: string): number {
  const m = value == null ? null : /^(\d+)(?:\.(\d{1,3}))?\*kWh$/.exec(value)
  if (m == null) throw new MeterDataError('missing', `register ${obis} is missing or not in kWh (got ${JSON.stringify(value)})`)
  return Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'))
}

/**
 * A DSMR time stamp YYMMDDhhmmssX in ms since the epoch: Dutch (and Belgian) local time, X = S in
 * summer time (UTC+2), W in winter time (UTC+1).
 */
export function dsmrTime (value: string | undefined): number {
  const m = value == null ? null : /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([SW])$/.exec(value)
  if (m == null) throw new MeterDataError('bad-time', `the telegram's time stamp 0-0:1.0.0 must be YYMMDDhhmmssS or …W, got ${JSON.stringify(value)}`)
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number)
  return Date.UTC(2000 + y, mo - 1, d, h - (m[7] === 'S' ? 2 : 1), mi, s)
}

/** The equipment identifier (0-0:96.1.1, hex-encoded ASCII in DSMR 4 and 5) as text. */
export function equipmentId (t: DsmrTelegram): string {
  const hex = t.objects.get('0-0:96.1.1')?.[0] ?? t.objects.get('0-0:96.1.0')?.[0]
  if (hex == null || hex === '') throw new MeterDataError('no-identity', 'the telegram carries no equipment identifier (0-0:96.1.1)')
  return /^([0-9A-Fa-f]{2})+$/.test(hex) ? Buffer.from(hex, 'hex').toString('latin1') : hex
}

/**
 * A telegram as a meter sample: the meter's identity, its time stamp, and its cumulative registers —
 * import = 1.8.1 + 1.8.2 (delivered to the client, tariffs 1 and 2), export = 2.8.1 + 2.8.2.
 */
export function telegramSample (t: DsmrTelegram): MeterSample {
  const o = t.objects
  const reg = (obis: string): number => registerWh(o.get(obis)?.[0], obis)
  return {
    meterId: `p1:${equipmentId(t)}`,
    at: dsmrTime(o.get('0-0:1.0.0')?.[0]),
    importWh: reg('1-0:1.8.1') + reg('1-0:1.8.2'),
    exportWh: reg('1-0:2.8.1') + reg('1-0:2.8.2')
  }
}

/**
 * Cuts a byte stream (a serial port) into telegrams: from `/` to the line end after `!` and its CRC.
 * Bytes before a `/` (a telegram joined half way) are dropped; a telegram that grows past `maxBytes`
 * without an end is dropped as garbage.
 */
export class TelegramFramer {
  #buf = Buffer.alloc(0)
  readonly #maxBytes: number
  constructor (maxBytes = 16_384) { this.#maxBytes = maxBytes }
  push (chunk: Uint8Array): Uint8Array[] {
    this.#buf = Buffer.concat([this.#buf, chunk])
    const out: Uint8Array[] = []
    for (;;) {
      const start = this.#buf.indexOf(0x2f) // '/'
      if (start < 0) { this.#buf = Buffer.alloc(0); break }
      if (start > 0) this.#buf = this.#buf.subarray(start)
      const bang = this.#buf.indexOf(0x21) // '!'
      const end = bang < 0 ? -1 : this.#buf.indexOf(0x0a, bang) // the line end after it
      if (end < 0) {
        if (this.#buf.length > this.#maxBytes) this.#buf = this.#buf.subarray(1)
        else break
        continue
      }
      out.push(new Uint8Array(this.#buf.subarray(0, end + 1)))
      this.#buf = this.#buf.subarray(end + 1)
    }
    return out
  }
}
