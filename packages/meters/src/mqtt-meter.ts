import type { MqttClient } from 'mqtt'
import { atPath, parseJsonPath, toEpochMs, toWh, type EnergyUnit } from './json-path.ts'
import { checkSample, MeterConnectionError, MeterDataError, type Meter, type MeterSink } from './meter.ts'

/** One register published on MQTT: its topic, where it sits in the message, and its unit. */
export interface MqttReading {
  topic: string
  /** JSON path into the message (`$` or '' for a bare number) */
  path: string
  unit: EnergyUnit
}

export interface MqttMeterInit {
  /** mqtt://host:1883, mqtts://…, ws://… */
  url: string
  username?: string
  password?: string
  /** the meter's identity; default `mqtt:<import topic>` */
  id?: string
  /** the cumulative import register (energy taken from the grid) */
  import: MqttReading
  /** the cumulative export register; absent: the connection cannot feed in (export stays 0) */
  export?: MqttReading
  /**
   * where the meter's own timestamp sits in the import message (JSON path). Absent: the time the
   * message arrived, by the node's clock: say so, because a gateway's delay then shifts a boundary
   */
  time?: string
  /** how long after a slot boundary a sample still stands for it (ms); see Meter.toleranceMs */
  toleranceMs: number
  /** the node's clock, for messages that carry no timestamp */
  now?: () => number
}

interface Latest {
  wh: number
  at: number
}

/**
 * A meter published through an MQTT gateway (Tibber Pulse, Shelly EM, Home Assistant's MQTT
 * statestream, Tasmota): a topic and a JSON path per register. A sample is made when a register
 * arrives and the other one is known from within `toleranceMs` of it; a message that cannot be read
 * is refused and counted. It reconnects by itself; while it cannot, no sample comes, and the node
 * records the slots as gaps.
 */
export class MqttMeter implements Meter {
  readonly id: string
  readonly toleranceMs: number
  readonly #init: MqttMeterInit
  readonly #paths: { import: Array<string | number>; export?: Array<string | number>; time?: Array<string | number> }
  #client: MqttClient | undefined
  #import: Latest | undefined
  #export: Latest | undefined

  constructor(init: MqttMeterInit) {
    this.#init = init
    this.id = init.id ?? `mqtt:${init.import.topic}`
    this.toleranceMs = init.toleranceMs
    this.#paths = {
      import: parseJsonPath(init.import.path),
      ...(init.export != null ? { export: parseJsonPath(init.export.path) } : {}),
      ...(init.time != null ? { time: parseJsonPath(init.time) } : {})
    }
  }

  /**
   * Connects and subscribes; resolves once subscribed. If the first connection fails it rejects, and
   * the client keeps trying in the background (every 5 s): the node records gaps until it is back.
   */
  async start(sink: MeterSink): Promise<void> {
    const { connect } = await import('mqtt')
    const i = this.#init
    const topics = [...new Set([i.import.topic, ...(i.export != null ? [i.export.topic] : [])])]
    const client = connect(i.url, {
      username: i.username,
      password: i.password,
      reconnectPeriod: 5_000,
      connectTimeout: 10_000,
      clean: true,
      resubscribe: false
    })
    this.#client = client
    client.on('message', (topic, payload) => {
      this.#onMessage(topic, payload, sink)
    })
    await new Promise<void>((resolve, reject) => {
      let first = true
      client.on('connect', () => {
        client.subscribe(topics, { qos: 0 }, err => {
          if (err != null)
            sink.refused(new MeterConnectionError(`MQTT: cannot subscribe to ${topics.join(', ')}: ${err.message}`, { cause: err }))
          if (first) {
            first = false
            if (err != null) reject(err)
            else resolve()
          }
        })
      })
      client.on('error', err => {
        const e = new MeterConnectionError(`MQTT broker ${i.url}: ${err.message}`, { cause: err })
        if (first) {
          first = false
          reject(e)
        } else sink.refused(e)
      })
      client.on('close', () => {
        if (first) {
          first = false
          reject(new MeterConnectionError(`MQTT broker ${i.url}: connection closed before it was up`))
        }
      })
    })
  }

  async stop(): Promise<void> {
    await this.#client?.endAsync(true)
    this.#client = undefined
  }

  #onMessage(topic: string, payload: Buffer, sink: MeterSink): void {
    const i = this.#init
    try {
      const text = payload.toString('utf8')
      let doc: unknown
      try {
        doc = JSON.parse(text)
      } catch {
        doc = text
      }
      const at =
        this.#paths.time != null && topic === i.import.topic
          ? toEpochMs(required(atPath(doc, this.#paths.time), i.time!, topic))
          : (i.now ?? Date.now)()
      let touched = false
      if (topic === i.import.topic) {
        this.#import = { wh: toWh(required(atPath(doc, this.#paths.import), i.import.path, topic), i.import.unit), at }
        touched = true
      }
      if (i.export != null && topic === i.export.topic) {
        this.#export = { wh: toWh(required(atPath(doc, this.#paths.export!), i.export.path, topic), i.export.unit), at }
        touched = true
      }
      if (!touched || this.#import == null) return
      if (i.export != null && (this.#export == null || Math.abs(this.#export.at - this.#import.at) > this.toleranceMs)) return
      sink.sample(
        checkSample({
          meterId: this.id,
          at: Math.max(this.#import.at, this.#export?.at ?? 0),
          importWh: this.#import.wh,
          exportWh: this.#export?.wh ?? 0
        })
      )
    } catch (err) {
      sink.refused(err as Error)
    }
  }
}

function required(v: unknown, path: string, topic: string): unknown {
  if (v == null) throw new MeterDataError('missing', `the message on ${topic} has nothing at ${JSON.stringify(path)}`)
  return v
}
