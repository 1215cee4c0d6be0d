import type { Browser, Page } from 'playwright-core'

/**
 * A dashboard page opened at `url` in `browser`, with what the tests check of every page: the errors it
 * logged or threw, and every request it made to anywhere but the dashboard (the page must work offline).
 */
export async function openDashboard(browser: Browser, url: string): Promise<{ page: Page; errors: string[]; elsewhere: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
  const errors: string[] = []
  const elsewhere: string[] = []
  page.on('console', m => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', e => {
    errors.push(e.message)
  })
  page.on('request', r => {
    if (!r.url().startsWith(url) && !r.url().startsWith('ws://127.0.0.1') && !r.url().startsWith('data:')) elsewhere.push(r.url())
  })
  await page.goto(url, { waitUntil: 'load' })
  return { page, errors, elsewhere }
}
