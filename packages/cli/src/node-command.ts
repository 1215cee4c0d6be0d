import { parseArgs } from 'node:util'
import { join } from 'node:path'
import { ConfigError, NodeErrorCode, systemClock, toHex, type NodeEvent, type SlotWindow } from '@kvartal/protocol'
import { strategyByName } from '@kvartal/market'
import { createBuildingFromSpec } from '@kvartal/devices'
import { Journal, KvartalNode } from '@kvartal/node'
import { identityFromSeed } from '@kvartal/mesh'
import { generateSeed } from '@kvartal/protocol'
import { LOG_LEVELS, loadNodeConfig, type LogLevel, type NodeConfig } from './node-config.ts'
import { settlementFor } from './settlement-adapter.ts'
import { mobilityOptionsFor } from './mobility-setup.ts'
import { CONTROL_FILE, startControlServer, type ControlServer } from './control-server.ts'
import { controlRoutes } from './control-api.ts'
import { nodeLogger } from './node-logger.ts'
import { eventLevel } from './log-levels.ts'
import { nodeMetrics } from './node-metrics.ts'
import { nodeHealth } from './node-health.ts'
import { observabilityRoutes, startMetricsServer, type MetricsServer } from './metrics-server.ts'
import { version } from './version.ts'
import { systemdNotifier } from './systemd-notify.ts'
import { EventRing } from './event-ring.ts'
import { nodeView } from './node-view.ts'
import { viewRoutes } from './view-api.ts'

function configPath(argv: string[]): string {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } })
  if (values.config == null) throw new ConfigError('--config', 'is required: kvartal node --config node.yaml')
  return values.config
}

/** The node's net position per slot: from simulated devices, or a fixed schedule. */
function positionOf(c: NodeConfig): (slot: number) => number {
  if (c.position != null) {
    const p = c.position
    return slot => p[((slot % p.length) + p.length) % p.length]
  }
  let b: ReturnType<typeof createBuildingFromSpec>
  try {
    b = createBuildingFromSpec(c.building!, {
      latitudeDeg: c.site.latitude,
      longitudeDeg: c.site.longitude,
      seed: c.site.seed,
      utcOffsetHours: c.site.utcOffsetHours,
      cloudiness: c.site.cloudiness
    })
  } catch (err) {
    // device factories name the field within the building; say where it sits in the config
    if (err instanceof ConfigError) throw new ConfigError(`building.${err.field}`, err.message.slice(err.field.length + 2))
    throw err
  }
  const slotMs = c.slots.seconds * 1000
  return slot => b.netForecast({ index: slot, startMs: c.slots.epochMs + slot * slotMs, durationMs: slotMs } satisfies SlotWindow)
}

/** The node's options besides its config: `--log-level` overrides the config's `log`. */
function nodeArgs(argv: string[]): { config: string; logLevel?: LogLevel } {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' } } })
  if (values.config == null) throw new ConfigError('--config', 'is required: kvartal node --config node.yaml')
  const level = values['log-level']
  if (level != null && !(LOG_LEVELS as readonly string[]).includes(level))
    throw new ConfigError('--log-level', `must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`)
  return { config: values.config, ...(level != null ? { logLevel: level as LogLevel } : {}) }
}

/** What the meter is: a configured driver (mqtt, p1, han), the node's device model, or none. */
function meterKind(c: NodeConfig): string {
  return c.meter?.kind ?? 'none'
}

