import { ConfigError } from '@kvartal/protocol'
import { EnergyUnit, parseJsonPath, type MeterSpec, type ModbusTransport } from '@kvartal/meters'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v != null && !Array.isArray(v)

function known (o: Obj, path: string, keys: string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ConfigError(`${path}.${k}`, `unknown field (expected one of: ${keys.join(', ')})`)
}
function str (o: Obj, key: string, path: string, required: boolean): string | undefined {
  const v = o[key]
  if (v == null) { if (required) throw new ConfigError(`${path}.${key}`, 'is required'); return undefined }
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${path}.${key}`, `must be a non-empty string, got ${JSON.stringify(v)}`)
  return v
}
function path (o: Obj, key: string, at: string): string {
  const v = o[key] ?? '$'
  if (typeof v !== 'string') throw new ConfigError(`${at}.${key}`, 'must be a JSON path such as $.data.lastMeterConsumption')
  try { parseJsonPath(v) } catch (err) { throw new ConfigError(`${at}.${key}`, (err as Error).message) }
  return v
}
function tolerance (o: Obj, at: string, def: number): number {
  const v = o.toleranceSeconds ?? def
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > 300) throw new ConfigError(`${at}.toleranceSeconds`, `must be a whole number of seconds from 0 to 300 (how long after a slot boundary a sample still stands for it), got ${JSON.stringify(v)}`)
  return v * 1000
}

function reading (o: Obj, key: string, at: string, required: boolean): { topic: string, path: string, unit: EnergyUnit } | undefined {
  const v = o[key]
  if (v == null) { if (required) throw new ConfigError(`${at}.${key}`, 'is required: { topic, path, unit } of the cumulative register'); return undefined }
  if (!isObj(v)) throw new ConfigError(`${at}.${key}`, 'must be a mapping: { topic, path, unit }')
  known(v, `${at}.${key}`, ['topic', 'path', 'unit'])
  const topic = str(v, 'topic', `${at}.${key}`, true)!
  if (/[#+]/.test(topic)) throw new ConfigError(`${at}.${key}.topic`, 'must be one topic, without the wildcards + and #')
  const unit = v.unit ?? 'kWh'
  if (typeof unit !== 'string' || !(unit in EnergyUnit)) throw new ConfigError(`${at}.${key}.unit`, `must be one of ${Object.keys(EnergyUnit).join(', ')}`)
  return { topic, path: path(v, 'path', `${at}.${key}`), unit: unit as EnergyUnit }
}

/**
 * The `meter:` section of a node config: one driver, named by its key.
 *   meter: { mqtt: { url, import: { topic, path, unit }, export?, time?, id?, username?, passwordEnv?, toleranceSeconds? } }
 *   meter: { p1: { port: /dev/ttyUSB0, baudRate?: 115200, toleranceSeconds? } }
 *   meter: { han: { port: /dev/ttyUSB0, baudRate?: 2400, toleranceSeconds? } }   (hourly registers)
 *   meter: { modbus: { host, port?: 502, unitId?: 1, pollSeconds?: 5, toleranceSeconds? } }   (SunSpec over Modbus TCP)
 *   meter: { modbus: { serialPath: /dev/ttyUSB0, baudRate?: 9600, unitId?: 1, pollSeconds?, toleranceSeconds? } }   (RTU)
 *   meter: { ocpp: { listen: '0.0.0.0:8887', chargePointId, connectorId?: 1, passwordEnv?, heartbeatSeconds?: 300, alignedSeconds?: 900, toleranceSeconds? } }
 * Absent: the node has no meter, and records every slot as a gap.
 */
export function validateMeterConfig (doc: unknown, env: Record<string, string | undefined> = process.env): MeterSpec | undefined {
  if (doc == null) return undefined
  if (!isObj(doc)) throw new ConfigError('meter', 'must be a mapping with one driver: mqtt, p1, han, modbus or ocpp')
  known(doc, 'meter', ['mqtt', 'p1', 'han', 'modbus', 'ocpp'])
  const drivers = Object.keys(doc)
  if (drivers.length !== 1) throw new ConfigError('meter', `names one driver (mqtt, p1, han, modbus or ocpp), got ${drivers.length === 0 ? 'none' : drivers.join(' and ')}`)
  if (doc.modbus != null) return modbusConfig(doc.modbus)
  if (doc.ocpp != null) return ocppConfig(doc.ocpp, env)
  if (doc.han != null) {
    const h = doc.han; const at = 'meter.han'
    if (!isObj(h)) throw new ConfigError(at, 'must be a mapping: { port: /dev/ttyUSB0 }')
    known(h, at, ['port', 'baudRate', 'toleranceSeconds'])
    const port = str(h, 'port', at, true)!
    const baudRate = h.baudRate ?? 2_400
    if (typeof baudRate !== 'number' || ![2_400, 9_600].includes(baudRate)) throw new ConfigError(`${at}.baudRate`, `must be 2400 (the Norwegian HAN port) or 9600, got ${JSON.stringify(baudRate)}`)
    return { kind: 'han', port, baudRate, toleranceMs: tolerance(h, at, 30) }
  }
  if (doc.mqtt != null) {
    const m = doc.mqtt; const at = 'meter.mqtt'
    if (!isObj(m)) throw new ConfigError(at, 'must be a mapping')
    known(m, at, ['url', 'username', 'passwordEnv', 'id', 'import', 'export', 'time', 'toleranceSeconds'])
    const url = str(m, 'url', at, true)!
    if (!/^(mqtts?|wss?|tcp|ssl):\/\/[^/]+/.test(url)) throw new ConfigError(`${at}.url`, `must be a broker URL such as mqtt://192.168.1.10:1883, got ${JSON.stringify(url)}`)
    const passwordEnv = str(m, 'passwordEnv', at, false)
    let password: string | undefined
    if (passwordEnv != null) {
      password = env[passwordEnv]
      if (password == null) throw new ConfigError(`${at}.passwordEnv`, `names the environment variable ${passwordEnv}, which is not set`)
    }
    const id = str(m, 'id', at, false); const username = str(m, 'username', at, false)
    const time = m.time == null ? undefined : path(m, 'time', at)
    const exp = reading(m, 'export', at, false)
    return {
      kind: 'mqtt', url, import: reading(m, 'import', at, true)!, toleranceMs: tolerance(m, at, 30),
      ...(exp != null ? { export: exp } : {}), ...(time != null ? { time } : {}), ...(id != null ? { id } : {}),
      ...(username != null ? { username } : {}), ...(password != null ? { password } : {})
    }
  }
  const p = doc.p1; const at = 'meter.p1'
  if (!isObj(p)) throw new ConfigError(at, 'must be a mapping: { port: /dev/ttyUSB0 }')
  known(p, at, ['port', 'baudRate', 'toleranceSeconds'])
  const port = str(p, 'port', at, true)!
  const baudRate = p.baudRate ?? 115_200
  if (typeof baudRate !== 'number' || ![9_600, 19_200, 38_400, 57_600, 115_200].includes(baudRate)) throw new ConfigError(`${at}.baudRate`, `must be 115200 (DSMR 4 and 5) or 9600 (DSMR 2.2 and 3), got ${JSON.stringify(baudRate)}`)
  return { kind: 'p1', port, baudRate, toleranceMs: tolerance(p, at, 10) }
}

