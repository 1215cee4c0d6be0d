import { MeterDataError } from './meter.ts'

/**
 * SunSpec over Modbus, read by the published register maps (github.com/sunspec/models, json/model_N.json;
 * offsets below count from a model's ID register, as the model definitions' point lists do):
 *   common 1:        Mn @2 (16 regs), Md @18 (16), SN @50 (16); L = 66 (65 in devices made to its first release)
 *   meters 201–204:  TotWhExp @38 (acc32), TotWhImp @46 (acc32), TotWh_SF @54 (sunssf); L = 105
 *   meters 211–214 (float): TotWhExp @60 (float32), TotWhImp @68 (float32); L = 124
 *   inverters 101–103: WH @24 (acc32, lifetime energy produced), WH_SF @26, St @38 (enum16); L = 50
 *   inverters 111–113 (float): WH @32 (float32), St @48 (enum16); L = 60
 *   storage 124 and nameplate 120: sunspec-storage.ts
 * The map starts with the marker 'SunS' (0x5375 0x6e53) at 40000, 0 or 50000, followed by models
 * (ID, L, L registers of points) and an end marker (ID 0xFFFF, L 0).
 */

/** Where a SunSpec device may put its 'SunS' marker (holding registers, zero-based addresses), in the order tried. */
export const SUNSPEC_BASES = [40_000, 0, 50_000] as const
const SUNS = [0x5375, 0x6e53] as const
const END = 0xffff

/** Reads holding registers; a device's Modbus exception is a `MeterDataError` with code `modbus-exception`. */
export interface RegisterReader {
  read(address: number, count: number): Promise<number[]>
}

export interface SunSpecModel {
  readonly id: number
  readonly address: number
  readonly length: number
}

export interface SunSpecDevice {
  readonly base: number
  readonly models: readonly SunSpecModel[]
  readonly manufacturer: string
  readonly model: string
  readonly serial: string
  /** the model energy is read from: a meter (201–204, 211–214) if there is one, else an inverter (101–103, 111–113) */
  readonly energy: SunSpecModel
  /** a battery's storage model (124), and the nameplate (120) that rates its energy */
  readonly storage?: SunSpecModel
  readonly nameplate?: SunSpecModel
}

/** One reading of a device's registers, in whole Wh (see `scaleWh`). */
export interface SunSpecEnergy {
  importWh: number
  exportWh: number
  /** an inverter's operating state (103 St) */
  state?: string
}

const isMeter = (id: number): boolean => id >= 201 && id <= 204
const isInverter = (id: number): boolean => id >= 101 && id <= 103
const isFloatMeter = (id: number): boolean => id >= 211 && id <= 214
const isFloatInverter = (id: number): boolean => id >= 111 && id <= 113
/** enum16 symbols from the model definition (103 St) */
const INVERTER_STATE = ['', 'OFF', 'SLEEPING', 'STARTING', 'MPPT', 'THROTTLED', 'SHUTTING_DOWN', 'FAULT', 'STANDBY']

/** Finds the 'SunS' marker, walks the model chain to its end marker, and reads the common model. */
export async function discoverSunSpec(reader: RegisterReader): Promise<SunSpecDevice> {
  let base: number | undefined
  for (const b of SUNSPEC_BASES) {
    try {
      const r = await reader.read(b, 2)
      if (r[0] === SUNS[0] && r[1] === SUNS[1]) {
        base = b
        break
      }
    } catch (err) {
      if ((err as MeterDataError).code !== 'modbus-exception') throw err
    }
  }
  if (base == null) throw new MeterDataError('not-sunspec', `no SunSpec marker 'SunS' at ${SUNSPEC_BASES.join(', ')}`)
  const models: SunSpecModel[] = []
  let address = base + 2
  for (;;) {
    if (models.length > 64 || address > 0xffff - 2)
      throw new MeterDataError('no-sunspec-end', `the SunSpec model chain from ${base} has no end marker`)
    const [id, length] = await reader.read(address, 2)
    if (id === END) break
    models.push({ id, address, length })
    address += 2 + length
  }
  const common = models[0]
  // L is 66 in today's model 1 (…, SN, DA, Pad) and 65 in devices made to the first release (no Pad: Fronius)
  if (common?.id !== 1 || common.length < 65)
    throw new MeterDataError(
      'no-common-model',
      `a SunSpec device starts with the common model 1 (L 65 or 66), found ` +
        `${common == null ? 'no model' : `model ${common.id} (L ${common.length})`}`
    )
  const c = await reader.read(common.address, 2 + Math.min(common.length, 66))
  const manufacturer = text(c.slice(2, 18))
  const model = text(c.slice(18, 34))
  const serial = text(c.slice(50, 66))
  if (manufacturer === '' || serial === '') throw new MeterDataError('no-identity', 'the common model has no manufacturer or serial number')
  const energy = models.find(m => isMeter(m.id) || isFloatMeter(m.id)) ?? models.find(m => isInverter(m.id) || isFloatInverter(m.id))
  if (energy == null)
    throw new MeterDataError(
      'no-energy-model',
      `no SunSpec meter (201–204, 211–214) or inverter (101–103, 111–113) model; models: ${models.map(m => m.id).join(', ')}`
    )
  const storage = models.find(m => m.id === 124)
  const nameplate = models.find(m => m.id === 120)
  return {
    base,
    models,
    manufacturer,
    model,
    serial,
    energy,
    ...(storage != null ? { storage } : {}),
    ...(nameplate != null ? { nameplate } : {})
  }
}

