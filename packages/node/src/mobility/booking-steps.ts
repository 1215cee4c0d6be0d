import { stepId } from '../events.ts'

/**
 * The steps of one booking as both sides name them (NodeEvent `id` and `parent`), so that a provider's
 * event can point at the traveller's step it answers, and the traveller's at the provider's, without the
 * wire carrying event ids. Keys are hex public keys, `pkg` the package id (hex), `legId` the leg's id in
 * its package. A booking's chain: the plan → holding → each provider's held (or refused) → paid → each
 * provider's confirmed → booked; then rides, receipts, releases and cancellations hang off the step they
 * follow from.
 */
export const bookingStep = {
  // the traveller's
  holding: (traveller: string, pkg: string): string => stepId(traveller, pkg, 'hold'),
  holdFailed: (traveller: string, pkg: string, legId: string): string => stepId(traveller, pkg, `hold-failed.${legId}`),
  released: (traveller: string, pkg: string): string => stepId(traveller, pkg, 'released'),
  paid: (traveller: string, pkg: string): string => stepId(traveller, pkg, 'paid'),
  overdue: (traveller: string, pkg: string): string => stepId(traveller, pkg, 'overdue'),
  unresolved: (traveller: string, pkg: string): string => stepId(traveller, pkg, 'settle-by-hand'),
  booked: (traveller: string, pkg: string): string => stepId(traveller, pkg, 'booked'),
  cancelled: (traveller: string, pkg: string): string => stepId(traveller, pkg, 'cancelled'),
  // a provider's, per leg
  held: (provider: string, pkg: string, legId: string): string => stepId(provider, pkg, `held.${legId}`),
  legReleased: (provider: string, pkg: string, legId: string): string => stepId(provider, pkg, `released.${legId}`),
  expired: (provider: string, pkg: string, legId: string): string => stepId(provider, pkg, `expired.${legId}`),
  confirmed: (provider: string, pkg: string, legId: string): string => stepId(provider, pkg, `confirmed.${legId}`),
  legCancelled: (provider: string, pkg: string, legId: string): string => stepId(provider, pkg, `cancelled.${legId}`),
  rideEnded: (provider: string, pkg: string, legId: string): string => stepId(provider, pkg, `ride-ended.${legId}`)
} as const
