import { ConfigError } from '@kvartal/protocol'

/** The node a client command talks to: `--data-dir <dir>`, or the `dataDir` of `--config <node.yaml>`. */
export async function dataDirOf (values: { 'data-dir'?: string, config?: string }, example: string): Promise<string> {
  if (values['data-dir'] != null && values.config != null) throw new ConfigError('--data-dir', 'give --data-dir or --config, not both')
  if (values['data-dir'] != null) {
    if (values['data-dir'] === '') throw new ConfigError('--data-dir', 'must be a directory')
    return values['data-dir']
  }
  if (values.config != null) {
    const { loadNodeConfig } = await import('./node-config.ts')
    return (await loadNodeConfig(values.config)).dataDir
  }
  throw new ConfigError('--data-dir', `is required: the data directory of a running node, or --config node.yaml (${example})`)
}

/** Options every client command takes. */
export const clientOptions = {
  'data-dir': { type: 'string', short: 'd' },
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean', default: false }
} as const

/** Writes an answer: as JSON for machines, or as text for people. */
export function output (json: boolean, value: unknown, text: (v: any) => string): void {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : text(value))
}
