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
import { LocalLedger, localSettlement, netTrades, paymentsFor, settlePeriod, type PeriodInput, type Settlement } from '../src/index.ts'
import { iotaSettlement, type SettlementStore } from '../src/iota/index.ts'
import { FakeIotaRpc } from '../testing/fake-iota-rpc.ts'
import { ledgerTransactions } from '../testing/ledger-transactions.ts'

// The grid operator as a party to settlement: a buyer's grid fees and a positive imbalance are paid to it
// in the node's one period payment; a negative imbalance is receivable from it and never paid.

const seller = signerFromSeed(new Uint8Array(32).fill(41))
const buyer = signerFromSeed(new Uint8Array(32).fill(42))
const idle = signerFromSeed(new Uint8Array(32).fill(43))
const addr = (s: Signer): string => iotaAddress(s.publicKey)
/** the grid operator has an address on the ledger and runs no node here */
const operator = iotaAddress(signerFromSeed(new Uint8Array(32).fill(49)).publicKey)
const tariffs = { retail: 1_000_000_000, feedIn: 300_000_000 }
const START = 10_000_000_000

function trade(
  s: Signer,
  b: Signer,
  slot: number,
  energyWh: number,
  price: number,
  n: number,
  grid: Partial<Pick<TradeTerms, 'gridFee' | 'buyerFeeder' | 'sellerFeeder'>> = {}
): Trade {
  const terms: TradeTerms = {
    version: 1,
    district: 'd',
    negotiation: new Uint8Array(16).fill(n),
    buyer: b.publicKey,
    seller: s.publicKey,
    slot,
    energyWh,
    price,
    agreedAt: 1,
    ...grid
  }
  return { id: tradeId(terms), terms, buyerSignature: signTerms(terms, b), sellerSignature: signTerms(terms, s) }
}

/** Readings for slots 1..n: per slot [importWh, exportWh]. */
function readings(s: Signer, perSlot: Array<[number, number]>): MeterReading[] {
  const out: MeterReading[] = []
  perSlot.forEach(([imp, exp], i) => {
    out.push(signReading(s, i + 1, imp, exp, i + 1, out.at(-1)))
  })
  return out
}

// seller on feeder f1 sells 1001 Wh at 0.5 IOTA/kWh to buyer on feeder f2; the district fee across
// feeders is 0.1200005 IOTA/kWh: 1001 × 120_000_500 / 1000 = 120_120_500.5 → 120_120_501 (half up, as costNanos)
const CROSS_FEE = 120_000_500
const cross = trade(seller, buyer, 1, 1_001, 500_000_000, 1, { gridFee: CROSS_FEE, buyerFeeder: 'f2', sellerFeeder: 'f1' })
const ENERGY = 500_500_000
const FEE = 120_120_501

let dir: string
let ledger: LocalLedger
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-grid-'))
  ledger = await LocalLedger.open(join(dir, 'ledger'))
  for (const s of [seller, buyer, idle]) await ledger.mint(addr(s), START)
})
afterEach(async () => {
  await ledger.close().catch(() => {})
  await rm(dir, { recursive: true, force: true })
})

const balances = async (): Promise<number[]> =>
  await Promise.all([addr(seller), addr(buyer), addr(idle), operator].map(async a => await ledger.balance(a)))

async function settle(s: Signer, input: Omit<PeriodInput, 'self' | 'tariffs'>, settlement: Settlement = localSettlement(ledger, s)) {
  return await settlePeriod(settlement, { ...input, self: addr(s), tariffs })
}

