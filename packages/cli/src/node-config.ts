import { dirname, resolve } from 'node:path'
import { parseWith, readYamlFile, validateFile } from '@kvartal/config'
import type { BuildingSpec } from '@kvartal/devices'
import { mobilityConfigOf, type MobilityConfig } from './mobility-config.ts'
import { validateMeterConfig } from './meter-config.ts'
import { metricsSchema, nodeConfigSchema } from './schemas/node-config-schema.ts'
import type { MeterSpec } from '@kvartal/meters'

import type { LogLevel } from './log-levels.ts'
export { LOG_LEVELS, type LogLevel } from './log-levels.ts'

export { defaultMetricsListen } from './schemas/node-config-schema.ts'

/** `kvartal node --config node.yaml`, validated. */
export interface NodeConfig {
  district: string
  dataDir: string
  listen: string[]
  bootstrap: string[]
  mdns: boolean
  slots: { seconds: number; gateClosureSeconds: number; epochMs: number }
  tariffs: { retail: number; feedIn: number }
  strategy: string
  limits: { buy: number; sell: number }
  market: {
    ticksPerSlot: number
    tradingWindowSlots: number
    horizonSlots: number
    republishEverySlots: number
    catchUpEverySlots: number
    holdSeconds: number
  }
  site: { latitude: number; longitude: number; utcOffsetHours: number; cloudiness: number; seed: number }
  /** simulated devices of this building: its forecasts, never its readings */
  building?: BuildingSpec
  /** the building's meter (meter.mqtt, meter.p1); absent: no readings, every slot a gap */
  meter?: MeterSpec
  /** or a fixed net schedule, Wh per slot, repeated: positive sells, negative buys */
  position?: number[]
  /** info: one line per event of note; debug adds every gossip message received */
  log: LogLevel
  /** the metrics port (GET /metrics, /health, /ready, no token); absent: off (the control API serves them too) */
  metrics?: { host: string; port: number }
  settlement: {
    adapter: 'local' | 'iota'
    periodSlots: number
    iota: { network: string; gasBudget?: number; notarizationPackageId?: string }
  }
  /**
   * the node's feeder, the grid fees, its transformer share, relay duty and the grid operator (docs/feeders.md); absent:
   * one feeder, no fees
   */
  grid?: { feeder: string; fees: { local: number; district: number }; crossFeederShareWh?: number; relay: boolean; operator?: string }
  /** the mobility market: a timetable, and what this node sells (absent: it travels only) */
  mobility?: MobilityConfig
}

/**
 * Validates a parsed node config (its fields, defaults and documentation: schemas/node-config-schema.ts)
 * and fills what depends on other fields; relative paths are resolved against `baseDir`, the config
 * file's directory. A bad field is a ConfigError naming it.
 */
export function validateNodeConfig(doc: unknown, baseDir: string): NodeConfig {
  const c = parseWith(nodeConfigSchema, doc)
  const { seconds } = c.slots
  const { retail, feedIn } = c.tariffs
  const band = retail - feedIn
  const mobility = c.mobility != null ? mobilityConfigOf(c.mobility, baseDir, c.site) : undefined
  const meter = validateMeterConfig(doc != null && typeof doc === 'object' ? (doc as { meter?: unknown }).meter : undefined)
  return {
    district: c.district,
    dataDir: resolve(baseDir, c.dataDir),
    listen: c.listen,
    bootstrap: c.bootstrap,
    mdns: c.mdns,
    slots: {
      seconds,
      gateClosureSeconds: c.slots.gateClosureSeconds ?? Math.min(60, Math.floor(seconds / 4)),
      epochMs: c.slots.epoch != null ? Date.parse(c.slots.epoch) : 0
    },
    tariffs: { retail, feedIn },
    strategy: c.strategy,
    limits: { buy: c.limits.buy ?? Math.round(feedIn + 0.8 * band), sell: c.limits.sell ?? Math.round(feedIn + 0.2 * band) },
    market: c.market,
    site: c.site,
    building: c.building != null ? ({ id: 'building', ...c.building } as BuildingSpec) : undefined,
    // a node that only travels trades no energy
    position: c.position ?? (c.building == null ? [0] : undefined),
    log: c.log,
    ...(c.metrics != null ? { metrics: c.metrics } : {}),
    settlement: {
      adapter: c.settlement.adapter,
      periodSlots: c.settlement.periodSlots ?? Math.max(1, Math.round(86_400 / seconds)),
      iota: {
        network: c.settlement.iota.network,
        gasBudget: c.settlement.iota.gasBudget,
        notarizationPackageId: c.settlement.iota.notarizationPackageId
      }
    },
    ...(mobility != null ? { mobility } : {}),
    ...(c.grid != null
      ? {
          grid: {
            feeder: c.grid.feeder,
            fees: c.grid.fees,
            relay: c.grid.relay,
            ...(c.grid.crossFeederShareWh != null ? { crossFeederShareWh: c.grid.crossFeederShareWh } : {}),
            ...(c.grid.operator != null ? { operator: c.grid.operator } : {})
          }
        }
      : {}),
    ...(meter != null ? { meter } : {})
  }
}

/** `metrics:` of a node config: where the metrics port listens (`metrics: {}`: 127.0.0.1:9464); absent: no port. */
export function validateMetricsConfig(doc: unknown): NodeConfig['metrics'] {
  return doc == null ? undefined : parseWith(metricsSchema, doc, ['metrics'])
}

/**
 * Reads and validates a node config file. A missing file, bad YAML or a bad field is a ConfigError
 * naming it, with the file, line and column: `node.yaml:12:5: meter.modbus.port: expected …`.
 */
export async function loadNodeConfig(path: string): Promise<NodeConfig> {
  const file = await readYamlFile(path, 'the node config')
  return validateFile(file, doc => validateNodeConfig(doc, dirname(resolve(path))))
}
