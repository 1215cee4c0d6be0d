import { describe, expect, it } from 'vitest'
import { validateNodeConfig } from '../src/index.ts'
import { validateMeterConfig } from '../src/meter-config.ts'

const base = { district: 'demo', dataDir: './data', position: [100] }
const tibber = {
  url: 'mqtt://192.168.1.10:1883',
  import: { topic: 'tibber/pulse/live', path: '$.lastMeterConsumption', unit: 'kWh' },
  export: { topic: 'tibber/pulse/live', path: '$.lastMeterProduction' },
  time: '$.timestamp'
}

describe('meter config', () => {
  it('reads an MQTT meter: a topic and a JSON path per register, kWh by default, tolerance in seconds', () => {
    const c = validateNodeConfig({ ...base, meter: { mqtt: { ...tibber, toleranceSeconds: 20 } } }, '/etc/kvartal')
    expect(c.meter).toEqual({
      kind: 'mqtt',
      url: tibber.url,
      import: { topic: 'tibber/pulse/live', path: '$.lastMeterConsumption', unit: 'kWh' },
      export: { topic: 'tibber/pulse/live', path: '$.lastMeterProduction', unit: 'kWh' },
      time: '$.timestamp',
      toleranceMs: 20_000
    })
    expect(validateNodeConfig(base, '/etc/kvartal').meter).toBeUndefined()
  })

  it("reads a P1 port with DSMR 5's defaults", () => {
    expect(validateMeterConfig({ p1: { port: '/dev/ttyUSB0' } })).toEqual({
      kind: 'p1',
      port: '/dev/ttyUSB0',
      baudRate: 115_200,
      toleranceMs: 10_000
    })
  })

  it("reads a Swedish P1 port (standard se) with the meter's identity, which its telegrams do not carry", () => {
    expect(validateMeterConfig({ p1: { port: '/dev/ttyUSB0', standard: 'se', id: '85123456' } })).toEqual({
      kind: 'p1',
      port: '/dev/ttyUSB0',
      baudRate: 115_200,
      toleranceMs: 10_000,
      standard: 'se',
      meterId: '85123456'
    })
    expect(() => validateMeterConfig({ p1: { port: '/dev/ttyUSB0', standard: 'se' } })).toThrow(
      expect.objectContaining({ field: 'meter.p1.id', message: expect.stringContaining('no equipment id') })
    )
  })

  it('reads a HAN port at 2400 baud by default, with a tolerance above the 55 s a 2021 Kamstrup stamps after the hour', () => {
    expect(validateMeterConfig({ han: { port: '/dev/ttyUSB1' } })).toEqual({
      kind: 'han',
      port: '/dev/ttyUSB1',
      baudRate: 2_400,
      toleranceMs: 90_000
    })
    // a Swedish Kamstrup counts whole Wh on the Norwegian list format: the operator says so
    expect(validateMeterConfig({ han: { port: '/dev/ttyUSB1', kamstrupRegisterWh: 1 } })).toEqual({
      kind: 'han',
      port: '/dev/ttyUSB1',
      baudRate: 2_400,
      toleranceMs: 90_000,
      kamstrupRegisterWh: 1
    })
  })

  it('reads a SunSpec device over Modbus TCP or RTU, with defaults (port 502, unit 1, a poll every 5 s)', () => {
    expect(validateMeterConfig({ modbus: { host: '192.168.1.50' } })).toEqual({
      kind: 'modbus',
      transport: { kind: 'tcp', host: '192.168.1.50', port: 502 },
      unitId: 1,
      pollMs: 5_000,
      toleranceMs: 10_000
    })
    expect(validateMeterConfig({ modbus: { serialPath: '/dev/ttyUSB0', unitId: 3, pollSeconds: 2, toleranceSeconds: 6 } })).toEqual({
      kind: 'modbus',
      transport: { kind: 'rtu', path: '/dev/ttyUSB0', baudRate: 9_600 },
      unitId: 3,
      pollMs: 2_000,
      toleranceMs: 6_000
    })
  })

  it('reads an OCPP charge point: where to listen, its identity, the password from the environment', () => {
    expect(
      validateMeterConfig({ ocpp: { listen: '0.0.0.0:8887', chargePointId: 'CP-0042', passwordEnv: 'CP_PW' } }, { CP_PW: 'pw' })
    ).toEqual({
      kind: 'ocpp',
      host: '0.0.0.0',
      port: 8_887,
      chargePointId: 'CP-0042',
      connectorId: 1,
      password: 'pw',
      heartbeatSeconds: 300,
      alignedSeconds: 900,
      toleranceMs: 60_000
    })
    expect(validateMeterConfig({ ocpp: { listen: 9000, chargePointId: 'wb1', alignedSeconds: 0 } })).toMatchObject({
      host: '0.0.0.0',
      port: 9_000,
      alignedSeconds: 0
    })
  })

  it('takes the broker password from the environment variable it names, never from the file', () => {
    expect(validateMeterConfig({ mqtt: { ...tibber, username: 'kv', passwordEnv: 'MQTT_PW' } }, { MQTT_PW: 's3cret' })).toMatchObject({
      username: 'kv',
      password: 's3cret'
    })
    expect(() => validateMeterConfig({ mqtt: { ...tibber, password: 'inline' } }, {})).toThrow(
      expect.objectContaining({ field: 'meter.mqtt.password' })
    )
    expect(() => validateMeterConfig({ mqtt: { ...tibber, passwordEnv: 'NOPE' } }, {})).toThrow(/NOPE, which is not set/)
  })

  it.each([
    [{ meter: 'p1' }, 'meter'],
    [{ meter: {} }, 'meter'],
    [{ meter: { p1: { port: '/dev/ttyUSB0' }, mqtt: tibber } }, 'meter'],
    [{ meter: { modbus: {} } }, 'meter.modbus'],
    [{ meter: { mqtt: { ...tibber, url: 'http://broker' } } }, 'meter.mqtt.url'],
    [{ meter: { mqtt: { ...tibber, import: undefined } } }, 'meter.mqtt.import'],
    [{ meter: { mqtt: { ...tibber, import: { topic: 'meters/#', path: '$' } } } }, 'meter.mqtt.import.topic'],
    [{ meter: { mqtt: { ...tibber, import: { topic: 'm', path: '$.a[' } } } }, 'meter.mqtt.import.path'],
    [{ meter: { mqtt: { ...tibber, export: { topic: 'm', unit: 'kW' } } } }, 'meter.mqtt.export.unit'],
    [{ meter: { mqtt: { ...tibber, toleranceSeconds: 900 } } }, 'meter.mqtt.toleranceSeconds'],
    [{ meter: { p1: { port: '/dev/ttyUSB0', baudRate: 1200 } } }, 'meter.p1.baudRate'],
    [{ meter: { p1: {} } }, 'meter.p1.port'],
    [{ meter: { p1: { port: '/dev/ttyUSB0', standard: 'nl' } } }, 'meter.p1.standard'],
    [{ meter: { p1: { port: '/dev/ttyUSB0', id: 'two words' } } }, 'meter.p1.id'],
    [{ meter: { han: { port: '/dev/ttyUSB1', baudRate: 115200 } } }, 'meter.han.baudRate'],
    [{ meter: { han: { port: '/dev/ttyUSB1', kamstrupRegisterWh: 100 } } }, 'meter.han.kamstrupRegisterWh'],
    [{ meter: { modbus: { host: 'inv', serialPath: '/dev/ttyUSB0' } } }, 'meter.modbus'],
    [{ meter: { modbus: { host: 'inv', port: 70000 } } }, 'meter.modbus.port'],
    [{ meter: { modbus: { host: 'inv', unitId: 0 } } }, 'meter.modbus.unitId'],
    [{ meter: { modbus: { serialPath: '/dev/ttyUSB0', unitId: 248 } } }, 'meter.modbus.unitId'],
    [{ meter: { modbus: { host: 'inv', baudRate: 9600 } } }, 'meter.modbus.baudRate'],
    [{ meter: { modbus: { serialPath: '/dev/ttyUSB0', baudRate: 1000 } } }, 'meter.modbus.baudRate'],
    [{ meter: { modbus: { host: 'inv', pollSeconds: 0.5 } } }, 'meter.modbus.pollSeconds'],
    [{ meter: { modbus: { host: 'inv', pollSeconds: 30, toleranceSeconds: 10 } } }, 'meter.modbus.toleranceSeconds'],
    [{ meter: { modbus: { host: '' } } }, 'meter.modbus.host'],
    [{ meter: { modbus: { host: 'inv', timeout: 1 } } }, 'meter.modbus.timeout'],
    [{ meter: { ocpp: { chargePointId: 'cp' } } }, 'meter.ocpp.listen'],
    [{ meter: { ocpp: { listen: 'localhost', chargePointId: 'cp' } } }, 'meter.ocpp.listen'],
    [{ meter: { ocpp: { listen: '0.0.0.0:99999', chargePointId: 'cp' } } }, 'meter.ocpp.listen'],
    [{ meter: { ocpp: { listen: 8887 } } }, 'meter.ocpp.chargePointId'],
    [{ meter: { ocpp: { listen: 8887, chargePointId: 'a/b' } } }, 'meter.ocpp.chargePointId'],
    [{ meter: { ocpp: { listen: 8887, chargePointId: 'cp', connectorId: 0 } } }, 'meter.ocpp.connectorId'],
    [{ meter: { ocpp: { listen: 8887, chargePointId: 'cp', passwordEnv: 'UNSET_PW' } } }, 'meter.ocpp.passwordEnv'],
    [{ meter: { ocpp: { listen: 8887, chargePointId: 'cp', password: 'inline' } } }, 'meter.ocpp.password']
  ])('refuses %j naming %s', (doc, field) => {
    expect(() => validateNodeConfig({ ...base, ...doc }, '/tmp')).toThrow(expect.objectContaining({ name: 'ConfigError', field }))
  })
})
