import { slotStart, slotAt, type SlotClockConfig } from '@kvartal/protocol'
import type { Meter, MeterSink } from './meter.ts'

export interface SimulatedMeterInit {
  /** names the model: samples carry `sim:<name>` as their meter's identity */
  name: string
  slots: SlotClockConfig
  /** what the device model says flowed in a slot, net Wh (+ export, − import) */
  netWh: (slot: number) => number
}

/**
 * A device model behind the Meter interface, for the simulator: its registers advance by the model's
 * net energy per slot and it reports them exactly at each slot boundary, stamped with that boundary.
 * It has no clock of its own; the node polls it with simulated time. Like a live meter, it reports only
 * from the first poll on: a boundary that passed before it was first polled has no sample.
 */
export class SimulatedMeter implements Meter {
  readonly id: string
  readonly toleranceMs = 0
  readonly #init: SimulatedMeterInit
  #sink: MeterSink | undefined
  #next: number | undefined
  #importWh = 0
  #exportWh = 0
  constructor(init: SimulatedMeterInit) {
    this.#init = init
    this.id = `sim:${init.name}`
  }
  async start(sink: MeterSink): Promise<void> {
    this.#sink = sink
  }
  async stop(): Promise<void> {
    this.#sink = undefined
  }
  poll(now: number): void {
    if (this.#sink == null) return
    const last = slotAt(this.#init.slots, now)
    // the first boundary it reports opens its registers at zero; each later one adds the slot before it
    if (this.#next == null) {
      this.#emit(last)
      this.#next = last + 1
      return
    }
    for (; this.#next <= last; this.#next++) {
      this.#advance(this.#next - 1)
      this.#emit(this.#next)
    }
  }

  #emit(boundary: number): void {
    this.#sink?.sample({ meterId: this.id, at: slotStart(this.#init.slots, boundary), importWh: this.#importWh, exportWh: this.#exportWh })
  }

  #advance(slot: number): void {
    const net = this.#init.netWh(slot)
    if (!Number.isSafeInteger(net)) throw new RangeError(`measured energy for slot ${slot} must be an integer Wh, got ${net}`)
    this.#importWh += Math.max(0, -net)
    this.#exportWh += Math.max(0, net)
  }
}
