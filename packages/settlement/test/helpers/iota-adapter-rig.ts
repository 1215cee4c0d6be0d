import { afterEach, beforeEach } from 'vitest'
import { IotaClient } from '@iota/iota-sdk/client'
import { iotaAddress, signerFromSeed } from '@kvartal/protocol'
import { iotaSettlement, type IotaSettlement, type IotaSettlementOptions, type TxRecord } from '../../src/iota/index.ts'
import { FakeIotaRpc, type FakeIotaRpcOptions } from '../../testing/fake-iota-rpc.ts'
import { MapStore } from './map-store.ts'

/**
 * What the tests of the iota adapter through its port share (iota-adapter.test.ts, iota-adapter-crash.test.ts,
 * iota-adapter-failures.test.ts): every test talks JSON-RPC over HTTP to FakeIotaRpc, a TEST DOUBLE of an IOTA
 * full node (none can be reached from here); the adapter is given `new IotaClient({ url })` pointed at it. A
 * test file calls `freshNodeEachTest()` once, at its top; `fake` and `store` are then the running test's.
 */

/** Resolves once `cond` holds; throws naming `what` after `timeoutMs` (no wait without a deadline). */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

export const seed = new Uint8Array(32).fill(21)
export const payer = iotaAddress(signerFromSeed(seed).publicKey)
export const bob = iotaAddress(signerFromSeed(new Uint8Array(32).fill(22)).publicKey)
export const carol = iotaAddress(signerFromSeed(new Uint8Array(32).fill(23)).publicKey)
export const dave = iotaAddress(signerFromSeed(new Uint8Array(32).fill(24)).publicKey)
export const IOTA = 1_000_000_000
export const ROOT = 'ab'.repeat(32)

/** A durable store as the node's journal would be: a Map that outlives adapter instances, and can "die" after a write. */
export class CrashingStore extends MapStore {
  /** when set, the next put of a record in this status is written and then the "process dies" */
  crashAfterPutOf: string | undefined
  override async put(key: string, value: string): Promise<void> {
    this.map.set(key, value)
    if (this.crashAfterPutOf != null && !key.endsWith('/pending') && (JSON.parse(value) as TxRecord).status === this.crashAfterPutOf) {
      this.crashAfterPutOf = undefined
      throw new Error('simulated crash right after the store write')
    }
  }
}

export let fake: FakeIotaRpc
export let store: CrashingStore

/** Before each test of the calling file a new fake node and store; after it, the node closed. */
export function freshNodeEachTest(): void {
  beforeEach(async () => {
    fake = await FakeIotaRpc.start()
    store = new CrashingStore()
  })
  afterEach(async () => {
    await fake.close()
  })
}

/** The running test's node closed and replaced by a new one started with `options` (closed after the test in turn). */
export async function replaceNode(options: FakeIotaRpcOptions): Promise<void> {
  await fake.close()
  fake = await FakeIotaRpc.start(options)
}

export function adapter(extra: Partial<IotaSettlementOptions> = {}): IotaSettlement {
  return iotaSettlement({
    network: 'testnet',
    seed,
    store,
    client: new IotaClient({ url: fake.url }),
    retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
    pollIntervalMs: 10,
    confirmTimeoutMs: 2_000,
    ...extra
  })
}

export const request = {
  key: 'period-1/payer',
  payer,
  transfers: [
    { to: bob, amount: 150_000_000 },
    { to: carol, amount: 7 },
    { to: dave, amount: 2 * IOTA }
  ]
}
