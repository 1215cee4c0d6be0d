import { dataNotification, obisCode, type DlmsValue } from './dlms.ts'
import { hdlcInformation } from './hdlc.ts'
import { MeterDataError, type MeterSample } from './meter.ts'

/** What one HAN push carries: the meter's time, and its values by OBIS code (power in W, energy in Wh). */
export interface HanList {
  readonly time?: number
  /** OBIS code (`1-0:1.7.0.255`) → number (scaled to W or Wh) or text (identifiers) */
  readonly values: ReadonlyMap<string, number | string>
}

// Kaifa sends its lists without OBIS codes: the position says what a value is (Kaifa's HAN OBIS list KFM_001, three phase)
const KAIFA_LIST2 = [
  '1-1:0.2.129.255',
  '0-0:96.1.0.255',
  '0-0:96.1.7.255',
  '1-0:1.7.0.255',
  '1-0:2.7.0.255',
  '1-0:3.7.0.255',
  '1-0:4.7.0.255',
  '1-0:31.7.0.255',
  '1-0:51.7.0.255',
  '1-0:71.7.0.255',
  '1-0:32.7.0.255',
  '1-0:52.7.0.255',
  '1-0:72.7.0.255'
]
const KAIFA_LIST3 = [...KAIFA_LIST2, '0-0:1.0.0.255', '1-0:1.8.0.255', '1-0:2.8.0.255', '1-0:3.8.0.255', '1-0:4.8.0.255']
const KAIFA: Record<number, string[]> = { 1: ['1-0:1.7.0.255'], 13: KAIFA_LIST2, 18: KAIFA_LIST3 }

const isObis = (v: DlmsValue | undefined): v is Uint8Array => v instanceof Uint8Array && v.length === 6
const text = (v: DlmsValue): string | number =>
  v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : String(v)

/**
 * Reads a HAN push (the DLMS body of one HDLC frame) from the three Norwegian meter makes:
 * - Aidon: a structure of [OBIS, value, [scaler, unit]] — values scaled by their scaler;
 * - Kamstrup: a structure of the list's name then OBIS, value, OBIS, value… — energy in 10 Wh;
 * - Kaifa: values without OBIS codes, by position (lists of 1, 13 and 18 values; three phase).
 */
export function hanList(info: Uint8Array): HanList {
  const { time, body } = dataNotification(info)
  if (!Array.isArray(body)) throw new MeterDataError('malformed', 'a HAN list is a structure')
  const values = new Map<string, number | string>()
  const kamstrup = body.some(isObis) && typeof body[0] === 'string' && body[0].startsWith('Kamstrup')
  if (body.every(e => Array.isArray(e) && isObis(e[0]))) {
    for (const e of body as DlmsValue[][]) {
      const scaler = Array.isArray(e[2]) && typeof e[2][0] === 'number' ? e[2][0] : 0
      const v = e[1]
      values.set(obisCode(e[0] as Uint8Array), typeof v === 'number' || typeof v === 'bigint' ? scaled(Number(v), scaler) : text(v))
    }
  } else if (body.some(isObis)) {
    for (let k = 0; k < body.length; k++) {
      if (!isObis(body[k]) || k + 1 >= body.length) continue
      const code = obisCode(body[k] as Uint8Array)
      const v = body[++k]
      // Kamstrup's energy registers count hundredths of a kWh
      values.set(code, typeof v === 'number' && kamstrup && /^1-\d+:[1-4]\.8\.0/.test(code) ? v * 10 : text(v))
    }
  } else {
    const names = KAIFA[body.length]
    if (names == null)
      throw new MeterDataError(
        'unknown-list',
        `a HAN list of ${body.length} values without OBIS codes is not one of Kaifa's (1, 13 or 18 values)`
      )
    body.forEach((v, k) => {
      values.set(names[k], text(v))
    })
  }
  return { ...(time != null ? { time } : {}), values }
}

function scaled(v: number, scaler: number): number {
  return scaler >= 0 ? v * 10 ** scaler : v / 10 ** -scaler
}

/** One HDLC frame of the HAN port, checked and read. */
export function hanFrame(frame: Uint8Array): HanList {
  return hanList(hdlcInformation(frame))
}

/**
 * A HAN list as a meter sample, if it carries the cumulative registers (list 3, once an hour at
 * hh:00:10): import 1.8.0, export 2.8.0, the meter's time, and its identity (0-0:96.1.0 or
 * Kamstrup's GS1 number 1-1:0.0.5). A list without them (lists 1 and 2: power only) is no reading.
 */
export function hanSample(list: HanList): MeterSample | undefined {
  const get = (re: RegExp): number | string | undefined => {
    for (const [k, v] of list.values) if (re.test(k)) return v
    return undefined
  }
  const imp = get(/^1-\d+:1\.8\.0\./)
  const exp = get(/^1-\d+:2\.8\.0\./)
  if (typeof imp !== 'number' || typeof exp !== 'number' || list.time == null) return undefined
  const id = get(/^0-0:96\.1\.0\./) ?? get(/^1-\d+:0\.0\.5\./)
  if (id == null) throw new MeterDataError('no-identity', 'the HAN list carries cumulative registers but no meter identity')
  return { meterId: `han:${String(id)}`, at: list.time, importWh: Math.floor(imp), exportWh: Math.floor(exp) }
}
