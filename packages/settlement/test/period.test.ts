/**
 * settlePeriod against a recording stand-in for the ledger (RecordingSettlement): every field of the result in
 * exact integer nanos and Wh (obligations, imbalance per slot, grid fees, what goes to the grid operator and
 * what it owes), the caller's signal and the grid operator's address check. The proofs of the trades and of
 * the extra leaves: period-proofs.test.ts; payAndAttest's choices (carry the root, pay without it, attest
 * alone): pay-and-attest-choices.test.ts. The cast and readings: helpers/period-inputs.ts.
 */
import { describe, expect, it } from 'vitest'
import { costNanos, encodeReading, encodeTrade } from '@kvartal/protocol'
import { MerkleTree, SettlementError, gridFeesOf, settlePeriod, type PaymentReceipt, type PeriodInput } from '../src/index.ts'
import { RecordingSettlement } from './helpers/recording-settlement.ts'
import { rejected, trade } from './helpers/parties.ts'
import { cast, readings, tariffs } from './helpers/period-inputs.ts'

describe('settlePeriod', () => {
  it('a buyer with a grid operator: pays its seller, and the operator its fee plus its positive imbalance, in one payment', async () => {
    const { seller, buyer, other, operator, bought } = cast()
    const ledger = new RecordingSettlement()
    // slot 1: contracted −1001 Wh, drew 1200: 199 Wh beyond at retail = 199_000_000
    // slot 2: no contract, fed 50 Wh: −50 × 300_000_000 / 1000 = −15_000_000
    const rs = readings(buyer, [
      [1_200, 0],
      [0, 50]
    ])
    const input: PeriodInput = {
      period: 'd/p1',
      self: buyer.address,
      trades: [bought],
      readings: rs,
      tariffs,
      gridOperator: operator.toUpperCase().replace('0X', '0x'),
      // the seller owes the buyer 1 nano for something else; a debt between two others is not this node's
      debts: [
        { from: seller.address, to: buyer.address, amount: 1 },
        { from: other.address, to: seller.address, amount: 5 }
      ]
    }
    const r = await settlePeriod(ledger, input)
    const toGrid = 120_120_501 + 184_000_000
    const obligations = [
      { from: buyer.address, to: seller.address, amount: 500_499_999 },
      { from: buyer.address, to: operator, amount: toGrid }
    ].sort((x, y) => ([x.from, x.to].sort().join(' ') < [y.from, y.to].sort().join(' ') ? -1 : 1))
    expect(r.obligations).toEqual(obligations)
    expect(r.imbalance).toEqual([
      { slot: 1, contractedWh: -1_001, deliveredWh: -1_200, chargeNanos: 199_000_000 },
      { slot: 2, contractedWh: 0, deliveredWh: 50, chargeNanos: -15_000_000 }
    ])
    expect(r.imbalanceNanos).toBe(184_000_000)
    expect(r.gridOperator).toBe(operator)
    expect(r.gridFeesNanos).toBe(120_120_501)
    expect(r.paidToGridOperatorNanos).toBe(toGrid)
    expect(r.receivableFromGridOperatorNanos).toBe(0)
    expect(r.period).toBe('d/p1')

    // one pay call, carrying the root over the trade and the two readings
    const tree = new MerkleTree([encodeTrade(bought), ...rs.map(encodeReading)])
    expect(ledger.calls).toEqual([
      {
        method: 'pay',
        request: {
          key: `d/p1/pay/${buyer.address}`,
          payer: buyer.address,
          transfers: obligations.map(o => ({ to: o.to, amount: o.amount })),
          attest: { key: `d/p1/attest/${buyer.address}`, root: tree.root, leaves: 3 }
        }
      }
    ])
    expect(r.payment?.digest).toBe('pay-1')
    expect(r.attestation).toEqual({
      key: `d/p1/attest/${buyer.address}`,
      root: tree.root,
      leaves: 3,
      digest: 'pay-1',
      attester: buyer.address
    })
    expect([...r.proofs]).toEqual([[bought.id, tree.prove(0)]])
    expect(r.extraProofs).toEqual([])
  })

  it('a negative imbalance with an operator is receivable, never paid nor set off against the fees', async () => {
    const { seller, buyer, operator, bought } = cast()
    const ledger = new RecordingSettlement()
    // slot 1: contracted −1001, delivered +99 (fed 100, drew 1): 1100 Wh beyond at feed-in = −330_000_000
    const r = await settlePeriod(ledger, {
      period: 'd/p2',
      self: buyer.address,
      trades: [bought],
      readings: readings(buyer, [[1, 100]]),
      tariffs,
      gridOperator: operator
    })
    expect(r.imbalance).toEqual([{ slot: 1, contractedWh: -1_001, deliveredWh: 99, chargeNanos: -330_000_000 }])
    expect(r.imbalanceNanos).toBe(-330_000_000)
    expect(r.receivableFromGridOperatorNanos).toBe(330_000_000)
    expect(r.paidToGridOperatorNanos).toBe(120_120_501)
    const pay = ledger.calls[0]
    expect(pay.method === 'pay' && pay.request.transfers).toEqual(
      [
        { to: seller.address, amount: 500_500_000 },
        { to: operator, amount: 120_120_501 }
      ].sort((x, y) => ([buyer.address, x.to].sort().join(' ') < [buyer.address, y.to].sort().join(' ') ? -1 : 1))
    )
  })

  it('without an operator: fees and imbalance are reported, not paid, and nothing is receivable', async () => {
    const { seller, buyer, bought } = cast()
    const ledger = new RecordingSettlement()
    const r = await settlePeriod(ledger, {
      period: 'd/p3',
      self: buyer.address,
      trades: [bought],
      readings: readings(buyer, [
        [1_200, 0],
        [0, 500]
      ]),
      tariffs
    })
    expect(r.obligations).toEqual([{ from: buyer.address, to: seller.address, amount: 500_500_000 }])
    expect(r.gridFeesNanos).toBe(120_120_501)
    expect(r.imbalanceNanos).toBe(199_000_000 - 150_000_000)
    expect(r.paidToGridOperatorNanos).toBe(0)
    expect(r.receivableFromGridOperatorNanos).toBe(0)
    expect('gridOperator' in r).toBe(false)
    const negative = await settlePeriod(new RecordingSettlement(), {
      period: 'd/p3b',
      self: buyer.address,
      trades: [],
      readings: readings(buyer, [[0, 10]]),
      tariffs
    })
    expect(negative.imbalanceNanos).toBe(-3_000_000)
    expect(negative.receivableFromGridOperatorNanos).toBe(0)
  })

  it('a node that owes nothing attests alone; its obligations are what it is owed', async () => {
    const { seller, buyer, bought } = cast()
    const ledger = new RecordingSettlement()
    const rs = readings(seller, [[0, 1_001]])
    const r = await settlePeriod(ledger, { period: 'd/p4', self: seller.address, trades: [bought], readings: rs, tariffs })
    expect(r.obligations).toEqual([{ from: buyer.address, to: seller.address, amount: 500_500_000 }])
    expect(r.payment).toBeUndefined()
    expect(r.imbalance).toEqual([{ slot: 1, contractedWh: 1_001, deliveredWh: 1_001, chargeNanos: expect.anything() }])
    expect(r.imbalance[0].chargeNanos === 0).toBe(true)
    expect(r.gridFeesNanos).toBe(0) // it sold: the buyer pays the fee
    const tree = new MerkleTree([encodeTrade(bought), encodeReading(rs[0])])
    expect(ledger.calls).toEqual([{ method: 'attest', key: `d/p4/attest/${seller.address}`, root: tree.root, leaves: 2 }])
    expect(r.attestation).toEqual({
      key: `d/p4/attest/${seller.address}`,
      root: tree.root,
      leaves: 2,
      digest: 'attest-1',
      attester: 'self'
    })
  })

  it('a positive imbalance alone, with an operator, is paid to it', async () => {
    const { buyer, operator } = cast()
    const ledger = new RecordingSettlement()
    const r = await settlePeriod(ledger, {
      period: 'd/p5',
      self: buyer.address,
      trades: [],
      readings: readings(buyer, [[3, 0]]),
      tariffs,
      gridOperator: operator
    })
    expect(r.obligations).toEqual([{ from: buyer.address, to: operator, amount: 3_000_000 }])
    expect(r.paidToGridOperatorNanos).toBe(3_000_000)
    expect(r.gridFeesNanos).toBe(0)
  })

  it('what was paid to the operator is read off the receipt the ledger returns (after a crash: the earlier payment)', async () => {
    const { buyer, seller, operator, bought } = cast()
    const ledger = new RecordingSettlement()
    // the ledger holds an earlier payment under this key that paid the operator 7 and the seller 1
    ledger.onPay = (request): PaymentReceipt => ({
      key: request.key,
      digest: 'earlier',
      status: 'confirmed',
      payer: buyer.address,
      transfers: [
        { to: operator, amount: 5 },
        { to: seller.address, amount: 1 },
        { to: operator, amount: 2 }
      ]
    })
    const r = await settlePeriod(ledger, {
      period: 'd/p6',
      self: buyer.address,
      trades: [bought],
      readings: [],
      tariffs,
      gridOperator: operator
    })
    expect(r.paidToGridOperatorNanos).toBe(7)
    // the receipt carried no root: attested alone
    expect(ledger.calls.map(c => c.method)).toEqual(['pay', 'attest'])
  })

  it("passes the caller's signal to the ledger", async () => {
    const { buyer, bought } = cast()
    const ledger = new RecordingSettlement()
    const signal = new AbortController().signal
    await settlePeriod(ledger, { period: 'd/p8', self: buyer.address, trades: [bought], readings: [], tariffs }, { signal })
    expect(ledger.calls.map(c => c.signal)).toEqual([signal])
  })

  it('refuses a grid operator address that is not 0x + 64 hex, before asking the ledger anything', async () => {
    const { buyer, bought, operator } = cast()
    const hex = operator.slice(2)
    for (const bad of [
      `0x${hex.slice(1)}`,
      `0x${hex}0`,
      `x0x${hex}`,
      `${operator}\n`,
      ` ${operator}`,
      `0X${hex}`,
      `0x${hex.slice(1)}g`,
      `0x${hex.slice(2)}`,
      hex + '00',
      '',
      42
    ]) {
      const ledger = new RecordingSettlement()
      const err = await rejected(
        settlePeriod(ledger, { period: 'd/bad', self: buyer.address, trades: [bought], readings: [], tariffs, gridOperator: bad as string })
      )
      expect(err).toBeInstanceOf(SettlementError)
      expect(err).toMatchObject({
        name: 'SettlementError',
        code: 'invalid-grid-operator',
        message:
          `the grid operator's address '${String(bad)}' is not an IOTA address (0x + 64 hex): ` +
          `set grid.operator in the node's config to the address the grid operator publishes`
      })
      expect(ledger.calls).toEqual([])
    }
  })
})

