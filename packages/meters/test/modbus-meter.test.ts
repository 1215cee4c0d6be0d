import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ServerSerial, type ServerTCP } from 'modbus-serial'
import { decodeReading, fromHex, slotEnd, slotStart } from '@kvartal/protocol'
import { identityFromSeed } from '@kvartal/mesh'
import { Journal, PeriodSettler, SlotMeter, type KvartalNodeOptions } from '@kvartal/node'
import { ModbusMeter } from '../src/index.ts'
import { until } from '../../../tests/helpers/wait.ts'
import { socatMissing } from './pty-pair.ts'
import {
  close,
  commonModel,
  f32,
  floatInverterModel,
  floatMeterModel,
  freePort,
  inverterModel,
  mbmapRegisters,
  meterModel,
  RegisterImage,
  serve,
  sf,
  storageModel
} from '../testing/sunspec-image.ts'
import { collector } from './sample-collector.ts'

// The Modbus/SunSpec driver against modbus-serial's own Modbus TCP server on 127.0.0.1, serving the
// register image of a SunSpec meter (models 1 + 203) or inverter (1 + 103): see sunspec-image.ts for
// the published point offsets. Registers change between polls; every wait has a deadline.

const stops: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s()
})

async function device(image: RegisterImage): Promise<{ port: number; server: ServerTCP }> {
  const port = await freePort()
  const server = await serve(image, port)
  stops.push(async () => {
    await close(server)
  })
  return { port, server }
}

const meterImage = (sn = 'KM00001'): RegisterImage =>
  new RegisterImage(40_000, [
    commonModel('Kvartal Test', 'KM-203', sn),
    meterModel({ importRaw: 1_234_567, exportRaw: 45_678, sfReg: sf(-1) })
  ])

