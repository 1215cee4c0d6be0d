/**
 * What IotaLedger stores when a transaction's outcome is unknown, settled by hand, or only known after a
 * refusal, and how an executed transaction's record is read off the node's answer: against FakeIotaRpc, a
 * TEST DOUBLE of an IOTA full node (none can be reached from here), and HookedClient, an IotaClient whose
 * answers a test can change (a node that loses an answer, forgets effects or a timestamp, or answers for
 * another transaction). The ledger's calls and gas coins: iota-ledger.test.ts. The setup both share:
 * helpers/iota-ledger-rig.ts.
 */
import { describe, expect, it } from 'vitest'
import { JsonRpcError } from '@iota/iota-sdk/client'
import { TransientLedgerError } from '../src/port.ts'
import { IotaErrorCode } from '../src/iota/errors.ts'
import { gasPaymentOf } from '../src/iota/ledger.ts'
import { rejected } from './helpers/parties.ts'
import { IOTA, adapter, client, count, fake, freshNodeEachTest, ledgerOf, me, request, store } from './helpers/iota-ledger-rig.ts'

const ROOT = 'ab'.repeat(32)

freshNodeEachTest()

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
    store.map.set(
      'iota/testnet/pay/p/1',
      JSON.stringify({
        ...r,
        status: 'failed',
        uncertain: true,
        checkpoint: undefined,
        at: undefined,
        error: { code: IotaErrorCode.badSignature, message: 'x' }
      })
    )
    const err = await rejected(adapter().pay(request()))
    expect(err).toMatchObject({
      name: 'SettlementError',
      code: IotaErrorCode.unexpected,
      message: `transaction ${receipt.digest} turned out to be on the ledger after all; call again`
    })
    expect(store.record('pay', 'p/1')).toMatchObject({ status: 'confirmed', digest: receipt.digest })
    expect(await adapter().pay(request())).toEqual(receipt)
    expect(fake.executions).toHaveLength(1)
  })
})

describe('a refusal the node contradicts', () => {
  it('refused, but the node has it: confirmed', async () => {
    fake.fund(me.address, IOTA)
    client.onExecute = async real => {
      await real()
      throw new JsonRpcError('Transaction needs to be rebuilt', -32002)
    }
    const receipt = await adapter().pay(request())
    expect(receipt.status).toBe('confirmed')
    expect(fake.executions).toHaveLength(1)
    expect(receipt.digest).toBe(fake.executions[0].digest)
  })

  it('an execute answered for another digest is not believed', async () => {
    fake.fund(me.address, IOTA)
    client.onExecute = async real => ({ ...(await real()), digest: 'someOtherDigest' })
    const err = await rejected(adapter().pay(request()))
    const stored = store.record('pay', 'p/1')!
    expect(err).toMatchObject({
      name: 'SettlementError',
      code: IotaErrorCode.unexpected,
      message:
        `the full node executed someOtherDigest for the signed transaction ` + `${stored.digest}: the stored bytes and the digest disagree`
    })
    expect(stored.status).toBe('submitted')
  })
})

