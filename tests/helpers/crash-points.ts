import { ENERGY_WRITE_POINTS, MOBILITY_WRITE_POINTS, OTHER_CRASH_POINTS } from '@kvartal/node'
import { setCrashHook } from '@kvartal/node/testing'

/**
 * For a test's driver process (energy-process.ts, mobility-process.ts): KVARTAL_CRASH_AT=a,b kills this
 * process with SIGKILL at the first journal write at any of those points (packages/node/src/write-points.ts);
 * KVARTAL_CRASH_SKIP=n lets the first n writes at those points pass. An unknown point is refused.
 */
export function installCrashHook(driver: string): void {
  const at = process.env.KVARTAL_CRASH_AT
  if (at == null || at === '') return
  const known = new Set<string>([...ENERGY_WRITE_POINTS, ...MOBILITY_WRITE_POINTS, ...OTHER_CRASH_POINTS])
  const points = new Set(at.split(','))
  for (const p of points) if (!known.has(p)) throw new Error(`${driver}: ${p} is not a crash point (packages/node/src/write-points.ts)`)
  let skip = Number(process.env.KVARTAL_CRASH_SKIP ?? '0')
  setCrashHook(p => {
    if (points.has(p) && skip-- <= 0) process.kill(process.pid, 'SIGKILL')
  })
}
