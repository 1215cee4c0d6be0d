import { readFile } from 'node:fs/promises'
import { isIPv4, isIPv6 } from 'node:net'
import { dirname, resolve } from 'node:path'
import { parse } from 'yaml'
import { multiaddr } from '@multiformats/multiaddr'
import { ConfigError, DISTRICT_PATTERN, FEEDER_PATTERN } from '@kvartal/protocol'
import { builtInStrategies } from '@kvartal/market'
import { BuildingKind, type BuildingSpec } from '@kvartal/devices'
import { validateMobilityConfig, type MobilityConfig } from './mobility-config.ts'
import { validateMeterConfig } from './meter-config.ts'
import type { MeterSpec } from '@kvartal/meters'

import { LOG_LEVELS, type LogLevel } from './log-levels.ts'
export { LOG_LEVELS, type LogLevel } from './log-levels.ts'

/** Prometheus' registered port for a Node exporter-like process; loopback, as the port has no token. */
export const defaultMetricsListen = { host: '127.0.0.1', port: 9464 }

/** `kvartal node --config node.yaml`, validated. */
export interface NodeConfig {
  district: string
  dataDir: string
  listen: string[]
  bootstrap: string[]
  mdns: boolean
  slots: { seconds: number, gateClosureSeconds: number, epochMs: number }
  tariffs: { retail: number, feedIn: number }
  strategy: string
  limits: { buy: number, sell: number }
  market: { ticksPerSlot: number, tradingWindowSlots: number, horizonSlots: number, republishEverySlots: number, catchUpEverySlots: number, holdSeconds: number }
  site: { latitude: number, longitude: number, utcOffsetHours: number, cloudiness: number, seed: number }
  /** simulated devices of this building: its forecasts, never its readings */
  building?: BuildingSpec
  /** the building's meter (meter.mqtt, meter.p1); absent: no readings, every slot a gap */
  meter?: MeterSpec
  /** or a fixed net schedule, Wh per slot, repeated: positive sells, negative buys */
  position?: number[]
  /** info: one line per event of note; debug adds every gossip message received */
  log: LogLevel
  /** the metrics port (GET /metrics, /health, /ready, no token); absent: off (the control API serves them too) */
  metrics?: { host: string, port: number }
  settlement: { adapter: 'local' | 'iota', periodSlots: number, iota: { network: string, gasBudget?: number, notarizationPackageId?: string } }
  /** the node's feeder, the grid fees, its transformer share, relay duty and the grid operator (docs/feeders.md); absent: one feeder, no fees */
  grid?: { feeder: string, fees: { local: number, district: number }, crossFeederShareWh?: number, relay: boolean, operator?: string }
  /** the mobility market: a timetable, and what this node sells (absent: it travels only) */
  mobility?: MobilityConfig
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v != null && !Array.isArray(v)

function known (o: Obj, path: string, keys: string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ConfigError(path === '' ? k : `${path}.${k}`, `unknown field (expected one of: ${keys.join(', ')})`)
}
function obj (o: Obj, key: string, path: string): Obj {
  const v = o[key]
  if (v == null) return {}
  if (!isObj(v)) throw new ConfigError(path === '' ? key : `${path}.${key}`, 'must be a mapping')
  return v
}
function int (o: Obj, key: string, path: string, def: number | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = o[key]
  const field = path === '' ? key : `${path}.${key}`
  if (v == null) {
    if (def == null) throw new ConfigError(field, 'is required')
    return def
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ConfigError(field, `must be a whole number, got ${JSON.stringify(v)}`)
  if (v < min || v > max) throw new ConfigError(field, `must be between ${min} and ${max}, got ${v}`)
  return v
}
function real (o: Obj, key: string, path: string, def: number, min: number, max: number): number {
  const v = o[key] ?? def
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new ConfigError(`${path}.${key}`, `must be a number between ${min} and ${max}, got ${JSON.stringify(v)}`)
  return v
}
function strings (o: Obj, key: string, def: string[], needPeerId = false): string[] {
  const v = o[key] ?? def
  if (!Array.isArray(v) || v.some(x => typeof x !== 'string')) throw new ConfigError(key, 'must be a list of multiaddr strings')
  v.forEach((a: string, i: number) => {
    let ma
    try { ma = multiaddr(a) } catch (err) { throw new ConfigError(`${key}[${i}]`, `"${a}" is not a multiaddr: ${(err as Error).message}`) }
    if (needPeerId && !/\/p2p\/[1-9A-HJ-NP-Za-km-z]{40,}$/.test(ma.toString())) throw new ConfigError(`${key}[${i}]`, `"${a}" must end in /p2p/<peer id> (kvartal id --config prints a node's)`)
  })
  return v as string[]
}

export function validateNodeConfig (doc: unknown, baseDir: string): NodeConfig {
  if (!isObj(doc)) throw new ConfigError('(root)', 'a node config is a YAML mapping')
  known(doc, '', ['district', 'dataDir', 'listen', 'bootstrap', 'mdns', 'slots', 'tariffs', 'strategy', 'limits', 'market', 'site', 'building', 'position', 'log', 'settlement', 'mobility', 'grid', 'meter', 'metrics'])
  if (typeof doc.district !== 'string' || !DISTRICT_PATTERN.test(doc.district)) throw new ConfigError('district', 'is required: lower-case letters, digits and dashes, 1–63 characters')
  if (typeof doc.dataDir !== 'string' || doc.dataDir === '') throw new ConfigError('dataDir', 'is required: the directory that holds this node\'s key and journal')
  const slots = obj(doc, 'slots', ''); known(slots, 'slots', ['seconds', 'gateClosureSeconds', 'epoch'])
  const tariffs = obj(doc, 'tariffs', ''); known(tariffs, 'tariffs', ['retail', 'feedIn'])
  const limits = obj(doc, 'limits', ''); known(limits, 'limits', ['buy', 'sell'])
  const market = obj(doc, 'market', ''); known(market, 'market', ['ticksPerSlot', 'tradingWindowSlots', 'horizonSlots', 'republishEverySlots', 'catchUpEverySlots', 'holdSeconds'])
  const site = obj(doc, 'site', ''); known(site, 'site', ['latitude', 'longitude', 'utcOffsetHours', 'cloudiness', 'seed'])
  const strategy = doc.strategy ?? 'concession'
  if (typeof strategy !== 'string' || builtInStrategies[strategy] == null) throw new ConfigError('strategy', `unknown strategy ${JSON.stringify(strategy)} (built in: ${Object.keys(builtInStrategies).join(', ')})`)
  const seconds = int(slots, 'seconds', 'slots', 900, 1, 86_400)
  const gateClosureSeconds = int(slots, 'gateClosureSeconds', 'slots', Math.min(60, Math.floor(seconds / 4)), 0, seconds - 1)
  let epochMs = 0
  if (slots.epoch != null) {
    epochMs = typeof slots.epoch === 'string' ? Date.parse(slots.epoch) : NaN
    if (Number.isNaN(epochMs)) throw new ConfigError('slots.epoch', 'must be an ISO date-time, e.g. 2026-01-01T00:00:00Z')
  }
  const retail = int(tariffs, 'retail', 'tariffs', 1_000_000_000)
  const feedIn = int(tariffs, 'feedIn', 'tariffs', 300_000_000)
  if (feedIn > retail) throw new ConfigError('tariffs.feedIn', 'must not exceed tariffs.retail')
  const buy = int(limits, 'buy', 'limits', Math.round(feedIn + 0.8 * (retail - feedIn)), feedIn, retail)
  const sell = int(limits, 'sell', 'limits', Math.round(feedIn + 0.2 * (retail - feedIn)), feedIn, retail)
  let position: number[] | undefined
  if (doc.position != null) {
    if (!Array.isArray(doc.position) || doc.position.length === 0 || doc.position.some(x => typeof x !== 'number' || !Number.isSafeInteger(x))) throw new ConfigError('position', 'must be a non-empty list of whole Wh per slot')
    position = doc.position as number[]
  }
  let building: BuildingSpec | undefined
  if (doc.building != null) {
    if (!isObj(doc.building)) throw new ConfigError('building', 'must be a mapping')
    known(doc.building, 'building', ['id', 'kind', 'load', 'pvPeakW', 'battery', 'ev'])
    if (typeof doc.building.kind !== 'string' || !(doc.building.kind in BuildingKind)) throw new ConfigError('building.kind', `must be one of ${Object.keys(BuildingKind).join(', ')}`)
    building = { id: 'building', ...doc.building } as unknown as BuildingSpec
  }
  if (position == null && building == null && doc.mobility == null) throw new ConfigError('building', 'a node needs its devices (building), a fixed net schedule (position), or a mobility section')
  if (doc.mdns != null && typeof doc.mdns !== 'boolean') throw new ConfigError('mdns', 'must be true or false')
  const settlement = obj(doc, 'settlement', ''); known(settlement, 'settlement', ['adapter', 'periodSlots', 'iota'])
  const adapter = settlement.adapter ?? 'local'
  if (adapter !== 'local' && adapter !== 'iota') throw new ConfigError('settlement.adapter', 'must be local (the embedded ledger) or iota')
  const iota = obj(settlement, 'iota', 'settlement'); known(iota, 'settlement.iota', ['network', 'gasBudget', 'notarizationPackageId'])
  const network = iota.network ?? 'testnet'
  if (typeof network !== 'string' || !(/^(mainnet|testnet|devnet|localnet)$/.test(network) || /^https?:\/\//.test(network))) throw new ConfigError('settlement.iota.network', 'must be mainnet, testnet, devnet, localnet or an http(s) URL of a full node')
  const siteLat = typeof site.latitude === 'number' ? site.latitude : 63.43
  const siteLon = typeof site.longitude === 'number' ? site.longitude : 10.39
  const mobility = validateMobilityConfig(doc.mobility, baseDir, { latitude: siteLat, longitude: siteLon })
  // a provider is paid before it confirms a leg, and checks that payment on the ledger by its digest: the
  // traveller's ledger must be its ledger too, which a local ledger (this process's own) never is
  if (mobility?.provider != null && adapter !== 'iota') throw new ConfigError('settlement.adapter', 'a mobility provider checks each traveller\'s payment on a shared ledger before it confirms a booking: set settlement.adapter: iota (the local ledger is this node\'s own, where no traveller can pay it)')
  let grid: NodeConfig['grid']
  if (doc.grid != null) {
    const g = obj(doc, 'grid', ''); known(g, 'grid', ['feeder', 'fees', 'crossFeederShareWh', 'relay', 'operator'])
    if (typeof g.feeder !== 'string' || !FEEDER_PATTERN.test(g.feeder)) throw new ConfigError('grid.feeder', 'must name the node\'s feeder: lower-case letters, digits and dashes, 1–63 characters')
    const fees = obj(g, 'fees', 'grid'); known(fees, 'grid.fees', ['local', 'district'])
    const local = int(fees, 'local', 'grid.fees', 0); const district = int(fees, 'district', 'grid.fees', local)
    if (district < local) throw new ConfigError('grid.fees.district', `must be at least grid.fees.local (${local})`)
    if (g.relay != null && typeof g.relay !== 'boolean') throw new ConfigError('grid.relay', 'must be true or false')
    if (g.operator != null && (typeof g.operator !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(g.operator))) throw new ConfigError('grid.operator', 'must be the grid operator\'s IOTA address: 0x and 64 hex digits')
    grid = {
      feeder: g.feeder, fees: { local, district }, relay: g.relay === true,
      ...(g.crossFeederShareWh != null ? { crossFeederShareWh: int(g, 'crossFeederShareWh', 'grid', 0) } : {}),
      ...(typeof g.operator === 'string' ? { operator: g.operator.toLowerCase() } : {})
    }
  }
  const meter = validateMeterConfig(doc.meter)
  const log = doc.log ?? 'info'
  if (typeof log !== 'string' || !(LOG_LEVELS as readonly string[]).includes(log)) throw new ConfigError('log', `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(log)}`)
  const metrics = validateMetricsConfig(doc.metrics)
  return {
    district: doc.district,
    dataDir: resolve(baseDir, doc.dataDir),
    listen: strings(doc, 'listen', ['/ip4/0.0.0.0/tcp/0']),
    bootstrap: strings(doc, 'bootstrap', [], true),
    mdns: (doc.mdns as boolean | undefined) ?? true,
    slots: { seconds, gateClosureSeconds, epochMs },
    tariffs: { retail, feedIn },
    strategy,
    limits: { buy, sell },
    market: {
      ticksPerSlot: int(market, 'ticksPerSlot', 'market', 4, 1, 60),
      tradingWindowSlots: int(market, 'tradingWindowSlots', 'market', 4, 1, 96),
      horizonSlots: int(market, 'horizonSlots', 'market', 8, 1, 96),
      republishEverySlots: int(market, 'republishEverySlots', 'market', 4, 1, 96),
      catchUpEverySlots: int(market, 'catchUpEverySlots', 'market', 1, 0, 96),
      holdSeconds: int(market, 'holdSeconds', 'market', 10, 1, 3600)
    },
    site: {
      latitude: real(site, 'latitude', 'site', 63.43, -90, 90),
      longitude: real(site, 'longitude', 'site', 10.39, -180, 180),
      utcOffsetHours: real(site, 'utcOffsetHours', 'site', 2, -12, 14),
      cloudiness: real(site, 'cloudiness', 'site', 0.3, 0, 1),
      seed: int(site, 'seed', 'site', 1)
    },
    building,
    // a node that only travels trades no energy
    position: position ?? (building == null ? [0] : undefined),
    log: log as LogLevel,
    ...(metrics != null ? { metrics } : {}),
    settlement: {
      adapter,
      periodSlots: int(settlement, 'periodSlots', 'settlement', Math.max(1, Math.round(86_400 / seconds)), 1, 100_000),
      iota: { network, gasBudget: iota.gasBudget == null ? undefined : int(iota, 'gasBudget', 'settlement.iota', 0, 1), notarizationPackageId: typeof iota.notarizationPackageId === 'string' ? iota.notarizationPackageId : undefined }
    },
    ...(mobility != null ? { mobility } : {}),
    ...(grid != null ? { grid } : {}),
    ...(meter != null ? { meter } : {})
  }
}

/**
 * `metrics: { listen: "127.0.0.1:9464" }`: where the metrics port listens. `listen` is `host:port`
 * (an IPv6 host in brackets, `[::1]:9464`), or a port alone (on 127.0.0.1); port 0 takes any free port
 * (the `listening` log line says which). `metrics: {}` listens on 127.0.0.1:9464. Absent: no port.
 */
export function validateMetricsConfig (doc: unknown): NodeConfig['metrics'] {
  if (doc == null) return undefined
  if (!isObj(doc)) throw new ConfigError('metrics', 'must be a mapping: { listen: "127.0.0.1:9464" }')
  known(doc, 'metrics', ['listen'])
  const v = doc.listen
  if (v == null) return { ...defaultMetricsListen }
  const field = 'metrics.listen'
  const port = (p: unknown): number => {
    const n = typeof p === 'string' && /^\d{1,5}$/.test(p) ? Number(p) : p
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > 65_535) throw new ConfigError(field, `the port must be a whole number from 0 to 65535, got ${JSON.stringify(p)}`)
    return n
  }
  if (typeof v === 'number') return { host: defaultMetricsListen.host, port: port(v) }
  if (typeof v !== 'string') throw new ConfigError(field, `must be "host:port" such as "127.0.0.1:9464", or a port, got ${JSON.stringify(v)}`)
  const m = /^(?:\[([^\]]+)\]|([^:]*)):([^:]*)$/.exec(v) ?? (/^\d+$/.test(v) ? [v, undefined, '', v] : null)
  if (m == null) throw new ConfigError(field, `must be "host:port" such as "127.0.0.1:9464" (an IPv6 host in brackets: "[::1]:9464"), got ${JSON.stringify(v)}`)
  const host = m[1] ?? (m[2] === '' ? defaultMetricsListen.host : m[2])
  if (m[1] != null ? !isIPv6(host) : !(isIPv4(host) || host === 'localhost')) throw new ConfigError(field, `the host must be an IP address of this machine (127.0.0.1 keeps the port to this machine: it has no token), got ${JSON.stringify(host)}`)
  return { host, port: port(m[3]) }
}

export async function loadNodeConfig (path: string): Promise<NodeConfig> {
  let text: string
  try { text = await readFile(path, 'utf8') } catch (err) {
    throw new ConfigError(path, `cannot read the node config: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  let doc: unknown
  try { doc = parse(text) } catch (err) { throw new ConfigError(path, `not valid YAML: ${(err as Error).message.split('\n')[0]}`) }
  return validateNodeConfig(doc, dirname(resolve(path)))
}
