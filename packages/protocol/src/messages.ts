/**
 * The energy market's messages, as the code sees them: announcements and digests (gossip), the
 * negotiation (proposal, accept, counter, reject, confirm, committed) and the trade both parties sign.
 * On the wire: trade-terms.ts (terms, trades and their ids), message-codecs.ts (every kind), the field
 * checks both use in message-fields.ts; the schema is proto/kvartal.proto.
 */
import { toHex } from './keys.ts'

/** One slot's sell offer or buy bid: up to `energyWh` at `price` nanos/kWh (a floor for sellers, a cap for buyers). */
export interface Order {
  readonly slot: number
  readonly energyWh: number
  readonly price: number
}

export interface Announcement {
  readonly version: number
  readonly district: string
  readonly trader: Uint8Array
  readonly seq: number
  readonly issuedAt: number
  readonly validUntil: number
  readonly offers: readonly Order[]
  readonly bids: readonly Order[]
  /** binary multiaddrs where the trader accepts negotiation streams (at most 8) */
  readonly addrs: readonly Uint8Array[]
  /** the low-voltage feeder the trader sits on; absent: the district is one feeder */
  readonly feeder?: string
}

/** One residual offer in a relay's digest: where to find a seller of another feeder, not a promise. */
export interface DigestEntry {
  readonly trader: Uint8Array
  readonly feeder: string
  readonly slot: number
  readonly energyWh: number
  readonly price: number
  readonly addrs: readonly Uint8Array[]
  /** on a feeder's digest topic: the one buyer of that feeder this entry is for (the hub's allocation); absent: any */
  readonly buyer?: Uint8Array
}

/**
 * A feeder relay's digest: its own feeder's residual offers (on the district's digest topic, which only
 * relays read), or the best residual offers of other feeders (on its feeder's digest topic).
 */
export interface Digest {
  readonly version: number
  readonly district: string
  readonly relay: Uint8Array
  readonly feeder: string
  readonly seq: number
  readonly issuedAt: number
  readonly validUntil: number
  readonly entries: readonly DigestEntry[]
  /** on the district's digest topic: its feeder's residual bids (`trader` is the buyer), for the hub's allocation */
  readonly bids?: readonly DigestEntry[]
  /**
   * on a feeder's digest topic: where the relay listens (at most `limits.maxDigestAddrs`). Only relays read their
   * feeder's bid topic, and gossipsub sends a message on a topic its publisher does not read only to peers
   * it is connected to that read it: a buyer dials the relay it hears from, so that its bids reach it.
   */
  readonly relayAddrs?: readonly Uint8Array[]
  /**
   * on the district's digest topic: its feeder's dearest asks that its own buyers take (`trader` is the seller,
   * `energyWh` what its buyers take of it). Energy of another feeder that lands cheaper than such an ask plus
   * the local fee would spare it: the hub's import marginal, as the central optimum has it (relay-digests.ts).
   */
  readonly matched?: readonly DigestEntry[]
  /**
   * An amendment: the seq of this relay's digest it amends. A relay withdraws between its whole digests by
   * naming only what fell: each entry of the amended digest whose energy fell since, with what is left (0:
   * withdrawn). An amendment adds nothing and carries no bids, matched asks or relay addresses. Absent: a
   * whole digest, which replaces the relay's last.
   */
  readonly amends?: number
}

export interface Proposal {
  readonly version: number
  readonly district: string
  readonly id: Uint8Array
  readonly buyer: Uint8Array
  readonly seller: Uint8Array
  readonly slot: number
  readonly energyWh: number
  readonly price: number
  readonly expiresAt: number
  readonly round: number
  /** the buyer's feeder; absent: the district is one feeder */
  readonly feeder?: string
}

export interface TradeTerms {
  readonly version: number
  readonly district: string
  readonly negotiation: Uint8Array
  readonly buyer: Uint8Array
  readonly seller: Uint8Array
  readonly slot: number
  readonly energyWh: number
  readonly price: number
  readonly agreedAt: number
  /** the feeders of both parties (absent: the district is one feeder) */
  readonly buyerFeeder?: string
  readonly sellerFeeder?: string
  /** nanos per kWh the buyer pays the grid operator on top of `price` (absent: 0) */
  readonly gridFee?: number
}

export interface Accept {
  readonly negotiation: Uint8Array
  readonly terms: TradeTerms
  readonly sellerSignature: Uint8Array
  readonly holdUntil: number
}
export interface Counter {
  readonly negotiation: Uint8Array
  readonly energyWh: number
  readonly price: number
  readonly expiresAt: number
  readonly round: number
}
export interface Reject {
  readonly negotiation: Uint8Array
  readonly code: string
  readonly detail: string
  /**
   * a seller refusing a buyer of another feeder for want of energy (`no-capacity`, `capacity-held`,
   * `feeder-limit`): sellers of its own feeder that still offer the slot, as it hears them (at most
   * `limits.maxReferrals`). Pointers, not promises, as a digest's entries: each seller answers for itself.
   */
  readonly referrals?: readonly DigestEntry[]
}
export interface Confirm {
  readonly tradeId: Uint8Array
  readonly terms: TradeTerms
  readonly buyerSignature: Uint8Array
}
export interface Committed {
  readonly tradeId: Uint8Array
}

/** A trade exists only with both signatures over the same terms. */
export interface Trade {
  /** hex sha256 of the encoded terms */
  readonly id: string
  readonly terms: TradeTerms
  readonly buyerSignature: Uint8Array
  readonly sellerSignature: Uint8Array
}

export const MessageKind = {
  announcement: 'announcement',
  proposal: 'proposal',
  accept: 'accept',
  counter: 'counter',
  reject: 'reject',
  confirm: 'confirm',
  committed: 'committed',
  digest: 'digest'
} as const
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind]

export interface MessageOf {
  announcement: Announcement
  proposal: Proposal
  accept: Accept
  counter: Counter
  reject: Reject
  confirm: Confirm
  committed: Committed
  digest: Digest
}

export { toHex }
