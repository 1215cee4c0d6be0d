import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { multiaddr } from '@multiformats/multiaddr'
import { ConfigError, DISTRICT_PATTERN, FEEDER_PATTERN, generateSeed } from '@kvartal/protocol'
import { validateNodeConfig } from './node-config.ts'
import { AlreadyExistsError, RotationRefusedError, openStoppedJournal, replaceKey, rotationBlockers, rotationNotes, writeFileAtomic } from './keys-command.ts'

export const MeterChoice = { mqtt: 'mqtt', p1: 'p1', han: 'han', none: 'none' } as const
export type MeterChoice = typeof MeterChoice[keyof typeof MeterChoice]

export interface InitOptions {
  dir?: string
  district?: string
  feeder?: string
  listen?: string[]
  meter?: MeterChoice
  force?: boolean
}

/** The config file `kvartal init` writes in --dir, and the data directory beside it. */
export const CONFIG_FILE = 'node.yaml'
export const DATA_DIR = 'data'

const meters: Record<MeterChoice, string> = {
  none: `# meter:                          # what the node signs as delivered comes from its meter, and only from it (docs/meters.md);
#   p1: { port: /dev/ttyUSB0 }     # without one every slot is a gap, settled by the grid operator at grid prices. Pick one:
#   han: { port: /dev/ttyUSB0 }    # p1 (DSMR 4/5: NL, BE, LU), han (Norwegian AMS), or mqtt (a gateway: kvartal init --meter mqtt shows it)`,
  p1: `meter:                             # what the node signs as delivered: its meter, and only its meter (docs/meters.md)
  p1:                              # a DSMR 4/5 smart meter's P1 port (NL, BE, LU), CRC checked
    port: /dev/ttyUSB0             # the P1 cable's serial device (/dev/serial/by-id/… survives re-plugging)
    baudRate: 115200               # 115200 for DSMR 4 and 5; 9600 for DSMR 2.2 and 3
    toleranceSeconds: 10           # how long after a slot boundary a telegram still stands for it`,
  han: `meter:                             # what the node signs as delivered: its meter, and only its meter (docs/meters.md)
  han:                             # a Norwegian AMS meter's HAN port (Aidon, Kaifa, Kamstrup): hourly registers
    port: /dev/ttyUSB0             # the M-Bus adapter's serial device (/dev/serial/by-id/… survives re-plugging)
    baudRate: 2400                 # 2400 on the Norwegian HAN port; 9600 for some adapters
    toleranceSeconds: 30           # how long after a slot boundary a register list still stands for it`,
  mqtt: `meter:                             # what the node signs as delivered: its meter, and only its meter (docs/meters.md)
  mqtt:                            # a meter published through a gateway (Tibber Pulse, Shelly EM, Home Assistant)
    url: mqtt://192.168.1.10:1883  # the broker (mqtt://, mqtts://, ws://, wss://)
    # username: kvartal            # the broker's user, if it asks for one
    # passwordEnv: KVARTAL_MQTT_PASSWORD   # with username: the environment variable holding the password (never in this file)
    # id: tibber-pulse-1           # the meter's name in its signed readings (default: mqtt:<import topic>)
    import: { topic: tibber/pulse/live, path: $.lastMeterConsumption, unit: kWh }   # the cumulative import register
    export: { topic: tibber/pulse/live, path: $.lastMeterProduction, unit: kWh }    # the cumulative export register (remove without PV)
    time: $.timestamp              # the gateway's timestamp in the import message; absent: the arrival time
    toleranceSeconds: 30           # how long after a slot boundary a sample still stands for it`
}

