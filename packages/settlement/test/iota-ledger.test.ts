/**
 * The iota adapter's crash-safe core (IotaLedger) at its edges, against FakeIotaRpc, a TEST DOUBLE of an IOTA
 * full node (none can be reached from here), and HookedClient, an IotaClient whose answers a test can change
 * (a node that loses an answer, forgets effects or a timestamp, or answers for another transaction): what
 * every call says when the node answers HTTP 404, gas coins chosen to the nano (largest first, the 256-coin
 * cap, every page of coins), what is stored when an outcome is unknown, settled by hand, or only known after
 * a refusal, and how an executed transaction's record is read off the node's answer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { IotaClient, IotaHTTPStatusError, JsonRpcError, type IotaTransactionBlockResponse } from '@iota/iota-sdk/client'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { SettlementError, TransientLedgerError } from '../src/port.ts'
import { resolveIotaSettlementOptions, type IotaSettlementOptions, type SettlementStore } from '../src/iota/config.ts'
import { IotaErrorCode } from '../src/iota/errors.ts'
import { TxJournal, type TxRecord } from '../src/iota/journal.ts'
import { IotaLedger, gasPaymentOf } from '../src/iota/ledger.ts'
import { iotaSettlement } from '../src/iota/iota-settlement.ts'
import { FakeIotaRpc } from './helpers/fake-iota-rpc.ts'
import { party, rejected } from './helpers/parties.ts'

/** An IotaClient whose execute and wait answers a test can replace or edit (`real` asks the node). */
class HookedClient extends IotaClient {
  onExecute: ((real: () => Promise<IotaTransactionBlockResponse>) => Promise<IotaTransactionBlockResponse>) | undefined
  onWait: ((real: () => Promise<IotaTransactionBlockResponse>) => Promise<IotaTransactionBlockResponse>) | undefined
  override async executeTransactionBlock (input: Parameters<IotaClient['executeTransactionBlock']>[0]): Promise<IotaTransactionBlockResponse> {
    const real = async (): Promise<IotaTransactionBlockResponse> => await super.executeTransactionBlock(input)
    return this.onExecute != null ? await this.onExecute(real) : await real()
  }

  override async waitForTransaction (input: Parameters<IotaClient['waitForTransaction']>[0]): Promise<IotaTransactionBlockResponse> {
    const real = async (): Promise<IotaTransactionBlockResponse> => await super.waitForTransaction(input)
    return this.onWait != null ? await this.onWait(real) : await real()
  }
}

class MapStore implements SettlementStore {
  readonly map = new Map<string, string>()
  async get (key: string): Promise<string | undefined> { return this.map.get(key) }
  async put (key: string, value: string): Promise<void> { this.map.set(key, value) }
  record (kind: 'pay' | 'attest', key: string): TxRecord | undefined {
    const raw = this.map.get(`iota/testnet/${kind}/${key}`)
    return raw == null ? undefined : JSON.parse(raw) as TxRecord
  }
}

const me = party(121)
const bob = party(122).address
const IOTA = 1_000_000_000
const ROOT = 'ab'.repeat(32)
const BUDGET = 50_000_000

let fake: FakeIotaRpc
let store: MapStore
let client: HookedClient
beforeEach(async () => { fake = await FakeIotaRpc.start(); store = new MapStore(); client = new HookedClient({ url: fake.url }) })
afterEach(async () => { await fake.close() })

const options = (extra: Partial<IotaSettlementOptions> = {}): IotaSettlementOptions => ({
  network: 'testnet', seed: me.seed, store, client, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 }, pollIntervalMs: 5, confirmTimeoutMs: 300, now: () => 777, ...extra
})
const ledgerOf = (extra: Partial<IotaSettlementOptions> = {}): IotaLedger => {
  const o = resolveIotaSettlementOptions(options(extra))
  return new IotaLedger(o, Ed25519Keypair.fromSecretKey(me.seed), new TxJournal(store, 'iota/testnet'))
}
const adapter = (extra: Partial<IotaSettlementOptions> = {}) => iotaSettlement(options(extra))
const request = (key = 'p/1', amount = 5) => ({ key, payer: me.address, transfers: [{ to: bob, amount }] })
const count = (method: string): number => fake.calls.filter(m => m === method).length
const http404 = (what: string) => ({ name: 'SettlementError', code: 'rpc-http-404', message: `${what}: the full node at testnet answered HTTP 404 Not Found; check the network option` })

