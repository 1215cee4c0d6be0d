import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { IotaClient } from '@iota/iota-sdk/client'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { iotaAddress, signerFromSeed } from '@kvartal/protocol'
import { SettlementError, TransientLedgerError } from '../src/port.ts'
import {
  IotaConfigError,
  IotaErrorCode,
  IotaNotarizationPackages,
  decodeAttestationTransaction,
  decodePaymentTransaction,
  iotaSettlement,
  type IotaSettlement,
  type IotaSettlementOptions,
  type SettlementStore,
  type TxRecord
} from '../src/iota/index.ts'
import { FakeIotaRpc } from '../testing/fake-iota-rpc.ts'

// Every test here talks JSON-RPC over HTTP to FakeIotaRpc, a test double for an IOTA full node (none can be
// reached from here). The adapter is given `new IotaClient({ url })` pointed at it.

/** Resolves once `cond` holds; throws naming `what` after `timeoutMs` (no wait without a deadline). */
async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

const seed = new Uint8Array(32).fill(21)
const payer = iotaAddress(signerFromSeed(seed).publicKey)
const bob = iotaAddress(signerFromSeed(new Uint8Array(32).fill(22)).publicKey)
const carol = iotaAddress(signerFromSeed(new Uint8Array(32).fill(23)).publicKey)
const dave = iotaAddress(signerFromSeed(new Uint8Array(32).fill(24)).publicKey)
const IOTA = 1_000_000_000
const ROOT = 'ab'.repeat(32)

/** A durable store as the node's journal would be: a Map that outlives adapter instances. */
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

let fake: FakeIotaRpc
let store: MapStore
beforeEach(async () => {
  fake = await FakeIotaRpc.start()
  store = new MapStore()
})
afterEach(async () => {
  await fake.close()
})

