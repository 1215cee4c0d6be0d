import { IotaHTTPStatusError, JsonRpcError } from '@iota/iota-sdk/client'
import { SettlementError, TransientLedgerError } from '../port.ts'

/**
 * Sorting what a full node says into "try again later" and "will never work as is". Transient: the network
 * (fetch failed, connection reset, DNS), our own per-call deadline, HTTP 408/429/5xx, and the JSON-RPC
 * codes IOTA uses for overload and transient failures. Everything else is permanent, and a permanent
 * failure of a transaction gets a stable code and a message that says what to do.
 */

const TRANSIENT_NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED'
])
// JSON-RPC codes of the IOTA full node (see @iota/iota-sdk client/errors.ts): InternalError, ServerBusy,
// TransientError. An internal error is taken as passing: for an execute, trying the same bytes again is
// the safe side of not knowing.
const TRANSIENT_RPC_CODES = new Set([-32603, -32604, -32050])
/** A case-insensitive pattern matching any of `alternatives` (each a regular expression). */
const anyOf = (...alternatives: string[]): RegExp => new RegExp(alternatives.join('|'), 'i')
const TRANSIENT_MESSAGE = anyOf(
  'timed? ?out',
  'timeout',
  'too many requests',
  'overload',
  'try again later',
  'temporarily unavailable',
  'service unavailable',
  'quorum',
  'SystemOverload',
  'TooManyTransactionsPendingExecution',
  'ValidatorHaltedAtEpochEnd'
)
const GAS_BALANCE_LOW = anyOf(
  'GasBalanceTooLow',
  'balance of gas object',
  'lower than the needed amount',
  'InsufficientGasBalance',
  'insufficient gas balance',
  'no valid gas coins'
)
const STALE_GAS = anyOf(
  'unavailable for consumption',
  'needs to be rebuilt',
  'could not find the referenced object',
  'ObjectVersionUnavailable',
  'ObjectNotFound',
  'object .* (deleted|not found)',
  'locked by another transaction',
  'ObjectLockConflict',
  'equivocat'
)
const MOVE_FAILURE = anyOf(
  'MoveAbort',
  'FunctionNotFound',
  'ModuleNotFound',
  'PackageNotFound',
  'TypeArgumentError',
  'CommandArgumentError',
  'linker',
  'VMVerificationOrDeserializationError'
)

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e
  for (let i = 0; i < 4 && cur != null && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code
    if (typeof code === 'string') return code
    cur = (cur as { cause?: unknown }).cause
  }
  return undefined
}

/** True when trying the same call again later may succeed. */
export function isTransient(e: unknown): boolean {
  if (e instanceof TransientLedgerError) return true
  if (e instanceof SettlementError) return false
  if (e instanceof IotaHTTPStatusError) return e.status === 408 || e.status === 429 || e.status >= 500
  if (e instanceof JsonRpcError) return TRANSIENT_RPC_CODES.has(e.code) || TRANSIENT_MESSAGE.test(e.message)
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'CallTimeoutError')) return true
  const code = errorCode(e)
  if (code != null && TRANSIENT_NET_CODES.has(code)) return true
  // undici's fetch says 'fetch failed' (TypeError) for every network failure; a cut-off body is a SyntaxError
  if (e instanceof TypeError && /fetch failed|network|socket|terminated/i.test(e.message)) return true
  if (e instanceof SyntaxError && /JSON/.test(e.message)) return true
  return false
}

/** A full node answered that it does not know this transaction (yet). */
export function isNotFound(e: unknown): boolean {
  return e instanceof JsonRpcError && /could not find|not found|does not exist|unknown transaction/i.test(e.message)
}

