import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { metresFrom } from '@kvartal/sim'
import { BROWSER_SETUP_MS, chromiumArgs, findChromium } from '@kvartal/sim/testing'
import { runKvartal, type NodeProcess } from './helpers/processes.ts'
import { stderrMatch } from './helpers/stderr-match.ts'
import { openDashboard } from './helpers/dashboard-page.ts'

// a small district with mobility around noon (energy is traded too): six buildings, 36 stops, 3 bikes, 2 scooters and a
// car, 90 minutes from 11:00 in one-minute ticks, so that a ride of a few minutes is metered (and drawn) several times
// on its way; the travellers set out between 11:00 and 11:30 (trips start an hour before the end, to end in the run)
const scenario = `district: dashboard-journeys
slots: { first: 44, count: 6 }
buildings: { generate: { count: 6 } }
market: { ticksPerSlot: 15 }
mobility:
  transit: { stops: 36, lines: 4, trips: 300, stopsPerLine: 8 }
  vehicles: { bikes: 3, scooters: 2, cars: 1 }
  travellers: { tripsPerDay: 40, hours: [11, 12] }
`
// KVARTAL_SCREENSHOT_JOURNEYS=docs/img/dashboard.png writes the README's picture (the page paused while vehicles ride)
const screenshotTo = process.env.KVARTAL_SCREENSHOT_JOURNEYS
const modeNames: Record<string, string> = { BICYCLE: 'bike', SCOOTER: 'scooter', CAR: 'car', BUS: 'bus' }

/** What the page showed after one batch: the journeys' counters, and each vehicle on the map as drawn. */
interface Seen {
  tick: number
  requested: number
  onTheWay: number
  completed: number
  riding: Array<[string, number, number]>
  parked: Array<[string, number, number]>
}