describe('a call the node answers with HTTP 404 is a SettlementError that names the call', () => {
  it('balance, chain identifier, gas price, coins and lookups', async () => {
    const ledger = ledgerOf()
    fake.failNext(1, 404)
    const err = await rejected(ledger.balance(bob))
    expect(err).toMatchObject(http404(`get balance of ${bob}`))
    expect((err as Error).cause).toBeInstanceOf(IotaHTTPStatusError)
    fake.failNext(1, 404)
    expect(await rejected(ledger.chainIdentifier())).toMatchObject(http404('get chain identifier'))
    fake.failNext(1, 404)
    expect(await rejected(ledger.gasPrice())).toMatchObject(http404('get reference gas price'))
    fake.failNext(1, 404)
    expect(await rejected(ledger.selectGas(1n, []))).toMatchObject(http404(`list coins of ${me.address}`))
    const digest = '11111111111111111111111111111111'
    fake.failNext(1, 404)
    expect(await rejected(ledger.lookup(digest))).toMatchObject(http404(`look up transaction ${digest}`))
    // a transient status is retried and then surfaces as a TransientLedgerError, not as this
    fake.failNext(2, 503)
    expect(await rejected(ledger.balance(bob))).toBeInstanceOf(TransientLedgerError)
  })

  it('an execute: the signed transaction stays submitted, to be looked up again', async () => {
    fake.fund(me.address, IOTA)
    fake.failNext(1, 404, 'iota_executeTransactionBlock')
    const err = await rejected(adapter().pay(request()))
    const stored = store.record('pay', 'p/1')!
    expect(err).toMatchObject(http404(`execute transaction ${stored.digest}`))
    expect(stored.status).toBe('submitted')
    expect(fake.executions).toEqual([])
    expect((await adapter().pay(request())).digest).toBe(stored.digest)
  })
})

describe('IotaLedger', () => {
  it('labels its network by name, by URL, or as custom when only an injected client is known', () => {
    expect(ledgerOf().networkLabel).toBe('testnet')
    expect(ledgerOf({ network: fake.url }).networkLabel).toBe(fake.url)
    const o = { ...resolveIotaSettlementOptions(options()), network: 'custom' as const, url: undefined }
    expect(new IotaLedger(o, Ed25519Keypair.fromSecretKey(me.seed), new TxJournal(store, 'x')).networkLabel).toBe('custom')
  })

  it('asks the chain identifier once, and the gas price only when no gasPrice option is set', async () => {
    const ledger = ledgerOf()
    expect(await ledger.chainIdentifier()).toBe('2304aa97')
    expect(await ledger.chainIdentifier()).toBe('2304aa97')
    expect(count('iota_getChainIdentifier')).toBe(1)
    expect(await ledger.gasPrice()).toBe(1000n)
    expect(await ledgerOf({ gasPrice: 1234 }).gasPrice()).toBe(1234n)
    expect(count('iotax_getReferenceGasPrice')).toBe(1)
  })

  it('errorOf: the record\'s code and message, or execution-failed naming the digest', () => {
    const ledger = ledgerOf()
    const base = { v: 1, kind: 'pay', key: 'k', status: 'failed', digest: 'D', bytes: '', signature: '', sender: me.address, attempt: 1, previous: [], signedAt: 1 } as const
    expect(ledger.errorOf({ ...base, error: { code: 'move-abort', message: 'it aborted' } })).toMatchObject({ name: 'SettlementError', code: 'move-abort', message: 'it aborted' })
    expect(ledger.errorOf(base)).toMatchObject({ name: 'SettlementError', code: IotaErrorCode.executionFailed, message: 'transaction D failed' })
  })

  it('send() takes only a record in status submitted', async () => {
    const ledger = ledgerOf()
    const r = { v: 1, kind: 'pay', key: 'k', status: 'confirmed', digest: 'D', bytes: '', signature: '', sender: me.address, attempt: 1, previous: [], signedAt: 1 } as const
    await expect(ledger.send(r)).rejects.toThrow('send() takes a record in status submitted')
    expect(store.map.size).toBe(0)
  })
})

