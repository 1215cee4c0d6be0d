import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runScenario, validateScenario, writeReport } from '../src/index.ts'
import { BROWSER_SETUP_MS, findChromium, openInChromium } from '../testing/browser.ts'

// a small, fast district: six buildings at noon, four slots, no mobility (tests/report-html.test.ts checks the page's figures)
const scenario = validateScenario({
  district: 'browser',
  slots: { first: 44, count: 4 },
  buildings: { generate: { count: 6 } },
  mobility: false
})

describe('report.html in a browser', () => {
  let dir: string
  let report: string
  let c: Awaited<ReturnType<typeof findChromium>>
  beforeAll(async () => {
    c = await findChromium()
  }, BROWSER_SETUP_MS)
  // biome-ignore lint/suspicious/noDuplicateTestHooks: two hooks on purpose, the first (which may install Chromium) under its own timeout
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvartal-report-browser-'))
    await runScenario(scenario, { outDir: join(dir, 'out') })
    report = await writeReport(join(dir, 'out'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('loads in Chromium offline, with no error, and draws every chart', async ctx => {
    if (c.path == null) {
      ctx.skip(`no browser check: ${c.why}`)
      return
    }
    const png = join(dir, 'report.png')
    const page = await openInChromium(c.path, report, png)
    expect(page.errors).toEqual([])
    // nothing fetched but the file itself
    expect(page.requests).toEqual([])
    const html = await readFile(report, 'utf8')
    expect(page.charts.length).toBe((html.match(/<figure class="chart"/g) ?? []).length)
    expect(page.charts.length).toBe(9)
    for (const ch of page.charts) {
      expect(ch.svgs, ch.id).toBe(1)
      expect(ch.width, ch.id).toBeGreaterThan(100)
      expect(ch.height, ch.id).toBeGreaterThan(50)
    }
    expect((await readFile(png)).subarray(1, 4).toString()).toBe('PNG')
    expect((await stat(png)).size).toBeGreaterThan(10_000)
  }, 300_000)
})