describe('kvartal sim --dashboard with mobility', () => {
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

  it("shows journeys as they are booked, ridden and completed, ends on results.json's figures, and moves ridden vehicles", async ctx => {
    if (c.path == null) {
      ctx.skip(`no browser check: ${c.why}`)
      return
    }
    dir = await mkdtemp(join(tmpdir(), 'kvartal-dashboard-journeys-'))
    const file = join(dir, 'journeys.yaml')
    await writeFile(file, scenario)
    const dash = runKvartal(['sim', file, '--out', join(dir, 'out'), '--no-report', '--quiet', '--dashboard', '--paused'])
    procs.push(dash)
    const url = (await stderrMatch(dash, /dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/)/, 20_000))[1]

    const { chromium } = await import('playwright-core')
    const browser = await chromium.launch({ executablePath: c.path, headless: true, args: chromiumArgs })
    try {
      const { page, errors, elsewhere } = await openDashboard(browser, url)
      const value = async (id: string): Promise<number> => Number(await page.getAttribute(`#${id}`, 'data-value'))
      // paused before the first tick: the district is laid out, the journeys panel is there and empty
      await page.waitForFunction(
        () => (window as any).kvartalDashboard.mobility != null && document.getElementById('status')!.dataset.state === 'paused',
        null,
        { timeout: 20_000 }
      )
      expect(await page.isVisible('#journeys-panel')).toBe(true)
      expect(await value('j-requested')).toBe(0)

      // after every batch: draw it at once (not at the next frame, which may fold two batches into one picture) and
      // note what the panel and the map show
      await page.evaluate(() => {
        const st = (window as any).kvartalDashboard
        const w = window as any
        w.seen = []
        st.afterTick = (b: { tick: number }) => {
          st.drawNow()
          const series = (window as any).echarts.getInstanceByDom(document.getElementById('chart-map')).getOption().series as Array<{
            name: string
            data: Array<{ name: string; value: [number, number] }>
          }>
          const of = (name: string): Array<[string, number, number]> =>
            (series.find(s => s.name === name)?.data ?? []).map(d => [d.name, d.value[0], d.value[1]])
          const v = (id: string): number => Number(document.getElementById(id)!.dataset.value)
          const seen = {
            tick: b.tick,
            requested: v('j-requested'),
            onTheWay: v('j-on-the-way'),
            completed: v('j-completed'),
            riding: of('riding'),
            parked: of('vehicles')
          }
          w.seen.push(seen)
        }
      })
      // one slot at a time to the end: each step, once the page has caught up with the clock, is a picture of the run
      // so far; the README's is the first in which a vehicle rides (the page is far behind a running clock: a pause
      // asked for when it sees a ride would come too late)
      const picture =
        screenshotTo != null ? fileURLToPath(new URL(`../${screenshotTo}`, import.meta.url)) : join(dir, 'dashboard-journeys.png')
      let pictured = false
      for (let step = 0; step < 20; step++) {
        const tick = Number(await page.getAttribute('#tick', 'data-server'))
        await page.click('#step')
        await page.waitForFunction(
          t =>
            document.getElementById('status')!.dataset.state === 'done' ||
            (document.getElementById('status')!.dataset.state === 'paused' &&
              Number(document.getElementById('tick')!.dataset.server) > t &&
              document.getElementById('tick')!.dataset.value === document.getElementById('tick')!.dataset.server),
          tick,
          { timeout: 30_000 }
        )
        if ((await page.getAttribute('#status', 'data-state')) === 'done') break
        const riding = await page.evaluate(() => (window as any).seen.at(-1).riding.length as number)
        if (riding > 0 && !pictured) {
          await page.screenshot({ path: picture, fullPage: true })
          pictured = true
        }
      }
      await page.waitForFunction(() => document.getElementById('status')!.dataset.state === 'done', null, { timeout: 60_000 })
      if (!pictured) await page.screenshot({ path: picture, fullPage: true })
      await page.waitForFunction(() => !document.getElementById('journeys-final')!.hidden)

      const r = JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8'))
      const m = r.mobility
      expect(m.journeys.booked).toBeGreaterThan(2)
      const seen = (await page.evaluate(() => (window as any).seen)) as Seen[]

      // the panel moved while the run went on: journeys came in over several ticks, some were on their way before
      // the end, and journeys were completed one after another
      const requested = seen.map(s => s.requested)
      expect(requested[0]).toBeLessThan(m.journeys.requested)
      expect(new Set(requested).size).toBeGreaterThan(2)
      expect(seen.some(s => s.onTheWay > 0)).toBe(true)
      expect(new Set(seen.map(s => s.completed)).size).toBeGreaterThan(2)

      // at the end its figures are results.json's
      expect({
        requested: await value('j-requested'),
        booked: await value('j-booked'),
        walked: await value('j-walked'),
        failed: await value('j-failed'),
        bookedByMode: JSON.parse((await page.getAttribute('#j-by-mode', 'data-value'))!),
        doorToDoorS: await value('j-door'),
        plannedPriceNanos: await value('j-price'),
        co2G: await value('j-co2'),
        driveAloneS: await value('j-car'),
        ridesEnded: await value('j-rides'),
        receiptsSigned: Number(await page.getAttribute('#j-rides', 'data-receipts'))
      }).toEqual({
        requested: m.journeys.requested,
        booked: m.journeys.booked,
        walked: m.journeys.walked,
        failed: m.journeys.failed,
        bookedByMode: m.journeys.bookedByMode,
        doorToDoorS: m.perJourney.doorToDoorS,
        plannedPriceNanos: m.perJourney.plannedPriceNanos,
        co2G: m.perJourney.co2G,
        driveAloneS: m.perJourney.driveAlone.doorToDoorS,
        ridesEnded: m.rides.ended,
        receiptsSigned: m.receipts.signed
      })
      expect(await value('j-completed')).toBe(m.journeys.booked)
      expect(await page.getAttribute('#journeys-check', 'data-same')).toBe('true')
      // and so are its charts: journeys per slot add up to those requested, each mode's bar to its booked journeys
      const charts = await page.evaluate(() => {
        const opt = (id: string): any => (window as any).echarts.getInstanceByDom(document.getElementById(`chart-${id}`)).getOption()
        const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)
        const modes = opt('modes')
        return {
          perSlot: sum(opt('journeys').series.map((s: { data: number[] }) => sum(s.data))),
          byMode: Object.fromEntries(
            (modes.yAxis[0].data as string[]).map((name, k) => [name, sum(modes.series.map((s: { data: number[] }) => s.data[k]))])
          )
        }
      })
      expect(charts.perSlot).toBe(m.journeys.requested)
      expect(charts.byMode).toEqual(Object.fromEntries(Object.entries(m.journeys.bookedByMode).map(([k, n]) => [modeNames[k] ?? k, n])))

      // a vehicle moved on the map while it was ridden: drawn riding at one place after one tick and at another after
      // the next; after the run every vehicle is drawn parked where results.json says it stands
      const moved = new Set<string>()
      for (let i = 1; i < seen.length; i++)
        for (const [name, x, y] of seen[i].riding) {
          const before = seen[i - 1].riding.find(v => v[0] === name)
          if (before != null && (before[1] !== x || before[2] !== y)) moved.add(name)
        }
      expect(moved.size).toBeGreaterThan(0)
      const centre = { lat: r.scenario.site.latitude, lon: r.scenario.site.longitude }
      const last = seen.at(-1)!
      expect(last.riding).toEqual([])
      for (const v of r.vehicles.filter((v: { location?: unknown }) => v.location != null)) {
        const at = metresFrom(centre, v.location)
        const drawn = last.parked.find(p => p[0] === v.name)
        expect(drawn, v.name).toBeDefined()
        expect(Math.abs(drawn![1] - at.x) + Math.abs(drawn![2] - at.y), v.name).toBeLessThanOrEqual(2)
      }

      // the list: every journey, newest first; filtered on a vehicle that rode, only the journeys it carried
      const rows = await page.$$eval('#journeys li', lis => lis.map(li => (li as HTMLElement).dataset.status))
      expect(rows.length).toBe(m.journeys.requested)
      expect(rows.filter(s => s === 'completed').length).toBe(m.journeys.booked)
      const rider = [...moved][0]
      const index = await page.evaluate(name => (window as any).kvartalDashboard.layout.nodes.findIndex((n: any) => n.name === name), rider)
      await page.selectOption('#filter', String(index))
      const shown = await page.$$eval('#journeys li:not([hidden])', lis => lis.map(li => (li as HTMLElement).dataset.nodes!.split(',')))
      expect(shown.length).toBeGreaterThan(0)
      for (const nodes of shown) expect(nodes).toContain(String(index))

      expect(errors).toEqual([])
      expect(elsewhere).toEqual([])
    } finally {
      await browser.close()
    }
    dash.proc.kill('SIGINT')
    expect((await dash.exited).code).toBe(0)
  }, 90_000)
})
