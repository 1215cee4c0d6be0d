import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  costNanos,
  iotaAddress,
  signReading,
  signerFromSeed,
  signTerms,
  tradeId,
  verifyReadingChain,
  type MeterReading,
  type Trade,
  type TradeTerms
} from '@kvartal/protocol'
import { LocalLedger, localSettlement, netPositions, netTrades, paymentsFor, settlePeriod, verifyTradeProof } from '../src/index.ts'

const a = signerFromSeed(new Uint8Array(32).fill(11))
const b = signerFromSeed(new Uint8Array(32).fill(12))
const c = signerFromSeed(new Uint8Array(32).fill(13))
const addr = (s: typeof a): string => iotaAddress(s.publicKey)
const tariffs = { retail: 1_000_000_000, feedIn: 300_000_000 }

function trade(seller: typeof a, buyer: typeof a, slot: number, energyWh: number, price: number, n: number): Trade {
  const terms: TradeTerms = {
    version: 1,
    district: 'd',
    negotiation: new Uint8Array(16).fill(n),
    buyer: buyer.publicKey,
    seller: seller.publicKey,
    slot,
    energyWh,
    price,
    agreedAt: 1
  }
  return { id: tradeId(terms), terms, buyerSignature: signTerms(terms, buyer), sellerSignature: signTerms(terms, seller) }
}

const trades = [
  trade(a, b, 1, 1_000, 500_000_000, 1), // b owes a 0.5 IOTA
  trade(a, b, 2, 333, 333_333_333, 2), // b owes a 111_000_000 (rounded)
  trade(b, a, 3, 200, 400_000_000, 3), // a owes b 0.08 IOTA
  trade(a, c, 1, 500, 600_000_000, 4) // c owes a 0.3 IOTA
]

let dir: string
let ledger: LocalLedger
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-ledger-'))
  ledger = await LocalLedger.open(join(dir, 'ledger'))
})
afterEach(async () => {
  await ledger.close().catch(() => {})
  await rm(dir, { recursive: true, force: true })
})

describe('netting', () => {
  it('nets every pair to one obligation without creating or losing a nano', () => {
    const o = netTrades(trades)
    expect(o).toHaveLength(2)
    const ba = o.find(x => x.from === addr(b))!
    expect(ba.to).toBe(addr(a))
    expect(ba.amount).toBe(costNanos(1_000, 500_000_000) + costNanos(333, 333_333_333) - costNanos(200, 400_000_000))
    const owed = trades.reduce((s, t) => s + costNanos(t.terms.energyWh, t.terms.price), 0)
    expect(o.reduce((s, x) => s + x.amount, 0)).toBe(owed - 2 * costNanos(200, 400_000_000))
    expect([...netPositions(o).values()].reduce((s, x) => s + x, 0)).toBe(0)
    expect(paymentsFor(o, 'p').map(p => p.transfers.length)).toEqual([1, 1])
  })
})

