import { pino, type DestinationStream, type Logger } from 'pino'
import type { LogLevel } from './log-levels.ts'

/**
 * Fields whose value is a secret wherever they appear in a log line (pino's redaction paths, one level
 * deep): a key seed, the control token, a meter broker's password, an IOTA private key.
 */
export const redactedPaths = [
  'seed',
  'keySeed',
  'token',
  'password',
  'secret',
  'privateKey',
  'authorization',
  '*.seed',
  '*.keySeed',
  '*.token',
  '*.password',
  '*.secret',
  '*.privateKey',
  '*.authorization',
  'config.meter.password'
]

export const REDACTED = '[redacted]'

/** credentials in a URL (`mqtt://user:pass@host`), and IOTA private keys in their bech32 form */
const secretPatterns: Array<[RegExp, string]> = [
  [/([a-z][a-z0-9+.-]*:\/\/)[^\s/@"]+@/gi, `$1${REDACTED}@`],
  [/\b(iotaprivkey|suiprivkey)1[0-9a-z]{20,}/g, REDACTED]
]

export interface NodeLogger {
  readonly logger: Logger
  /** a secret's value (a seed in hex, the token): never written, wherever it turns up in a line */
  secret(value: string | undefined): void
}

/**
 * The node's structured log through pino: one JSON object per line on stdout, `level` as a word and
 * `time` as an ISO date (as the hand-made log before it wrote them, so what reads the log keeps
 * working), no pid or hostname. Secrets are taken out twice: by field name (redactedPaths), and by
 * value on the way out (a seed or token copied into a message, a URL's credentials), so a line that
 * quotes an error or a config still tells nothing.
 */
export function nodeLogger(o: { level: LogLevel; destination?: DestinationStream }): NodeLogger {
  const secrets = new Set<string>()
  const scrub = (line: string): string => {
    let out = line
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED)
    for (const [re, to] of secretPatterns) out = out.replace(re, to)
    return out
  }
  const logger = pino(
    {
      level: o.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: label => ({ level: label }) },
      redact: { paths: redactedPaths, censor: REDACTED },
      hooks: { streamWrite: scrub }
    },
    o.destination ?? pino.destination({ dest: 1, sync: true })
  )
  return {
    logger,
    secret(value) {
      // a short value would take out innocent text; every secret here is long
      if (value != null && value.length >= 8) secrets.add(value)
    }
  }
}
