import { MeterDataError, type BatteryStatus } from './meter.ts'
import type { RegisterReader, SunSpecDevice } from './sunspec.ts'

/**
 * A battery's state read by SunSpec's published maps (github.com/sunspec/models, json/model_124.json and
 * model_120.json; offsets count from the model's ID register):
 *   storage 124 (L 24): WChaMax @2, StorCtl_Mod @5 (bitfield16), MinRsvPct @7, ChaState @8, StorAval @9,
 *     InBatV @10, ChaSt @11 (enum16), OutWRte @12 (int16), InWRte @13 (int16); scale factors WChaMax_SF
 *     @18, MinRsvPct_SF @21, ChaState_SF @22, StorAval_SF @23, InBatV_SF @24, InOutWRte_SF @25
 *   nameplate 120 (L 26): WHRtg @19, WHRtg_SF @20 (the storage's energy rating, in the DER's nameplate)
 * A point the device marks "not implemented" (0xFFFF for uint16, 0x8000 for int16), or whose scale factor
 * is not implemented or outside −10…10, or a percentage outside 0–100, is null: the node shows what the
 * device said and nothing in its place. The battery's state is status (for the operator, `kvartal status`
 * and /metrics); what the node signs and settles are the energy registers, read by `readSunSpecEnergy`.
 */

/** enum16 symbols of 124 ChaSt */
const CHARGE_STATE = ['', 'OFF', 'EMPTY', 'DISCHARGING', 'CHARGING', 'FULL', 'HOLDING', 'TESTING']
const U16_NONE = 0xffff
const I16_NONE = 0x8000

/** The value × 10^sf, or null when the value or its scale factor is not implemented or out of range. */
function scaled(raw: number, sfRegister: number, signed: boolean): number | null {
  if (raw === (signed ? I16_NONE : U16_NONE)) return null
  const v = signed && raw >= 0x8000 ? raw - 0x10000 : raw
  const sf = sfRegister >= 0x8000 ? sfRegister - 0x10000 : sfRegister
  if (sf === -0x8000 || sf < -10 || sf > 10) return null
  // rounded to the register's own resolution: 532 × 10^-1 is 53.2, not 53.2000000001
  return Number((v * 10 ** sf).toFixed(Math.max(0, -sf)))
}

const percent = (v: number | null): number | null => (v != null && v >= 0 && v <= 100 ? v : null)
const whole = (v: number | null): number | null => (v == null ? null : Math.floor(v))

/** Reads the storage model (and the nameplate's energy rating, if the device has model 120); undefined: no 124. */
export async function readSunSpecStorage(reader: RegisterReader, device: SunSpecDevice, at: number): Promise<BatteryStatus | undefined> {
  const m = device.storage
  if (m == null) return undefined
  // a shorter model would have the next model's registers read as the battery's
  if (m.length < 24) throw new MeterDataError('short-model', `storage model 124 has L ${m.length}; its points need 24`)
  // registers 2…25 of the model: every point and scale factor in one request
  const r = (await reader.read(m.address + 2, 24)).map(x => x & 0xffff)
  const p = (offset: number): number => r[offset - 2]
  const stateOfChargePct = percent(scaled(p(8), p(22), false))
  let capacityWh: number | null = null
  if (device.nameplate != null && device.nameplate.length >= 19) {
    const [wh, sf] = await reader.read(device.nameplate.address + 19, 2)
    capacityWh = whole(scaled(wh & 0xffff, sf & 0xffff, false))
  }
  const mod = p(5)
  return {
    at,
    chargeState: CHARGE_STATE[p(11)] || 'unknown',
    stateOfChargePct,
    minReservePct: percent(scaled(p(7), p(21), false)),
    availableAh: scaled(p(9), p(23), false),
    batteryV: scaled(p(10), p(24), false),
    maxChargeW: whole(scaled(p(2), p(18), false)),
    // the rates the storage's controller set, in % of WChaMax (negative: the other way)
    dischargeRatePct: scaled(p(12), p(25), true),
    chargeRatePct: scaled(p(13), p(25), true),
    limits: mod === U16_NONE ? null : { charge: (mod & 1) !== 0, discharge: (mod & 2) !== 0 },
    capacityWh,
    storedWh: capacityWh != null && stateOfChargePct != null ? Math.floor((capacityWh * stateOfChargePct) / 100) : null
  }
}
