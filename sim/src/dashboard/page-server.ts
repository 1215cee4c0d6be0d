import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { WebSocket } from 'ws'

/** One file of a page: where it is, and its content type. */
export interface PageFile {
  readonly file: URL
  readonly type: string
}

export interface PageServerOptions {
  /** the page's files by URL path ('/', '/dashboard.js', …); '/echarts.min.js' is always served */
  readonly files: Readonly<Record<string, PageFile>>
  /** 0 (the default): a free port */
  readonly port?: number
  /** 127.0.0.1 unless said otherwise */
  readonly host?: string
  /** a page opened its WebSocket on /ws */
  readonly onSocket: (socket: WebSocket) => void
}

export interface PageServer {
  /** http://<host>:<port>/ */
  readonly url: string
  readonly port: number
  /** closes every socket and stops listening */
  close(): Promise<void>
}

/**
 * A live page's server, shared by `kvartal sim --dashboard` and `kvartal dashboard`: fastify serving the
 * page's files (read once, never cached by the browser), Apache ECharts' one-file bundle from
 * node_modules (the page loads nothing from elsewhere), and a WebSocket on /ws.
 */
export async function startPageServer(o: PageServerOptions): Promise<PageServer> {
  // loaded here, not with @kvartal/sim: only a dashboard pays for them
  const { default: Fastify } = await import('fastify')
  const { default: websocket } = await import('@fastify/websocket')
  const app = Fastify({ logger: false, forceCloseConnections: true })
  await app.register(websocket)
  const files = new Map<string, { body: Buffer; type: string }>()
  for (const [path, f] of Object.entries(o.files)) files.set(path, { body: await readFile(f.file), type: f.type })
  files.set('/echarts.min.js', {
    body: await readFile(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js')),
    type: 'text/javascript; charset=utf-8'
  })
  for (const [path, f] of files)
    app.get(path, async (_req, reply) => await reply.type(f.type).header('cache-control', 'no-store').send(f.body))
  app.get('/ws', { websocket: true }, socket => {
    o.onSocket(socket)
  })
  const host = o.host ?? '127.0.0.1'
  await app.listen({ port: o.port ?? 0, host })
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr != null ? addr.port : (o.port ?? 0)
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    close: async () => {
      for (const c of app.websocketServer?.clients ?? []) c.close()
      await app.close()
    }
  }
}
