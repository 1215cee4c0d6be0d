import { mkdtemp, rm } from 'node:fs/promises'
import { createHash, randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Transaction, TransactionDataBuilder } from '@iota/iota-sdk/transactions'
import { toBase58, toBase64 } from '@iota/iota-sdk/utils'
import {
  costNanos,
  encodeLegTerms,
  encodeTrade,
  iotaAddress,
  legIdOf,
  seal,
  signerFromSeed,
  tradeId,
  type TradeTerms
} from '@kvartal/protocol'
import { sampleLegTerms } from '@kvartal/protocol/testing'
import { checkInvariants, RIDE_VIOLATION_KINDS, type District, type ViolationKind } from '../scripts/soak/invariants.ts'
import { readLedgerEntries, type LedgerEntry } from '../scripts/soak/ledger-reader.ts'
import { fareOf, rentalTerms } from '../scripts/soak/ride-reader.ts'
import { writeJournal, type NodeData } from './helpers/soak-journals.ts'

/**
 * The soak's ride invariants (scripts/soak/ride-invariants.ts) and its netting of prosumers' trades, against
 * hand-made journals (LevelDB directories by the layout journal.ts documents, no node involved) and a hand-made
 * ledger (IOTA transactions built with the SDK): a rental bike's ride metered to its end, its final receipt
 * signed by the rider and held by both, the unlock fee paid at checkout and the rest with the rider's period,
 * passes; each kind of violation, made on purpose, is named. So are two prosumers who sold to each other in one
 * period: each pays what the pair's trades net to, not what each bought.
 */

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-soak-rides-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const party = (name: string): { pk: Uint8Array; address: string; seed: Buffer } => {
  const seed = createHash('sha256').update(name).digest()
  const pk = signerFromSeed(seed).publicKey
  return { pk, address: iotaAddress(pk), seed }
}
const V = party('vehicle')
const R = party('rider')
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const STOPPED = 1_800_000_000_000
const SLOT_MS = 1_000
const PERIOD_SLOTS = 5
const FEE = 10_000_000
/** the soak's bike plan (tests/helpers/mobility-process.ts's bikePricing) on the wire */
const pricing = {
  planId: 'bike-std',
  price: FEE,
  perMinPricing: [{ start: 0, rate: 2_000_000, interval: 1, end: 0 }],
  perKmPricing: [],
  maxPrice: 200_000_000
}

let gasVersion = 1
async function tx(sender: string, transfers: Array<{ to: string; amount: number }>, attestKey?: string): Promise<LedgerEntry> {
  const t = new Transaction()
  t.setSender(sender)
  t.setGasPrice(1000)
  t.setGasBudget(10_000_000)
  t.setGasPayment([{ objectId: '0x' + '11'.repeat(32), version: String(gasVersion++), digest: toBase58(new Uint8Array(randomBytes(32))) }])
  if (transfers.length > 0) {
    const coins = t.splitCoins(
      t.gas,
      transfers.map(x => t.pure.u64(x.amount))
    )
    transfers.forEach((x, i) => {
      t.transferObjects([coins[i]], t.pure.address(x.to))
    })
  }
  if (attestKey != null)
    t.moveCall({
      target: `0x${'22'.repeat(32)}::notarization::new_state_from_bytes`,
      arguments: [
        t.pure.vector('u8', new Uint8Array(32)),
        t.pure.option('string', JSON.stringify({ kind: 'kvartal-attestation', key: attestKey, leaves: 1 }))
      ]
    })
  const bytes = await t.build()
  return { digest: TransactionDataBuilder.getDigestFromBytes(bytes), status: 'success', bytes: toBase64(bytes) }
}

/** A 20 s rental of the bike, ending a minute before the stop. */
function rental(fromMs: number, toMs = fromMs + 20_000): { terms: string; leg: Uint8Array } {
  const t = {
    ...sampleLegTerms({ traveller: R.pk, provider: V.pk }),
    district: 'soak',
    mode: 'BICYCLE',
    resource: 'asset-1',
    from: fromMs,
    to: toMs,
    departureTime: fromMs,
    arrivalTime: toMs,
    units: 1,
    price: FEE,
    pricing,
    fromStopId: '',
    toStopId: '',
    distanceM: 800
  }
  return { terms: hex(encodeLegTerms(t)), leg: legIdOf(t) }
}

/** A receipt as the rider seals it (or `by` another key), and its record on one side. */
function receipt(leg: Uint8Array, nonce: number, seconds: number, total: number, role: 'traveller' | 'vehicle', by = R.seed) {
  const envelope = seal(
    'usage-receipt',
    { version: 1, district: 'soak', leg, nonce, seconds, metres: seconds * 40, total, payer: R.pk, payee: V.pk, issuedAt: TO },
    signerFromSeed(by)
  )
  return { leg: hex(leg), envelope: hex(envelope), nonce, total, payer: R.address, payee: V.address, issuedAt: TO, final: true, role }
}