describe('grid fees', () => {
  it("a buyer pays its cross-feeder trade's grid fee to the operator in its one period payment", async () => {
    const rb = await settle(buyer, { period: 'd/fee', trades: [cross], readings: readings(buyer, [[1_001, 0]]), gridOperator: operator })
    const rs = await settle(seller, { period: 'd/fee', trades: [cross], readings: readings(seller, [[0, 1_001]]), gridOperator: operator })

    expect(rb.payment?.key).toBe(`d/fee/pay/${addr(buyer)}`)
    expect(rb.payment?.transfers).toEqual(
      expect.arrayContaining([
        { to: addr(seller), amount: ENERGY },
        { to: operator, amount: FEE }
      ])
    )
    expect(rb.payment?.transfers).toHaveLength(2)
    expect(rb).toMatchObject({
      gridOperator: operator,
      gridFeesNanos: FEE,
      imbalanceNanos: 0,
      paidToGridOperatorNanos: FEE,
      receivableFromGridOperatorNanos: 0
    })
    // the seller pays no fee: the buyer does
    expect(rs.payment).toBeUndefined()
    expect(rs).toMatchObject({ gridFeesNanos: 0, paidToGridOperatorNanos: 0, receivableFromGridOperatorNanos: 0 })

    expect(await balances()).toEqual([START + ENERGY, START - ENERGY - FEE, START, FEE])
    expect(ledger.transactions).toBe(2) // the buyer's payment carrying its root, the seller's attestation
  })

  it('a node that bought and sold pays the operator only its buyer-side fees, and the net of its energy to its peer', async () => {
    // seller sells 1001 Wh across feeders (fee on buyer) and buys 400 Wh back in slot 2 at 0.4 IOTA/kWh with a local fee of 0.05 IOTA/kWh
    const back = trade(buyer, seller, 2, 400, 400_000_000, 2, { gridFee: 50_000_000, buyerFeeder: 'f1', sellerFeeder: 'f2' })
    const ts = [cross, back]
    const rs = await settle(seller, {
      period: 'd/both',
      trades: ts,
      readings: readings(seller, [
        [0, 1_001],
        [400, 0]
      ]),
      gridOperator: operator
    })
    const rb = await settle(buyer, {
      period: 'd/both',
      trades: ts,
      readings: readings(buyer, [
        [1_001, 0],
        [0, 400]
      ]),
      gridOperator: operator
    })

    // the seller is owed energy on net (500_500_000 − 160_000_000) and still pays its own fee, and only that
    expect(rs.payment?.transfers).toEqual([{ to: operator, amount: 20_000_000 }])
    expect(rs).toMatchObject({ gridFeesNanos: 20_000_000, paidToGridOperatorNanos: 20_000_000, imbalanceNanos: 0 })
    expect(rb.payment?.transfers).toEqual(
      expect.arrayContaining([
        { to: addr(seller), amount: ENERGY - 160_000_000 },
        { to: operator, amount: FEE }
      ])
    )
    expect(rb.payment?.transfers).toHaveLength(2)
    expect(rb).toMatchObject({ gridFeesNanos: FEE, paidToGridOperatorNanos: FEE })
    expect(await balances()).toEqual([
      START + ENERGY - 160_000_000 - 20_000_000,
      START - ENERGY + 160_000_000 - FEE,
      START,
      FEE + 20_000_000
    ])
    expect(ledger.transactions).toBe(2) // both pay, and each payment carries its payer's root
  })
})

describe('imbalance', () => {
  it('a positive imbalance is paid to the operator in the same payment as the fees', async () => {
    // the buyer contracted 1001 Wh in slot 1 and drew 1501: 500 Wh at retail
    const r = await settle(buyer, { period: 'd/pos', trades: [cross], readings: readings(buyer, [[1_501, 0]]), gridOperator: operator })
    expect(r).toMatchObject({
      imbalanceNanos: 500_000_000,
      gridFeesNanos: FEE,
      paidToGridOperatorNanos: FEE + 500_000_000,
      receivableFromGridOperatorNanos: 0
    })
    expect(r.payment?.transfers).toEqual(
      expect.arrayContaining([
        { to: addr(seller), amount: ENERGY },
        { to: operator, amount: FEE + 500_000_000 }
      ])
    )
    expect(await balances()).toEqual([START + ENERGY, START - ENERGY - FEE - 500_000_000, START, FEE + 500_000_000])
    expect(ledger.transactions).toBe(1) // the payment, carrying the attestation
  })

  it('a node with no trade at all pays its positive imbalance to the operator', async () => {
    const r = await settle(idle, {
      period: 'd/idle',
      trades: [],
      readings: readings(idle, [
        [200, 0],
        [0, 0]
      ]),
      gridOperator: operator
    })
    expect(r.payment?.transfers).toEqual([{ to: operator, amount: 200_000_000 }])
    expect(await balances()).toEqual([START, START, START - 200_000_000, 200_000_000])
  })

  it('a negative imbalance is reported as receivable and not paid', async () => {
    // the seller contracted 1001 Wh and fed in 1701: the grid owes it 700 Wh at feed-in
    const r = await settle(seller, { period: 'd/neg', trades: [cross], readings: readings(seller, [[0, 1_701]]), gridOperator: operator })
    expect(r).toMatchObject({
      imbalanceNanos: -210_000_000,
      receivableFromGridOperatorNanos: 210_000_000,
      paidToGridOperatorNanos: 0,
      gridFeesNanos: 0
    })
    expect(r.payment).toBeUndefined()
    expect(r.obligations.some(o => o.to === operator || o.from === operator)).toBe(false)
    expect(await balances()).toEqual([START, START, START, 0])
    expect(ledger.transactions).toBe(1) // the attestation only
  })

  it('a receivable is not set off against the fees: the buyer pays its fee in full and is owed its surplus', async () => {
    // slot 1 as contracted; slot 2, no contract, 1000 Wh fed in: −300_000_000
    const r = await settle(buyer, {
      period: 'd/off',
      trades: [cross],
      readings: readings(buyer, [
        [1_001, 0],
        [0, 1_000]
      ]),
      gridOperator: operator
    })
    expect(r).toMatchObject({
      imbalanceNanos: -300_000_000,
      gridFeesNanos: FEE,
      paidToGridOperatorNanos: FEE,
      receivableFromGridOperatorNanos: 300_000_000
    })
    expect(await balances()).toEqual([START + ENERGY, START - ENERGY - FEE, START, FEE])
  })

  it("imbalance nets over the period's slots: what is left positive is paid, nothing is receivable", async () => {
    // slot 1: 500 Wh drawn beyond contract (+500_000_000); slot 2: 1000 Wh fed in (−300_000_000)
    const r = await settle(buyer, {
      period: 'd/net',
      trades: [cross],
      readings: readings(buyer, [
        [1_501, 0],
        [0, 1_000]
      ]),
      gridOperator: operator
    })
    expect(r.imbalance.map(l => l.chargeNanos)).toEqual([500_000_000, -300_000_000])
    expect(r).toMatchObject({ imbalanceNanos: 200_000_000, paidToGridOperatorNanos: FEE + 200_000_000, receivableFromGridOperatorNanos: 0 })
    expect(await ledger.balance(operator)).toBe(FEE + 200_000_000)
  })
})

