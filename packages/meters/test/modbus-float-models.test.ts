import { describe, expect, it } from 'vitest'
import { commonModel, f32, floatInverterModel, floatMeterModel, RegisterImage } from '../testing/sunspec-image.ts'
import { collector } from './sample-collector.ts'
import { device, tcpMeter, startedMeter } from './modbus-rig.ts'
import { stopAfterEachTest } from './stops.ts'

// The Modbus/SunSpec driver on the float models (113, 213) against modbus-serial's own Modbus TCP server on
// 127.0.0.1 (modbus-rig.ts): the published listings read as they were printed, and a float register that is
// NaN, negative, a fraction of a Wh or beyond float32's whole steps. Every wait has a deadline.

stopAfterEachTest()

describe('Modbus/SunSpec meter', () => {
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
        const meter = tcpMeter(port, { timeoutMs: 1_000, now: () => 3_000 })
        const c = collector()
        await startedMeter(meter, c)
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
      const meter = tcpMeter(port, { timeoutMs: 1_000 })
      const c = collector()
      await startedMeter(meter, c)
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
})
