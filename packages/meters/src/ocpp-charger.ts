import type { Server } from 'node:http'
import type { IHandlersOption, RPCClient, RPCServer } from 'ocpp-rpc'
import { checkSample, MeterConnectionError, MeterDataError, type Meter, type MeterSink } from './meter.ts'
import {
  registerSamples,
  registerSamples201,
  tradedProfile,
  tradedProfile201,
  type Ocpp201MeterValue,
  type OcppMeterValue
} from './ocpp-messages.ts'

export interface OcppChargerInit {
  /** where the node listens for its charge point (ws://host:port/<chargePointId>) */
  host: string
  port: number
  /** the one charge point this node serves: any other identity is refused at the handshake */
  chargePointId: string
  /** the connector whose meter values are the meter (default 1); in OCPP 2.0.1 the EVSE id */
  connectorId?: number
  /** OCPP security profile 1: the charge point's HTTP Basic password; absent: none asked */
  password?: string
  /** Heartbeat interval given in BootNotification's answer (s); default 300 */
  heartbeatSeconds?: number
  /**
   * asked of the charge point after boot (1.6 ClockAlignedDataInterval, 2.0.1 AlignedDataCtrlr.Interval, s), so a
   * register is sent at every slot boundary; default 900, 0: not asked
   */
  alignedSeconds?: number
  /** see Meter.toleranceMs */
  toleranceMs: number
  /** the slot length of the node's market (ms), for the schedule's periods; default: the last setTradedPower's, else 900 000 */
  slotMs?: number
  now?: () => number
}

export type TradedPowerResult = 'Accepted' | 'Rejected' | 'NotSupported' | 'no-transaction' | 'not-connected'

/** The OCPP versions the node speaks, in the order it prefers them when a charger offers several. */
export const OCPP_PROTOCOLS = ['ocpp2.0.1', 'ocpp1.6'] as const
export type OcppProtocol = (typeof OCPP_PROTOCOLS)[number]

/** What the charger said last, for status. */
export interface OcppChargerStatus {
  connected: boolean
  /** the subprotocol the connected charger negotiated; null: none connected */
  protocol: OcppProtocol | null
  boot: { vendor: string; model: string; serial: string | null } | null
  connector: string | null
  /** 1.6: the node's number for it; 2.0.1: the charger's string */
  transactionId: number | string | null
  /** the last answer to SetChargingProfile */
  profile: string | null
}

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
    server.auth((accept, reject, handshake) => {
      if (handshake.identity !== this.#init.chargePointId) {
        sink.refused(
          new MeterDataError(
            'unknown-charge-point',
            `a charge point "${handshake.identity}" connected from ` +
              `${handshake.remoteAddress ?? '?'}; this node serves "${this.#init.chargePointId}" only`
          )
        )
        reject(404, 'unknown charge point')
        return
      }
      if (this.#init.password != null && handshake.password?.toString('utf8') !== this.#init.password) {
        sink.refused(new MeterDataError('bad-password', `charge point "${handshake.identity}" did not give its password`))
        reject(401, 'unauthorized')
        return
      }
      // the charger lists what it speaks (Sec-WebSocket-Protocol); the newest both speak wins
      const protocol = OCPP_PROTOCOLS.find(p => handshake.protocols.has(p))
      if (protocol == null) {
        sink.refused(
          new MeterDataError(
            'ocpp-protocol',
            `charge point "${handshake.identity}" offers ` +
              `${handshake.protocols.size === 0 ? 'no OCPP subprotocol' : [...handshake.protocols].join(', ')}; ` +
              `this node speaks ${OCPP_PROTOCOLS.join(' and ')}`
          )
        )
        reject(400, 'no common OCPP version')
        return
      }
      accept({}, protocol)
    })
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

  /** After boot: ask for the connector's register at every slot boundary, and in every transaction sample. */
  async #configure(client: RPCClient): Promise<void> {
    const aligned = this.#init.alignedSeconds ?? 900
    if (aligned === 0) return
    if (client.protocol === 'ocpp2.0.1') {
      // the device model's variables (OCPP 2.0.1 part 2, appendix 3): the same three settings as 1.6's keys
      const setVariableData = [
        ['AlignedDataCtrlr', 'Interval', String(aligned)],
        ['AlignedDataCtrlr', 'Measurands', 'Energy.Active.Import.Register'],
        ['SampledDataCtrlr', 'TxUpdatedMeasurands', 'Energy.Active.Import.Register']
      ].map(([component, variable, attributeValue]) => ({ attributeValue, component: { name: component }, variable: { name: variable } }))
      try {
        const res = (await client.call('SetVariables', { setVariableData })) as {
          setVariableResult: Array<{ attributeStatus: string; component: { name: string }; variable: { name: string } }>
        }
        for (const r of res.setVariableResult) {
          if (r.attributeStatus !== 'Accepted' && r.attributeStatus !== 'RebootRequired')
            this.#sink?.refused(
              new MeterConnectionError(
                `OCPP ${this.#init.chargePointId}: SetVariables ${r.component.name}.${r.variable.name}: ${r.attributeStatus}`
              )
            )
        }
      } catch (err) {
        this.#sink?.refused(
          new MeterConnectionError(`OCPP ${this.#init.chargePointId}: SetVariables: ${(err as Error).message}`, { cause: err })
        )
      }
      return
    }
    for (const [key, value] of [
      ['ClockAlignedDataInterval', String(aligned)],
      ['MeterValuesAlignedData', 'Energy.Active.Import.Register'],
      ['MeterValuesSampledData', 'Energy.Active.Import.Register']
    ]) {
      await client.call('ChangeConfiguration', { key, value }).catch((err: Error) => {
        this.#sink?.refused(
          new MeterConnectionError(`OCPP ${this.#init.chargePointId}: ChangeConfiguration ${key}: ${err.message}`, { cause: err })
        )
      })
    }
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

/** What a node's trade events say, as far as a charger needs: `trade-committed` for a slot, bought (`detail: 'buyer'`) or sold. */
export interface TradeEventLike {
  type: string
  slot?: number
  energyWh?: number
  detail?: string
}

/**
 * Feeds a node's trades to its charger: for each slot the energy bought (the buyer side of its
 * committed trades) as power, W = Wh × 3 600 000 / slotMs (floored), set with `setTradedPower` at every
 * new trade. Sold energy does not lower it: a charger draws what was bought for it.
 */
export function tradedPowerFeed(
  charger: Pick<OcppCharger, 'setTradedPower'>,
  slots: { epochMs: number; slotMs: number },
  onError: (err: Error) => void
): (e: TradeEventLike) => void {
  const bought = new Map<number, number>()
  return e => {
    if (e.type !== 'trade-committed' || e.detail !== 'buyer' || e.slot == null || e.energyWh == null) return
    const wh = (bought.get(e.slot) ?? 0) + e.energyWh
    bought.set(e.slot, wh)
    for (const s of bought.keys()) if (s < e.slot - 96) bought.delete(s)
    charger.setTradedPower(slots.epochMs + e.slot * slots.slotMs, Math.floor((wh * 3_600_000) / slots.slotMs), slots.slotMs).catch(onError)
  }
}
