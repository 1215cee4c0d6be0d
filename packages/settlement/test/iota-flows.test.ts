/**
 * pay() and attest() of the iota adapter at their edges, against FakeIotaRpc, a TEST DOUBLE of an IOTA full
 * node: every refusal with its code and message (a key reused for other transfers or another root, a root
 * already anchored, a carrier that has not executed), what a retry of a failed transaction carries, what
 * is stored for each attempt, and what a crash between signing and sending leads to when the transaction
 * then fails.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { IotaClient } from '@iota/iota-sdk/client'
import { ATTESTATION_EXISTS } from '../src/port.ts'
import {
  IotaErrorCode,
  decodePaymentTransaction,
  iotaSettlement,
  type IotaSettlementOptions,
  type SettlementStore,
  type TxRecord
} from '../src/iota/index.ts'
import { FakeIotaRpc } from '../testing/fake-iota-rpc.ts'
import { party, rejected } from './helpers/parties.ts'

class MapStore implements SettlementStore {
  readonly map = new Map<string, string>()
  /** when set, the next put of a record in this status is written and then the "process dies" */
  crashAfterPutOf: string | undefined
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key)
  }
  async put(key: string, value: string): Promise<void> {
    this.map.set(key, value)
    if (this.crashAfterPutOf != null && !key.endsWith('/pending') && (JSON.parse(value) as TxRecord).status === this.crashAfterPutOf) {
      this.crashAfterPutOf = undefined
      throw new Error('simulated crash right after the store write')
    }
  }

  record(kind: 'pay' | 'attest', key: string): TxRecord | undefined {
    const raw = this.map.get(`iota/testnet/${kind}/${key}`)
    return raw == null ? undefined : (JSON.parse(raw) as TxRecord)
  }
}

const me = party(131)
const bob = party(132).address
const carol = party(133).address
const IOTA = 1_000_000_000
const ROOT = 'ab'.repeat(32)
const OTHER = 'cd'.repeat(32)

let fake: FakeIotaRpc
let store: MapStore
beforeEach(async () => {
  fake = await FakeIotaRpc.start()
  store = new MapStore()
})
afterEach(async () => {
  await fake.close()
})

const adapter = (extra: Partial<IotaSettlementOptions> = {}) =>
  iotaSettlement({
    network: 'testnet',
    seed: me.seed,
    store,
    client: new IotaClient({ url: fake.url }),
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    pollIntervalMs: 5,
    confirmTimeoutMs: 1_000,
    ...extra
  })
const request = (
  key = 'p/1',
  transfers = [
    { to: bob, amount: 5 },
    { to: carol, amount: 6 }
  ]
) => ({ key, payer: me.address, transfers })
const carrying = (key = 'p/1', attest = { key: 'a/1', root: ROOT, leaves: 2 }) => ({ ...request(key), attest })

