/**
 * One run of a sweep, in a process of its own (runner.ts forks it): it receives the run's scenario,
 * runs it with `runScenario` as `kvartal sim` does, and answers with the run's KPIs or its error, then
 * exits. A process per run keeps runs apart: one's memory, timers or crash cannot touch another's, and
 * every run starts from the same fresh process, so a run depends only on its scenario and seed.
 */
import type { Scenario } from '../scenario.ts'

/** What the runner sends: the run's validated scenario, and where its own outputs go (--keep-runs). */
export interface RunRequest {
  readonly scenario: Scenario
  readonly outDir?: string
}
/** What the child answers. */
export type RunAnswer = { readonly kpis: Record<string, number | null> } | { readonly error: string }

// the runner is gone (stopped, killed): so is its run. Listened to before the simulator's modules load
// (seconds on a busy machine), so that a runner stopped meanwhile is not missed
process.once('disconnect', () => process.exit(1))

// a simulating process bounds Node's Buffer slabs as `kvartal sim` does (packages/cli/src/sim-memory.ts);
// the heap flags come with the execArgv the runner forks with
Buffer.poolSize = 8 * 1024

const send = async (m: RunAnswer): Promise<void> => {
  await new Promise<void>(resolve => process.send!(m, () => resolve()))
}

process.once('message', (req: RunRequest) => {
  void (async () => {
    try {
      const { runScenario } = await import('../run-scenario.ts')
      const { kpiValues } = await import('./kpis.ts')
      const r = await runScenario(req.scenario, req.outDir != null ? { outDir: req.outDir } : {})
      await send({ kpis: kpiValues(r) })
    } catch (err) {
      const e = err as Error
      await send({ error: `${e.name ?? 'Error'}: ${e.message ?? String(err)}` })
    }
    // the run's hosts are stopped; anything left (a timer, a socket) must not keep the process
    process.exit(0)
  })()
})
