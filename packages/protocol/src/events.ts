/**
 * The typed event stream every node emits. The same stream feeds the CLI, the NDJSON trace researchers
 * replay, the simulator's metrics and the tests.
 */
export const NodeEventType = {
  started: 'started',
  stopped: 'stopped',
  peerJoined: 'peer-joined',
  peerLeft: 'peer-left',
  offerPublished: 'offer-published',
  bidPublished: 'bid-published',
  digestPublished: 'digest-published',
  announcementReceived: 'announcement-received',
  messageRejected: 'message-rejected',
  proposalSent: 'proposal-sent',
  proposalReceived: 'proposal-received',
  accepted: 'accepted',
  countered: 'countered',
  rejected: 'rejected',
  reservationReleased: 'reservation-released',
  tradeCommitted: 'trade-committed',
  negotiationFailed: 'negotiation-failed',
  /** a buyer's negotiation is over: its `outcome` and how long it took (the node's stats count the same) */
  negotiationEnded: 'negotiation-ended',
  gateClosed: 'gate-closed',
  meterRead: 'meter-read',
  /** a slot without a meter reading: recorded in the chain as a gap, never filled in */
  meterGap: 'meter-gap',
  /** a telegram or message from the meter that could not be read (bad checksum, malformed), or a meter fault */
  meterRefused: 'meter-refused',
  periodSettled: 'period-settled',
  settlementFailed: 'settlement-failed',
  // the journal's disk: full (new work refused, DiskFullError) and back (trading again, after a full disk
  // or any other failed write)
  storageFull: 'storage-full',
  storageRecovered: 'storage-recovered',
  /**
   * something failed in the node itself, not in a negotiation: a tick, a journal write, a stop. Its
   * `code` is one of NodeErrorCode; logged at error level and counted by code (kvartal_node_errors_total)
   */
  nodeError: 'node-error',
  // mobility: a provider's side
  serviceOfferPublished: 'service-offer-published',
  legHeld: 'leg-held',
  legConfirmed: 'leg-confirmed',
  legReleased: 'leg-released',
  legCancelled: 'leg-cancelled',
  bookingRefused: 'booking-refused',
  rideEnded: 'ride-ended',
  receiptLate: 'receipt-late',
  receiptRefused: 'receipt-refused',
  // mobility: a traveller's side
  journeyPlanned: 'journey-planned',
  /** a traveller asks every provider of a planned journey to hold its leg: the root of a booking's chain after its plan */
  packageHolding: 'package-holding',
  packageBooked: 'package-booked',
  packageReleased: 'package-released',
  packagePaid: 'package-paid',
  /** paid, and a leg left without its provider's answer (down, unreachable): the traveller keeps asking until it confirms or refunds */
  packageOverdue: 'package-overdue',
  receiptSigned: 'receipt-signed',
  channelAppended: 'channel-appended'
} as const
export type NodeEventType = (typeof NodeEventType)[keyof typeof NodeEventType]

/** The `code` of a `node-error`: what failed in the node itself. Failures of negotiations are `negotiation-failed`. */
export const NodeErrorCode = {
  /** a journal write found the disk full (ENOSPC, EDQUOT): no new work until space returns (DiskFullError) */
  diskFull: 'disk-full',
  /** a journal write failed otherwise (EIO, a closed database): no new work until the journal writes again (JournalWriteError) */
  journalWriteFailed: 'journal-write-failed',
  /** a tick's work threw (a journal read, a settlement step, a bug): the next tick runs again */
  tickFailed: 'tick-failed',
  /** work begun outside a tick threw: an announcement after a sale, mobility's work in flight */
  workFailed: 'work-failed',
  /** a record of a trip channel (a traveller's bookings and receipts, a vehicle's rides) could not be written */
  channelWriteFailed: 'channel-write-failed',
  /** stopping a part of the node failed (gossip router, topic sync, mobility, meter, libp2p host); the stop went on */
  stopFailed: 'stop-failed',
  /** closing storage failed (the settlement adapter, the journal, the control or metrics server); the stop went on */
  closeFailed: 'close-failed'
} as const
export type NodeErrorCode = (typeof NodeErrorCode)[keyof typeof NodeErrorCode]

export interface NodeEvent {
  readonly type: NodeEventType
  /** hex public key of the emitting node */
  readonly node: string
  /** ms, from the node's clock */
  readonly at: number
  readonly slot?: number
  /** negotiation id (hex) or trade id; links the events of one exchange across nodes */
  readonly correlation?: string
  /** the other party, hex public key */
  readonly peer?: string
  readonly energyWh?: number
  readonly price?: number
  /** reason code for rejections and failures (a `node-error`'s: NodeErrorCode) */
  readonly code?: string
  readonly detail?: string
  /** money in nanos (a checkout, a refund, a receipt's total) */
  readonly amount?: number
  /**
   * the event's id, unique within a run: `<node 8 hex>:<seq>`, or for a negotiation's or a booking's steps
   * `<node 8 hex>:<negotiation or package 16 hex>:<step>`, which the other peer can name without being told
   */
  readonly id?: string
  /** the id of the event this one follows from (on this node or its peer): a trade's or a booking's causal chain */
  readonly parent?: string
  /** negotiation-ended: committed, pending, rejected, walked-away, failed or void */
  readonly outcome?: string
  /** negotiation-ended: real ms from the first proposal to the outcome */
  readonly latencyMs?: number
}

export type EventSink = (event: NodeEvent) => void
