import type { DispatchableDevice, SlotWindow, Wh } from '@kvartal/protocol'
import { ConfigError } from '@kvartal/protocol'
import { slotHours, toWh } from './energy.ts'
import { DispatchOrderError } from './errors.ts'
import { requireBetween, requireNonNegative, requirePositive } from './validate.ts'

export interface BatteryOptions {
  readonly id: string
  /** usable energy when full, Wh */
  readonly capacityWh: number
  /** most power drawn from the building while charging, W */
  readonly maxChargeW: number
  /** most power delivered to the building while discharging, W */
  readonly maxDischargeW: number
  /** energy out over energy in for a full cycle; each direction loses √η */
  readonly roundTripEfficiency?: number
  /** energy stored at the start, Wh */
  readonly initialSocWh?: number
  /** the battery never discharges below this, Wh */
  readonly minSocWh?: number
}

export const defaultBatteryOptions = {
  // lithium-ion home batteries with their inverter: 88–92 % AC to AC
  roundTripEfficiency: 0.9,
  initialSocWh: 0,
  minSocWh: 0
} as const

export interface BatteryDevice extends DispatchableDevice {
  readonly kind: 'battery'
  readonly capacityWh: number
  readonly maxChargeW: number
  readonly maxDischargeW: number
  readonly roundTripEfficiency: number
}

/**
 * A stationary battery under a self-consumption policy: it charges from the building's surplus and
 * discharges into its deficit, within its power limits, its capacity and its minimum state of charge.
 * Charging stores `energy in × √η`; discharging takes `energy out / √η` from storage.
 *
 * `dispatch` returns whole Wh (rounded down in magnitude, so no limit is ever exceeded by rounding) and
 * commits the state of charge. Slots go in increasing order; dispatching the latest slot again re-plans
 * it from the state before it, and going back to an earlier slot throws `DispatchOrderError`.
 * `forecast` is 0 (the battery only moves energy when dispatched) and `measure` is what was dispatched for
 * that slot (0 if it never was).
 */
export function createBattery(options: BatteryOptions): BatteryDevice {
  requirePositive(options.capacityWh, 'battery.capacityWh')
  requireNonNegative(options.maxChargeW, 'battery.maxChargeW')
  requireNonNegative(options.maxDischargeW, 'battery.maxDischargeW')
  const roundTripEfficiency = options.roundTripEfficiency ?? defaultBatteryOptions.roundTripEfficiency
  requireBetween(roundTripEfficiency, 0.01, 1, 'battery.roundTripEfficiency')
  const minSocWh = options.minSocWh ?? defaultBatteryOptions.minSocWh
  requireBetween(minSocWh, 0, options.capacityWh, 'battery.minSocWh')
  const initialSocWh = options.initialSocWh ?? Math.max(minSocWh, defaultBatteryOptions.initialSocWh)
  requireBetween(initialSocWh, 0, options.capacityWh, 'battery.initialSocWh')
  if (initialSocWh < minSocWh) throw new ConfigError('battery.initialSocWh', `must be at least minSocWh (${minSocWh}), got ${initialSocWh}`)

  const eta = Math.sqrt(roundTripEfficiency)
  const capacity = options.capacityWh
  let soc = initialSocWh
  let last: { index: number; socBefore: number } | undefined
  // dispatched energy per slot index; bounded, measures are read soon after dispatch
  const dispatched = new Map<number, Wh>()
  const keep = 1024

  const plan = (slot: SlotWindow, netWh: Wh): Wh => {
    const hours = slotHours(slot)
    if (netWh > 0) {
      const room = Math.max(0, capacity - soc) / eta
      const charge = Math.floor(Math.min(netWh, options.maxChargeW * hours, room))
      if (charge <= 0) return 0
      soc = Math.min(capacity, soc + charge * eta)
      return toWh(-charge)
    }
    if (netWh < 0) {
      const available = Math.max(0, soc - minSocWh) * eta
      const discharge = Math.floor(Math.min(-netWh, options.maxDischargeW * hours, available))
      if (discharge <= 0) return 0
      soc = Math.max(minSocWh, soc - discharge / eta)
      return toWh(discharge)
    }
    return 0
  }

  return {
    id: options.id,
    kind: 'battery',
    capacityWh: capacity,
    maxChargeW: options.maxChargeW,
    maxDischargeW: options.maxDischargeW,
    roundTripEfficiency,
    get stateOfChargeWh(): Wh {
      return toWh(soc)
    },
    dispatch(slot, netWh) {
      if (last != null && slot.index < last.index) throw new DispatchOrderError(options.id, slot.index, last.index)
      if (last != null && slot.index === last.index) soc = last.socBefore
      else last = { index: slot.index, socBefore: soc }
      const wh = plan(slot, netWh)
      dispatched.set(slot.index, wh)
      if (dispatched.size > keep) dispatched.delete(dispatched.keys().next().value as number)
      return wh
    },
    forecast: () => 0,
    measure: slot => dispatched.get(slot.index) ?? 0
  }
}
