import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { IotaClient } from '@iota/iota-sdk/client'
import {
  iotaAddress,
  signReading,
  signerFromSeed,
  signTerms,
  tradeId,
  type MeterReading,
  type Signer,
  type Trade,
  type TradeTerms
} from '@kvartal/protocol'
import {
  ATTESTATION_EXISTS,
  LocalLedger,
  attestationKey,
  localSettlement,
  netTrades,
  paymentsFor,
  periodLeaves,
  settlePeriod,
  verifyTradeProof,
  MerkleTree,
  type PeriodInput,
  type Settlement
} from '../src/index.ts'
import {
  IotaErrorCode,
  decodeAttestationTransaction,
  decodePaymentTransaction,
  iotaSettlement,
  type IotaSettlement,
  type SettlementStore,
  type TxRecord
} from '../src/iota/index.ts'
import { FakeIotaRpc } from '../testing/fake-iota-rpc.ts'

// A node that pays in a period carries its period's attestation (Merkle root and leaf count) in the same
// ledger transaction as its payment; a node that pays nothing attests alone. These tests fail when the
// combined transaction is broken: a payment that lands without its root, a root anchored twice, a root
// that lands without its payment, a second transaction per paying node. On the local ledger and through
// the iota adapter against FakeIotaRpc, a TEST DOUBLE of an IOTA full node (none can be reached here).

const seller = signerFromSeed(new Uint8Array(32).fill(61))
const buyer = signerFromSeed(new Uint8Array(32).fill(62))
const addr = (s: Signer): string => iotaAddress(s.publicKey)
const tariffs = { retail: 1_000_000_000, feedIn: 300_000_000 }
const START = 10_000_000_000

function trade(s: Signer, b: Signer, slot: number, energyWh: number, price: number, n: number): Trade {
  const terms: TradeTerms = {
    version: 1,
    district: 'd',
    negotiation: new Uint8Array(16).fill(n),
    buyer: b.publicKey,
    seller: s.publicKey,
    slot,
    energyWh,
    price,
    agreedAt: 1
  }
  return { id: tradeId(terms), terms, buyerSignature: signTerms(terms, b), sellerSignature: signTerms(terms, s) }
}

function readings(s: Signer, perSlot: Array<[number, number]>): MeterReading[] {
  const out: MeterReading[] = []
  perSlot.forEach(([imp, exp], i) => {
    out.push(signReading(s, i + 1, imp, exp, i + 1, out.at(-1)))
  })
  return out
}

// the buyer owes the seller 0.6 IOTA for 1200 Wh at 0.5 IOTA/kWh over two slots
const trades = [trade(seller, buyer, 1, 1_000, 500_000_000, 1), trade(seller, buyer, 2, 200, 500_000_000, 2)]
const OWED = 600_000_000
const input = (s: Signer, period: string): PeriodInput => ({
  period,
  self: addr(s),
  trades,
  readings:
    s === buyer
      ? readings(buyer, [
          [1_000, 0],
          [200, 0]
        ])
      : readings(seller, [
          [0, 1_000],
          [0, 200]
        ]),
  tariffs
})
/** the root a node's period attests, computed as settlePeriod does */
const rootOf = (s: Signer, period: string): { root: string; leaves: number } => {
  const i = input(s, period)
  const tree = new MerkleTree(periodLeaves(i.trades, i.readings).leaves)
  return { root: tree.root, leaves: tree.size }
}
/** the payment settlePeriod asks for (no grid operator): what the buyer owes, under its period key */
const paymentOf = (period: string) =>
  paymentsFor(
    netTrades(trades).filter(o => o.from === addr(buyer)),
    `${period}/pay`
  )[0]

