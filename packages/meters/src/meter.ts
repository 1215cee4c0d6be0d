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
