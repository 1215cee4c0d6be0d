import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NodeEvent } from '@kvartal/protocol'
import { validateNodeConfig } from '../src/index.ts'
import { nodeMetrics } from '../src/node-metrics.ts'
import { nodeHealth } from '../src/node-health.ts'
import { nodeLogger } from '../src/node-logger.ts'
import { observabilityRoutes, startMetricsServer } from '../src/metrics-server.ts'
import { startControlServer } from '../src/control-server.ts'
import { parsePrometheusText, sampleValue } from '../testing/prometheus-text.ts'

const base = { district: 'demo', dataDir: './data', position: [100] }
const ev = (e: Partial<NodeEvent> & Pick<NodeEvent, 'type'>): NodeEvent => ({ node: 'ab'.repeat(32), at: 1_700_000_000_000, ...e })

async function get(url: string, o: { socketPath?: string; token?: string } = {}): Promise<{ status: number; type: string; body: string }> {
  return await new Promise((resolve, reject) => {
    const req = request(
      o.socketPath != null ? { socketPath: o.socketPath, path: url, headers: { authorization: `Bearer ${o.token}` } } : url,
      res => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString() })
        })
      }
    )
    req.on('error', reject)
    req.end()
  })
}

describe('metrics.listen in a node config', () => {
  it('is off when absent; "host:port", a port alone (loopback) or {} (127.0.0.1:9464)', () => {
    expect(validateNodeConfig(base, '/tmp').metrics).toBeUndefined()
    expect(validateNodeConfig({ ...base, metrics: {} }, '/tmp').metrics).toEqual({ host: '127.0.0.1', port: 9464 })
    expect(validateNodeConfig({ ...base, metrics: { listen: '0.0.0.0:9100' } }, '/tmp').metrics).toEqual({ host: '0.0.0.0', port: 9100 })
    expect(validateNodeConfig({ ...base, metrics: { listen: 9200 } }, '/tmp').metrics).toEqual({ host: '127.0.0.1', port: 9200 })
    expect(validateNodeConfig({ ...base, metrics: { listen: ':9300' } }, '/tmp').metrics).toEqual({ host: '127.0.0.1', port: 9300 })
    expect(validateNodeConfig({ ...base, metrics: { listen: '[::1]:0' } }, '/tmp').metrics).toEqual({ host: '::1', port: 0 })
  })
  it.each([
    [{ listen: '127.0.0.1' }],
    [{ listen: '127.0.0.1:70000' }],
    [{ listen: '127.0.0.1:-1' }],
    [{ listen: 'metrics.example:9464' }],
    [{ listen: '::1:9464' }],
    [{ listen: true }],
    [{ listen: 9464.5 }]
  ])('refuses %j naming metrics.listen', metrics => {
    expect(() => validateNodeConfig({ ...base, metrics }, '/tmp')).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'metrics.listen' })
    )
  })
  it('refuses unknown fields and a log level pino does not have', () => {
    expect(() => validateNodeConfig({ ...base, metrics: { port: 9464 } }, '/tmp')).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'metrics.port' })
    )
    expect(() => validateNodeConfig({ ...base, metrics: '127.0.0.1:9464' }, '/tmp')).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'metrics' })
    )
    expect(() => validateNodeConfig({ ...base, log: 'verbose' }, '/tmp')).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'log' })
    )
    expect(validateNodeConfig({ ...base, log: 'warn' }, '/tmp').log).toBe('warn')
  })
  it('a port in use is a ConfigError naming metrics.listen', async () => {
    const taken: Server = createServer()
    await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port
    await expect(startMetricsServer({ host: '127.0.0.1', port, routes: [] })).rejects.toMatchObject({
      name: 'ConfigError',
      field: 'metrics.listen',
      message: expect.stringContaining('in use')
    })
    await new Promise(resolve => taken.close(resolve))
  })
})

