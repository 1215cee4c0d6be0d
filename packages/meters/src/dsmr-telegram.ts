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
export function parseTelegram(bytes: Uint8Array, options: { requireCrc?: boolean } = {}): DsmrTelegram {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  const start = text.indexOf('/')
  const bang = text.indexOf('!', start)
  if (start < 0 || bang < 0) throw new MeterDataError('malformed', 'a P1 telegram runs from / to !')
  const tail = text.slice(bang + 1).trim()
  let crc: number | undefined
  if (tail !== '') {
    if (!/^[0-9A-Fa-f]{4}$/.test(tail))
      throw new MeterDataError('malformed', `the checksum after ! must be four hex digits, got ${JSON.stringify(tail)}`)
    crc = parseInt(tail, 16)
    const computed = crc16(bytes, start, bang + 1)
    if (computed !== crc)
      throw new BadChecksumError(
        `P1 telegram refused: its CRC is ${tail.toUpperCase()}, its content gives ${computed.toString(16).toUpperCase().padStart(4, '0')}`
      )
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
    if (m == null) {
      if (/^\d+-\d+:/.test(line) && !line.endsWith(')')) {
        open = line
        continue
      }
      throw new MeterDataError('malformed', `cannot read the telegram line ${JSON.stringify(line.slice(0, 60))}`)
    }
    open = ''
    objects.set(m[1], m[2].slice(1, -1).split(')('))
  }
  return { header, objects, ...(crc != null ? { crc } : {}) }
}

/**
 * An OBIS energy register in whole Wh, exact, from its decimal digits (no float is ever formed):
 * `002872.376*kWh` (DSMR: kWh with up to three decimals) or `006545766*Wh` (whole Wh, as some
 * non-Dutch DSMR variants send, e.g. the Sagemcom T210-D-r). Refused: no value (`missing`), a unit
 * that is neither (`bad-unit`: kvarh, MWh, W, none…), digits that are not such a number, finer than
 * a Wh, or beyond a safe integer (`not-a-number`).
 */
export function registerWh(value: string | undefined, obis: string): number {
  if (value == null || value === '') throw new MeterDataError('missing', `register ${obis} is missing`)
  const star = value.lastIndexOf('*')
  const unit = star < 0 ? '' : value.slice(star + 1)
  const digits = value.slice(0, star < 0 ? value.length : star)
  if (unit !== 'kWh' && unit !== 'Wh')
    throw new MeterDataError(
      'bad-unit',
      `register ${obis} is in ${unit === '' ? 'no unit' : JSON.stringify(unit)} (got ${JSON.stringify(value)}): ` +
        'only kWh (up to three decimals) and Wh (whole) are read'
    )
  const m = (unit === 'kWh' ? /^(\d+)(?:\.(\d{1,3}))?$/ : /^(\d+)$/).exec(digits)
  const wh = m == null ? Number.NaN : unit === 'Wh' ? Number(m[1]) : Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'))
  if (!Number.isSafeInteger(wh))
    throw new MeterDataError(
      'not-a-number',
      `register ${obis} is not a whole number of Wh ` +
        `(${unit === 'kWh' ? 'kWh with up to three decimals' : 'Wh without decimals'}): got ${JSON.stringify(value)}`
    )
  return wh
}

/**
 * The telegram standard a P1 port follows, for what its fields mean:
 * - `dsmr`: DSMR 4/5 (the Netherlands; Belgium's e-MUCS follows it). The time stamp is local time, its
 *   letter saying which: S summer time (UTC+2), W winter time (UTC+1). An equipment id (0-0:96.1.1).
 * - `se`: the Swedish P1 port (Energiföretagen's recommendation for the meter's local customer
 *   interface, 1.3 and later). Swedish meters keep Swedish standard time, UTC+1, all year (Ei's
 *   metering rules, EIFS 2016:2): the S/W letter is not an offset. No equipment id in the telegram:
 *   the meter's identity is the one configured (`meter.p1.id`).
 */
export const P1Standard = { dsmr: 'dsmr', se: 'se' } as const
export type P1Standard = (typeof P1Standard)[keyof typeof P1Standard]

/**
 * A P1 time stamp YYMMDDhhmmssX in ms since the epoch. DSMR (default): Dutch (and Belgian) local time,
 * X = S in summer time (UTC+2), W in winter time (UTC+1). Swedish P1 (`se`): UTC+1 whatever X says.
 */
