/**
 * The kinds of violation the soak's invariant checker (invariants.ts) reports, and its report.
 *
 * Energy
 *   one-sided-trade            a trade committed by one side and not by the other (missing, or void)
 *   trade-unresolved           a buyer's trade still pending at the end (its Confirm never answered)
 *   trade-id-mismatch          a trade whose id is not the sha256 of its terms, or held under the wrong role
 *   negotiation-traded-twice   two trades of one seller from one negotiation
 *   oversold-slot              a seller sold more in a slot than its position offered
 *   traded-after-gate          a seller committed a trade at or after its slot's gate closed, by the
 *                              seller's own clock (the only one it has: skewed clocks are the soak's)
 *   overbought-slot            a buyer bought more in a slot than its position needed
 *   hold-left-open             a seller's hold past its expiry, or outliving its trade; a provider's
 *                              leg held past its expiry
 *   trade-settled-twice        one trade in two settlement periods of one node
 *   trade-never-settled        a committed trade that periods long after its slot did not settle
 *   paid-not-owed              a period's payment on the ledger ≠ what its trades net to
 *   payment-twice              two ledger payments under one period's key
 *   payment-unrecorded         a period payment on the ledger that its payer never planned
 * Mobility
 *   leg-confirmed-without-payment  a sold leg whose payment is not on the ledger, or pays too little
 *   payment-without-confirmed-leg  a traveller's payment no sold leg or refund accounts for
 *   seat-sold-twice            more seats sold on a trip than it has
 *   booking-one-sided          a package confirmed and its leg not sold, or the other way round
 *   booking-unresolved         a package left mid-booking (holding, paying, committing)
 *   refund-missing             a cancelled leg's refund not on the ledger (or still cancelling)
 * Rides (pay per use; ride-invariants.ts says why each holds)
 *   receipt-not-travellers     a receipt not signed by the ride's traveller, for another ride, or journaled
 *                              with a nonce or total its envelope does not say
 *   receipt-one-sided          a vehicle holding a later receipt of a ride than its traveller
 *   receipt-mispriced          a receipt whose total is not the fare of its use under the ride's plan, or
 *                              above what the booked ride costs
 *   ride-end-unreceipted       a ride the vehicle ended as run to its end without a final receipt
 *   ride-paid-twice            a ride's receipt settled in two periods of one node
 *   receipt-unpaid             a ride's last receipt in no period, though a period ending after it closed settled
 *   vehicle-double-booked      two rides of one vehicle overlapping in time
 *   ride-unended               a ride still confirmed or started long after its window closed
 * Meters (meter-invariants.ts; against what the soak's broker published, meter-feed.ts)
 *   meter-chain-broken         a reading or gap whose signature does not verify by the node's key, that does not
 *                              link to the one before it, or a slot missing between two (or a record unreadable)
 *   meter-slot-read-twice      a slot boundary that stands for two different samples (the closing one of a
 *                              reading and the opening one of the next, or the journaled one), or a settled
 *                              period that saw other readings or gaps of its slots than the chain holds now
 *   meter-reading-invented     a reading that is not the register difference between two samples the broker
 *                              published for that node's meter (or by another meter's name, or on a node with
 *                              no meter), or a journaled boundary sample the broker never published
 *   meter-reading-before-slot-end  a reading stamped (by the meter) before its slot ended, or opened by a sample
 *                              from before the slot began; a gap recorded (by the node's clock) before it ended
 * Either
 *   unknown-party              a trade or payment naming a key or address outside the district
 *   unreadable-transaction     a ledger transaction that is neither a payment nor an attestation
 */
export const VIOLATION_KINDS = [
  'one-sided-trade',
  'trade-unresolved',
  'trade-id-mismatch',
  'negotiation-traded-twice',
  'oversold-slot',
  'overbought-slot',
  'traded-after-gate',
  'hold-left-open',
  'trade-settled-twice',
  'trade-never-settled',
  'paid-not-owed',
  'payment-twice',
  'payment-unrecorded',
  'leg-confirmed-without-payment',
  'payment-without-confirmed-leg',
  'seat-sold-twice',
  'booking-one-sided',
  'booking-unresolved',
  'refund-missing',
  'receipt-not-travellers',
  'receipt-one-sided',
  'receipt-mispriced',
  'ride-end-unreceipted',
  'ride-paid-twice',
  'receipt-unpaid',
  'vehicle-double-booked',
  'ride-unended',
  'meter-chain-broken',
  'meter-slot-read-twice',
  'meter-reading-invented',
  'meter-reading-before-slot-end',
  'unknown-party',
  'unreadable-transaction'
] as const
export type ViolationKind = (typeof VIOLATION_KINDS)[number]
/** the kinds ride-invariants.ts checks (tests/soak-ride-invariants.test.ts makes each) */
export const RIDE_VIOLATION_KINDS: readonly ViolationKind[] = VIOLATION_KINDS.slice(
  VIOLATION_KINDS.indexOf('receipt-not-travellers'),
  VIOLATION_KINDS.indexOf('ride-unended') + 1
)
/** the kinds meter-invariants.ts checks (tests/soak-meter-invariants.test.ts makes each) */
export const METER_VIOLATION_KINDS: readonly ViolationKind[] = VIOLATION_KINDS.slice(
  VIOLATION_KINDS.indexOf('meter-chain-broken'),
  VIOLATION_KINDS.indexOf('meter-reading-before-slot-end') + 1
)

/** A metered node's chain: readings and gaps (by why), and the samples the broker published for it. */
export interface MeterFigures {
  readings: number
  gaps: number
  gapsWhy: Record<string, number>
  published: number
}

export interface Violation {
  readonly kind: ViolationKind
  readonly node?: string
  readonly detail: string
}

export interface InvariantReport {
  /** trades committed by both sides */
  trades: number
  /** packages confirmed */
  bookings: number
  /** trades pending and packages mid-booking that a graceful stop interrupted (within graceMs of it) */
  inFlight: number
  legsSold: number
  rides: { booked: number; started: number; ended: number; paid: number; receipts: number }
  /** (node, period, counterparty) nets whose trades ran both ways */
  nettedBothWays: number
  periodsSettled: number
  ledgerPayments: number
  /** each metered node's chain (meter-invariants.ts), by name */
  meters: Record<string, MeterFigures>
  /** with `slots`: the latest a seller committed after its slot's gate by the machine's clock (its journal's time less its skew), ms */
  latestAfterTrueGateMs?: number
  violations: Violation[]
}
