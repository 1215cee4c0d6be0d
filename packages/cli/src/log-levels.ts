/** pino's levels, most severe first: a node logs what is at its level or above (`silent`: nothing) */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]