export function dsmrTime(value: string | undefined, standard: P1Standard = 'dsmr'): number {
  const m = value == null ? null : /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([SW])$/.exec(value)
  if (m == null)
    throw new MeterDataError('bad-time', `the telegram's time stamp 0-0:1.0.0 must be YYMMDDhhmmssS or …W, got ${JSON.stringify(value)}`)
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number)
  const offsetHours = standard === 'se' ? 1 : m[7] === 'S' ? 2 : 1
  return Date.UTC(2000 + y, mo - 1, d, h - offsetHours, mi, s)
}

/**
 * The equipment identifier (0-0:96.1.1, hex-encoded ASCII in DSMR 4 and 5) as text; without one (the
 * Swedish P1 telegram has none), `configured`, the identity the operator gave the meter.
 */
export function equipmentId(t: DsmrTelegram, configured?: string): string {
  const hex = t.objects.get('0-0:96.1.1')?.[0] ?? t.objects.get('0-0:96.1.0')?.[0]
  if (hex == null || hex === '') {
    if (configured != null && configured !== '') return configured
    throw new MeterDataError(
      'no-identity',
      "the telegram carries no equipment identifier (0-0:96.1.1): give the meter's " +
        'identity in the config (meter.p1.id, e.g. the number on its front plate)'
    )
  }
  return /^([0-9A-Fa-f]{2})+$/.test(hex) ? Buffer.from(hex, 'hex').toString('latin1') : hex
}

/** The cumulative registers of one direction: the meter's total, and DSMR's two tariffs. */
const REGISTERS = {
  import: { total: '1-0:1.8.0', tariffs: ['1-0:1.8.1', '1-0:1.8.2'] },
  export: { total: '1-0:2.8.0', tariffs: ['1-0:2.8.1', '1-0:2.8.2'] }
} as const

/**
 * One direction's cumulative energy: the total register (1.8.0, 2.8.0: the Swedish P1 port sends only
 * these) when the telegram has it, else tariff 1 + tariff 2 (1.8.1 + 1.8.2: DSMR meters send only
 * these). When a telegram has both, the total is read: it is the meter's own sum over every tariff it
 * keeps, where 1.8.1 + 1.8.2 would miss a third one. Neither, or half a pair: refused (`missing`).
 */
function energyWh(o: DsmrTelegram['objects'], which: keyof typeof REGISTERS): number {
  const { total, tariffs } = REGISTERS[which]
  if (o.has(total)) return registerWh(o.get(total)?.[0], total)
  if (!tariffs.some(t => o.has(t)))
    throw new MeterDataError(
      'missing',
      `the telegram has no ${which} register: neither ${total} (total) nor ${tariffs.join(' + ')} (tariffs)`
    )
  return tariffs.reduce((sum, t) => sum + registerWh(o.get(t)?.[0], t), 0)
}

export interface TelegramSampleOptions {
  /** what the time stamp means; default `dsmr` */
  readonly standard?: P1Standard
  /** the meter's identity for telegrams without an equipment id (0-0:96.1.1): the telegram's own wins */
  readonly id?: string
}

/**
 * A telegram as a meter sample: the meter's identity, its time stamp, and its cumulative registers —
 * import = 1.8.0, or 1.8.1 + 1.8.2 without it (delivered to the client, tariffs 1 and 2); export =
 * 2.8.0, or 2.8.1 + 2.8.2.
 */
export function telegramSample(t: DsmrTelegram, options: TelegramSampleOptions = {}): MeterSample {
  const o = t.objects
  return {
    meterId: `p1:${equipmentId(t, options.id)}`,
    at: dsmrTime(o.get('0-0:1.0.0')?.[0], options.standard),
    importWh: energyWh(o, 'import'),
    exportWh: energyWh(o, 'export')
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
  constructor(maxBytes = 16_384) {
    this.#maxBytes = maxBytes
  }
  push(chunk: Uint8Array): Uint8Array[] {
    this.#buf = Buffer.concat([this.#buf, chunk])
    const out: Uint8Array[] = []
    for (;;) {
      const start = this.#buf.indexOf(0x2f) // '/'
      if (start < 0) {
        this.#buf = Buffer.alloc(0)
        break
      }
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
