import type { RPCServer } from 'ocpp-rpc'
import { MeterDataError, type MeterSink } from './meter.ts'
import { OCPP_PROTOCOLS, type OcppChargerInit } from './ocpp-charger-types.ts'

/**
 * How an `OcppCharger` (ocpp-charger.ts) answers a charge point's WebSocket handshake: only the one charge
 * point it serves (HTTP 404 to another identity), with its password when one is set (401), in the newest
 * OCPP version both speak (400 when they share none). Each refusal is also counted by `sink.refused`.
 */
export function ocppHandshake(
  init: Pick<OcppChargerInit, 'chargePointId' | 'password'>,
  sink: MeterSink
): Parameters<RPCServer['auth']>[0] {
  return (accept, reject, handshake) => {
    if (handshake.identity !== init.chargePointId) {
      sink.refused(
        new MeterDataError(
          'unknown-charge-point',
          `a charge point "${handshake.identity}" connected from ` +
            `${handshake.remoteAddress ?? '?'}; this node serves "${init.chargePointId}" only`
        )
      )
      reject(404, 'unknown charge point')
      return
    }
    if (init.password != null && handshake.password?.toString('utf8') !== init.password) {
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
  }
}
