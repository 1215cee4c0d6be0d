import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { bcs } from '@iota/iota-sdk/bcs'
import { IotaClient } from '@iota/iota-sdk/client'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { Transaction } from '@iota/iota-sdk/transactions'
import { fromBase64, toBase58 } from '@iota/iota-sdk/utils'
import { iotaAddress, signerFromSeed } from '@kvartal/protocol'
import { SettlementError, TransientLedgerError } from '../src/port.ts'
import { IotaErrorCode, iotaSettlement, type IotaSettlement, type SettlementStore } from '../src/iota/index.ts'
import { FakeIotaRpc } from '../testing/fake-iota-rpc.ts'
import { MapStore } from './helpers/map-store.ts'

// Settlement.lookup(digest) of the iota adapter: how a payee checks, on the ledger, that a payer paid.
// Every test talks JSON-RPC over HTTP to FakeIotaRpc, a test double of an IOTA full node.

const payerSeed = new Uint8Array(32).fill(31)
const payeeSeed = new Uint8Array(32).fill(32)
const payer = iotaAddress(signerFromSeed(payerSeed).publicKey)
const payee = iotaAddress(signerFromSeed(payeeSeed).publicKey)
const carol = iotaAddress(signerFromSeed(new Uint8Array(32).fill(33)).publicKey)
const IOTA = 1_000_000_000
const COIN_TYPE = '0x2::iota::IOTA'

let fake: FakeIotaRpc
beforeEach(async () => {
  fake = await FakeIotaRpc.start()
})
afterEach(async () => {
  await fake.close()
})

/** One node's adapter: its own key and its own store. */
function adapter(seed: Uint8Array, store: SettlementStore = new MapStore()): IotaSettlement {
  return iotaSettlement({
    network: 'testnet',
    seed,
    store,
    client: new IotaClient({ url: fake.url }),
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    pollIntervalMs: 10,
    confirmTimeoutMs: 2_000
  })
}

const request = {
  key: 'period-7/pay',
  payer,
  transfers: [
    { to: payee, amount: 250_000_000 },
    { to: carol, amount: 42 },
    { to: payee, amount: 3 }
  ]
}

