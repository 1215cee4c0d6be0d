import type { ServerTCP } from 'modbus-serial'
import { ModbusMeter, type ModbusMeterInit } from '../src/index.ts'
import type { SampleCollector } from './sample-collector.ts'
import { close, commonModel, freePort, meterModel, RegisterImage, serve, sf } from '../testing/sunspec-image.ts'
import { stops } from './stops.ts'

/**
 * What the Modbus tests share (modbus-meter.test.ts, modbus-float-models.test.ts, modbus-slot-readings.test.ts,
 * modbus-rtu.test.ts): modbus-serial's own Modbus TCP server on 127.0.0.1 serving a register image (closed
 * after the test, stops.ts), and the image of a SunSpec meter (models 1 + 203). See sunspec-image.ts for the
 * published point offsets.
 */

export async function device(image: RegisterImage): Promise<{ port: number; server: ServerTCP }> {
  const port = await freePort()
  const server = await serve(image, port)
  stops.push(async () => {
    await close(server)
  })
  return { port, server }
}

export const meterImage = (sn = 'KM00001'): RegisterImage =>
  new RegisterImage(40_000, [
    commonModel('Kvartal Test', 'KM-203', sn),
    meterModel({ importRaw: 1_234_567, exportRaw: 45_678, sfReg: sf(-1) })
  ])

/** A Modbus TCP meter on 127.0.0.1:`port`, unit 1, polled every 20 ms, with `init` on top of those. */
export const tcpMeter = (port: number, init: Partial<ModbusMeterInit> = {}): ModbusMeter =>
  new ModbusMeter({ transport: { kind: 'tcp', host: '127.0.0.1', port }, unitId: 1, pollMs: 20, toleranceMs: 10_000, ...init })

/** Starts `meter` into the collector's sink; it is stopped after the test (stops.ts). */
export async function startedMeter(meter: ModbusMeter, c: SampleCollector): Promise<void> {
  await meter.start(c.sink)
  stops.push(async () => {
    await meter.stop()
  })
}