describe('Modbus/SunSpec meter', () => {
  it(
    'reads a SunSpec meter (1 + 203): identity from the common model, ' +
      'TotWhImp/TotWhExp scaled by TotWh_SF to whole Wh, changing between polls',
    async () => {
      const image = meterImage()
      const { port } = await device(image)
      let now = 1_000_000
      const meter = new ModbusMeter({
        transport: { kind: 'tcp', host: '127.0.0.1', port },
        unitId: 1,
        pollMs: 20,
        toleranceMs: 10_000,
        timeoutMs: 1_000,
        now: () => now
      })
      const c = collector()
      await meter.start(c.sink)
      stops.push(async () => {
        await meter.stop()
      })
      await c.until('a first sample', () => c.samples.length >= 1)
      // 1 234 567 × 10^-1 Wh = 123 456.7 Wh, floored; 45 678 × 10^-1 = 4 567.8 → 4 567
      expect(c.samples[0]).toEqual({ meterId: 'sunspec:Kvartal Test/KM-203/KM00001', at: 1_000_000, importWh: 123_456, exportWh: 4_567 })
      expect(meter.id).toBe(`modbus:127.0.0.1:${port}/1`)
      expect(meter.status().device).toMatchObject({ base: 40_000, models: [1, 203], manufacturer: 'Kvartal Test', serial: 'KM00001' })
      // the register moves; scale factor 0 now: raw values are Wh
      image.setAcc32(image.second + 46, 123_999)
      image.setAcc32(image.second + 38, 4_600)
      image.regs.set(image.second + 54, 0)
      now = 1_005_000
      await c.until('the new registers', () => c.samples.at(-1)?.importWh === 123_999)
      expect(c.samples.at(-1)).toEqual({
        meterId: 'sunspec:Kvartal Test/KM-203/KM00001',
        at: 1_005_000,
        importWh: 123_999,
        exportWh: 4_600
      })
      expect(c.refused).toEqual([])
    }
  )

  it(
    'reads a published register dump: a Fronius IG Plus ' + '(common model 1 of the first release, L 65; inverter 101; 120–132)',
    async () => {
      // fixtures/sunspec/mbmap_fronius.xml, as pysunspec published it (SOURCES.md): 939 registers from 40000
      const image = RegisterImage.fromDump(
        40_000,
        mbmapRegisters(await readFile(new URL('./fixtures/sunspec/mbmap_fronius.xml', import.meta.url), 'utf8'))
      )
      const { port } = await device(image)
      const meter = new ModbusMeter({
        transport: { kind: 'tcp', host: '127.0.0.1', port },
        unitId: 1,
        pollMs: 20,
        toleranceMs: 10_000,
        timeoutMs: 1_000,
        now: () => 9_000
      })
      const c = collector()
      await meter.start(c.sink)
      stops.push(async () => {
        await meter.stop()
      })
      await c.until('a first sample', () => c.samples.length >= 1)
      // 101's WH (offset 24–25) is 0x001A 0x4287 = 1 720 967 Wh, WH_SF 0; St (38) is 4, MPPT
      expect(c.samples[0]).toEqual({ meterId: 'sunspec:Fronius/IG+V7.5U/50.25979', at: 9_000, importWh: 0, exportWh: 1_720_967 })
      expect(meter.status()).toMatchObject({
        state: 'MPPT',
        device: {
          base: 40_000,
          models: [1, 101, 120, 121, 122, 123, 126, 131, 132],
          manufacturer: 'Fronius',
          model: 'IG+V7.5U',
          serial: '50.25979'
        }
      })
      expect(c.refused).toEqual([])
    }
  )

  // The float models, laid out from two devices' published listings (`evcc sunspec`, which decodes every
  // point of every model): the values as printed, each written back as the float32 it was; a point the
  // listing shows as n/a is NaN, SunSpec's "not implemented". Sources: fixtures/sunspec/SOURCES.md.
  const NaN4 = [NaN, NaN, NaN, NaN]
  const symo = (): RegisterImage =>
    new RegisterImage(40_000, [
      commonModel('Fronius', 'Symo 8.2-3-M', '31329509', { opt: '3.31.1-5', vr: '0.3.30.1', length: 65 }),
      floatInverterModel(
        113,
        [
          0.75,
          0.25,
          0.25,
          0.25,
          399.4,
          398.80002,
          397.80002,
          230.6,
          229.6,
          230.40001,
          177,
          50,
          177,
          0,
          100,
          2.632e7,
          NaN,
          NaN,
          193.84,
          NaN,
          NaN,
          NaN,
          NaN
        ],
        4,
        4
      )
    ])
  const smartMeter = (): RegisterImage =>
    new RegisterImage(40_000, [
      commonModel('Fronius', 'Smart Meter TS 6', '3682862508', { opt: 'PV alt H', vr: '1.4', da: 201, length: 65 }),
      // A … Hz as listed; W … PF not in the published part of the listing (NaN); TotWhExp 10 444.598 kWh, TotWhImp 0.119 kWh
      floatMeterModel(213, [
        -8.42,
        -0.94,
        -3.363,
        -4.117,
        233.26666,
        234.3,
        230.7,
        234.8,
        404,
        402.7,
        403.1,
        406.2,
        49.9,
        ...NaN4,
        ...NaN4,
        ...NaN4,
        ...NaN4,
        10_444_598,
        NaN,
        NaN,
        NaN,
        119,
        NaN,
        NaN,
        NaN,
        ...NaN4,
        ...NaN4,
        ...NaN4,
        ...NaN4,
        ...NaN4,
        ...NaN4
      ])
    ])

  it(
    "reads the float models: a Fronius Symo's inverter 113 (WH float32) and " +
      "a Fronius Smart Meter's 213 (TotWhImp, TotWhExp float32), as published",
    async () => {
      for (const [image, sample, status] of [
        [
          symo(),
          { meterId: 'sunspec:Fronius/Symo 8.2-3-M/31329509', importWh: 0, exportWh: 26_320_000 },
          { state: 'MPPT', device: { models: [1, 113] } }
        ],
        [
          smartMeter(),
          { meterId: 'sunspec:Fronius/Smart Meter TS 6/3682862508', importWh: 119, exportWh: 10_444_598 },
          { state: null, device: { models: [1, 213] } }
        ]
      ] as const) {
        const { port } = await device(image)
        const meter = new ModbusMeter({
          transport: { kind: 'tcp', host: '127.0.0.1', port },
          unitId: 1,
          pollMs: 20,
          toleranceMs: 10_000,
          timeoutMs: 1_000,
          now: () => 3_000
        })
        const c = collector()
        await meter.start(c.sink)
        stops.push(async () => {
          await meter.stop()
        })
        await c.until('a first sample', () => c.samples.length >= 1)
        expect(c.samples[0]).toEqual({ ...sample, at: 3_000 })
        expect(meter.status()).toMatchObject(status)
        expect(c.refused).toEqual([])
      }
    }
  )

  it(
    'a float register: NaN ("not implemented") and a negative value are ' +
      'refused; a fraction of a Wh is cut; the register moves in float32 steps',
    async () => {
      const image = smartMeter()
      const imp = image.base + 2 + 67 + 68 // TotWhImp of the 213 after a common model of L 65
      const set = (v: number): void => {
        const [h, l] = f32(v)
        image.regs.set(imp, h)
        image.regs.set(imp + 1, l)
      }
      set(NaN)
      const { port } = await device(image)
      const meter = new ModbusMeter({
        transport: { kind: 'tcp', host: '127.0.0.1', port },
        unitId: 1,
        pollMs: 20,
        toleranceMs: 10_000,
        timeoutMs: 1_000
      })
      const c = collector()
      await meter.start(c.sink)
      stops.push(async () => {
        await meter.stop()
      })
      await c.until('a refusal', () => c.refused.length >= 1)
      expect(c.refused[0]).toMatchObject({ name: 'MeterDataError', code: 'not-implemented' })
      expect(c.refused[0].message).toContain('TotWhImp is "not implemented" (NaN, 0x7FC00000)')
      set(-1)
      await c.until('a negative register refused', () => c.refused.some(e => (e as { code?: string }).code === 'not-a-number'))
      expect(c.samples).toEqual([])
      set(119.75)
      await c.until('a sample', () => c.samples.length >= 1)
      expect(c.samples[0]).toMatchObject({ importWh: 119, exportWh: 10_444_598 })
      // above 2^24 Wh a float32 moves in steps of 2 Wh: 16 777 217 is not one, and reads as 16 777 216
      set(16_777_217)
      await c.until('the large register', () => c.samples.at(-1)!.importWh > 119)
      expect(c.samples.at(-1)!.importWh).toBe(16_777_216)
    }
  )

  it(
    'reads a hybrid inverter (1 + 103 + 124) at base 0: lifetime WH scaled ' +
      'by WH_SF is export, import 0; inverter and battery state for status',
    async () => {
      const image = new RegisterImage(0, [
        commonModel('Kvartal Solar', 'KI-103', 'INV-77'),
        inverterModel({ whRaw: 98_765, sfReg: sf(1) }),
        storageModel(4)
      ])
      const { port } = await device(image)
      const meter = new ModbusMeter({
        transport: { kind: 'tcp', host: '127.0.0.1', port },
        unitId: 1,
        pollMs: 20,
        toleranceMs: 10_000,
        timeoutMs: 1_000,
        now: () => 7_000
      })
      const c = collector()
      await meter.start(c.sink)
      stops.push(async () => {
        await meter.stop()
      })
      await c.until('a first sample', () => c.samples.length >= 1)
      expect(c.samples[0]).toEqual({ meterId: 'sunspec:Kvartal Solar/KI-103/INV-77', at: 7_000, importWh: 0, exportWh: 987_650 })
      expect(meter.status()).toMatchObject({ state: 'MPPT', storage: 'CHARGING', device: { base: 0, models: [1, 103, 124] } })
      image.setAcc32(image.second + 24, 98_770)
      await c.until('the new register', () => c.samples.at(-1)?.exportWh === 987_700)
      // 40000 answered "illegal data address" before the driver found the map at 0: an exception there is not a refusal
      expect(c.refused).toEqual([])
    }
  )

  it('refuses a "not implemented" register and a bad scale factor, with no reading, and reads again once they are fixed', async () => {
    const image = meterImage()
    const { port } = await device(image)
    const meter = new ModbusMeter({
      transport: { kind: 'tcp', host: '127.0.0.1', port },
      unitId: 1,
      pollMs: 20,
      toleranceMs: 10_000,
      timeoutMs: 1_000
    })
    const c = collector()
    image.setAcc32(image.second + 46, 0xffffffff)
    await meter.start(c.sink)
    stops.push(async () => {
      await meter.stop()
    })
    await c.until('a refusal', () => c.refused.length >= 1)
    expect(c.refused[0]).toMatchObject({ name: 'MeterDataError', code: 'not-implemented' })
    image.setAcc32(image.second + 46, 1_000)
    image.regs.set(image.second + 54, 0x8000)
    await c.until('a scale factor "not implemented"', () =>
      c.refused.some(e => (e as { code?: string }).code === 'bad-scale-factor' && /"not implemented"/.test(e.message))
    )
    image.regs.set(image.second + 54, 11)
    await c.until('an out-of-range scale factor', () =>
      c.refused.some(e => (e as { code?: string }).code === 'bad-scale-factor' && /outside the range/.test(e.message))
    )
    expect(c.samples).toEqual([])
    image.regs.set(image.second + 54, sf(2))
    await c.until('a sample', () => c.samples.length >= 1)
    expect(c.samples[0]).toMatchObject({ importWh: 100_000, exportWh: 4_567_800 })
  })

  it('a device that goes away: one MeterConnectionError, no sample, and samples resume (rediscovered) when it is back', async () => {
    const image = meterImage()
    const { port, server } = await device(image)
    const meter = new ModbusMeter({
      transport: { kind: 'tcp', host: '127.0.0.1', port },
      unitId: 1,
      pollMs: 20,
      toleranceMs: 10_000,
      timeoutMs: 500
    })
    const c = collector()
    await meter.start(c.sink)
    stops.push(async () => {
      await meter.stop()
    })
    await c.until('a first sample', () => c.samples.length >= 1)
    stops.splice(0, 1) // the server is closed here, not again after the test
    await close(server)
    await c.until('the connection refused', () => c.refused.length >= 1)
    expect(c.refused[0]).toMatchObject({ name: 'MeterConnectionError', code: 'connection' })
    // more polls fail while it is away: reported once, not at every poll
    const polls = meter.status().polls
    await until(() => meter.status().polls >= polls + 3, 'three more polls', 10_000)
    expect(meter.status().connected).toBe(false)
    const before = c.samples.length
    // the device comes back on the same address, replaced by another unit: a new identity
    const back = await serve(meterImage('KM00002'), port)
    stops.unshift(async () => {
      await close(back)
    })
    await c.until('samples again', () => c.samples.length > before && c.samples.at(-1)!.meterId.endsWith('KM00002'))
    expect(c.refused.filter(e => e.name === 'MeterConnectionError')).toHaveLength(1)
  })

  it('fails to start with a typed error when nothing answers', async () => {
    const port = await freePort()
    const meter = new ModbusMeter({
      transport: { kind: 'tcp', host: '127.0.0.1', port },
      unitId: 1,
      pollMs: 60_000,
      toleranceMs: 10_000,
      timeoutMs: 500
    })
    stops.push(async () => {
      await meter.stop()
    })
    await expect(meter.start(collector().sink)).rejects.toMatchObject({ name: 'MeterConnectionError' })
  })

  it('in a node: the slot readings are the exact differences of the registers the device reported at the boundaries', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-modbus-'))
    stops.push(async () => {
      await rm(dir, { recursive: true, force: true })
    })
    const image = meterImage()
    image.regs.set(image.second + 54, 0)
    image.setAcc32(image.second + 46, 10_000)
    image.setAcc32(image.second + 38, 500)
    const { port } = await device(image)
    const slots = { epochMs: Date.parse('2026-06-17T00:00:00Z'), slotMs: 900_000, gateClosureMs: 60_000 }
    let now = slotStart(slots, 0) + 2_000
    const journal = await Journal.open(join(dir, 'journal'), { sync: false })
    stops.push(async () => {
      await journal.close()
    })
    const meter = new ModbusMeter({
      transport: { kind: 'tcp', host: '127.0.0.1', port },
      unitId: 1,
      pollMs: 20,
      toleranceMs: 10_000,
      timeoutMs: 1_000,
      now: () => now
    })
    const slotMeter = new SlotMeter({ journal, slots, emit: () => {}, meter })
    await slotMeter.start()
    stops.push(async () => {
      await slotMeter.stop()
    })
    const seen = async (importWh: number, exportWh: number, at: number): Promise<void> => {
      const deadline = new Promise<never>((_, reject) => {
        const t = setTimeout(() => {
          reject(new Error(`timed out waiting for a sample ${importWh}/${exportWh} at ${at}`))
        }, 10_000)
        t.unref()
      })
      await Promise.race([
        slotMeter.until(s => s.lastSample?.importWh === importWh && s.lastSample.exportWh === exportWh && s.lastSample.at === at),
        deadline
      ])
    }
    await seen(10_000, 500, now)
    // registers change first, the clock moves to the next boundary after: every sample stamped there has the new values
    image.setAcc32(image.second + 46, 10_250)
    await seen(10_250, 500, now)
    now = slotStart(slots, 1) + 2_000
    await seen(10_250, 500, now)
    image.setAcc32(image.second + 38, 900)
    await seen(10_250, 900, now)
    now = slotStart(slots, 2) + 2_000
    await seen(10_250, 900, now)
    const identity = await identityFromSeed(new Uint8Array(32).fill(7))
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
    await slotMeter.flush(now)
    await settler.readMeters(slotEnd(slots, 1) + slotMeter.graceMs, 0)
    const chain = (await journal.readings(0, 9)).map(h => decodeReading(fromHex(h)))
    expect(chain.map(r => [r.slot, r.gap ?? false, r.importWh, r.exportWh, r.source])).toEqual([
      [0, false, 250, 0, 'sunspec:Kvartal Test/KM-203/KM00001'],
      [1, false, 0, 400, 'sunspec:Kvartal Test/KM-203/KM00001']
    ])
  })
})