describe('crash and rerun', () => {
  it('rerunning after the payment — on a reopened ledger — never pays the operator twice', async () => {
    const input = { period: 'd/crash', trades: [cross], readings: readings(buyer, [[1_501, 0]]), gridOperator: operator }
    const first = await settle(buyer, input)
    const after = await balances()
    const n = ledger.transactions
    await ledger.close()
    ledger = await LocalLedger.open(join(dir, 'ledger'))
    const again = await settle(buyer, input)
    expect(again.payment).toEqual(first.payment)
    expect(again.paidToGridOperatorNanos).toBe(FEE + 500_000_000)
    expect(ledger.transactions).toBe(n)
    expect(await balances()).toEqual(after)
    expect(await ledger.balance(operator)).toBe(FEE + 500_000_000)
  })

  it('a crash right after the ledger took the payment and its root: the rerun pays and attests nothing again', async () => {
    const input = { period: 'd/half', trades: [cross], readings: readings(buyer, [[1_001, 0]]), gridOperator: operator }
    const inner = localSettlement(ledger, buyer)
    let dies = true
    const crashing: Settlement = {
      ...inner,
      async pay(...args) {
        const r = await inner.pay(...args)
        if (dies) {
          dies = false
          throw new Error('killed after the ledger took it')
        }
        return r
      }
    }
    await expect(settle(buyer, input, crashing)).rejects.toThrow(/killed/)
    expect(await ledger.balance(operator)).toBe(FEE)
    expect(await inner.attestation(`d/half/attest/${addr(buyer)}`)).toBeDefined() // the root landed with the payment
    const r = await settle(buyer, input, crashing)
    expect(r.attestation.key).toBe(`d/half/attest/${addr(buyer)}`)
    expect(r.attestation.digest).toBe(r.payment!.digest)
    expect(ledger.transactions).toBe(1)
    expect(await balances()).toEqual([START + ENERGY, START - ENERGY - FEE, START, FEE])
  })

  it(
    'a payment made without its root (an earlier version killed between ' +
      'paying and attesting): the rerun attests once and pays nothing again',
    async () => {
      const input = { period: 'd/old', trades: [cross], readings: readings(buyer, [[1_001, 0]]), gridOperator: operator }
      const inner = localSettlement(ledger, buyer)
      // what the earlier version paid, under the same key, with no root
      const owed = paymentsFor(
        netTrades(
          [cross],
          [
            { from: addr(buyer), to: operator, amount: FEE },
            { from: addr(buyer), to: operator, amount: 0 }
          ]
        ).filter(o => o.from === addr(buyer)),
        'd/old/pay'
      )[0]
      await inner.pay(owed)
      const r = await settle(buyer, input)
      expect(r.payment?.attestation).toBeUndefined()
      expect(r.attestation.digest).not.toBe(r.payment!.digest)
      expect(await inner.attestation(`d/old/attest/${addr(buyer)}`)).toEqual(r.attestation)
      expect(ledger.transactions).toBe(2)
      await settle(buyer, input)
      expect(ledger.transactions).toBe(2)
      expect(await balances()).toEqual([START + ENERGY, START - ENERGY - FEE, START, FEE])
    }
  )
})

