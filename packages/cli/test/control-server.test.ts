import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '@kvartal/protocol'
import { startControlServer, type ControlServer } from '../src/control-server.ts'
import { callNode } from '../src/control-client.ts'
import { journeyRequestOf, journeyRoutes } from '../src/journey-api.ts'
import type { KvartalNode } from '@kvartal/node'
import { ApiError } from '../src/api-error.ts'

let dir: string
let server: ControlServer
const base = (): string => `http://127.0.0.1:${server.port}`
const auth = (): Record<string, string> => ({ authorization: `Bearer ${server.token}` })

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-control-'))
  server = await startControlServer({
    dataDir: dir,
    maxBodyBytes: 1024,
    routes: [
      { method: 'POST', path: /^\/echo$/, handle: async (_, body) => ({ body }) },
      { method: 'GET', path: /^\/things\/(?<id>[^/]+)$/, handle: async (p) => ({ id: p.id }) },
      { method: 'GET', path: /^\/field$/, handle: async () => { throw new ConfigError('from', 'latitude must be between -90 and 90, got 91') } },
      { method: 'GET', path: /^\/conflict$/, handle: async () => { throw new ApiError(409, 'no-journey', 'the plan has no journey') } },
      { method: 'GET', path: /^\/bug$/, handle: async () => { throw new TypeError('x is undefined') } }
    ]
  })
})
afterEach(async () => { await server.close(); await rm(dir, { recursive: true, force: true }) })

describe('the control server', () => {
  it('writes control.json (0600) with its port and a 32-byte token, and removes it on close', async () => {
    const file = join(dir, 'control.json')
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ port: server.port, token: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    await server.close()
    expect(existsSync(file)).toBe(false)
    server = await startControlServer({ dataDir: dir, routes: [] })
  })

  it('answers only with the token', async () => {
    expect((await fetch(`${base()}/things/1`)).status).toBe(401)
    expect((await fetch(`${base()}/things/1`, { headers: { authorization: `Bearer ${'0'.repeat(64)}` } })).status).toBe(401)
    const ok = await fetch(`${base()}/things/a%20b`, { headers: auth() })
    expect([ok.status, await ok.json()]).toEqual([200, { id: 'a b' }])
  })

  it('answers typed JSON errors: unknown path, wrong method, bad JSON, a body too large, a named field, a conflict, a bug', async () => {
    const ask = async (path: string, init: RequestInit = {}): Promise<[number, unknown]> => { const r = await fetch(`${base()}${path}`, { ...init, headers: { ...auth(), ...init.headers } }); return [r.status, await r.json()] }
    expect(await ask('/nothing')).toEqual([404, { error: { code: 'not-found', message: 'no endpoint /nothing' } }])
    expect(await ask('/echo')).toEqual([405, { error: { code: 'method-not-allowed', message: 'GET is not allowed on /echo' } }])
    expect(await ask('/echo', { method: 'POST', body: '{"a":' })).toEqual([400, { error: { code: 'bad-json', message: expect.stringContaining('not JSON') } }])
    expect(await ask('/echo', { method: 'POST', body: JSON.stringify({ a: 'x'.repeat(2000) }) })).toEqual([413, { error: { code: 'body-too-large', message: 'the request body is limited to 1024 bytes' } }])
    expect(await ask('/echo', { method: 'POST', body: '{"a":1}' })).toEqual([200, { body: { a: 1 } }])
    expect(await ask('/field')).toEqual([400, { error: { code: 'bad-request', message: 'from: latitude must be between -90 and 90, got 91', field: 'from' } }])
    expect(await ask('/conflict')).toEqual([409, { error: { code: 'no-journey', message: 'the plan has no journey' } }])
    expect(await ask('/bug')).toEqual([500, { error: { code: 'internal', message: 'TypeError: x is undefined' } }])
  })

  it('the CLI client: exit 2 for the caller\'s mistakes, 1 for the node\'s refusals, a clear line when no node runs', async () => {
    expect(await callNode(dir, 'POST', '/echo', { n: 1 })).toEqual({ body: { n: 1 } })
    await expect(callNode(dir, 'GET', '/field')).rejects.toMatchObject({ name: 'ControlClientError', exitCode: 2, message: 'from: latitude must be between -90 and 90, got 91' })
    await expect(callNode(dir, 'GET', '/conflict')).rejects.toMatchObject({ exitCode: 1, code: 'no-journey' })
    await server.close()
    await expect(callNode(dir, 'GET', '/status')).rejects.toMatchObject({ exitCode: 2, message: `no control.json in ${dir}: is \`kvartal node\` running there?` })
    server = await startControlServer({ dataDir: dir, routes: [] })
  })
})

describe('a plan request in a JSON body', () => {
  const now = Date.parse('2026-06-17T08:00:00Z')
  it('takes coordinates as objects or "lat,lon", a departure as ISO or ms, modes in any case', () => {
    expect(journeyRequestOf({ from: { lat: 63.43, lon: 10.39 }, to: '63.44,10.40', departAfter: '2026-06-17T08:30:00Z', modes: ['bus', 'BICYCLE'], maxWalkingM: 800 }, now))
      .toEqual({ from: { lat: 63.43, lon: 10.39 }, to: { lat: 63.44, lon: 10.4 }, departAfter: now + 30 * 60_000, modes: ['BUS', 'BICYCLE'], maxWalkingM: 800, travellers: 1 })
    expect(journeyRequestOf({ from: '1,1', to: '1,2' }, now).departAfter).toBe(now)
    // arrive-by alone: the node chooses where to start searching
    expect(journeyRequestOf({ from: '1,1', to: '1,2', arriveBy: now + 3_600_000, avoidModes: 'car', accessibility: ['wheelchair'] }, now))
      .toEqual({ from: { lat: 1, lon: 1 }, to: { lat: 1, lon: 2 }, arriveBy: now + 3_600_000, avoidModes: ['CAR'], accessibility: ['WHEELCHAIR'], travellers: 1 })
  })
  it.each([
    [{ to: '1,2' }, 'from'],
    [{ from: { lat: 63.43 }, to: '1,2' }, 'from'],
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
    await expect(book.handle({}, { from: '1,1', to: '1,2', pick: 'sideways' })).rejects.toMatchObject({ name: 'ConfigError', field: 'pick' })
    await expect(book.handle({}, { from: '1,1', to: '1,2' })).rejects.toMatchObject({ status: 409, code: 'no-shared-ledger' })
    await expect(journeyRoutes({} as KvartalNode, { adapter: 'iota' })[0].handle({}, {})).rejects.toMatchObject({ status: 409, code: 'no-mobility' })
  })
})
