import { afterEach, beforeEach } from 'vitest'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { resolveIotaSettlementOptions, type IotaSettlementOptions } from '../../src/iota/config.ts'
import { TxJournal } from '../../src/iota/journal.ts'
import { IotaLedger } from '../../src/iota/ledger.ts'
import { iotaSettlement } from '../../src/iota/iota-settlement.ts'
import { FakeIotaRpc } from '../../testing/fake-iota-rpc.ts'
import { HookedClient } from './hooked-client.ts'
import { MapStore } from './map-store.ts'
import { party } from './parties.ts'

/**
 * What the tests of IotaLedger share (iota-ledger.test.ts, iota-ledger-outcomes.test.ts): one party's ledger
 * and adapter on testnet at the adapter's time 777, fast retries and a 300 ms wait for the checkpoint, against
 * a fresh FakeIotaRpc (a TEST DOUBLE of an IOTA full node), MapStore and HookedClient for each test. A test
 * file calls `freshNodeEachTest()` once, at its top; `fake`, `store` and `client` are then the running test's.
 * Nothing here runs settlement code while a test file loads, only inside a test (see parties.ts).
 */

export const me = party(121)
export const bob = party(122).address
export const IOTA = 1_000_000_000

export let fake: FakeIotaRpc
export let store: MapStore
export let client: HookedClient

/** Before each test of the calling file a new fake node, store and client; after it, the node closed. */
export function freshNodeEachTest(): void {
  beforeEach(async () => {
    fake = await FakeIotaRpc.start()
    store = new MapStore()
    client = new HookedClient({ url: fake.url })
  })
  afterEach(async () => {
    await fake.close()
  })
}

export const options = (extra: Partial<IotaSettlementOptions> = {}): IotaSettlementOptions => ({
  network: 'testnet',
  seed: me.seed,
  store,
  client,
  retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  pollIntervalMs: 5,
  confirmTimeoutMs: 300,
  now: () => 777,
  ...extra
})
export const ledgerOf = (extra: Partial<IotaSettlementOptions> = {}): IotaLedger => {
  const o = resolveIotaSettlementOptions(options(extra))
  return new IotaLedger(o, Ed25519Keypair.fromSecretKey(me.seed), new TxJournal(store, 'iota/testnet'))
}
export const adapter = (extra: Partial<IotaSettlementOptions> = {}) => iotaSettlement(options(extra))
export const request = (key = 'p/1', amount = 5) => ({ key, payer: me.address, transfers: [{ to: bob, amount }] })
/** how often the fake node was called with `method` in this test */
export const count = (method: string): number => fake.calls.filter(m => m === method).length
