import { ConfigError } from '@kvartal/protocol'
import { chainLines, followChain, playTrace, readTrace, replayResult, replaySummary, startDashboard } from '@kvartal/sim'

/** `kvartal replay`'s options, parsed and typed by the command line (program.ts). */
export interface ReplayOptions {
  /** simulated seconds per second with --dashboard; absent: as fast as the page takes them */
  readonly speed?: string
  readonly dashboard?: boolean
  readonly port?: number
  /** print one trade's (or booking's) causal chain instead of the figures */
  readonly follow?: string
  readonly paused?: boolean
}

function parseSpeed(text: string | undefined): number | undefined {
  if (text == null || text === 'max') return undefined
  const x = Number(text)
  if (!Number.isFinite(x) || x <= 0)
    throw new ConfigError('--speed', `must be a positive number of simulated seconds per second, or max (got "${text}")`)
  return x
}

/**
 * `kvartal replay <trace.ndjson>`: recomputes a run's figures from its trace alone and prints the
 * summary table's rows the trace gives; `--follow <id>` prints one trade's chain across both peers;
 * `--dashboard` plays the events into the live dashboard at `--speed`.
 */
export async function replayCommand(positionals: readonly string[], values: ReplayOptions): Promise<number> {
  if (positionals.length !== 1)
    throw new ConfigError(
      'trace',
      'give the one trace.ndjson `kvartal sim` wrote, e.g. kvartal replay out/trondheim-2026-06-17/trace.ndjson'
    )
  const speed = parseSpeed(values.speed)
  const trace = await readTrace(positionals[0])
  if (values.follow != null) {
    const chain = followChain(trace.events, values.follow)
    if (chain.length === 0)
      throw new ConfigError(
        '--follow',
        `no event of ${positionals[0]} has the correlation or id "${values.follow}" (a negotiation id, a trade id or a package id)`
      )
    process.stdout.write(chainLines(chain).join('\n') + '\n')
    return 0
  }
  const result = replayResult(trace)
  if (values.dashboard !== true) {
    process.stdout.write(replaySummary(result) + '\n')
    return 0
  }
  const dash = await startDashboard(trace.header.scenario, { port: values.port ?? 0, paused: values.paused === true })
  process.stderr.write(
    `dashboard   ${dash.url} (replaying ${trace.events.length} events${speed != null ? ` at ${speed}× simulated time` : ''})\n`
  )
  try {
    await playTrace(trace, dash, speed != null ? { speed } : {})
    process.stdout.write(replaySummary(result) + '\n')
    process.stderr.write(`dashboard   ${dash.url} stays up: Ctrl-C to stop\n`)
    await new Promise<void>(resolve => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
  } finally {
    await dash.close()
  }
  return 0
}
