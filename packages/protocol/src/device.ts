import type { Wh } from './units.ts'

/** One delivery interval as devices see it. */
export interface SlotWindow {
  readonly index: number
  /** ms since the Unix epoch (UTC) */
  readonly startMs: number
  readonly durationMs: number
}

export const DeviceKind = { pv: 'pv', load: 'load', battery: 'battery', ev: 'ev', meter: 'meter' } as const
export type DeviceKind = (typeof DeviceKind)[keyof typeof DeviceKind]

/**
 * A device behind a building's meter. Sign convention everywhere: positive Wh is energy the device
 * puts into the building (production, discharge), negative is energy it takes (load, charging).
 * Implementations are deterministic for a given seed and slot, so forecasts and simulations repeat.
 */
export interface Device {
  readonly id: string
  readonly kind: DeviceKind
  /** Expected energy in `slot`, integer Wh, as known before the slot. */
  forecast(slot: SlotWindow): Wh
  /** Energy actually metered in `slot`, integer Wh (forecast plus what the forecast did not know). */
  measure(slot: SlotWindow): Wh
}

/**
 * A device whose energy the building decides, such as a battery. The building offers it the net of
 * every other device for a slot and it answers with what it will do, within its limits.
 */
export interface DispatchableDevice extends Device {
  /**
   * Plans the slot given the building's net from its other devices (positive: surplus). Returns this
   * device's own energy for the slot (positive: discharge into the building, negative: charge) and
   * commits its state (state of charge) as if the plan is carried out. Call once per slot, in order.
   */
  dispatch(slot: SlotWindow, netWh: Wh): Wh
  /** Energy stored now, integer Wh. */
  readonly stateOfChargeWh: Wh
}

export function isDispatchable(d: Device): d is DispatchableDevice {
  return typeof (d as DispatchableDevice).dispatch === 'function'
}
