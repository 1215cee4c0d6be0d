import * as wire from '../src/gen/mobility.js'
import type { MobilityKind } from '../src/index.ts'

/**
 * The generated encoder of each mobility kind, with none of the checks `mobilityCodecs` adds: the tests' way to
 * put a field out of bounds on the wire and see the decoder refuse it. Written out here rather than taken from
 * `mobility-messages.ts`, so that a wrong entry there is not repeated by the tests.
 */
export const rawEncoders: { [K in MobilityKind]: { encode(m: any): Uint8Array } } = {
  'service-offer': wire.ServiceOffer,
  'quote-request': wire.QuoteRequest,
  quote: wire.Quote,
  'hold-request': wire.HoldRequest,
  held: wire.Held,
  commit: wire.Commit,
  'leg-state': wire.LegState,
  release: wire.Release,
  'booking-reject': wire.BookingReject,
  'usage-report': wire.UsageReport,
  'usage-receipt': wire.UsageReceipt
}