describe('local ledger settlement, end to end', () => {
  async function settleAll(period: string) {
    for (const s of [a, b, c]) await ledger.mint(addr(s), 10_000_000_000)
    const readings = new Map<string, MeterReading[]>()
    const out = []
    for (const s of [a, b, c]) {
      const mine = trades.filter(t => iotaAddress(t.terms.buyer) === addr(s) || iotaAddress(t.terms.seller) === addr(s))
      let prev: MeterReading | undefined
      const rs: MeterReading[] = []
      for (let slot = 1; slot <= 3; slot++) {
        prev = signReading(s, slot, 100, 50, slot, prev)
        rs.push(prev)
      }
      readings.set(addr(s), rs)
      out.push(await settlePeriod(localSettlement(ledger, s), { period, self: addr(s), trades: mine, readings: rs, tariffs }))
    }
    return out
  }

  it('nets, pays in one transaction per payer, attests one root per node, and every trade verifies', async () => {
    const before = await Promise.all([a, b, c].map(async s => await ledger.balance(addr(s))))
    const results = await settleAll('d/day1')
    const payments = results.flatMap(r => (r.payment == null ? [] : [r.payment]))
    expect(payments).toHaveLength(2) // b pays a, c pays a; a owes nothing net
    // one transaction per node: b's and c's payments carry their roots, a attests alone (was 2 + 3 = 5)
    expect(ledger.transactions).toBe(3)
    for (const r of results) if (r.payment != null) expect(r.attestation.digest).toBe(r.payment.digest)
    const after = await Promise.all([a, b, c].map(async s => await ledger.balance(addr(s))))
    const owed = netTrades(trades)
    const expectedDelta = [addr(a), addr(b), addr(c)].map(x => netPositions(owed).get(x) ?? 0)
    expect(after.map((x, i) => x - before[i] - 10_000_000_000)).toEqual(expectedDelta)
    for (const [i, s] of [a, b, c].entries()) {
      for (const [id, proof] of results[i].proofs) {
        const t = trades.find(x => x.id === id)!
        const v = await verifyTradeProof(localSettlement(ledger, s), t, proof, results[i].attestation.root, `d/day1/attest/${addr(s)}`)
        expect(v.ok, JSON.stringify(v.checks)).toBe(true)
      }
    }
  })

  it('refuses a tampered trade, a wrong proof, a forged signature and a root never attested, naming the check', async () => {
    const [ra] = await settleAll('d/day2')
    const t = trades[0]
    const proof = ra.proofs.get(t.id)!
    const root = ra.attestation.root
    const key = `d/day2/attest/${addr(a)}`
    const s = localSettlement(ledger, a)
    const tampered = { ...t, terms: { ...t.terms, energyWh: t.terms.energyWh + 1 } }
    expect((await verifyTradeProof(s, tampered, proof, root, key)).failed).toBe('seller-signature')
    expect((await verifyTradeProof(s, t, ra.proofs.get(trades[1].id)!, root, key)).failed).toBe('inclusion-proof')
    expect((await verifyTradeProof(s, { ...t, buyerSignature: signTerms(t.terms, c) }, proof, root, key)).failed).toBe('buyer-signature')
    expect((await verifyTradeProof(s, t, proof, root, 'd/never/attested')).failed).toBe('attested-root')
    expect((await verifyTradeProof(s, t, proof, 'ab'.repeat(32), key)).failed).toBe('inclusion-proof')
  })

  it('settling again after a crash — even with a reopened ledger — pays and attests nothing twice', async () => {
    await settleAll('d/day3')
    const balances = await Promise.all([a, b, c].map(async s => await ledger.balance(addr(s))))
    const n = ledger.transactions
    await ledger.close()
    ledger = await LocalLedger.open(join(dir, 'ledger'))
    for (const s of [a, b, c]) {
      const mine = trades.filter(t => iotaAddress(t.terms.buyer) === addr(s) || iotaAddress(t.terms.seller) === addr(s))
      await settlePeriod(localSettlement(ledger, s), { period: 'd/day3', self: addr(s), trades: mine, readings: [], tariffs })
    }
    expect(ledger.transactions).toBe(n)
    expect(await Promise.all([a, b, c].map(async s => await ledger.balance(addr(s))))).toEqual(balances)
  })

  it('refuses a payment the payer cannot cover, or signed by someone else, and changes nothing', async () => {
    const s = localSettlement(ledger, b)
    await expect(s.pay({ key: 'x', payer: addr(b), transfers: [{ to: addr(a), amount: 5 }] })).rejects.toMatchObject({
      name: 'SettlementError',
      code: 'insufficient-balance'
    })
    await expect(
      localSettlement(ledger, c).pay({ key: 'y', payer: addr(b), transfers: [{ to: addr(a), amount: 5 }] })
    ).rejects.toMatchObject({ code: 'wrong-payer' })
    expect(ledger.transactions).toBe(0)
  })
})

describe('meter readings', () => {
  it('chain by hash so that an edit or a gap is visible', () => {
    const rs: MeterReading[] = []
    for (let slot = 0; slot < 5; slot++) rs.push(signReading(a, slot, slot * 10, 0, slot, rs.at(-1)))
    expect(verifyReadingChain(rs).ok).toBe(true)
    const edited = [...rs]
    edited[2] = { ...rs[2], importWh: 999 }
    expect(verifyReadingChain(edited)).toMatchObject({ ok: false, index: 2 })
    const gap = [...rs.slice(0, 2), ...rs.slice(3)]
    expect(verifyReadingChain(gap)).toMatchObject({ ok: false, index: 2 })
    const resigned = [...rs]
    resigned[2] = signReading(a, 2, 999, 0, 2, rs[1])
    expect(verifyReadingChain(resigned)).toMatchObject({ ok: false, index: 3 })
  })
  it('delivery that differs from contract is charged at the grid tariffs', async () => {
    const r = signReading(a, 1, 0, 600, 1) // a contracted to deliver 1000 + 500 − 0 in slot 1 but exported 600
    const res = await settlePeriod(localSettlement(ledger, a), {
      period: 'd/imb',
      self: addr(a),
      trades: trades.filter(t => t.terms.slot === 1),
      readings: [r],
      tariffs
    })
    expect(res.imbalance[0]).toMatchObject({ slot: 1, contractedWh: 1_500, deliveredWh: 600, chargeNanos: costNanos(900, tariffs.retail) })
  })
})
