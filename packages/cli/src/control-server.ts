import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { chmod, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { ApiError } from './api-error.ts'

/** The file a running node writes into its data directory so that the CLI finds and may talk to it. */
export const CONTROL_FILE = 'control.json'

/** What control.json holds (mode 0600: the token is the only key to the node's control API). */
export interface ControlFile { readonly port: number, readonly token: string }

/** One endpoint: a method, a path pattern with named groups, and a handler of the parsed JSON body. */
export interface Route {
  readonly method: 'GET' | 'POST'
  readonly path: RegExp
  handle(params: Record<string, string>, body: unknown): Promise<unknown>
}

export interface ControlServerOptions {
  readonly dataDir: string
  readonly routes: readonly Route[]
  /** bodies are small JSON documents; anything larger is refused unread */
  readonly maxBodyBytes?: number
  /** an unexpected failure in a handler (a bug, a ledger down): the node logs it */
  readonly onError?: (err: Error, method: string, path: string) => void
}

export interface ControlServer {
  readonly port: number
  readonly token: string
  /** stops serving and removes control.json */
  close(): Promise<void>
}

/**
 * 64 KiB is a hundred times the largest request (a plan request or a reader key); a booking runs for
 * seconds (holds, one ledger payment, commits), so requests may take up to two minutes.
 */
export const defaultControlServerOptions = { maxBodyBytes: 64 * 1024, requestTimeoutMs: 120_000 }

async function readBody (req: IncomingMessage, max: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > max) throw new ApiError(413, 'body-too-large', `the request body is limited to ${max} bytes`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > max) throw new ApiError(413, 'body-too-large', `the request body is limited to ${max} bytes`)
    chunks.push(chunk)
  }
  if (size === 0) return {}
  try { return JSON.parse(Buffer.concat(chunks).toString('utf8')) } catch (err) {
    throw new ApiError(400, 'bad-json', `the request body is not JSON: ${(err as Error).message}`)
  }
}

function send (res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
  res.end(body)
}

function authorised (req: IncomingMessage, token: Buffer): boolean {
  const m = /^Bearer ([0-9a-f]{64})$/.exec(req.headers.authorization ?? '')
  return m != null && timingSafeEqual(Buffer.from(m[1], 'utf8'), token)
}

/**
 * Serves the node's control API on 127.0.0.1 only, on a free port the system picks, and writes
 * `<dataDir>/control.json` = { port, token } with mode 0600 (atomically: written aside, then renamed).
 * Every request must carry `Authorization: Bearer <token>`. Answers are JSON; errors are
 * `{ error: { code, message, field? } }` with a 4xx status for the caller's mistakes and 5xx for ours.
 */
export async function startControlServer (o: ControlServerOptions): Promise<ControlServer> {
  const max = o.maxBodyBytes ?? defaultControlServerOptions.maxBodyBytes
  const token = randomBytes(32).toString('hex')
  const tokenBytes = Buffer.from(token, 'utf8')
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const method = req.method ?? 'GET'
    try {
      if (!authorised(req, tokenBytes)) throw new ApiError(401, 'unauthorized', `send the token of ${join(o.dataDir, CONTROL_FILE)} as Authorization: Bearer <token>`)
      let params: Record<string, string> | undefined
      let pathMatched = false
      let route: Route | undefined
      for (const r of o.routes) {
        const m = r.path.exec(url.pathname)
        if (m == null) continue
        pathMatched = true
        if (r.method !== method) continue
        route = r
        params = Object.fromEntries(Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]))
        break
      }
      if (route == null) throw pathMatched ? new ApiError(405, 'method-not-allowed', `${method} is not allowed on ${url.pathname}`) : new ApiError(404, 'not-found', `no endpoint ${url.pathname}`)
      const body = method === 'POST' ? await readBody(req, max) : {}
      send(res, 200, await route.handle(params!, body))
    } catch (err) {
      const e = ApiError.from(err as Error)
      if (e.status >= 500) o.onError?.(err as Error, method, url.pathname)
      // an unread body would otherwise hold the connection
      if (!req.complete) res.setHeader('connection', 'close')
      send(res, e.status, { error: { code: e.code, message: e.message, ...(e.field != null ? { field: e.field } : {}) } })
    }
  })
  server.requestTimeout = defaultControlServerOptions.requestTimeoutMs
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  const port = (server.address() as AddressInfo).port
  const file = join(o.dataDir, CONTROL_FILE)
  const aside = `${file}.${process.pid}.tmp`
  await writeFile(aside, JSON.stringify({ port, token } satisfies ControlFile) + '\n', { mode: 0o600 })
  await chmod(aside, 0o600)
  await rename(aside, file)
  return {
    port,
    token,
    async close () {
      await rm(file, { force: true })
      await new Promise<void>(resolve => { server.close(() => resolve()); server.closeAllConnections() })
    }
  }
}
