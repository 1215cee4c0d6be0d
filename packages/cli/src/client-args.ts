import { ConfigError } from '@kvartal/protocol'

/** Options every client command takes, as the command line parses them. */
export interface ClientOptions {
  readonly dataDir?: string
  readonly config?: string
  readonly json?: boolean
}

/** The node a client command talks to: `--data-dir <dir>`, or the `dataDir` of `--config <node.yaml>`. */
export async function dataDirOf(values: ClientOptions, example: string): Promise<string> {
  if (values.dataDir != null && values.config != null) throw new ConfigError('--data-dir', 'give --data-dir or --config, not both')
  if (values.dataDir != null) {
    if (values.dataDir === '') throw new ConfigError('--data-dir', 'must be a directory')
    return values.dataDir
  }
  if (values.config != null) {
    const { loadNodeConfig } = await import('./node-config.ts')
    return (await loadNodeConfig(values.config)).dataDir
  }
  throw new ConfigError('--data-dir', `is required: the data directory of a running node, or --config node.yaml (${example})`)
}

/** Writes an answer: as JSON for machines, or as text for people. */
export function output(json: boolean | undefined, value: unknown, text: (v: any) => string): void {
  process.stdout.write(json === true ? JSON.stringify(value, null, 2) + '\n' : text(value))
}