describe('pay refuses', () => {
  it("a root carried under the payment's own key, before asking the node anything", async () => {
    expect(await rejected(adapter().pay(carrying('p/1', { key: 'p/1', root: ROOT, leaves: 2 })))).toMatchObject({
      name: 'SettlementError',
      code: IotaErrorCode.invalidRequest,
      message: 'payment p/1: the attestation it carries needs a key of its own'
    })
    expect(fake.calls).toEqual([])
  })

  it('a key already paid with other transfers: another amount, another payee, one more or one less', async () => {
    fake.fund(me.address, IOTA)
    const a = adapter()
    const paid = await a.pay(request())
    for (const transfers of [
      [
        { to: bob, amount: 5 },
        { to: carol, amount: 7 }
      ],
      [
        { to: bob, amount: 5 },
        { to: bob, amount: 6 }
      ],
      [{ to: bob, amount: 5 }],
      [
        { to: bob, amount: 5 },
        { to: carol, amount: 6 },
        { to: carol, amount: 1 }
      ],
      [
        { to: carol, amount: 6 },
        { to: bob, amount: 5 }
      ]
    ]) {
      expect(await rejected(a.pay(request('p/1', transfers))), JSON.stringify(transfers)).toMatchObject({
        name: 'SettlementError',
        code: IotaErrorCode.keyConflict,
        message: `key p/1 already names a payment with other transfers (transaction ${paid.digest}); use a new key for a different payment`
      })
    }
    expect(await a.pay(request())).toEqual(paid)
    expect(fake.executions).toHaveLength(1)
  })

  it('a key already paid carrying another root, leaf count or attestation key; the same root in upper case is the same', async () => {
    fake.fund(me.address, IOTA)
    const a = adapter()
    const paid = await a.pay(carrying())
    const conflict = {
      code: IotaErrorCode.keyConflict,
      message:
        `key p/1 already names a payment carrying root ${ROOT} of 2 leaves ` +
        `under a/1 (transaction ${paid.digest}); a period is attested once`
    }
    expect(await rejected(a.pay(carrying('p/1', { key: 'a/1', root: OTHER, leaves: 2 })))).toMatchObject(conflict)
    expect(await rejected(a.pay(carrying('p/1', { key: 'a/1', root: ROOT, leaves: 3 })))).toMatchObject(conflict)
    expect(await rejected(a.pay(carrying('p/1', { key: 'a/2', root: ROOT, leaves: 2 })))).toMatchObject(conflict)
    expect(await a.pay(carrying('p/1', { key: 'a/1', root: ROOT.toUpperCase(), leaves: 2 }))).toEqual(paid)
    // without a root it is the same payment
    expect(await a.pay(request())).toEqual(paid)
    expect(fake.executions).toHaveLength(1)
  })

  it('a root whose key already names an attestation alone, or another payment (ATTESTATION_EXISTS), signing nothing', async () => {
    fake.fund(me.address, IOTA)
    const a = adapter()
    const alone = await a.attest('a/1', ROOT, 2)
    expect(await rejected(a.pay(carrying()))).toMatchObject({
      name: 'SettlementError',
      code: ATTESTATION_EXISTS,
      message:
        `attestation key a/1 already names transaction ${alone.digest} (an ` +
        `attestation alone, confirmed): pay p/1 without the root and attest it alone`
    })
    const other = await a.pay(carrying('p/0', { key: 'a/2', root: ROOT, leaves: 2 }))
    expect(await rejected(a.pay(carrying('p/1', { key: 'a/2', root: ROOT, leaves: 2 })))).toMatchObject({
      code: ATTESTATION_EXISTS,
      message: `attestation key a/2 is already carried by payment p/0 (transaction ${other.digest})`
    })
    expect(store.record('pay', 'p/1')).toBeUndefined()
    expect(fake.executions).toHaveLength(2)
  })
})

describe('a failed payment tried again', () => {
  it('carries what the first attempt carried: no root when it had none, even when one is asked now', async () => {
    fake.fund(me.address, IOTA)
    await expect(adapter({ gasPrice: 10 }).pay(request())).rejects.toMatchObject({ code: IotaErrorCode.gasPriceTooLow })
    const first = store.record('pay', 'p/1')!
    const receipt = await adapter().pay(carrying())
    expect(receipt.status).toBe('confirmed')
    expect(receipt.attestation).toBeUndefined()
    expect(decodePaymentTransaction(fake.executions[0].bytes).attestation).toBeUndefined()
    expect(store.record('pay', 'p/1')).toMatchObject({ attempt: 2, previous: [first.digest] })
    expect(store.record('pay', 'p/1')!.attestKey).toBeUndefined()
  })

  it('the root when it had one, even when none is asked now', async () => {
    fake.fund(me.address, IOTA)
    await expect(adapter({ gasPrice: 10 }).pay(carrying())).rejects.toMatchObject({ code: IotaErrorCode.gasPriceTooLow })
    const receipt = await adapter().pay(request())
    expect(receipt.attestation).toMatchObject({ key: 'a/1', root: ROOT, leaves: 2, digest: receipt.digest })
    expect(decodePaymentTransaction(fake.executions[0].bytes).attestation).toMatchObject({ key: 'a/1', root: ROOT, leaves: 2 })
    expect(await adapter().attestation('a/1')).toEqual(receipt.attestation)
  })

  it('signed, stored, then killed; sent again after the restart it fails: that failure is thrown, nothing new is signed', async () => {
    fake.fund(me.address, IOTA)
    store.crashAfterPutOf = 'submitted'
    await expect(adapter().pay(request())).rejects.toThrow(/simulated crash/)
    fake.failNextExecutionWith('MoveAbort(0x2, 1)')
    const err = await rejected(adapter().pay(request()))
    expect(err).toMatchObject({ name: 'SettlementError', code: IotaErrorCode.moveAbort })
    expect(store.record('pay', 'p/1')).toMatchObject({ status: 'failed', attempt: 1 })
    expect(fake.executions.map(e => e.status)).toEqual(['failure'])
  })
})

