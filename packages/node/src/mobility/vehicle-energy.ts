import { gateClosure, slotStart, type Clock, type NodeEvent, type SlotClockConfig } from '@kvartal/protocol'
import type { SlotPositions } from '@kvartal/market'
import type { VehicleBudget } from '@kvartal/mobility'
import type { TraderProfile } from '../options.ts'
import type { Emit } from '../events.ts'
import type { Journal } from '../journal.ts'
import type { ProviderService } from './provider-service.ts'

/** How a parked electric vehicle uses the energy market. */
export interface VehicleEnergyPolicy {
  /** the charge it aims to keep for rides, percent of capacity: it sells above it (V2G) and buys below it */
  readonly targetSocPercent: number
  /** the charger's power, W: the most it can buy (or feed back) in one slot */
  readonly chargerW: number
}

/**
 * A shared car keeps about 60 % so that the next rental finds range (car-share operators relocate or
 * charge below ~30–40 %); 7.4 kW is a single-phase 32 A wallbox, the common charger at a parking spot.
 */
export const defaultVehicleEnergyPolicy: VehicleEnergyPolicy = { targetSocPercent: 60, chargerW: 7_400 }

/**
 * One actor in two markets: the vehicle's energy position per slot comes from its battery budget —
 * sell what lies above the target and is not needed by a booked ride, buy up to the target, both within
 * the charger's power — and every energy trade and delivered slot is booked against the same budget,
 * so a ride is refused if it would break a sale and a sale never takes charge a booked ride needs.
 */
export function vehicleEnergy(init: {
  budget: VehicleBudget
  capacityWh: number
  profile: TraderProfile
  slots: SlotClockConfig
  clock: Clock
  selling: SlotPositions
  need: SlotPositions
  policy?: Partial<VehicleEnergyPolicy>
  emit: Emit
}): { profile: TraderProfile; onEvent: (e: NodeEvent) => void } {
  const { budget, slots, selling, need, clock, emit } = init
  const policy = { ...defaultVehicleEnergyPolicy, ...init.policy }
  const target = Math.round((init.capacityWh * policy.targetSocPercent) / 100)
  const perSlot = Math.floor((policy.chargerW * slots.slotMs) / 3_600_000)
  const profile: TraderProfile = {
    ...init.profile,
    /**
     * The battery's level once what it sold or bought and has not delivered yet is delivered, less what
     * it still offers (or bids) in its other open slots: so eight slots planned at once share one
     * surplus instead of each selling it again, and the car stays at its target.
     */
    position: s => {
      const start = slotStart(slots, s)
      const now = clock.now()
      let pending = 0
      let offered = 0
      let bid = 0
      for (const p of new Set([...selling.slots, ...need.slots])) {
        pending += budget.committedWh(slotStart(slots, p))
        if (p === s || gateClosure(slots, p) <= now) continue
        offered += Math.max(0, selling.limit(p) - selling.committed(p))
        bid += Math.max(0, need.limit(p) - need.committed(p))
      }
      const level = budget.socWh - pending
      const surplus = level - target - offered
      if (surplus > 0) return Math.min(perSlot, surplus, budget.sellableWh(start))
      // on a ride in that slot: not at a charger
      if (budget.sellableWh(start) === 0 && budget.committedWh(start) === 0 && !budget.canRide(start, start + slots.slotMs, 0)) return 0
      return -Math.max(0, Math.min(perSlot, target - level - bid))
    },
    // the vehicle's meter: it delivers what it contracted in a slot (sale positive)
    measured: s => budget.committedWh(slotStart(slots, s))
  }
  const onEvent = (e: NodeEvent): void => {
    if (e.type === 'trade-committed' && e.slot != null && e.energyWh != null) {
      try {
        budget.commitEnergy(slotStart(slots, e.slot), e.detail === 'seller' ? e.energyWh : -e.energyWh)
      } catch (err) {
        // a sale accepted just before a ride was held for the same charge: said, never hidden
        emit({
          type: 'negotiation-failed',
          slot: e.slot,
          correlation: e.correlation,
          code: 'battery-overcommitted',
          detail: (err as Error).message
        })
      }
    }
    // a held ride lowers what the battery may still sell in every planned slot
    if (e.type === 'leg-held') {
      for (const s of selling.slots) {
        const start = slotStart(slots, s)
        const cap = selling.committed(s) + budget.sellableWh(start)
        if (selling.limit(s) > cap) selling.setLimit(s, cap)
      }
    }
    if (e.type === 'meter-read' && e.slot != null) budget.completeSlot(slotStart(slots, e.slot))
  }
  return { profile, onEvent }
}

/**
 * The energy side of a vehicle provider with a battery, or undefined for any other node. The budget is
 * rebuilt, not journaled: the node's energy trades for slots not yet metered go back into it here.
 */
export async function vehicleEnergyFor(
  mobility: { provider?: { budget?: VehicleBudget } } | undefined,
  o: { mobility?: { provider?: ProviderService }; profile: TraderProfile; slots: SlotClockConfig; clock: Clock },
  node: { journal: Journal; selling: SlotPositions; need: SlotPositions; emit: Emit }
): Promise<{ profile: TraderProfile; onEvent: (e: NodeEvent) => void } | undefined> {
  const budget = mobility?.provider?.budget
  const service = o.mobility?.provider
  if (budget == null || service?.kind !== 'vehicle' || service.battery == null) return undefined
  const lastRead = await node.journal.lastReadingSlot()
  for (const r of await node.journal.trades()) {
    const t = r.decoded.terms
    if (r.status !== 'committed' || (lastRead != null && t.slot <= lastRead)) continue
    try {
      budget.commitEnergy(slotStart(o.slots, t.slot), r.role === 'seller' ? t.energyWh : -t.energyWh)
    } catch (err) {
      node.emit({
        type: 'negotiation-failed',
        slot: t.slot,
        correlation: r.id,
        code: 'battery-overcommitted',
        detail: `restored trade: ${(err as Error).message}`
      })
    }
  }
  return vehicleEnergy({
    budget,
    capacityWh: service.battery.capacityWh,
    profile: o.profile,
    slots: o.slots,
    clock: o.clock,
    selling: node.selling,
    need: node.need,
    policy: service.energy,
    emit: node.emit
  })
}
