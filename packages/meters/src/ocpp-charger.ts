import type { Server } from 'node:http'
import type { IHandlersOption, RPCClient, RPCServer } from 'ocpp-rpc'
import { checkSample, MeterConnectionError, MeterDataError, type Meter, type MeterSink } from './meter.ts'
import { askForRegisters } from './ocpp-aligned-data.ts'
import {
  OCPP_PROTOCOLS,
  type OcppChargerInit,
  type OcppChargerStatus,
  type OcppProtocol,
  type TradedPowerResult
} from './ocpp-charger-types.ts'
import { ocppHandshake } from './ocpp-handshake.ts'
import {
  registerSamples,
  registerSamples201,
  tradedProfile,
  tradedProfile201,
  type Ocpp201MeterValue,
  type OcppMeterValue
} from './ocpp-messages.ts'

/**
 * The node as the local central system of its EV charger, OCPP 2.0.1 or 1.6J over WebSocket
 * (`ocpp-rpc`, strict schema validation of every call both ways, by the version negotiated: 2.0.1
 * when the charger offers it, else 1.6). A meter: the connector's (2.0.1: the EVSE's) cumulative
 * Energy.Active.Import.Register, stamped with the charge point's clock — in 1.6 StartTransaction's
 * meterStart, MeterValues and StopTransaction's meterStop; in 2.0.1 the meter values of
 * TransactionEvent (Started, Updated, Ended) and MeterValues. Export stays 0 (no V2G). A load:
 * `setTradedPower` sets a TxProfile in W with the traded power per slot (1.6 csChargingProfiles, 2.0.1
 * chargingProfile), so the car draws what was traded. A message that fails the schema, or a value it
 * cannot read, is refused (an RPC error to the charge point, `sink.refused` to the node) and makes no
 * sample.
 */
export class OcppCharger implements Meter {
  readonly id: string
  readonly toleranceMs: number
  readonly #init: OcppChargerInit
  readonly #plan = new Map<number, number>()
  #server: RPCServer | undefined
  #http: Server | undefined
  #client: RPCClient | undefined
  #sink: MeterSink | undefined
  #transactionId: number | string | null = null
  /** the version the last charger spoke: a transaction of the other one does not survive a change */
  #protocol: string | undefined
  /** the slot length the plan was given in (setTradedPower's slotMs), for profiles sent without one */
  #slotMs: number | undefined
  #nextTransaction: number
  #status: Omit<OcppChargerStatus, 'connected' | 'transactionId' | 'protocol'> = { boot: null, connector: null, profile: null }

  constructor(init: OcppChargerInit) {
    this.#init = init
    this.id = `ocpp:${init.chargePointId}`
    this.toleranceMs = init.toleranceMs
    // transaction ids unique across restarts of the node without a journal of their own
    this.#nextTransaction = Math.floor(this.#now() / 1000) % 0x7fff0000
  }

