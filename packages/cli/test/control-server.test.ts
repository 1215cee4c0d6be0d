import { mkdtemp, readFile, rm, stat, symlink, chown } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '@kvartal/protocol'
import { startControlServer, type ControlServer, type ControlServerOptions } from '../src/control-server.ts'
import { callNode } from '../src/control-client.ts'
import { journeyRequestOf, journeyRoutes } from '../src/journey-api.ts'
import type { KvartalNode } from '@kvartal/node'
import { ApiError } from '../src/api-error.ts'

let dir: string
let server: ControlServer
let logged: Array<{ err: Error; id: string }>
const auth = (): Record<string, string> => ({ authorization: `Bearer ${server.token}` })

const start = async (o: Partial<ControlServerOptions> = {}): Promise<ControlServer> =>
  await startControlServer({
    dataDir: dir,
    maxBodyBytes: 1024,
    onError: (err, _m, _p, id) => {
      logged.push({ err, id })
    },
    routes: [
      { method: 'POST', path: '/echo', handle: async (_, body) => ({ body }) },
      { method: 'GET', path: '/things/:id', handle: async p => ({ id: p.id }) },
      {
        method: 'GET',
        path: '/field',
        handle: async () => {
          throw new ConfigError('from', 'latitude must be between -90 and 90, got 91')
        }
      },
      {
        method: 'GET',
        path: '/conflict',
        handle: async () => {
          throw new ApiError(409, 'no-journey', 'the plan has no journey')
        }
      },
      {
        method: 'GET',
        path: '/bug',
        handle: async () => {
          throw new TypeError(`cannot read ${dir}/journal/000003.log: x is undefined`)
        }
      }
    ],
    ...o
  })

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-control-'))
  logged = []
  server = await start()
})
afterEach(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

/** One HTTP request over the node's control socket: status and parsed JSON. */
async function ask(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<[number, any]> {
  return await new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: server.socket,
        path,
        method: init.method ?? 'GET',
        headers: { ...init.headers, ...(init.body != null ? { 'content-length': Buffer.byteLength(init.body) } : {}) }
      },
      res => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const t = Buffer.concat(chunks).toString()
          try {
            resolve([res.statusCode!, JSON.parse(t)])
          } catch {
            resolve([res.statusCode!, t])
          }
        })
      }
    )
    req.on('error', reject)
    req.end(init.body)
  })
}
const authed = async (
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {}
): Promise<[number, any]> => await ask(path, { ...init, headers: { ...auth(), ...init.headers } })

/** A raw connection to the control socket; resolves once connected. */
async function raw(): Promise<{ s: Socket; data: string[]; closed: Promise<void> }> {
  const s = connect(server.socket)
  const data: string[] = []
  s.on('data', (d: Buffer) => data.push(d.toString()))
  s.on('error', () => {})
  const closed = new Promise<void>(resolve => s.once('close', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve)
    s.once('error', reject)
  })
  return { s, data, closed }
}