/** The commented node config `kvartal init` writes: every field the node reads, with defaults for a real building. */
export function configText (o: { district: string, feeder?: string, listen: string[], meter: MeterChoice, now?: Date }): string {
  const grid = o.feeder != null
    ? `grid:                              # where the node sits in the grid (docs/feeders.md)
  feeder: ${o.feeder}${' '.repeat(Math.max(1, 24 - o.feeder.length))}# its feeder (secondary substation): bootstrap should list peers of the same feeder
  fees: { local: 0, district: 0 }  # nanos per kWh the buyer pays the grid operator, inside the feeder / across feeders
  # crossFeederShareWh: 3125       # its share of the transformer: rating × slot ÷ the feeder's buildings (absent: no limit)
  relay: false                     # a relay also lists other feeders' relays in bootstrap
  # operator: 0x…                  # the grid operator's IOTA address: fees and imbalance are paid to it`
    : `# grid:                            # where the node sits in the grid (docs/feeders.md); kvartal init --feeder f07 writes it
#   feeder: f07                    # its feeder: bootstrap should list peers of the same feeder
#   fees: { local: 0, district: 0 }   # nanos per kWh the buyer pays the grid operator, inside the feeder / across feeders
#   crossFeederShareWh: 3125       # its share of the transformer: rating × slot ÷ the feeder's buildings
#   relay: false                   # a relay also lists other feeders' relays in bootstrap
#   operator: 0x…                  # the grid operator's IOTA address: fees and imbalance are paid to it`
  return `# Kvartal node config, written by \`kvartal init\` on ${(o.now ?? new Date()).toISOString().slice(0, 10)}. Run: kvartal node --config <this file>
# Every field is checked when the node starts; a bad one stops it with a message that names it.
# Units: energy Wh, power W, money nanos (1 IOTA = 10^9 nanos), prices nanos per kWh.
district: ${o.district}${' '.repeat(Math.max(1, 24 - o.district.length))}# the local market: the same on every node of the district
dataDir: ${DATA_DIR}                      # the node's key and journal (relative to this file): persistent storage, owner-only
listen: ${JSON.stringify(o.listen)}${' '.repeat(Math.max(1, 26 - JSON.stringify(o.listen).length))}# where peers reach this node (TCP): open the port in the firewall
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
${meters[o.meter]}
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

function checkOptions (o: InitOptions): { district: string, feeder?: string, listen: string[], meter: MeterChoice } {
  const district = o.district ?? 'demo'
  if (!DISTRICT_PATTERN.test(district)) throw new ConfigError('--district', `must be lower-case letters, digits and dashes, 1–63 characters, got "${district}"`)
  if (o.feeder != null && !FEEDER_PATTERN.test(o.feeder)) throw new ConfigError('--feeder', `must be lower-case letters, digits and dashes, 1–63 characters, got "${o.feeder}"`)
  const listen = o.listen ?? ['/ip4/0.0.0.0/tcp/4101']
  for (const a of listen) { try { multiaddr(a) } catch (err) { throw new ConfigError('--listen', `"${a}" is not a multiaddr: ${(err as Error).message}`) } }
  const meter = o.meter ?? 'none'
  if (!(meter in MeterChoice)) throw new ConfigError('--meter', `must be mqtt, p1, han or none, got "${meter}"`)
  return { district, ...(o.feeder != null ? { feeder: o.feeder } : {}), listen, meter }
}

/**
 * `kvartal init`: writes <dir>/node.yaml and creates the node's key in <dir>/data (the journal, where
 * `kvartal node` reads it). An existing config or key is refused without --force; with it, the config
 * is replaced and the key rotated (the old one kept, as `kvartal keys rotate` does). All checks come
 * before the first write.
 */
export async function initCommand (o: InitOptions): Promise<number> {
  const dir = resolve(o.dir ?? '.')
  const config = join(dir, CONFIG_FILE)
  const text = configText(checkOptions(o))
  const c = validateNodeConfig(parse(text), dir)
  if (existsSync(config) && o.force !== true) throw new AlreadyExistsError(`${config} exists: not overwriting it (give --force to replace it)`)
  await mkdir(dir, { recursive: true, mode: 0o755 })
  const journal = await openStoppedJournal(c.dataDir, 'initialising it', true)
  try {
    const had = await journal.loadSeed()
    if (had != null && o.force !== true) throw new AlreadyExistsError(`${c.dataDir} already holds this node's key: not replacing it (\`kvartal keys rotate --config ${config}\` replaces it and keeps the old one; or give --force)`)
    if (had != null) {
      const blockers = await rotationBlockers(journal, c)
      if (blockers.length > 0) throw new RotationRefusedError(blockers)
    }
    await writeFileAtomic(config, text, 0o644, true)
    let notes = ''
    if (had == null) await journal.saveSeed(generateSeed())
    else { const r = await replaceKey(journal, c.dataDir); notes = await rotationNotes(r.old, r.seed, r.previousFile, c.settlement.adapter) }
    const { identityFromSeed } = await import('@kvartal/mesh')
    const id = await identityFromSeed((await journal.loadSeed())!)
    process.stdout.write(`wrote ${config}\n${notes === '' ? `created the node's key in ${c.dataDir}\n` : notes}` +
      `  peer id       ${id.peerId.toString()}\n  trader        ${id.id}\n  iota address  ${id.iotaAddress}\n` +
      `next: edit ${config} (bootstrap, site, building${o.meter == null || o.meter === 'none' ? ', meter' : ''}), back the key up (kvartal keys export --config ${config} --out node.key), then kvartal node --config ${config}\n`)
  } finally { await journal.close() }
  return 0
}
