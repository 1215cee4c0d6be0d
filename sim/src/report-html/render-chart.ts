import { createRequire } from 'node:module'
import type { EChartsOption } from 'echarts'

type ECharts = typeof import('echarts')
let echarts: ECharts | undefined
/**
 * ECharts, loaded when the first chart is drawn and as its one-file bundle: its ES modules take seconds
 * to load (thousands of files), and everything that imports @kvartal/sim would pay for them.
 */
function loadECharts(): ECharts {
  echarts ??= createRequire(import.meta.url)('echarts') as ECharts
  return echarts
}

/** One chart of the report: its option (what it plots) and the SVG ECharts rendered from it. */
export interface Chart {
  /** unique in the page: `chart-<id>` is its element's id, and its SVG's class names start with it */
  readonly id: string
  readonly title: string
  /** one sentence on what the chart shows and where its figures come from */
  readonly caption: string
  readonly option: EChartsOption
  readonly svg: string
}

export interface ChartSize {
  width: number
  height: number
}

export const defaultChartSize: ChartSize = { width: 960, height: 340 }

/**
 * Renders an ECharts option to an SVG string on the server (no DOM, no browser): the chart is drawn
 * once, without animation. ZRender names its CSS classes and clip paths after a per-process instance
 * counter (`zr3-cls-0`, `zr3-c0`); they are renamed after the chart's id, so the same results give the
 * same page in any process, and the SVGs of one page never share an id or a class.
 */
export function renderChart(id: string, option: EChartsOption, size: ChartSize = defaultChartSize): string {
  const chart = loadECharts().init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height })
  try {
    chart.setOption({ animation: false, backgroundColor: '#fff', ...option })
    return renameIds(chart.renderToSVGString(), id)
  } finally {
    chart.dispose()
  }
}

/**
 * Renames ZRender's `zr<instance>-cls-<n>` and `zr<instance>-c<n>` (counters that run on across the
 * process's charts) to `<id>-cls-0`, `<id>-c0` … numbered in order of first appearance: inside tags and
 * in the CSS rules of the SVG's <style>, never in a label's text.
 */
function renameIds(svg: string, id: string): string {
  const names = new Map<string, string>()
  const next = new Map<string, number>()
  const rename = (token: string, kind: string): string => {
    let name = names.get(token)
    if (name == null) {
      const n = next.get(kind) ?? 0
      next.set(kind, n + 1)
      name = `${id}-${kind}${n}`
      names.set(token, name)
    }
    return name
  }
  const token = /\bzr\d+-([a-z]+-?)\d+\b/g
  return svg
    .replace(/<[^>]*>/g, tag => tag.replace(token, (t, kind: string) => rename(t, kind)))
    .replace(/^\.(zr\d+-([a-z]+-?)\d+)\b/gm, (_, t: string, kind: string) => `.${rename(t, kind)}`)
}

/** A chart with its SVG drawn. */
export function chart(id: string, title: string, caption: string, option: EChartsOption, size?: ChartSize): Chart {
  return { id, title, caption, option, svg: renderChart(id, option, size) }
}

/** An empty chart that says why it is empty (a scenario without mobility, a run without its trace). */
export function emptyChart(id: string, title: string, caption: string, why: string): Chart {
  return chart(
    id,
    title,
    caption,
    {
      title: { text: why, left: 'center', top: 'middle', textStyle: { fontSize: 14, fontWeight: 'normal', color: '#666' } },
      xAxis: { show: false },
      yAxis: { show: false },
      series: []
    },
    { width: defaultChartSize.width, height: 120 }
  )
}
