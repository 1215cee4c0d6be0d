import { ConfigError } from '@kvartal/protocol'
import { EnergyUnit, parseJsonPath, type MeterSpec } from '@kvartal/meters'

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
 * Absent: the node has no meter, and records every slot as a gap.
 */
export function validateMeterConfig (doc: unknown, env: Record<string, string | undefined> = process.env): MeterSpec | undefined {
  if (doc == null) return undefined
  if (!isObj(doc)) throw new ConfigError('meter', 'must be a mapping with one driver: mqtt, p1 or han')
  known(doc, 'meter', ['mqtt', 'p1', 'han'])
  const drivers = Object.keys(doc)
  if (drivers.length !== 1) throw new ConfigError('meter', `names one driver (mqtt, p1 or han), got ${drivers.length === 0 ? 'none' : drivers.join(' and ')}`)
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
