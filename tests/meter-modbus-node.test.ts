import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import type { ServerTCP } from 'modbus-serial'
import { decodeReading, fromHex, slotAt, verifyReadingChain } from '@kvartal/protocol'
import { Journal, periodMeterCheck } from '@kvartal/node'
import { callNode } from '@kvartal/cli'
import { close, freePort, mbmapRegisters, RegisterImage, serve } from '@kvartal/meters/testing'
import { runKvartal, type NodeProcess } from './helpers/processes.ts'

// `kvartal node` (a real process) with `meter.modbus` against modbus-serial's own Modbus TCP server, in
// this test, serving a published register dump: a Fronius IG Plus (common 1 + inverter 101 + 120–132,
// packages/meters/test/fixtures/sunspec/SOURCES.md). The inverter produces: its lifetime energy WH
// (101, offsets 24–25, WH_SF 0) steps up by STEP_WH once per slot, 1.5 s after the slot starts, well
// after the sample that stands for the slot's start (the first one read after it, within 2 s of a
// 1 s poll). So every slot the node measures is exactly STEP_WH exported. Then the device stops
// answering: a gap, not a reading.

const SLOT_MS = 2_000
const STEP_WH = 250
const DUMP_WH = 1_720_967
const SOURCE = 'sunspec:Fronius/IG+V7.5U/50.25979'

let dir: string
const stops: Array<() => Promise<unknown>> = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-modbus-node-'))
})
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
  await rm(dir, { recursive: true, force: true })
})

describe('kvartal node with a Modbus/SunSpec inverter', () => {
  it("signs what the device's registers say at each boundary, at the time it read them, " +
    'shows it in its control API, and records a gap once the device stops answering', { timeout: 120_000 }, async () => {
    const image = RegisterImage.fromDump(
      40_000,
      mbmapRegisters(await readFile(new URL('../packages/meters/test/fixtures/sunspec/mbmap_fronius.xml', import.meta.url), 'utf8'))
    )
    // 101 sits after 'SunS' (2) and the common model (2 + 65): its WH at 40000 + 69 + 24
    const wh = 40_000 + 69 + 24
    expect(image.get(wh) * 0x10000 + image.get(wh + 1)).toBe(DUMP_WH)
    const steps0 = Math.floor((Date.now() - 1_500) / SLOT_MS)
    const produced = (): number => DUMP_WH + STEP_WH * (Math.floor((Date.now() - 1_500) / SLOT_MS) - steps0)
    image.live.set(wh, () => Math.floor(produced() / 0x10000))
    image.live.set(wh + 1, () => produced() % 0x10000)
    const port = await freePort()
    let server: ServerTCP | undefined = await serve(image, port)
    stops.push(async () => {
      if (server != null) await close(server)
    })

    const dataDir = join(dir, 'data')
    const config = join(dir, 'node.yaml')
    await writeFile(
      config,
      stringify({
        district: 'modbus-test',
        dataDir,
        listen: ['/ip4/127.0.0.1/tcp/0'],
        mdns: false,
        slots: { seconds: SLOT_MS / 1000, gateClosureSeconds: 0 },
        market: { ticksPerSlot: 4, tradingWindowSlots: 1, horizonSlots: 2 },
        position: [5_000], // the forecast: it must appear in no reading
        settlement: { adapter: 'local', periodSlots: 4 },
        meter: { modbus: { host: '127.0.0.1', port, unitId: 1, pollSeconds: 1, toleranceSeconds: 2 } }
      })
    )
    const node: NodeProcess = runKvartal(['node', '--config', config])
    stops.push(async () => await node.stop())
    await node.waitFor(l => l.event === 'listening', 30_000)
    const reads = (): Array<Record<string, any>> => node.lines.filter(l => l.event === 'meter-read')
    await node.waitFor(() => reads().length >= 2, 30_000)
    for (const r of reads()) expect([r.energyWh, r.detail]).toEqual([STEP_WH, SOURCE])

    // the control API: the driver, the device's own identity, the readings signed
    const live = (await callNode(dataDir, 'GET', '/status')).meterStatus
    expect(live).toMatchObject({ kind: 'modbus', id: `modbus:127.0.0.1:${port}/1`, lastMeterId: SOURCE, refused: {} })
    expect(live.readings).toBeGreaterThanOrEqual(2)

    // the device stops answering: the slot it falls silent in cannot be closed, and is a gap
    await close(server)
    server = undefined
    const silentFrom = slotAt({ epochMs: 0, slotMs: SLOT_MS, gateClosureMs: 0 }, Date.now())
    const refused = await node.waitFor(l => l.event === 'meter-refused', 20_000)
    expect(refused).toMatchObject({ level: 'warn', code: 'connection' })
    const gap = await node.waitFor(l => l.event === 'meter-gap' && l.slot >= silentFrom, 30_000)
    // its end has no sample (its start too, if the server closed before the poll after that boundary)
    expect(gap).toMatchObject({ level: 'warn', detail: expect.stringMatching(/^no sample at (the slot's end|either end of the slot)$/) })
    expect(reads().filter(l => l.slot >= gap.slot)).toEqual([])
    const after = (await callNode(dataDir, 'GET', '/status')).meterStatus
    expect(after).toMatchObject({ refused: { connection: 1 } })
    expect(after.gaps).toBeGreaterThanOrEqual(1)
    expect(after.lastGap.slot).toBeGreaterThanOrEqual(gap.slot)

    // stopped: the journal's chain, as `kvartal verify` checks it — signed by the node, linked, each
    // reading stamped with the time the device's registers were read for the slot's closing boundary
    expect((await node.stop()).code).toBe(0)
    const journal = await Journal.open(dataDir)
    try {
      const first = (await journal.firstReadingSlot())!
      const chain = (await journal.readings(first, gap.slot)).map(h => decodeReading(fromHex(h)))
      expect(verifyReadingChain(chain)).toMatchObject({ ok: true })
      const measured = chain.filter(r => r.gap !== true)
      expect(measured.length).toBeGreaterThanOrEqual(2)
      for (const r of measured) {
        expect([r.importWh, r.exportWh, r.source]).toEqual([0, STEP_WH, SOURCE])
        const closing = (r.slot + 1) * SLOT_MS
        expect(r.at).toBeGreaterThanOrEqual(closing)
        expect(r.at).toBeLessThanOrEqual(closing + 2_000)
        expect(await journal.boundary(r.slot + 1)).toMatchObject({ meterId: SOURCE, at: r.at, exportWh: expect.any(Number) })
      }
      expect(chain.at(-1)).toMatchObject({ slot: gap.slot, gap: true, importWh: 0, exportWh: 0, source: gap.detail })
      // what `kvartal verify` prints for the meter chain of a trade's period, here the gap's
      const check = await periodMeterCheck(journal, `modbus-test/${Math.floor(gap.slot / 4)}`, 4, gap.slot)
      expect(check.tradeSlot).toMatchObject({ gap: true })
      expect(check.tradeSlot.detail).toContain(`is a gap (${gap.detail as string})`)
    } finally {
      await journal.close()
    }
  })
})
