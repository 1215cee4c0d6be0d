/**
 * Every failure Kvartal reports has its own class with a stable `name` and `code`, so tests and callers
 * match on them rather than on message text. Messages meant for people say what to do.
 */
export class KvartalError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.name = 'KvartalError'
  }
}

/**
 * The code to record or report for a caught failure: its own `code` when that is a string (every
 * KvartalError's, Node's system errors' such as ECONNREFUSED, libp2p's); `timeout` and `aborted` for the
 * platform's DOMExceptions (an `AbortSignal.timeout` fires a TimeoutError whose legacy `code` is the
 * number 23, which is no code anyone can read in a journal); otherwise `fallback`.
 */
export function errorCode(err: unknown, fallback: string): string {
  const e = err as { code?: unknown; name?: unknown } | null | undefined
  if (typeof e?.code === 'string' && e.code !== '') return e.code
  if (e?.name === 'TimeoutError') return 'timeout'
  if (e?.name === 'AbortError') return 'aborted'
  return fallback
}

/** What a gossip validator should do with a message that failed: drop quietly, or penalise the sender. */
export const GossipAction = { ignore: 'ignore', reject: 'reject' } as const
export type GossipAction = (typeof GossipAction)[keyof typeof GossipAction]

/** A wire message that cannot be accepted. `action` tells the gossip layer how to treat the sender. */
export class ProtocolError extends KvartalError {
  readonly action: GossipAction
  constructor(code: string, message: string, action: GossipAction = 'reject', options?: ErrorOptions) {
    super(code, message, options)
    this.action = action
    this.name = 'ProtocolError'
  }
}

export class MalformedMessageError extends ProtocolError {
  constructor(message: string, options?: ErrorOptions) {
    super('malformed', message, 'reject', options)
    this.name = 'MalformedMessageError'
  }
}
export class OversizedMessageError extends ProtocolError {
  constructor(size: number, max: number) {
    super('oversized', `message of ${size} bytes exceeds the limit of ${max} bytes`, 'reject')
    this.name = 'OversizedMessageError'
  }
}
export class UnsignedMessageError extends ProtocolError {
  constructor(message = 'message carries no signature') {
    super('unsigned', message, 'reject')
    this.name = 'UnsignedMessageError'
  }
}
export class BadSignatureError extends ProtocolError {
  constructor(message = 'signature does not verify against the signer key') {
    super('bad-signature', message, 'reject')
    this.name = 'BadSignatureError'
  }
}
export class ExpiredMessageError extends ProtocolError {
  constructor(message: string) {
    super('expired', message, 'ignore')
    this.name = 'ExpiredMessageError'
  }
}
export class ReplayedMessageError extends ProtocolError {
  constructor(message: string) {
    super('replayed', message, 'ignore')
    this.name = 'ReplayedMessageError'
  }
}
export class WrongDistrictError extends ProtocolError {
  constructor(got: string, want: string) {
    super('wrong-district', `message for district "${got}" on the topic of "${want}"`, 'reject')
    this.name = 'WrongDistrictError'
  }
}
export class WrongFeederError extends ProtocolError {
  constructor(got: string, want: string) {
    super('wrong-feeder', `message of feeder "${got}" on the topic of "${want}"`, 'reject')
    this.name = 'WrongFeederError'
  }
}
export class UnsupportedVersionError extends ProtocolError {
  constructor(got: number) {
    super('unsupported-version', `wire version ${got} is not supported (this node speaks 1)`, 'reject')
    this.name = 'UnsupportedVersionError'
  }
}

/** Where in a file a configuration error is: 1-based line and column (absent: the file as a whole). */
export interface ConfigSource {
  readonly file: string
  readonly line?: number
  readonly column?: number
}

/**
 * A configuration or scenario field is wrong. `field` is the dotted path of the bad field
 * (`meter.modbus.port`, `buildings.list[1].id`), `detail` what is wrong with it; with a `source`, the
 * message starts with where it is, as compilers write it: `node.yaml:12:5: meter.modbus.port: expected …`.
 */
export class ConfigError extends KvartalError {
  readonly field: string
  readonly detail: string
  readonly source?: ConfigSource
  constructor(field: string, message: string, source?: ConfigSource) {
    super(
      'config',
      `${source != null ? `${[source.file, source.line, source.column].filter(x => x != null).join(':')}: ` : ''}${field}: ${message}`
    )
    this.field = field
    this.detail = message
    if (source != null) this.source = source
    this.name = 'ConfigError'
  }
}

/** A negotiation ended without a trade for a reason the peer gave or the transport caused. */
export class NegotiationError extends KvartalError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, options)
    this.name = 'NegotiationError'
  }
}

/** The journal could not be written: nothing was promised to a peer. */
export class JournalError extends KvartalError {
  constructor(message: string, options?: ErrorOptions, code = 'journal') {
    super(code, message, options)
    this.name = 'JournalError'
  }
}

/**
 * The journal's disk is full (ENOSPC, EDQUOT): the node refuses new work — holds, proposals,
 * announcements — until the journal's reserve of free space is back. Nothing it had committed is
 * lost, and nothing was promised to a peer by the write that failed.
 */
export class DiskFullError extends JournalError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options, 'disk-full')
    this.name = 'DiskFullError'
  }
}

/**
 * A journal write failed for another reason than a full disk: an I/O error (EIO: a dying SD card, a
 * cable), a database closed under the node, LevelDB's sticky error after a failed background write.
 * The node refuses new work until a reopened journal takes a test write again. Nothing it had
 * committed is lost, and nothing was promised to a peer by the write that failed.
 */
export class JournalWriteError extends JournalError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options, 'journal-write-failed')
    this.name = 'JournalWriteError'
  }
}
