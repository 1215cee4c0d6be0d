import { createServer } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { chmod, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify'
import { ConfigError } from '@kvartal/protocol'
import { ApiError } from './api-error.ts'
import { CONTROL_FILE, CONTROL_SOCKET, type ControlFile } from './control-file.ts'

export { CONTROL_FILE, CONTROL_SOCKET, type ControlFile } from './control-file.ts'

/** What a handler may need of the request besides its params and body. */
export interface RouteRequest {
  /** the decoded query string (a repeated key: an array) */
  readonly query: Readonly<Record<string, unknown>>
  /** aborts when the caller goes away before its answer (a long poll stops waiting) */
  readonly signal: AbortSignal
}

/** One endpoint: a method, a path (`/packages/:id/cancel`), and a handler of the decoded params and the parsed JSON body. */
export interface Route {
  readonly method: 'GET' | 'POST'
  readonly path: string
  /** a JSON document (200), or a `RawAnswer` (`answer()`): a status or a content type of its own */
  handle(params: Record<string, string>, body: unknown, request?: RouteRequest): Promise<unknown>
}

const RAW = Symbol('kvartal.raw-answer')

/** An answer that is not a 200 JSON document: a readiness 503 with its reasons, Prometheus text. */
export interface RawAnswer {
  readonly [RAW]: true
  readonly status: number
  readonly body: unknown
  readonly contentType?: string
}

/** A handler's answer with its own status (and content type: a string body is sent as it is). */
export function answer(status: number, body: unknown, contentType?: string): RawAnswer {
  return { [RAW]: true, status, body, ...(contentType != null ? { contentType } : {}) }
}

const isRaw = (v: unknown): v is RawAnswer => typeof v === 'object' && v != null && (v as Record<symbol, unknown>)[RAW] === true

/** Sends what a route's handler returned. */
export async function sendAnswer(reply: FastifyReply, out: unknown): Promise<FastifyReply> {
  reply.header('cache-control', 'no-store')
  if (!isRaw(out)) return await reply.send(out)
  if (out.contentType != null) reply.type(out.contentType)
  return await reply.code(out.status).send(out.body)
}

export interface ControlServerOptions {
  readonly dataDir: string
  readonly routes: readonly Route[]
  /** bodies are small JSON documents; anything larger is refused unread */
  readonly maxBodyBytes?: number
  /** connections open at once; one more is closed as it arrives */
  readonly maxConnections?: number
  /** a client must have sent its request's headers within this time */
  readonly headersTimeoutMs?: number
  /** and its whole request (a booking's answer may take longer: this bounds the request, not the answer) */
  readonly requestTimeoutMs?: number
  /** an unexpected failure in a handler (a bug, a ledger down): the node logs it; the caller learns only its id */
  readonly onError?: (err: Error, method: string, path: string, id: string) => void
}

export interface ControlServer {
  /** the socket's path */
  readonly socket: string
  readonly token: string
  /** stops serving and removes control.json and the socket */
  close(): Promise<void>
}

/**
 * - 64 KiB is a hundred times the largest request (a plan request or a reader key);
 * - the CLI opens one connection per command: 32 at once leaves room for scripts and a dashboard, and
 *   bounds what a runaway client can hold (file descriptors, memory) on a small device;
 * - the CLI sends its headers at once: 10 s is for a loaded machine, not for a client that trickles;
 * - a booking runs for seconds (holds, one ledger payment, commits): its answer may take two minutes,
 *   which is the client's own timeout;
 * - Linux limits a socket's path to 107 bytes.
 */
export const defaultControlServerOptions = {
  maxBodyBytes: 64 * 1024,
  maxConnections: 32,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  maxSocketPathBytes: 107
}

function authorised(header: string | undefined, token: Buffer): boolean {
  const m = /^Bearer ([0-9a-f]{64})$/.exec(header ?? '')
  return m != null && timingSafeEqual(Buffer.from(m[1], 'utf8'), token)
}

const errorBody = (e: ApiError): { error: Record<string, string> } => ({
  error: { code: e.code, message: e.message, ...(e.field != null ? { field: e.field } : {}) }
})

/** What the framework itself refused (a body too large, a bad URL, a content it cannot read): always the caller's mistake. */
function frameworkError(err: FastifyError, max: number): ApiError | undefined {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError(413, 'body-too-large', `the request body is limited to ${max} bytes`)
  if (
    typeof err.code === 'string' &&
    err.code.startsWith('FST_') &&
    err.statusCode != null &&
    err.statusCode >= 400 &&
    err.statusCode < 500
  )
    return new ApiError(err.statusCode, 'bad-request', err.message)
  return undefined
}

/**
 * Serves the node's control API on a Unix socket in its data directory (`control.sock`, mode 0600, in a
 * directory only its owner may enter), through fastify, and writes `<dataDir>/control.json` =
 * { socket, token } with mode 0600 (atomically: written aside, then renamed). A socket rather than a
 * TCP port: after a crash, a stale control.json names a path that no other user can take, where a port
 * could be taken by any process and would be sent the token.
 *
 * Every request must carry `Authorization: Bearer <token>`; a caller without it learns nothing but that
 * (no path, no endpoint list). Answers are JSON; errors are `{ error: { code, message, field? } }` with
 * a 4xx status for the caller's mistakes (malformed JSON or URL, unknown fields: 400 with what is wrong)
 * and 500 for ours, which says only an error id: the node logs the rest.
 */
export async function startControlServer(o: ControlServerOptions): Promise<ControlServer> {
  const d = defaultControlServerOptions
  const max = o.maxBodyBytes ?? d.maxBodyBytes
  const socket = join(o.dataDir, CONTROL_SOCKET)
  if (Buffer.byteLength(socket) > d.maxSocketPathBytes)
    throw new ConfigError(
      'dataDir',
      `is too long for the control socket: ${socket} is ${Buffer.byteLength(socket)} bytes, and ` +
        `a Unix socket's path may have ${d.maxSocketPathBytes}; choose a shorter data directory`
    )
  const token = randomBytes(32).toString('hex')
  const tokenBytes = Buffer.from(token, 'utf8')
  const headersTimeout = o.headersTimeoutMs ?? d.headersTimeoutMs
  const app = Fastify({
    logger: false,
    bodyLimit: max,
    forceCloseConnections: true,
    // Node checks header and request deadlines on this interval: a tenth of the deadline keeps them close
    serverFactory: handler =>
      createServer(
        {
          headersTimeout,
          requestTimeout: Math.max(o.requestTimeoutMs ?? d.requestTimeoutMs, headersTimeout),
          keepAliveTimeout: d.keepAliveTimeoutMs,
          connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeout / 10)))
        },
        handler
      ),
    // a URL that does not decode: the caller's mistake, answered as every error is
    frameworkErrors: (err, _req, reply) => {
      void (reply as FastifyReply).code(400).send(errorBody(new ApiError(400, 'bad-request', err.message)))
    }
  })
  app.server.maxConnections = o.maxConnections ?? d.maxConnections

  // bodies are JSON whatever their content type says; an empty body is {}
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, text, done) => {
    if (text === '') {
      done(null, {})
      return
    }
    try {
      done(null, JSON.parse(text as string))
    } catch (err) {
      done(new ApiError(400, 'bad-json', `the request body is not JSON: ${(err as Error).message}`), undefined)
    }
  })

  app.addHook('onRequest', async req => {
    if (!authorised(req.headers.authorization, tokenBytes))
      throw new ApiError(401, 'unauthorized', "send the token of the node's control.json as Authorization: Bearer <token>")
  })

  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    let e = frameworkError(err, max) ?? ApiError.from(err)
    if (e.status >= 500) {
      const id = randomBytes(6).toString('hex')
      o.onError?.(err, req.method, req.routeOptions.url ?? req.url.split('?')[0], id)
      // what failed inside (a message, a path, a stack) stays in the node's log; a ledger's or a
      // peer's refusal (502, 503) is typed and says what to do
      if (e.status === 500) e = new ApiError(500, 'internal', `the node could not answer: error ${id} in its log`)
    }
    void reply.code(e.status).header('cache-control', 'no-store').send(errorBody(e))
  })

  const methodsByPath = new Map<string, Set<string>>()
  for (const r of o.routes) {
    app.route({
      method: r.method,
      url: r.path,
      handler: async (req, reply) => {
        const gone = new AbortController()
        reply.raw.once('close', () => {
          gone.abort()
        })
        const out = await r.handle(req.params as Record<string, string>, r.method === 'POST' ? (req.body ?? {}) : {}, {
          query: (req.query ?? {}) as Record<string, unknown>,
          signal: gone.signal
        })
        return await sendAnswer(reply, out)
      }
    })
    methodsByPath.set(r.path, (methodsByPath.get(r.path) ?? new Set()).add(r.method))
  }
  // a known path with another method is 405, not 404
  for (const [path, allowed] of methodsByPath) {
    const others = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].filter(m => !allowed.has(m))
    app.route({
      method: others,
      url: path,
      handler: async req => {
        throw new ApiError(405, 'method-not-allowed', `${req.method} is not allowed on ${req.url.split('?')[0]}`)
      }
    })
  }
  app.setNotFoundHandler(async req => {
    throw new ApiError(404, 'not-found', `no endpoint ${req.url.split('?')[0]}`)
  })

  // a socket left by a node that was killed: only this data directory's owner can have made it, and the
  // journal's lock, taken before the control API starts, says no other node runs here
  await rm(socket, { force: true })
  await app.listen({ path: socket })
  await chmod(socket, 0o600)
  const file = join(o.dataDir, CONTROL_FILE)
  const aside = `${file}.${process.pid}.tmp`
  await writeFile(aside, JSON.stringify({ socket: CONTROL_SOCKET, token } satisfies ControlFile) + '\n', { mode: 0o600 })
  await chmod(aside, 0o600)
  await rename(aside, file)
  return {
    socket,
    token,
    async close() {
      await rm(file, { force: true })
      await app.close()
      await rm(socket, { force: true })
    }
  }
}
