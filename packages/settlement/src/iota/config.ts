import type { IotaClient } from '@iota/iota-sdk/client'

/** The networks `@iota/iota-sdk` knows by name; anything else must be a full node's JSON-RPC URL. */
export const IotaNetworks = ['mainnet', 'testnet', 'devnet', 'localnet'] as const
export type IotaNetworkName = (typeof IotaNetworks)[number]

/**
 * A small durable key-value store the adapter writes its signed transactions to before it sends them.
 * The node backs it with its level journal; tests use a Map. `put` must be durable when it resolves.
 */
export interface SettlementStore {
  get(key: string): Promise<string | undefined>
  put(key: string, value: string): Promise<void>
}

export interface IotaRetryOptions {
  /** how many times one ledger call is tried in all before it surfaces as a TransientLedgerError */
  readonly attempts?: number
  /** first back-off delay; doubles on every further try (with jitter) */
  readonly baseDelayMs?: number
  /** upper bound of one back-off delay */
  readonly maxDelayMs?: number
}

export interface IotaSettlementOptions {
  /** 'mainnet' | 'testnet' | 'devnet' | 'localnet', or the http(s) URL of a full node's JSON-RPC */
  readonly network: IotaNetworkName | string
  /** the node's 32-byte Ed25519 seed: the same key as its libp2p identity, so the same IOTA address */
  readonly seed: Uint8Array
  /** where signed transactions are written before they are sent (see SettlementStore) */
  readonly store: SettlementStore
  /** gas budget of one transaction, integer nanos (see defaultIotaSettlementOptions) */
  readonly gasBudget?: number
  /** gas price, integer nanos per gas unit; default: the network's reference gas price, asked per transaction */
  readonly gasPrice?: number
  readonly retry?: IotaRetryOptions
  /** how long to wait for an executed transaction to show up on the full node */
  readonly confirmTimeoutMs?: number
  /** how often to poll for it meanwhile */
  readonly pollIntervalMs?: number
  /** deadline of one JSON-RPC call; a call that takes longer counts as a transient failure */
  readonly requestTimeoutMs?: number
  /**
   * Object id of the IOTA Notarization Move package to anchor attestations with. Default: the package the
   * IOTA Foundation published for the chain (mainnet, testnet, devnet), found by the chain identifier.
   * Required on a localnet or any chain without a published package.
   */
  readonly notarizationPackageId?: string
  /** faucet base URL for requestFaucet(); default: the SDK's faucet of the named network */
  readonly faucetUrl?: string
  /** an IotaClient to use instead of one built from `network` (tests pass one pointed at a test double) */
  readonly client?: IotaClient
  /** wall clock, ms; used only when the ledger does not say when it confirmed a transaction */
  readonly now?: () => number
}

export const defaultIotaSettlementOptions = {
  // One payment is one programmable transaction: about 1000 gas units of computation at the reference gas
  // price (1000 nanos/unit, so ~0.001 IOTA) plus storage for each coin it creates (~0.001 IOTA per coin
  // object); a notarization object costs a few times a coin. 0.05 IOTA covers a period payment to a few
  // dozen counterparties with a wide margin, and only what is used is charged. The gas coins must hold the
  // whole budget on top of the transfers, so it is not set higher than that.
  gasBudget: 50_000_000,
  // Five tries with a 500 ms start and a 10 s cap span about 7.5 s: enough to ride out a rate limit or a
  // full node restart, short enough that a settlement period is not held up; the next call tries again.
  retry: { attempts: 5, baseDelayMs: 500, maxDelayMs: 10_000 },
  // IOTA Rebased finalises in about a second and checkpoints every ~250 ms; a full node that has not
  // indexed a transaction after a minute is lagging, and the transaction stays 'submitted' for the next call.
  confirmTimeoutMs: 60_000,
  pollIntervalMs: 1_000,
  // The SDK's fetch has no deadline of its own; 30 s is far beyond a healthy full node's answer time.
  requestTimeoutMs: 30_000
} as const

/** A configuration field is missing or wrong; says which. */
export class IotaConfigError extends Error {
  readonly field: string
  constructor(field: string, message: string) {
    super(`iota settlement option '${field}': ${message}`)
    this.field = field
    this.name = 'IotaConfigError'
  }
}

