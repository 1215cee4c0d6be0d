import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runKvartal, writeNodeConfig, type NodeProcess } from './helpers/processes.ts'
import { BROWSER_SETUP_MS, chromiumArgs, findChromium } from '@kvartal/sim/testing'
import { callNode, type NodeView } from '@kvartal/cli'

// KVARTAL_SCREENSHOT=docs/img/node-dashboard.png writes the README's picture; otherwise it goes to the test's directory
const screenshotTo = process.env.KVARTAL_SCREENSHOT

/** The page's trades table, as its cells' data-values say. */
interface Row {
  slot: number
  trades: number
  energyWh: number
  averagePrice: number
  boughtWh: number
  soldWh: number
  localWh: number
  crossFeederWh: number
}
const rowsOf = (v: NodeView): Row[] =>
  [...v.trades].reverse().map(t => ({
    slot: t.slot,
    trades: t.trades,
    energyWh: t.energyWh,
    averagePrice: t.averagePrice,
    boughtWh: t.bought.energyWh,
    soldWh: t.sold.energyWh,
    localWh: t.local.energyWh,
    crossFeederWh: t.crossFeeder.energyWh
  }))

describe("kvartal dashboard: a running node's own live page", () => {
  let dir: string | undefined
  const procs: NodeProcess[] = []
  let c: Awaited<ReturnType<typeof findChromium>>
  beforeAll(async () => {
    c = await findChromium()
  }, BROWSER_SETUP_MS)
  afterAll(async () => {
    await Promise.all(procs.map(async p => await p.stop()))
    if (dir != null) await rm(dir, { recursive: true, force: true })
  })

  it("shows the buyer's committed trades, its open slots, book and negotiations as they happen, " +
    "with /view's and the journal's figures; says when the node stops, and follows it again", { timeout: 60_000 }, async ctx => {
    if (c.path == null) {
      ctx.skip(`no browser check: ${c.why}`)
      return
    }
    dir = await mkdtemp(join(tmpdir(), 'kvartal-node-dashboard-'))
    // loaded while the nodes start and trade: it is read once they stopped
    const journalModule = import('@kvartal/node')
    const seller = runKvartal([
      'node',
      '--config',
      await writeNodeConfig({ dir, name: 'seller', position: [600], periodSlots: 2, slotSeconds: 6 })
    ])
    procs.push(seller)
    const addr = (await seller.waitFor(l => l.event === 'listening')).addrs[0] as string
    const buyerConfig = await writeNodeConfig({ dir, name: 'buyer', position: [-200], bootstrap: [addr], periodSlots: 2, slotSeconds: 6 })
    const buyerDir = join(dir, 'buyer')
    let buyer = runKvartal(['node', '--config', buyerConfig])
    procs.push(buyer)
    const listening = await buyer.waitFor(l => l.event === 'listening')
    const dash = runKvartal(['dashboard', '--config', buyerConfig])
    procs.push(dash)
    const url = await new Promise<string>((resolve, reject) => {
      const look = (): void => {
        const m = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(dash.stderr.join(''))
        if (m != null) {
          clearInterval(t)
          resolve(m[1])
        }
      }
      const t = setInterval(look, 50)
      dash.exited.then(
        () => {
          clearInterval(t)
          reject(new Error(`kvartal dashboard exited: ${dash.stderr.join('')}`))
        },
        () => {}
      )
    })

    const { chromium } = await import('playwright-core')
    const browser = await chromium.launch({ executablePath: c.path, headless: true, args: chromiumArgs })
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } })
      const errors: string[] = []
      const elsewhere: string[] = []
      page.on('console', m => {
        if (m.type() === 'error' && !m.text().includes('WebSocket')) errors.push(m.text())
      })
      page.on('pageerror', e => {
        errors.push(e.message)
      })
      page.on('request', r => {
        if (!r.url().startsWith(url) && !r.url().startsWith('ws://127.0.0.1') && !r.url().startsWith('data:')) elsewhere.push(r.url())
      })
      await page.goto(url, { waitUntil: 'load' })
      const state = async (): Promise<string | null> => await page.getAttribute('#node-state', 'data-state')
      const pageRows = async (): Promise<Row[]> =>
        await page.$$eval('#trades-table tbody tr', trs =>
          trs.map(tr => {
            const v = (k: string): number => Number((tr.querySelector(`td[data-k="${k}"]`) as HTMLElement).dataset.value)
            return {
              slot: v('slot'),
              trades: v('trades'),
              energyWh: v('energyWh'),
              averagePrice: v('averagePrice'),
              boughtWh: v('boughtWh'),
              soldWh: v('soldWh'),
              localWh: v('localWh'),
              crossFeederWh: v('crossFeederWh')
            }
          })
        )

      // live: who the node is, then a committed trade in the table and a negotiation through to its commit in the timeline
      await page.waitForFunction(() => document.getElementById('node-state')!.dataset.state === 'live', null, { timeout: 10_000 })
      await page.waitForFunction(
        () =>
          document.querySelector('#trades-table tbody tr td[data-k="boughtWh"]:not([data-value="0"])') != null &&
          document.querySelector('#timeline li .step.trade-committed') != null,
        null,
        { timeout: 40_000 }
      )
      expect(await page.textContent('#node-name')).toContain(listening.peerId)
      expect(await page.getAttribute('#peers', 'data-value')).toBe('1')
      const committedRow = await page.$eval('#timeline li .step.trade-committed', s => (s.parentElement as HTMLElement).textContent ?? '')
      expect(committedRow).toMatch(/propose .*commit/)
      // the open slots and the book are drawn: the buyer needs 200 Wh a slot, the seller offers
      const drawn = await page.evaluate(() => {
        const opt = (id: string): any => (window as any).echarts.getInstanceByDom(document.getElementById(id)).getOption()
        return {
          positions: opt('chart-positions').series.length,
          needed: opt('chart-positions').series[3].data as number[],
          offers: opt('chart-book').series[0].data as number[]
        }
      })
      expect(drawn.positions).toBe(6)
      expect(drawn.needed.length).toBeGreaterThan(0)
      expect(drawn.offers.some(x => x > 0)).toBe(true)
      await page.screenshot({
        path: screenshotTo != null ? fileURLToPath(new URL(`../${screenshotTo}`, import.meta.url)) : join(dir, 'node-dashboard.png'),
        fullPage: true
      })

      // no more trades: the page's figures come to the buyer's /view's, and its chart's bars with them
      await seller.stop()
      let view: NodeView | undefined
      for (let i = 0; i < 10 && view == null; i++) {
        const v: NodeView = await callNode(buyerDir, 'GET', '/view')
        const same = await page
          .waitForFunction(want => JSON.stringify((window as any).kvartalNodeDashboard.view?.trades) === want, JSON.stringify(v.trades), {
            timeout: 3_000
          })
          .then(
            () => true,
            () => false
          )
        if (same) view = v
      }
      expect(view).toBeDefined()
      expect(await pageRows()).toEqual(rowsOf(view!))
      const bars = await page.evaluate(
        () => (window as any).echarts.getInstanceByDom(document.getElementById('chart-trades')).getOption().series[0].data as number[]
      )
      expect(bars).toEqual(view!.trades.map(t => t.local.energyWh / 1000))
      expect(Number(await page.getAttribute('#trades-day', 'data-value'))).toBe(view!.trades.reduce((a, t) => a + t.trades, 0))

      // the node stops: the page says so; its journal holds the trades the page shows
      await buyer.stop()
      await page.waitForFunction(
        () => document.getElementById('node-state')!.dataset.state === 'down' && !document.getElementById('down')!.hidden,
        null,
        { timeout: 10_000 }
      )
      const journal = await (await journalModule).Journal.open(buyerDir)
      const recorded = await journal.trades().finally(async () => {
        await journal.close()
      })
      const committed = recorded.filter(t => t.status === 'committed' && t.role === 'buyer')
      const rows = await pageRows()
      expect(rows.length).toBeGreaterThan(0)
      for (const r of rows) {
        const ts = committed.filter(t => t.decoded.terms.slot === r.slot).map(t => t.decoded.terms)
        const wh = ts.reduce((a, t) => a + t.energyWh, 0)
        expect(r, `slot ${r.slot}`).toEqual({
          slot: r.slot,
          trades: ts.length,
          energyWh: wh,
          averagePrice: wh === 0 ? 0 : Math.round(ts.reduce((a, t) => a + t.price * t.energyWh, 0) / wh),
          boughtWh: wh,
          soldWh: 0,
          localWh: wh,
          crossFeederWh: 0
        })
      }
      expect(
        rows
          .filter(r => r.trades > 0)
          .map(r => r.slot)
          .sort()
      ).toEqual([...new Set(committed.map(t => t.decoded.terms.slot))].sort())

      // the dashboard kept asking: a restarted node is followed again, its new run's events from the start
      buyer = runKvartal(['node', '--config', buyerConfig])
      procs.push(buyer)
      await page.waitForFunction(() => document.getElementById('node-state')!.dataset.state === 'live', null, { timeout: 15_000 })
      expect(await state()).toBe('live')
      expect(errors).toEqual([])
      expect(elsewhere).toEqual([])
    } finally {
      await browser.close()
    }
    // Ctrl-C stops it, normally
    dash.proc.kill('SIGINT')
    expect(await dash.exited).toEqual({ code: 0, signal: null })
  })
})
