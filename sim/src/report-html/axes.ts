import type { Scenario } from '../scenario.ts'

/** Each simulated slot's local start time, `HH:MM` (with `+1d`, `+2d` … past the first day). */
export function slotLabels(s: Pick<Scenario, 'slots'>, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const m = (s.slots.first + i) * s.slots.minutes
    const day = Math.floor(m / 1440)
    const hhmm = `${String(Math.floor((m % 1440) / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
    return day === 0 ? hhmm : `${hhmm} +${day}d`
  })
}

/** Wh → kWh, nanos → IOTA, nanos per kWh → IOTA per kWh: for plotting only (figures stay integers in results.json) */
export const kwh = (wh: number): number => Math.round(wh) / 1000
export const iota = (nanos: number): number => Math.round(nanos / 1e3) / 1e6
export const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d

/** A category axis of many labels: every label kept, turned when there are many */
export function categoryAxis(data: string[], name?: string): Record<string, unknown> {
  return {
    type: 'category',
    data,
    ...(name != null ? { name, nameLocation: 'middle', nameGap: data.length > 12 ? 70 : 28 } : {}),
    axisLabel: { interval: data.length > 48 ? Math.ceil(data.length / 48) - 1 : 0, rotate: data.length > 12 ? 60 : 0, fontSize: 11 }
  }
}

export const legend = { top: 0, type: 'scroll' as const }
export const grid = (bottom = 60): Record<string, unknown> => ({ left: 70, right: 70, top: 40, bottom })
