import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import type { BatteryStatus } from '../src/index.ts'
import { commonModel, inverterModel, mbmapRegisters, nameplateModel, RegisterImage, sf, storageModel } from '../testing/sunspec-image.ts'
import { collector } from './sample-collector.ts'
import { device, startedMeter, tcpMeter } from './modbus-rig.ts'
import { stopAfterEachTest } from './stops.ts'

// A battery behind a SunSpec hybrid inverter: storage model 124 read point by point by its published map, and the
// nameplate's energy rating (120 WHRtg), served by modbus-serial's own Modbus TCP server on 127.0.0.1 (register
// images laid out in sunspec-image.ts). The battery's state is status; the energy registers stay the reading.

stopAfterEachTest()

const hybrid = (storage: number[], nameplate = nameplateModel({ wRtg: 5000, whRtg: 1000, whRtgSf: sf(1) })): RegisterImage =>
  new RegisterImage(40_000, [
    commonModel('Kvartal Solar', 'KH-103', 'HY-5'),
    inverterModel({ whRaw: 98_765, sfReg: sf(0) }),
    nameplate,
    storage
  ])

const storageAt = (image: RegisterImage): number => {
  // the fourth model: after 'SunS', common (2 + 66), inverter (2 + 50), nameplate (2 + 26)
  return image.base + 2 + 68 + 52 + 28
}

describe('a battery through SunSpec storage (124) and nameplate (120)', () => {
  it('reads every point of 124 scaled by its own scale factor, and the energy stored from 120 WHRtg × ChaState', async () => {
    const image = hybrid(
      storageModel({
        chaSt: 4,
        wChaMax: [5000, sf(0)],
        storCtlMod: 0b10,
        minRsvPct: [100, sf(-1)],
        chaState: [532, sf(-1)],
        storAval: [1043, sf(-1)],
        inBatV: [4012, sf(-1)],
        outWRte: -2500,
        inWRte: 5000,
        inOutWRteSf: sf(-2)
      })
    )
    const { port } = await device(image)
    const meter = tcpMeter(port, { timeoutMs: 1_000, now: () => 9_000 })
    const c = collector()
    await startedMeter(meter, c)
    await c.until('the battery read', () => meter.battery() != null)
    expect(meter.battery()).toEqual({
      at: 9_000,
      chargeState: 'CHARGING',
      stateOfChargePct: 53.2,
      minReservePct: 10,
      availableAh: 104.3,
      batteryV: 401.2,
      maxChargeW: 5000,
      dischargeRatePct: -25,
      chargeRatePct: 50,
      limits: { charge: false, discharge: true },
      capacityWh: 10_000,
      storedWh: 5_320
    } satisfies BatteryStatus)
    // the reading is the inverter's energy, whatever the battery does
    expect(c.samples[0]).toMatchObject({ meterId: 'sunspec:Kvartal Solar/KH-103/HY-5', importWh: 0, exportWh: 98_765 })
    // the battery discharges: the next polls say so
    const at = storageAt(image)
    image.regs.set(at + 11, 3)
    image.regs.set(at + 8, 480)
    await c.until('DISCHARGING at 48 %', () => meter.battery()?.chargeState === 'DISCHARGING' && meter.battery()?.storedWh === 4_800)
    expect(meter.status().battery).toMatchObject({ chargeState: 'DISCHARGING', stateOfChargePct: 48 })
    expect(c.refused).toEqual([])
  })

  it('a point the device does not implement, or scales out of range, or a percentage past 100, is null: nothing in its place', async () => {
    const image = hybrid(storageModel({ chaSt: 6, chaState: [1010, sf(-1)], minRsvPct: [15, 0x8000], wChaMax: [3000, 11] }))
    const { port } = await device(image)
    const meter = tcpMeter(port, { timeoutMs: 1_000 })
    const c = collector()
    await startedMeter(meter, c)
    await c.until('the battery read', () => meter.battery() != null)
    expect(meter.battery()).toMatchObject({
      chargeState: 'HOLDING',
      stateOfChargePct: null,
      minReservePct: null,
      availableAh: null,
      batteryV: null,
      maxChargeW: null,
      dischargeRatePct: null,
      chargeRatePct: null,
      limits: null,
      capacityWh: 10_000,
      storedWh: null
    })
    expect(c.samples.length).toBeGreaterThan(0)
    expect(c.refused).toEqual([])
  })

  it('no energy rating (120 WHRtg "not implemented", as in the Fronius dump): the percentage without a Wh figure', async () => {
    // the Fronius IG Plus's own model 120 (its WHRtg and WHRtg_SF are 0xFFFF, 0x8000), then a 124
    const xml = await readFile(new URL('./fixtures/sunspec/mbmap_fronius.xml', import.meta.url), 'utf8')
    const regs = mbmapRegisters(xml)
    const at120 = regs.findIndex((r, i) => r === 120 && regs[i + 1] === 26)
    expect(at120).toBeGreaterThan(0)
    const fronius120 = regs.slice(at120, at120 + 28)
    const image = hybrid(storageModel({ chaSt: 5, chaState: [100, sf(0)] }), fronius120)
    const { port } = await device(image)
    const meter = tcpMeter(port, { timeoutMs: 1_000 })
    const c = collector()
    await startedMeter(meter, c)
    await c.until('the battery read', () => meter.battery() != null)
    expect(meter.battery()).toMatchObject({ chargeState: 'FULL', stateOfChargePct: 100, capacityWh: null, storedWh: null })
  })

  it('a 124 shorter than its points is refused (code short-model), its status null, and the energy still read', async () => {
    const short = storageModel({ chaSt: 4, chaState: [50, sf(0)] }).slice(0, 12)
    short[1] = 10
    const image = hybrid(short)
    const { port } = await device(image)
    const meter = tcpMeter(port, { timeoutMs: 1_000 })
    const c = collector()
    await startedMeter(meter, c)
    await c.until('a refusal', () => c.refused.length >= 1)
    expect(c.refused[0]).toMatchObject({ name: 'MeterDataError', code: 'short-model' })
    expect(c.samples.length).toBeGreaterThan(0)
    expect(meter.battery()).toBeNull()
  })

  it('a device without 124 has no battery', async () => {
    const image = new RegisterImage(40_000, [commonModel('Kvartal Solar', 'KI-103', 'INV-1'), inverterModel({ whRaw: 1, sfReg: sf(0) })])
    const { port } = await device(image)
    const meter = tcpMeter(port, { timeoutMs: 1_000 })
    const c = collector()
    await startedMeter(meter, c)
    await c.next('samples', 2)
    expect(meter.battery()).toBeNull()
    expect(meter.status().battery).toBeNull()
  })
})
