import { KvartalError } from '@kvartal/protocol'

/** Base class of every channel failure; match on `name` or `code`, not on the message. */
export class ChannelError extends KvartalError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, options)
    this.name = 'ChannelError'
  }
}

/** A payload, record or reader list is larger than the channel's fixed bounds. */
export class OversizedChannelDataError extends ChannelError {
  readonly size: number
  readonly max: number
  constructor(what: string, size: number, max: number) {
    super('channel-oversized', `${what} of ${size} exceeds the limit of ${max}; split it over several records`)
    this.size = size
    this.max = max
    this.name = 'OversizedChannelDataError'
  }
}

/** Bytes that are not a channel record in the documented layout. */
export class MalformedRecordError extends ChannelError {
  constructor(message: string, options?: ErrorOptions) {
    super('channel-malformed', message, options)
    this.name = 'MalformedRecordError'
  }
}

/** `openChannel` was given records that do not verify, or a seed that is not the owner's. */
export class ChannelChainError extends ChannelError {
  readonly problem: string
  readonly index: number | undefined
  constructor(problem: string, message: string, index?: number) {
    super('channel-chain', message)
    this.problem = problem
    this.index = index
    this.name = 'ChannelChainError'
  }
}

/** grant/revoke misuse: the reader is unknown, already granted, or is the owner itself. */
export class ReaderError extends ChannelError {
  constructor(message: string) {
    super('channel-reader', message)
    this.name = 'ReaderError'
  }
}
