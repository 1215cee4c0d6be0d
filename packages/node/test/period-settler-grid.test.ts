import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { iotaAddress, signerFromSeed, signTerms, slotEnd, tradeId, type NodeEvent, type Trade, type TradeTerms } from '@kvartal/protocol'
import { identityFromSeed, type NodeIdentity } from '@kvartal/mesh'
import { LocalLedger, localSettlement, type Settlement } from '@kvartal/settlement'
import { SimulatedMeter } from '@kvartal/meters'
import { Journal, PeriodSettler, SlotMeter, type KvartalNodeOptions } from '../src/index.ts'

// The period settler with a grid operator in the node's options (grid.operator): the buyer's grid fee and
// positive imbalance reach the operator in the node's one period payment, and the journaled period
// summary carries the grid figures. Real level journals and a real LocalLedger in a temporary directory.

const slots = { epochMs: 1_000_000_000, slotMs: 900_000, gateClosureMs: 60_000 }
const tariffs = { retail: 1_000_000_000, feedIn: 300_000_000 }
const operator = iotaAddress(signerFromSeed(new Uint8Array(32).fill(59)).publicKey)
const START = 10_000_000_000
// 1001 Wh at 0.5 IOTA/kWh across feeders, district fee 120_000_500 nanos/kWh → 120_120_501 nanos (half up)
const ENERGY = 500_500_000
const FEE = 120_120_501

let dir: string
let ledger: LocalLedger
const journals: Journal[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-settler-'))
  ledger = await LocalLedger.open(join(dir, 'ledger'))
})
afterEach(async () => {
  for (const j of journals.splice(0)) await j.close().catch(() => {})
  await ledger.close().catch(() => {})
  await rm(dir, { recursive: true, force: true })
})

interface Party {
  identity: NodeIdentity
  journal: Journal
  settler: PeriodSettler
  events: Array<Omit<NodeEvent, 'node' | 'at'>>
}

/** A node's settler: measured net Wh per slot (+ export), two-slot periods, an operator when given. */
async function party(seed: number, measured: number[], gridOperator?: string, stopping?: AbortSignal): Promise<Party> {
  const identity = await identityFromSeed(new Uint8Array(32).fill(seed))
  const journal = await Journal.open(join(dir, `j${seed}`), { sync: false })
  journals.push(journal)
  await ledger.mint(identity.iotaAddress, START)
  const events: Party['events'] = []
  const options = {
    district: 'd',
    slots,
    tariffs,
    profile: { buyLimit: 0, sellLimit: 0, position: () => 0, measured: (s: number) => measured[s] ?? 0 },
    settlement: {
      periodSlots: 2,
      create: () => {
        throw new Error('not used')
      }
    },
    ...(gridOperator != null ? { grid: { feeder: 'f', fees: { local: 0, district: 0 }, operator: gridOperator } } : {})
  } as unknown as KvartalNodeOptions
  const emit = (e: Party['events'][number]): void => {
    events.push(e)
  }
  // the measured energy comes from a simulated meter that has reported since slot 0 began
  const meter = new SlotMeter({
    journal,
    slots,
    emit,
    meter: new SimulatedMeter({ name: `p${seed}`, slots, netWh: (s: number) => measured[s] ?? 0 })
  })
  await meter.start()
  await meter.flush(slots.epochMs)
  const settler = new PeriodSettler({ journal, identity, options, emit, signal: new AbortController().signal, stopping, meter })
  return { identity, journal, settler, events }
}

function crossFeederTrade(seller: NodeIdentity, buyer: NodeIdentity): Trade {
  const terms: TradeTerms = {
    version: 1,
    district: 'd',
    negotiation: new Uint8Array(16).fill(7),
    buyer: buyer.signer.publicKey,
    seller: seller.signer.publicKey,
    slot: 1,
    energyWh: 1_001,
    price: 500_000_000,
    agreedAt: 1,
    gridFee: 120_000_500,
    buyerFeeder: 'f2',
    sellerFeeder: 'f1'
  }
  return { id: tradeId(terms), terms, buyerSignature: signTerms(terms, buyer.signer), sellerSignature: signTerms(terms, seller.signer) }
}

async function settleBoth(
  seller: Party,
  buyer: Party,
  settlement: (p: Party) => Settlement = p => localSettlement(ledger, p.identity.signer)
): Promise<void> {
  const t = crossFeederTrade(seller.identity, buyer.identity)
  await seller.journal.commitSellerTrade(t, 'n', 1)
  await buyer.journal.putBuyerTrade(t, 'committed', 1)
  for (const p of [seller, buyer]) {
    await p.settler.readMeters(slotEnd(slots, 1), 0)
    await p.settler.settleDue(settlement(p))
  }
}