export async function nodeCommand(argv: string[]): Promise<number> {
  const args = nodeArgs(argv)
  const c = await loadNodeConfig(args.config)
  const { logger: log, secret } = nodeLogger({ level: args.logLevel ?? c.log })
  // under systemd (Type=notify): watchdog pings from now on, READY=1 once joined, STOPPING=1 on shutdown
  const systemd = systemdNotifier({
    warn: fields => {
      log.warn(fields)
    }
  })
  secret(c.meter?.kind === 'mqtt' || c.meter?.kind === 'ocpp' ? c.meter.password : undefined)
  log.debug({ event: 'config', config: c }, 'the node config, validated')
  const mobility = await mobilityOptionsFor(c)
  // the building's meter: what the node signs as readings. None configured: every slot is a gap
  const meter = c.meter == null ? undefined : await (await import('@kvartal/meters')).createMeter(c.meter)
  if (meter == null)
    log.warn({
      event: 'no-meter',
      detail:
        'no meter configured (meter.mqtt or meter.p1): every slot is recorded as a gap and settled ' +
        'by the grid operator at grid prices; building and position are forecasts, never readings'
    })
  // an OCPP charger draws what the node bought: each buyer trade re-sets its charging profile (docs/meters.md)
  const { OcppCharger, tradedPowerFeed } = await import('@kvartal/meters')
  const charging =
    meter instanceof OcppCharger
      ? tradedPowerFeed(meter, { epochMs: c.slots.epochMs, slotMs: c.slots.seconds * 1000 }, err => {
          log.error({ event: 'charging-profile-failed', detail: err.message })
        })
      : undefined
  const metrics = nodeMetrics()
  // /ready answers a failed check with a code and a fixed sentence (it needs no token): the error goes here
  const health = nodeHealth({
    aloneByConfig: c.bootstrap.length === 0 && !c.mdns,
    adapter: c.settlement.adapter,
    onCheckError: (check, code, err) => {
      log.error({ event: 'ready-check-failed', check, code, detail: err.stack ?? err.message })
    }
  })
  // the recent events and the snapshot the control API's /events and /view answer (kvartal dashboard)
  const ring = new EventRing()
  let view: ReturnType<typeof nodeView> | undefined
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
    catchUpEverySlots: c.market.catchUpEverySlots,
    ...(c.grid != null ? { grid: c.grid } : {}),
    holdMs: c.market.holdSeconds * 1000,
    settlement: {
      periodSlots: c.settlement.periodSlots,
      create: async (signer, journal) => await settlementFor(c, signer, journal, (await journal.loadSeed())!)
    },
    ...(mobility != null ? { mobility } : {}),
    ...(meter != null ? { meter } : {}),
    onEvent: (e: NodeEvent) => {
      metrics.observe(e)
      ring.push(e)
      view?.observe(e)
      charging?.(e)
      const level = eventLevel(e)
      if (log.isLevelEnabled(level)) log[level]({ event: e.type, ...e })
    }
  })
  const routes = observabilityRoutes(metrics, health)
  let stopping = false
  let control: ControlServer | undefined
  let metricsServer: MetricsServer | undefined
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return
    stopping = true
    void systemd.stopping()
    log.info({ event: 'shutdown', signal })
    // a dashboard's long poll is answered now, not when its wait runs out
    ring.close()
    // a server that fails to close is said (error level, kvartal_node_errors_total) and the stop goes on
    const closing = async (what: string, f: () => Promise<void> | undefined): Promise<void> => {
      try {
        await f()
      } catch (err) {
        const e = {
          type: 'node-error',
          node: node.id,
          at: Date.now(),
          code: NodeErrorCode.closeFailed,
          detail: `${what}: ${(err as Error).message}`
        } satisfies NodeEvent
        metrics.observe(e)
        log.error({ event: e.type, ...e })
      }
    }
    // control.json goes first: a CLI that finds it can talk to the node
    await closing('control server', () => control?.close())
    await node.stop()
    await closing('metrics server', () => metricsServer?.close())
    health.close()
  }
  const stopped = new Promise<void>(resolve => {
    process.once('SIGINT', () => {
      void stop('SIGINT').then(resolve)
    })
    process.once('SIGTERM', () => {
      void stop('SIGTERM').then(resolve)
    })
  })
  const onError = (err: Error, method: string, path: string, id: string): void => {
    log.error({ event: 'control-error', id, method, path, detail: err.stack ?? err.message })
  }
  // the metrics port answers while the node starts: /health 200, /ready 503 (starting)
  if (c.metrics != null) {
    metricsServer = await startMetricsServer({
      ...c.metrics,
      routes,
      onError: (err, path, id) => {
        onError(err, 'GET', path, id)
      }
    })
    log.info({
      event: 'metrics-listening',
      url: `${metricsServer.url}/metrics`,
      port: metricsServer.port,
      detail: 'GET /metrics, /health and /ready, without a token'
    })
  }
  try {
    await node.start()
  } catch (err) {
    await metricsServer?.close()
    health.close()
    throw err
  }
  // a signal while starting stops the node (and closes its journal) under these
  if (!stopping) {
    const seed = await node.journal.loadSeed().catch(() => undefined)
    if (seed != null) secret(toHex(seed))
    health.attach(node)
    await metrics.attach(node, {
      dataDir: c.dataDir,
      district: c.district,
      settlement: c.settlement.adapter,
      periodSlots: c.settlement.periodSlots,
      version
    })
  }
  view = nodeView({
    node,
    boot: ring.boot,
    meterKind: meterKind(c),
    periodSlots: c.settlement.periodSlots,
    settlement: async () => await metrics.settlement()
  })
  const server = await startControlServer({
    dataDir: c.dataDir,
    routes: [
      ...controlRoutes(node, { adapter: c.settlement.adapter, meterKind: meterKind(c) }),
      ...routes,
      ...viewRoutes({ view: view.view, ring })
    ],
    onError
  })
  secret(server.token)
  // a signal that came while starting found no control server to close
  if (stopping) await server.close()
  else control = server
  if (c.mobility != null && c.settlement.adapter === 'local') {
    log.warn({
      event: 'settlement-local',
      detail:
        'this node settles on its own local ledger: it can plan journeys and keep trip channels, ' +
        'but cannot pay providers in other processes; set settlement.adapter: iota to book'
    })
  }
  if (!stopping) {
    log.info({
      event: 'listening',
      peerId: node.identity.peerId.toString(),
      trader: node.id,
      iotaAddress: node.identity.iotaAddress,
      addrs: node.host.getMultiaddrs().map(String),
      control: { socket: server.socket, file: join(c.dataDir, CONTROL_FILE) },
      ...(metricsServer != null ? { metrics: { url: `${metricsServer.url}/metrics`, port: metricsServer.port } } : {})
    })
  }
  if (!stopping) systemd.ready()
  await stopped
  log.info({ event: 'exit' })
  return 0
}