describe.skipIf(socatMissing() != null)('Modbus RTU over a serial line (socat pty pair)', () => {
  it("reads the same SunSpec meter through modbus-serial's ServerSerial on the other end of the line", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-rtu-'))
    const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${join(dir, 'device')}`, `pty,raw,echo=0,link=${join(dir, 'node')}`], {
      stdio: ['ignore', 'ignore', 'pipe']
    })
    stops.push(async () => {
      socat.kill()
      await rm(dir, { recursive: true, force: true })
    })
    await new Promise<void>((resolve, reject) => {
      let err = ''
      socat.stderr.on('data', (d: Buffer) => {
        err += d.toString()
        if (err.includes('starting data transfer loop')) resolve()
      })
      socat.once('exit', code => {
        reject(new Error(`socat exited (${code}): ${err}`))
      })
    })
    const image = meterImage()
    const server = new ServerSerial(
      {
        getHoldingRegister: (addr: number) => image.get(addr),
        getMultipleHoldingRegisters: (addr: number, length: number) => Array.from({ length }, (_, i) => image.get(addr + i))
      },
      { path: join(dir, 'device'), baudRate: 9_600, unitID: 7 }
    )
    await once(server, 'initialized')
    stops.push(async () => {
      await new Promise<void>(resolve => {
        server.close(() => {
          resolve()
        })
      })
    })
    const meter = new ModbusMeter({
      transport: { kind: 'rtu', path: join(dir, 'node'), baudRate: 9_600 },
      unitId: 7,
      pollMs: 20,
      toleranceMs: 10_000,
      timeoutMs: 2_000,
      now: () => 5_000
    })
    const c = collector()
    await meter.start(c.sink)
    stops.push(async () => {
      await meter.stop()
    })
    await c.until('a sample over RTU', () => c.samples.length >= 1)
    expect(c.samples[0]).toEqual({ meterId: 'sunspec:Kvartal Test/KM-203/KM00001', at: 5_000, importWh: 123_456, exportWh: 4_567 })
    expect(meter.id).toBe(`modbus:${join(dir, 'node')}/7`)
  })
})
