import { parseArgs } from 'node:util'
import { ConfigError, systemClock, type NodeEvent, type SlotWindow } from '@kvartal/protocol'
import { strategyByName } from '@kvartal/market'
import { createBuildingFromSpec } from '@kvartal/devices'
import { Journal, KvartalNode } from '@kvartal/node'
import { identityFromSeed } from '@kvartal/mesh'
import { generateSeed } from '@kvartal/protocol'
import { loadNodeConfig, type NodeConfig } from './node-config.ts'

function configPath (argv: string[]): string {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } })
  if (values.config == null) throw new ConfigError('--config', 'is required: kvartal node --config node.yaml')
  return values.config
}

/** The node's net position per slot: from simulated devices, or a fixed schedule. */
function positionOf (c: NodeConfig): (slot: number) => number {
  if (c.position != null) { const p = c.position; return (slot) => p[((slot % p.length) + p.length) % p.length] }
  const b = createBuildingFromSpec(c.building!, { latitudeDeg: c.site.latitude, longitudeDeg: c.site.longitude, seed: c.site.seed, utcOffsetHours: c.site.utcOffsetHours, cloudiness: c.site.cloudiness })
  const slotMs = c.slots.seconds * 1000
  return (slot) => b.netForecast({ index: slot, startMs: c.slots.epochMs + slot * slotMs, durationMs: slotMs } satisfies SlotWindow)
}

/** Structured logs: one JSON object per line on stdout. */
function log (level: string, fields: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ level, time: new Date().toISOString(), ...fields }) + '\n')
}

export async function nodeCommand (argv: string[]): Promise<number> {
  const c = await loadNodeConfig(configPath(argv))
  const quiet = new Set(['announcement-received'])
  const node = new KvartalNode({
    district: c.district,
    dataDir: c.dataDir,
    transport: 'tcp',
    listen: c.listen,
    bootstrap: c.bootstrap,
    mdns: c.mdns,
    clock: systemClock,
    slots: { epochMs: c.slots.epochMs, slotMs: c.slots.seconds * 1000, gateClosureMs: c.slots.gateClosureSeconds * 1000 },
    tariffs: c.tariffs,
    strategy: strategyByName(c.strategy)!,
    profile: { buyLimit: c.limits.buy, sellLimit: c.limits.sell, position: positionOf(c) },
    ticksPerSlot: c.market.ticksPerSlot,
    tradingWindowSlots: c.market.tradingWindowSlots,
    horizonSlots: c.market.horizonSlots,
    republishEverySlots: c.market.republishEverySlots,
    holdMs: c.market.holdSeconds * 1000,
    onEvent: (e: NodeEvent) => { if (c.log === 'debug' || !quiet.has(e.type)) log(e.type === 'message-rejected' || e.type === 'negotiation-failed' ? 'warn' : 'info', { event: e.type, ...e }) }
  })
  let stopping = false
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    log('info', { event: 'shutdown', signal })
    await node.stop()
  }
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => { void stop('SIGINT').then(resolve) })
    process.once('SIGTERM', () => { void stop('SIGTERM').then(resolve) })
  })
  await node.start()
  log('info', { event: 'listening', peerId: node.identity.peerId.toString(), iotaAddress: node.identity.iotaAddress, addrs: node.host.getMultiaddrs().map(String) })
  await stopped
  log('info', { event: 'exit' })
  return 0
}

export async function idCommand (argv: string[]): Promise<number> {
  const c = await loadNodeConfig(configPath(argv))
  const journal = await Journal.open(c.dataDir)
  try {
    let seed = await journal.loadSeed()
    if (seed == null) { seed = generateSeed(); await journal.saveSeed(seed) }
    const id = await identityFromSeed(seed)
    process.stdout.write(JSON.stringify({ peerId: id.peerId.toString(), trader: id.id, iotaAddress: id.iotaAddress, listen: c.listen }, null, 2) + '\n')
  } finally {
    await journal.close()
  }
  return 0
}
