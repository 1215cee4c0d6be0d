/**
 * The iota adapter's crash safety (write before send), against FakeIotaRpc, a TEST DOUBLE of an IOTA full node:
 * a crash after the signed transaction is stored, an execute that never reached the node or whose answer was
 * lost, an earlier transaction resolved before a new one is signed, and outcomes the node can no longer tell
 * (a coin spent elsewhere, a pruned transaction) settled by hand. The setup: helpers/iota-adapter-rig.ts.
 */
import { describe, expect, it } from 'vitest'
import { TransientLedgerError } from '../src/port.ts'
import { IotaErrorCode } from '../src/iota/index.ts'
import { IOTA, adapter, bob, carol, fake, freshNodeEachTest, payer, request, store } from './helpers/iota-adapter-rig.ts'

freshNodeEachTest()

describe('iota adapter against a full node test double', () => {
  describe('crash safety (write before send)', () => {
    it('a crash right after the signed transaction is stored: a new instance sends the same bytes, once', async () => {
      fake.fund(payer, 5 * IOTA)
      store.crashAfterPutOf = 'submitted'
      await expect(adapter().pay(request)).rejects.toThrow(/simulated crash/)
      const stored = store.record('pay', request.key)!
      expect(stored.status).toBe('submitted')
      expect(fake.submissions).toEqual([]) // nothing reached the node

      const receipt = await adapter().pay(request) // "after the restart"
      expect(receipt.digest).toBe(stored.digest)
      expect(fake.executions.map(e => e.digest)).toEqual([stored.digest])
      expect(Buffer.from(fake.executions[0].bytes).toString('base64')).toBe(stored.bytes)
      expect(store.record('pay', request.key)!.status).toBe('confirmed')
    })

    it('execute never reached the node (network error): a new instance re-sends the same signed bytes', async () => {
      fake.fund(payer, 5 * IOTA)
      fake.dropNextExecute('before')
      const err = await adapter({ retry: { attempts: 1, baseDelayMs: 1 } })
        .pay(request)
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TransientLedgerError)
      const stored = store.record('pay', request.key)!
      expect(stored.status).toBe('submitted')
      expect(fake.executions).toHaveLength(0)

      const receipt = await adapter().pay(request)
      expect(receipt.digest).toBe(stored.digest)
      expect(fake.executions.map(e => e.digest)).toEqual([stored.digest])
      expect(await adapter().balance(bob)).toBe(150_000_000)
    })

    it('execute ran but its answer was lost: a new instance finds it on the ledger and sends nothing', async () => {
      fake.fund(payer, 5 * IOTA)
      fake.dropNextExecute('after')
      await expect(adapter({ retry: { attempts: 1, baseDelayMs: 1 } }).pay(request)).rejects.toBeInstanceOf(TransientLedgerError)
      const stored = store.record('pay', request.key)!
      expect(stored.status).toBe('submitted')
      expect(fake.executions).toHaveLength(1)

      const a = adapter()
      expect((await a.payment(request.key))?.status).toBe('confirmed') // a read asks the ledger
      const receipt = await a.pay(request)
      expect(receipt.digest).toBe(stored.digest)
      expect(fake.executions).toHaveLength(1)
      expect(fake.submissions).toEqual([stored.digest]) // looked up, not re-sent
      expect(await a.balance(bob)).toBe(150_000_000)
    })

    it('a lost answer within one call is retried with the same bytes and still executes once', async () => {
      fake.fund(payer, 5 * IOTA)
      fake.dropNextExecute('after')
      const receipt = await adapter().pay(request)
      expect(fake.executions).toHaveLength(1)
      expect(fake.submissions).toEqual([receipt.digest, receipt.digest]) // re-sent: the node answers with the earlier result
      expect(await adapter().balance(bob)).toBe(150_000_000)
    })

    it('resolves an earlier unresolved transaction before signing a new one', async () => {
      fake.fund(payer, 5 * IOTA)
      fake.dropNextExecute('before')
      await expect(adapter({ retry: { attempts: 1, baseDelayMs: 1 } }).pay(request)).rejects.toBeInstanceOf(TransientLedgerError)
      const first = store.record('pay', request.key)!
      const second = await adapter().pay({ key: 'period-2/payer', payer, transfers: [{ to: bob, amount: 1 }] })
      expect(fake.executions.map(e => e.digest)).toEqual([first.digest, second.digest])
      expect(store.record('pay', request.key)!.status).toBe('confirmed')
      expect(await adapter().balance(bob)).toBe(150_000_001)
    })

    it(
      'a stored transaction whose coin was spent elsewhere and that ' + 'the node does not know is an unknown outcome, not a failure',
      async () => {
        const coin = fake.fund(payer, 5 * IOTA)
        fake.dropNextExecute('before')
        await expect(adapter({ retry: { attempts: 1, baseDelayMs: 1 } }).pay(request)).rejects.toBeInstanceOf(TransientLedgerError)
        const dead = store.record('pay', request.key)!
        fake.spend(coin) // another wallet with the same key spent the coin meanwhile

        // the adapter cannot tell this from "it executed, and the node has pruned it": it builds nothing new
        const a = adapter()
        const err = await a.pay(request).catch((e: unknown) => e)
        expect(err).toMatchObject({ name: 'SettlementError', code: IotaErrorCode.outcomeUnknown })
        expect((err as Error).message).toContain(dead.digest)
        expect((err as Error).message).toMatch(/settleByHand/)
        await expect(a.pay(request)).rejects.toMatchObject({ code: IotaErrorCode.outcomeUnknown })
        expect(fake.executions).toHaveLength(0)
        // other keys are not held up by it
        expect((await a.pay({ key: 'period-2/payer', payer, transfers: [{ to: carol, amount: 5 }] })).status).toBe('confirmed')

        // the operator looked it up: it never executed
        await a.settleByHand('pay', request.key, dead.digest, false)
        const receipt = await a.pay(request)
        expect(receipt.digest).not.toBe(dead.digest)
        const now = store.record('pay', request.key)!
        expect(now.attempt).toBe(2)
        expect(now.previous).toEqual([dead.digest])
        expect(await a.balance(bob)).toBe(150_000_000)
      }
    )

    it('a transaction that executed but was pruned from the node is never paid twice', async () => {
      fake.fund(payer, 5 * IOTA)
      fake.dropNextExecute('after')
      await expect(adapter({ retry: { attempts: 1, baseDelayMs: 1 } }).pay(request)).rejects.toBeInstanceOf(TransientLedgerError)
      const stored = store.record('pay', request.key)!
      fake.prune(stored.digest) // the full node no longer knows it; its coins are spent

      const a = adapter()
      await expect(a.pay(request)).rejects.toMatchObject({ code: IotaErrorCode.outcomeUnknown })
      expect(fake.executions).toHaveLength(1)
      await a.settleByHand('pay', request.key, stored.digest, true) // the explorer shows it executed
      const receipt = await a.pay(request)
      expect(receipt).toMatchObject({ digest: stored.digest, status: 'confirmed' })
      expect(fake.executions).toHaveLength(1)
      expect(await a.balance(bob)).toBe(150_000_000)
    })
  })
})