describe('the outcome, as the node shows it', () => {
  it("waits for the checkpoint after an execute, and stores it with the node's time", async () => {
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

  it("the node's index lags: the effects from the execute are final, without a checkpoint", async () => {
    fake.fund(me.address, IOTA)
    client.onWait = async () => {
      throw new Error('timed out waiting')
    }
    const receipt = await adapter().pay(request())
    expect(receipt.status).toBe('confirmed')
    const r = store.record('pay', 'p/1')!
    expect(r.status).toBe('confirmed')
    expect(r.checkpoint).toBeUndefined()
    expect(r.at).toBe(1_750_000_000_250) // the execute's own timestamp
  })

  it('no effects and no checkpoint: stays submitted, a TransientLedgerError that says why', async () => {
    fake.fund(me.address, IOTA)
    client.onExecute = async real => ({ ...(await real()), effects: undefined })
    client.onWait = async () => {
      throw new Error('timed out waiting')
    }
    const err = await rejected(adapter().pay(request()))
    const r = store.record('pay', 'p/1')!
    expect(err).toBeInstanceOf(TransientLedgerError)
    expect((err as Error).message).toBe(
      `transaction ${r.digest} was not shown by the full node within 300 ms (timed ` +
        `out waiting); it stays 'submitted' and is looked up again on the next call`
    )
    expect((err as Error).cause).toBeInstanceOf(Error)
    expect(r.status).toBe('submitted')
  })

  it('an execute answered without effects or object changes: they are read from what the node shows', async () => {
    fake.fund(me.address, IOTA)
    client.onExecute = async real => ({ ...(await real()), effects: undefined, objectChanges: undefined })
    const receipt = await adapter().pay({ ...request(), attest: { key: 'a/1', root: ROOT, leaves: 2 } })
    expect(receipt.status).toBe('confirmed')
    const [notarization] = fake.objectsOf(me.address, '::notarization::Notarization<')
    expect(store.record('pay', 'p/1')).toMatchObject({ status: 'confirmed', objectId: notarization.id, checkpoint: '1' })
  })

  it('effects nowhere, though the node shows the transaction: stays submitted', async () => {
    fake.fund(me.address, IOTA)
    client.onExecute = async real => ({ ...(await real()), effects: undefined })
    client.onWait = async real => ({ ...(await real()), effects: undefined })
    const err = await rejected(adapter().pay(request()))
    const r = store.record('pay', 'p/1')!
    expect(err).toBeInstanceOf(TransientLedgerError)
    expect((err as Error).message).toBe(`the full node returned transaction ${r.digest} without its effects; it stays 'submitted'`)
    expect(r.status).toBe('submitted')
  })

  it("an abort while waiting: the caller's reason, and the record stays submitted", async () => {
    fake.fund(me.address, IOTA)
    const ac = new AbortController()
    const reason = new Error('caller gave up')
    client.onWait = async () => {
      ac.abort(reason)
      throw new Error('aborted')
    }
    expect(await rejected(adapter().pay(request(), { signal: ac.signal }))).toBe(reason)
    expect(store.record('pay', 'p/1')!.status).toBe('submitted')
  })

  it("no timestamp from the node: the adapter's clock", async () => {
    fake.fund(me.address, IOTA)
    client.onWait = async real => ({ ...(await real()), timestampMs: undefined })
    client.onExecute = async real => ({ ...(await real()), timestampMs: undefined })
    expect((await adapter().pay(request())).at).toBe(777)
  })

  it('an executed failure is stored as executed, with the node\'s error, or "execution failed" when it gives none', async () => {
    fake.fund(me.address, IOTA)
    fake.failNextExecutionWith('MoveAbort(0x2, 7)')
    const err = await rejected(adapter().pay(request()))
    expect(err).toMatchObject({ code: IotaErrorCode.moveAbort })
    expect(store.record('pay', 'p/1')).toMatchObject({ status: 'failed', executed: true, error: { code: IotaErrorCode.moveAbort } })
    fake.failNextExecutionWith('x')
    client.onWait = async real => {
      const r = await real()
      return { ...r, effects: { ...r.effects!, status: { status: 'failure' } } }
    }
    const plain = await rejected(adapter().pay(request('p/2')))
    const r = store.record('pay', 'p/2')!
    expect(plain).toMatchObject({
      code: IotaErrorCode.rejected,
      message: `transaction ${r.digest} was refused by the ledger: execution failed`
    })
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
    expect(await rejected(ledger.settleByHand('pay', 'p/1', 'D', true))).toMatchObject({
      name: 'SettlementError',
      code: IotaErrorCode.invalidRequest,
      message: 'no pay under key p/1'
    })
    const receipt = await adapter().pay(request())
    expect(await rejected(ledger.settleByHand('pay', 'p/1', 'D', true))).toMatchObject({
      code: IotaErrorCode.invalidRequest,
      message: `the pay under key p/1 is transaction ${receipt.digest}, not D`
    })
    expect(await rejected(ledger.settleByHand('pay', 'p/1', receipt.digest, false))).toMatchObject({
      code: IotaErrorCode.invalidRequest,
      message: `transaction ${receipt.digest} is confirmed on the ledger; there is nothing to settle by hand`
    })
  })

  it("executed: confirmed at the adapter's time, no longer uncertain; not executed: failed, settled by hand", async () => {
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
    expect(no).toMatchObject({
      status: 'failed',
      uncertain: false,
      error: { code: IotaErrorCode.settledByHand, message: `transaction ${s.digest} did not execute (said by the operator)` }
    })
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
    expect((err as Error).message).toMatch(
      new RegExp(
        `^an earlier transaction \\(pay p/1, ${r.digest}\\) is still unresolved, so ` +
          `no new one is signed: look up transaction ${r.digest} failed 2 time\\(s\\)`
      )
    )
    expect((err as Error).cause).toBeInstanceOf(TransientLedgerError)
    expect(store.record('pay', 'p/2')).toBeUndefined()
    // any other error is thrown as it is
    fake.clearFaults()
    fake.failNext(1, 404, 'iota_getTransactionBlock')
    expect(await rejected(adapter().pay(request('p/2')))).toMatchObject({ code: 'rpc-http-404' })
  })
})
