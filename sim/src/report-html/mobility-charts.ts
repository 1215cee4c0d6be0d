import type { ScenarioResult } from '../scenario-result.ts'
import { chart, emptyChart, type Chart } from './render-chart.ts'
import { iota, round } from './axes.ts'

export interface ModeGroup {
  /** the journey's vehicle modes, walking left out, e.g. `BUS+SCOOTER` */
  readonly modes: string
  readonly journeys: number
  /** means over the group's booked journeys, and over the same trips by private car (drive-alone.ts) */
  readonly minutes: number
  readonly priceIota: number
  readonly co2G: number
  readonly driveAlone: { minutes: number; priceIota: number; co2G: number }
}

/** Booked journeys grouped by the modes they use, with their means and the drive-alone means. */
export function journeysByMode(r: ScenarioResult): ModeGroup[] {
  const groups = new Map<string, Array<NonNullable<ScenarioResult['journeys']>[number]>>()
  for (const o of r.journeys ?? []) {
    if (o.status !== 'booked' || o.journey == null) continue
    const key = [...new Set(o.journey.modes.filter(m => m !== 'WALK'))].sort().join('+') || 'WALK'
    groups.set(key, [...(groups.get(key) ?? []), o])
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
  return [...groups]
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .map(([modes, js]) => ({
      modes,
      journeys: js.length,
      minutes: round(mean(js.map(j => j.journey!.doorToDoorS)) / 60, 1),
      priceIota: round(iota(mean(js.map(j => j.journey!.priceNanos))), 3),
      co2G: Math.round(mean(js.map(j => j.journey!.co2G))),
      driveAlone: {
        minutes: round(mean(js.map(j => j.baseline.seconds)) / 60, 1),
        priceIota: round(iota(mean(js.map(j => j.baseline.priceNanos))), 3),
        co2G: Math.round(mean(js.map(j => j.baseline.co2G)))
      }
    }))
}

/** Journeys by mode: door-to-door time, price and CO₂ of the booked journeys against driving alone. */
export function journeysChart(r: ScenarioResult): Chart {
  const title = 'Journeys by mode'
  const j = r.mobility?.journeys
  const caption =
    j == null
      ? 'Booked journeys by the modes they use, against the same trips by private car.'
      : `Booked journeys grouped by the modes they use (results.json journeys): mean door-to-door ` +
        `time, planned price and CO₂, against the same trips by private car (drive-alone.ts). ` +
        `${j.requested} requested: ${j.booked} booked, ${j.walked} walked, ${j.failed} failed.`
  const groups = journeysByMode(r)
  if (groups.length === 0)
    return emptyChart('journeys', title, caption, r.journeys == null ? 'no mobility in this scenario' : 'no booked journeys')
  const cats = groups.map(g => `${g.modes} (${g.journeys})`)
  const panels = [
    { name: 'minutes', ours: groups.map(g => g.minutes), car: groups.map(g => g.driveAlone.minutes) },
    { name: 'IOTA', ours: groups.map(g => g.priceIota), car: groups.map(g => g.driveAlone.priceIota) },
    { name: 'g CO₂', ours: groups.map(g => g.co2G), car: groups.map(g => g.driveAlone.co2G) }
  ]
  const width = 100 / panels.length
  return chart(
    'journeys',
    title,
    caption,
    {
      legend: { top: 0 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: panels.map((_, i) => ({ left: `${i * width + 5}%`, width: `${width - 8}%`, top: 50, bottom: 90 })),
      xAxis: panels.map((_, i) => ({
        type: 'category' as const,
        gridIndex: i,
        data: cats,
        axisLabel: { rotate: cats.length > 2 ? 40 : 0, fontSize: 10, interval: 0 }
      })),
      yAxis: panels.map((p, i) => ({ type: 'value' as const, gridIndex: i, name: p.name })),
      series: panels.flatMap((p, i) => [
        { name: 'booked journey', type: 'bar' as const, xAxisIndex: i, yAxisIndex: i, data: p.ours, itemStyle: { color: '#3a7d44' } },
        { name: 'drive alone', type: 'bar' as const, xAxisIndex: i, yAxisIndex: i, data: p.car, itemStyle: { color: '#7f8c8d' } }
      ])
    },
    { width: 960, height: 360 }
  )
}