describe('pay without a root', () => {
  it('needs no notarization package: it pays on a chain that has none, without asking which chain it is', async () => {
    await fake.close()
    fake = await FakeIotaRpc.start({ chainId: 'deadbeef' })
    fake.fund(me.address, IOTA)
    expect((await adapter().pay(request())).status).toBe('confirmed')
    expect(fake.calls).not.toContain('iota_getChainIdentifier')
  })

  it('payment() of a key never paid is undefined; lookup() of what is not a digest string too', async () => {
    const a = adapter()
    expect(await a.payment('never')).toBeUndefined()
    expect(await a.lookup(42 as unknown as string)).toBeUndefined()
    expect(fake.calls).toEqual([])
  })
})

describe('attest', () => {
  it('refuses another root or leaf count under a key a payment carries', async () => {
    fake.fund(me.address, IOTA)
    const a = adapter()
    const paid = await a.pay(carrying())
    const conflict = {
      name: 'SettlementError',
      code: IotaErrorCode.keyConflict,
      message:
        `key a/1 is already carried by payment p/1 with root ${ROOT} of ` +
        `2 leaves (transaction ${paid.digest}); a period is attested once`
    }
    expect(await rejected(a.attest('a/1', OTHER, 2))).toMatchObject(conflict)
    expect(await rejected(a.attest('a/1', ROOT, 3))).toMatchObject(conflict)
    expect(await a.attest('a/1', ROOT.toUpperCase(), 2)).toEqual(paid.attestation)
  })

  it('a root riding in a payment that failed is not attested apart (ATTESTATION_EXISTS)', async () => {
    fake.fund(me.address, IOTA)
    await expect(adapter({ gasPrice: 10 }).pay(carrying())).rejects.toMatchObject({ code: IotaErrorCode.gasPriceTooLow })
    const failed = store.record('pay', 'p/1')!
    expect(await rejected(adapter().attest('a/1', ROOT, 2))).toMatchObject({
      name: 'SettlementError',
      code: ATTESTATION_EXISTS,
      message:
        `the root of a/1 rides in payment p/1 (transaction ${failed.digest}), which has ` +
        `not executed: pay p/1 again and the root lands with it; it is not attested apart`
    })
    expect(await adapter().attestation('a/1')).toBeUndefined()
    expect(fake.executions).toHaveLength(0)
  })

  it('refuses another leaf count or root under a key it attested; the same root in upper case is the same', async () => {
    fake.fund(me.address, IOTA)
    const a = adapter()
    const att = await a.attest('a/1', ROOT, 2)
    const conflict = {
      code: IotaErrorCode.keyConflict,
      message: `key a/1 already attests root ${ROOT} of 2 leaves (transaction ${att.digest}); a period is attested once`
    }
    expect(await rejected(a.attest('a/1', ROOT, 3))).toMatchObject(conflict)
    expect(await rejected(a.attest('a/1', OTHER, 2))).toMatchObject(conflict)
    expect(await a.attest('a/1', ROOT.toUpperCase(), 2)).toEqual(att)
    expect(fake.executions).toHaveLength(1)
  })

  it('signed, stored, then killed: sent again as the same first attempt', async () => {
    fake.fund(me.address, IOTA)
    store.crashAfterPutOf = 'submitted'
    await expect(adapter().attest('a/1', ROOT, 2)).rejects.toThrow(/simulated crash/)
    const stored = store.record('attest', 'a/1')!
    const att = await adapter().attest('a/1', ROOT, 2)
    expect(att.digest).toBe(stored.digest)
    expect(store.record('attest', 'a/1')).toMatchObject({ status: 'confirmed', attempt: 1, previous: [] })
    expect(fake.submissions).toEqual([stored.digest])
  })

  it('refused, then tried again: a second attempt that names the first', async () => {
    fake.fund(me.address, IOTA)
    await expect(adapter({ gasPrice: 10 }).attest('a/1', ROOT, 2)).rejects.toMatchObject({ code: IotaErrorCode.gasPriceTooLow })
    const first = store.record('attest', 'a/1')!
    expect(first).toMatchObject({ status: 'failed', attempt: 1, previous: [] })
    expect(await adapter().attestation('a/1')).toBeUndefined()
    const att = await adapter().attest('a/1', ROOT, 2)
    expect(att).toMatchObject({ key: 'a/1', root: ROOT, leaves: 2, attester: me.address })
    expect(store.record('attest', 'a/1')).toMatchObject({ status: 'confirmed', attempt: 2, previous: [first.digest] })
    expect(fake.executions).toHaveLength(1)
  })

  it(
    'an executed failure is a SettlementError with its code; killed ' +
      'before the send and failing after the restart, nothing new is signed',
    async () => {
      fake.fund(me.address, IOTA)
      fake.failNextExecutionWith('MoveAbort(0x2, 3)')
      const err = await rejected(adapter().attest('a/1', ROOT, 2))
      const r = store.record('attest', 'a/1')!
      expect(err).toMatchObject({
        name: 'SettlementError',
        code: IotaErrorCode.moveAbort,
        message: `transaction ${r.digest} failed in a Move call (MoveAbort(0x2, 3)); check the notarizationPackageId option for testnet`
      })
      expect(r).toMatchObject({ status: 'failed', executed: true })

      store.crashAfterPutOf = 'submitted'
      await expect(adapter().attest('a/2', ROOT, 2)).rejects.toThrow(/simulated crash/)
      fake.failNextExecutionWith('MoveAbort(0x2, 4)')
      expect(await rejected(adapter().attest('a/2', ROOT, 2))).toMatchObject({ code: IotaErrorCode.moveAbort })
      expect(store.record('attest', 'a/2')).toMatchObject({ status: 'failed', attempt: 1 })
      expect(fake.executions.map(e => e.status)).toEqual(['failure', 'failure'])
    }
  )

  it('a carrier whose payment was never signed, or that names a payment without that root, names nothing', async () => {
    fake.fund(me.address, IOTA)
    const a = adapter()
    // written before a payment was signed, then killed: no payment under p/9
    store.map.set('iota/testnet/attest/a/1', JSON.stringify({ v: 1, kind: 'attest', key: 'a/1', carriedBy: 'p/9' }))
    const att = await a.attest('a/1', ROOT, 2)
    expect(att).toMatchObject({ key: 'a/1', root: ROOT, leaves: 2 })
    // the payment key was later paid without the root
    await a.pay(request('p/8'))
    store.map.set('iota/testnet/attest/a/2', JSON.stringify({ v: 1, kind: 'attest', key: 'a/2', carriedBy: 'p/8' }))
    const alone = await a.attest('a/2', OTHER, 1)
    expect(alone).toMatchObject({ key: 'a/2', root: OTHER, leaves: 1 })
    expect(await a.attestation('a/2')).toEqual(alone)
    expect(fake.executions).toHaveLength(3)
  })
})
