import { toWh } from './json-path.ts'
import { MeterDataError } from './meter.ts'

/** OCPP 1.6 MeterValue (section 7.31 of the 1.6 specification; the JSON schema of MeterValues.req) */
export interface OcppMeterValue {
  timestamp: string
  sampledValue: Array<{
    value: string
    context?: string
    format?: string
    measurand?: string
    phase?: string
    location?: string
    unit?: string
  }>
}

/**
 * The cumulative import register in a charge point's meter values: `Energy.Active.Import.Register`
 * (the default measurand), the total (no phase), at the outlet (the default location), in Wh (the
 * default unit) or kWh, converted from its decimal text exactly (finer than a Wh is cut, as `toWh`
 * does). Other measurands (power, current, SoC) are skipped. Anything that cannot be read — a time
 * that is not one, a value that is not a number, an energy unit other than Wh/kWh, signed data — is
 * refused whole: no sample is made from a message with a value that could not be read.
 */
export function registerSamples(values: readonly OcppMeterValue[]): Array<{ at: number; wh: number }> {
  const out: Array<{ at: number; wh: number }> = []
  for (const mv of values) {
    const at = Date.parse(mv.timestamp)
    if (!Number.isFinite(at) || at < 0)
      throw new MeterDataError('bad-time', `meter value timestamp ${JSON.stringify(mv.timestamp)} is not a time`)
    for (const sv of mv.sampledValue) {
      if ((sv.measurand ?? 'Energy.Active.Import.Register') !== 'Energy.Active.Import.Register') continue
      if (sv.phase != null || (sv.location != null && sv.location !== 'Outlet')) continue
      if (sv.format === 'SignedData')
        throw new MeterDataError('signed-data', 'a signed meter value cannot be read here (OCPP 1.6 SignedData is vendor-specific)')
      const unit = sv.unit ?? 'Wh'
      if (unit !== 'Wh' && unit !== 'kWh')
        throw new MeterDataError('bad-unit', `Energy.Active.Import.Register in ${unit}: expected Wh or kWh`)
      out.push({ at, wh: toWh(sv.value, unit) })
      break // one register per meter value
    }
  }
  return out
}

/** OCPP 1.6 ChargingProfile (SetChargingProfile.req's csChargingProfiles) */
export interface OcppChargingProfile {
  chargingProfileId: number
  transactionId: number
  stackLevel: number
  chargingProfilePurpose: 'TxProfile'
  chargingProfileKind: 'Absolute'
  chargingSchedule: {
    duration: number
    startSchedule: string
    chargingRateUnit: 'W'
    chargingSchedulePeriod: Array<{ startPeriod: number; limit: number }>
  }
}

/** the id of the profile this node sets: one profile, replaced at every change (same id, same stack level) */
export const TRADED_PROFILE_ID = 4711

/**
 * The traded power per slot as one TxProfile (absolute, in W): a period per slot from the first slot
 * to the end of the last; a slot inside it that has no traded power gets 0 W (the car draws what was
 * traded, nothing it was not). After the schedule's end the charger's own default applies.
 */
export function tradedProfile(plan: ReadonlyMap<number, number>, slotMs: number, transactionId: number): OcppChargingProfile | undefined {
  const starts = [...plan.keys()].sort((a, b) => a - b)
  if (starts.length === 0) return undefined
  const first = starts[0]
  const last = starts[starts.length - 1]
  const periods: Array<{ startPeriod: number; limit: number }> = []
  const period = (t: number, limit: number): void => {
    if (periods.length > 0 && periods[periods.length - 1].limit === limit) return
    periods.push({ startPeriod: Math.round((t - first) / 1000), limit })
  }
  starts.forEach((t, i) => {
    period(t, plan.get(t)!)
    if (i + 1 < starts.length && starts[i + 1] > t + slotMs) period(t + slotMs, 0)
  })
  return {
    chargingProfileId: TRADED_PROFILE_ID,
    transactionId,
    stackLevel: 1,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Absolute',
    chargingSchedule: {
      duration: Math.round((last + slotMs - first) / 1000),
      startSchedule: new Date(first).toISOString(),
      chargingRateUnit: 'W',
      chargingSchedulePeriod: periods
    }
  }
}

