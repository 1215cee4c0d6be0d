import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { generateSeed, toHex } from '@kvartal/protocol'
import { identityFromSeed } from '@kvartal/mesh'
import { Journal } from '@kvartal/node'
import { runCli, runKvartal, type NodeProcess } from './helpers/processes.ts'
import { parsePrometheusText, sampleValue, type Family } from '@kvartal/cli/testing'

/**
 * Monitoring a running `kvartal node`: two real node processes on 127.0.0.1, each with its metrics
 * port. The buyer starts first, its bootstrap peer not there: /ready says 503 (no peers) until the
 * seller starts and dials it. They trade; /metrics, scraped and parsed as Prometheus would, counts it.
 * The buyer logs at debug, with a meter broker whose URL and password are secrets: none of them, nor
 * its key seed or control token, is ever in its stdout.
 */

let dir: string
const procs: NodeProcess[] = []
let buyer: NodeProcess
let seller: NodeProcess
let buyerMetrics: string
let sellerMetrics: string
let token: string
const PASSWORD = 'hunter2-from-env'
const URL_SECRET = 'hunter2-in-url'

async function nodeConfig(name: string, o: Record<string, unknown>): Promise<string> {
  const path = join(dir, `${name}.yaml`)
  await writeFile(
    path,
    stringify({
      district: 'monitoring-test',
      dataDir: join(dir, name),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [],
      mdns: false,
      slots: { seconds: 6, gateClosureSeconds: 1 },
      strategy: 'fixed-markup',
      limits: { buy: 900_000_000, sell: 400_000_000 },
      market: { ticksPerSlot: 6, tradingWindowSlots: 2, horizonSlots: 3, republishEverySlots: 1, holdSeconds: 3 },
      settlement: { adapter: 'local', periodSlots: 2 },
      metrics: { listen: '127.0.0.1:0' },
      ...o
    })
  )
  return path
}

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  return { status: r.status, body: await r.text(), type: r.headers.get('content-type') }
}
const scrape = async (base: string): Promise<Map<string, Family>> => parsePrometheusText((await get(`${base}/metrics`)).body)