describe('gas coins', () => {
  it('largest first, just enough: a coin more than needed is not taken, exactly enough is enough', async () => {
    const c50 = fake.fund(me.address, 50)
    const c20 = fake.fund(me.address, 20)
    fake.fund(me.address, 5)
    const ledger = ledgerOf()
    const ids = (p: Array<{ objectId: string }>): string[] => p.map(x => x.objectId)
    expect(ids((await ledger.selectGas(60n, [])).payment)).toEqual([c50, c20])
    expect(ids((await ledger.selectGas(70n, [])).payment)).toEqual([c50, c20])
    expect(ids((await ledger.selectGas(50n, [])).payment)).toEqual([c50])
    expect(ids((await ledger.selectGas(1n, [])).payment)).toEqual([c50])
    const err = await rejected(ledger.selectGas(76n, []))
    expect(err).toBeInstanceOf(SettlementError)
    expect(err).toMatchObject({
      code: IotaErrorCode.insufficientFunds,
      message: `${me.address} holds 75 nanos in 3 coin(s); this transaction needs 76 (what it moves plus the gas budget of ${BUDGET}); fund the address from the faucet: requestFaucet() on this adapter, or POST {"FixedAmountRequest":{"recipient":"${me.address}"}} to the testnet faucet's /gas`
    })
    expect((await ledger.selectGas(75n, [])).payment).toHaveLength(3)
  })

  it('the coins an earlier attempt would spend are spent again while unspent at the same version, once each; the others come back as spent', async () => {
    const small = fake.fund(me.address, 5)
    const big = fake.fund(me.address, 100)
    const moved = fake.fund(me.address, 7)
    const gone = fake.fund(me.address, 9)
    const ledger = ledgerOf()
    const { payment: all } = await ledger.selectGas(121n, [])
    const ref = (id: string) => all.find(p => p.objectId === id)!
    fake.spend(moved)
    const refs = [ref(small), ref(small), ref(moved), { ...ref(gone), digest: ref(moved).digest }, { objectId: '0x' + '99'.repeat(32), version: '1', digest: ref(small).digest }]
    const { payment, spent } = await ledger.selectGas(1n, refs)
    expect(payment.map(p => p.objectId)).toEqual([small])
    expect(spent).toEqual([ref(moved), { ...ref(gone), digest: ref(moved).digest }, refs[4]])
    // the unspent one is taken first, then the largest for what is still needed
    const more = await ledger.selectGas(6n, [ref(small)])
    expect(more.payment.map(p => p.objectId)).toEqual([small, big])
    expect(more.spent).toEqual([])
  })

  it('at most 256 coins: more are "spread over" and must be merged first; with too little in all, funding is the hint', async () => {
    for (let i = 0; i < 300; i++) fake.fund(me.address, 1)
    const ledger = ledgerOf({ network: 'mainnet' })
    expect((await ledger.selectGas(256n, [])).payment).toHaveLength(256)
    expect(await rejected(ledger.selectGas(257n, []))).toMatchObject({
      code: IotaErrorCode.insufficientFunds,
      message: `${me.address} holds 300 nanos in 300 coin(s); this transaction needs 257 (what it moves plus the gas budget of ${BUDGET}); they are spread over 300 coins, more than the 256 one transaction may spend: merge coins first`
    })
    expect(await rejected(ledger.selectGas(300n, []))).toMatchObject({ message: expect.stringMatching(/they are spread over 300 coins/) })
    expect(await rejected(ledger.selectGas(301n, []))).toMatchObject({ message: `${me.address} holds 300 nanos in 300 coin(s); this transaction needs 301 (what it moves plus the gas budget of ${BUDGET}); send IOTA to ${me.address} on mainnet` })
  })

  it('reads every page of coins, and no page more', async () => {
    for (let i = 0; i < 60; i++) fake.fund(me.address, 1)
    const ledger = ledgerOf()
    expect((await ledger.selectGas(60n, [])).payment).toHaveLength(60)
    expect(count('iotax_getCoins')).toBe(2)
  })

  it('reads at most 100 pages of coins', async () => {
    for (let i = 0; i < 101 * 50; i++) fake.fund(me.address, 1)
    const err = await rejected(ledgerOf().selectGas(5_001n, []))
    expect((err as Error).message).toMatch(new RegExp(`^${me.address} holds 5000 nanos in 5000 coin\\(s\\)`))
    expect(count('iotax_getCoins')).toBe(100)
  })
})