describe('iota adapter: lookup(digest), a payment seen on the ledger', () => {
  it(
    'a payment made by one adapter instance is found, with its payer and ' +
      "transfers, by the payee's instance (another key); key is '' there",
    async () => {
      fake.fund(payer, 5 * IOTA)
      const paying = adapter(payerSeed)
      const receipt = await paying.pay(request)
      expect(receipt.status).toBe('confirmed')

      const receiving = adapter(payeeSeed)
      expect(receiving.address).toBe(payee)
      const seen = await receiving.lookup(receipt.digest)
      // read from the signed transaction itself: every transfer, in order, also two to the same recipient
      expect(seen).toEqual({ key: '', digest: receipt.digest, status: 'confirmed', payer, transfers: request.transfers, at: receipt.at })
      // the payer's own journal signed that digest, so its lookup names the key it paid under
      expect(await paying.lookup(receipt.digest)).toEqual(receipt)
      expect(fake.executions).toHaveLength(1)
      expect(fake.unknownMethods).toEqual([])
    }
  )

  it("the payer's key survives a new instance on the same store", async () => {
    fake.fund(payer, 5 * IOTA)
    const store = new MapStore()
    const receipt = await adapter(payerSeed, store).pay(request)
    expect(await adapter(payerSeed, store).lookup(receipt.digest)).toEqual(receipt)
  })

  it('an unknown digest is undefined; so is a string that is not a digest, and a transaction that is not a payment', async () => {
    fake.fund(payer, 5 * IOTA)
    const receiving = adapter(payeeSeed)
    expect(await receiving.lookup(toBase58(new Uint8Array(randomBytes(32))))).toBeUndefined()
    const asked = fake.calls.length
    expect(await receiving.lookup('not-a-digest')).toBeUndefined()
    expect(await receiving.lookup('')).toBeUndefined()
    expect(fake.calls.length).toBe(asked) // nothing to ask the node
    // an attestation is on the ledger, but it pays no one
    const attestation = await adapter(payerSeed).attest('district/period-7', 'cd'.repeat(32), 3)
    expect(await receiving.lookup(attestation.digest)).toBeUndefined()
  })

  it(
    'a failed execution is reported failed, with the transfers it would have ' +
      "made and no time; the payer's journal keeps its key after a new attempt",
    async () => {
      fake.fund(payer, 5 * IOTA)
      const store = new MapStore()
      const paying = adapter(payerSeed, store)
      fake.failNextExecutionWith('InsufficientCoinBalance in command 0')
      await expect(paying.pay(request)).rejects.toMatchObject({ name: 'SettlementError', code: IotaErrorCode.insufficientCoinBalance })
      const failedDigest = store.record('pay', request.key)!.digest

      const receiving = adapter(payeeSeed)
      expect(await receiving.lookup(failedDigest)).toEqual({
        key: '',
        digest: failedDigest,
        status: 'failed',
        payer,
        transfers: request.transfers
      })
      // the node says it moved nothing but the gas
      const raw = await new IotaClient({ url: fake.url }).getTransactionBlock({
        digest: failedDigest,
        options: { showEffects: true, showBalanceChanges: true }
      })
      expect(raw.effects?.status).toEqual({ status: 'failure', error: 'InsufficientCoinBalance in command 0' })
      expect(raw.balanceChanges).toEqual([{ owner: { AddressOwner: payer }, coinType: COIN_TYPE, amount: '-1000000' }])

      // the same key pays with a new transaction; the failed one is still its key's, and still failed
      const paid = await paying.pay(request)
      expect(paid.digest).not.toBe(failedDigest)
      expect(await paying.lookup(failedDigest)).toEqual({
        key: request.key,
        digest: failedDigest,
        status: 'failed',
        payer,
        transfers: request.transfers
      })
      expect(await paying.lookup(paid.digest)).toEqual(paid)
      expect(await receiving.lookup(paid.digest)).toMatchObject({ key: '', status: 'confirmed', payer, transfers: request.transfers })
    }
  )

  it('a payment of another shape (built by another wallet) is read from its balance changes: what others received in IOTA', async () => {
    fake.fund(payer, 5 * IOTA)
    const client = new IotaClient({ url: fake.url })
    const keypair = Ed25519Keypair.fromSecretKey(payerSeed)
    const coins = await client.getCoins({ owner: payer })
    const tx = new Transaction()
    tx.setSender(payer)
    tx.setGasPrice(1000)
    tx.setGasBudget(50_000_000)
    tx.setGasPayment(coins.data.map(c => ({ objectId: c.coinObjectId, version: c.version, digest: c.digest })))
    const [a, b, c] = tx.splitCoins(tx.gas, [tx.pure.u64(100), tx.pure.u64(200), tx.pure.u64(300)])
    tx.transferObjects([a, b], tx.pure.address(payee)) // two coins in one transfer: not buildPaymentTransaction's shape
    tx.transferObjects([c], tx.pure.address(carol))
    const bytes = await tx.build()
    const { signature } = await keypair.signTransaction(bytes)
    const executed = await client.executeTransactionBlock({ transactionBlock: bytes, signature, options: { showEffects: true } })
    expect(executed.effects?.status.status).toBe('success')

    // what the node answers: raw input is the signed transaction (BCS SenderSignedData), balance changes per owner
    const shown = await client.getTransactionBlock({ digest: executed.digest, options: { showRawInput: true, showBalanceChanges: true } })
    const signed = bcs.SenderSignedData.parse(fromBase64(shown.rawTransaction!))
    expect(signed).toHaveLength(1)
    expect(signed[0].txSignatures).toEqual([signature])
    expect(bcs.TransactionData.serialize(signed[0].intentMessage.value).toBytes()).toEqual(bytes)
    expect(shown.effects).toBeUndefined() // not asked for
    const gas = 1_000_000 + 4 * 500_000 // the fake's computation cost, and storage for three coins and the gas coin
    expect(shown.balanceChanges).toEqual([
      { owner: { AddressOwner: payer }, coinType: COIN_TYPE, amount: String(-(600 + gas)) },
      { owner: { AddressOwner: payee }, coinType: COIN_TYPE, amount: '300' },
      { owner: { AddressOwner: carol }, coinType: COIN_TYPE, amount: '300' }
    ])

    const seen = await adapter(payeeSeed).lookup(executed.digest)
    expect(seen?.status).toBe('confirmed')
    expect(seen?.payer).toBe(payer)
    expect(seen?.key).toBe('')
    expect([...seen!.transfers].sort((x, y) => (x.to < y.to ? -1 : 1))).toEqual(
      [
        { to: payee, amount: 300 },
        { to: carol, amount: 300 }
      ].sort((x, y) => (x.to < y.to ? -1 : 1))
    )
  })

  it('transient node failures are a TransientLedgerError; an aborted signal stops the lookup', async () => {
    fake.fund(payer, 5 * IOTA)
    const receipt = await adapter(payerSeed).pay(request)
    const receiving = adapter(payeeSeed)
    fake.failNext(3, 503, 'iota_getTransactionBlock')
    await expect(receiving.lookup(receipt.digest)).rejects.toBeInstanceOf(TransientLedgerError)
    fake.failNext(1, 429, 'iota_getTransactionBlock')
    expect(await receiving.lookup(receipt.digest)).toMatchObject({ status: 'confirmed', payer }) // retried
    const abort = new AbortController()
    abort.abort(new Error('caller gave up'))
    await expect(receiving.lookup(receipt.digest, { signal: abort.signal })).rejects.toThrow('caller gave up')
  })

  it('a node that answers a lookup with another transaction is not believed', async () => {
    fake.fund(payer, 5 * IOTA)
    const store = new MapStore()
    const paying = adapter(payerSeed, store)
    const first = await paying.pay(request)
    const second = await paying.pay({ ...request, key: 'period-8/pay' })
    fake.swapResponses(first.digest, second.digest)
    await expect(adapter(payeeSeed).lookup(first.digest)).rejects.toSatisfy(
      (e: unknown) => e instanceof SettlementError && e.code === IotaErrorCode.unexpected
    )
  })
})
