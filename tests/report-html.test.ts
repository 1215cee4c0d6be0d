import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runKvartal } from './helpers/processes.ts'
import { simCommand } from '@kvartal/cli'
import { reportHtml, writeReport } from '@kvartal/sim'

// a small, fast district: six buildings at noon, four slots, no mobility
const scenario = 'district: report\nslots: { first: 44, count: 4 }\nbuildings: { generate: { count: 6 } }\nmobility: false\n'

/** The SVG of one figure of the page, by chart id. */
function svgOf(html: string, id: string): string {
  const fig = new RegExp(`<figure class="chart" id="chart-${id}">([\\s\\S]*?)</figure>`).exec(html)
  expect(fig, `figure chart-${id}`).not.toBeNull()
  const svg = /<svg[\s\S]*<\/svg>/.exec(fig![1])
  expect(svg, `svg of chart-${id}`).not.toBeNull()
  return svg![0]
}

/** Each bar's height in the SVG ECharts drew, by data index, for one series (a bar ECharts left out: 0). */
function barHeights(svg: string, series: number, count: number): number[] {
  const out = Array.from({ length: count }, () => 0)
  const bar = new RegExp(
    String.raw`<path d="M[-\d.]+ [-\d.]+l[-\d.]+ 0l0 ([-\d.]+)l[-\d.]+ 0Z"[^>]*` +
      String.raw`ecmeta_series_index="(\d+)" ecmeta_data_index="(\d+)" ecmeta_ssr_type="chart"`,
    'g'
  )
  for (const m of svg.matchAll(bar)) {
    if (Number(m[2]) === series) out[Number(m[3])] = Math.abs(Number(m[1]))
  }
  return out
}

/** The text of every <text> element, in order. */
const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(m => m[1])

/**
 * Checks the page's element structure: every element closed in order (void elements aside), raw text of
 * <style> skipped. No HTML parser is installed here, so this small tokenizer stands in for one.
 */
function unbalanced(html: string): string | undefined {
  const voids = new Set(['meta', 'link', 'br', 'hr', 'img', 'input', 'col', 'area', 'base', 'wbr', 'source', 'track', 'embed', 'param'])
  const stack: string[] = []
  const re = /<!--[\s\S]*?-->|<!doctype[^>]*>|<!\[CDATA\[[\s\S]*?\]\]>|<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/gi
  let m: RegExpExecArray | null
  while ((m = re.exec(html)) != null) {
    if (m[2] == null) continue
    const name = m[2].toLowerCase()
    if (m[1] === '/') {
      const open = stack.pop()
      if (open !== name) return `</${name}> at ${m.index} closes <${open ?? 'nothing'}>`
    } else if (!voids.has(name) && !m[3].trimEnd().endsWith('/')) {
      stack.push(name)
      if (name === 'style') {
        const end = html.indexOf('</style>', re.lastIndex)
        if (end < 0) return 'unclosed <style>'
        re.lastIndex = end
      }
    }
  }
  return stack.length === 0 ? undefined : `unclosed: ${stack.join(' > ')}`
}

