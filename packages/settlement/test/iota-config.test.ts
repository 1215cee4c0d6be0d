/**
 * The iota adapter's options at their edges: the defaults, each field's largest accepted and first refused
 * value, and every refusal as an IotaConfigError that names the field and says what is wrong.
 */
import { describe, expect, it } from 'vitest'
import { IotaClient } from '@iota/iota-sdk/client'
import {
  IotaConfigError,
  defaultIotaSettlementOptions,
  resolveIotaSettlementOptions,
  type IotaSettlementOptions,
  type SettlementStore
} from '../src/iota/index.ts'
import { thrown } from './helpers/parties.ts'

const store: SettlementStore = { get: async () => undefined, put: async () => {} }
const seed = new Uint8Array(32).fill(5)
const base = (): IotaSettlementOptions => ({ network: 'testnet', seed, store })

/** The IotaConfigError resolving `o` throws (fails when it does not throw one). */
function refusal(o: unknown): IotaConfigError {
  const e = thrown(() => resolveIotaSettlementOptions(o as IotaSettlementOptions))
  expect(e).toBeInstanceOf(IotaConfigError)
  return e as IotaConfigError
}
const refused = (field: string, says: string) => ({ name: 'IotaConfigError', field, message: `iota settlement option '${field}': ${says}` })