describe('local ledger: one transaction per paying node, carrying its root', () => {
  let dir: string
  let ledger: LocalLedger
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvartal-payattest-'))
    ledger = await LocalLedger.open(join(dir, 'ledger'))
    for (const s of [seller, buyer]) await ledger.mint(addr(s), START)
  })
  afterEach(async () => {
    await ledger.close().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  })

  it("the payer's transaction holds its transfers and its root; the payee attests alone; every proof verifies", async () => {
    const rb = await settlePeriod(localSettlement(ledger, buyer), input(buyer, 'd/one'))
    const rs = await settlePeriod(localSettlement(ledger, seller), input(seller, 'd/one'))
    expect(ledger.transactions).toBe(2) // was 3: payment, and two attestations
    expect(rs.payment).toBeUndefined()
    // the buyer's payment and attestation are the same transaction, and the ledger holds both parts in it
    expect(rb.payment!.digest).toBe(rb.attestation.digest)
    const tx = await ledger.byDigest(rb.payment!.digest)
    expect(tx).toMatchObject({
      kind: 'pay',
      key: 'd/one/pay/' + addr(buyer),
      transfers: [{ to: addr(seller), amount: OWED }],
      attestation: { key: attestationKey('d/one', addr(buyer)), ...rootOf(buyer, 'd/one') }
    })
    expect(rb.attestation).toMatchObject({ key: attestationKey('d/one', addr(buyer)), ...rootOf(buyer, 'd/one'), attester: addr(buyer) })
    // found by either key, and by the payee looking the payment up by digest
    const s = localSettlement(ledger, seller)
    expect(await s.attestation(attestationKey('d/one', addr(buyer)))).toEqual(rb.attestation)
    expect(await s.payment(`d/one/pay/${addr(buyer)}`)).toEqual(rb.payment)
    expect((await s.lookup(rb.payment!.digest))?.attestation).toEqual(rb.attestation)
    expect(await s.payment(attestationKey('d/one', addr(buyer)))).toBeUndefined() // an attestation key names no payment
    expect(await ledger.balance(addr(seller))).toBe(START + OWED)
    for (const [r, who] of [
      [rb, buyer],
      [rs, seller]
    ] as const) {
      for (const t of trades) {
        const v = await verifyTradeProof(s, t, r.proofs.get(t.id)!, r.attestation.root, attestationKey('d/one', addr(who)))
        expect(v.ok, JSON.stringify(v.checks)).toBe(true)
      }
    }
  })

  it('both land or neither: a payment the payer cannot cover anchors no root either', async () => {
    const poor = signerFromSeed(new Uint8Array(32).fill(63))
    await ledger.mint(addr(poor), 1)
    const t = trade(seller, poor, 1, 1_000, 500_000_000, 3)
    await expect(
      settlePeriod(localSettlement(ledger, poor), { period: 'd/poor', self: addr(poor), trades: [t], readings: [], tariffs })
    ).rejects.toMatchObject({ code: 'insufficient-balance' })
    expect(await localSettlement(ledger, poor).attestation(attestationKey('d/poor', addr(poor)))).toBeUndefined()
    expect(ledger.transactions).toBe(0)
  })

  it('a root is anchored once: attesting the key again, or paying again with it, adds no transaction', async () => {
    const b = localSettlement(ledger, buyer)
    const r = await settlePeriod(b, input(buyer, 'd/once'))
    const key = attestationKey('d/once', addr(buyer))
    const { root, leaves } = rootOf(buyer, 'd/once')
    // attest alone under the key the payment carried: the ledger answers with the payment's transaction
    expect(await b.attest(key, root, leaves)).toEqual(r.attestation)
    // the same period settled again (a rerun after a crash): nothing new
    expect((await settlePeriod(b, input(buyer, 'd/once'))).attestation).toEqual(r.attestation)
    // another payment asking to carry the same key is refused whole: nothing paid, nothing anchored
    const before = await ledger.balance(addr(buyer))
    await expect(
      b.pay({
        key: 'd/once/other',
        payer: addr(buyer),
        transfers: [{ to: addr(seller), amount: 5 }],
        attest: { key, root: 'cd'.repeat(32), leaves: 1 }
      })
    ).rejects.toMatchObject({ name: 'SettlementError', code: ATTESTATION_EXISTS })
    expect(await ledger.balance(addr(buyer))).toBe(before)
    expect(await b.attestation(key)).toEqual(r.attestation)
    expect(ledger.transactions).toBe(1)
  })

  it('a key attested alone before (nothing paid then): the payment goes without the root, and that attestation stands', async () => {
    const b = localSettlement(ledger, buyer)
    const key = attestationKey('d/alone', addr(buyer))
    const { root, leaves } = rootOf(buyer, 'd/alone')
    const alone = await b.attest(key, root, leaves)
    const r = await settlePeriod(b, input(buyer, 'd/alone'))
    expect(r.attestation).toEqual(alone)
    expect(r.payment?.attestation).toBeUndefined()
    expect(r.payment?.transfers).toEqual([{ to: addr(seller), amount: OWED }])
    expect(ledger.transactions).toBe(2)
    await settlePeriod(b, input(buyer, 'd/alone'))
    expect(ledger.transactions).toBe(2)
  })

  it('an adapter whose payments land without the root still gets the period attested, once', async () => {
    // e.g. an adapter built before payments could carry roots: it pays and ignores `attest`
    const inner = localSettlement(ledger, buyer)
    const plain: Settlement = {
      ...inner,
      async pay(request, options) {
        const { attest: _ignored, ...rest } = request
        return await inner.pay(rest, options)
      }
    }
    const r = await settlePeriod(plain, input(buyer, 'd/plain'))
    expect(r.payment?.attestation).toBeUndefined()
    expect(await inner.attestation(attestationKey('d/plain', addr(buyer)))).toEqual(r.attestation)
    expect(r.attestation.root).toBe(rootOf(buyer, 'd/plain').root)
    expect(ledger.transactions).toBe(2)
  })

  it('the same payment without a root keeps its bytes: plain payments and attestations encode as before', async () => {
    const b = localSettlement(ledger, buyer)
    const p = await b.pay({ key: 'k/plain', payer: addr(buyer), transfers: [{ to: addr(seller), amount: 1 }] })
    expect(p.attestation).toBeUndefined()
    expect(await ledger.byDigest(p.digest)).not.toHaveProperty('attestation')
  })
})

