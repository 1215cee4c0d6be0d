import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { ModbusMeter } from '../src/index.ts'
import { until } from '../../../tests/helpers/wait.ts'
import {
  close,
  commonModel,
  freePort,
  inverterModel,
  mbmapRegisters,
  RegisterImage,
  serve,
  sf,
  storageModel
} from '../testing/sunspec-image.ts'
import { collector } from './sample-collector.ts'
import { device, meterImage, tcpMeter, startedMeter } from './modbus-rig.ts'
import { stopAfterEachTest, stops } from './stops.ts'

// The Modbus/SunSpec driver against modbus-serial's own Modbus TCP server on 127.0.0.1, serving the
// register image of a SunSpec meter (models 1 + 203) or inverter (1 + 103): see sunspec-image.ts for
// the published point offsets. Registers change between polls; every wait has a deadline. The integer
// models, the registers and scale factors it refuses, and a device that goes away; the float models:
// modbus-float-models.test.ts; in a node: modbus-slot-readings.test.ts; over a serial line: modbus-rtu.test.ts.

stopAfterEachTest()

describe('Modbus/SunSpec meter', () => {
  it(
    'reads a SunSpec meter (1 + 203): identity from the common model, ' +
      'TotWhImp/TotWhExp scaled by TotWh_SF to whole Wh, changing between polls',
    async () => {
      const image = meterImage()
      const { port } = await device(image)
      let now = 1_000_000
      const meter = tcpMeter(port, { timeoutMs: 1_000, now: () => now })
      const c = collector()
      await startedMeter(meter, c)
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
      const meter = tcpMeter(port, { timeoutMs: 1_000, now: () => 9_000 })
      const c = collector()
      await startedMeter(meter, c)
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
      const meter = tcpMeter(port, { timeoutMs: 1_000, now: () => 7_000 })
      const c = collector()
      await startedMeter(meter, c)
      await c.until('a first sample', () => c.samples.length >= 1)
      expect(c.samples[0]).toEqual({ meterId: 'sunspec:Kvartal Solar/KI-103/INV-77', at: 7_000, importWh: 0, exportWh: 987_650 })
      expect(meter.status()).toMatchObject({
        state: 'MPPT',
        battery: { chargeState: 'CHARGING' },
        device: { base: 0, models: [1, 103, 124] }
      })
      image.setAcc32(image.second + 24, 98_770)
      await c.until('the new register', () => c.samples.at(-1)?.exportWh === 987_700)
      // 40000 answered "illegal data address" before the driver found the map at 0: an exception there is not a refusal
      expect(c.refused).toEqual([])
    }
  )

  it('refuses a "not implemented" register and a bad scale factor, with no reading, and reads again once they are fixed', async () => {
    const image = meterImage()
    const { port } = await device(image)
    const meter = tcpMeter(port, { timeoutMs: 1_000 })
    const c = collector()
    image.setAcc32(image.second + 46, 0xffffffff)
    await startedMeter(meter, c)
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
    const meter = tcpMeter(port, { timeoutMs: 500 })
    const c = collector()
    await startedMeter(meter, c)
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
})
