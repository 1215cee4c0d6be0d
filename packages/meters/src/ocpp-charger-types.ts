/** What an `OcppCharger` (ocpp-charger.ts) is given, what it answers and shows, and the OCPP versions it speaks. */

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
