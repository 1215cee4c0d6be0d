import { slotAt, slotStart, type SlotClockConfig, errorCode } from '@kvartal/protocol'
import type { BatteryStatus, Meter, MeterSample } from '@kvartal/meters'
import type { Journal } from './journal.ts'
import type { Emit } from './events.ts'

/** What a node's meter has done since it started: for status, metrics and tests. */
export interface MeterStatus {
  /** the configured meter's identity; null: none (every slot is a gap) */
  readonly meter: string | null
  /** the identity the meter itself reported last, and that sample */
  readonly lastSample: MeterSample | null
  readonly samples: number
  /** messages or telegrams refused (bad checksum, malformed, missing field), by code */
  readonly refused: Readonly<Record<string, number>>
  /** slot readings signed, and gaps recorded, since start */
  readonly readings: number
  readonly gaps: number
  readonly lastGap: { slot: number; why: string } | null
  /** the battery the meter also reads (SunSpec storage), as it last reported it; null: none */
  readonly battery: BatteryStatus | null
}

/**
 * Between a meter and the journal: keeps, for every slot boundary, the first sample the meter stamped
 * at or after it (within the meter's tolerance), written to the journal before any reading uses it.
 * A slot's reading is the difference of its two boundaries; a boundary that no sample stands for
 * makes the slots on either side of it gaps. Nothing here estimates.
 */
export class SlotMeter {
  readonly #journal: Journal
  readonly #slots: SlotClockConfig
  readonly #emit: Emit
  readonly meter: Meter | undefined
  #lastBoundary: number | undefined
  #writes: Promise<void> = Promise.resolve()
  #waiters: Array<{ pred: (s: MeterStatus) => boolean; resolve: () => void }> = []
  #status = {
    samples: 0,
    readings: 0,
    gaps: 0,
    refused: {} as Record<string, number>,
    lastSample: null as MeterSample | null,
    lastGap: null as { slot: number; why: string } | null
  }

  constructor(deps: { journal: Journal; slots: SlotClockConfig; emit: Emit; meter?: Meter }) {
    this.#journal = deps.journal
    this.#slots = deps.slots
    this.#emit = deps.emit
    this.meter = deps.meter
  }

  /** How long after a slot's end the node waits for its closing sample before it records a gap. */
  get graceMs(): number {
    return this.meter == null ? 0 : this.meter.toleranceMs + DELIVERY_MS
  }

  /**
   * Starts the meter. A meter that cannot start (a broker down, a port missing) does not stop the
   * node: it is reported, and the slots it misses are gaps, until it comes back.
   */
  async start(): Promise<void> {
    this.#lastBoundary = await this.#journal.lastBoundary()
    if (this.meter == null) return
    try {
      await this.meter.start({
        sample: s => {
          this.#onSample(s)
        },
        refused: err => {
          this.#onRefused(err)
        }
      })
    } catch (err) {
      this.#onRefused(err as Error)
    }
  }

  /** Stops the meter and waits for the writes in flight; a meter that fails to stop is thrown after them (the node says it). */
  async stop(): Promise<void> {
    let failure: unknown
    try {
      await this.meter?.stop()
    } catch (err) {
      failure = err
    }
    await this.#writes
    if (failure !== undefined) throw failure
  }

  /** A meter without a clock of its own (the simulator's) reports up to `now`; then every write is done. */
  async flush(now: number): Promise<void> {
    this.meter?.poll?.(now)
    await this.#writes
  }

  /** Resolves once the status satisfies `pred` (tests and tools wait on samples this way, not on time). */
  async until(pred: (s: MeterStatus) => boolean): Promise<void> {
    if (pred(this.status())) return
    await new Promise<void>(resolve => this.#waiters.push({ pred, resolve }))
  }

  #wake(): void {
    if (this.#waiters.length === 0) return
    const s = this.status()
    this.#waiters = this.#waiters.filter(w => {
      if (w.pred(s)) {
        w.resolve()
        return false
      }
      return true
    })
  }

  status(): MeterStatus {
    const s = this.#status
    return {
      meter: this.meter?.id ?? null,
      lastSample: s.lastSample,
      samples: s.samples,
      refused: { ...s.refused },
      readings: s.readings,
      gaps: s.gaps,
      lastGap: s.lastGap,
      battery: this.meter?.battery?.() ?? null
    }
  }

  counted(kind: 'reading' | 'gap', slot: number, why?: string): void {
    if (kind === 'reading') this.#status.readings++
    else {
      this.#status.gaps++
      this.#status.lastGap = { slot, why: why ?? '' }
    }
  }

  #onSample(s: MeterSample): void {
    this.#status.samples++
    this.#status.lastSample = s
    this.#wake()
    const k = slotAt(this.#slots, s.at)
    // only the first sample at or after a boundary, and only close enough to it, stands for the boundary
    if (s.at - slotStart(this.#slots, k) > (this.meter?.toleranceMs ?? 0)) return
    if (this.#lastBoundary != null && k <= this.#lastBoundary) return
    this.#lastBoundary = k
    this.#writes = this.#writes
      .then(async () => {
        await this.#journal.putBoundary(k, { meterId: s.meterId, at: s.at, importWh: s.importWh, exportWh: s.exportWh })
      })
      .catch(err => {
        this.#emit({
          type: 'meter-refused',
          slot: k,
          code: 'journal',
          detail: `cannot journal the meter's sample at boundary ${k}: ${(err as Error).message}`
        })
      })
  }

  #onRefused(err: Error): void {
    const code = errorCode(err, err.name)
    this.#status.refused[code] = (this.#status.refused[code] ?? 0) + 1
    this.#wake()
    this.#emit({ type: 'meter-refused', code, detail: err.message })
  }
}

/** how long a sample may take from the meter's stamp to the node (a gateway, a broker): 5 s */
const DELIVERY_MS = 5_000