describe('report.html', () => {
  let dir: string
  let out: string
  let html: string
  let results: any
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvartal-report-'))
    out = join(dir, 'out')
    const { writeFile } = await import('node:fs/promises')
    await writeFile(join(dir, 'report.yaml'), scenario)
    // the command `kvartal sim` runs, in this process; what it prints is kept
    const printed: string[] = []
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk))
      return true
    })
    try {
      expect(await simCommand([join(dir, 'report.yaml')], { out, quiet: true })).toBe(0)
    } finally {
      write.mockRestore()
    }
    // the report's path is the run's last line
    expect(printed.join('').trimEnd().split('\n').at(-1)).toBe(`report      ${join(out, 'report.html')}`)
    html = await readFile(join(out, 'report.html'), 'utf8')
    results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('is one self-contained, well-formed page with one SVG per chart', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true)
    // nothing loaded from anywhere: no script at all, no stylesheet link, no image, no remote url()
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import/i)
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i)
    expect(html).not.toMatch(/url\(\s*["']?\s*(https?:)?\/\//i)
    expect(unbalanced(html)).toBeUndefined()
    const figures = [...html.matchAll(/<figure class="chart" id="chart-([\w-]+)">([\s\S]*?)<\/figure>/g)]
    expect(figures.map(f => f[1])).toEqual([
      'energy',
      'prices',
      'welfare',
      'latency',
      'messages',
      'trades',
      'building-energy',
      'journeys',
      'settlement'
    ])
    for (const f of figures) expect((f[2].match(/<svg /g) ?? []).length, f[1]).toBe(1)
    // the summary table's figures and the scenario's parameters are on the page
    expect(html).toContain(`${results.metrics.consistency.sellerTrades} seller = ${results.metrics.consistency.buyerTrades} buyer records`)
    expect(html).toMatch(/<td>slots\.first<\/td><td><code>44<\/code><\/td>/)
  })

  it('draws one bar per building with its figures from results.json', () => {
    const names: string[] = results.buildings.map((b: any) => b.id)
    expect(names.length).toBe(6)
    const check = (id: string, series: number, values: number[]): void => {
      const svg = svgOf(html, id)
      // every building named on the axis, in order
      const labels = texts(svg).filter(t => names.includes(t))
      expect(labels).toEqual(names)
      const h = barHeights(svg, series, names.length)
      const top = Math.max(...values)
      expect(top).toBeGreaterThan(0)
      const hTop = Math.max(...h)
      // each bar's height relative to the tallest is its value relative to the largest
      h.forEach((x, i) => {
        expect(x / hTop, `${id} ${names[i]}`).toBeCloseTo(values[i] / top, 2)
      })
    }
    // trades per building: each bar is also labelled with its count
    const trades = results.buildings.map((b: any) => b.trades)
    check('trades', 0, trades)
    expect(
      texts(svgOf(html, 'trades'))
        .filter(t => /^\d+$/.test(t))
        .slice(-names.length)
    ).toEqual(trades.map(String))
    // the committed trades, counted on both sides, are the buildings' trade counts
    expect(trades.reduce((a: number, b: number) => a + b, 0)).toBe(2 * results.metrics.trades)
    check(
      'building-energy',
      0,
      results.buildings.map((b: any) => b.soldWh)
    )
    check(
      'building-energy',
      1,
      results.buildings.map((b: any) => b.boughtWh)
    )
  })

  it("lists each feeder with results.json's figures, and the feeders' within-feeder trade is the district's", () => {
    const byFeeder = results.metrics.grid.byFeeder as Record<string, any>
    const ids = Object.keys(byFeeder)
    expect(ids.length).toBeGreaterThan(0)
    const table = /<table class="feeders">([\s\S]*?)<\/table>/.exec(html)
    expect(table).not.toBeNull()
    const rows = [...table![1].matchAll(/<tr><td>([^<]*)<\/td>((?:<td class="num">[^<]*<\/td>)*)<\/tr>/g)].map(m => [
      m[1],
      ...[...m[2].matchAll(/<td class="num">([^<]*)<\/td>/g)].map(c => c[1])
    ])
    expect(rows.map(r => r[0])).toEqual(ids)
    for (const row of rows) {
      const f = byFeeder[row[0]]
      expect(row[1]).toBe(String(f.buildings))
      expect(row[5]).toBe(`${(f.withinWh / 1000).toFixed(1)} (${(f.optimumWithinWh / 1000).toFixed(1)})`)
    }
    // computed here from results.json's raw fields: one feeder, so every trade between buildings is within it
    const sum = (k: string): number => ids.reduce((a, id) => a + byFeeder[id][k], 0)
    expect(sum('withinWh') + sum('importedWh')).toBe(results.metrics.localEnergyWh)
    expect(sum('importedWh')).toBe(results.metrics.grid.crossFeederWh)
    expect(sum('buildings')).toBe(results.buildings.length)
  })

  it("draws the per-slot bars with results.json's per-slot figures: local energy, and welfare over the optimum", () => {
    // computed here from results.json's raw fields, not by the report's own code
    const ps: Array<{ localEnergyWh: number; welfareNanos: number; optimumWelfareNanos: number }> = results.metrics.perSlot
    expect(ps.length).toBe(4)
    const proportional = (id: string, values: number[]): void => {
      const h = barHeights(svgOf(html, id), 0, values.length)
      const top = Math.max(...values)
      const hTop = Math.max(...h)
      expect(top, id).toBeGreaterThan(0)
      h.forEach((x, i) => {
        expect(x / hTop, `${id} slot ${i}`).toBeCloseTo(values[i] / top, 2)
      })
    }
    proportional(
      'energy',
      ps.map(p => p.localEnergyWh)
    )
    proportional(
      'welfare',
      ps.map(p => p.welfareNanos / p.optimumWelfareNanos)
    )
    // and the whole run's figures in the captions
    expect(html).toContain(`Whole run: ${(Math.round(results.metrics.welfareShare * 1000) / 10).toString()} %`)
  })

  it('escapes every scenario string it puts on the page', () => {
    const r = structuredClone(results)
    r.scenario.district = '</title><script>alert(1)</script>'
    r.buildings[0].id = r.buildings[0].name = '<img src=x onerror=alert(2)>'
    r.scenario.market.strategy = '"><script>alert(3)</script>'
    const page = reportHtml(r, undefined)
    expect(page).not.toMatch(/<script|<img/i)
    expect(page).toContain('&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(page).toContain('&lt;img src=x onerror=alert(2)&gt;')
    expect(unbalanced(page)).toBeUndefined()
  })

  it('names every node in trace.ndjson and results.json next to its key', async () => {
    // key → name from results.json's own fields (trader, id), not from the code that adds the names
    const nameOf = new Map<string, string>(results.buildings.map((b: any) => [b.trader, b.id]))
    for (const b of results.buildings) expect(b.name).toBe(b.id)
    const lines = (await readFile(join(out, 'trace.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map(l => JSON.parse(l))
    let negotiations = 0
    for (const e of lines) {
      if (typeof e.node === 'string') expect(e.name, JSON.stringify(e)).toBe(nameOf.get(e.node))
      if (typeof e.peer === 'string') expect(e.peerName, JSON.stringify(e)).toBe(nameOf.get(e.peer))
      if (e.type === 'proposal-sent') {
        negotiations++
        expect(e.name).not.toBe(e.peerName)
      }
      // the fields that were there are still there
      if (e.type === 'trade-committed')
        expect(typeof e.correlation === 'string' && typeof e.slot === 'number' && /^[0-9a-f]{64}$/.test(e.node)).toBe(true)
    }
    expect(lines.filter(e => typeof e.node === 'string').length).toBe(lines.length)
    expect(negotiations).toBeGreaterThan(0)
  })

  it('kvartal report <dir> makes the same file again', async () => {
    // in this process, which has drawn charts before (ZRender numbers its instances per process) …
    await rm(join(out, 'report.html'))
    await writeReport(out)
    expect(await readFile(join(out, 'report.html'), 'utf8')).toBe(html)
    // … and in a fresh one, through the command line
    await rm(join(out, 'report.html'))
    const p = runKvartal(['report', out])
    const { code } = await p.exited
    expect(code, p.stderr.join('')).toBe(0)
    expect((p.stdout ?? []).join('')).toContain(join(out, 'report.html'))
    expect(await readFile(join(out, 'report.html'), 'utf8')).toBe(html)
  })
})
