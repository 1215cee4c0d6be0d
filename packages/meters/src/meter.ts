/**
 * A meter: a source of readings with its own identity. It reports samples of its cumulative energy
 * registers, stamped with its own clock; the node turns the samples it has at slot boundaries into
 * signed per-slot readings, and records a gap for a slot it has none for. A meter never estimates.
 */
export interface MeterSample {
  /** who measured: the meter's own identity (a DSMR equipment id) or the configured name of its feed */
  readonly meterId: string
  /** ms since the epoch, from the meter's clock (when it measured, not when the node received it) */
  readonly at: number
  /** cumulative energy taken from the grid, integer Wh (a register: it never goes down) */
  readonly importWh: number
  /** cumulative energy fed into the grid, integer Wh */
  readonly exportWh: number
}

/** Where a meter delivers: samples, and what it had to refuse (counted, never turned into a reading). */
export interface MeterSink {
  sample(s: MeterSample): void
  refused(err: Error): void
}

export interface Meter {
  /** the configured identity of this source (`mqtt:<topic>`, `p1:<path>`, `sim:<name>`) */
  readonly id: string
  /**
   * how long after a slot boundary a sample still stands for the register at that boundary, by the
   * meter's clock (ms); also how long the node waits after a slot's end before it records a gap
   */
  readonly toleranceMs: number
  start(sink: MeterSink): Promise<void>
  stop(): Promise<void>
  /** a model that has no clock of its own (the simulator's): report every slot boundary up to `now` */
  poll?(now: number): void
  /** a meter that also reads a battery (SunSpec storage 124): its state at the last poll; null: none read yet */
  battery?(): BatteryStatus | null
}

/**
 * A battery's state as its device reported it (`sunspec-storage.ts`), for status and metrics; never signed or
 * settled. Each field is null where the device does not implement it.
 */
export interface BatteryStatus {
  /** when it was read, by the node's clock (ms) */
  readonly at: number
  /** 124 ChaSt: OFF, EMPTY, DISCHARGING, CHARGING, FULL, HOLDING, TESTING (`unknown` for another value) */
  readonly chargeState: string
  /** 124 ChaState: energy available, % of the capacity */
  readonly stateOfChargePct: number | null
  /** 124 MinRsvPct: the reserve it keeps, % of the capacity */
  readonly minReservePct: number | null
  /** 124 StorAval: charge available above the reserve, Ah */
  readonly availableAh: number | null
  /** 124 InBatV: the battery's voltage, V */
  readonly batteryV: number | null
  /** 124 WChaMax: the most it charges at, W */
  readonly maxChargeW: number | null
  /** 124 OutWRte, InWRte: the discharge and charge rates set, % of WChaMax */
  readonly dischargeRatePct: number | null
  readonly chargeRatePct: number | null
  /** 124 StorCtl_Mod: whether the charge and the discharge rates are limited (null: not implemented) */
  readonly limits: { readonly charge: boolean; readonly discharge: boolean } | null
  /** 120 WHRtg: the energy rating, Wh; and the energy stored (rating × ChaState), Wh */
  readonly capacityWh: number | null
  readonly storedWh: number | null
}

/** Checks what a driver made of a telegram or message before it becomes a sample. */
export function checkSample(s: MeterSample): MeterSample {
  for (const f of ['importWh', 'exportWh', 'at'] as const) {
    if (!Number.isSafeInteger(s[f]) || s[f] < 0)
      throw new MeterDataError('not-integer', `${f} must be a non-negative whole number, got ${String(s[f])}`)
  }
  if (typeof s.meterId !== 'string' || s.meterId === '') throw new MeterDataError('no-identity', 'a sample needs the identity of its meter')
  return s
}

/** What a meter sent could not be read: a malformed message, a field missing, a number that is not one. */
export class MeterDataError extends Error {
  override readonly name = 'MeterDataError'
  readonly code: string
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
  }
}

/** A telegram whose checksum does not match its content: refused whole. */
export class BadChecksumError extends Error {
  override readonly name = 'BadChecksumError'
  readonly code = 'bad-crc'
}

/** A meter that cannot be reached or configured (a serial port that does not open, a broker refusing us). */
export class MeterConnectionError extends Error {
  override readonly name = 'MeterConnectionError'
  readonly code = 'connection'
}
