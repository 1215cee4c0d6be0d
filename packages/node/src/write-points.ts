/**
 * Every point at which a node writes its journal, in one place. `Journal` accepts no other name (its
 * write methods take a `WritePoint`), the crash-test harness kills a process at any of them (a test
 * entry point installs it through `@kvartal/node/testing`), and `tests/write-points.test.ts` checks
 * that this list is exactly what the node writes and that each point has a crash test among real
 * processes (or is named there as not yet having one): a new write point cannot slip in unnoticed.
 */
export const ENERGY_WRITE_POINTS = [
  'key',
  'counter',
  'seller-hold',
  'seller-release',
  'seller-commit',
  'buyer-pending',
  'buyer-committed',
  'buyer-void',
  'meter',
  'meter-boundary',
  'period-plan',
  'period',
  // a settlement adapter's own records (the IOTA adapter's submitted transactions)
  'store-iota'
] as const

export const MOBILITY_WRITE_POINTS = [
  // traveller: its package, from planned to settled
  'traveller-package',
  'traveller-held',
  'traveller-releasing',
  'traveller-released',
  'traveller-paid',
  'traveller-committing',
  'traveller-unresolved',
  'traveller-confirmed',
  'traveller-cancelling',
  'traveller-cancelled',
  'traveller-receipt',
  // provider: each leg it sells
  'provider-hold',
  'provider-commit',
  'provider-refund',
  'provider-release',
  'provider-cancel',
  'provider-cancelled',
  'provider-expire',
  'provider-started',
  'provider-ended',
  // a vehicle: the receipts it holds (where it parked is journaled with its ride's end, provider-ended)
  'vehicle-receipt',
  // trip channels and what a period attests of them
  'channel-open',
  'period-extra',
  'channel-proof',
  'attested'
] as const

/** Crash points that are not journal writes: `after-payment` (a period's payment is on the ledger, not yet journaled). */
export const OTHER_CRASH_POINTS = ['after-payment'] as const

export type EnergyWritePoint = (typeof ENERGY_WRITE_POINTS)[number]
export type MobilityWritePoint = (typeof MOBILITY_WRITE_POINTS)[number]
export type WritePoint = EnergyWritePoint | MobilityWritePoint
