/**
 * `kvartal` for the crash tests: the real CLI with the crash-test hook installed, killing the process
 * with SIGKILL at the point named by KVARTAL_CRASH_AT (a journal write point, or `after-payment`).
 * Only this test entry point reads that variable: `kvartal` itself never installs the hook.
 *
 *   KVARTAL_CRASH_AT=seller-hold node tests/helpers/kvartal-crash.ts node --config seller.yaml
 */
import { installCrashAt } from '@kvartal/node/testing'

const point = process.env.KVARTAL_CRASH_AT
if (point == null || point === '') throw new Error('kvartal-crash.ts: set KVARTAL_CRASH_AT to the point to die at')
installCrashAt(point)
const { main } = await import('../../packages/cli/src/main.ts')
process.exitCode = await main(process.argv.slice(2))
