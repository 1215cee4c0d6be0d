import type { WebSocket } from 'ws'
import { NodeFeed, type FeedMessage } from './node-feed.ts'

export interface NodeDashboardOptions {
  /** the running node's data directory (its control.json and control.sock) */
  readonly dataDir: string
  /** 0 (the default): a free port */
  readonly port?: number
  /** a loopback address (dashboard-command.ts refuses others): 127.0.0.1 unless said otherwise */
  readonly host?: string
}

export interface NodeDashboard {
  readonly url: string
  close(): Promise<void>
}

const page = (file: string, type: string): { file: URL; type: string } => ({ file: new URL(`./public/${file}`, import.meta.url), type })
const files = {
  '/': page('index.html', 'text/html; charset=utf-8'),
  '/node-dashboard.js': page('node-dashboard.js', 'text/javascript; charset=utf-8'),
  '/node-dashboard.css': page('node-dashboard.css', 'text/css; charset=utf-8')
}

/**
 * `kvartal dashboard`'s server: the page (public/), ECharts and a WebSocket, served by the same page
 * server as the simulator's dashboard; every page hears what the node feed hears (node-feed.ts).
 */
export async function startNodeDashboard(o: NodeDashboardOptions): Promise<NodeDashboard> {
  const { startPageServer } = await import('@kvartal/sim/page-server')
  const sockets = new Set<WebSocket>()
  const send = (s: WebSocket, m: FeedMessage): void => {
    if (s.readyState === s.OPEN) s.send(JSON.stringify(m))
  }
  const feed = new NodeFeed({
    dataDir: o.dataDir,
    send: m => {
      for (const s of sockets) send(s, m)
    }
  })
  const server = await startPageServer({
    files,
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    onSocket: socket => {
      sockets.add(socket)
      for (const m of feed.hello()) send(socket, m)
      socket.on('close', () => {
        sockets.delete(socket)
      })
    }
  })
  feed.start()
  return {
    url: server.url,
    close: async () => {
      await feed.close()
      await server.close()
    }
  }
}