export async function idCommand(argv: string[]): Promise<number> {
  const c = await loadNodeConfig(configPath(argv))
  const journal = await Journal.open(c.dataDir)
  try {
    let seed = await journal.loadSeed()
    if (seed == null) {
      seed = generateSeed()
      await journal.saveSeed(seed)
    }
    const id = await identityFromSeed(seed)
    process.stdout.write(
      JSON.stringify({ peerId: id.peerId.toString(), trader: id.id, iotaAddress: id.iotaAddress, listen: c.listen }, null, 2) + '\n'
    )
  } finally {
    await journal.close()
  }
  return 0
}

/** `kvartal verify <trade-id> --config node.yaml`: proves one trade from a (stopped) node's data directory. */
export async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean', default: false } }
  })
  const id = positionals[0]
  if (id == null || !/^[0-9a-f]{64}$/.test(id))
    throw new ConfigError('trade-id', 'give the 64-hex-digit trade id (the correlation of a trade-committed log line)')
  if (values.config == null) throw new ConfigError('--config', 'is required: kvartal verify <trade-id> --config node.yaml')
  const c = await loadNodeConfig(values.config)
  let journal: Journal
  try {
    journal = await Journal.open(c.dataDir)
  } catch (err) {
    throw new ConfigError(
      'dataDir',
      `${(err as Error).message} (verify reads the node's journal: stop the node, or point --config at a copy of its data directory)`
    )
  }
  try {
    const record = await journal.getTrade(id)
    if (record == null) throw new ConfigError('trade-id', `no trade ${id.slice(0, 16)}… in ${c.dataDir}`)
    const proof = await journal.getProof(id)
    if (proof == null)
      throw new ConfigError(
        'trade-id',
        `trade ${id.slice(0, 16)}… is not settled yet: its period has no attestation (it is settled when the period ends)`
      )
    const seed = (await journal.loadSeed())!
    const { signerFromSeed } = await import('@kvartal/protocol')
    const settlement = await settlementFor(c, signerFromSeed(seed), journal, seed)
    try {
      const { verifyTradeProof } = await import('@kvartal/settlement')
      const { decodeTrade, fromHex } = await import('@kvartal/protocol')
      const trade = decodeTrade(fromHex(record.trade))
      const result = await verifyTradeProof(settlement, trade, proof.proof, proof.root, proof.attestationKey)
      const { periodMeterCheck } = await import('@kvartal/node')
      const meter = await periodMeterCheck(journal, String(proof.period), c.settlement.periodSlots, trade.terms.slot)
      if (values.json === true) process.stdout.write(JSON.stringify({ ...result, ok: result.ok && meter.ok, meter }, null, 2) + '\n')
      else {
        for (const ch of result.checks) process.stdout.write(`${ch.ok ? 'ok  ' : 'FAIL'}  ${ch.check.padEnd(16)} ${ch.detail}\n`)
        process.stdout.write(`${meter.ok ? 'ok  ' : 'FAIL'}  ${'meter-chain'.padEnd(16)} ${meter.detail}\n`)
        process.stdout.write(`${meter.tradeSlot.gap ? 'gap ' : 'ok  '}  ${'delivery'.padEnd(16)} ${meter.tradeSlot.detail}\n`)
        process.stdout.write(
          result.ok && meter.ok
            ? `trade ${id} verified against ${settlement.name.split(' (')[0]}\n`
            : `trade ${id} NOT verified: ${result.failed ?? 'meter-chain'} failed\n`
        )
      }
      return result.ok && meter.ok ? 0 : 1
    } finally {
      await settlement.close?.()
    }
  } finally {
    await journal.close()
  }
}

/** `kvartal faucet --config node.yaml`: funds the node's IOTA address from the network's faucet (test networks). */
export async function faucetCommand(argv: string[]): Promise<number> {
  const c = await loadNodeConfig(configPath(argv))
  if (c.settlement.adapter !== 'iota')
    throw new ConfigError('settlement.adapter', 'the faucet is for the iota adapter on a test network; the local ledger funds itself')
  const journal = await Journal.open(c.dataDir)
  try {
    let seed = await journal.loadSeed()
    if (seed == null) {
      seed = generateSeed()
      await journal.saveSeed(seed)
    }
    const { signerFromSeed } = await import('@kvartal/protocol')
    const s = (await settlementFor(c, signerFromSeed(seed), journal, seed)) as Awaited<ReturnType<typeof settlementFor>> & {
      address?: string
      requestFaucet?: (o?: { timeoutMs?: number }) => Promise<void>
    }
    process.stdout.write(`requesting funds for ${s.address} on ${c.settlement.iota.network}…\n`)
    await s.requestFaucet!({ timeoutMs: 60_000 })
    process.stdout.write(`balance: ${await s.balance(s.address!)} nanos\n`)
    return 0
  } finally {
    await journal.close()
  }
}
