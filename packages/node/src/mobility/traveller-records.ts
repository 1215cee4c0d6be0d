/** One leg of a package as the traveller journals it. */
export interface PackageLegRecord {
  /** the traveller's id of the leg in the package */
  readonly legId: string
  /** hex sha256 of the encoded terms: the leg's id on the wire */
  readonly leg: string
  /** hex of the encoded LegTerms */
  readonly terms: string
  /** provider public key, hex */
  readonly provider: string
  /** TOMP legStatus: OFFERED, PENDING (held), CONFIRMED, RELEASED, EXPIRED, CANCELLED, STARTED, ENDED */
  readonly status: string
  readonly holdUntil?: number
  readonly providerSignature?: string
  readonly travellerSignature: string
  readonly code?: string
  readonly refund?: number
  readonly fee?: number
  readonly refundDigest?: string
}

/**
 * A package (TOMP-API: a booked journey of several legs) as the traveller journals it, in collection
 * `packages` keyed by the package id (hex). `phase` is where the all-or-nothing booking stands, so that
 * a restart resumes it: holding → (releasing → done) | (paying → committing → done); a confirmed package
 * that is cancelled: done → done, or cancelling while a leg's cancellation has no answer yet (asked again).
 */
export interface PackageRecord {
  readonly status: string
  readonly phase: 'holding' | 'releasing' | 'paying' | 'committing' | 'cancelling' | 'done'
  readonly legs: readonly PackageLegRecord[]
  readonly total: number
  readonly paymentKey: string
  readonly paymentDigest?: string
  readonly createdAt: number
  readonly departureTime: number
  readonly arrivalTime: number
  readonly co2: number
  readonly reason?: string
  readonly at: number
}

export const PACKAGES = 'packages'
