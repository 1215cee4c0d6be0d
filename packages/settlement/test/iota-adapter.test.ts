/**
 * The iota adapter through the Settlement port, against FakeIotaRpc, a TEST DOUBLE of an IOTA full node (none
 * can be reached from here): its address and name, a payment to several recipients in one transaction and
 * once per key, attestations as locked notarizations, the faucet, and the options' checks. What a crash
 * leaves and how it is resumed: iota-adapter-crash.test.ts; failures: iota-adapter-failures.test.ts. The
 * setup they share: helpers/iota-adapter-rig.ts.
 */
import { describe, expect, it } from 'vitest'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { TransientLedgerError } from '../src/port.ts'
import {
  IotaConfigError,
  IotaErrorCode,
  IotaNotarizationPackages,
  decodeAttestationTransaction,
  decodePaymentTransaction,
  iotaSettlement,
  type IotaSettlementOptions
} from '../src/iota/index.ts'
import {
  IOTA,
  ROOT,
  adapter,
  bob,
  carol,
  dave,
  fake,
  freshNodeEachTest,
  payer,
  replaceNode,
  request,
  seed,
  store
} from './helpers/iota-adapter-rig.ts'

freshNodeEachTest()

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
      await replaceNode({ chainId: 'deadbeef' })
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
