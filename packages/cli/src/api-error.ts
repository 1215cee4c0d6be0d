import { KvartalError } from '@kvartal/protocol'

/** HTTP statuses by the error classes the node's mobility code throws: the caller's mistake, or a conflict with the node's state. */
const statusByName: Record<string, number> = {
  ConfigError: 400,
  JourneyQueryError: 400,
  BookingError: 409,
  ReaderError: 409,
  ChannelError: 409,
  OversizedChannelDataError: 409,
  ChannelStoreError: 409,
  // a peer served bad records or could not be reached: a gateway's failure
  ChannelSyncError: 502,
  // the ledger refused or could not be reached (a payment, a refund)
  SettlementError: 502,
  TransientLedgerError: 503
}

/**
 * A control API failure with its HTTP status, a stable code and, for a bad request, the body field that
 * is wrong. Serialised as `{ error: { code, message, field? } }`.
 */
export class ApiError extends KvartalError {
  readonly status: number
  readonly field?: string
  constructor(status: number, code: string, message: string, field?: string) {
    super(code, message)
    this.status = status
    if (field != null) this.field = field
    this.name = 'ApiError'
  }

  /** A request field that is missing or wrong: 400, message `<field>: <what is wrong>`. */
  static field(field: string, message: string): ApiError {
    return new ApiError(400, 'bad-request', `${field}: ${message}`, field)
  }

  /** Maps what a handler threw to a status: typed errors by class, anything else is ours (500). */
  static from(err: Error): ApiError {
    if (err instanceof ApiError) return err
    if (err instanceof KvartalError) {
      // the shared input checks throw ConfigError naming the body field
      if (err.name === 'ConfigError') return new ApiError(400, 'bad-request', err.message, (err as { field?: string }).field)
      const bad = err.name === 'ChannelStoreError' && err.code === 'bad-id'
      const unknown = err.name === 'BookingError' && err.code === 'unknown-package'
      const status = bad ? 400 : unknown ? 404 : (statusByName[err.name] ?? 500)
      return new ApiError(status, err.code, err.message, (err as { field?: string }).field)
    }
    return new ApiError(500, 'internal', `${err.name}: ${err.message}`)
  }
}
