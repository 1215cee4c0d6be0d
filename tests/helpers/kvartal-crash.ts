/**
 * `kvartal` for the crash tests: the real CLI with the crash-test hook installed, killing the process
 * with SIGKILL at the point named by KVARTAL_CRASH_AT (a journal write point, or `after-payment`; several
 * separated by commas: whichever comes first).
 * Only this test entry point reads that variable: `kvartal` itself never installs the hook.
 *
 *   KVARTAL_CRASH_AT=seller-hold node tests/helpers/kvartal-crash.ts node --config seller.yaml
 */
import { setCrashHook } from '@kvartal/node/testing'
import { ENERGY_WRITE_POINTS, MOBILITY_WRITE_POINTS, OTHER_CRASH_POINTS } from '@kvartal/node'

const point = process.env.KVARTAL_CRASH_AT
if (point == null || point === '') throw new Error('kvartal-crash.ts: set KVARTAL_CRASH_AT to the point to die at')
// one point, or several separated by commas (the process dies at whichever it reaches first); each must
// be a listed crash point (packages/node/src/write-points.ts), so a misspelt one fails at once
const known = new Set<string>([...ENERGY_WRITE_POINTS, ...MOBILITY_WRITE_POINTS, ...OTHER_CRASH_POINTS])
const points = new Set(point.split(','))
for (const p of points)
  if (!known.has(p)) throw new Error(`kvartal-crash.ts: ${p} is not a crash point (packages/node/src/write-points.ts)`)
setCrashHook(p => {
  if (points.has(p)) process.kill(process.pid, 'SIGKILL')
})
const { main } = await import('@kvartal/cli')
process.exitCode = await main(process.argv.slice(2))
