/**
 * The soak's meters: one MQTT broker (aedes, in the soak's process, on TCP) and, for each metered node, a
 * simulated building meter publishing its cumulative registers (import and export, whole Wh, and its own
 * timestamp, ms) every `everyMs` or so, as a P1 or Shelly gateway does. The registers only grow, by amounts
 * drawn from the seed: import by 1–20 Wh a sample (never 0, so that registers name a sample), export by
 * 0–60 Wh (a seller's building exports). Every sample is kept, before it is published, as the ground truth
 * (meter-truth.ts) the checker holds the nodes' readings against. A node that is down misses what is
 * published meanwhile: those boundaries have no sample, and their slots must be gaps.
 */
import { createServer, type Server } from 'node:net'
import { once } from 'node:events'
import { Aedes } from 'aedes'
import { seededRandom } from '@kvartal/protocol'
import { writeMeterTruth, type NodeTruth } from './meter-truth.ts'

/** What a node's config says of its meter (district-config.ts writes it as `meter: { mqtt: … }`). */
export interface SoakMeter {
  readonly url: string
  readonly topic: string
  readonly id: string
  readonly toleranceSeconds: number
}

export class MeterFeed {
  readonly #broker: Aedes
  readonly #server: Server
  readonly #truth = new Map<string, NodeTruth & { samples: Array<{ at: number; importWh: number; exportWh: number }> }>()
  readonly #random: () => number
  readonly #everyMs: number
  readonly url: string
  #timer: NodeJS.Timeout | undefined
  #stopped = false
  /** publishes the broker refused (their samples stay in the truth: it is what the soak sent) */
  failed = 0

  private constructor(broker: Aedes, server: Server, url: string, seed: number, everyMs: number) {
    this.#broker = broker
    this.#server = server
    this.url = url
    this.#random = seededRandom(seed ^ 0x3e7e)
    this.#everyMs = everyMs
  }

  /** A broker on `host` (an ephemeral port), publishing for no node yet. */
  static async start(o: { host: string; seed: number; everyMs: number }): Promise<MeterFeed> {
    const broker = await Aedes.createBroker()
    const server = createServer(broker.handle)
    server.listen(0, o.host)
    await once(server, 'listening')
    const { port } = server.address() as { port: number }
    return new MeterFeed(broker, server, `mqtt://${o.host}:${port}`, o.seed, o.everyMs)
  }

  /** The meter of node `name` (its registers start at a seeded few MWh); `toleranceSeconds` goes in its config. */
  meterOf(name: string, toleranceSeconds: number): SoakMeter {
    if (!this.#truth.has(name)) this.#truth.set(name, { meter: `mqtt:soak/${name}`, samples: [] })
    return { url: this.url, topic: `soak/${name}/meter`, id: this.#truth.get(name)!.meter, toleranceSeconds }
  }

  /** Publishes every metered node's registers now, then every `everyMs` ± 20 % until stopped. */
  run(): void {
    const tick = (): void => {
      if (this.#stopped) return
      this.#publishAll()
      this.#timer = setTimeout(tick, Math.round(this.#everyMs * (0.8 + 0.4 * this.#random())))
    }
    tick()
  }

  #publishAll(): void {
    const at = Date.now()
    for (const [name, t] of this.#truth) {
      const last = t.samples.at(-1)
      if (last != null && at <= last.at) continue
      const importWh = (last?.importWh ?? 1_000_000 + Math.floor(this.#random() * 5_000_000)) + 1 + Math.floor(this.#random() * 20)
      const exportWh = (last?.exportWh ?? Math.floor(this.#random() * 3_000_000)) + Math.floor(this.#random() * 61)
      const sample = { at, importWh, exportWh }
      t.samples.push(sample)
      const payload = Buffer.from(JSON.stringify({ time: at, import_wh: importWh, export_wh: exportWh }))
      this.#broker.publish({ cmd: 'publish', topic: `soak/${name}/meter`, payload, qos: 0, retain: false, dup: false }, err => {
        if (err != null) this.failed++
      })
    }
  }

  /** Stops publishing (the nodes should be stopped first) and closes the broker. */
  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    clearTimeout(this.#timer)
    await new Promise<void>(resolve => {
      this.#broker.close(() => resolve())
    })
    await new Promise<void>(resolve => {
      this.#server.close(() => resolve())
    })
  }

  /** Writes what was published, per node, to `file` (meter-truth.json). */
  async writeTruth(file: string): Promise<void> {
    await writeMeterTruth(file, this.#truth)
  }
}
