// the package's index.d.ts mistypes its CommonJS default export; the class's declaration is its own file
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js'
import { checkSample, MeterConnectionError, MeterDataError, type BatteryStatus, type Meter, type MeterSink } from './meter.ts'
import { discoverSunSpec, readSunSpecEnergy, type RegisterReader, type SunSpecDevice } from './sunspec.ts'
import { readSunSpecStorage } from './sunspec-storage.ts'

export type ModbusTransport = { kind: 'tcp'; host: string; port: number } | { kind: 'rtu'; path: string; baudRate: number }

export interface ModbusMeterInit {
  transport: ModbusTransport
  /** the Modbus unit (slave) id of the SunSpec device */
  unitId: number
  /** how often the registers are read (ms) */
  pollMs: number
  /** see Meter.toleranceMs: at least one poll interval */
  toleranceMs: number
  /** how long a request may take before the device counts as unreachable (ms); default 3000 */
  timeoutMs?: number
  /** the node's clock: SunSpec registers carry no time, so a sample is stamped when its response arrived */
  now?: () => number
}

/** What the device is and what it said last, for status. */
export interface ModbusMeterStatus {
  device: (Omit<SunSpecDevice, 'models'> & { models: number[] }) | null
  state: string | null
  /** a battery's state (storage model 124), read at each poll after the energy */
  battery: BatteryStatus | null
  connected: boolean
  polls: number
}

/**
 * A SunSpec meter, inverter or battery over Modbus TCP or RTU (`modbus-serial`). On connecting it finds
 * the SunSpec map and reads the device's identity from the common model (`sunspec:<Mn>/<Md>/<SN>`: a
 * device swapped behind the same address shows as a change of meter). Every poll reads the
 * cumulative registers and makes a sample, stamped with the node's clock when the answer arrived (the
 * registers carry no time). A value it cannot read (not implemented, a bad scale factor, a Modbus
 * exception) is refused; a device that does not answer is reported once, and the driver reconnects and
 * rediscovers at each poll until it answers again. While it cannot, no sample comes: the node records
 * gaps.
 */
export class ModbusMeter implements Meter {
  readonly id: string
  readonly toleranceMs: number
  readonly #init: ModbusMeterInit
  #client: ModbusRTU | undefined
  #device: SunSpecDevice | undefined
  #state: string | null = null
  #battery: BatteryStatus | null = null
  #sink: MeterSink | undefined
  #timer: NodeJS.Timeout | undefined
  #cycle: Promise<void> = Promise.resolve()
  #running = false
  /** a connection failure was reported and not yet followed by an answer: do not report it at every poll */
  #down = false
  #polls = 0

  constructor(init: ModbusMeterInit) {
    this.#init = init
    const t = init.transport
    this.id = `modbus:${t.kind === 'tcp' ? `${t.host}:${t.port}` : t.path}/${init.unitId}`
    this.toleranceMs = init.toleranceMs
  }

  /**
   * Connects, discovers the device and reads it once. If the device cannot be reached it rejects with a
   * MeterConnectionError and keeps trying at each poll in the background, as the MQTT driver does.
   */
  async start(sink: MeterSink): Promise<void> {
    this.#sink = sink
    this.#running = true
    try {
      await (this.#cycle = this.#poll(true))
    } finally {
      this.#schedule()
    }
  }

  async stop(): Promise<void> {
    this.#running = false
    clearTimeout(this.#timer)
    await this.#cycle.catch(() => {})
    await this.#disconnect()
  }

  battery(): BatteryStatus | null {
    return this.#battery
  }

  status(): ModbusMeterStatus {
    const d = this.#device
    return {
      device: d == null ? null : { ...d, models: d.models.map(m => m.id) },
      state: this.#state,
      battery: this.#battery,
      connected: this.#client?.isOpen === true,
      polls: this.#polls
    }
  }

  #schedule(): void {
    if (!this.#running) return
    this.#timer = setTimeout(() => {
      this.#cycle = this.#poll(false)
        .catch(() => {})
        .finally(() => {
          this.#schedule()
        })
    }, this.#init.pollMs)
  }

  async #poll(first: boolean): Promise<void> {
    const sink = this.#sink!
    this.#polls++
    try {
      const reader = await this.#connect()
      this.#device ??= await discoverSunSpec(reader)
      const e = await readSunSpecEnergy(reader, this.#device)
      this.#down = false
      this.#state = e.state ?? null
      const d = this.#device
      const at = (this.#init.now ?? Date.now)()
      sink.sample(
        checkSample({ meterId: `sunspec:${d.manufacturer}/${d.model}/${d.serial}`, at, importWh: e.importWh, exportWh: e.exportWh })
      )
      // after the sample: a battery whose registers cannot be read now costs its status (refused and counted, as
      // any read that fails), never the reading
      try {
        this.#battery = (await readSunSpecStorage(reader, d, at)) ?? null
      } catch (err) {
        this.#battery = null
        throw err
      }
    } catch (err) {
      if (err instanceof MeterConnectionError) {
        await this.#disconnect()
        if (first) {
          this.#down = true
          throw err
        }
        if (!this.#down) {
          this.#down = true
          sink.refused(err)
        }
        return
      }
      this.#down = false
      sink.refused(err as Error)
    }
  }

  async #connect(): Promise<RegisterReader> {
    let client = this.#client
    if (client?.isOpen !== true) {
      await this.#disconnect()
      const ModbusClient = (await import('modbus-serial')).default as unknown as new () => ModbusRTU
      client = new ModbusClient()
      const t = this.#init.transport
      try {
        if (t.kind === 'tcp') await client.connectTCP(t.host, { port: t.port })
        else await client.connectRTUBuffered(t.path, { baudRate: t.baudRate, dataBits: 8, parity: 'none', stopBits: 1 })
      } catch (err) {
        throw new MeterConnectionError(`Modbus ${this.id}: cannot connect: ${(err as Error).message}`, { cause: err })
      }
      client.setID(this.#init.unitId)
      client.setTimeout(this.#init.timeoutMs ?? 3_000)
      this.#client = client
      this.#device = undefined // a device behind the address may have been replaced: discover it again
    }
    const c = client
    return {
      read: async (address, count) => {
        const out: number[] = []
        for (let a = address; a < address + count; a += 125) {
          const n = Math.min(125, address + count - a)
          try {
            out.push(...(await c.readHoldingRegisters(a, n)).data)
          } catch (err) {
            const code = (err as { modbusCode?: number }).modbusCode
            if (code != null)
              throw new MeterDataError('modbus-exception', `Modbus ${this.id}: exception ${code} reading ${n} registers at ${a}`, {
                cause: err
              })
            throw new MeterConnectionError(`Modbus ${this.id}: no answer reading ${n} registers at ${a}: ${(err as Error).message}`, {
              cause: err
            })
          }
        }
        return out
      }
    }
  }

  async #disconnect(): Promise<void> {
    const c = this.#client
    this.#client = undefined
    if (c?.isOpen === true)
      await new Promise<void>(resolve => {
        c.close(() => {
          resolve()
        })
      })
  }
}