describe('period settler with a grid operator', () => {
  it("pays the buyer's fee and positive imbalance to the operator in one payment, and journals the grid figures", async () => {
    const seller = await party(51, [0, 1_001], operator)
    const buyer = await party(52, [0, -1_501], operator) // 500 Wh drawn beyond the contract in slot 1
    await settleBoth(seller, buyer)

    const summary = (await buyer.journal.getPeriod('d/0'))!
    expect(summary).toMatchObject({
      gridOperator: operator,
      gridFeesNanos: FEE,
      imbalanceNanos: 500_000_000,
      paidToGridOperatorNanos: FEE + 500_000_000,
      receivableFromGridOperatorNanos: 0,
      paid: ENERGY + FEE + 500_000_000
    })
    expect((await seller.journal.getPeriod('d/0'))!).toMatchObject({
      gridOperator: operator,
      gridFeesNanos: 0,
      paidToGridOperatorNanos: 0,
      receivableFromGridOperatorNanos: 0,
      payment: null
    })
    expect(await ledger.balance(operator)).toBe(FEE + 500_000_000)
    expect(await ledger.balance(seller.identity.iotaAddress)).toBe(START + ENERGY)
    expect(await ledger.balance(buyer.identity.iotaAddress)).toBe(START - ENERGY - FEE - 500_000_000)
    expect(ledger.transactions).toBe(2) // the seller's attestation, the buyer's payment carrying its root
    expect(summary.payment).toBe(summary.attestation)
    expect(buyer.events.find(e => e.type === 'period-settled')?.detail).toContain(`${FEE + 500_000_000} to the grid operator`)
  })

  it('a node that is stopping begins no further period: nothing is journaled or paid for it', async () => {
    const stop = new AbortController()
    const seller = await party(51, [0, 1_001], operator)
    const buyer = await party(52, [0, -1_001], operator, stop.signal)
    stop.abort()
    await settleBoth(seller, buyer)
    expect(await buyer.journal.getPeriod('d/0')).toBeUndefined()
    expect(await buyer.journal.getPeriodPlan('d/0')).toBeUndefined()
    // the seller (not stopping) attested its period; the buyer paid nothing
    expect(ledger.transactions).toBe(1)
    expect(await ledger.balance(buyer.identity.iotaAddress)).toBe(START)
  })

  it('a crash after the payment: the next tick settles the period without paying the operator again', async () => {
    const seller = await party(51, [0, 1_001], operator)
    const buyer = await party(52, [0, -1_001], operator)
    let dies = true
    const crashing = (p: Party): Settlement => {
      const inner = localSettlement(ledger, p.identity.signer)
      return {
        ...inner,
        async pay(...args) {
          const r = await inner.pay(...args)
          if (p === buyer && dies) {
            dies = false
            throw new Error('killed after paying')
          }
          return r
        }
      }
    }
    await settleBoth(seller, buyer, crashing)
    expect(buyer.events.at(-1)).toMatchObject({ type: 'settlement-failed' })
    expect(await buyer.journal.getPeriod('d/0')).toBeUndefined()
    expect(await ledger.balance(operator)).toBe(FEE)

    await buyer.settler.settleDue(crashing(buyer))
    const summary = (await buyer.journal.getPeriod('d/0'))!
    expect(summary).toMatchObject({ paidToGridOperatorNanos: FEE, paid: ENERGY + FEE })
    expect(summary.payment).toBe(summary.attestation)
    expect(await ledger.balance(operator)).toBe(FEE)
    expect(ledger.transactions).toBe(2)
  })

  it('without grid.operator, settles as before: the fee is reported, nothing reaches the operator', async () => {
    const seller = await party(51, [0, 1_001])
    const buyer = await party(52, [0, -1_501])
    await settleBoth(seller, buyer)
    expect((await buyer.journal.getPeriod('d/0'))!).toMatchObject({
      gridOperator: null,
      gridFeesNanos: FEE,
      imbalanceNanos: 500_000_000,
      paidToGridOperatorNanos: 0,
      receivableFromGridOperatorNanos: 0,
      paid: ENERGY
    })
    expect(await ledger.balance(operator)).toBe(0)
    expect(await ledger.balance(buyer.identity.iotaAddress)).toBe(START - ENERGY)
  })
})