function whole (o: Obj, key: string, at: string, def: number, min: number, max: number, what: string): number {
  const v = o[key] ?? def
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new ConfigError(`${at}.${key}`, `must be a whole number from ${min} to ${max} (${what}), got ${JSON.stringify(v)}`)
  return v
}

/** `meter.modbus`: a SunSpec device over Modbus TCP (`host`) or RTU (`serialPath`). */
function modbusConfig (m: unknown): MeterSpec {
  const at = 'meter.modbus'
  if (!isObj(m)) throw new ConfigError(at, 'must be a mapping: { host, port?, unitId? } (Modbus TCP) or { serialPath, baudRate?, unitId? } (RTU)')
  known(m, at, ['host', 'port', 'serialPath', 'baudRate', 'unitId', 'pollSeconds', 'toleranceSeconds'])
  if ((m.host == null) === (m.serialPath == null)) throw new ConfigError(at, 'needs exactly one of host (Modbus TCP) or serialPath (Modbus RTU)')
  const pollSeconds = whole(m, 'pollSeconds', at, 5, 1, 60, 'seconds between two reads of the registers')
  const toleranceMs = tolerance(m, at, Math.max(10, 2 * pollSeconds))
  if (toleranceMs < pollSeconds * 1000) throw new ConfigError(`${at}.toleranceSeconds`, `must be at least pollSeconds (${pollSeconds}): a sample comes only once per poll`)
  let transport: ModbusTransport
  if (m.host != null) {
    if (m.baudRate != null) throw new ConfigError(`${at}.baudRate`, 'is for Modbus RTU (serialPath), not TCP')
    const host = str(m, 'host', at, true)!
    transport = { kind: 'tcp', host, port: whole(m, 'port', at, 502, 1, 65_535, 'the Modbus TCP port') }
  } else {
    if (m.port != null) throw new ConfigError(`${at}.port`, 'is for Modbus TCP (host); a serial line takes serialPath and baudRate')
    const path = str(m, 'serialPath', at, true)!
    const baudRate = m.baudRate ?? 9_600
    if (typeof baudRate !== 'number' || ![1_200, 2_400, 4_800, 9_600, 19_200, 38_400, 57_600, 115_200].includes(baudRate)) throw new ConfigError(`${at}.baudRate`, `must be a standard rate from 1200 to 115200 (9600 is the Modbus RTU default), got ${JSON.stringify(baudRate)}`)
    transport = { kind: 'rtu', path, baudRate }
  }
  const unitId = whole(m, 'unitId', at, 1, 1, transport.kind === 'tcp' ? 255 : 247, 'the Modbus unit id of the SunSpec device')
  return { kind: 'modbus', transport, unitId, pollMs: pollSeconds * 1000, toleranceMs }
}

