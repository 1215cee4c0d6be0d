import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { multiaddr } from '@multiformats/multiaddr'
import { ConfigError, DISTRICT_PATTERN, FEEDER_PATTERN, generateSeed } from '@kvartal/protocol'
import { validateNodeConfig } from './node-config.ts'
import {
  AlreadyExistsError,
  RotationRefusedError,
  openStoppedJournal,
  replaceKey,
  rotationBlockers,
  rotationNotes,
  writeFileAtomic
} from './keys-command.ts'

export const MeterChoice = { mqtt: 'mqtt', p1: 'p1', han: 'han', modbus: 'modbus', ocpp: 'ocpp', none: 'none' } as const
export type MeterChoice = (typeof MeterChoice)[keyof typeof MeterChoice]

/** Where `kvartal init --meter <kind>` finds the meter: the flags each kind takes (others are refused). */
export interface MeterInitOptions {
  /** p1, han: the serial device; modbus: a Modbus RTU line (instead of --meter-host) */
  meterDevice?: string
  /** modbus: the device's host[:port] (Modbus TCP, default port 502); ocpp: where to listen, host:port or a port */
  meterHost?: string
  /** mqtt: the broker's URL */
  meterUrl?: string
  /** ocpp: the charge point's identity; mqtt: the meter's name in its signed readings */
  meterId?: string
}

export interface InitOptions extends MeterInitOptions {
  dir?: string
  district?: string
  feeder?: string
  listen?: string[]
  meter?: MeterChoice
  force?: boolean
}

/** The config file `kvartal init` writes in --dir, and the data directory beside it. */
export const CONFIG_FILE = 'node.yaml'
/** The JSON Schema of a node config in this installation (schemas/, `npm run schemas`): editors check the file against it. */
export const NODE_CONFIG_SCHEMA = new URL('../../../schemas/node-config.schema.json', import.meta.url).href
export const DATA_DIR = 'data'

/** the meter flags each kind takes */
const METER_FLAGS: Record<MeterChoice, ReadonlyArray<keyof MeterInitOptions>> = {
  none: [],
  p1: ['meterDevice'],
  han: ['meterDevice'],
  mqtt: ['meterUrl', 'meterId'],
  modbus: ['meterHost', 'meterDevice'],
  ocpp: ['meterHost', 'meterId']
}
const flagName = (k: keyof MeterInitOptions): string => `--${k.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}`

