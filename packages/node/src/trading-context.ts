import { gateClosure } from '@kvartal/protocol'
import type { TradingContext } from '@kvartal/market'
import type { KvartalNodeOptions } from './options.ts'

type ContextOptions = Pick<KvartalNodeOptions, 'slots' | 'ticksPerSlot' | 'tradingWindowSlots' | 'tariffs' | 'profile'>

/** No tick of the node comes between `now` and the slot's gate closure: what is not traded now goes to the grid. */
export function isLastCall(o: Pick<ContextOptions, 'slots' | 'ticksPerSlot'>, slot: number, now: number): boolean {
  return gateClosure(o.slots, slot) - now <= Math.floor(o.slots.slotMs / o.ticksPerSlot)
}

/**
 * What a strategy sees of one slot, for a buyer or a seller: the window's opening and gate closure, the
 * tariffs, the trader's limit, what is left to trade, and whether this is the last call. The one place
 * that builds it: the node's desks, its approaches and its announcements all ask here.
 */
export function tradingContext(
  o: ContextOptions,
  role: 'buyer' | 'seller',
  slot: number,
  remainingWh: number,
  now: number,
  random: () => number
): TradingContext {
  return {
    now,
    slot,
    openedAt: gateClosure(o.slots, slot) - o.tradingWindowSlots * o.slots.slotMs,
    gateClosureAt: gateClosure(o.slots, slot),
    tariffs: o.tariffs,
    limit: role === 'buyer' ? o.profile.buyLimit : o.profile.sellLimit,
    remainingWh,
    random,
    lastCall: isLastCall(o, slot, now)
  }
}