/** `meter.ocpp`: the node as the OCPP 1.6J central system of its one charge point. */
function ocppConfig (o: unknown, env: Record<string, string | undefined>): MeterSpec {
  const at = 'meter.ocpp'
  if (!isObj(o)) throw new ConfigError(at, "must be a mapping: { listen: '0.0.0.0:8887', chargePointId }")
  known(o, at, ['listen', 'chargePointId', 'connectorId', 'passwordEnv', 'heartbeatSeconds', 'alignedSeconds', 'toleranceSeconds'])
  const listen = o.listen
  let host = '0.0.0.0'; let port: number
  if (typeof listen === 'number') port = listen
  else if (typeof listen === 'string' && /^(.+):(\d+)$/.test(listen)) { const m = /^(.+):(\d+)$/.exec(listen)!; host = m[1].replace(/^\[(.*)\]$/, '$1'); port = Number(m[2]) }
  else throw new ConfigError(`${at}.listen`, `must be host:port or a port (where the charge point connects: ws://host:port/<chargePointId>), got ${JSON.stringify(listen)}`)
  if (!Number.isSafeInteger(port) || port < 1 || port > 65_535) throw new ConfigError(`${at}.listen`, `port must be from 1 to 65535, got ${port}`)
  const chargePointId = str(o, 'chargePointId', at, true)!
  if (!/^[^\s/?#]{1,64}$/.test(chargePointId)) throw new ConfigError(`${at}.chargePointId`, 'must be the charge point\'s identity as it puts it in the URL: up to 64 characters, no spaces, /, ? or #')
  const passwordEnv = str(o, 'passwordEnv', at, false)
  let password: string | undefined
  if (passwordEnv != null) {
    password = env[passwordEnv]
    if (password == null) throw new ConfigError(`${at}.passwordEnv`, `names the environment variable ${passwordEnv}, which is not set`)
  }
  const alignedSeconds = whole(o, 'alignedSeconds', at, 900, 0, 86_400, 'ClockAlignedDataInterval asked of the charge point, 0: not asked; the slot length')
  return {
    kind: 'ocpp', host, port, chargePointId,
    connectorId: whole(o, 'connectorId', at, 1, 1, 32, 'the connector whose meter is the meter'),
    heartbeatSeconds: whole(o, 'heartbeatSeconds', at, 300, 10, 86_400, 'the heartbeat interval given at boot'),
    alignedSeconds, toleranceMs: tolerance(o, at, 60),
    ...(password != null ? { password } : {})
  }
}