describe('the control server', () => {
  it(
    'listens on control.sock (0600) in the data directory, writes control.json ' +
      '(0600) with the socket and a 32-byte token, and removes both on close',
    async () => {
      const file = join(dir, 'control.json')
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ socket: 'control.sock', token: expect.stringMatching(/^[0-9a-f]{64}$/) })
      expect((await stat(file)).mode & 0o777).toBe(0o600)
      expect(server.socket).toBe(join(dir, 'control.sock'))
      expect((await stat(server.socket)).isSocket()).toBe(true)
      expect((await stat(server.socket)).mode & 0o777).toBe(0o600)
      await server.close()
      expect(existsSync(file)).toBe(false)
      expect(existsSync(join(dir, 'control.sock'))).toBe(false)
      server = await start()
    }
  )

  it('answers only with the token, and tells a caller without it nothing of the data directory or the endpoints', async () => {
    for (const headers of [{}, { authorization: `Bearer ${'0'.repeat(64)}` }, { authorization: 'Basic eDp5' }] as Array<
      Record<string, string>
    >) {
      for (const path of ['/things/1', '/nothing']) {
        const [status, body] = await ask(path, { headers })
        expect([status, body]).toEqual([
          401,
          { error: { code: 'unauthorized', message: "send the token of the node's control.json as Authorization: Bearer <token>" } }
        ])
        expect(JSON.stringify(body)).not.toContain(dir)
      }
    }
    expect(await authed('/things/a%20b')).toEqual([200, { id: 'a b' }])
  })

  it('answers typed JSON errors: unknown path, wrong method, bad JSON, a body too large, a named field, a conflict', async () => {
    expect(await authed('/nothing')).toEqual([404, { error: { code: 'not-found', message: 'no endpoint /nothing' } }])
    expect(await authed('/echo')).toEqual([405, { error: { code: 'method-not-allowed', message: 'GET is not allowed on /echo' } }])
    expect(await authed('/echo', { method: 'POST', body: '{"a":' })).toEqual([
      400,
      { error: { code: 'bad-json', message: expect.stringContaining('not JSON') } }
    ])
    expect(await authed('/echo', { method: 'POST', body: JSON.stringify({ a: 'x'.repeat(2000) }) })).toEqual([
      413,
      { error: { code: 'body-too-large', message: 'the request body is limited to 1024 bytes' } }
    ])
    expect(await authed('/echo', { method: 'POST', body: '{"a":1}' })).toEqual([200, { body: { a: 1 } }])
    expect(await authed('/echo', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } })).toEqual([
      200,
      { body: { a: 1 } }
    ])
    expect(await authed('/echo', { method: 'POST' })).toEqual([200, { body: {} }])
    expect(await authed('/field')).toEqual([
      400,
      { error: { code: 'bad-request', message: 'from: latitude must be between -90 and 90, got 91', field: 'from' } }
    ])
    expect(await authed('/conflict')).toEqual([409, { error: { code: 'no-journey', message: 'the plan has no journey' } }])
  })

  it('malformed input is a 400 with a message, never a 500', async () => {
    const [status, body] = await authed('/things/%E0%A4%A')
    expect(status).toBe(400)
    expect(body).toEqual({ error: { code: 'bad-request', message: expect.any(String) } })
    expect(await authed('/echo', { method: 'POST', body: '\u0000\u0001' })).toEqual([
      400,
      { error: { code: 'bad-json', message: expect.stringContaining('not JSON') } }
    ])
    expect(logged).toEqual([])
  })

  it('a failure inside is a 500 with an error id and nothing of what failed; the node logs the rest under that id', async () => {
    const [status, body] = await authed('/bug')
    expect(status).toBe(500)
    expect(body).toEqual({
      error: { code: 'internal', message: expect.stringMatching(/^the node could not answer: error [0-9a-f]{12} in its log$/) }
    })
    expect(JSON.stringify(body)).not.toContain(dir)
    expect(JSON.stringify(body)).not.toContain('TypeError')
    expect(logged).toHaveLength(1)
    expect(body.error.message).toContain(logged[0].id)
    expect(logged[0].err.message).toContain('x is undefined')
  })

  it('bounds the connections open at once: one more is closed as it arrives, the others are served', async () => {
    await server.close()
    server = await start({ maxConnections: 2 })
    const a = await raw()
    const b = await raw()
    const c = connect(server.socket)
    c.on('error', () => {})
    const cData: string[] = []
    c.on('data', (d: Buffer) => cData.push(d.toString()))
    await new Promise<void>(resolve => c.once('close', () => resolve()))
    expect(cData).toEqual([])
    a.s.write(`GET /things/1 HTTP/1.1\r\nHost: kvartal\r\nAuthorization: Bearer ${server.token}\r\nConnection: close\r\n\r\n`)
    await a.closed
    expect(a.data.join('')).toMatch(/^HTTP\/1\.1 200 [\s\S]*\{"id":"1"\}$/)
    b.s.destroy()
  })

  it('a client that does not finish its headers in time is answered 408 and disconnected', async () => {
    await server.close()
    server = await start({ headersTimeoutMs: 300 })
    const r = await raw()
    r.s.write('GET /things/1 HTTP/1.1\r\nHost: kvartal\r\n')
    await r.closed
    expect(r.data.join('')).toMatch(/^HTTP\/1\.1 408/)
  })

  it("the CLI client: exit 2 for the caller's mistakes, 1 for the node's refusals, a clear line when no node runs", async () => {
    expect(await callNode(dir, 'POST', '/echo', { n: 1 })).toEqual({ body: { n: 1 } })
    await expect(callNode(dir, 'GET', '/field')).rejects.toMatchObject({
      name: 'ControlClientError',
      exitCode: 2,
      message: 'from: latitude must be between -90 and 90, got 91'
    })
    await expect(callNode(dir, 'GET', '/conflict')).rejects.toMatchObject({ exitCode: 1, code: 'no-journey' })
    await server.close()
    await expect(callNode(dir, 'GET', '/status')).rejects.toMatchObject({
      exitCode: 2,
      message: `no control.json in ${dir}: is \`kvartal node\` running there?`
    })
    server = await start()
  })
})

