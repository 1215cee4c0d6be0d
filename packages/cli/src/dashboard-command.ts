import { isIP } from 'node:net'
import { ConfigError } from '@kvartal/protocol'
import { dataDirOf, type ClientOptions } from './client-args.ts'

export interface DashboardCommandOptions extends ClientOptions {
  readonly port?: number
  readonly host?: string
}

/**
 * The dashboard listens on loopback only: it shows what the control API's token opens, without asking
 * for it. Elsewhere, an SSH tunnel brings it (README "A node's own dashboard").
 */
export function loopbackHost(host: string): string {
  const h = host.replace(/^\[(.*)\]$/, '$1')
  if (h === 'localhost') return '127.0.0.1'
  if ((isIP(h) === 4 && h.startsWith('127.')) || h === '::1') return h
  throw new ConfigError(
    '--host',
    `must be a loopback address (127.0.0.1, ::1), got "${host}": the page shows what the node's control ` +
      `token opens; reach it from elsewhere over an SSH tunnel (ssh -L 8080:127.0.0.1:<port> <device>)`
  )
}

/**
 * `kvartal dashboard [--config F | --data-dir D] [--port N] [--host 127.0.0.1]`: a live page of the
 * node running on that data directory, until Ctrl-C. A node that is not running (yet, or any more) is
 * said on the page and asked again every second.
 */
export async function dashboardCommand(values: DashboardCommandOptions): Promise<number> {
  const dataDir = await dataDirOf(values, 'kvartal dashboard --data-dir <dir>')
  const host = loopbackHost(values.host ?? '127.0.0.1')
  const { startNodeDashboard } = await import('./node-dashboard/server.ts')
  const dash = await startNodeDashboard({ dataDir, host, port: values.port ?? 0 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES')
      throw new ConfigError(
        '--port',
        `cannot listen on ${host}:${values.port}: ` +
          `${err.code === 'EADDRINUSE' ? 'the port is in use' : 'not allowed (a port below 1024 needs privileges)'}`
      )
    throw err
  })
  process.stderr.write(`dashboard   ${dash.url} (node ${dataDir}; Ctrl-C to stop)\n`)
  await new Promise<void>(resolve => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await dash.close()
  return 0
}