const TO = STOPPED - 60_000
const FROM = TO - 20_000
/** the period whose end first follows the ride (5 slots of 1 s from epoch 0) */
const PERIOD = `soak/${TO / (PERIOD_SLOTS * SLOT_MS)}`

interface World {
  v: NodeData
  r: NodeData
  ledger: LedgerEntry[]
}

async function world(): Promise<World> {
  const { terms, leg } = rental(FROM)
  const fare = fareOf(rentalTerms(terms).plan, 20, 800)
  const pkg = 'cd'.repeat(16)
  const checkout = await tx(R.address, [{ to: V.address, amount: FEE }])
  const period = await tx(R.address, [{ to: V.address, amount: fare - FEE }], `${PERIOD}/attest/${R.address}`)
  const rec = receipt(leg, 21, 20, fare, 'traveller')
  return {
    v: {
      seed: V.seed,
      legs: [
        {
          leg: hex(leg),
          terms,
          status: 'ENDED',
          package: pkg,
          resource: 'asset-1',
          units: 1,
          price: FEE,
          from: FROM,
          to: TO,
          holdUntil: FROM - 5_000,
          paymentDigest: checkout.digest,
          usedSeconds: 20,
          at: TO + 30
        }
      ],
      receipts: [{ ...rec, role: 'vehicle' }],
      plans: { [PERIOD]: [] },
      periods: { [PERIOD]: { payment: null, paid: 0 } },
      periodExtras: { [PERIOD]: { status: 'selected', receipts: [hex(leg)], legs: [], heads: [] } }
    },
    r: {
      seed: R.seed,
      packages: [
        {
          id: pkg,
          status: 'CONFIRMED',
          phase: 'done',
          total: FEE,
          paymentDigest: checkout.digest,
          at: FROM - 3_000,
          legs: [{ leg: hex(leg), provider: hex(V.pk), status: 'CONFIRMED', terms }]
        }
      ],
      receipts: [rec],
      plans: { [PERIOD]: [] },
      periods: { [PERIOD]: { payment: period.digest, paid: fare - FEE } },
      periodExtras: { [PERIOD]: { status: 'selected', receipts: [hex(leg)], legs: [], heads: [] } }
    },
    ledger: [checkout, period]
  }
}

let n = 0
async function check(nodes: Array<[string, NodeData]>, ledger: LedgerEntry[]) {
  const district: District = {
    periodSlots: PERIOD_SLOTS,
    stoppedAt: STOPPED,
    slots: { epochMs: 0, slotMs: SLOT_MS, gateClosureMs: 0 },
    nodes: nodes.map(([name]) => ({ name, dataDir: '' }))
  }
  const journals = new Map(await Promise.all(nodes.map(async ([name, d]) => [name, await writeJournal(join(dir, `j${n++}`), d)] as const)))
  const report = checkInvariants(district, journals, readLedgerEntries(ledger))
  return { kinds: [...new Set(report.violations.map(v => v.kind))], report }
}
const checkWorld = async (w: World) =>
  await check(
    [
      ['vehicle', w.v],
      ['rider', w.r]
    ],
    w.ledger
  )

/** Each violation made on purpose on top of the consistent ride: the checker must name it. */
const broken: Array<[ViolationKind, (w: World) => Promise<void> | void]> = [
  // the vehicle's copy signed by the vehicle itself
  [
    'receipt-not-travellers',
    w => {
      const r = w.v.receipts![0]
      w.v.receipts = [receipt(Buffer.from(String(r.leg), 'hex'), 21, 20, Number(r.total), 'vehicle', V.seed)]
    }
  ],
  // the vehicle holds a later receipt than the rider who signed it
  [
    'receipt-one-sided',
    w => {
      const r = w.r.receipts![0]
      w.r.receipts = [receipt(Buffer.from(String(r.leg), 'hex'), 20, 19, Number(r.total), 'traveller')]
    }
  ],
  // one nano more than 20 s cost under the plan (and paid so)
  [
    'receipt-mispriced',
    async w => {
      const r = w.r.receipts![0]
      const over = receipt(Buffer.from(String(r.leg), 'hex'), 21, 20, Number(r.total) + 1, 'traveller')
      w.r.receipts = [over]
      w.v.receipts = [{ ...over, role: 'vehicle' }]
      const pay = await tx(R.address, [{ to: V.address, amount: over.total - FEE }], `${PERIOD}/attest/${R.address}`)
      w.ledger[1] = pay
      w.r.periods = { [PERIOD]: { payment: pay.digest } }
    }
  ],
  [
    'ride-end-unreceipted',
    w => {
      w.v.receipts = [{ ...w.v.receipts![0], final: false }]
    }
  ],
  [
    'ride-paid-twice',
    w => {
      w.r.plans = { ...w.r.plans, 'soak/1': [] }
      w.r.periodExtras = { ...w.r.periodExtras, 'soak/1': w.r.periodExtras![PERIOD] }
    }
  ],
  // the period after the ride settled, its receipt left out and unpaid
  [
    'receipt-unpaid',
    w => {
      w.r.periodExtras = { [PERIOD]: { status: 'selected', receipts: [], legs: [], heads: [] } }
      w.r.periods = { [PERIOD]: { payment: null, paid: 0 } }
      w.ledger = w.ledger.slice(0, 1)
    }
  ],
  // a second ride of the bike starting 5 s before the first one ended
  [
    'vehicle-double-booked',
    w => {
      const second = rental(TO - 5_000, TO + 15_000)
      w.v.legs!.push({ ...w.v.legs![0], leg: hex(second.leg), terms: second.terms, from: TO - 5_000, to: TO + 15_000, at: TO + 15_000 })
    }
  ],
  [
    'ride-unended',
    w => {
      w.v.legs = [{ ...w.v.legs![0], status: 'STARTED' }]
    }
  ],
  // the period pays the whole fare again, unlock fee included
  [
    'paid-not-owed',
    async w => {
      const pay = await tx(R.address, [{ to: V.address, amount: Number(w.r.receipts![0].total) }], `${PERIOD}/attest/${R.address}`)
      w.ledger[1] = pay
      w.r.periods = { [PERIOD]: { payment: pay.digest } }
    }
  ]
]