describe('a transaction refused after a send whose outcome was not heard', () => {
  /** The first execute fails in transit (transient), the second is refused with `message`. */
  const lostThenRefused = (message: string): void => {
    let n = 0
    client.onExecute = async () => {
      if (n++ === 0) throw new TypeError('fetch failed')
      throw new JsonRpcError(message, -32002)
    }
  }

  it('is not known to be final: stored failed but uncertain, reported as submitted', async () => {
    fake.fund(me.address, IOTA)
    lostThenRefused('Invalid user signature')
    const err = await rejected(adapter().pay(request()))
    expect(err).toMatchObject({ code: IotaErrorCode.badSignature })
    expect(store.record('pay', 'p/1')).toMatchObject({ status: 'failed', uncertain: true })
    expect((await adapter().payment('p/1'))?.status).toBe('submitted')
  })

  it('refused on the first send, it is known to be final: failed, and reported failed', async () => {
    fake.fund(me.address, IOTA)
    await expect(adapter({ gasPrice: 10 }).pay(request())).rejects.toMatchObject({ code: IotaErrorCode.gasPriceTooLow })
    expect(store.record('pay', 'p/1')!.uncertain).toBeUndefined()
    expect((await adapter().payment('p/1'))?.status).toBe('failed')
  })

  it('with its coins unspent it cannot have executed: the next call builds a new one that spends them', async () => {
    fake.fund(me.address, IOTA)
    lostThenRefused('Invalid user signature')
    await rejected(adapter().pay(request()))
    const first = store.record('pay', 'p/1')!
    client.onExecute = undefined
    const receipt = await adapter().pay(request())
    // built again from the same coins at the same price, it is the same transaction: one execution
    expect(receipt.status).toBe('confirmed')
    expect(fake.executions).toHaveLength(1)
    expect(store.record('pay', 'p/1')).toMatchObject({ status: 'confirmed', attempt: 2, previous: [first.digest] })
    expect(gasPaymentOf(fake.executions[0].bytes).map(p => p.objectId)).toEqual(gasPaymentOf(first.bytes).map(p => p.objectId))
  })

  it('with its coins spent and the node not knowing it: outcome unknown, said in the record too', async () => {
    const coin = fake.fund(me.address, IOTA)
    lostThenRefused('Invalid user signature')
    await rejected(adapter().pay(request()))
    client.onExecute = undefined
    fake.spend(coin)
    const err = await rejected(adapter().pay(request()))
    expect(err).toMatchObject({ name: 'SettlementError', code: IotaErrorCode.outcomeUnknown })
    expect(store.record('pay', 'p/1')!.error).toEqual({ code: IotaErrorCode.outcomeUnknown, message: (err as Error).message })
  })

  it('found on the ledger after all: the record is confirmed, the call says to call again, and the next returns it', async () => {
    fake.fund(me.address, IOTA)
    const receipt = await adapter().pay(request())
    // the journal as a refusal after a lost answer would have left it, while the transaction did execute
    const r = store.record('pay', 'p/1')!
    store.map.set('iota/testnet/pay/p/1', JSON.stringify({ ...r, status: 'failed', uncertain: true, checkpoint: undefined, at: undefined, error: { code: IotaErrorCode.badSignature, message: 'x' } }))
    const err = await rejected(adapter().pay(request()))
    expect(err).toMatchObject({ name: 'SettlementError', code: IotaErrorCode.unexpected, message: `transaction ${receipt.digest} turned out to be on the ledger after all; call again` })
    expect(store.record('pay', 'p/1')).toMatchObject({ status: 'confirmed', digest: receipt.digest })
    expect(await adapter().pay(request())).toEqual(receipt)
    expect(fake.executions).toHaveLength(1)
  })
})