describe('without a grid operator', () => {
  it('pays exactly what the peer trades net to; fees and imbalance are only reported', async () => {
    const back = trade(buyer, seller, 2, 400, 400_000_000, 2, { gridFee: 50_000_000 })
    const ts = [cross, back]
    const rb = await settle(buyer, {
      period: 'd/none',
      trades: ts,
      readings: readings(buyer, [
        [1_501, 0],
        [0, 1_400]
      ])
    })
    const rs = await settle(seller, {
      period: 'd/none',
      trades: ts,
      readings: readings(seller, [
        [0, 1_701],
        [400, 0]
      ])
    })
    // the same payment as before grid operators existed
    const expected = paymentsFor(
      netTrades(ts).filter(o => o.from === addr(buyer)),
      'd/none/pay'
    )[0]
    expect(rb.payment).toMatchObject({ key: expected.key, payer: expected.payer, transfers: expected.transfers })
    expect(rb.payment?.transfers).toEqual([{ to: addr(seller), amount: ENERGY - 160_000_000 }])
    expect(rs.payment).toBeUndefined()
    expect(rb.obligations).toEqual(netTrades(ts))
    expect(rb.gridOperator).toBeUndefined()
    expect(rb).toMatchObject({
      gridFeesNanos: FEE,
      paidToGridOperatorNanos: 0,
      receivableFromGridOperatorNanos: 0,
      imbalanceNanos: 500_000_000 - 300_000_000
    })
    expect(rs).toMatchObject({
      gridFeesNanos: 20_000_000,
      paidToGridOperatorNanos: 0,
      receivableFromGridOperatorNanos: 0,
      imbalanceNanos: -210_000_000
    })
    expect(await balances()).toEqual([START + ENERGY - 160_000_000, START - ENERGY + 160_000_000, START, 0])
  })

  it('refuses an operator address that is not one, before paying anything', async () => {
    await expect(settle(buyer, { period: 'd/bad', trades: [cross], readings: [], gridOperator: '0x1234' })).rejects.toMatchObject({
      name: 'SettlementError',
      code: 'invalid-grid-operator'
    })
    expect(ledger.transactions).toBe(0)
  })
})

/** A durable store as the node's journal would be: a Map that outlives adapter instances. */
class MapStore implements SettlementStore {
  readonly map = new Map<string, string>()
  async get(key: string): Promise<string | undefined> {
    return this.map.get(key)
  }
  async put(key: string, value: string): Promise<void> {
    this.map.set(key, value)
  }
}

describe('through the IOTA adapter (FakeIotaRpc, a test double for a full node)', () => {
  let fake: FakeIotaRpc
  beforeEach(async () => {
    fake = await FakeIotaRpc.start()
  })
  afterEach(async () => {
    await fake.close()
  })

  it('pays the seller and the operator in one transaction, and a rerun with a new adapter pays neither again', async () => {
    const store = new MapStore()
    const adapter = (): Settlement =>
      iotaSettlement({
        network: 'testnet',
        seed: new Uint8Array(32).fill(42),
        store,
        client: new IotaClient({ url: fake.url }),
        retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
        pollIntervalMs: 10,
        confirmTimeoutMs: 2_000
      })
    fake.fund(addr(buyer), 5 * 1_000_000_000)
    // upper-case hex is the same address
    const input = {
      period: 'd/iota',
      trades: [cross],
      readings: readings(buyer, [[1_501, 0]]),
      gridOperator: operator.toUpperCase().replace('0X', '0x')
    }
    const r = await settle(buyer, input, adapter())
    expect(r.paidToGridOperatorNanos).toBe(FEE + 500_000_000)
    const payments = ledgerTransactions(fake.executions).payments.filter(p => p.transfers.length > 0)
    expect(payments).toHaveLength(1)
    expect(payments[0].digest).toBe(r.payment!.digest)
    expect(payments[0].transfers).toEqual(r.payment!.transfers)
    expect(r.payment!.transfers).toEqual(
      expect.arrayContaining([
        { to: addr(seller), amount: ENERGY },
        { to: operator, amount: FEE + 500_000_000 }
      ])
    )
    expect(fake.balanceOf(operator)).toBe(BigInt(FEE + 500_000_000))
    expect(fake.balanceOf(addr(seller))).toBe(BigInt(ENERGY))

    const executions = fake.executions.length
    const again = await settle(buyer, input, adapter())
    expect(again.payment?.digest).toBe(r.payment!.digest)
    expect(fake.executions).toHaveLength(executions)
    expect(fake.balanceOf(operator)).toBe(BigInt(FEE + 500_000_000))
    expect(fake.unknownMethods).toEqual([])
  })
})
