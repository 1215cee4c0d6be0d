import { createServer } from 'node:http'
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyError, type FastifyReply } from 'fastify'
import { ConfigError } from '@kvartal/protocol'
import { answer, sendAnswer, type Route } from './control-server.ts'
import type { NodeMetrics } from './node-metrics.ts'
import type { NodeHealth } from './node-health.ts'

/**
 * The node's observability endpoints, served on its control API (with the token) and on the metrics
 * port (without: a Prometheus scraper or a load balancer's probe cannot send one):
 *   GET /metrics   Prometheus text format (node-metrics.ts)
 *   GET /health    200 while the process answers and its event loop is responsive, else 503
 *   GET /ready     200 once the node trades, has joined the mesh (or is alone by config), its journal
 *                  is open and its ledger answers; else 503. Both say why in a JSON body.
 */
export function observabilityRoutes(metrics: NodeMetrics, health: NodeHealth): Route[] {
  return [
    { method: 'GET', path: '/metrics', handle: async () => answer(200, await metrics.text(), metrics.contentType) },
    {
      method: 'GET',
      path: '/health',
      handle: async () => {
        const h = health.health()
        return answer(h.status === 'ok' ? 200 : 503, h)
      }
    },
    {
      method: 'GET',
      path: '/ready',
      handle: async () => {
        const r = await health.ready()
        return answer(r.status === 'ready' ? 200 : 503, r)
      }
    }
  ]
}

export interface MetricsServer {
  /** where it listens, e.g. http://127.0.0.1:9464 */
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

/**
 * - a scraper, a probe or two and a curl: 16 connections at once is plenty, and bounds what a runaway
 *   client can hold on a small device;
 * - a scrape is answered in milliseconds: 10 s for the headers, 30 s for the whole request.
 */
export const defaultMetricsServerOptions = { maxConnections: 16, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 }

/**
 * Serves the observability routes over plain HTTP on `host:port` (config `metrics.listen`, default
 * 127.0.0.1:9464). No token: bind it to loopback or a management network only. Everything else is 404.
 */
export async function startMetricsServer(o: {
  host: string
  port: number
  routes: readonly Route[]
  onError?: (err: Error, path: string, id: string) => void
}): Promise<MetricsServer> {
  const d = defaultMetricsServerOptions
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    serverFactory: handler =>
      createServer({ headersTimeout: d.headersTimeoutMs, requestTimeout: d.requestTimeoutMs, keepAliveTimeout: 5_000 }, handler),
    frameworkErrors: (err, _req, reply) => {
      void (reply as FastifyReply).code(400).send({ error: { code: 'bad-request', message: err.message } })
    }
  })
  app.server.maxConnections = d.maxConnections
  for (const r of o.routes) {
    app.route({ method: r.method, url: r.path, handler: async (_req, reply) => await sendAnswer(reply, await r.handle({}, {})) })
  }
  app.setNotFoundHandler(
    async (req, reply) =>
      await reply.code(404).send({
        error: {
          code: 'not-found',
          message: `no endpoint ${req.url.split('?')[0]} (this port serves ${o.routes.map(r => r.path).join(', ')})`
        }
      })
  )
  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const id = randomBytes(6).toString('hex')
    o.onError?.(err, req.url.split('?')[0], id)
    return await reply.code(500).send({ error: { code: 'internal', message: `the node could not answer: error ${id} in its log` } })
  })
  try {
    await app.listen({ host: o.host, port: o.port })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    await app.close().catch(() => {})
    const why =
      code === 'EADDRINUSE'
        ? 'the port is in use (another node, or another exporter?)'
        : code === 'EADDRNOTAVAIL'
          ? 'this machine has no such address'
          : code === 'EACCES'
            ? 'not allowed (a port below 1024 needs privileges)'
            : (err as Error).message
    throw new ConfigError('metrics.listen', `cannot listen on ${o.host}:${o.port}: ${why}`)
  }
  const port = (app.server.address() as { port: number }).port
  const host = o.host.includes(':') ? `[${o.host}]` : o.host
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      await app.close()
    }
  }
}