describe('resolveIotaSettlementOptions', () => {
  it('fills in the documented defaults', () => {
    const r = resolveIotaSettlementOptions(base())
    expect(r).toEqual({
      network: 'testnet',
      url: undefined,
      seed,
      store,
      gasBudget: 50_000_000,
      gasPrice: undefined,
      retry: { attempts: 5, baseDelayMs: 500, maxDelayMs: 10_000 },
      confirmTimeoutMs: 60_000,
      pollIntervalMs: 1_000,
      requestTimeoutMs: 30_000,
      notarizationPackageId: undefined,
      faucetUrl: undefined,
      client: undefined,
      now: Date.now
    })
    expect(defaultIotaSettlementOptions).toEqual({
      gasBudget: 50_000_000,
      retry: { attempts: 5, baseDelayMs: 500, maxDelayMs: 10_000 },
      confirmTimeoutMs: 60_000,
      pollIntervalMs: 1_000,
      requestTimeoutMs: 30_000
    })
  })

  it('keeps what is given', () => {
    const client = new IotaClient({ url: 'http://127.0.0.1:1' })
    const now = (): number => 5
    const r = resolveIotaSettlementOptions({
      network: 'https://node.example:9000/rpc',
      seed,
      store,
      gasBudget: 1,
      gasPrice: 1,
      retry: { attempts: 100, baseDelayMs: 0, maxDelayMs: 0 },
      confirmTimeoutMs: 1,
      pollIntervalMs: 2,
      requestTimeoutMs: 3,
      notarizationPackageId: '0xAbC',
      faucetUrl: 'http://faucet:9123',
      client,
      now
    })
    expect(r).toEqual({
      network: 'custom',
      url: 'https://node.example:9000/rpc',
      seed,
      store,
      gasBudget: 1,
      gasPrice: 1,
      retry: { attempts: 100, baseDelayMs: 0, maxDelayMs: 0 },
      confirmTimeoutMs: 1,
      pollIntervalMs: 2,
      requestTimeoutMs: 3,
      notarizationPackageId: '0xAbC',
      faucetUrl: 'http://faucet:9123',
      client,
      now
    })
    expect(r.client).toBe(client)
    expect(r.now).toBe(now)
    // a retry option given in part keeps the defaults of the others
    expect(resolveIotaSettlementOptions({ ...base(), retry: { attempts: 2 } }).retry).toEqual({
      attempts: 2,
      baseDelayMs: 500,
      maxDelayMs: 10_000
    })
    expect(resolveIotaSettlementOptions({ ...base(), retry: { baseDelayMs: 7 } }).retry).toEqual({
      attempts: 5,
      baseDelayMs: 7,
      maxDelayMs: 10_000
    })
    expect(resolveIotaSettlementOptions({ ...base(), retry: { maxDelayMs: 8 } }).retry).toEqual({
      attempts: 5,
      baseDelayMs: 500,
      maxDelayMs: 8
    })
  })

  it('every named network, and an http or https URL as a custom one', () => {
    for (const network of ['mainnet', 'testnet', 'devnet', 'localnet'])
      expect(resolveIotaSettlementOptions({ ...base(), network })).toMatchObject({ network, url: undefined })
    expect(resolveIotaSettlementOptions({ ...base(), network: 'http://127.0.0.1:9000' })).toMatchObject({
      network: 'custom',
      url: 'http://127.0.0.1:9000'
    })
  })

  it('refuses options that are not an object', () => {
    for (const o of [null, undefined, 'testnet', 5]) expect(refusal(o)).toMatchObject(refused('options', 'must be an object'))
  })

  it('refuses a network that is missing, empty, unknown or not http(s)', () => {
    for (const network of [undefined, '', 5])
      expect(refusal({ ...base(), network })).toMatchObject(
        refused('network', 'must be one of mainnet, testnet, devnet, localnet or a full node URL')
      )
    expect(refusal({ ...base(), network: 'moon' })).toMatchObject(
      refused('network', "must be one of mainnet, testnet, devnet, localnet or an http(s) URL, got 'moon'")
    )
    expect(refusal({ ...base(), network: 'Testnet' })).toMatchObject({ field: 'network' })
    expect(refusal({ ...base(), network: 'ftp://x' })).toMatchObject(refused('network', "must be an http(s) URL, got 'ftp://x'"))
    expect(refusal({ ...base(), network: 'ws://x' })).toMatchObject(refused('network', "must be an http(s) URL, got 'ws://x'"))
  })

  it('refuses a seed that is not 32 bytes', () => {
    for (const s of [undefined, [...seed], Buffer.from(seed).toString('hex')])
      expect(refusal({ ...base(), seed: s })).toMatchObject(refused('seed', "must be a Uint8Array (the node's 32-byte Ed25519 seed)"))
    expect(refusal({ ...base(), seed: new Uint8Array(31) })).toMatchObject(refused('seed', 'must be 32 bytes (an Ed25519 seed), got 31'))
    expect(refusal({ ...base(), seed: new Uint8Array(33) })).toMatchObject(refused('seed', 'must be 32 bytes (an Ed25519 seed), got 33'))
  })

  it('refuses a store without get and put', () => {
    for (const s of [undefined, null, {}, { get: store.get }, { put: store.put }, { get: 1, put: store.put }]) {
      expect(refusal({ ...base(), store: s })).toMatchObject(refused('store', 'must have get(key) and put(key, value)'))
    }
  })

  it('gasBudget: a positive integer up to 50 IOTA', () => {
    expect(resolveIotaSettlementOptions({ ...base(), gasBudget: 50_000_000_000 }).gasBudget).toBe(50_000_000_000)
    expect(refusal({ ...base(), gasBudget: 50_000_000_001 })).toMatchObject(
      refused('gasBudget', 'must be at most 50000000000, got 50000000001')
    )
    expect(resolveIotaSettlementOptions({ ...base(), gasBudget: 1 }).gasBudget).toBe(1)
    for (const gasBudget of [0, -1, 1.5, '5', NaN])
      expect(refusal({ ...base(), gasBudget })).toMatchObject(refused('gasBudget', `must be a positive integer, got ${String(gasBudget)}`))
  })

  it('gasPrice: absent, or a positive integer', () => {
    expect(resolveIotaSettlementOptions({ ...base(), gasPrice: Number.MAX_SAFE_INTEGER }).gasPrice).toBe(Number.MAX_SAFE_INTEGER)
    expect(refusal({ ...base(), gasPrice: 0 })).toMatchObject(refused('gasPrice', 'must be a positive integer, got 0'))
    expect(refusal({ ...base(), gasPrice: Number.MAX_SAFE_INTEGER + 1 })).toMatchObject({ field: 'gasPrice' })
  })

  it('retry: 1 to 100 attempts, delays of 0 or more', () => {
    expect(resolveIotaSettlementOptions({ ...base(), retry: { attempts: 1 } }).retry.attempts).toBe(1)
    expect(refusal({ ...base(), retry: { attempts: 101 } })).toMatchObject(refused('retry.attempts', 'must be at most 100, got 101'))
    expect(refusal({ ...base(), retry: { attempts: 0 } })).toMatchObject(refused('retry.attempts', 'must be a positive integer, got 0'))
    for (const field of ['baseDelayMs', 'maxDelayMs']) {
      for (const v of [-1, 0.5, '1'])
        expect(refusal({ ...base(), retry: { [field]: v } })).toMatchObject(
          refused(`retry.${field}`, `must be a non-negative integer, got ${String(v)}`)
        )
    }
  })

  it('confirmTimeoutMs, pollIntervalMs and requestTimeoutMs: positive integers', () => {
    for (const field of ['confirmTimeoutMs', 'pollIntervalMs', 'requestTimeoutMs']) {
      expect(refusal({ ...base(), [field]: 0 })).toMatchObject(refused(field, 'must be a positive integer, got 0'))
      expect(resolveIotaSettlementOptions({ ...base(), [field]: 1 })).toMatchObject({ [field]: 1 })
    }
  })

  it('notarizationPackageId: 0x and 1 to 64 hex digits', () => {
    for (const id of ['0x1', '0x' + 'f'.repeat(64), '0xABCdef'])
      expect(resolveIotaSettlementOptions({ ...base(), notarizationPackageId: id }).notarizationPackageId).toBe(id)
    for (const id of ['0x', '0x' + 'f'.repeat(65), 'abc', '0xg', 'x0x1', '0x1 ', ' 0x1']) {
      expect(refusal({ ...base(), notarizationPackageId: id })).toMatchObject(
        refused('notarizationPackageId', `must be an object id (0x + hex), got '${id}'`)
      )
    }
  })

  it('faucetUrl: an http(s) URL', () => {
    expect(refusal({ ...base(), faucetUrl: 'faucet' })).toMatchObject(
      refused('faucetUrl', "must be one of mainnet, testnet, devnet, localnet or an http(s) URL, got 'faucet'")
    )
    expect(refusal({ ...base(), faucetUrl: 'file:///x' })).toMatchObject(refused('faucetUrl', "must be an http(s) URL, got 'file:///x'"))
  })

  it('client: something with getBalance; now: a function', () => {
    expect(refusal({ ...base(), client: {} })).toMatchObject(refused('client', 'must be an IotaClient'))
    expect(resolveIotaSettlementOptions({ ...base(), client: { getBalance: () => {} } as unknown as IotaClient }).client).toBeDefined()
    expect(refusal({ ...base(), now: 5 })).toMatchObject(refused('now', 'must be a function returning ms'))
  })
})

describe('IotaConfigError', () => {
  it('names the field, in its message too', () => {
    const e = new IotaConfigError('gasBudget', 'too small')
    expect(e).toBeInstanceOf(Error)
    expect(e).toMatchObject({ name: 'IotaConfigError', field: 'gasBudget', message: "iota settlement option 'gasBudget': too small" })
  })
})