/** A value as YAML writes it: plain when YAML reads it back as the same string, else double-quoted (JSON). */
function scalar(v: string): string {
  return /^[A-Za-z0-9/_.@-][A-Za-z0-9/_.:@-]*$/.test(v) &&
    !/: |:$/.test(v) &&
    !/^(true|false|null|yes|no|on|off|~|[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)$/i.test(v)
    ? v
    : JSON.stringify(v)
}
/** `value` then its comment, the comment starting at column `col` (as the rest of the file does) */
const at = (text: string, comment: string, col = 35): string => `${text}${' '.repeat(Math.max(1, col - text.length))}# ${comment}`

/** host[:port] (IPv6 in brackets): the parts, or a ConfigError naming the flag. */
function hostPort(flag: string, v: string, defaultPort: number | undefined): { host: string; port: number | undefined } {
  const m = /^()(\d{1,5})$/.exec(v) ?? /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(v)
  if (m == null) throw new ConfigError(flag, `must be host:port, host or a port, got "${v}"`)
  const port = m[2] != null ? Number(m[2]) : defaultPort
  if (port != null && (port < 1 || port > 65_535)) throw new ConfigError(flag, `port must be from 1 to 65535, got ${port}`)
  return { host: m[1], port }
}

/** The `meter:` section for the chosen kind, with what the flags gave; the rest commented with its default. */
export function meterSection(meter: MeterChoice, o: MeterInitOptions = {}): string {
  for (const k of ['meterDevice', 'meterHost', 'meterUrl', 'meterId'] as const) {
    const v = o[k]
    if (v == null) continue
    if (!METER_FLAGS[meter].includes(k))
      throw new ConfigError(
        flagName(k),
        `is not for --meter ${meter}` +
          (meter === 'none'
            ? ' (give --meter p1, han, mqtt, modbus or ocpp)'
            : `: it takes ${METER_FLAGS[meter].map(flagName).join(' and ') || 'no meter flags'}`)
      )
    if (typeof v !== 'string' || v.trim() === '' || /[\s#]/.test(v))
      throw new ConfigError(flagName(k), `must be a non-empty value without spaces or #, got ${JSON.stringify(v)}`)
  }
  const device = o.meterDevice
  if (device != null && !device.startsWith('/'))
    throw new ConfigError(
      '--meter-device',
      `must be the serial device's absolute path (/dev/ttyUSB0, /dev/serial/by-id/…), got "${device}"`
    )
  const head = at('meter:', 'what the node signs as delivered: its meter, and only its meter (docs/meters.md)')
  switch (meter) {
    case 'none':
      return `${at('# meter:', 'what the node signs as delivered comes from its meter, and only from it (docs/meters.md);', 33)}
${at('#   p1: { port: /dev/ttyUSB0 }', 'without one every slot is a gap, settled by the grid operator at grid prices.', 33)}
${at('#   han: { port: /dev/ttyUSB0 }', 'Pick one: kvartal init --meter p1|han|mqtt|modbus|ocpp writes its section,', 33)}
${at(
  '#   modbus: { host: 192.168.1.50 }',
  'documented: p1 (DSMR 4/5: NL, BE; the Swedish P1 port), han (Norwegian AMS), mqtt (a gateway),',
  33
)}
${at('#   ocpp: { listen: 8887, chargePointId: CP-1 }', 'modbus (a SunSpec meter or inverter), ocpp (an EV charger)', 33)}`
    case 'p1':
      return `${head}
${at('  p1:', "a smart meter's P1 port, CRC checked: DSMR 4/5 (NL, BE) or the Swedish P1 port")}
${at(`    port: ${scalar(device ?? '/dev/ttyUSB0')}`, "the P1 cable's serial device (/dev/serial/by-id/… survives re-plugging)")}
${at('    baudRate: 115200', '115200 for DSMR 4 and 5 and the Swedish P1 port; 9600 for DSMR 2.2 and 3')}
${at('    # standard: se', "a Swedish meter (Energiföretagen's P1 port): its time is UTC+1 all year; with id:")}
${at('    # id: "85123456"', "the meter's identity (the number on it) where its telegrams carry none, as the Swedish do not")}
${at('    toleranceSeconds: 10', 'how long after a slot boundary a telegram still stands for it')}`
    case 'han':
      return `${head}
${at('  han:', "a Norwegian AMS meter's HAN port (Aidon, Kaifa, Kamstrup): hourly registers")}
${at(`    port: ${scalar(device ?? '/dev/ttyUSB0')}`, "the M-Bus adapter's serial device (/dev/serial/by-id/… survives re-plugging)")}
${at('    baudRate: 2400', '2400 on the Norwegian HAN port; 9600 for some adapters')}
${at('    toleranceSeconds: 90', 'how long after the hour a register list still stands for it (a 2021 Kamstrup stamps hh:00:55)')}
${at('    # kamstrupRegisterWh: 1', 'a Swedish Kamstrup: whole Wh a count (Norwegian ones count 10 Wh, the default)')}`
    case 'mqtt': {
      const url = o.meterUrl ?? 'mqtt://192.168.1.10:1883'
      if (!/^(mqtts?|wss?|tcp|ssl):\/\/[^/]+/.test(url))
        throw new ConfigError('--meter-url', `must be a broker URL such as mqtt://192.168.1.10:1883, got "${url}"`)
      return `${head}
${at('  mqtt:', 'a meter published through a gateway (Tibber Pulse, Shelly EM, Home Assistant)')}
${at(`    url: ${scalar(url)}`, 'the broker (mqtt://, mqtts://, ws://, wss://)')}
${at('    # username: kvartal', "the broker's user, if it asks for one")}
${at('    # passwordEnv: KVARTAL_MQTT_PASSWORD', 'with username: the environment variable holding the password (never in this file)', 43)}
${
  o.meterId != null
    ? at(`    id: ${scalar(o.meterId)}`, "the meter's name in its signed readings")
    : at('    # id: tibber-pulse-1', "the meter's name in its signed readings (default: mqtt:<import topic>)")
}
${at('    import: { topic: tibber/pulse/live, path: $.lastMeterConsumption, unit: kWh }', 'the cumulative import register', 82)}
${at(
  '    export: { topic: tibber/pulse/live, path: $.lastMeterProduction, unit: kWh }',
  'the cumulative export register (remove without PV)',
  82
)}
${at('    time: $.timestamp', "the gateway's timestamp in the import message; absent: the arrival time")}
${at('    toleranceSeconds: 30', 'how long after a slot boundary a sample still stands for it')}`
    }
    case 'modbus': {
      if (o.meterHost != null && device != null)
        throw new ConfigError('--meter-host', 'give --meter-host (Modbus TCP) or --meter-device (Modbus RTU), not both')
      const line =
        device != null
          ? `${at(`    serialPath: ${scalar(device)}`, "Modbus RTU: the RS-485 adapter's serial device")}
${at('    baudRate: 9600', "the line's rate (9600 is the Modbus RTU default; 8 data bits, no parity, 1 stop bit)")}`
          : (() => {
              const { host, port } = hostPort('--meter-host', o.meterHost ?? '192.168.1.50', 502)
              const bare = host.replace(/^\[(.*)\]$/, '$1')
              return `${at(`    host: ${scalar(bare)}`, "Modbus TCP: the device's address (give it a fixed one on the LAN)")}
${at(`    port: ${port!}`, 'the Modbus TCP port (502 unless the device says otherwise)')}
${at('    # serialPath: /dev/ttyUSB0', 'Modbus RTU instead of host and port: the RS-485 adapter, with baudRate: 9600')}`
            })()
      return `${head}
${at('  modbus:', 'a SunSpec device: meter 201–204 (import and export) or inverter 101–103 (production as export)')}
${line}
${at('    unitId: 1', "the device's Modbus unit id (its manual, or its display)")}
${at('    pollSeconds: 5', 'how often the registers are read; a sample stands for a boundary read within toleranceSeconds')}
${at('    toleranceSeconds: 10', 'at least pollSeconds: SunSpec registers carry no time, a sample is stamped when read')}`
    }
    case 'ocpp': {
      const { host, port } = hostPort('--meter-host', o.meterHost ?? '0.0.0.0:8887', undefined)
      if (port == null)
        throw new ConfigError(
          '--meter-host',
          `for --meter ocpp: where the node listens for its charger, host:port or a port (8887), got "${o.meterHost ?? ''}"`
        )
      const id = o.meterId ?? 'CP-1'
      if (!/^[^\s/?#]{1,64}$/.test(id))
        throw new ConfigError(
          '--meter-id',
          `the charge point's identity as it puts it in the URL: up to 64 characters, no spaces, /, ? or #; got "${id}"`
        )
      const listen = host === '' ? `"0.0.0.0:${port}"` : JSON.stringify(`${host}:${port}`)
      return `${head}
${at('  ocpp:', 'an EV charger: the node is its OCPP central system (1.6J or 2.0.1, as the charger asks)')}
${at(`    listen: ${listen}`, 'the charger connects to ws://<this node>:<port>/<chargePointId>')}
${at(`    chargePointId: ${scalar(id)}`, 'the identity the charger puts in that URL: any other is refused')}
${at('    # passwordEnv: KVARTAL_OCPP_PASSWORD', 'Basic auth (security profile 1): the environment variable holding it', 43)}
${at('    connectorId: 1', 'the connector whose energy register is the meter')}
${at('    heartbeatSeconds: 300', 'the heartbeat interval given at boot')}
${at('    alignedSeconds: 900', 'meter values asked at every slot boundary: the slot length (0: not asked)')}
${at('    toleranceSeconds: 60', 'how long after a slot boundary a meter value still stands for it')}`
    }
  }
}

/** `value` and at least one space after it, up to `width` columns: the comments of the config line up. */
const padded = (value: string, width: number): string => value + ' '.repeat(Math.max(1, width - value.length))

/** The commented node config `kvartal init` writes: every field the node reads, with defaults for a real building. */
export function configText(o: {
  district: string
  feeder?: string
  listen: string[]
  meter: MeterChoice
  meterOptions?: MeterInitOptions
  now?: Date
}): string {
  const day = (o.now ?? new Date()).toISOString().slice(0, 10)
  const grid =
    o.feeder != null
      ? `grid:                              # where the node sits in the grid (docs/feeders.md)
  feeder: ${padded(o.feeder, 24)}# its feeder (secondary substation): bootstrap should list peers of the same feeder
  fees: { local: 0, district: 0 }  # nanos per kWh the buyer pays the grid operator, inside the feeder / across feeders
  # crossFeederShareWh: 3125       # its share of the transformer, Wh per slot: \`kvartal shares\` computes it (absent: no limit)
  relay: false                     # a relay also lists other feeders' relays in bootstrap
  # operator: 0x…                  # the grid operator's IOTA address: fees and imbalance are paid to it`
      : `# grid:                            # where the node sits in the grid (docs/feeders.md); kvartal init --feeder f07 writes it
#   feeder: f07                    # its feeder: bootstrap should list peers of the same feeder
#   fees: { local: 0, district: 0 }   # nanos per kWh the buyer pays the grid operator, inside the feeder / across feeders
#   crossFeederShareWh: 3125       # its share of the transformer, Wh per slot: \`kvartal shares\` computes it from the connections
#   relay: false                   # a relay also lists other feeders' relays in bootstrap
#   operator: 0x…                  # the grid operator's IOTA address: fees and imbalance are paid to it`
  return `# yaml-language-server: $schema=${NODE_CONFIG_SCHEMA}
# Kvartal node config, written by \`kvartal init\` on ${day}. Run: kvartal node --config <this file>
# Every field is checked when the node starts; a bad one stops it with a message that names it.
# Units: energy Wh, power W, money nanos (1 IOTA = 10^9 nanos), prices nanos per kWh.
district: ${padded(o.district, 24)}# the local market: the same on every node of the district
dataDir: ${DATA_DIR}                      # the node's key and journal (relative to this file): persistent storage, owner-only
listen: ${padded(JSON.stringify(o.listen), 26)}# where peers reach this node (TCP): open the port in the firewall
bootstrap: []                      # known district nodes, multiaddrs ending in /p2p/<peer id> (\`kvartal id\` prints a node's)
mdns: true                         # also find neighbours on the LAN by multicast DNS
slots:
  seconds: 900                     # one delivery slot: 15 minutes; the same on every node
  gateClosureSeconds: 60           # trading for a slot ends this long before it starts
  # epoch: 2026-01-01T00:00:00Z    # where slot 0 starts (default: the Unix epoch); the same on every node
tariffs:
  retail: 1000000000               # the grid's price to buy, nanos per kWh: no local price is above it
  feedIn: 300000000                # what the grid pays for energy fed in, nanos per kWh: no local price is below it
strategy: concession               # how the node bargains: concession, fixed-markup or zi-c
limits:
  buy: 860000000                   # pay at most this, nanos per kWh (between feedIn and retail)
  sell: 440000000                  # sell for no less than this, nanos per kWh
market:
  ticksPerSlot: 4                  # decisions per slot (bids, offers, proposals)
  tradingWindowSlots: 4            # how many slots ahead it trades
  horizonSlots: 8                  # how many slots ahead it forecasts and announces
  republishEverySlots: 4           # re-announce its offers and bids every this many slots
  catchUpEverySlots: 1             # pull missed offers and bids from one peer every this many slots (0: never)
  holdSeconds: 10                  # how long a seller holds energy for a buyer's confirm
site:                              # where the building stands: its PV forecast and local time
  latitude: 63.43                  # decimal degrees, north positive
  longitude: 10.39                # decimal degrees, east positive
  utcOffsetHours: 1                # local time's offset from UTC (standard time)
  cloudiness: 0.3                  # 0 clear … 1 overcast: the forecast's weather
  seed: 1                          # the seed of the forecast's and the strategy's randomness
building:                          # the building's devices, simulated: its forecast, never its readings
  kind: household                  # household, office or commercial
  load: { profile: household, dailyKwh: 14 }   # the load profile and its energy on a working day, kWh
  pvPeakW: 6000                    # rooftop PV nameplate, W (remove without PV)
  # battery: { capacityWh: 10000, maxChargeW: 5000, maxDischargeW: 5000, roundTripEfficiency: 0.9, initialSocWh: 2500, minSocWh: 1000 }
  # ev: { maxPowerW: 7400, arrivalHour: 17, departureHour: 7, energyNeededWh: 12000 }   # a wallbox: charges while parked
# position: [800]                  # instead of building: a fixed net schedule, Wh per slot, repeated (+ sells, − buys)
${meterSection(o.meter, o.meterOptions)}
${grid}
log: info                          # error, warn, info, debug (also every announcement received) or trace
# metrics: { listen: "127.0.0.1:9464" }   # a Prometheus port (/metrics, /health, /ready; no token: keep it on loopback)
settlement:
  adapter: local                   # local (the embedded ledger, this node's own) or iota (IOTA Rebased)
  periodSlots: 96                  # slots per settlement period: a day of 15-minute slots
  iota:                            # used with adapter: iota
    network: testnet               # mainnet, testnet, devnet, localnet or a full node's http(s) URL
    # gasBudget: 50000000          # nanos per transaction (default: the adapter's)
    # notarizationPackageId: 0x…   # the attestation package (default: the network's)
# mobility: …                      # the mobility market: a timetable and what this node sells (README "Mobility")
`
}

function checkOptions(o: InitOptions): {
  district: string
  feeder?: string
  listen: string[]
  meter: MeterChoice
  meterOptions: MeterInitOptions
} {
  const district = o.district ?? 'demo'
  if (!DISTRICT_PATTERN.test(district))
    throw new ConfigError('--district', `must be lower-case letters, digits and dashes, 1–63 characters, got "${district}"`)
  if (o.feeder != null && !FEEDER_PATTERN.test(o.feeder))
    throw new ConfigError('--feeder', `must be lower-case letters, digits and dashes, 1–63 characters, got "${o.feeder}"`)
  const listen = o.listen ?? ['/ip4/0.0.0.0/tcp/4101']
  for (const a of listen) {
    try {
      multiaddr(a)
    } catch (err) {
      throw new ConfigError('--listen', `"${a}" is not a multiaddr: ${(err as Error).message}`)
    }
  }
  const meter = o.meter ?? 'none'
  if (!(meter in MeterChoice)) throw new ConfigError('--meter', `must be p1, han, mqtt, modbus, ocpp or none, got "${meter}"`)
  const meterOptions: MeterInitOptions = {}
  for (const k of ['meterDevice', 'meterHost', 'meterUrl', 'meterId'] as const) if (o[k] != null) meterOptions[k] = o[k]
  return { district, ...(o.feeder != null ? { feeder: o.feeder } : {}), listen, meter, meterOptions }
}

/**
 * `kvartal init`: writes <dir>/node.yaml and creates the node's key in <dir>/data (the journal, where
 * `kvartal node` reads it). An existing config or key is refused without --force; with it, the config
 * is replaced and the key rotated (the old one kept, as `kvartal keys rotate` does). All checks come
 * before the first write.
 */
export async function initCommand(o: InitOptions): Promise<number> {
  const dir = resolve(o.dir ?? '.')
  const config = join(dir, CONFIG_FILE)
  const text = configText(checkOptions(o))
  const c = validateNodeConfig(parse(text), dir)
  if (existsSync(config) && o.force !== true)
    throw new AlreadyExistsError(`${config} exists: not overwriting it (give --force to replace it)`)
  await mkdir(dir, { recursive: true, mode: 0o755 })
  const journal = await openStoppedJournal(c.dataDir, 'initialising it', true)
  try {
    const had = await journal.loadSeed()
    if (had != null && o.force !== true)
      throw new AlreadyExistsError(
        `${c.dataDir} already holds this node's key: not replacing it (\`kvartal keys ` +
          `rotate --config ${config}\` replaces it and keeps the old one; or give --force)`
      )
    if (had != null) {
      const blockers = await rotationBlockers(journal, c)
      if (blockers.length > 0) throw new RotationRefusedError(blockers)
    }
    await writeFileAtomic(config, text, 0o644, true)
    let notes = ''
    if (had == null) await journal.saveSeed(generateSeed())
    else {
      const r = await replaceKey(journal, c.dataDir)
      notes = await rotationNotes(r.old, r.seed, r.previousFile, c.settlement.adapter)
    }
    const { identityFromSeed } = await import('@kvartal/mesh')
    const id = await identityFromSeed((await journal.loadSeed())!)
    process.stdout.write(
      `wrote ${config}\n${notes === '' ? `created the node's key in ${c.dataDir}\n` : notes}` +
        `  peer id       ${id.peerId.toString()}\n  trader        ${id.id}\n  iota address  ${id.iotaAddress}\n` +
        `next: edit ${config} (bootstrap, site, building${o.meter == null || o.meter === 'none' ? ', meter' : ''}), ` +
        `back the key up (kvartal keys export --config ${config} --out node.key), then kvartal node --config ${config}\n`
    )
  } finally {
    await journal.close()
  }
  return 0
}
