import { ConfigError, isDispatchable } from '@kvartal/protocol'
import type { Device, DispatchableDevice, SlotWindow, Wh } from '@kvartal/protocol'

export interface BuildingOptions {
  readonly id: string
  /** dispatchable devices are dispatched in the order given here */
  readonly devices: readonly Device[]
}

export interface Building {
  readonly id: string
  readonly devices: readonly Device[]
  /**
   * The building's expected net energy in `slot` (positive: surplus to sell), integer Wh: the forecasts
   * of its non-dispatchable devices, then each dispatchable device (battery) in turn is offered the net
   * so far and its answer added. Dispatch commits the devices' state, so call this once per slot in
   * increasing slot order; the result is cached per slot index, and asking for a slot again returns
   * the cached value without dispatching again.
   */
  netForecast(slot: SlotWindow): Wh
  /**
   * The metered net energy in `slot`, integer Wh: Σ measure over all devices. Dispatchable devices
   * measure what they were dispatched for, so the slot is planned first (through `netForecast`) if
   * it has not been.
   */
  netMeasured(slot: SlotWindow): Wh
}

export const defaultBuildingOptions = {
  // net forecasts kept for re-reads; a simulator asks for the next few slots, never for days back
  cachedSlots: 1024
} as const

export function createBuilding(options: BuildingOptions): Building {
  const ids = new Set<string>()
  for (const d of options.devices) {
    if (ids.has(d.id)) throw new ConfigError(`building.${options.id}.devices`, `two devices share the id "${d.id}"; give each its own`)
    ids.add(d.id)
  }
  const passive: Device[] = []
  const dispatchable: DispatchableDevice[] = []
  for (const d of options.devices) {
    if (isDispatchable(d)) dispatchable.push(d)
    else passive.push(d)
  }
  const cache = new Map<number, Wh>()

  const netForecast = (slot: SlotWindow): Wh => {
    const cached = cache.get(slot.index)
    if (cached != null) return cached
    let net = 0
    for (const d of passive) net += d.forecast(slot)
    for (const d of dispatchable) net += d.dispatch(slot, net)
    cache.set(slot.index, net)
    if (cache.size > defaultBuildingOptions.cachedSlots) cache.delete(cache.keys().next().value as number)
    return net
  }

  return {
    id: options.id,
    devices: options.devices,
    netForecast,
    netMeasured(slot) {
      if (dispatchable.length > 0) netForecast(slot)
      let net = 0
      for (const d of options.devices) net += d.measure(slot)
      return net
    }
  }
}