/** Reads the energy registers of a discovered device: a meter's import and export, an inverter's production as export. */
export async function readSunSpecEnergy(reader: RegisterReader, device: SunSpecDevice): Promise<SunSpecEnergy> {
  const m = device.energy
  let out: SunSpecEnergy
  if (isMeter(m.id)) {
    const r = await reader.read(m.address + 38, 17)
    const sf = r[16]
    out = {
      exportWh: scaleWh(acc32(r[0], r[1], 'TotWhExp'), sf, 'TotWh_SF'),
      importWh: scaleWh(acc32(r[8], r[9], 'TotWhImp'), sf, 'TotWh_SF')
    }
  } else if (isFloatMeter(m.id)) {
    const r = await reader.read(m.address + 60, 10)
    out = { exportWh: float32Wh(r[0], r[1], 'TotWhExp'), importWh: float32Wh(r[8], r[9], 'TotWhImp') }
  } else if (isFloatInverter(m.id)) {
    const r = await reader.read(m.address + 32, 17)
    out = { importWh: 0, exportWh: float32Wh(r[0], r[1], 'WH'), state: INVERTER_STATE[r[16]] || 'unknown' }
  } else {
    const r = await reader.read(m.address + 24, 15)
    out = { importWh: 0, exportWh: scaleWh(acc32(r[0], r[1], 'WH'), r[2], 'WH_SF'), state: INVERTER_STATE[r[14]] || 'unknown' }
  }
  return out
}

/**
 * An acc32 register pair (high word first). 0xFFFFFFFF, which devices send for an accumulator they do
 * not implement or cannot read now, is refused. SunSpec's own sentinel for accumulators is 0, which a
 * new meter also shows honestly; 0 is taken as a reading (a register that later goes back to 0 is a
 * register that went back, which the node records as a gap).
 */
export function acc32(hi: number, lo: number, name: string): number {
  if (hi === 0xffff && lo === 0xffff) throw new MeterDataError('not-implemented', `${name} is "not implemented" (0xFFFFFFFF)`)
  return hi * 0x10000 + lo
}

/**
 * A register value times 10^sf (sf: a sunssf register, int16 on the wire), in whole Wh. A positive sf
 * multiplies exactly; a negative one (tenths, hundredths of a Wh) is floored: for a cumulative
 * register flooring keeps it monotone, the difference over any slot is off by less than 1 Wh, and what
 * is cut is counted in a later slot, never lost or invented. A scale factor "not implemented"
 * (0x8000) or outside −10…10 (the range SunSpec allows) is refused.
 */
export function scaleWh(value: number, sfRegister: number, name: string): number {
  const sf = sfRegister >= 0x8000 ? sfRegister - 0x10000 : sfRegister
  if (sf === -0x8000) throw new MeterDataError('bad-scale-factor', `${name} is "not implemented" (0x8000): the energy cannot be scaled`)
  if (sf < -10 || sf > 10) throw new MeterDataError('bad-scale-factor', `${name} is ${sf}, outside the range −10…10`)
  if (sf >= 0) {
    const wh = value * 10 ** sf
    if (!Number.isSafeInteger(wh)) throw new MeterDataError('not-a-number', `${value} × 10^${sf} Wh is too large`)
    return wh
  }
  const d = 10 ** -sf
  return (value - (value % d)) / d
}

/**
 * A float32 energy register pair (IEEE 754, high word first) of the float models, in whole Wh. NaN
 * (0x7FC00000, SunSpec's "not implemented" for floats, or any other NaN) is refused, as is a negative
 * or infinite value. The value is floored, as `scaleWh` floors: monotone for a register that only
 * grows. A float32 holds whole Wh exactly only up to 2^24 = 16 777 216 Wh; above it the device's own
 * register moves in steps of 2 Wh (to 33.5 MWh), 4 Wh (to 67 MWh) and so on, and the slot
 * differences carry that step: what the device reported, not more exact than it.
 */
export function float32Wh(hi: number, lo: number, name: string): number {
  const b = Buffer.alloc(4)
  b.writeUInt16BE(hi, 0)
  b.writeUInt16BE(lo, 2)
  const v = b.readFloatBE(0)
  if (Number.isNaN(v))
    throw new MeterDataError('not-implemented', `${name} is "not implemented" (NaN, 0x${b.toString('hex').toUpperCase()})`)
  if (!Number.isFinite(v) || v < 0) throw new MeterDataError('not-a-number', `${name} is ${v}: an energy register is a finite number ≥ 0`)
  const wh = Math.floor(v)
  if (!Number.isSafeInteger(wh)) throw new MeterDataError('not-a-number', `${name} is ${v} Wh: too large`)
  return wh
}

/** A SunSpec string: two ASCII characters per register, high byte first, padded with NUL (or spaces). */
function text(regs: number[]): string {
  const b = Buffer.alloc(regs.length * 2)
  regs.forEach((r, i) => {
    b.writeUInt16BE(r, i * 2)
  })
  return b.toString('latin1').replace(/\0.*$/s, '').trim()
}
