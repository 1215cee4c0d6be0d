import { createServer, type Server } from 'node:net'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Aedes } from 'aedes'
import { decodeReading, fromHex, slotEnd, slotStart, verifyReadingChain } from '@kvartal/protocol'
import { identityFromSeed } from '@kvartal/mesh'
import { Journal, PeriodSettler, SlotMeter, type KvartalNodeOptions } from '@kvartal/node'
import { MqttMeter } from '../src/index.ts'
import { collector } from './sample-collector.ts'

// The MQTT meter against a real broker (aedes, in process, on a TCP port of 127.0.0.1), with payloads
// shaped as the gateways publish them: Tibber's live measurement (JSON, kWh, a timestamp), Shelly EM
// (one topic per register, bare Wh numbers, no timestamp).

let broker: Aedes
let server: Server
let url: string
let dir: string
const stops: Array<() => Promise<unknown>> = []

beforeEach(async () => {
  broker = await Aedes.createBroker()
  server = createServer(broker.handle)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`
  dir = await mkdtemp(join(tmpdir(), 'kvartal-mqtt-'))
})
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
  await new Promise<void>(resolve => {
    broker.close(() => resolve())
  })
  await new Promise<void>(resolve => {
    server.close(() => resolve())
  })
  await rm(dir, { recursive: true, force: true })
})

async function publish(topic: string, payload: unknown): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    broker.publish(
      {
        cmd: 'publish',
        topic,
        payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
        qos: 0,
        retain: false,
        dup: false
      },
      err => {
        if (err != null) reject(err)
        else resolve()
      }
    )
  })
}

describe('MQTT meter', () => {
  it("reads a Tibber-style live measurement: JSON paths, kWh to whole Wh exactly, the gateway's timestamp", async () => {
    const meter = new MqttMeter({
      url,
      id: 'mqtt:tibber/pulse',
      import: { topic: 'tibber/pulse/live', path: '$.data.liveMeasurement.lastMeterConsumption', unit: 'kWh' },
      export: { topic: 'tibber/pulse/live', path: 'data.liveMeasurement.lastMeterProduction', unit: 'kWh' },
      time: '$.data.liveMeasurement.timestamp',
      toleranceMs: 30_000
    })
    const c = collector()
    await meter.start(c.sink)
    stops.push(async () => {
      await meter.stop()
    })
    await publish('tibber/pulse/live', {
      data: {
        liveMeasurement: {
          timestamp: '2026-06-17T10:00:02.000+02:00',
          power: 1830,
          lastMeterConsumption: 12345.678,
          lastMeterProduction: 4.1
        }
      }
    })
    await c.next('samples', 1)
    expect(c.samples[0]).toEqual({
      meterId: 'mqtt:tibber/pulse',
      at: Date.parse('2026-06-17T08:00:02Z'),
      importWh: 12_345_678,
      exportWh: 4_100
    })
  })

  it("joins Shelly EM's two register topics (Wh, no timestamp: the arrival time) and refuses and counts what it cannot read", async () => {
    let now = 1_000_000
    const meter = new MqttMeter({
      url,
      import: { topic: 'shellies/shellyem-B9E1/emeter/0/total', path: '$', unit: 'Wh' },
      export: { topic: 'shellies/shellyem-B9E1/emeter/0/total_returned', path: '', unit: 'Wh' },
      toleranceMs: 30_000,
      now: () => now
    })
    const c = collector()
    await meter.start(c.sink)
    stops.push(async () => {
      await meter.stop()
    })
    await publish('shellies/shellyem-B9E1/emeter/0/total', '52345.7')
    await publish('shellies/shellyem-B9E1/emeter/0/total_returned', '1201.2')
    await c.next('samples', 1)
    expect(c.samples[0]).toEqual({
      meterId: 'mqtt:shellies/shellyem-B9E1/emeter/0/total',
      at: 1_000_000,
      importWh: 52_345,
      exportWh: 1_201
    })
    await publish('shellies/shellyem-B9E1/emeter/0/total', 'unavailable')
    await c.next('refused', 1)
    expect(c.refused[0]).toMatchObject({ name: 'MeterDataError', code: 'not-a-number' })
    // a register from long ago does not pair with a fresh one
    now += 60_000
    await publish('shellies/shellyem-B9E1/emeter/0/total', '52400')
    await publish('shellies/shellyem-B9E1/emeter/0/total_returned', '1202')
    await c.next('samples', 2)
    expect(c.samples[1]).toEqual({
      meterId: 'mqtt:shellies/shellyem-B9E1/emeter/0/total',
      at: 1_060_000,
      importWh: 52_400,
      exportWh: 1_202
    })
    expect(c.samples).toHaveLength(2)
  })

  it('fails to start with a typed error when no broker answers', async () => {
    const port = (server.address() as { port: number }).port
    await new Promise<void>(resolve => {
      server.close(() => resolve())
    })
    const meter = new MqttMeter({ url: `mqtt://127.0.0.1:${port}`, import: { topic: 'x', path: '$', unit: 'Wh' }, toleranceMs: 1_000 })
    stops.push(async () => {
      await meter.stop()
    })
    await expect(meter.start(collector().sink)).rejects.toMatchObject({ name: 'MeterConnectionError' })
    server = createServer(broker.handle)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
  })

  it('in a node: a meter that stops reporting makes a gap, not a reading', async () => {
    const slots = { epochMs: Date.parse('2026-06-17T00:00:00Z'), slotMs: 900_000, gateClosureMs: 60_000 }
    const journal = await Journal.open(join(dir, 'journal'), { sync: false })
    stops.push(async () => {
      await journal.close()
    })
    const identity = await identityFromSeed(new Uint8Array(32).fill(9))
    const meter = new MqttMeter({
      url,
      id: 'mqtt:p1',
      import: { topic: 'p1', path: 'import_kwh', unit: 'kWh' },
      export: { topic: 'p1', path: 'export_kwh', unit: 'kWh' },
      time: 'time',
      toleranceMs: 30_000
    })
    const slotMeter = new SlotMeter({ journal, slots, emit: () => {}, meter })
    await slotMeter.start()
    stops.push(async () => {
      await slotMeter.stop()
    })
    const options = {
      district: 'd',
      slots,
      tariffs: { retail: 1, feedIn: 0 },
      profile: { buyLimit: 0, sellLimit: 0, position: () => 1_000 }
    } as unknown as KvartalNodeOptions
    const settler = new PeriodSettler({
      journal,
      identity,
      options,
      emit: () => {},
      signal: new AbortController().signal,
      meter: slotMeter
    })
    const at = (slot: number, ms: number): string => new Date(slotStart(slots, slot) + ms).toISOString()
    await publish('p1', { time: at(0, 1_000), import_kwh: '100.000', export_kwh: '0' })
    await publish('p1', { time: at(1, 1_000), import_kwh: '100.250', export_kwh: '0' })
    await publish('p1', { time: at(2, 1_000), import_kwh: '100.250', export_kwh: '0.400' })
    await slotMeter.until(s => s.samples === 3)
    // the gateway goes quiet: no sample at boundary 3
    await settler.readMeters(slotEnd(slots, 2) + slotMeter.graceMs, 0)
    const chain = (await journal.readings(0, 9)).map(h => decodeReading(fromHex(h)))
    expect(chain.map(r => [r.slot, r.gap ?? false, r.importWh, r.exportWh, r.source])).toEqual([
      [0, false, 250, 0, 'mqtt:p1'],
      [1, false, 0, 400, 'mqtt:p1'],
      [2, true, 0, 0, "no sample at the slot's end"]
    ])
    expect(chain[0].at).toBe(slotStart(slots, 1) + 1_000)
    expect(verifyReadingChain(chain)).toEqual({ ok: true, gaps: [2] })
  })
})
