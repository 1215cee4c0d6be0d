/**
 * The iota adapter's failures, against FakeIotaRpc, a TEST DOUBLE of an IOTA full node: transient HTTP errors
 * retried and then surfaced, an address without funds, an execution that fails, a gas price the node refuses,
 * an aborted signal before and during execution, and requests checked before anything is built. The setup:
 * helpers/iota-adapter-rig.ts.
 */
import { describe, expect, it } from 'vitest'
import { SettlementError, TransientLedgerError } from '../src/port.ts'
import { IotaErrorCode, decodePaymentTransaction } from '../src/iota/index.ts'
import { IOTA, adapter, bob, fake, freshNodeEachTest, payer, request, store, until } from './helpers/iota-adapter-rig.ts'

freshNodeEachTest()

describe('iota adapter against a full node test double', () => {
  describe('failures', () => {
    it('retries transient HTTP 503s and 429s', async () => {
      fake.fund(payer, 5 * IOTA)
      fake.failNext(2, 503)
      fake.failNext(1, 429, 'iota_executeTransactionBlock')
      const receipt = await adapter().pay(request)
      expect(receipt.status).toBe('confirmed')
      expect(fake.executions).toHaveLength(1)
      expect(fake.calls.filter(m => m === 'iota_executeTransactionBlock')).toHaveLength(2)
    })

    it('surfaces a TransientLedgerError when the tries run out, and pays on a later call', async () => {
      fake.fund(payer, 5 * IOTA)
      fake.failNext(1000, 503, 'iota_executeTransactionBlock')
      const err = await adapter({ retry: { attempts: 3, baseDelayMs: 1 } })
        .pay(request)
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TransientLedgerError)
      expect((err as Error).name).toBe('TransientLedgerError')
      expect((err as Error).message).toMatch(/3 time\(s\).*503/)
      expect(fake.calls.filter(m => m === 'iota_executeTransactionBlock')).toHaveLength(3)
      const stored = store.record('pay', request.key)!
      expect(stored.status).toBe('submitted')
      expect((await adapter().payment(request.key))?.status).toBe('submitted')

      fake.clearFaults() // the node is back
      const receipt = await adapter().pay(request)
      expect(receipt.digest).toBe(stored.digest)
      expect(fake.executions).toHaveLength(1)
    })

    it('an address without enough IOTA gets a SettlementError that says to fund it, and nothing is signed', async () => {
      fake.fund(payer, IOTA)
      const err = await adapter()
        .pay(request)
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(SettlementError)
      expect(err).toMatchObject({ name: 'SettlementError', code: IotaErrorCode.insufficientFunds })
      expect((err as Error).message).toContain(payer)
      expect((err as Error).message).toMatch(/faucet/)
      expect(store.record('pay', request.key)).toBeUndefined()
      expect(fake.submissions).toEqual([])
    })

    it('an execution failure (InsufficientCoinBalance) is a SettlementError; after funding, the same key pays once', async () => {
      fake.fund(payer, 5 * IOTA)
      fake.failNextExecutionWith('InsufficientCoinBalance in command 0')
      const a = adapter()
      const err = await a.pay(request).catch((e: unknown) => e)
      expect(err).toMatchObject({ name: 'SettlementError', code: IotaErrorCode.insufficientCoinBalance })
      expect((err as Error).message).toMatch(/fund the address from the faucet/)
      expect((err as Error).message).toContain('InsufficientCoinBalance')
      const failed = store.record('pay', request.key)!
      expect(failed.status).toBe('failed')
      expect((await a.payment(request.key))?.status).toBe('failed')
      expect(await a.balance(bob)).toBe(0)

      const receipt = await a.pay(request)
      expect(receipt.status).toBe('confirmed')
      expect(receipt.digest).not.toBe(failed.digest)
      expect(fake.executions.map(e => e.status)).toEqual(['failure', 'success'])
      expect(await a.balance(bob)).toBe(150_000_000)
    })

    it('a transaction the node refuses (gas price under the reference price) is a SettlementError with a code', async () => {
      fake.fund(payer, 5 * IOTA)
      const err = await adapter({ gasPrice: 10 })
        .pay(request)
        .catch((e: unknown) => e)
      expect(err).toMatchObject({ name: 'SettlementError', code: IotaErrorCode.gasPriceTooLow })
      expect((err as Error).message).toMatch(/gasPrice option/)
      expect(store.record('pay', request.key)!.status).toBe('failed')
      expect(fake.executions).toHaveLength(0)
      // fixed: the next call builds a new transaction that spends the refused one's coin, so both can never run
      const refused = store.record('pay', request.key)!
      const receipt = await adapter().pay(request)
      expect(receipt.status).toBe('confirmed')
      expect(decodePaymentTransaction(fake.executions[0].bytes).gasPayment.map(p => p.objectId)).toEqual(
        decodePaymentTransaction(refused.bytes).gasPayment.map(p => p.objectId)
      )
    })

    it('respects an aborted signal: nothing is signed or sent', async () => {
      fake.fund(payer, 5 * IOTA)
      const ac = new AbortController()
      ac.abort()
      await expect(adapter().pay(request, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' })
      expect(store.record('pay', request.key)).toBeUndefined()
      expect(fake.submissions).toEqual([])
    })

    it('an abort while the node executes leaves the signed transaction stored; the next call finds it, once', async () => {
      fake.fund(payer, 5 * IOTA)
      fake.delayNext('iota_executeTransactionBlock', 300)
      const ac = new AbortController()
      const paying = adapter().pay(request, { signal: ac.signal })
      await until(() => fake.calls.includes('iota_executeTransactionBlock'), 'the execute request at the node')
      ac.abort() // while the node holds the execute request
      await expect(paying).rejects.toMatchObject({ name: 'AbortError' })
      const stored = store.record('pay', request.key)!
      expect(stored.status).toBe('submitted')
      await until(() => fake.executions.length > 0, 'the node to execute without us') // the node goes on without us
      const receipt = await adapter().pay(request)
      expect(receipt.digest).toBe(stored.digest)
      expect(fake.executions).toHaveLength(1)
      expect(fake.submissions).toEqual([stored.digest])
    })

    it('checks requests before building', async () => {
      const a = adapter()
      await expect(a.pay({ ...request, payer: bob })).rejects.toMatchObject({ code: IotaErrorCode.wrongPayer })
      await expect(a.pay({ ...request, transfers: [{ to: bob, amount: 1.5 }] })).rejects.toMatchObject({
        code: IotaErrorCode.invalidRequest
      })
      await expect(a.pay({ ...request, transfers: [{ to: '0x12', amount: 1 }] })).rejects.toMatchObject({
        code: IotaErrorCode.invalidRequest
      })
      await expect(a.attest('k', 'zz', 1)).rejects.toMatchObject({ code: IotaErrorCode.invalidRequest })
      expect(fake.calls).toEqual([])
    })
  })
})
