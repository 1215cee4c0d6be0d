/**
 * How the iota adapter sorts what a full node says: transient (try again) or permanent, every code a failure
 * message maps to with the message that says what to do, and the text of anything thrown. No node involved:
 * the SDK's error classes are built here as its transport builds them.
 */
import { describe, expect, it } from 'vitest'
import { IotaHTTPStatusError, JsonRpcError } from '@iota/iota-sdk/client'
import { SettlementError, TransientLedgerError } from '../src/port.ts'
import { IotaErrorCode, describeFailure, fundHint, isNotFound, isTransient, messageOf, settlementErrorFor } from '../src/iota/errors.ts'
import { CallTimeoutError } from '../src/iota/retry.ts'

const withCode = (message: string, code: unknown): Error => Object.assign(new Error(message), { code })
const nested = (depth: number, code: string): unknown => {
  let e: unknown = withCode('innermost', code)
  for (let i = 0; i < depth; i++) e = new Error(`level ${depth - i - 1}`, { cause: e })
  return e
}

describe('isTransient', () => {
  it('our own errors: a TransientLedgerError is, a SettlementError never is (whatever its code)', () => {
    expect(isTransient(new TransientLedgerError('busy'))).toBe(true)
    expect(isTransient(new SettlementError('ECONNRESET', 'timed out'))).toBe(false)
  })

  it('HTTP 408, 429 and 5xx are; other statuses are not', () => {
    const http = (status: number): IotaHTTPStatusError => new IotaHTTPStatusError(`Unexpected status code: ${status}`, status, 'x')
    for (const status of [408, 429, 500, 502, 503, 599]) expect(isTransient(http(status)), String(status)).toBe(true)
    for (const status of [400, 401, 404, 407, 409, 428, 430, 499]) expect(isTransient(http(status)), String(status)).toBe(false)
  })

  it('JSON-RPC: internal error, server busy and transient error by code, or an overload by message', () => {
    for (const code of [-32603, -32604, -32050]) expect(isTransient(new JsonRpcError('whatever', code)), String(code)).toBe(true)
    for (const code of [-32602, -32002, -32000, -32601])
      expect(isTransient(new JsonRpcError('Invalid params', code)), String(code)).toBe(false)
    for (const message of [
      'request timed out',
      'timeout',
      'Too Many Requests',
      'SystemOverload',
      'try again later',
      'service unavailable',
      'failed to reach quorum',
      'TooManyTransactionsPendingExecution',
      'ValidatorHaltedAtEpochEnd',
      'temporarily unavailable',
      'server overloaded'
    ]) {
      expect(isTransient(new JsonRpcError(message, -32002)), message).toBe(true)
    }
  })

  it("our deadline and the platform's timeouts are", () => {
    expect(isTransient(new CallTimeoutError('get balance', 5))).toBe(true)
    expect(isTransient(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }))).toBe(true)
    expect(isTransient(Object.assign(new Error('x'), { name: 'AbortError' }))).toBe(false)
  })

  it('network error codes are, also on a cause up to three levels down; a fourth level is not looked at', () => {
    for (const code of [
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
    ]) {
      expect(isTransient(withCode('x', code)), code).toBe(true)
    }
    expect(isTransient(withCode('x', 'EACCES'))).toBe(false)
    expect(isTransient(nested(3, 'ECONNRESET'))).toBe(true)
    expect(isTransient(nested(4, 'ECONNRESET'))).toBe(false)
    // the first string code found decides: a numeric code is skipped, a string one that is not transient stops the search
    expect(isTransient(new Error('outer', { cause: withCode('inner', 'ECONNRESET') }))).toBe(true)
    expect(isTransient(Object.assign(new Error('outer', { cause: withCode('inner', 'ECONNRESET') }), { code: 42 }))).toBe(true)
    expect(isTransient(Object.assign(new Error('outer', { cause: withCode('inner', 'ECONNRESET') }), { code: 'EACCES' }))).toBe(false)
    // a plain object with a code is looked at too; a string is not an error object
    expect(isTransient({ code: 'ECONNRESET' })).toBe(true)
    expect(isTransient('ECONNRESET')).toBe(false)
    expect(isTransient(null)).toBe(false)
    expect(isTransient(undefined)).toBe(false)
  })

  it("undici's fetch failures (TypeError) and a cut-off JSON body (SyntaxError) are; other such errors are not", () => {
    for (const message of ['fetch failed', 'network error', 'other side closed the socket', 'terminated', 'Fetch Failed'])
      expect(isTransient(new TypeError(message)), message).toBe(true)
    expect(isTransient(new TypeError('Cannot read properties of undefined'))).toBe(false)
    expect(isTransient(new SyntaxError('Unexpected end of JSON input'))).toBe(true)
    expect(isTransient(new SyntaxError('Invalid regular expression'))).toBe(false)
    expect(isTransient(new Error('fetch failed'))).toBe(false)
    expect(isTransient(new Error('Unexpected end of JSON input'))).toBe(false)
  })
})