/** Polls `check` until it returns a value (not undefined), for at most `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-monitoring-'))
  // a peer that is not there: the buyer finds nobody until the seller dials it
  const absent = (await identityFromSeed(generateSeed())).peerId.toString()
  const buyerConfig = await nodeConfig('buyer', {
    position: [-200],
    bootstrap: [`/ip4/127.0.0.1/tcp/1/p2p/${absent}`],
    meter: {
      mqtt: {
        url: `mqtt://kvartal:${URL_SECRET}@127.0.0.1:1`,
        username: 'kvartal',
        passwordEnv: 'KV_TEST_MQTT_PASSWORD',
        import: { topic: 'p1/state', path: '$.import_kwh', unit: 'kWh' },
        toleranceSeconds: 0
      }
    }
  })
  buyer = runKvartal(['node', '--config', buyerConfig, '--log-level', 'debug'], { KV_TEST_MQTT_PASSWORD: PASSWORD })
  procs.push(buyer)
  buyerMetrics = String((await buyer.waitFor(l => l.event === 'metrics-listening')).url).replace(/\/metrics$/, '')
  await buyer.waitFor(l => l.event === 'listening')
  token = JSON.parse(await readFile(join(dir, 'buyer', 'control.json'), 'utf8')).token
}, 60_000)

afterAll(async () => {
  await Promise.all(procs.map(async p => await p.stop()))
  await rm(dir, { recursive: true, force: true })
})

describe("a running node's health, readiness and metrics", () => {
  it('/ready is 503 and says why until the node has a peer, then 200; /health is 200 throughout', { timeout: 90_000 }, async () => {
    const before = await get(`${buyerMetrics}/ready`)
    expect(before.status).toBe(503)
    expect(JSON.parse(before.body)).toMatchObject({
      status: 'not-ready',
      state: 'trading',
      checks: {
        node: { ok: true },
        mesh: { ok: false, peers: 0, detail: expect.stringContaining('no peers') },
        journal: { ok: true },
        settlement: { ok: true }
      }
    })
    const health = await get(`${buyerMetrics}/health`)
    expect([health.status, JSON.parse(health.body)]).toEqual([
      200,
      expect.objectContaining({ status: 'ok', checks: { eventLoop: expect.objectContaining({ ok: true }) } })
    ])
    // nothing traded, nothing heard yet
    const quiet = await scrape(buyerMetrics)
    expect(sampleValue(quiet, 'kvartal_trades_total', { side: 'buyer' })).toBe(0)
    expect(sampleValue(quiet, 'kvartal_connected_peers')).toBe(0)
    expect(sampleValue(quiet, 'kvartal_gossip_messages_accepted_total', { kind: 'offer' })).toBeUndefined()

    const addr = (await buyer.waitFor(l => l.event === 'listening')).addrs[0] as string
    seller = runKvartal(['node', '--config', await nodeConfig('seller', { position: [600], bootstrap: [addr] })])
    procs.push(seller)
    sellerMetrics = String((await seller.waitFor(l => l.event === 'metrics-listening')).url).replace(/\/metrics$/, '')
    const ready = await until('the buyer to be ready', async () => {
      const r = await get(`${buyerMetrics}/ready`)
      return r.status === 200 ? r : undefined
    })
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready', checks: { mesh: { ok: true, peers: 1 } } })
    // the seller has a bootstrap peer, so it is not alone by config: it is ready once it trades
    // and has its peer. Its dial can land (and make the buyer ready) before its own node reports
    // 'trading', so this waits for it rather than asking once.
    const sellerReady = await until(
      'the seller to be ready',
      async () => {
        const r = await get(`${sellerMetrics}/ready`)
        return r.status === 200 ? r : undefined
      },
      30_000
    )
    expect(JSON.parse(sellerReady.body)).toMatchObject({ status: 'ready', state: 'trading', checks: { mesh: { ok: true, peers: 1 } } })
  })

  it('counts a real trade, the gossip that led to it, and the settlement after it', { timeout: 120_000 }, async () => {
    const bought = await buyer.waitFor(l => l.event === 'trade-committed' && l.detail === 'buyer', 60_000)
    await seller.waitFor(l => l.event === 'trade-committed' && l.detail === 'seller', 30_000)
    const prices = (): number[] => buyer.lines.filter(l => l.event === 'trade-committed').map(l => l.price as number)

    const b = await scrape(buyerMetrics)
    expect(sampleValue(b, 'kvartal_trades_total', { side: 'buyer' })).toBeGreaterThanOrEqual(1)
    expect(sampleValue(b, 'kvartal_trades_total', { side: 'seller' })).toBe(0)
    expect(sampleValue(b, 'kvartal_energy_traded_watt_hours_total', { side: 'buyer' })).toBeGreaterThanOrEqual(bought.energyWh)
    expect(prices()).toContain(sampleValue(b, 'kvartal_last_trade_price_nanos_per_kwh', { side: 'buyer' }))
    expect(sampleValue(b, 'kvartal_negotiations_total', { outcome: 'committed' })).toBeGreaterThanOrEqual(1)
    expect(sampleValue(b, 'kvartal_gossip_messages_accepted_total', { kind: 'offer' })).toBeGreaterThanOrEqual(1)
    expect(sampleValue(b, 'kvartal_connected_peers')).toBe(1)
    expect(sampleValue(b, 'kvartal_journal_write_duration_seconds_count')).toBeGreaterThanOrEqual(2)
    expect(sampleValue(b, 'kvartal_journal_size_bytes')).toBeGreaterThan(0)
    expect(sampleValue(b, 'kvartal_settlement_trades_pending')).toBeGreaterThanOrEqual(0)
    expect(sampleValue(b, 'kvartal_node_info', { district: 'monitoring-test', settlement: 'local' })).toBe(1)
    expect(sampleValue(b, 'process_cpu_seconds_total')).toBeGreaterThan(0)

    const s = await scrape(sellerMetrics)
    expect(sampleValue(s, 'kvartal_trades_total', { side: 'seller' })).toBeGreaterThanOrEqual(1)
    expect(sampleValue(s, 'kvartal_proposals_answered_total', { answer: 'accepted' })).toBeGreaterThanOrEqual(1)

    // the seller has no meter: every slot is a gap, and a period of two slots settles
    const settled = await until(
      'a settled period on the seller',
      async () => {
        const f = await scrape(sellerMetrics)
        return (sampleValue(f, 'kvartal_settlement_periods_settled_total') ?? 0) >= 1 ? f : undefined
      },
      90_000
    )
    // (the first period may hold one slot only: the node started in its second)
    expect(sampleValue(settled, 'kvartal_meter_gaps_total')).toBeGreaterThanOrEqual(1)
    expect(sampleValue(settled, 'kvartal_settlement_last_settled_period')).toBeGreaterThanOrEqual(0)
    const period = seller.lines.find(l => l.event === 'period-settled')!
    expect(String(period.correlation)).toMatch(/^monitoring-test\/\d+$/)
  })

  it('the control API serves the same, with the token; status shows the meter', { timeout: 90_000 }, async () => {
    const { request } = await import('node:http')
    const viaSocket = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { socketPath: join(dir, 'buyer', 'control.sock'), path: '/metrics', headers: { authorization: `Bearer ${token}` } },
        res => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() })
          })
        }
      )
      req.on('error', reject)
      req.end()
    })
    expect(viaSocket.status).toBe(200)
    expect(sampleValue(parsePrometheusText(viaSocket.body), 'kvartal_trades_total', { side: 'buyer' })).toBeGreaterThanOrEqual(1)
    // the buyer's meter broker is not there: refused, and the slots it misses are gaps
    const status = await until(
      'a meter gap on the buyer',
      async () => {
        const s = await runCli(['status', '-d', join(dir, 'buyer'), '--json'])
        const j = JSON.parse(s.stdout)
        return j.meterStatus?.gaps >= 1 ? j : undefined
      },
      60_000
    )
    expect(status.meterStatus).toMatchObject({ kind: 'mqtt', lastReadingAt: null, samples: 0, readings: 0 })
    expect(Object.values(status.meterStatus.refused as Record<string, number>).reduce((a, n) => a + n, 0)).toBeGreaterThanOrEqual(1)
    const text = await runCli(['status', '-d', join(dir, 'buyer')])
    expect(text.stdout).toMatch(/^meter\s+mqtt .*last reading none since the node started; 0 readings, \d+ gaps/m)
    const f = await scrape(buyerMetrics)
    expect(sampleValue(f, 'kvartal_meter_gaps_total')).toBeGreaterThanOrEqual(1)
  })

  it("the log is pino's JSON lines, and no secret is ever in it", { timeout: 60_000 }, async () => {
    expect((await buyer.stop()).code).toBe(0)
    const out = buyer.stdout!.join('')
    const journal = await Journal.open(join(dir, 'buyer'))
    const seed = toHex((await journal.loadSeed())!)
    await journal.close()
    for (const secret of [PASSWORD, URL_SECRET, seed, token]) expect(out).not.toContain(secret)
    // they were there to leak: the config at debug, and the broker's URL in the meter's refusals
    expect(buyer.lines.find(l => l.event === 'config')?.config.meter).toMatchObject({
      kind: 'mqtt',
      password: '[redacted]',
      url: 'mqtt://[redacted]@127.0.0.1:1'
    })
    expect(buyer.lines.some(l => l.event === 'meter-refused' && l.level === 'warn')).toBe(true)
    // debug: every gossip message received
    expect(buyer.lines.some(l => l.event === 'announcement-received' && l.level === 'debug')).toBe(true)
    for (const l of buyer.lines) {
      expect(l).toMatchObject({
        level: expect.stringMatching(/^(fatal|error|warn|info|debug|trace)$/),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
        event: expect.any(String)
      })
    }
    expect(buyer.lines.at(-1)).toMatchObject({ level: 'info', event: 'exit' })
  })

  it('a bad metrics.listen, or a bad --log-level, is refused naming it', { timeout: 90_000 }, async () => {
    const bad = await nodeConfig('bad', { position: [1], metrics: { listen: '127.0.0.1:99999' } })
    const r = await runCli(['node', '--config', bad])
    // the file, and the line and column of the field's key (config schemas, packages/config)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      new RegExp(
        `^kvartal: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: ` +
          `metrics\\.listen: the port must be a whole number from 0 to 65535, got "99999"\n$`
      )
    )
    const level = await runCli(['node', '--config', bad, '--log-level', 'loud'])
    expect([level.code, level.stderr]).toEqual([2, 'kvartal: --log-level: must be fatal, error, warn, info, debug, trace or silent\n'])
  })
})
