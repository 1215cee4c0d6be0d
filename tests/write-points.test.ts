import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ENERGY_WRITE_POINTS, MOBILITY_WRITE_POINTS, OTHER_CRASH_POINTS, TradeStatus } from '@kvartal/node'

/**
 * The journal's write points are listed once (`packages/node/src/write-points.ts`); `Journal` accepts
 * no other name, so the compiler refuses a write at an unlisted point. This test checks the other two
 * directions: every listed point is really written somewhere (read from the source: the last argument
 * of every `#batch(`, `#put(`, `putRecord(` and `#d.put(` call), and every point is either killed at
 * by a crash test among real processes or named in NOT_YET_CRASH_TESTED below — which may only shrink:
 * a point that gains a crash test must leave it, and a new point must come with a crash test or be
 * added to it in plain sight.
 */
const NOT_YET_CRASH_TESTED: string[] = [
  // energy: none. tests/processes.test.ts kills at buyer-pending, seller-commit, seller-hold and after-payment;
  // tests/crash-energy.test.ts at key, seller-release, buyer-void, buyer-committed, meter-boundary, meter,
  // store-iota, period-plan and period
  // mobility: tests/mobility-crash.test.ts kills at traveller-package, traveller-held, traveller-paid, provider-hold,
  // provider-commit; tests/mobility-race.test.ts at traveller-released, traveller-confirmed, traveller-cancelling,
  // traveller-cancelled, provider-cancel; tests/crash-mobility.test.ts at counter, traveller-releasing, provider-release,
  // channel-open, traveller-committing, period-extra, channel-proof, attested, provider-expire, provider-refund,
  // provider-cancelled;
  // tests/crash-rides.test.ts at provider-started, vehicle-receipt, provider-ended, traveller-receipt;
  // tests/crash-unresolved.test.ts at traveller-unresolved.
]

const root = join(import.meta.dirname, '..')

async function sources(dir: string): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = []
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.ts')) {
      const p = join(e.parentPath, e.name)
      out.push([p, await readFile(p, 'utf8')])
    }
  }
  return out
}

/** The text of each call `name(…)` in `src`, parentheses matched, string and template contents skipped. */
function calls(src: string, name: string): string[] {
  const out: string[] = []
  for (let at = src.indexOf(name + '('); at >= 0; at = src.indexOf(name + '(', at + 1)) {
    let depth = 0
    let i = at + name.length
    let quote = ''
    for (; i < src.length; i++) {
      const c = src[i]
      if (quote !== '') {
        if (c === '\\') i++
        else if (c === quote) quote = ''
        continue
      }
      if (c === "'" || c === '"' || c === '`') {
        quote = c
        continue
      }
      if (c === '(' || c === '[' || c === '{') depth++
      if (c === ')' || c === ']' || c === '}') {
        depth--
        if (depth === 0) break
      }
    }
    out.push(src.slice(at + name.length + 1, i))
  }
  return out
}

/** The string literals of a call's last top-level argument. */
function lastArgumentLiterals(args: string): string[] {
  let depth = 0
  let quote = ''
  let last = 0
  for (let i = 0; i < args.length; i++) {
    const c = args[i]
    if (quote !== '') {
      if (c === '\\') i++
      else if (c === quote) quote = ''
      continue
    }
    if (c === "'" || c === '"' || c === '`') {
      quote = c
      continue
    }
    if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') depth--
    else if (c === ',' && depth === 0) last = i + 1
  }
  return [...args.slice(last).matchAll(/'([^']*)'|`([^`]*)`/g)].map(m => m[1] ?? m[2])
}

describe('journal write points', () => {
  it('the list is exactly what the node writes', async () => {
    const written = new Set<string>()
    for (const [file, src] of await sources(join(root, 'packages/node/src'))) {
      if (file.endsWith('write-points.ts')) continue
      // provider-bookings.ts writes through its desk's `put` (`this.#d.put(…)`)
      for (const name of ['#batch', '#put', 'putRecord', '#d.put']) {
        for (const args of calls(src, name)) {
          for (const lit of lastArgumentLiterals(args)) {
            // the two templates: buyer-${status} (a TradeStatus) and store-${prefix} (an adapter's store)
            // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal, as written
            if (lit === 'buyer-${status}') for (const s of Object.values(TradeStatus)) written.add(`buyer-${s}`)
            // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal, as written
            else if (lit === 'store-${prefix}') {
              for (const [, s] of [
                ...(await sources(join(root, 'packages/cli/src'))),
                ...(await sources(join(root, 'packages/node/src')))
              ]) {
                for (const m of s.matchAll(/journal\.store\('([a-z0-9-]+)'\)/g)) written.add(`store-${m[1]}`)
              }
            } else if (/^[a-z][a-z0-9-]*$/.test(lit)) written.add(lit)
          }
        }
      }
    }
    expect([...written].sort()).toEqual([...ENERGY_WRITE_POINTS, ...MOBILITY_WRITE_POINTS].sort())
  })

  it('every write point has a crash test among real processes, or is listed here as not yet having one', async () => {
    const killedAt = new Set<string>()
    for (const [file, src] of await sources(join(root, 'tests'))) {
      if (!file.endsWith('.test.ts') || file.endsWith('write-points.test.ts')) continue
      for (const m of src.matchAll(/KVARTAL_CRASH_AT: '([a-z,-]+)'/g)) for (const p of m[1].split(',')) killedAt.add(p)
      for (const m of src.matchAll(/runKvartalCrashing\('([a-z,-]+)'/g)) for (const p of m[1].split(',')) killedAt.add(p)
      // tests/processes.test.ts: start(config, '<point>')
      for (const m of src.matchAll(/start\(\w+, '([a-z-]+)'\)/g)) killedAt.add(m[1])
    }
    const all = [...ENERGY_WRITE_POINTS, ...MOBILITY_WRITE_POINTS, ...OTHER_CRASH_POINTS] as string[]
    expect(
      [...killedAt].filter(p => !all.includes(p)),
      'crash tests at points that do not exist'
    ).toEqual([])
    expect(
      NOT_YET_CRASH_TESTED.filter(p => killedAt.has(p)),
      'crash-tested now: take them off NOT_YET_CRASH_TESTED'
    ).toEqual([])
    expect(
      NOT_YET_CRASH_TESTED.filter(p => !all.includes(p)),
      'not write points'
    ).toEqual([])
    expect(
      all.filter(p => !killedAt.has(p) && !NOT_YET_CRASH_TESTED.includes(p)),
      'write points with no crash test'
    ).toEqual([])
  })
})
