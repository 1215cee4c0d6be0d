/** pino's levels, most severe first: a node logs what is at its level or above (`silent`: nothing) */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** The events a node logs at debug: every gossip message it takes in. */
const debugEvents = new Set<string>(['announcement-received'])
/** At error: what failed in the node itself (a tick, a journal write, a stop), not in a negotiation. */
const errorEvents = new Set<string>(['node-error'])
/** At warn: what an operator should look at. */
const warnEvents = new Set<string>([
  'message-rejected',
  'negotiation-failed',
  'meter-gap',
  'meter-refused',
  'settlement-failed',
  'storage-full'
])
/**
 * Refusals that gossip itself only ignores (the sender is not penalised): a copy of a message already
 * taken (`replayed`: the same announcement by two paths, or on both the offer and the bid topic) and one
 * past its validity (`expired`: late, or from a peer whose clock runs behind). Routine in any mesh, so
 * logged at debug, not warn; the metrics count them by code all the same.
 */
const ignoredCodes = new Set<string>(['replayed', 'expired'])

/** The level a node event is logged at. */
export function eventLevel(e: { type: string; code?: string | number }): 'debug' | 'info' | 'warn' | 'error' {
  if (errorEvents.has(e.type)) return 'error'
  if (debugEvents.has(e.type)) return 'debug'
  if (e.type === 'message-rejected' && typeof e.code === 'string' && ignoredCodes.has(e.code)) return 'debug'
  return warnEvents.has(e.type) ? 'warn' : 'info'
}
