import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, runKvartal, type NodeProcess } from './helpers/processes.ts'
import { stderrMatch } from './helpers/stderr-match.ts'
import { openDashboard } from './helpers/dashboard-page.ts'
import { BROWSER_SETUP_MS, chromiumArgs, findChromium } from '@kvartal/sim/testing'

// a small, fast district: six buildings around noon, six slots, no mobility
const scenario = 'district: dashboard\nslots: { first: 44, count: 6 }\nbuildings: { generate: { count: 6 } }\nmobility: false\n'
// KVARTAL_SCREENSHOT=docs/img/dashboard.png writes the README's picture; otherwise it goes to the test's directory
const screenshotTo = process.env.KVARTAL_SCREENSHOT

/** Metrics that must not depend on the dashboard: everything but real-time latencies. */
function figures(r: any): unknown {
  const { latencyMs: _l, ...metrics } = r.metrics
  const { verifyMsMean: _v, ...settlement } = r.settlement
  return { metrics, settlement }
}

describe('kvartal sim --dashboard', () => {
  let dir: string | undefined
  const procs: NodeProcess[] = []
  let c: Awaited<ReturnType<typeof findChromium>>
  beforeAll(async () => {
    c = await findChromium()
  }, BROWSER_SETUP_MS)
  afterAll(async () => {
    for (const p of procs) await p.stop()
    if (dir != null) await rm(dir, { recursive: true, force: true })
  })

  it("serves a live page that pauses, steps one slot, filters by node, and ends on results.json's figures", async ctx => {
    if (c.path == null) {
      ctx.skip(`no browser check: ${c.why}`)
      return
    }
    dir = await mkdtemp(join(tmpdir(), 'kvartal-dashboard-'))
    const file = join(dir, 'dashboard.yaml')
    await writeFile(file, scenario)
    // the same scenario without the dashboard, alongside: its figures must be the same
    const plain = runCli(['sim', file, '--out', join(dir, 'plain'), '--no-report', '--quiet'])
    const dash = runKvartal(['sim', file, '--out', join(dir, 'dash'), '--no-report', '--quiet', '--dashboard', '--paused'])
    procs.push(dash)
    const url = (await stderrMatch(dash, /dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/)/, 20_000))[1]

    const { chromium } = await import('playwright-core')
    const browser = await chromium.launch({ executablePath: c.path, headless: true, args: chromiumArgs })
    try {
      const { page, errors, elsewhere } = await openDashboard(browser, url)
      const value = async (id: string): Promise<number> => Number(await page.getAttribute(`#${id}`, 'data-value'))
      const state = async (): Promise<string | null> => await page.getAttribute('#status', 'data-state')
      /** Bars of the energy chart drawn so far (slots closed or traded). */
      const energyBars = async (): Promise<number> =>
        await page.evaluate(
          () =>
            (
              (window as any).echarts.getInstanceByDom(document.getElementById('chart-energy')).getOption().series[0].data as unknown[]
            ).filter(x => x != null).length
        )
      /** While paused, the server repeats its status: after `n` more of them, the clock must stand where it stood. */
      const standsStill = async (n: number): Promise<void> => {
        const [closed, tick] = [await value('slots-closed'), await value('tick')]
        const heard = await page.evaluate(() => (window as any).kvartalDashboard.statuses as number)
        await page.waitForFunction(k => (window as any).kvartalDashboard.statuses >= k, heard + n, { timeout: 10_000 })
        expect(await state()).toBe('paused')
        expect([await value('slots-closed'), await value('tick')]).toEqual([closed, tick])
        expect(Number(await page.getAttribute('#tick', 'data-server'))).toBe(tick)
      }
      const at = async (closed: number, s: string): Promise<void> => {
        await page.waitForFunction(
          ([k, s]) =>
            document.getElementById('slots-closed')!.dataset.value === String(k) && document.getElementById('status')!.dataset.state === s,
          [closed, s] as const,
          { timeout: 20_000 }
        )
      }

      // started paused: the district is laid out, the clock has not moved
      await page.waitForFunction(
        () => (window as any).kvartalDashboard.layout != null && document.getElementById('status')!.dataset.state === 'paused',
        null,
        { timeout: 20_000 }
      )
      expect(await page.$$eval('#filter option', os => os.length)).toBe(7)
      expect(await value('slots-closed')).toBe(0)
      expect(await value('tick')).toBe(0)
      await standsStill(2)

      // Step: exactly one slot, then the clock stands still again
      await page.click('#step')
      await at(1, 'paused')
      await standsStill(3)
      expect(await value('slots-closed')).toBe(1)
      const barsAfterStep = await energyBars()
      expect(barsAfterStep).toBeGreaterThanOrEqual(1)

      // Resume, and Pause right away (one after the other, as a double click would): the clock stops
      // again within a tick or two, with most of the run still to come
      const heard = await page.evaluate(() => {
        const st = (window as any).kvartalDashboard
        st.send({ type: 'resume' })
        st.send({ type: 'pause' })
        return st.statuses as number
      })
      await page.waitForFunction(
        k => (window as any).kvartalDashboard.statuses >= k + 2 && document.getElementById('status')!.dataset.state === 'paused',
        heard,
        { timeout: 20_000 }
      )
      await standsStill(3)
      const closed = await value('slots-closed')
      expect(closed).toBeLessThan(6)
      // and steps on from there, one slot
      await page.click('#step')
      await at(closed + 1, 'paused')
      await standsStill(2)

      // filter by one building, then run to the end
      await page.selectOption('#filter', '0')
      await page.click('#resume')
      await page.waitForFunction(() => document.getElementById('status')!.dataset.state === 'done', null, { timeout: 30_000 })
      await page.waitForFunction(() => !document.getElementById('final')!.hidden)

      const results = JSON.parse(await readFile(join(dir, 'dash', 'results.json'), 'utf8'))
      expect(results.metrics.trades).toBeGreaterThan(0)
      // the figures the page made from the events as they came equal results.json's
      expect({ trades: await value('trades'), localEnergyWh: await value('local-wh'), welfareNanos: await value('welfare-nanos') }).toEqual(
        { trades: results.metrics.trades, localEnergyWh: results.metrics.localEnergyWh, welfareNanos: results.metrics.welfareNanos }
      )
      expect({
        trades: await value('final-trades'),
        localEnergyWh: await value('final-local-wh'),
        welfareNanos: await value('final-welfare-nanos')
      }).toEqual({
        trades: results.metrics.trades,
        localEnergyWh: results.metrics.localEnergyWh,
        welfareNanos: results.metrics.welfareNanos
      })
      expect(await page.getAttribute('#final-check', 'data-same')).toBe('true')
      expect(await value('slots-closed')).toBe(6)
      // per slot too: each bar of the energy chart is results.json's per-slot local energy
      const bars = await page.evaluate(
        () => (window as any).echarts.getInstanceByDom(document.getElementById('chart-energy')).getOption().series[0].data as number[]
      )
      expect(bars).toEqual(results.metrics.perSlot.map((p: { localEnergyWh: number }) => Math.round(p.localEnergyWh) / 1000))
      // the chart grew while the run went on: one bar after the first step, every slot's at the end
      expect(barsAfterStep).toBeLessThan(bars.length)

      // the timeline holds negotiations through to their commit; filtered, only building 0's are shown
      const rows = await page.$$eval('#timeline li', lis =>
        lis.map(li => ({
          nodes: (li as HTMLElement).dataset.nodes!.split(','),
          hidden: (li as HTMLElement).hidden,
          text: li.textContent ?? ''
        }))
      )
      expect(rows.some(r => r.text.includes('commit'))).toBe(true)
      const shown = rows.filter(r => !r.hidden)
      expect(shown.length).toBeGreaterThan(0)
      for (const r of shown) expect(r.nodes).toContain('0')
      expect(rows.some(r => r.hidden)).toBe(true)

      expect(errors).toEqual([])
      expect(elsewhere).toEqual([])
      await page.screenshot({
        path: screenshotTo != null ? fileURLToPath(new URL(`../${screenshotTo}`, import.meta.url)) : join(dir, 'dashboard.png'),
        fullPage: true
      })
    } finally {
      await browser.close()
    }

    // the page stays up until Ctrl-C; then the command ends normally
    dash.proc.kill('SIGINT')
    expect((await dash.exited).code).toBe(0)
    const p = await plain
    expect(p.code, p.stderr).toBe(0)
    // the dashboard (and its pauses) changed nothing in the run
    expect(figures(JSON.parse(await readFile(join(dir, 'dash', 'results.json'), 'utf8')))).toEqual(
      figures(JSON.parse(await readFile(join(dir, 'plain', 'results.json'), 'utf8')))
    )
  }, 60_000)
})
