import type { SlotWindow, Wh } from '@kvartal/protocol'

export const MS_PER_HOUR = 3_600_000
export const MS_PER_DAY = 86_400_000

/** Rounds to integer Wh; never returns -0, so `toBe(0)` and JSON both see a plain zero. */
export function toWh(x: number): Wh {
  return Math.round(x) + 0
}

/** Slot length in hours. */
export function slotHours(slot: SlotWindow): number {
  return slot.durationMs / MS_PER_HOUR
}

/**
 * Energy in Wh (a float) of a power curve over a slot, by the midpoint rule with `steps` sub-steps:
 * `powerW(timeMs)` is sampled at the middle of each sub-step.
 */
export function integrateWh(slot: SlotWindow, powerW: (timeMs: number) => number, steps: number): number {
  const dt = slot.durationMs / steps
  let wh = 0
  for (let k = 0; k < steps; k++) wh += powerW(slot.startMs + (k + 0.5) * dt)
  return (wh * dt) / MS_PER_HOUR
}

/** Length in ms of the overlap of [a0, a1) and [b0, b1). */
export function overlapMs(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0))
}
