import { setCrashHook } from './crash-hook.ts'

export type { CrashHook } from './crash-hook.ts'
export { setCrashHook } from './crash-hook.ts'

/**
 * For test entry points only: every node this process starts kills the process with SIGKILL at
 * `point` — a journal write point (`buyer-pending`, `seller-hold`, `traveller-paid`, …) or
 * `after-payment` (a period's payment is on the ledger, the period not yet journaled).
 */
export function installCrashAt(point: string): void {
  setCrashHook(p => {
    if (p === point) process.kill(process.pid, 'SIGKILL')
  })
}