describe('the metrics registry', () => {
  it("counts the node's events into kvartal_* series that a Prometheus parser reads", async () => {
    const m = nodeMetrics()
    m.observe(ev({ type: 'trade-committed', correlation: 'aa'.repeat(32), energyWh: 200, price: 650_000_000, detail: 'seller' }))
    m.observe(ev({ type: 'trade-committed', correlation: 'bb'.repeat(32), energyWh: 150, price: 640_000_000, detail: 'seller' }))
    m.observe(ev({ type: 'announcement-received', detail: 'offer' }))
    m.observe(ev({ type: 'message-rejected', code: 'expired' }))
    m.observe(ev({ type: 'message-rejected', code: 'bad-signature', detail: 'negotiation stream: forged' }))
    m.observe(ev({ type: 'proposal-received', correlation: 'n1' }))
    m.observe(ev({ type: 'countered', correlation: 'n1' }))
    m.observe(ev({ type: 'accepted', correlation: 'n1' }))
    // the seller's refusal as its buyer sees it: not an answer of this node
    m.observe(ev({ type: 'rejected', correlation: 'n2', code: 'no-capacity' }))
    m.observe(ev({ type: 'meter-gap', slot: 4, detail: 'no meter' }))
    m.observe(ev({ type: 'settlement-failed', correlation: 'demo/3', code: 'transient' }))
    m.observe(ev({ type: 'period-settled', correlation: 'demo/3' }))
    // failures of the node itself: counted by code, apart from negotiations
    m.observe(ev({ type: 'node-error', code: 'tick-failed', detail: 'boom' }))
    m.observe(ev({ type: 'node-error', code: 'close-failed', detail: 'journal: EIO' }))
    m.observe(ev({ type: 'node-error', code: 'close-failed', detail: 'settlement adapter: gone' }))
    const f = parsePrometheusText(await m.text())
    expect(f.get('kvartal_trades_total')?.type).toBe('counter')
    expect(sampleValue(f, 'kvartal_trades_total', { side: 'seller' })).toBe(2)
    expect(sampleValue(f, 'kvartal_trades_total', { side: 'buyer' })).toBe(0)
    expect(sampleValue(f, 'kvartal_energy_traded_watt_hours_total', { side: 'seller' })).toBe(350)
    expect(sampleValue(f, 'kvartal_last_trade_price_nanos_per_kwh', { side: 'seller' })).toBe(640_000_000)
    expect(sampleValue(f, 'kvartal_gossip_messages_accepted_total', { kind: 'offer' })).toBe(1)
    expect(sampleValue(f, 'kvartal_gossip_messages_refused_total', { code: 'expired' })).toBe(1)
    expect(sampleValue(f, 'kvartal_gossip_messages_refused_total', { code: 'bad-signature' })).toBeUndefined()
    expect(sampleValue(f, 'kvartal_negotiation_messages_refused_total', { code: 'bad-signature' })).toBe(1)
    expect(sampleValue(f, 'kvartal_proposals_answered_total', { answer: 'countered' })).toBe(1)
    expect(sampleValue(f, 'kvartal_proposals_answered_total', { answer: 'accepted' })).toBe(1)
    expect(sampleValue(f, 'kvartal_proposals_answered_total', { answer: 'rejected' })).toBeUndefined()
    expect(sampleValue(f, 'kvartal_meter_gaps_total')).toBe(1)
    expect(sampleValue(f, 'kvartal_settlement_periods_settled_total')).toBe(1)
    expect(sampleValue(f, 'kvartal_settlement_last_settled_period')).toBe(3)
    expect(sampleValue(f, 'kvartal_settlement_failures_total', { code: 'transient' })).toBe(1)
    expect(sampleValue(f, 'kvartal_settlement_periods_retrying')).toBe(0)
    expect(f.get('kvartal_journal_write_duration_seconds')?.type).toBe('histogram')
    expect(f.get('kvartal_node_errors_total')?.type).toBe('counter')
    expect(sampleValue(f, 'kvartal_node_errors_total', { code: 'tick-failed' })).toBe(1)
    expect(sampleValue(f, 'kvartal_node_errors_total', { code: 'close-failed' })).toBe(2)
    // every code has its series from the start, at 0, so an alert's increase() has one to read
    expect(sampleValue(f, 'kvartal_node_errors_total', { code: 'journal-write-failed' })).toBe(0)
    expect(sampleValue(f, 'kvartal_node_errors_total', { code: 'stop-failed' })).toBe(0)
    expect(f.get('kvartal_negotiation_failures_total')?.samples ?? []).toEqual([])
    // prom-client's default process metrics
    expect(sampleValue(f, 'process_resident_memory_bytes')).toBeGreaterThan(0)
  })

  it('the Grafana dashboard uses only metric names the registry has, and every panel has one', async () => {
    const dashboard = JSON.parse(await readFile(new URL('../../../deploy/grafana/kvartal-node.json', import.meta.url), 'utf8'))
    const names = new Set(nodeMetrics().names())
    const histograms = new Set(
      nodeMetrics()
        .registry.getMetricsAsArray()
        .filter(m => (m as unknown as { type: string }).type === 'histogram')
        .map(m => (m as unknown as { name: string }).name)
    )
    const exprs: string[] = []
    for (const p of dashboard.panels as Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>) {
      if (p.type === 'row') continue
      expect(p.targets?.length ?? 0, p.title).toBeGreaterThan(0)
      for (const t of p.targets!) exprs.push(t.expr)
    }
    for (const v of dashboard.templating.list as Array<{ query: unknown }>)
      if (typeof v.query === 'object' && v.query != null) exprs.push((v.query as { query: string }).query)
    let checked = 0
    for (const expr of exprs) {
      // everything that is not a function, a keyword, a label or a string: a metric name
      const stripped = expr
        .replace(/label_values\(([^,)]+)(,[^)]*)?\)/g, '$1')
        .replace(/\{[^}]*\}/g, '')
        .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
        .replace(/\[[^\]]*\]/g, '')
      // identifiers not followed by "(" (functions), not keywords, not the exponent of a number (1e9)
      const used = [...stripped.matchAll(/(?<![0-9.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
        .filter(m => !/^\s*\(/.test(stripped.slice(m.index + m[0].length)))
        .map(m => m[0])
      const metrics = used.filter(n => !/^(and|or|unless|bool|offset)$/.test(n))
      expect(metrics.length, expr).toBeGreaterThan(0)
      for (const n of metrics) {
        const family = n.replace(/_(bucket|sum|count)$/, '')
        expect(names.has(n) || (histograms.has(family) && n !== family), `${n} in ${expr}`).toBe(true)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(25)
  })
})

describe("the node's log", () => {
  it('writes one JSON line per call with level and time as words, and never a secret', () => {
    const out: string[] = []
    const destination = new Writable({
      write(chunk, _enc, done) {
        out.push(String(chunk))
        done()
      }
    })
    const { logger, secret } = nodeLogger({ level: 'info', destination: destination as never })
    const seed = 'c0ffee'.repeat(10) + 'abcd'
    const token = 'f00d'.repeat(16)
    secret(seed)
    secret(token)
    logger.info({ event: 'listening', peerId: '12D3KooW' })
    logger.info({ event: 'config', config: { meter: { kind: 'mqtt', url: 'mqtt://kv:hunter2@10.0.0.5:1883', password: 'hunter2' } } })
    logger.warn({ event: 'meter-refused', detail: `MQTT broker mqtts://kv:hunter2@10.0.0.5:8883: refused; seed ${seed}` })
    logger.error({ event: 'control-error', detail: `Bearer ${token}`, token, nested: { seed } })
    logger.debug({ event: 'announcement-received' })
    const lines = out
      .join('')
      .trim()
      .split('\n')
      .map(l => JSON.parse(l))
    expect(lines.map(l => [l.level, l.event])).toEqual([
      ['info', 'listening'],
      ['info', 'config'],
      ['warn', 'meter-refused'],
      ['error', 'control-error']
    ])
    expect(lines[0]).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      event: 'listening',
      peerId: '12D3KooW'
    })
    const text = out.join('')
    for (const s of ['hunter2', seed, token, 'kv:']) expect(text).not.toContain(s)
    expect(lines[1].config.meter).toEqual({ kind: 'mqtt', url: 'mqtt://[redacted]@10.0.0.5:1883', password: '[redacted]' })
    expect(lines[3]).toMatchObject({ detail: 'Bearer [redacted]', token: '[redacted]', nested: { seed: '[redacted]' } })
  })
})

describe('/metrics, /health and /ready on the control API', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvartal-obs-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('serves Prometheus text and a 503 with its reasons before the node has started, only with the token', async () => {
    const metrics = nodeMetrics()
    const health = nodeHealth({ aloneByConfig: false, adapter: 'local' })
    const server = await startControlServer({ dataDir: dir, routes: observabilityRoutes(metrics, health) })
    try {
      const m = await get('/metrics', { socketPath: server.socket, token: server.token })
      expect([m.status, m.type]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8'])
      expect(parsePrometheusText(m.body).has('kvartal_trades_total')).toBe(true)
      const h = await get('/health', { socketPath: server.socket, token: server.token })
      expect([h.status, JSON.parse(h.body)]).toEqual([
        200,
        expect.objectContaining({ status: 'ok', state: 'starting', checks: { eventLoop: expect.objectContaining({ ok: true }) } })
      ])
      const r = await get('/ready', { socketPath: server.socket, token: server.token })
      expect(r.status).toBe(503)
      expect(JSON.parse(r.body)).toMatchObject({
        status: 'not-ready',
        checks: { node: { ok: false, detail: 'the node is starting' }, mesh: { ok: false } }
      })
      expect((await get('/metrics', { socketPath: server.socket, token: '0'.repeat(64) })).status).toBe(401)
    } finally {
      await server.close()
      health.close()
    }
  })
})
