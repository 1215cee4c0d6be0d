import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ServerSerial } from 'modbus-serial'
import { ModbusMeter } from '../src/index.ts'
import { socatMissing } from './pty-pair.ts'
import { collector } from './sample-collector.ts'
import { meterImage, startedMeter } from './modbus-rig.ts'
import { stopAfterEachTest, stops } from './stops.ts'

// The Modbus/SunSpec driver over Modbus RTU: a socat pseudo-terminal pair, modbus-serial's ServerSerial
// serving a SunSpec meter's register image (modbus-rig.ts) on one end, the driver on the other. Skipped
// where socat is missing and cannot be installed (pty-pair.ts).

stopAfterEachTest()

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
    await startedMeter(meter, c)
    await c.until('a sample over RTU', () => c.samples.length >= 1)
    expect(c.samples[0]).toEqual({ meterId: 'sunspec:Kvartal Test/KM-203/KM00001', at: 5_000, importWh: 123_456, exportWh: 4_567 })
    expect(meter.id).toBe(`modbus:${join(dir, 'node')}/7`)
  })
})