describe('gridFeesOf', () => {
  it('sums the fee of every trade the node bought from someone else, rounded half up per trade', () => {
    const { seller, buyer } = cast()
    const t = (n: number, gridFee?: number, s = seller, b = buyer) => trade({ seller: s, buyer: b, energyWh: 1, price: 1_000, gridFee, n })
    // 1 Wh × 1_500 nanos/kWh = 1.5 → 2 per trade: 4, not round(3) = 3
    expect(gridFeesOf([t(1, 1_500), t(2, 1_500)], buyer.address)).toBe(4)
    expect(gridFeesOf([t(1, 1_499)], buyer.address)).toBe(1)
    expect(gridFeesOf([t(1), t(2, 0)], buyer.address)).toBe(0) // no fee, or a fee of 0
    expect(gridFeesOf([t(1, 1_500)], seller.address)).toBe(0) // the seller pays none
    expect(gridFeesOf([t(1, 1_500, buyer, buyer)], buyer.address)).toBe(0) // nor a trade with oneself
    expect(gridFeesOf([t(1), t(2, 1_500), t(3, 1_500, buyer, seller)], buyer.address)).toBe(2)
    expect(gridFeesOf([], buyer.address)).toBe(0)
  })
})

describe('costs are integer nanos', () => {
  it('the imbalance of a slot rounds half up, as costNanos', async () => {
    const { buyer } = cast()
    // 1 Wh drawn at retail 1_500 = 1.5 → 2; 1 Wh fed at feed-in 500 = 0.5 → 1 (owed to the node: −1)
    const r = await settlePeriod(new RecordingSettlement(), {
      period: 'd/r',
      self: buyer.address,
      trades: [],
      readings: readings(buyer, [
        [1, 0],
        [0, 1]
      ]),
      tariffs: { retail: 1_500, feedIn: 500 }
    })
    expect(r.imbalance.map(l => l.chargeNanos)).toEqual([costNanos(1, 1_500), -costNanos(1, 500)])
    expect(r.imbalance.map(l => l.chargeNanos)).toEqual([2, -1])
    expect(r.imbalanceNanos).toBe(1)
  })

  it('sums what a node contracted per slot, sold positive and bought negative', async () => {
    const { seller, buyer, other } = cast()
    const ts = [
      trade({ seller: buyer, buyer: other, slot: 1, energyWh: 300, price: 1_000, n: 1 }), // sold 300
      trade({ seller, buyer, slot: 1, energyWh: 100, price: 1_000, n: 2 }), // bought 100
      trade({ seller, buyer, slot: 1, energyWh: 50, price: 1_000, n: 3 }) // bought 50
    ]
    const r = await settlePeriod(new RecordingSettlement(), {
      period: 'd/c',
      self: buyer.address,
      trades: ts,
      readings: readings(buyer, [[0, 200]]),
      tariffs
    })
    // contracted +150, delivered +200: 50 Wh fed beyond at feed-in = −15_000_000
    expect(r.imbalance).toEqual([{ slot: 1, contractedWh: 150, deliveredWh: 200, chargeNanos: -15_000_000 }])
  })
})