  /** the address the server listens on (its port, when 0 was asked) */
  get address(): { host: string; port: number } {
    const a = this.#http?.address()
    return { host: this.#init.host, port: typeof a === 'object' && a != null ? a.port : this.#init.port }
  }

  status(): OcppChargerStatus {
    return {
      ...this.#status,
      connected: this.#client != null,
      protocol: (this.#client?.protocol as OcppProtocol | undefined) ?? null,
      transactionId: this.#transactionId
    }
  }

  async start(sink: MeterSink): Promise<void> {
    this.#sink = sink
    const { RPCServer } = await import('ocpp-rpc')
    const server = new RPCServer({ protocols: [...OCPP_PROTOCOLS], strictMode: true, callTimeoutMs: 30_000 })
    server.auth(ocppHandshake(this.#init, sink))
    server.on('client', (client: RPCClient) => {
      this.#attach(client, sink)
    })
    try {
      this.#http = await server.listen(this.#init.port, this.#init.host)
    } catch (err) {
      throw new MeterConnectionError(`OCPP: cannot listen on ${this.#init.host}:${this.#init.port}: ${(err as Error).message}`, {
        cause: err
      })
    }
    this.#server = server
  }

  async stop(): Promise<void> {
    const s = this.#server
    this.#server = undefined
    this.#client = undefined
    await s?.close({ force: true })
  }

  /**
   * The power traded for the slot starting at `slotStartMs` (integer W, what the car may draw), sent at
   * once as the transaction's TxProfile with every slot planned from now on. Without a transaction it
   * is kept and sent when one starts. Throws a MeterConnectionError if the charge point does not answer.
   */
  async setTradedPower(slotStartMs: number, watts: number, slotMs = this.#init.slotMs ?? 900_000): Promise<TradedPowerResult> {
    if (!Number.isSafeInteger(watts) || watts < 0) throw new RangeError(`traded power must be a whole number of W ≥ 0, got ${watts}`)
    if (!Number.isSafeInteger(slotStartMs)) throw new RangeError(`slot start must be a time in ms, got ${slotStartMs}`)
    for (const t of this.#plan.keys()) if (t + slotMs <= this.#now()) this.#plan.delete(t)
    this.#plan.set(slotStartMs, watts)
    this.#slotMs = slotMs
    return await this.#sendProfile(slotMs)
  }

  /** The plan as the transaction's profile; at a transaction's start, in the slot length the plan was given in. */
  async #sendProfile(slotMs = this.#slotMs ?? this.#init.slotMs ?? 900_000): Promise<TradedPowerResult> {
    const client = this.#client
    if (client == null) return 'not-connected'
    const tx = this.#transactionId
    if (tx == null) return 'no-transaction'
    const connectorId = this.#init.connectorId ?? 1
    let params: object
    if (typeof tx === 'string') {
      const chargingProfile = tradedProfile201(this.#plan, slotMs, tx)
      if (chargingProfile == null) return 'Accepted'
      params = { evseId: connectorId, chargingProfile }
    } else {
      const csChargingProfiles = tradedProfile(this.#plan, slotMs, tx)
      if (csChargingProfiles == null) return 'Accepted'
      params = { connectorId, csChargingProfiles }
    }
    try {
      const res = (await client.call('SetChargingProfile', params)) as { status: 'Accepted' | 'Rejected' | 'NotSupported' }
      this.#status.profile = res.status
      return res.status
    } catch (err) {
      throw new MeterConnectionError(`OCPP ${this.#init.chargePointId}: SetChargingProfile failed: ${(err as Error).message}`, {
        cause: err
      })
    }
  }

  #attach(client: RPCClient, sink: MeterSink): void {
    const old = this.#client
    this.#client = client
    // a charger that comes back speaking the other version (a firmware update) has no transaction of the old one
    if (this.#protocol != null && this.#protocol !== client.protocol) this.#transactionId = null
    this.#protocol = client.protocol
    if (old != null) void old.close({ force: true }) // the charge point reconnected: the new socket wins
    client.on('close', () => {
      if (this.#client === client) this.#client = undefined
    })
    client.on('strictValidationFailure', (e: { error: Error; method: string; result: unknown }) => {
      // an inbound call that fails the version's schema: answered with an RPC error by the library, counted here
      if (e.result == null)
        sink.refused(
          new MeterDataError(
            'ocpp-schema',
            `${e.method} from ${this.#init.chargePointId} does not follow the ` +
              `${client.protocol === 'ocpp2.0.1' ? 'OCPP 2.0.1' : 'OCPP 1.6'} schema: ${e.error.message}`,
            { cause: e.error }
          )
        )
    })
    if (client.protocol === 'ocpp2.0.1') {
      this.#attach201(client, sink)
      return
    }
    const connectorId = this.#init.connectorId ?? 1
    const now = (): string => new Date(this.#now()).toISOString()
    client.handle('BootNotification', async ({ params }: IHandlersOption) => {
      const p = params as { chargePointVendor: string; chargePointModel: string; chargePointSerialNumber?: string }
      this.#status.boot = { vendor: p.chargePointVendor, model: p.chargePointModel, serial: p.chargePointSerialNumber ?? null }
      setImmediate(() => {
        void this.#configure(client)
      })
      return { status: 'Accepted', currentTime: now(), interval: this.#init.heartbeatSeconds ?? 300 }
    })
    client.handle('Heartbeat', async () => ({ currentTime: now() }))
    client.handle('StatusNotification', async ({ params }: IHandlersOption) => {
      const p = params as { connectorId: number; status: string }
      if (p.connectorId === connectorId) this.#status.connector = p.status
      return {}
    })
    client.handle('Authorize', async () => ({ idTagInfo: { status: 'Accepted' } }))
    client.handle('StartTransaction', async ({ params }: IHandlersOption) => {
      const p = params as { connectorId: number; meterStart: number; timestamp: string }
      const transactionId = (this.#nextTransaction = (this.#nextTransaction % 0x7ffffffe) + 1)
      if (p.connectorId === connectorId) {
        this.#transactionId = transactionId
        this.#sample(sink, [{ at: Date.parse(p.timestamp), wh: p.meterStart }])
        setImmediate(() => {
          this.#sendProfile().catch((err: Error) => {
            sink.refused(err)
          })
        })
      }
      return { transactionId, idTagInfo: { status: 'Accepted' } }
    })
    client.handle('StopTransaction', async ({ params }: IHandlersOption) => {
      const p = params as { transactionId: number; meterStop: number; timestamp: string; transactionData?: OcppMeterValue[] }
      if (p.transactionId === this.#transactionId) {
        this.#transactionId = null
        this.#sample(sink, [...this.#read(sink, p.transactionData ?? []), { at: Date.parse(p.timestamp), wh: p.meterStop }])
      }
      return { idTagInfo: { status: 'Accepted' } }
    })
    client.handle('MeterValues', async ({ params }: IHandlersOption) => {
      const p = params as { connectorId: number; meterValue: OcppMeterValue[] }
      if (p.connectorId !== connectorId) return {}
      const { createRPCError } = await import('ocpp-rpc')
      let values: Array<{ at: number; wh: number }>
      try {
        values = registerSamples(p.meterValue)
      } catch (err) {
        sink.refused(err as Error)
        throw createRPCError('PropertyConstraintViolation', (err as Error).message)
      }
      this.#sample(sink, values)
      return {}
    })
    for (const m of ['DataTransfer', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification']) {
      client.handle(m, async () => (m === 'DataTransfer' ? { status: 'UnknownVendorId' } : {}))
    }
  }

  /** OCPP 2.0.1: the same meter and load, in TransactionEvent, MeterValues and the device model's variables. */
  #attach201(client: RPCClient, sink: MeterSink): void {
    const evseId = this.#init.connectorId ?? 1
    const now = (): string => new Date(this.#now()).toISOString()
    /** the EVSE of each transaction the charger started (only its first TransactionEvent names it) */
    const evseOf = new Map<string, number>()
    const values = async (mv: Ocpp201MeterValue[] | undefined, fail: boolean): Promise<void> => {
      let v: Array<{ at: number; wh: number }>
      try {
        v = registerSamples201(mv ?? [])
      } catch (err) {
        sink.refused(err as Error)
        if (!fail) return
        const { createRPCError } = await import('ocpp-rpc')
        throw createRPCError('PropertyConstraintViolation', (err as Error).message)
      }
      this.#sample(sink, v)
    }
    client.handle('BootNotification', async ({ params }: IHandlersOption) => {
      const p = (params as { chargingStation: { vendorName: string; model: string; serialNumber?: string } }).chargingStation
      this.#status.boot = { vendor: p.vendorName, model: p.model, serial: p.serialNumber ?? null }
      setImmediate(() => {
        void this.#configure(client)
      })
      return { status: 'Accepted', currentTime: now(), interval: this.#init.heartbeatSeconds ?? 300 }
    })
    client.handle('Heartbeat', async () => ({ currentTime: now() }))
    client.handle('StatusNotification', async ({ params }: IHandlersOption) => {
      const p = params as { evseId: number; connectorStatus: string }
      if (p.evseId === evseId) this.#status.connector = p.connectorStatus
      return {}
    })
    client.handle('Authorize', async () => ({ idTokenInfo: { status: 'Accepted' } }))
    client.handle('TransactionEvent', async ({ params }: IHandlersOption) => {
      const p = params as {
        eventType: 'Started' | 'Updated' | 'Ended'
        transactionInfo: { transactionId: string }
        evse?: { id: number }
        meterValue?: Ocpp201MeterValue[]
      }
      const tx = p.transactionInfo.transactionId
      if (p.evse != null) evseOf.set(tx, p.evse.id)
      const ours = evseOf.get(tx) === evseId
      if (ours && p.eventType !== 'Ended') {
        const started = this.#transactionId !== tx
        this.#transactionId = tx
        if (started)
          setImmediate(() => {
            this.#sendProfile().catch((err: Error) => {
              sink.refused(err)
            })
          })
      }
      if (ours) await values(p.meterValue, false)
      if (p.eventType === 'Ended') {
        evseOf.delete(tx)
        if (this.#transactionId === tx) this.#transactionId = null
      }
      return p.eventType === 'Started' ? { idTokenInfo: { status: 'Accepted' } } : {}
    })
    client.handle('MeterValues', async ({ params }: IHandlersOption) => {
      const p = params as { evseId: number; meterValue: Ocpp201MeterValue[] }
      if (p.evseId === evseId) await values(p.meterValue, true)
      return {}
    })
    for (const m of [
      'NotifyEvent',
      'NotifyReport',
      'SecurityEventNotification',
      'FirmwareStatusNotification',
      'LogStatusNotification',
      'NotifyChargingLimit',
      'ReportChargingProfiles',
      'DataTransfer'
    ]) {
      client.handle(m, async () => (m === 'DataTransfer' ? { status: 'UnknownVendorId' } : {}))
    }
  }

  /** After boot: ask for the connector's register at every slot boundary, and in every transaction sample (askForRegisters). */
  async #configure(client: RPCClient): Promise<void> {
    await askForRegisters(client, this.#init, err => this.#sink?.refused(err))
  }

  #read(sink: MeterSink, values: OcppMeterValue[]): Array<{ at: number; wh: number }> {
    try {
      return registerSamples(values)
    } catch (err) {
      sink.refused(err as Error)
      return []
    }
  }

  #sample(sink: MeterSink, values: Array<{ at: number; wh: number }>): void {
    for (const v of values) {
      try {
        sink.sample(checkSample({ meterId: this.id, at: v.at, importWh: v.wh, exportWh: 0 }))
      } catch (err) {
        sink.refused(err as Error)
      }
    }
  }

  #now(): number {
    return (this.#init.now ?? Date.now)()
  }
}
