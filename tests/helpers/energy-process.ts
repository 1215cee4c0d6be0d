/**
 * An energy node as a real process, for the crash tests (tests/crash-energy.test.ts): a seller or a
 * buyer on short slots, with a meter and settling through the `iota` adapter against a FakeIotaRpc test
 * double (an HTTP JSON-RPC server the test runs), so that every process sees one ledger. Prints one JSON
 * line per node event, and `{ ready, address, id }` when it listens.
 *
 * KVARTAL_CRASH_AT kills it with SIGKILL at a crash point (several separated by commas: whichever comes
 * first); KVARTAL_CRASH_SKIP=n lets the first n writes at those points pass (a point written several
 * times in a row, such as the settlement adapter's `store-iota`). Only this test entry point installs the
 * hook (`@kvartal/node/testing`); a node never reads either variable.
 *
 * The meter is a model of a real one: its registers are a function of time (the cumulative Wh of the
 * position up to each slot boundary), so they go on counting while the node is down, as a building's
 * meter does; it reports each slot boundary once the node polls it at or after that boundary.
 *
 *   node tests/helpers/energy-process.ts '<json config>'
 */
import { IotaClient } from '@iota/iota-sdk/client'
import { slotAt, slotStart, systemClock, type SlotClockConfig } from '@kvartal/protocol'
import { fixedMarkup } from '@kvartal/market'
import type { Meter, MeterSink } from '@kvartal/meters'
import { iotaSettlement } from '@kvartal/settlement'
import { KvartalNode } from '@kvartal/node'
import { installCrashHook } from './crash-points.ts'

export interface EnergyProcessConfig {
  dataDir: string
  rpcUrl: string
  listen: string
  bootstrap: string[]
  /** Wh per slot, every slot: + sells, − buys; the meter measures exactly this */
  positionWh: number
  slotMs: number
  periodSlots: number
  holdMs: number
  /** a meter (ModelMeter) measuring the position; without one every slot is a gap, at once */
  meter: boolean
}

/** A building's meter whose registers count the position slot after slot since the epoch. */
export class ModelMeter implements Meter {
  readonly id = 'model:building'
  readonly toleranceMs = 0
  readonly #slots: SlotClockConfig
  readonly #netWh: number
  #sink: MeterSink | undefined
  #reported = -1
  constructor(slots: SlotClockConfig, netWh: number) {
    this.#slots = slots
    this.#netWh = netWh
  }
  async start(sink: MeterSink): Promise<void> {
    this.#sink = sink
  }
  async stop(): Promise<void> {
    this.#sink = undefined
  }
  poll(now: number): void {
    const b = slotAt(this.#slots, now)
    if (this.#sink == null || b <= this.#reported) return
    this.#reported = b
    this.#sink.sample({
      meterId: this.id,
      at: slotStart(this.#slots, b),
      importWh: Math.max(0, -this.#netWh) * b,
      exportWh: Math.max(0, this.#netWh) * b
    })
  }
}

async function main(): Promise<void> {
  const c = JSON.parse(process.argv[2]) as EnergyProcessConfig
  installCrashHook('energy-process.ts')
  const client = new IotaClient({ url: c.rpcUrl })
  const slots = { epochMs: 0, slotMs: c.slotMs, gateClosureMs: Math.floor(c.slotMs / 4) }
  const node = new KvartalNode({
    district: 'proc-energy',
    dataDir: c.dataDir,
    transport: 'tcp',
    listen: [c.listen],
    bootstrap: c.bootstrap,
    mdns: false,
    loopback: true,
    clock: systemClock,
    slots,
    strategy: fixedMarkup(),
    profile: { buyLimit: 900_000_000, sellLimit: 300_000_000, position: () => c.positionWh },
    ...(c.meter ? { meter: new ModelMeter(slots, c.positionWh) } : {}),
    frameTimeoutMs: 2_000,
    joinTimeoutMs: 1_000,
    ticksPerSlot: 4,
    tradingWindowSlots: 3,
    horizonSlots: 4,
    republishEverySlots: 1,
    holdMs: c.holdMs,
    onEvent: e => {
      process.stdout.write(
        JSON.stringify({ event: e.type, slot: e.slot, correlation: e.correlation, code: e.code, detail: e.detail, energyWh: e.energyWh }) +
          '\n'
      )
    },
    settlement: {
      periodSlots: c.periodSlots,
      create: async (_signer, journal) =>
        iotaSettlement({
          network: 'testnet',
          seed: (await journal.loadSeed())!,
          store: journal.store('iota'),
          client,
          retry: { attempts: 2, baseDelayMs: 5 }
        })
    }
  })
  await node.start()
  process.stdout.write(
    JSON.stringify({ ready: node.host.getMultiaddrs().map(String), address: node.identity.iotaAddress, id: node.id }) + '\n'
  )
  process.on('SIGTERM', () => {
    void node.stop().then(() => process.exit(0))
  })
}

if (process.argv[1] != null && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch(err => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`)
    process.exit(1)
  })
}
