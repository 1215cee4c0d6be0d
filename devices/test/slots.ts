import type { SlotWindow } from '@kvartal/protocol'

export const SLOT_MS = 15 * 60_000
export const TRONDHEIM = { latitudeDeg: 63.43, longitudeDeg: 10.39 } as const

/** The slot starting at `startMs` on a grid of `slotMs` slots from the epoch. */
export function slotAt(startMs: number, slotMs = SLOT_MS): SlotWindow {
  return { index: Math.floor(startMs / slotMs), startMs, durationMs: slotMs }
}

/** The 15-min slots of one local day (`date` as YYYY-MM-DD, local = UTC + offset). */
export function daySlots(date: string, utcOffsetHours = 2, days = 1): SlotWindow[] {
  const start = Date.parse(`${date}T00:00:00Z`) - utcOffsetHours * 3_600_000
  const slots: SlotWindow[] = []
  for (let i = 0; i < 96 * days; i++) slots.push(slotAt(start + i * SLOT_MS))
  return slots
}

export function total(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0)
}