describe('isNotFound', () => {
  it('a JSON-RPC error that says the node does not know the transaction', () => {
    for (const message of [
      'Could not find the referenced transaction [TransactionDigest(x)].',
      'Transaction not found',
      'object does not exist',
      'unknown transaction x'
    ]) {
      expect(isNotFound(new JsonRpcError(message, -32602)), message).toBe(true)
    }
    expect(isNotFound(new JsonRpcError('Invalid params', -32602))).toBe(false)
    expect(isNotFound(new Error('Could not find the referenced transaction'))).toBe(false)
  })
})

describe('describeFailure', () => {
  const testnet = { address: '0xA', network: 'testnet', gasBudget: 50, digest: 'D' }
  const faucet =
    'fund the address from the faucet: requestFaucet() on this adapter, or POST ' +
    '{"FixedAmountRequest":{"recipient":"0xA"}} to the testnet faucet\'s /gas'

  it('fundHint: the faucet on a test network, a transfer elsewhere', () => {
    expect(fundHint({ address: '0xA', network: 'testnet' })).toBe(faucet)
    for (const network of ['devnet', 'localnet']) expect(fundHint({ address: '0xA', network })).toBe(faucet.replace('testnet', network))
    expect(fundHint({ address: '0xA', network: 'mainnet' })).toBe('send IOTA to 0xA on mainnet')
    expect(fundHint({ address: '0xA', network: 'http://node:9000' })).toBe('send IOTA to 0xA on http://node:9000')
  })

  it('maps each kind of failure to its code and a message that says what to do', () => {
    const cases: Array<[string, string, string]> = [
      [
        'InsufficientCoinBalance in command 0',
        IotaErrorCode.insufficientCoinBalance,
        `transaction D failed: 0xA does not hold enough IOTA for the transfers ` +
          `(InsufficientCoinBalance in command 0); ${faucet}, then call again with the same key`
      ],
      [
        'GasBalanceTooLow',
        IotaErrorCode.insufficientGasBalance,
        `transaction D was refused: the gas coins of 0xA do not cover the gas budget ` +
          `of 50 nanos (GasBalanceTooLow); ${faucet}, then call again with the same key`
      ],
      [
        'InsufficientGas',
        IotaErrorCode.gasBudgetTooLow,
        `transaction D ran out of gas with a budget of 50 nanos (InsufficientGas); ` +
          `raise the gasBudget option, then call again with the same key`
      ],
      [
        'GasPriceUnderRGP',
        IotaErrorCode.gasPriceTooLow,
        "transaction D was refused: its gas price is below the network's reference " +
          'gas price (GasPriceUnderRGP); remove the gasPrice option or raise it'
      ],
      [
        'ObjectVersionUnavailable',
        IotaErrorCode.staleGas,
        'transaction D can never execute: its gas coins were spent by another transaction ' +
          '(ObjectVersionUnavailable); call again with the same key to build a new one'
      ],
      [
        'MoveAbort(x, 3)',
        IotaErrorCode.moveAbort,
        'transaction D failed in a Move call (MoveAbort(x, 3)); check the notarizationPackageId option for testnet'
      ],
      [
        'Invalid user signature',
        IotaErrorCode.badSignature,
        'transaction D was refused for its signature (Invalid user signature); the seed ' +
          "must be the node's Ed25519 key and the store must not be shared between nodes"
      ],
      ['something else', IotaErrorCode.rejected, 'transaction D was refused by the ledger: something else']
    ]
    for (const [message, code, text] of cases) expect(describeFailure(message, testnet), message).toEqual({ code, message: text })
    const { digest: _, ...unsigned } = testnet
    expect(describeFailure('something else', unsigned)).toEqual({
      code: IotaErrorCode.rejected,
      message: 'the transaction was refused by the ledger: something else'
    })
  })

  it('knows each wording a node uses for a kind of failure', () => {
    const code = (message: string): string => describeFailure(message, testnet).code
    for (const m of ['insufficientcoinbalance']) expect(code(m), m).toBe(IotaErrorCode.insufficientCoinBalance)
    for (const m of [
      'GasBalanceTooLow',
      'Balance of gas object 0x1 is lower than the needed amount: 5',
      'lower than the needed amount',
      'InsufficientGasBalance',
      'insufficient gas balance',
      'No valid gas coins found for the transaction'
    ])
      expect(code(m), m).toBe(IotaErrorCode.insufficientGasBalance)
    for (const m of [
      'InsufficientGas',
      'InsufficientGas in command 2',
      'out of gas',
      'gas budget exceeded',
      'Gas budget: 5 is insufficient'
    ])
      expect(code(m), m).toBe(IotaErrorCode.gasBudgetTooLow)
    for (const m of [
      'GasPriceUnderRGP',
      'gas price 10 is less than the reference gas price',
      'Gas price 10 under reference gas price (RGP) 1000',
      'gas price lower than',
      'gas price below minimum'
    ])
      expect(code(m), m).toBe(IotaErrorCode.gasPriceTooLow)
    for (const m of [
      'Object 0x1 unavailable for consumption',
      'Transaction needs to be rebuilt',
      'Could not find the referenced object 0x1',
      'ObjectVersionUnavailableForConsumption',
      'ObjectNotFound',
      'object 0x1 was deleted',
      'object 0x1 not found',
      'Object is locked by another transaction',
      'ObjectLockConflict',
      'equivocation detected'
    ])
      expect(code(m), m).toBe(IotaErrorCode.staleGas)
    for (const m of [
      'MoveAbort',
      'FunctionNotFound',
      'ModuleNotFound',
      'PackageNotFound',
      'TypeArgumentError',
      'CommandArgumentError',
      'linker error',
      'VMVerificationOrDeserializationError'
    ])
      expect(code(m), m).toBe(IotaErrorCode.moveAbort)
    for (const m of ['Signature is not valid', 'invalid signature']) expect(code(m), m).toBe(IotaErrorCode.badSignature)
    // near misses fall through to the next kind, or to rejected
    expect(code('InsufficientGasXY')).toBe(IotaErrorCode.rejected)
    expect(code('gas price')).toBe(IotaErrorCode.rejected)
    expect(code('gas budget')).toBe(IotaErrorCode.rejected)
    expect(code('object 0x1 is fine')).toBe(IotaErrorCode.rejected)
  })

  it('settlementErrorFor: a SettlementError with that code and message, and the cause when one is given', () => {
    const cause = new Error('underneath')
    const e = settlementErrorFor('MoveAbort', testnet, cause)
    expect(e).toBeInstanceOf(SettlementError)
    expect(e).toMatchObject({
      name: 'SettlementError',
      code: IotaErrorCode.moveAbort,
      message: describeFailure('MoveAbort', testnet).message
    })
    expect(e.cause).toBe(cause)
    const plain = settlementErrorFor('MoveAbort', testnet)
    expect(plain.cause).toBeUndefined()
    expect('cause' in plain).toBe(false)
  })
})

describe('messageOf', () => {
  it("an error's message, its cause's, and its code when the message does not name it", () => {
    expect(messageOf(new Error('boom'))).toBe('boom')
    expect(messageOf(new Error('boom', { cause: new Error('underneath') }))).toBe('boom: underneath')
    expect(messageOf(new Error('boom', { cause: 'not an error' }))).toBe('boom')
    expect(messageOf(withCode('connect failed', 'ECONNREFUSED'))).toBe('connect failed (ECONNREFUSED)')
    expect(messageOf(withCode('connect ECONNREFUSED 127.0.0.1', 'ECONNREFUSED'))).toBe('connect ECONNREFUSED 127.0.0.1')
    expect(messageOf(new TypeError('fetch failed', { cause: withCode('other side closed', 'UND_ERR_SOCKET') }))).toBe(
      'fetch failed: other side closed (UND_ERR_SOCKET)'
    )
    expect(messageOf('a string')).toBe('a string')
    expect(messageOf(42)).toBe('42')
    expect(messageOf(undefined)).toBe('undefined')
  })
})