/**
 * A durable store as the node's journal would be; `crashAfterPutOf` makes the next put of a record in that status "kill
 * the process" once written.
 */
class MapStore implements SettlementStore {
  readonly map = new Map<string, string>()
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

describe('iota adapter (FakeIotaRpc, a test double for a full node): the payment carries the root', () => {
  let fake: FakeIotaRpc
  let store: MapStore
  beforeEach(async () => {
    fake = await FakeIotaRpc.start()
    store = new MapStore()
  })
  afterEach(async () => {
    await fake.close()
  })
  const adapter = (s: Signer = buyer, st: SettlementStore = store, extra: { attempts?: number } = {}): IotaSettlement =>
    iotaSettlement({
      network: 'testnet',
      seed: new Uint8Array(32).fill(s === buyer ? 62 : 61),
      store: st,
      client: new IotaClient({ url: fake.url }),
      retry: { attempts: extra.attempts ?? 4, baseDelayMs: 5, maxDelayMs: 20 },
      pollIntervalMs: 10,
      confirmTimeoutMs: 2_000
    })
  const key = (period: string): string => attestationKey(period, addr(buyer))

  it("one programmable transaction pays the seller and notarizes the buyer's root; a rerun on a new instance sends nothing", async () => {
    fake.fund(addr(buyer), 5_000_000_000n)
    fake.fund(addr(seller), 1_000_000_000n)
    const r = await settlePeriod(adapter(), input(buyer, 'd/iota'))
    expect(fake.executions).toHaveLength(1)
    const [tx] = fake.executions
    expect(tx.status).toBe('success')
    expect(tx.digest).toBe(r.payment!.digest)
    expect(r.attestation.digest).toBe(r.payment!.digest)
    // read back from the executed bytes: the transfers, then the notarization of the root
    const decoded = decodePaymentTransaction(tx.bytes)
    expect(decoded.transfers).toEqual([{ to: addr(seller), amount: OWED }])
    expect(decoded.attestation).toMatchObject({ key: key('d/iota'), ...rootOf(buyer, 'd/iota') })
    expect(decodeAttestationTransaction(tx.bytes)).toMatchObject({ sender: addr(buyer), key: key('d/iota'), ...rootOf(buyer, 'd/iota') })
    expect(fake.objectsOf(addr(buyer), '::notarization::Notarization<')).toHaveLength(1)
    expect(fake.balanceOf(addr(seller))).toBe(1_000_000_000n + BigInt(OWED))
    expect(r.attestation).toMatchObject({ key: key('d/iota'), ...rootOf(buyer, 'd/iota'), attester: addr(buyer) })
    expect((r.attestation as { notarizationId?: string }).notarizationId).toMatch(/^0x[0-9a-f]{64}$/)

    // the trade verifies against the root the payment carried, on a new instance over the same store
    const again = adapter()
    for (const t of trades) expect((await verifyTradeProof(again, t, r.proofs.get(t.id)!, r.attestation.root, key('d/iota'))).ok).toBe(true)
    expect(await again.attestation(key('d/iota'))).toEqual(r.attestation)
    // the payee sees the root in the payment it looks up by digest
    expect((await adapter(seller, new MapStore()).lookup(r.payment!.digest))?.attestation).toMatchObject({
      key: key('d/iota'),
      root: r.attestation.root
    })

    const rerun = await settlePeriod(adapter(), input(buyer, 'd/iota'))
    expect(rerun.payment).toEqual(r.payment)
    expect(rerun.attestation).toEqual(r.attestation)
    expect(await adapter().attest(key('d/iota'), r.attestation.root, r.attestation.leaves)).toEqual(r.attestation)
    expect(fake.executions).toHaveLength(1)
    // the payee pays nothing and attests alone: one transaction each
    await settlePeriod(adapter(seller, new MapStore()), input(seller, 'd/iota'))
    expect(fake.executions).toHaveLength(2)
    expect(fake.unknownMethods).toEqual([])
  })

  it('killed after the signed transaction was stored: attest() alone sends those same bytes, never a second root', async () => {
    fake.fund(addr(buyer), 5_000_000_000n)
    store.crashAfterPutOf = 'submitted'
    await expect(settlePeriod(adapter(), input(buyer, 'd/crash'))).rejects.toThrow(/simulated crash/)
    const stored = store.record('pay', paymentOf('d/crash').key)!
    expect(stored).toMatchObject({ status: 'submitted', attestKey: key('d/crash'), root: rootOf(buyer, 'd/crash').root })
    expect(fake.submissions).toEqual([])
    expect(await adapter().attestation(key('d/crash'))).toBeUndefined() // signed, not on the ledger: proves nothing

    const { root, leaves } = rootOf(buyer, 'd/crash')
    const att = await adapter().attest(key('d/crash'), root, leaves)
    expect(att.digest).toBe(stored.digest)
    expect(fake.executions.map(e => e.digest)).toEqual([stored.digest])
    const receipt = await adapter().pay(paymentOf('d/crash'))
    expect(receipt).toMatchObject({ digest: stored.digest, status: 'confirmed', attestation: att })
    expect((await settlePeriod(adapter(), input(buyer, 'd/crash'))).attestation).toEqual(att)
    expect(fake.executions).toHaveLength(1)
    expect(fake.objectsOf(addr(buyer), '::notarization::Notarization<')).toHaveLength(1)
  })

  it('the answer lost after execution: the rerun finds the transaction on the ledger, and pays and anchors once', async () => {
    fake.fund(addr(buyer), 5_000_000_000n)
    fake.dropNextExecute('after')
    await expect(settlePeriod(adapter(buyer, store, { attempts: 1 }), input(buyer, 'd/lost'))).rejects.toThrow()
    expect(fake.executions).toHaveLength(1)
    const r = await settlePeriod(adapter(), input(buyer, 'd/lost'))
    expect(r.payment!.digest).toBe(fake.executions[0].digest)
    expect(r.attestation.digest).toBe(r.payment!.digest)
    expect(fake.executions).toHaveLength(1)
  })

  it('refuses to carry a root under a key already attested alone, and pays without it; the earlier attestation stands', async () => {
    fake.fund(addr(buyer), 5_000_000_000n)
    const a = adapter()
    const { root, leaves } = rootOf(buyer, 'd/taken')
    const alone = await a.attest(key('d/taken'), root, leaves)
    await expect(a.pay({ ...paymentOf('d/taken'), attest: { key: key('d/taken'), root, leaves } })).rejects.toMatchObject({
      name: 'SettlementError',
      code: IotaErrorCode.attestationExists
    })
    expect(fake.executions).toHaveLength(1)
    const r = await settlePeriod(a, input(buyer, 'd/taken'))
    expect(r.attestation).toEqual(alone)
    expect(r.payment?.attestation).toBeUndefined()
    expect(decodePaymentTransaction(fake.executions[1].bytes).attestation).toBeUndefined()
    expect(fake.executions).toHaveLength(2)
    expect(fake.objectsOf(addr(buyer), '::notarization::Notarization<')).toHaveLength(1)
  })

  it('a payment key paid without a root keeps that transaction; the root is attested alone, once', async () => {
    fake.fund(addr(buyer), 5_000_000_000n)
    const plain = await adapter().pay(paymentOf('d/old'))
    const r = await settlePeriod(adapter(), input(buyer, 'd/old'))
    expect(r.payment?.digest).toBe(plain.digest)
    expect(r.attestation.digest).not.toBe(plain.digest)
    expect(fake.executions).toHaveLength(2)
    await settlePeriod(adapter(), input(buyer, 'd/old'))
    expect(fake.executions).toHaveLength(2)
  })

  it('refuses another root, or the same key for another payment, with nothing sent', async () => {
    fake.fund(addr(buyer), 5_000_000_000n)
    const a = adapter()
    const { root, leaves } = rootOf(buyer, 'd/k')
    await a.pay({ ...paymentOf('d/k'), attest: { key: key('d/k'), root, leaves } })
    await expect(a.pay({ ...paymentOf('d/k'), attest: { key: key('d/k'), root: 'cd'.repeat(32), leaves } })).rejects.toMatchObject({
      code: IotaErrorCode.keyConflict
    })
    await expect(a.attest(key('d/k'), 'cd'.repeat(32), leaves)).rejects.toMatchObject({ code: IotaErrorCode.keyConflict })
    await expect(
      a.pay({
        key: 'd/k/other',
        payer: addr(buyer),
        transfers: [{ to: addr(seller), amount: 5 }],
        attest: { key: key('d/k'), root, leaves }
      })
    ).rejects.toMatchObject({ code: IotaErrorCode.attestationExists })
    await expect(a.pay({ ...paymentOf('d/k'), attest: { key: paymentOf('d/k').key, root, leaves } })).rejects.toMatchObject({
      code: IotaErrorCode.invalidRequest
    })
    expect(fake.executions).toHaveLength(1)
  })
})
