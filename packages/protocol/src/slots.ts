/** Slot arithmetic. A slot is [epochMs + index·slotMs, epochMs + (index+1)·slotMs). */
export interface SlotClockConfig {
  /** start of slot 0, ms since the Unix epoch */
  readonly epochMs: number
  /** length of one slot in ms (default 15 min) */
  readonly slotMs: number
  /** how long before a slot starts it stops being tradeable */
  readonly gateClosureMs: number
}

export const defaultSlotClockConfig: SlotClockConfig = {
  epochMs: 0,
  // the Nordic intraday and imbalance settlement period since 2023
  slotMs: 15 * 60_000,
  // trading stops one minute before delivery, leaving time to journal and confirm
  gateClosureMs: 60_000
}

export function slotStart(c: SlotClockConfig, slot: number): number {
  return c.epochMs + slot * c.slotMs
}
export function slotEnd(c: SlotClockConfig, slot: number): number {
  return slotStart(c, slot + 1)
}
export function gateClosure(c: SlotClockConfig, slot: number): number {
  return slotStart(c, slot) - c.gateClosureMs
}
/** The slot that contains `timeMs`. */
export function slotAt(c: SlotClockConfig, timeMs: number): number {
  return Math.floor((timeMs - c.epochMs) / c.slotMs)
}
/** The first slot whose gate has not closed at `timeMs`. */
export function firstOpenSlot(c: SlotClockConfig, timeMs: number): number {
  let s = slotAt(c, timeMs + c.gateClosureMs)
  if (gateClosure(c, s) <= timeMs) s += 1
  return s
}
