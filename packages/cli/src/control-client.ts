import { lstat, readFile } from 'node:fs/promises'
import { request } from 'node:http'
import { join, resolve } from 'node:path'
import { KvartalError } from '@kvartal/protocol'
import { CONTROL_FILE, CONTROL_SOCKET } from './control-file.ts'

/**
 * The CLI could not get an answer it can use from the node: no node, a stale control.json, or the node
 * said no. `exitCode` is 2 when the caller's input was wrong (a 4xx the node named a field for, a
 * missing node) and 1 when the node could not do it (a refused booking, a ledger down).
 */
export class ControlClientError extends KvartalError {
  readonly exitCode: number
  readonly status?: number
  constructor(code: string, message: string, exitCode: number, status?: number) {
    super(code, message)
    this.exitCode = exitCode
    if (status != null) this.status = status
    this.name = 'ControlClientError'
  }
}

/** A booking runs for seconds (holds, a ledger payment, commits); a node that says nothing in two minutes is stuck. */
export const defaultControlClientOptions = { timeoutMs: 120_000 }

/** The token in control.json (the socket is always `control.sock` beside it, whatever the file says). */
async function controlToken(dataDir: string): Promise<string> {
  const file = join(dataDir, CONTROL_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT')
      throw new ControlClientError('no-node', `no ${CONTROL_FILE} in ${resolve(dataDir)}: is \`kvartal node\` running there?`, 2)
    throw new ControlClientError(
      'no-node',
      `cannot read ${file}: ${code ?? (err as Error).message} (it is readable by the node's user only)`,
      2
    )
  }
  try {
    const c = JSON.parse(text) as { token?: unknown }
    if (typeof c.token === 'string' && /^[0-9a-f]{64}$/.test(c.token)) return c.token
  } catch {}
  throw new ControlClientError('no-node', `${file} is not what \`kvartal node\` writes: remove it and restart the node`, 2)
}

/**
 * Who answers, checked before the token is sent: the control socket must be a socket (not a link to
 * elsewhere) owned by this user. A stale one (the node was killed) refuses the connection.
 */
async function controlSocket(dataDir: string): Promise<string> {
  const socket = join(dataDir, CONTROL_SOCKET)
  let st: Awaited<ReturnType<typeof lstat>>
  try {
    st = await lstat(socket)
  } catch {
    throw new ControlClientError(
      'no-node',
      `nothing answers at ${socket}: is \`kvartal node\` running there? (${CONTROL_FILE} is stale if the node was killed)`,
      2
    )
  }
  if (!st.isSocket())
    throw new ControlClientError('not-the-node', `${socket} is not a socket: not sending the token (remove it and restart the node)`, 2)
  if (process.getuid != null && st.uid !== process.getuid())
    throw new ControlClientError('not-the-node', `${socket} belongs to user ${st.uid}, not to this user: not sending the token`, 2)
  return socket
}

/** One request to the node whose data directory is `dataDir`; the parsed JSON answer. `signal` abandons it (a client that stops). */
export async function callNode(
  dataDir: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  o: { signal?: AbortSignal } = {}
): Promise<any> {
  const token = await controlToken(dataDir)
  const socket = await controlSocket(dataDir)
  const payload = body == null ? undefined : Buffer.from(JSON.stringify(body))
  const answer = await new Promise<{ status: number; text: string }>((resolveAnswer, reject) => {
    const req = request(
      {
        socketPath: socket,
        method,
        path,
        headers: {
          host: 'kvartal',
          authorization: `Bearer ${token}`,
          ...(payload != null ? { 'content-type': 'application/json', 'content-length': payload.length } : {})
        },
        signal:
          o.signal != null
            ? AbortSignal.any([o.signal, AbortSignal.timeout(defaultControlClientOptions.timeoutMs)])
            : AbortSignal.timeout(defaultControlClientOptions.timeoutMs)
      },
      res => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => chunks.push(d))
        res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      }
    )
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT')
        reject(
          new ControlClientError(
            'no-node',
            `nothing answers at ${socket}: is \`kvartal node\` running there? (${CONTROL_FILE} is stale if the node was killed)`,
            2
          )
        )
      else if (err.name === 'TimeoutError' || err.name === 'AbortError')
        reject(
          new ControlClientError(
            'timeout',
            `the node did not answer ${method} ${path} within ${defaultControlClientOptions.timeoutMs / 1000} s`,
            1
          )
        )
      else reject(new ControlClientError('transport', `${method} ${path}: ${err.message}`, 1))
    })
    req.end(payload)
  })
  let parsed: any
  try {
    parsed = JSON.parse(answer.text)
  } catch {
    throw new ControlClientError(
      'bad-answer',
      `the node answered ${method} ${path} with HTTP ${answer.status} and no JSON`,
      1,
      answer.status
    )
  }
  if (answer.status >= 200 && answer.status < 300) return parsed
  const e = parsed?.error as { code?: string; message?: string } | undefined
  const code = e?.code ?? `http-${answer.status}`
  // the caller's mistake (a field, an unknown id) exits 2, like any bad input; the node's refusal exits 1
  const exitCode = answer.status === 400 || answer.status === 401 || answer.status === 404 || answer.status === 413 ? 2 : 1
  throw new ControlClientError(code, e?.message ?? `HTTP ${answer.status}`, exitCode, answer.status)
}

/**
 * What the node running on `dataDir` answers, or undefined when none runs there (no control.json, or
 * nothing answers where it says): the caller then reads the data directory itself.
 */
export async function askRunningNode(dataDir: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
  try {
    return await callNode(dataDir, method, path, body)
  } catch (err) {
    if (err instanceof ControlClientError && err.code === 'no-node') return undefined
    throw err
  }
}