/** OCPP 2.0.1 MeterValueType (TransactionEvent.req and MeterValues.req): values are JSON numbers with a unit and a power of ten */
export interface Ocpp201MeterValue {
  timestamp: string
  sampledValue: Array<{
    value: number
    context?: string
    measurand?: string
    phase?: string
    location?: string
    signedMeterValue?: unknown
    unitOfMeasure?: { unit?: string; multiplier?: number }
  }>
}

/**
 * The cumulative import register in OCPP 2.0.1 meter values, as `registerSamples` does for 1.6: the
 * total `Energy.Active.Import.Register` (the default measurand) at the outlet, in Wh or kWh (the
 * default Wh) times 10^multiplier (default 0), converted from the number's decimal digits exactly
 * (finer than a Wh is cut). A signed meter value is read by its plain `value` (2.0.1 sends both).
 * Anything it cannot read refuses the whole message.
 */
export function registerSamples201(values: readonly Ocpp201MeterValue[]): Array<{ at: number; wh: number }> {
  const out: Array<{ at: number; wh: number }> = []
  for (const mv of values) {
    const at = Date.parse(mv.timestamp)
    if (!Number.isFinite(at) || at < 0)
      throw new MeterDataError('bad-time', `meter value timestamp ${JSON.stringify(mv.timestamp)} is not a time`)
    for (const sv of mv.sampledValue) {
      if ((sv.measurand ?? 'Energy.Active.Import.Register') !== 'Energy.Active.Import.Register') continue
      if (sv.phase != null || (sv.location != null && sv.location !== 'Outlet')) continue
      const unit = sv.unitOfMeasure?.unit ?? 'Wh'
      if (unit !== 'Wh' && unit !== 'kWh')
        throw new MeterDataError('bad-unit', `Energy.Active.Import.Register in ${unit}: expected Wh or kWh`)
      const multiplier = sv.unitOfMeasure?.multiplier ?? 0
      if (!Number.isSafeInteger(multiplier) || Math.abs(multiplier) > 9)
        throw new MeterDataError('bad-unit', `unitOfMeasure.multiplier must be a whole power of ten from −9 to 9, got ${multiplier}`)
      out.push({ at, wh: shiftedWh(sv.value, (unit === 'kWh' ? 3 : 0) + multiplier) })
      break // one register per meter value
    }
  }
  return out
}

/** a non-negative decimal number times 10^exp, in whole Wh (cut, not rounded), from its decimal digits */
function shiftedWh(value: unknown, exp: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new MeterDataError('not-a-number', `expected a non-negative number of Wh, got ${JSON.stringify(value)}`)
  // the shortest decimal that reads back as this double: what the charger wrote
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value))
  if (m == null) throw new MeterDataError('not-a-number', `expected a non-negative number of Wh, got ${JSON.stringify(value)}`)
  const digits = m[1] + (m[2] ?? '')
  const point = m[1].length + Number(m[3] ?? 0) + exp
  const whole = point <= 0 ? '0' : digits.padEnd(point, '0').slice(0, point)
  const wh = Number(whole)
  if (!Number.isSafeInteger(wh)) throw new MeterDataError('not-a-number', `${value} × 10^${exp} Wh is too large`)
  return wh
}

/** OCPP 2.0.1 ChargingProfileType (SetChargingProfile.req's chargingProfile): the schedule is a list, ids on both */
export interface Ocpp201ChargingProfile {
  id: number
  stackLevel: number
  chargingProfilePurpose: 'TxProfile'
  chargingProfileKind: 'Absolute'
  transactionId: string
  chargingSchedule: Array<{
    id: number
    duration: number
    startSchedule: string
    chargingRateUnit: 'W'
    chargingSchedulePeriod: Array<{ startPeriod: number; limit: number }>
  }>
}

/** The same traded plan as `tradedProfile`, in OCPP 2.0.1's form (the transaction id is the charger's string). */
export function tradedProfile201(
  plan: ReadonlyMap<number, number>,
  slotMs: number,
  transactionId: string
): Ocpp201ChargingProfile | undefined {
  const p = tradedProfile(plan, slotMs, 0)
  if (p == null) return undefined
  return {
    id: TRADED_PROFILE_ID,
    stackLevel: p.stackLevel,
    chargingProfilePurpose: 'TxProfile',
    chargingProfileKind: 'Absolute',
    transactionId,
    chargingSchedule: [{ id: TRADED_PROFILE_ID, ...p.chargingSchedule }]
  }
}
