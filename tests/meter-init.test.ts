import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { initCommand, loadNodeConfig, type InitOptions } from '@kvartal/cli'
import { runCli } from './helpers/processes.ts'

// `kvartal init --meter <kind>` writes the chosen meter's section, filled in from the --meter-* flags
// and documented; the node's own config loader (the one `kvartal node` uses) reads it back from the
// file on disk, in a temp dir, as the driver's spec.

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-meter-init-'))
})
afterEach(async () => {
  vi.restoreAllMocks()
  await rm(dir, { recursive: true, force: true })
})

async function init(name: string, o: InitOptions): Promise<{ meter: unknown; text: string }> {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
  const d = join(dir, name)
  expect(await initCommand({ dir: d, district: 'meter-init', ...o })).toBe(0)
  vi.restoreAllMocks()
  const text = await readFile(join(d, 'node.yaml'), 'utf8')
  return { meter: (await loadNodeConfig(join(d, 'node.yaml'))).meter, text }
}

/** the meter section as written: from `meter:` to the next top-level key */
const section = (text: string): string => /^meter:[^\n]*\n(?:[ ]+[^\n]*\n)+/m.exec(text)?.[0] ?? ''

describe('kvartal init --meter', () => {
  it("writes each kind's section, filled in from the flags, which the node's loader reads as that driver", async () => {
    const cases: Array<[string, InitOptions, unknown]> = [
      [
        'p1',
        { meter: 'p1', meterDevice: '/dev/serial/by-id/usb-FTDI_P1-if00' },
        { kind: 'p1', port: '/dev/serial/by-id/usb-FTDI_P1-if00', baudRate: 115_200, toleranceMs: 10_000 }
      ],
      ['han', { meter: 'han', meterDevice: '/dev/ttyAMA0' }, { kind: 'han', port: '/dev/ttyAMA0', baudRate: 2_400, toleranceMs: 90_000 }],
      [
        'mqtt',
        { meter: 'mqtt', meterUrl: 'mqtts://broker.local:8883', meterId: 'pulse-7' },
        {
          kind: 'mqtt',
          url: 'mqtts://broker.local:8883',
          id: 'pulse-7',
          toleranceMs: 30_000,
          time: '$.timestamp',
          import: { topic: 'tibber/pulse/live', path: '$.lastMeterConsumption', unit: 'kWh' },
          export: { topic: 'tibber/pulse/live', path: '$.lastMeterProduction', unit: 'kWh' }
        }
      ],
      [
        'modbus-tcp',
        { meter: 'modbus', meterHost: '192.168.1.77:1502' },
        { kind: 'modbus', transport: { kind: 'tcp', host: '192.168.1.77', port: 1_502 }, unitId: 1, pollMs: 5_000, toleranceMs: 10_000 }
      ],
      [
        'modbus-tcp-default-port',
        { meter: 'modbus', meterHost: 'inverter.lan' },
        { kind: 'modbus', transport: { kind: 'tcp', host: 'inverter.lan', port: 502 }, unitId: 1, pollMs: 5_000, toleranceMs: 10_000 }
      ],
      [
        'modbus-rtu',
        { meter: 'modbus', meterDevice: '/dev/ttyUSB1' },
        { kind: 'modbus', transport: { kind: 'rtu', path: '/dev/ttyUSB1', baudRate: 9_600 }, unitId: 1, pollMs: 5_000, toleranceMs: 10_000 }
      ],
      [
        'ocpp',
        { meter: 'ocpp', meterHost: '8899', meterId: 'CP-0042' },
        {
          kind: 'ocpp',
          host: '0.0.0.0',
          port: 8_899,
          chargePointId: 'CP-0042',
          connectorId: 1,
          heartbeatSeconds: 300,
          alignedSeconds: 900,
          toleranceMs: 60_000
        }
      ],
      [
        'ocpp-ipv6',
        { meter: 'ocpp', meterHost: '[::1]:9000' },
        {
          kind: 'ocpp',
          host: '::1',
          port: 9_000,
          chargePointId: 'CP-1',
          connectorId: 1,
          heartbeatSeconds: 300,
          alignedSeconds: 900,
          toleranceMs: 60_000
        }
      ],
      ['none', { meter: 'none' }, undefined]
    ]
    for (const [name, o, spec] of cases) {
      const { meter, text } = await init(name, o)
      expect(meter, name).toEqual(spec)
      if (spec == null) {
        expect(section(text)).toBe('')
        expect(text).toContain('kvartal init --meter p1|han|mqtt|modbus|ocpp')
        continue
      }
      // documented: every line of the section carries its comment
      const lines = section(text).trimEnd().split('\n')
      expect(lines.length, name).toBeGreaterThanOrEqual(5)
      for (const l of lines) expect(l, `${name}: ${l}`).toMatch(/ # \S/)
    }
  })

  it('refuses a flag the kind does not take, or a value it cannot use, naming the flag, before writing anything', async () => {
    const refused: Array<[InitOptions, string, RegExp]> = [
      [{ meter: 'p1', meterUrl: 'mqtt://x:1883' }, '--meter-url', /not for --meter p1: it takes --meter-device/],
      [{ meter: 'none', meterDevice: '/dev/ttyUSB0' }, '--meter-device', /not for --meter none/],
      [{ meter: 'p1', meterDevice: 'ttyUSB0' }, '--meter-device', /absolute path/],
      [{ meter: 'modbus', meterHost: '10.0.0.5', meterDevice: '/dev/ttyUSB0' }, '--meter-host', /not both/],
      [{ meter: 'modbus', meterHost: '10.0.0.5:70000' }, '--meter-host', /from 1 to 65535/],
      [{ meter: 'ocpp', meterHost: 'charger.lan' }, '--meter-host', /host:port or a port/],
      [{ meter: 'ocpp', meterId: 'CP/1' }, '--meter-id', /no spaces, \/, \? or #/],
      [{ meter: 'mqtt', meterUrl: 'http://broker' }, '--meter-url', /broker URL/],
      [{ meter: 'mqtt', meterId: 'a b' }, '--meter-id', /without spaces/]
    ]
    for (const [o, field, message] of refused) {
      const err = await initCommand({ dir: join(dir, 'refused'), ...o }).then(
        () => null,
        (e: unknown) => e
      )
      expect(err, JSON.stringify(o)).toMatchObject({ name: 'ConfigError', field })
      expect((err as Error).message).toMatch(message)
    }
    await expect(readFile(join(dir, 'refused', 'node.yaml'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('the command line takes the flags (a real `kvartal init` process)', { timeout: 90_000 }, async () => {
    const d = join(dir, 'cli')
    const r = await runCli(['init', '--dir', d, '--meter', 'modbus', '--meter-host', '10.1.2.3'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect((await loadNodeConfig(join(d, 'node.yaml'))).meter).toEqual({
      kind: 'modbus',
      transport: { kind: 'tcp', host: '10.1.2.3', port: 502 },
      unitId: 1,
      pollMs: 5_000,
      toleranceMs: 10_000
    })
  })
})