describe("the soak's ride invariants, against hand-made journals and ledgers", () => {
  it('passes a ride metered to its end: its final receipt on both sides, the unlock fee at checkout, the rest later', async () => {
    const { report } = await checkWorld(await world())
    expect(report.violations).toEqual([])
    expect(report.rides).toEqual({ booked: 1, started: 1, ended: 1, paid: 1, receipts: 1 })
    expect(report.bookings).toBe(1)
  })

  it('names every ride kind, each made on purpose', () => {
    expect([...new Set(broken.map(([k]) => k))].filter(k => k !== 'paid-not-owed').sort()).toEqual([...RIDE_VIOLATION_KINDS].sort())
  })

  for (const [i, [kind, breakIt]] of broken.entries()) {
    it(`names ${kind} (case ${i + 1})`, async () => {
      const w = await world()
      await breakIt(w)
      const { kinds, report } = await checkWorld(w)
      expect(kinds, JSON.stringify(report.violations, null, 1)).toContain(kind)
      for (const v of report.violations) expect(v.detail.length).toBeGreaterThan(10)
    })
  }
})

describe("the soak's netting, with prosumers who sold to each other in one period", () => {
  const A = party('prosumer-a')
  const B = party('prosumer-b')
  function trade(seller: typeof A, buyer: typeof A, slot: number, energyWh: number): { id: string; hex: string } {
    const terms: TradeTerms = {
      version: 1,
      district: 'soak',
      negotiation: new Uint8Array(randomBytes(16)),
      buyer: buyer.pk,
      seller: seller.pk,
      slot,
      energyWh,
      price: 500_000_000,
      agreedAt: STOPPED - 60_000
    }
    const id = tradeId(terms)
    return { id, hex: hex(encodeTrade({ id, terms, buyerSignature: new Uint8Array(64), sellerSignature: new Uint8Array(64) })) }
  }
  /** A sells B 500 Wh in slot 1, B sells A 300 Wh in slot 3: period soak/0 nets to B paying A for 200 Wh */
  async function prosumers(paidByB: number) {
    const ab = trade(A, B, 1, 500)
    const ba = trade(B, A, 3, 300)
    const pay = await tx(B.address, [{ to: A.address, amount: paidByB }], `soak/0/attest/${B.address}`)
    const side = (p: typeof A, roles: [string, string]): NodeData => ({
      seed: p.seed,
      trades: [
        // committed before slot 1's gate (1 s slots from epoch 0)
        { id: ab.id, role: roles[0], status: 'committed', trade: ab.hex, at: 500 },
        { id: ba.id, role: roles[1], status: 'committed', trade: ba.hex, at: 500 }
      ],
      plans: { 'soak/0': [ab.id, ba.id] },
      periods: { 'soak/0': { payment: p === B ? pay.digest : null } },
      proofs: { [ab.id]: { period: 'soak/0' }, [ba.id]: { period: 'soak/0' } }
    })
    return await check(
      [
        ['prosumer-a', side(A, ['seller', 'buyer'])],
        ['prosumer-b', side(B, ['buyer', 'seller'])]
      ],
      [pay]
    )
  }

  it('passes when each pays what the pair nets to, and counts both sides as netted both ways', async () => {
    const { report } = await prosumers(costNanos(500, 500_000_000) - costNanos(300, 500_000_000))
    expect(report.violations).toEqual([])
    expect([report.trades, report.nettedBothWays]).toEqual([2, 2])
  })

  it('names paid-not-owed when B pays for what it bought without netting what it sold', async () => {
    const { kinds } = await prosumers(costNanos(500, 500_000_000))
    expect(kinds).toEqual(['paid-not-owed'])
  })
})