describe('a refusal the node contradicts', () => {
  it('refused, but the node has it: confirmed', async () => {
    fake.fund(me.address, IOTA)
    client.onExecute = async (real) => { await real(); throw new JsonRpcError('Transaction needs to be rebuilt', -32002) }
    const receipt = await adapter().pay(request())
    expect(receipt.status).toBe('confirmed')
    expect(fake.executions).toHaveLength(1)
    expect(receipt.digest).toBe(fake.executions[0].digest)
  })

  it('an execute answered for another digest is not believed', async () => {
    fake.fund(me.address, IOTA)
    client.onExecute = async (real) => ({ ...(await real()), digest: 'someOtherDigest' })
    const err = await rejected(adapter().pay(request()))
    const stored = store.record('pay', 'p/1')!
    expect(err).toMatchObject({ name: 'SettlementError', code: IotaErrorCode.unexpected, message: `the full node executed someOtherDigest for the signed transaction ${stored.digest}: the stored bytes and the digest disagree` })
    expect(stored.status).toBe('submitted')
  })
})

describe('the outcome, as the node shows it', () => {
  it('waits for the checkpoint after an execute, and stores it with the node\'s time', async () => {
    fake.fund(me.address, IOTA)
    const receipt = await adapter().pay(request())
    const r = store.record('pay', 'p/1')!
    expect(r.checkpoint).toBe('1')
    expect(r.at).toBe(1_750_000_000_250)
    expect(receipt.at).toBe(1_750_000_000_250)
    expect(count('iota_getTransactionBlock')).toBe(1) // the wait
  })

  it('a transaction found by a lookup already has its checkpoint: no wait', async () => {
    fake.fund(me.address, IOTA)
    fake.dropNextExecute('after')
    await rejected(adapter({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).pay(request()))
    const before = count('iota_getTransactionBlock')
    const done = await ledgerOf().resolve(store.record('pay', 'p/1')!)
    expect(done).toMatchObject({ status: 'confirmed', checkpoint: '1' })
    expect(count('iota_getTransactionBlock') - before).toBe(1)
  })

  it('the node\'s index lags: the effects from the execute are final, without a checkpoint', async () => {
    fake.fund(me.address, IOTA)
    client.onWait = async () => { throw new Error('timed out waiting') }
    const receipt = await adapter().pay(request())
    expect(receipt.status).toBe('confirmed')
    const r = store.record('pay', 'p/1')!
    expect(r.status).toBe('confirmed')
    expect(r.checkpoint).toBeUndefined()
    expect(r.at).toBe(1_750_000_000_250) // the execute's own timestamp
  })

  it('no effects and no checkpoint: stays submitted, a TransientLedgerError that says why', async () => {
    fake.fund(me.address, IOTA)
    client.onExecute = async (real) => ({ ...(await real()), effects: undefined })
    client.onWait = async () => { throw new Error('timed out waiting') }
    const err = await rejected(adapter().pay(request()))
    const r = store.record('pay', 'p/1')!
    expect(err).toBeInstanceOf(TransientLedgerError)
    expect((err as Error).message).toBe(`transaction ${r.digest} was not shown by the full node within 300 ms (timed out waiting); it stays 'submitted' and is looked up again on the next call`)
    expect((err as Error).cause).toBeInstanceOf(Error)
    expect(r.status).toBe('submitted')
  })

  it('an execute answered without effects or object changes: they are read from what the node shows', async () => {
    fake.fund(me.address, IOTA)
    client.onExecute = async (real) => ({ ...(await real()), effects: undefined, objectChanges: undefined })
    const receipt = await adapter().pay({ ...request(), attest: { key: 'a/1', root: ROOT, leaves: 2 } })
    expect(receipt.status).toBe('confirmed')
    const [notarization] = fake.objectsOf(me.address, '::notarization::Notarization<')
    expect(store.record('pay', 'p/1')).toMatchObject({ status: 'confirmed', objectId: notarization.id, checkpoint: '1' })
  })

  it('effects nowhere, though the node shows the transaction: stays submitted', async () => {
    fake.fund(me.address, IOTA)
    client.onExecute = async (real) => ({ ...(await real()), effects: undefined })
    client.onWait = async (real) => ({ ...(await real()), effects: undefined })
    const err = await rejected(adapter().pay(request()))
    const r = store.record('pay', 'p/1')!
    expect(err).toBeInstanceOf(TransientLedgerError)
    expect((err as Error).message).toBe(`the full node returned transaction ${r.digest} without its effects; it stays 'submitted'`)
    expect(r.status).toBe('submitted')
  })

  it('an abort while waiting: the caller\'s reason, and the record stays submitted', async () => {
    fake.fund(me.address, IOTA)
    const ac = new AbortController()
    const reason = new Error('caller gave up')
    client.onWait = async () => { ac.abort(reason); throw new Error('aborted') }
    expect(await rejected(adapter().pay(request(), { signal: ac.signal }))).toBe(reason)
    expect(store.record('pay', 'p/1')!.status).toBe('submitted')
  })

  it('no timestamp from the node: the adapter\'s clock', async () => {
    fake.fund(me.address, IOTA)
    client.onWait = async (real) => ({ ...(await real()), timestampMs: undefined })
    client.onExecute = async (real) => ({ ...(await real()), timestampMs: undefined })
    expect((await adapter().pay(request())).at).toBe(777)
  })

  it('an executed failure is stored as executed, with the node\'s error, or "execution failed" when it gives none', async () => {
    fake.fund(me.address, IOTA)
    fake.failNextExecutionWith('MoveAbort(0x2, 7)')
    const err = await rejected(adapter().pay(request()))
    expect(err).toMatchObject({ code: IotaErrorCode.moveAbort })
    expect(store.record('pay', 'p/1')).toMatchObject({ status: 'failed', executed: true, error: { code: IotaErrorCode.moveAbort } })
    fake.failNextExecutionWith('x')
    client.onWait = async (real) => { const r = await real(); return { ...r, effects: { ...r.effects!, status: { status: 'failure' } } } }
    const plain = await rejected(adapter().pay(request('p/2')))
    const r = store.record('pay', 'p/2')!
    expect(plain).toMatchObject({ code: IotaErrorCode.rejected, message: `transaction ${r.digest} was refused by the ledger: execution failed` })
  })

  it('the notarization a payment carries is the object it created, not one of its coins', async () => {
    fake.fund(me.address, IOTA)
    const receipt = await adapter().pay({ ...request(), attest: { key: 'a/1', root: ROOT, leaves: 2 } })
    const [notarization] = fake.objectsOf(me.address, '::notarization::Notarization<')
    expect((receipt.attestation as { notarizationId?: string }).notarizationId).toBe(notarization.id)
    expect(store.record('pay', 'p/1')!.objectId).toBe(notarization.id)
    // a plain payment created no notarization
    await adapter().pay(request('p/2'))
    expect(store.record('pay', 'p/2')!.objectId).toBeUndefined()
  })
})

describe('resolve and refresh', () => {
  it('a record no longer submitted is returned as it is, without asking the node', async () => {
    fake.fund(me.address, IOTA)
    await adapter().pay(request())
    const r = store.record('pay', 'p/1')!
    const calls = fake.calls.length
    const ledger = ledgerOf()
    expect(await ledger.resolve(r)).toBe(r)
    expect(await ledger.refresh(r)).toBe(r)
    expect(fake.calls.length).toBe(calls)
  })

  it('refresh: a transient failure leaves the record as it is; any other is thrown', async () => {
    fake.fund(me.address, IOTA)
    fake.dropNextExecute('before')
    await rejected(adapter({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).pay(request()))
    const r = store.record('pay', 'p/1')!
    const ledger = ledgerOf()
    fake.failNext(2, 503, 'iota_getTransactionBlock')
    expect(await ledger.refresh(r)).toBe(r)
    fake.failNext(1, 404, 'iota_getTransactionBlock')
    expect(await rejected(ledger.refresh(r))).toMatchObject({ code: 'rpc-http-404' })
    // not known to the node: as it is
    expect(await ledger.refresh(r)).toBe(r)
    expect(store.record('pay', 'p/1')!.status).toBe('submitted')
  })
})

describe('settleByHand', () => {
  it('refuses a key it never signed, another digest, and a transaction already confirmed', async () => {
    fake.fund(me.address, IOTA)
    const ledger = ledgerOf()
    expect(await rejected(ledger.settleByHand('pay', 'p/1', 'D', true))).toMatchObject({ name: 'SettlementError', code: IotaErrorCode.invalidRequest, message: 'no pay under key p/1' })
    const receipt = await adapter().pay(request())
    expect(await rejected(ledger.settleByHand('pay', 'p/1', 'D', true))).toMatchObject({ code: IotaErrorCode.invalidRequest, message: `the pay under key p/1 is transaction ${receipt.digest}, not D` })
    expect(await rejected(ledger.settleByHand('pay', 'p/1', receipt.digest, false))).toMatchObject({ code: IotaErrorCode.invalidRequest, message: `transaction ${receipt.digest} is confirmed on the ledger; there is nothing to settle by hand` })
  })

  it('executed: confirmed at the adapter\'s time, no longer uncertain; not executed: failed, settled by hand', async () => {
    fake.fund(me.address, IOTA)
    fake.dropNextExecute('before')
    await rejected(adapter({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).pay(request()))
    const r = store.record('pay', 'p/1')!
    store.map.set('iota/testnet/pay/p/1', JSON.stringify({ ...r, uncertain: true, error: { code: 'outcome-unknown', message: 'x' } }))
    const yes = await ledgerOf().settleByHand('pay', 'p/1', r.digest, true)
    expect(yes).toMatchObject({ status: 'confirmed', at: 777, uncertain: false })
    expect(yes.error).toBeUndefined()
    expect(store.record('pay', 'p/1')).toMatchObject({ status: 'confirmed', at: 777, uncertain: false })
    expect(await ledgerOf().journal.pending()).toEqual([])

    fake.dropNextExecute('before')
    await rejected(adapter({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).pay(request('p/2')))
    const s = store.record('pay', 'p/2')!
    store.map.set('iota/testnet/pay/p/2', JSON.stringify({ ...s, uncertain: true }))
    const no = await ledgerOf().settleByHand('pay', 'p/2', s.digest, false)
    expect(no).toMatchObject({ status: 'failed', uncertain: false, error: { code: IotaErrorCode.settledByHand, message: `transaction ${s.digest} did not execute (said by the operator)` } })
    expect(store.record('pay', 'p/2')).toMatchObject({ status: 'failed', uncertain: false, error: { code: IotaErrorCode.settledByHand } })
  })
})

describe('settlePending', () => {
  it('skips the record it is told to, and resolves the others', async () => {
    fake.fund(me.address, IOTA)
    fake.dropNextExecute('before')
    await rejected(adapter({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).pay(request()))
    const calls = fake.calls.length
    await ledgerOf().settlePending(undefined, 'pay/p/1')
    expect(fake.calls.length).toBe(calls)
    expect(store.record('pay', 'p/1')!.status).toBe('submitted')
    await ledgerOf().settlePending()
    expect(store.record('pay', 'p/1')!.status).toBe('confirmed')
  })

  it('an earlier transaction still unresolved holds up a new one, and the error says which', async () => {
    fake.fund(me.address, IOTA)
    fake.dropNextExecute('before')
    await rejected(adapter({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).pay(request()))
    const r = store.record('pay', 'p/1')!
    fake.failNext(10, 503, 'iota_getTransactionBlock')
    const err = await rejected(adapter().pay(request('p/2')))
    expect(err).toBeInstanceOf(TransientLedgerError)
    expect((err as Error).message).toMatch(new RegExp(`^an earlier transaction \\(pay p/1, ${r.digest}\\) is still unresolved, so no new one is signed: look up transaction ${r.digest} failed 2 time\\(s\\)`))
    expect((err as Error).cause).toBeInstanceOf(TransientLedgerError)
    expect(store.record('pay', 'p/2')).toBeUndefined()
    // any other error is thrown as it is
    fake.clearFaults()
    fake.failNext(1, 404, 'iota_getTransactionBlock')
    expect(await rejected(adapter().pay(request('p/2')))).toMatchObject({ code: 'rpc-http-404' })
  })
})
