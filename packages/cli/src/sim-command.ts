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
      quiet: { type: 'boolean', default: false }
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
  const outDir = values.out ?? join('out', `${scenario.district}-${scenario.date}`)
  const transport = (values.transport ?? scenario.transport) as 'memory' | 'tcp'
  if (!values.quiet) process.stderr.write(`simulating ${scenario.district}: ${scenario.buildings.list?.length ?? scenario.buildings.generate?.count} buildings, ${scenario.slots.count} slots, ${transport} transport\n`)
  const result = await runScenario(scenario, { outDir, transport, onProgress: values.quiet ? undefined : progressBar(process.stderr) })
  process.stdout.write(summaryTable(result) + '\n')
  process.stdout.write(`results     ${join(outDir, 'results.json')}\ntrace       ${join(outDir, 'trace.ndjson')}\n`)
  return 0
}
