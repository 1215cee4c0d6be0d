import { createServer, type Server } from 'node:net'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { Aedes } from 'aedes'
import { runKvartal, type NodeProcess } from './helpers/processes.ts'

// `kvartal node` with `meter.mqtt` against a real broker (aedes on 127.0.0.1): the node signs what the
// meter published, stamped with the meter's time, and a meter that stops publishing makes a gap.

let dir: string
let broker: Aedes
let server: Server
let port: number
const nodes: NodeProcess[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-meter-node-'))
  broker = await Aedes.createBroker()
  server = createServer(broker.handle)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  port = (server.address() as { port: number }).port
})
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop()
  await new Promise<void>(resolve => {
    broker.close(() => resolve())
  })
  await new Promise<void>(resolve => {
    server.close(() => resolve())
  })
  await rm(dir, { recursive: true, force: true })
})

async function publish(topic: string, payload: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false }, e => {
      if (e != null) reject(e)
      else resolve()
    })
  })
}

describe('kvartal node with an MQTT meter', () => {
  it('signs the registers the gateway published at each boundary; refuses what it cannot read; a silent meter makes a gap', {
    timeout: 60_000
  }, async () => {
    const SLOT_MS = 2_000
    const config = join(dir, 'node.yaml')
    await writeFile(
      config,
      stringify({
        district: 'meter-test',
        dataDir: join(dir, 'data'),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        mdns: false,
        slots: { seconds: SLOT_MS / 1000, gateClosureSeconds: 0 },
        market: { ticksPerSlot: 4, tradingWindowSlots: 1, horizonSlots: 2 },
        position: [5_000], // the forecast: it must appear in no reading
        meter: {
          mqtt: {
            url: `mqtt://127.0.0.1:${port}`,
            id: 'mqtt:building-7',
            import: { topic: 'p1/state', path: '$.import_kwh', unit: 'kWh' },
            export: { topic: 'p1/state', path: '$.export_kwh', unit: 'kWh' },
            time: '$.time',
            toleranceSeconds: 1
          }
        }
      })
    )
    const node = runKvartal(['node', '--config', config])
    nodes.push(node)
    await node.waitFor(l => l.event === 'listening', 30_000)
    // the gateway publishes the registers just after each of the next five boundaries (by its own clock),
    // 0.1 kWh drawn per slot; then it falls silent
    const k0 = Math.floor(Date.now() / SLOT_MS) + 2
    await publish('p1/state', '{"time": "garbage"}')
    for (let i = 0; i < 5; i++)
      await publish(
        'p1/state',
        JSON.stringify({
          time: new Date((k0 + i) * SLOT_MS + 300).toISOString(),
          import_kwh: (1234.5 + i * 0.1).toFixed(3),
          export_kwh: '17.760'
        })
      )
    const gap = await node.waitFor(l => l.event === 'meter-gap' && l.slot === k0 + 4, 45_000)
    expect(gap.level).toBe('warn')
    const reads = node.lines.filter(l => l.event === 'meter-read' && l.slot >= k0 && l.slot < k0 + 4)
    expect(reads.map(l => [l.slot, l.energyWh, l.detail])).toEqual([0, 1, 2, 3].map(i => [k0 + i, -100, 'mqtt:building-7']))
    // nothing of the 5000 Wh forecast was ever signed as delivered
    expect(node.lines.some(l => l.event === 'meter-read' && l.energyWh === 5_000)).toBe(false)
    expect(node.lines.find(l => l.event === 'meter-refused')).toMatchObject({ level: 'warn', code: 'bad-time' })
  })

  it('refuses to start on a bad meter section, naming the field', async () => {
    const config = join(dir, 'bad.yaml')
    await writeFile(
      config,
      stringify({
        district: 'meter-test',
        dataDir: join(dir, 'data'),
        position: [0],
        meter: { mqtt: { url: `mqtt://127.0.0.1:${port}`, import: { topic: 't', path: '$', unit: 'kW' } } }
      })
    )
    const bad = runKvartal(['node', '--config', config])
    nodes.push(bad)
    const { code } = await bad.exited
    expect(code).not.toBe(0)
    expect(bad.stderr.join('')).toContain('meter.mqtt.import.unit')
  })
})
