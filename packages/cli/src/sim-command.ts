import { parseArgs } from 'node:util'
import { join } from 'node:path'
import { ConfigError } from '@kvartal/protocol'
import { defaultScenario, loadScenario, progressBar, runScenario, summaryTable, validateScenario } from '@kvartal/sim'

export async function simCommand (argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      transport: { type: 'string' },
      out: { type: 'string' },
      slots: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      workers: { type: 'string' }
    }
  })
  if (positionals.length > 1) throw new ConfigError('arguments', 'kvartal sim takes at most one scenario file')
  let scenario = positionals[0] != null ? await loadScenario(positionals[0]) : validateScenario(defaultScenario)
  if (values.transport != null && values.transport !== 'memory' && values.transport !== 'tcp') throw new ConfigError('--transport', 'must be memory or tcp')
  if (values.slots != null) {
    const n = Number(values.slots)
    if (!/^\d+$/.test(values.slots) || n < 1) throw new ConfigError('--slots', `must be a whole number of slots, at least 1, got "${values.slots}"`)
    scenario = validateScenario({ ...scenario, slots: { ...scenario.slots, count: n }, buildings: scenario.buildings.list != null ? { list: scenario.buildings.list } : { generate: scenario.buildings.generate } })
  }
  let workers = 1
  if (values.workers != null) {
    workers = Number(values.workers)
    if (!/^\d+$/.test(values.workers) || workers < 1) throw new ConfigError('--workers', `must be a whole number of processes, at least 1, got "${values.workers}"`)
  }
  const outDir = values.out ?? join('out', `${scenario.district}-${scenario.date}`)
  const transport = (values.transport ?? scenario.transport) as 'memory' | 'tcp'
  if (workers > 1 && values.transport === 'memory') throw new ConfigError('--transport', 'processes reach each other over TCP: --workers above 1 needs the tcp transport')
  if (!values.quiet) process.stderr.write(`simulating ${scenario.district}: ${scenario.buildings.list?.length ?? scenario.buildings.generate?.count} buildings, ${scenario.slots.count} slots, ${workers > 1 ? `${workers} processes over tcp` : `${transport} transport`}\n`)
  const result = await runScenario(scenario, { outDir, transport, workers, onProgress: values.quiet ? undefined : progressBar(process.stderr) })
  process.stdout.write(summaryTable(result) + '\n')
  process.stdout.write(`results     ${join(outDir, 'results.json')}\ntrace       ${join(outDir, 'trace.ndjson')}\n`)
  return 0
}