function adapter(extra: Partial<IotaSettlementOptions> = {}): IotaSettlement {
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

const request = {
  key: 'period-1/payer',
  payer,
  transfers: [
    { to: bob, amount: 150_000_000 },
    { to: carol, amount: 7 },
    { to: dave, amount: 2 * IOTA }
  ]
}

describe('iota adapter against a full node test double', () => {
  it('derives its address from the node seed and says which network it settles on', () => {
    const a = adapter()
    expect(a.address).toBe(payer)
    expect(a.address).toBe(Ed25519Keypair.fromSecretKey(seed).toIotaAddress())
    expect(a.name).toContain('testnet')
    expect(a.name).toContain(payer)
  })

  it('pays every recipient in one executed transaction whose decoded transfers match', async () => {
    fake.fund(payer, 5 * IOTA)
    const a = adapter()
    const receipt = await a.pay(request)
    expect(receipt.status).toBe('confirmed')
    expect(receipt.payer).toBe(payer)
    expect(receipt.transfers).toEqual(request.transfers)
    expect(receipt.at).toBeTypeOf('number')
    expect(fake.executions).toHaveLength(1)
    expect(fake.executions[0].digest).toBe(receipt.digest)
    const decoded = decodePaymentTransaction(fake.executions[0].bytes)
    expect(decoded.sender).toBe(payer)
    expect(decoded.transfers).toEqual(request.transfers)
    expect(decoded.gasBudget).toBe(50_000_000)
    expect(decoded.gasPrice).toBe(1000) // the reference gas price, asked of the node
    expect(await a.balance(bob)).toBe(150_000_000)
    expect(await a.balance(carol)).toBe(7)
    expect(await a.balance(dave)).toBe(2 * IOTA)
    expect(await a.balance(payer)).toBe(5 * IOTA - 150_000_007 - 2 * IOTA - 1_000_000 - 4 * 500_000) // minus the fake's gas fee
    expect(await a.payment(request.key)).toEqual(receipt)
    expect(fake.unknownMethods).toEqual([])
  })

  it('pays a key once: a retried pay() returns the same receipt and the node sees one execution', async () => {
    fake.fund(payer, 5 * IOTA)
    const a = adapter()
    const first = await a.pay(request)
    const again = await a.pay(request)
    const fresh = await adapter().pay(request) // another instance on the same store
    expect(again).toEqual(first)
    expect(fresh).toEqual(first)
    expect(fake.executions).toHaveLength(1)
    expect(fake.submissions).toEqual([first.digest])
    expect(await a.balance(bob)).toBe(150_000_000)
  })

  it('concurrent pay() calls for one key execute one transaction', async () => {
    fake.fund(payer, 5 * IOTA)
    const a = adapter()
    const [x, y] = await Promise.all([a.pay(request), a.pay(request)])
    expect(y.digest).toBe(x.digest)
    expect(fake.executions).toHaveLength(1)
  })

  it('refuses to reuse a key for different transfers', async () => {
    fake.fund(payer, 5 * IOTA)
    const a = adapter()
    await a.pay(request)
    await expect(a.pay({ ...request, transfers: [{ to: bob, amount: 1 }] })).rejects.toMatchObject({
      name: 'SettlementError',
      code: IotaErrorCode.keyConflict
    })
    expect(fake.executions).toHaveLength(1)
  })

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

  describe('attestation', () => {
    it('anchors a root once, as a locked notarization the ledger holds', async () => {
      fake.fund(payer, IOTA)
      const a = adapter()
      expect(await a.attestation('d/p1')).toBeUndefined()
      const att = await a.attest('d/p1', ROOT, 42)
      expect(att).toMatchObject({ key: 'd/p1', root: ROOT, leaves: 42, attester: payer })
      expect(att.notarizationId).toMatch(/^0x[0-9a-f]{64}$/)
      expect(fake.objectsOf(payer, '::notarization::Notarization<')).toEqual([
        { id: att.notarizationId, type: `${IotaNotarizationPackages.testnet.packageId}::notarization::Notarization<vector<u8>>` }
      ])
      expect(fake.executions).toHaveLength(1)
      expect(decodeAttestationTransaction(fake.executions[0].bytes)).toMatchObject({
        sender: payer,
        root: ROOT,
        key: 'd/p1',
        leaves: 42,
        packageId: IotaNotarizationPackages.testnet.packageId
      })

      expect(await a.attest('d/p1', ROOT, 42)).toEqual(att)
      expect(await adapter().attestation('d/p1')).toEqual(att)
      expect(fake.executions).toHaveLength(1)
      await expect(a.attest('d/p1', 'cd'.repeat(32), 42)).rejects.toMatchObject({ code: IotaErrorCode.keyConflict })
      expect(fake.unknownMethods).toEqual([])
    })

    it('an attestation lost in a crash is found on the ledger, not sent twice; unconfirmed it is not an attestation', async () => {
      fake.fund(payer, IOTA)
      fake.dropNextExecute('before')
      await expect(adapter({ retry: { attempts: 1, baseDelayMs: 1 } }).attest('d/p2', ROOT, 3)).rejects.toBeInstanceOf(TransientLedgerError)
      expect(await adapter().attestation('d/p2')).toBeUndefined() // signed, not on the ledger: proves nothing
      const stored = store.record('attest', 'd/p2')!
      const att = await adapter().attest('d/p2', ROOT, 3)
      expect(att.digest).toBe(stored.digest)
      expect(fake.executions).toHaveLength(1)
    })

    it('names the notarization package by the chain it talks to, and says what to do on a chain without one', async () => {
      expect(await adapter().notarizationPackageId()).toBe(IotaNotarizationPackages.testnet.packageId)
      await fake.close()
      fake = await FakeIotaRpc.start({ chainId: 'deadbeef' })
      fake.fund(payer, IOTA)
      await expect(adapter().attest('d/p3', ROOT, 1)).rejects.toMatchObject({
        code: IotaErrorCode.noNotarizationPackage,
        message: expect.stringMatching(/notarizationPackageId/)
      })
      expect(await adapter({ notarizationPackageId: '0xabc' }).notarizationPackageId()).toBe('0x' + '0'.repeat(61) + 'abc')
    })
  })

  describe('faucet', () => {
    it('asks the faucet for IOTA and waits until the balance has grown', async () => {
      const a = adapter({ faucetUrl: fake.url })
      expect(await a.balance(payer)).toBe(0)
      await a.requestFaucet()
      expect(await a.balance(payer)).toBe(10 * IOTA)
      expect((await a.pay(request)).status).toBe('confirmed')
    })

    it('says there is no faucet on mainnet', async () => {
      await expect(adapter({ network: 'mainnet' }).requestFaucet()).rejects.toMatchObject({ code: 'no-faucet' })
    })
  })

  describe('options', () => {
    it('are validated with errors that name the field', () => {
      const base = { network: 'testnet', seed, store }
      const field = (o: unknown): string | undefined => {
        try {
          iotaSettlement(o as IotaSettlementOptions)
        } catch (e) {
          expect(e).toBeInstanceOf(IotaConfigError)
          return (e as IotaConfigError).field
        }
        return undefined
      }
      expect(field({ ...base, seed: new Uint8Array(31) })).toBe('seed')
      expect(field({ ...base, network: 'moon' })).toBe('network')
      expect(field({ ...base, network: 'ftp://x' })).toBe('network')
      expect(field({ ...base, gasBudget: 1.5 })).toBe('gasBudget')
      expect(field({ ...base, gasBudget: 60_000_000_000 })).toBe('gasBudget')
      expect(field({ ...base, gasPrice: 0 })).toBe('gasPrice')
      expect(field({ ...base, retry: { attempts: 0 } })).toBe('retry.attempts')
      expect(field({ ...base, store: {} })).toBe('store')
      expect(field({ ...base, notarizationPackageId: 'pkg' })).toBe('notarizationPackageId')
      expect(field(base)).toBeUndefined()
      expect(field({ ...base, network: 'http://127.0.0.1:9000' })).toBeUndefined()
    })
  })
})
