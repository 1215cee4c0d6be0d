import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { ConfigError } from '@kvartal/protocol'
import {
  defaultScenario,
  defaultWorkers,
  loadScenario,
  progressBar,
  runScenario,
  startDashboard,
  summaryTable,
  validateScenario,
  writeReport
} from '@kvartal/sim'

/** `kvartal sim`'s options, parsed and typed by the command line (program.ts). */
export interface SimOptions {
  readonly transport?: 'memory' | 'tcp'
  readonly out?: string
  readonly slots?: number
  readonly quiet?: boolean
  readonly workers?: number
  /** false (`--no-report`): no report.html */
  readonly report?: boolean
  /** serve the live dashboard (sim/src/dashboard/) while the run lasts, and after it until SIGINT/SIGTERM */
  readonly dashboard?: boolean
  /** the dashboard's port; 0 or absent: a free one */
  readonly port?: number
  /** the dashboard's clock starts paused */
  readonly paused?: boolean
}

export async function simCommand(positionals: readonly string[], values: SimOptions): Promise<number> {
  if (positionals.length > 1) throw new ConfigError('arguments', 'kvartal sim takes at most one scenario file')
  let scenario = positionals[0] != null ? await loadScenario(positionals[0]) : validateScenario(defaultScenario)
  if (values.slots != null) {
    scenario = validateScenario({
      ...scenario,
      slots: { ...scenario.slots, count: values.slots },
      buildings: scenario.buildings.list != null ? { list: scenario.buildings.list } : { generate: scenario.buildings.generate }
    })
  }
  const transport = (values.transport ?? scenario.transport) as 'memory' | 'tcp'
  // not told: a process per core, at most one per feeder; the memory transport asked for by name keeps one
  const workers = values.workers ?? (values.transport === 'memory' ? 1 : defaultWorkers(scenario, availableParallelism()))
  const outDir = values.out ?? join('out', `${scenario.district}-${scenario.date}`)
  if (workers > 1 && values.transport === 'memory')
    throw new ConfigError('--transport', 'processes reach each other over TCP: --workers above 1 needs the tcp transport')
  const quiet = values.quiet === true
  if (!quiet)
    process.stderr.write(
      `simulating ${scenario.district}: ${scenario.buildings.list?.length ?? scenario.buildings.generate?.count} buildings, ` +
        `${scenario.slots.count} slots, ${workers > 1 ? `${workers} processes over tcp` : `${transport} transport`}\n`
    )
  const bar = quiet ? undefined : progressBar(process.stderr)
  const dash =
    values.dashboard === true ? await startDashboard(scenario, { port: values.port ?? 0, paused: values.paused === true }) : undefined
  if (dash != null)
    process.stderr.write(
      `dashboard   ${dash.url}${values.paused === true ? ' (paused: Resume or Step on the page starts the clock)' : ''}\n`
    )
  const onProgress =
    dash == null
      ? bar
      : async (done: number, total: number): Promise<void> => {
          bar?.(done, total)
          await dash.onProgress(done, total)
        }
  // a run that fails takes its dashboard down with it (an open server would keep the process alive)
  const result = await runScenario(scenario, {
    outDir,
    transport,
    workers,
    onProgress,
    ...(dash != null ? { onEvent: dash.onEvent, onPrepared: dash.onPrepared, onJourney: dash.onJourney } : {})
  }).catch(async (err: unknown) => {
    await dash?.close()
    throw err
  })
  dash?.finish(result)
  process.stdout.write(summaryTable(result) + '\n')
  process.stdout.write(`results     ${join(outDir, 'results.json')}\ntrace       ${join(outDir, 'trace.ndjson')}\n`)
  // made from the files just written, as `kvartal report <dir>` makes it again
  if (values.report !== false) process.stdout.write(`report      ${await writeReport(outDir)}\n`)
  if (dash != null) {
    // the page stays up with the run's final figures until the user stops it
    process.stderr.write(`dashboard   ${dash.url} stays up: Ctrl-C to stop\n`)
    await new Promise<void>(resolve => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await dash.close()
  }
  return 0
}
