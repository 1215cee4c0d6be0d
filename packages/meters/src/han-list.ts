import { dataNotification, norwegianTime, obisCode, type DlmsValue, type NorwegianClock } from './dlms.ts'
import { hdlcInformation } from './hdlc.ts'
import { MeterDataError, type MeterSample } from './meter.ts'

/** What one HAN push carries: the meter's time, and its values by OBIS code (power in W, energy in Wh). */
export interface HanList {
  readonly time?: number
  /** OBIS code (`1-0:1.7.0.255`) → number (scaled: W, A, V; active energy in whole Wh) or text (identifiers; a clock as its ISO time) */
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

/** COSEM unit enum for Wh (the Blue Book's unit table; Aidon's energy registers carry it) */
const UNIT_WH = 30
const ACTIVE_ENERGY = /^1-\d+:[12]\.8\.\d+\.255$/
const CLOCK = /^0-\d+:1\.0\.0\.255$/

/**
 * Reads a HAN push (the DLMS body of one HDLC frame) from the three Norwegian meter makes:
 * - Aidon: a structure of [OBIS, value, [scaler, unit]] — values scaled by their scaler; an active
 *   energy register must be in Wh (unit 30), else it is refused (`bad-unit`);
 * - Kamstrup: a structure of the list's name then OBIS, value, OBIS, value… — energy in 10 Wh (its NVE
 *   OBIS list: "resolution of 10 Wh", no scaler sent);
 * - Kaifa: values without OBIS codes, by position (lists of 1, 13 and 18 values; three phase), energy in Wh.
 * Active energy registers (1.8.x, 2.8.x) become whole Wh by integer arithmetic, never through a float.
 * The list's time is the data-notification's (Kaifa, Kamstrup), else the clock among its values
 * (0-x:1.0.0.255: Aidon's list 3), read by the make's rule (`NorwegianClock`): Aidon and Kamstrup in
 * UTC+1 all year, Kaifa (and lists of unknown make) in Norwegian local time, summer time included.
 */
export interface HanListOptions {
  /**
   * Wh per count of a Kamstrup's active energy registers: 10 on Norwegian meters (the NVE OBIS list), 1 on
   * Swedish Kamstrups that push the same list (amsreader-firmware issue #239). Their frames cannot be told
   * apart, so the operator says which. Default 10.
   */
  readonly kamstrupRegisterWh?: 1 | 10
}

export function hanList(info: Uint8Array, options: HanListOptions = {}): HanList {
  const notification = dataNotification(info)
  const { body } = notification
  if (!Array.isArray(body)) throw new MeterDataError('malformed', 'a HAN list is a structure')
  const values = new Map<string, number | string>()
  const aidon = body.some(e => Array.isArray(e) && typeof e[1] === 'string' && e[1].startsWith('AIDON_'))
  const kamstrup = body.some(isObis) && typeof body[0] === 'string' && body[0].startsWith('Kamstrup')
  const rule: NorwegianClock = aidon || kamstrup ? 'normal' : 'local'
  let clock: number | undefined
  /** one value: the clock as its time, an active energy register as `energy()`, anything else as `plain()` */
  const put = (code: string, v: DlmsValue, energy: () => number, plain: () => number | string = () => text(v)): void => {
    if (CLOCK.test(code) && v instanceof Uint8Array && v.length === 12) {
      clock = norwegianTime(v, rule)
      values.set(code, new Date(clock).toISOString())
    } else values.set(code, ACTIVE_ENERGY.test(code) ? energy() : plain())
  }
  if (body.every(e => Array.isArray(e) && isObis(e[0]))) {
    for (const e of body as DlmsValue[][]) {
      const code = obisCode(e[0] as Uint8Array)
      const [scaler, unit] = Array.isArray(e[2]) ? e[2] : []
      const v = e[1]
      put(
        code,
        v,
        () => {
          if (unit !== UNIT_WH || typeof scaler !== 'number')
            throw new MeterDataError(
              'bad-unit',
              `the energy register ${code} must carry a scaler and the unit Wh (30), got scaler ${String(scaler)}, unit ${String(unit)}`
            )
          return wholeWh(v, scaler, code)
        },
        () => (typeof v === 'number' || typeof v === 'bigint' ? scaled(Number(v), typeof scaler === 'number' ? scaler : 0) : text(v))
      )
    }
  } else if (body.some(isObis)) {
    for (let k = 0; k < body.length; k++) {
      if (!isObis(body[k]) || k + 1 >= body.length) continue
      const code = obisCode(body[k] as Uint8Array)
      const v = body[++k]
      // Kamstrup's energy registers count hundredths of a kWh (10 Wh; reactive ones 10 varh) on Norwegian meters
      const tens = kamstrup && options.kamstrupRegisterWh !== 1
      put(
        code,
        v,
        () => wholeWh(v, tens ? 1 : 0, code),
        () => (typeof v === 'number' && tens && /^1-\d+:[34]\.8\.0/.test(code) ? v * 10 : text(v))
      )
    }
  } else {
    const names = KAIFA[body.length]
    if (names == null)
      throw new MeterDataError(
        'unknown-list',
        `a HAN list of ${body.length} values without OBIS codes is not one of Kaifa's (1, 13 or 18 values)`
      )
    body.forEach((v, k) => {
      put(names[k], v, () => wholeWh(v, 0, names[k]))
    })
  }
  const sent = notification.clock == null ? undefined : rule === 'normal' ? norwegianTime(notification.clock, rule) : notification.time
  const at = sent ?? clock
  return { ...(at != null ? { time: at } : {}), values }
}

/**
 * An energy register in whole Wh: its integer value times 10^scaler, in integer arithmetic (BigInt);
 * a negative scaler (tenths of a Wh) is floored, as the Modbus driver does. Refused: a value that is
 * not a whole number or is negative (`not-a-number`), a scaler outside −10…10 (`bad-scale-factor`), a
 * result beyond a safe integer (`not-a-number`).
 */
function wholeWh(v: DlmsValue, scaler: number, code: string): number {
  if (!(typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) || v < 0)
    throw new MeterDataError('not-a-number', `the energy register ${code} is not a whole non-negative number (got ${String(v)})`)
  if (!Number.isInteger(scaler) || scaler < -10 || scaler > 10)
    throw new MeterDataError('bad-scale-factor', `the energy register ${code} has a scaler of ${scaler}: expected −10…10`)
  const p = 10n ** BigInt(Math.abs(scaler))
  const wh = scaler >= 0 ? BigInt(v) * p : BigInt(v) / p
  if (wh > BigInt(Number.MAX_SAFE_INTEGER))
    throw new MeterDataError('not-a-number', `the energy register ${code} (${String(v)} × 10^${scaler} Wh) is too large`)
  return Number(wh)
}

/** A value other than energy (power, current, voltage) times 10^scaler: 16.8 A, 233.4 V. */
function scaled(v: number, scaler: number): number {
  return scaler >= 0 ? v * 10 ** scaler : v / 10 ** -scaler
}

/** One HDLC frame of the HAN port, checked and read. */
export function hanFrame(frame: Uint8Array, options: HanListOptions = {}): HanList {
  return hanList(hdlcInformation(frame), options)
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
  return { meterId: `han:${String(id)}`, at: list.time, importWh: imp, exportWh: exp }
}
