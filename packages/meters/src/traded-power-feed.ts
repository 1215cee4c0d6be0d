import type { OcppCharger } from './ocpp-charger.ts'

/** What a node's trade events say, as far as a charger needs: `trade-committed` for a slot, bought (`detail: 'buyer'`) or sold. */
export interface TradeEventLike {
  type: string
  slot?: number
  energyWh?: number
  detail?: string
}

/**
 * Feeds a node's trades to its charger: for each slot the energy bought (the buyer side of its
 * committed trades) as power, W = Wh × 3 600 000 / slotMs (floored), set with `setTradedPower` at every
 * new trade. Sold energy does not lower it: a charger draws what was bought for it.
 */
export function tradedPowerFeed(
  charger: Pick<OcppCharger, 'setTradedPower'>,
  slots: { epochMs: number; slotMs: number },
  onError: (err: Error) => void
): (e: TradeEventLike) => void {
  const bought = new Map<number, number>()
  return e => {
    if (e.type !== 'trade-committed' || e.detail !== 'buyer' || e.slot == null || e.energyWh == null) return
    const wh = (bought.get(e.slot) ?? 0) + e.energyWh
    bought.set(e.slot, wh)
    for (const s of bought.keys()) if (s < e.slot - 96) bought.delete(s)
    charger.setTradedPower(slots.epochMs + e.slot * slots.slotMs, Math.floor((wh * 3_600_000) / slots.slotMs), slots.slotMs).catch(onError)
  }
}
