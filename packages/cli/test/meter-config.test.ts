import { describe, expect, it } from 'vitest'
import { validateNodeConfig } from '../src/index.ts'
import { validateMeterConfig } from '../src/meter-config.ts'

const base = { district: 'demo', dataDir: './data', position: [100] }
const tibber = { url: 'mqtt://192.168.1.10:1883', import: { topic: 'tibber/pulse/live', path: '$.lastMeterConsumption', unit: 'kWh' }, export: { topic: 'tibber/pulse/live', path: '$.lastMeterProduction' }, time: '$.timestamp' }

describe('meter config', () => {
  it('reads an MQTT meter: a topic and a JSON path per register, kWh by default, tolerance in seconds', () => {
    const c = validateNodeConfig({ ...base, meter: { mqtt: { ...tibber, toleranceSeconds: 20 } } }, '/etc/kvartal')
    expect(c.meter).toEqual({ kind: 'mqtt', url: tibber.url, import: { topic: 'tibber/pulse/live', path: '$.lastMeterConsumption', unit: 'kWh' }, export: { topic: 'tibber/pulse/live', path: '$.lastMeterProduction', unit: 'kWh' }, time: '$.timestamp', toleranceMs: 20_000 })
    expect(validateNodeConfig(base, '/etc/kvartal').meter).toBeUndefined()
  })

  it('reads a P1 port with DSMR 5\'s defaults', () => {
    expect(validateMeterConfig({ p1: { port: '/dev/ttyUSB0' } })).toEqual({ kind: 'p1', port: '/dev/ttyUSB0', baudRate: 115_200, toleranceMs: 10_000 })
  })

  it('reads a HAN port at 2400 baud by default', () => {
    expect(validateMeterConfig({ han: { port: '/dev/ttyUSB1' } })).toEqual({ kind: 'han', port: '/dev/ttyUSB1', baudRate: 2_400, toleranceMs: 30_000 })
  })

  it('takes the broker password from the environment variable it names, never from the file', () => {
    expect(validateMeterConfig({ mqtt: { ...tibber, username: 'kv', passwordEnv: 'MQTT_PW' } }, { MQTT_PW: 's3cret' })).toMatchObject({ username: 'kv', password: 's3cret' })
    expect(() => validateMeterConfig({ mqtt: { ...tibber, password: 'inline' } }, {})).toThrow(expect.objectContaining({ field: 'meter.mqtt.password' }))
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
    [{ meter: { han: { port: '/dev/ttyUSB1', baudRate: 115200 } } }, 'meter.han.baudRate']
  ])('refuses %j naming %s', (doc, field) => {
    expect(() => validateNodeConfig({ ...base, ...doc }, '/tmp')).toThrow(expect.objectContaining({ name: 'ConfigError', field }))
  })
})