describe('a stale control.json does not lead the token elsewhere', () => {
  /** A server that records every connection it gets (and every byte). */
  const impostor = async (listen: (s: Server) => void): Promise<{ s: Server; got: string[] }> => {
    const got: string[] = []
    const s = createTcpServer(c => {
      got.push('connection')
      c.on('data', (d: Buffer) => got.push(d.toString()))
      c.end()
    })
    await new Promise<void>(resolve => {
      s.once('listening', resolve)
      listen(s)
    })
    return { s, got }
  }

  it('a control.json that names a TCP port (as an older node wrote it): the process on that port is never asked', async () => {
    const token = server.token
    await server.close()
    const { s, got } = await impostor(s => s.listen(0, '127.0.0.1'))
    const { writeFile } = await import('node:fs/promises')
    await writeFile(join(dir, 'control.json'), JSON.stringify({ port: (s.address() as { port: number }).port, token }), { mode: 0o600 })
    await expect(callNode(dir, 'GET', '/status')).rejects.toMatchObject({
      code: 'no-node',
      exitCode: 2,
      message: expect.stringContaining('is stale if the node was killed')
    })
    expect(got).toEqual([])
    await new Promise(resolve => s.close(resolve))
    await rm(join(dir, 'control.json'))
    server = await start()
  })

  it('a control.sock that is a link to another socket is refused before the token is sent', async () => {
    const other = join(dir, 'other.sock')
    const { s, got } = await impostor(s => s.listen(other))
    await rm(server.socket)
    await symlink(other, server.socket)
    await expect(callNode(dir, 'GET', '/status')).rejects.toMatchObject({
      code: 'not-the-node',
      exitCode: 2,
      message: `${server.socket} is not a socket: not sending the token (remove it and restart the node)`
    })
    expect(got).toEqual([])
    await new Promise(resolve => s.close(resolve))
  })

  it.skipIf(process.getuid?.() !== 0)(
    'a control.sock of another user is refused before the token is sent (runs as root, which can give it away)',
    async () => {
      await chown(server.socket, 65534, 65534)
      await expect(callNode(dir, 'GET', '/things/1')).rejects.toMatchObject({
        code: 'not-the-node',
        message: `${server.socket} belongs to user 65534, not to this user: not sending the token`
      })
    }
  )

  it("refuses a data directory too long for a socket's path, naming dataDir", async () => {
    await expect(startControlServer({ dataDir: join(dir, 'x'.repeat(120)), routes: [] })).rejects.toMatchObject({
      name: 'ConfigError',
      field: 'dataDir'
    })
  })
})

