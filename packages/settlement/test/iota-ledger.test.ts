/**
 * The iota adapter's crash-safe core (IotaLedger) at its edges, against FakeIotaRpc, a TEST DOUBLE of an IOTA
 * full node (none can be reached from here): what every call says when the node answers HTTP 404, what the
 * ledger asks the node once or not at all (its network's label, the chain identifier, the gas price), and gas
 * coins chosen to the nano (largest first, the 256-coin cap, every page of coins). What is stored when an
 * outcome is unknown, and how it is read off the node's answer: iota-ledger-outcomes.test.ts. The setup both
 * share: helpers/iota-ledger-rig.ts.
 */
import { describe, expect, it } from 'vitest'
import { IotaHTTPStatusError } from '@iota/iota-sdk/client'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { SettlementError, TransientLedgerError } from '../src/port.ts'
import { resolveIotaSettlementOptions } from '../src/iota/config.ts'
import { IotaErrorCode } from '../src/iota/errors.ts'
import { TxJournal } from '../src/iota/journal.ts'
import { IotaLedger } from '../src/iota/ledger.ts'
import { rejected } from './helpers/parties.ts'
import { IOTA, adapter, bob, count, fake, freshNodeEachTest, ledgerOf, me, options, request, store } from './helpers/iota-ledger-rig.ts'

const BUDGET = 50_000_000

freshNodeEachTest()

const http404 = (what: string) => ({
  name: 'SettlementError',
  code: 'rpc-http-404',
  message: `${what}: the full node at testnet answered HTTP 404 Not Found; check the network option`
})

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

  it("errorOf: the record's code and message, or execution-failed naming the digest", () => {
    const ledger = ledgerOf()
    const base = {
      v: 1,
      kind: 'pay',
      key: 'k',
      status: 'failed',
      digest: 'D',
      bytes: '',
      signature: '',
      sender: me.address,
      attempt: 1,
      previous: [],
      signedAt: 1
    } as const
    expect(ledger.errorOf({ ...base, error: { code: 'move-abort', message: 'it aborted' } })).toMatchObject({
      name: 'SettlementError',
      code: 'move-abort',
      message: 'it aborted'
    })
    expect(ledger.errorOf(base)).toMatchObject({
      name: 'SettlementError',
      code: IotaErrorCode.executionFailed,
      message: 'transaction D failed'
    })
  })

  it('send() takes only a record in status submitted', async () => {
    const ledger = ledgerOf()
    const r = {
      v: 1,
      kind: 'pay',
      key: 'k',
      status: 'confirmed',
      digest: 'D',
      bytes: '',
      signature: '',
      sender: me.address,
      attempt: 1,
      previous: [],
      signedAt: 1
    } as const
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
      message:
        `${me.address} holds 75 nanos in 3 coin(s); this transaction needs 76 (what it moves plus the ` +
        `gas budget of ${BUDGET}); fund the address from the faucet: requestFaucet() on this adapter, ` +
        `or POST {"FixedAmountRequest":{"recipient":"${me.address}"}} to the testnet faucet's /gas`
    })
    expect((await ledger.selectGas(75n, [])).payment).toHaveLength(3)
  })

  it(
    'the coins an earlier attempt would spend are spent again while ' +
      'unspent at the same version, once each; the others come back as spent',
    async () => {
      const small = fake.fund(me.address, 5)
      const big = fake.fund(me.address, 100)
      const moved = fake.fund(me.address, 7)
      const gone = fake.fund(me.address, 9)
      const ledger = ledgerOf()
      const { payment: all } = await ledger.selectGas(121n, [])
      const ref = (id: string) => all.find(p => p.objectId === id)!
      fake.spend(moved)
      const refs = [
        ref(small),
        ref(small),
        ref(moved),
        { ...ref(gone), digest: ref(moved).digest },
        { objectId: '0x' + '99'.repeat(32), version: '1', digest: ref(small).digest }
      ]
      const { payment, spent } = await ledger.selectGas(1n, refs)
      expect(payment.map(p => p.objectId)).toEqual([small])
      expect(spent).toEqual([ref(moved), { ...ref(gone), digest: ref(moved).digest }, refs[4]])
      // the unspent one is taken first, then the largest for what is still needed
      const more = await ledger.selectGas(6n, [ref(small)])
      expect(more.payment.map(p => p.objectId)).toEqual([small, big])
      expect(more.spent).toEqual([])
    }
  )

  it('at most 256 coins: more are "spread over" and must be merged first; with too little in all, funding is the hint', async () => {
    for (let i = 0; i < 300; i++) fake.fund(me.address, 1)
    const ledger = ledgerOf({ network: 'mainnet' })
    expect((await ledger.selectGas(256n, [])).payment).toHaveLength(256)
    expect(await rejected(ledger.selectGas(257n, []))).toMatchObject({
      code: IotaErrorCode.insufficientFunds,
      message:
        `${me.address} holds 300 nanos in 300 coin(s); this transaction needs 257 (what it moves plus the gas budget ` +
        `of ${BUDGET}); they are spread over 300 coins, more than the 256 one transaction may spend: merge coins first`
    })
    expect(await rejected(ledger.selectGas(300n, []))).toMatchObject({ message: expect.stringMatching(/they are spread over 300 coins/) })
    expect(await rejected(ledger.selectGas(301n, []))).toMatchObject({
      message:
        `${me.address} holds 300 nanos in 300 coin(s); this transaction needs 301 (what ` +
        `it moves plus the gas budget of ${BUDGET}); send IOTA to ${me.address} on mainnet`
    })
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
