import { execFile } from 'node:child_process'
import { access } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * Debian's Chromium, installed by install-chromium.sh if absent; `why` says what stopped it. The install can take
 * minutes: call it from a `beforeAll` with a hook timeout that allows for it (BROWSER_SETUP_MS), not inside a test.
 */
export async function findChromium(): Promise<{ path?: string; why?: string }> {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (x): x is string => x != null && x !== ''
  )
  const found = async (): Promise<string | undefined> => {
    for (const c of candidates)
      if (
        await access(c).then(
          () => true,
          () => false
        )
      )
        return c
    return undefined
  }
  const first = await found()
  if (first != null) return { path: first }
  if (process.env.KVARTAL_NO_APT === '1') return { why: 'chromium is absent and KVARTAL_NO_APT=1 forbids installing it' }
  const script = fileURLToPath(new URL('./install-chromium.sh', import.meta.url))
  // several test files ask at once (vitest runs them in parallel): one installs under the lock (kvartal-apt.lock,
  // shared by every apt-get of the tests) while the others wait for it, then find it installed; without the lock
  // the second apt-get failed on dpkg's own lock and its test skipped, or waited out its test's timeout
  const lock = join(tmpdir(), 'kvartal-apt.lock')
  const err = await new Promise<string | undefined>(resolve =>
    execFile('flock', ['-w', '280', lock, 'nice', '-n', '19', 'bash', script], { timeout: 290_000 }, (e, _out, stderr) => {
      resolve(e == null ? undefined : `${e.message} ${stderr}`.trim())
    })
  )
  const then = await found()
  return then != null
    ? { path: then }
    : { why: `chromium is absent and install-chromium.sh could not install it: ${err ?? 'not found after install'}` }
}

/** how long a test file's `beforeAll` may take to find or install Chromium (install-chromium.sh under its lock) */
export const BROWSER_SETUP_MS = 300_000

export interface PageCheck {
  /** console errors and uncaught page errors */
  errors: string[]
  /** every request the page made that was not for the file itself */
  requests: string[]
  /** each figure.chart: its id, and its SVG's rendered size (0 × 0 when it has none) */
  charts: Array<{ id: string; width: number; height: number; svgs: number }>
}

/** How the tests start Chromium: as root, on a machine with no network: no sandbox, and none of Chromium's own background connections. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

/** Opens an HTML file in headless Chromium (playwright-core), checks what it loaded, and screenshots the whole page. */
export async function openInChromium(executablePath: string, html: string, screenshot: string): Promise<PageCheck> {
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: chromiumArgs
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
    const errors: string[] = []
    const requests: string[] = []
    const url = pathToFileURL(html).href
    page.on('console', m => {
      if (m.type() === 'error') errors.push(m.text())
    })
    page.on('pageerror', e => {
      errors.push(e.message)
    })
    page.on('request', r => {
      if (r.url() !== url) requests.push(r.url())
    })
    await page.goto(url, { waitUntil: 'load' })
    const charts = await page.$$eval('figure.chart', figs =>
      figs.map(f => {
        const svg = f.querySelector('svg')
        const box = svg?.getBoundingClientRect()
        return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0, svgs: f.querySelectorAll('svg').length }
      })
    )
    await page.screenshot({ path: screenshot, fullPage: true })
    return { errors, requests, charts }
  } finally {
    await browser.close()
  }
}