export interface ResolvedIotaSettlementOptions {
  readonly network: IotaNetworkName | 'custom'
  /** the full node URL, or undefined when only an injected client is known */
  readonly url: string | undefined
  readonly seed: Uint8Array
  readonly store: SettlementStore
  readonly gasBudget: number
  readonly gasPrice: number | undefined
  readonly retry: Required<IotaRetryOptions>
  readonly confirmTimeoutMs: number
  readonly pollIntervalMs: number
  readonly requestTimeoutMs: number
  readonly notarizationPackageId: string | undefined
  readonly faucetUrl: string | undefined
  readonly client: IotaClient | undefined
  readonly now: () => number
}

const MAX_GAS_BUDGET = 50_000_000_000 // the protocol's max_tx_gas: 50 IOTA

function positiveInteger(field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
    throw new IotaConfigError(field, `must be a positive integer, got ${String(value)}`)
  if (value > max) throw new IotaConfigError(field, `must be at most ${max}, got ${value}`)
  return value
}

function nonNegativeInteger(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new IotaConfigError(field, `must be a non-negative integer, got ${String(value)}`)
  return value
}

function httpUrl(field: string, value: string): string {
  let u: URL
  try {
    u = new URL(value)
  } catch {
    throw new IotaConfigError(field, `must be one of ${IotaNetworks.join(', ')} or an http(s) URL, got '${value}'`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new IotaConfigError(field, `must be an http(s) URL, got '${value}'`)
  return value
}

/** Validates options once, at the edge, with messages that name the field. */
export function resolveIotaSettlementOptions(options: IotaSettlementOptions): ResolvedIotaSettlementOptions {
  if (options == null || typeof options !== 'object') throw new IotaConfigError('options', 'must be an object')
  const o = options
  if (typeof o.network !== 'string' || o.network === '')
    throw new IotaConfigError('network', `must be one of ${IotaNetworks.join(', ')} or a full node URL`)
  const named = (IotaNetworks as readonly string[]).includes(o.network)
  const url = named ? undefined : httpUrl('network', o.network)
  if (!(o.seed instanceof Uint8Array)) throw new IotaConfigError('seed', "must be a Uint8Array (the node's 32-byte Ed25519 seed)")
  if (o.seed.length !== 32) throw new IotaConfigError('seed', `must be 32 bytes (an Ed25519 seed), got ${o.seed.length}`)
  if (o.store == null || typeof o.store.get !== 'function' || typeof o.store.put !== 'function')
    throw new IotaConfigError('store', 'must have get(key) and put(key, value)')
  const d = defaultIotaSettlementOptions
  const gasBudget = positiveInteger('gasBudget', o.gasBudget ?? d.gasBudget, MAX_GAS_BUDGET)
  const gasPrice = o.gasPrice == null ? undefined : positiveInteger('gasPrice', o.gasPrice)
  const retry = {
    attempts: positiveInteger('retry.attempts', o.retry?.attempts ?? d.retry.attempts, 100),
    baseDelayMs: nonNegativeInteger('retry.baseDelayMs', o.retry?.baseDelayMs ?? d.retry.baseDelayMs),
    maxDelayMs: nonNegativeInteger('retry.maxDelayMs', o.retry?.maxDelayMs ?? d.retry.maxDelayMs)
  }
  const notarizationPackageId = o.notarizationPackageId
  if (notarizationPackageId != null && !/^0x[0-9a-fA-F]{1,64}$/.test(notarizationPackageId))
    throw new IotaConfigError('notarizationPackageId', `must be an object id (0x + hex), got '${notarizationPackageId}'`)
  if (o.faucetUrl != null) httpUrl('faucetUrl', o.faucetUrl)
  if (o.client != null && typeof (o.client as { getBalance?: unknown }).getBalance !== 'function')
    throw new IotaConfigError('client', 'must be an IotaClient')
  if (o.now != null && typeof o.now !== 'function') throw new IotaConfigError('now', 'must be a function returning ms')
  return {
    network: named ? (o.network as IotaNetworkName) : 'custom',
    url,
    seed: o.seed,
    store: o.store,
    gasBudget,
    gasPrice,
    retry,
    confirmTimeoutMs: positiveInteger('confirmTimeoutMs', o.confirmTimeoutMs ?? d.confirmTimeoutMs),
    pollIntervalMs: positiveInteger('pollIntervalMs', o.pollIntervalMs ?? d.pollIntervalMs),
    requestTimeoutMs: positiveInteger('requestTimeoutMs', o.requestTimeoutMs ?? d.requestTimeoutMs),
    notarizationPackageId,
    faucetUrl: o.faucetUrl,
    client: o.client,
    now: o.now ?? Date.now
  }
}
