/** How a provider journals each leg it holds or sold (collection `provider-legs`, keyed by leg id hex). */
export interface ProviderLegRecord {
  /** TOMP legStatus: PENDING (held), CONFIRMED, RELEASED, EXPIRED, CANCELLING, CANCELLED, STARTED, ENDED */
  readonly status: string
  /** hex of the encoded LegTerms */
  readonly terms: string
  readonly package: string
  readonly legId: string
  readonly resource: string
  readonly from: number
  readonly to: number
  readonly units: number
  readonly price: number
  readonly holdUntil: number
  readonly providerSignature: string
  readonly travellerSignature?: string
  readonly paymentDigest?: string
  readonly paymentKey?: string
  readonly fee?: number
  readonly refund?: number
  readonly refundDigest?: string
  /** pay-per-use: the ride's metered use so far */
  readonly usedSeconds?: number
  readonly usedMetres?: number
  /** usage reports sent so far: the next report's seq is one more (or the last receipt's nonce, if that is higher) */
  readonly reports?: number
  /** a vehicle's ride that ended: where it parked (journaled with the end, so a restart finds the vehicle where the ride left it) */
  readonly parked?: { readonly lat: number; readonly lon: number }
  readonly reason?: string
  readonly at: number
}

export const PROVIDER_LEGS = 'provider-legs'
export const RIDE_RECEIPTS = 'ride-receipts'

/** The latest cumulative receipt of a ride, as both parties journal it (collection `ride-receipts`). */
export interface RideReceiptRecord {
  readonly leg: string
  /** hex of the sealed, signed UsageReceipt envelope */
  readonly envelope: string
  readonly nonce: number
  readonly total: number
  readonly payer: string
  readonly payee: string
  readonly issuedAt: number
  /** the ride is over: this receipt is the one to settle */
  readonly final: boolean
  readonly role: 'traveller' | 'vehicle'
  /** the period that settled it */
  readonly settledIn?: string
}
