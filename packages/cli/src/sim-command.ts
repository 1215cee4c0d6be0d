import { join } from 'node:path'
import { ConfigError } from '@kvartal/protocol'
import { defaultScenario, loadScenario, progressBar, runScenario, summaryTable, validateScenario, writeReport } from '@kvartal/sim'

/** `kvartal sim`'s options, parsed and typed by the command line (program.ts). */
export interface SimOptions {
  readonly transport?: 'memory' | 'tcp'
  readonly out?: string
  readonly slots?: number
  readonly quiet?: boolean
  readonly workers?: number
  /** false (`--no-report`): no report.html */
  readonly report?: boolean
}

export async function simCommand (positionals: readonly string[], values: SimOptions): Promise<number> {
  if (positionals.length > 1) throw new ConfigError('arguments', 'kvartal sim takes at most one scenario file')
  let scenario = positionals[0] != null ? await loadScenario(positionals[0]) : validateScenario(defaultScenario)
  if (values.slots != null) {
    scenario = validateScenario({ ...scenario, slots: { ...scenario.slots, count: values.slots }, buildings: scenario.buildings.list != null ? { list: scenario.buildings.list } : { generate: scenario.buildings.generate } })
  }
  const workers = values.workers ?? 1
  const outDir = values.out ?? join('out', `${scenario.district}-${scenario.date}`)
  const transport = (values.transport ?? scenario.transport) as 'memory' | 'tcp'
  if (workers > 1 && values.transport === 'memory') throw new ConfigError('--transport', 'processes reach each other over TCP: --workers above 1 needs the tcp transport')
  const quiet = values.quiet === true
  if (!quiet) process.stderr.write(`simulating ${scenario.district}: ${scenario.buildings.list?.length ?? scenario.buildings.generate?.count} buildings, ${scenario.slots.count} slots, ${workers > 1 ? `${workers} processes over tcp` : `${transport} transport`}\n`)
  const result = await runScenario(scenario, { outDir, transport, workers, onProgress: quiet ? undefined : progressBar(process.stderr) })
  process.stdout.write(summaryTable(result) + '\n')
  process.stdout.write(`results     ${join(outDir, 'results.json')}\ntrace       ${join(outDir, 'trace.ndjson')}\n`)
  // made from the files just written, as `kvartal report <dir>` makes it again
  if (values.report !== false) process.stdout.write(`report      ${await writeReport(outDir)}\n`)
  return 0
}