describe('a plan request in a JSON body', () => {
  const now = Date.parse('2026-06-17T08:00:00Z')
  it('takes coordinates as objects or "lat,lon", a departure as ISO or ms, modes in any case', () => {
    expect(
      journeyRequestOf(
        {
          from: { lat: 63.43, lon: 10.39 },
          to: '63.44,10.40',
          departAfter: '2026-06-17T08:30:00Z',
          modes: ['bus', 'BICYCLE'],
          maxWalkingM: 800
        },
        now
      )
    ).toEqual({
      from: { lat: 63.43, lon: 10.39 },
      to: { lat: 63.44, lon: 10.4 },
      departAfter: now + 30 * 60_000,
      modes: ['BUS', 'BICYCLE'],
      maxWalkingM: 800,
      travellers: 1
    })
    expect(journeyRequestOf({ from: '1,1', to: '1,2' }, now).departAfter).toBe(now)
    // arrive-by alone: the node chooses where to start searching
    expect(
      journeyRequestOf({ from: '1,1', to: '1,2', arriveBy: now + 3_600_000, avoidModes: 'car', accessibility: ['wheelchair'] }, now)
    ).toEqual({
      from: { lat: 1, lon: 1 },
      to: { lat: 1, lon: 2 },
      arriveBy: now + 3_600_000,
      avoidModes: ['CAR'],
      accessibility: ['WHEELCHAIR'],
      travellers: 1
    })
  })
  it.each([
    [{ to: '1,2' }, 'from'],
    [{ from: { lat: 63.43 }, to: '1,2' }, 'from.lon'],
    [{ from: '1,1', to: '1,2', departAfter: '2026-06-16T08:00:00Z' }, 'departAfter'],
    [{ from: '1,1', to: '1,2', departAfter: 1.5 }, 'departAfter'],
    [{ from: '1,1', to: '1,2', modes: ['BUS', 'ZEPPELIN'] }, 'modes'],
    [{ from: '1,1', to: '1,2', maxWalkingM: -1 }, 'maxWalkingM'],
    [{ from: '1,1', to: '1,2', travellers: 0 }, 'travellers'],
    [{ from: '1,1', to: '1,2', departAfter: now + 60_000, arriveBy: now }, 'arriveBy'],
    [{ from: '1,1', to: '1,2', accessibility: ['step free'] }, 'accessibility'],
    [{ from: '1,1', to: '1,2', avoidModes: [] }, 'avoidModes']
  ])('refuses %j naming %s', (body, field) => {
    expect(() => journeyRequestOf(body, now)).toThrow(expect.objectContaining({ name: 'ConfigError', field }))
  })
  it('the endpoints refuse unknown fields, and booking on a local ledger', async () => {
    const node = { mobility: {} } as unknown as KvartalNode
    const [plan, book] = journeyRoutes(node, { adapter: 'local' })
    await expect(plan.handle({}, { from: '1,1', to: '1,2', via: '1,3' })).rejects.toMatchObject({ status: 400, field: 'via' })
    // the body's schema (schemas/api-body-schemas.ts): a misfit is a 400 naming the field's path, never a 500
    await expect(plan.handle({}, { from: { lat: 'north', lon: 10 }, to: '1,2' })).rejects.toMatchObject({
      status: 400,
      code: 'bad-request',
      field: 'from.lat',
      message: 'from.lat: expected decimal degrees between -90 and 90, got "north"'
    })
    await expect(plan.handle({}, [1, 2])).rejects.toMatchObject({ status: 400, field: '(body)' })
    await expect(book.handle({}, { plan: 'xyz' })).rejects.toMatchObject({ status: 400, field: 'plan' })
    await expect(book.handle({}, { from: '1,1', to: '1,2', pick: 'sideways' })).rejects.toMatchObject({
      name: 'ConfigError',
      field: 'pick'
    })
    await expect(book.handle({}, { from: '1,1', to: '1,2' })).rejects.toMatchObject({ status: 409, code: 'no-shared-ledger' })
    await expect(journeyRoutes({} as KvartalNode, { adapter: 'iota' })[0].handle({}, {})).rejects.toMatchObject({
      status: 409,
      code: 'no-mobility'
    })
  })
})