export const IotaErrorCode = {
  insufficientFunds: 'insufficient-funds',
  insufficientCoinBalance: 'insufficient-coin-balance',
  insufficientGasBalance: 'insufficient-gas-balance',
  gasBudgetTooLow: 'gas-budget-too-low',
  gasPriceTooLow: 'gas-price-too-low',
  staleGas: 'stale-gas',
  moveAbort: 'move-abort',
  badSignature: 'bad-signature',
  rejected: 'rejected',
  executionFailed: 'execution-failed',
  wrongPayer: 'wrong-payer',
  keyReused: 'key-reused',
  keyConflict: 'key-conflict',
  /** a payment asked to carry a root whose attestation key names another transaction (ATTESTATION_EXISTS in port.ts) */
  attestationExists: 'attestation-exists',
  invalidRequest: 'invalid-request',
  noNotarizationPackage: 'no-notarization-package',
  outcomeUnknown: 'outcome-unknown',
  settledByHand: 'settled-by-hand',
  unexpected: 'unexpected'
} as const
export type IotaErrorCode = (typeof IotaErrorCode)[keyof typeof IotaErrorCode]

export interface FailureContext {
  readonly address: string
  readonly network: string
  readonly gasBudget: number
  /** the transaction's digest, when it was signed */
  readonly digest?: string
}

export function fundHint(ctx: Pick<FailureContext, 'address' | 'network'>): string {
  return ctx.network === 'testnet' || ctx.network === 'devnet' || ctx.network === 'localnet'
    ? `fund the address from the faucet: requestFaucet() on this adapter, or POST ` +
        `{"FixedAmountRequest":{"recipient":"${ctx.address}"}} to the ${ctx.network} faucet's /gas`
    : `send IOTA to ${ctx.address} on ${ctx.network}`
}

/**
 * Maps a failure message of the ledger (a rejected transaction's JSON-RPC error, or the error string of an
 * executed transaction's failed status) to a code and a message that says what to do.
 */
export function describeFailure(message: string, ctx: FailureContext): { code: IotaErrorCode; message: string } {
  const tx = ctx.digest != null ? `transaction ${ctx.digest}` : 'the transaction'
  if (/InsufficientCoinBalance/i.test(message))
    return {
      code: IotaErrorCode.insufficientCoinBalance,
      message:
        `${tx} failed: ${ctx.address} does not hold enough IOTA for the transfers ` +
        `(${message}); ${fundHint(ctx)}, then call again with the same key`
    }
  if (GAS_BALANCE_LOW.test(message))
    return {
      code: IotaErrorCode.insufficientGasBalance,
      message:
        `${tx} was refused: the gas coins of ${ctx.address} do not cover the gas budget of ` +
        `${ctx.gasBudget} nanos (${message}); ${fundHint(ctx)}, then call again with the same key`
    }
  if (/InsufficientGas\b|out of gas|gas budget.*(exceed|insufficient)/i.test(message))
    return {
      code: IotaErrorCode.gasBudgetTooLow,
      message:
        `${tx} ran out of gas with a budget of ${ctx.gasBudget} nanos ` +
        `(${message}); raise the gasBudget option, then call again with the same key`
    }
  if (/GasPriceUnderRGP|gas price.*(less|lower|under|below)/i.test(message))
    return {
      code: IotaErrorCode.gasPriceTooLow,
      message:
        `${tx} was refused: its gas price is below the network's reference ` +
        `gas price (${message}); remove the gasPrice option or raise it`
    }
  if (STALE_GAS.test(message))
    return {
      code: IotaErrorCode.staleGas,
      message:
        `${tx} can never execute: its gas coins were spent by another ` +
        `transaction (${message}); call again with the same key to build a new one`
    }
  if (MOVE_FAILURE.test(message))
    return {
      code: IotaErrorCode.moveAbort,
      message: `${tx} failed in a Move call (${message}); check the notarizationPackageId option for ${ctx.network}`
    }
  if (/signature/i.test(message))
    return {
      code: IotaErrorCode.badSignature,
      message:
        `${tx} was refused for its signature (${message}); the seed must be ` +
        `the node's Ed25519 key and the store must not be shared between nodes`
    }
  return { code: IotaErrorCode.rejected, message: `${tx} was refused by the ledger: ${message}` }
}

export function settlementErrorFor(message: string, ctx: FailureContext, cause?: unknown): SettlementError {
  const d = describeFailure(message, ctx)
  return new SettlementError(d.code, d.message, cause != null ? { cause } : undefined)
}

/** The message of anything thrown, for error texts. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) {
    const code = errorCode(e)
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : ''
    return `${e.message}${cause}${code != null && !e.message.includes(code) ? ` (${code})` : ''}`
  }
  return String(e)
}
