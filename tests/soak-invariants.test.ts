import { mkdtemp, rm } from 'node:fs/promises'
import { createHash, randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Transaction, TransactionDataBuilder } from '@iota/iota-sdk/transactions'
import { toBase58, toBase64 } from '@iota/iota-sdk/utils'
import { costNanos, encodeTrade, iotaAddress, signerFromSeed, tradeId, type TradeTerms } from '@kvartal/protocol'
import {
  checkInvariants,
  METER_VIOLATION_KINDS,
  RIDE_VIOLATION_KINDS,
  VIOLATION_KINDS,
  type District,
  type ViolationKind
} from '../scripts/soak/invariants.ts'
import type { RawJournal } from '../scripts/soak/journal-reader.ts'
import { seatTerms, writeJournal, type NodeData } from './helpers/soak-journals.ts'
import { readLedgerEntries, type LedgerEntry } from '../scripts/soak/ledger-reader.ts'

/**
 * The soak's invariant checker against hand-made journals (real LevelDB directories written by the
 * layout journal.ts documents, no node involved) and a hand-made ledger (IOTA transactions built with
 * the SDK): a consistent district passes, and each kind of violation, made on purpose, is named.
 */

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-soak-inv-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const seedOf = (name: string): Buffer => createHash('sha256').update(name).digest()
const party = (name: string): { pk: Uint8Array; address: string; seed: Buffer } => {
  const seed = seedOf(name)
  const pk = signerFromSeed(seed).publicKey
  return { pk, address: iotaAddress(pk), seed }
}
const S = party('seller')
const B = party('buyer')
const O = party('operator')
const T = party('traveller')
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const STOPPED = 1_800_000_000_000
/** 1 s slots whose slot 10 (the world's trade) starts 2 s after the seller committed it: its gate 1 s after */
const SLOTS = { epochMs: STOPPED - 60_000 - 10 * 1_000 + 2_000, slotMs: 1_000, gateClosureMs: 1_000 }

function trade(
  slot: number,
  energyWh: number,
  negotiation: Uint8Array = new Uint8Array(randomBytes(16))
): { id: string; hex: string; terms: TradeTerms } {
  const terms: TradeTerms = {
    version: 1,
    district: 'soak',
    negotiation,
    buyer: B.pk,
    seller: S.pk,
    slot,
    energyWh,
    price: 500_000_000,
    agreedAt: STOPPED - 60_000
  }
  return {
    id: tradeId(terms),
    terms,
    hex: hex(
      encodeTrade({ id: tradeId(terms), terms, buyerSignature: new Uint8Array(64).fill(1), sellerSignature: new Uint8Array(64).fill(2) })
    )
  }
}

let gasVersion = 1
/** A transaction as the ledger file holds it: transfers split off the gas coin, and an attestation key if given. */
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
  if (attestKey != null) {
    t.moveCall({
      target: `0x${'22'.repeat(32)}::notarization::new_state_from_bytes`,
      arguments: [
        t.pure.vector('u8', new Uint8Array(32)),
        t.pure.option('string', JSON.stringify({ kind: 'kvartal-attestation', key: attestKey, leaves: 1 }))
      ]
    })
  }
  const bytes = await t.build()
  return { digest: TransactionDataBuilder.getDigestFromBytes(bytes), status: 'success', bytes: toBase64(bytes) }
}

let n = 0
/** A journal by its documented layout in this test's directory, read back with the checker's reader. */
const journal = async (d: NodeData): Promise<RawJournal> => await writeJournal(join(dir, `j${n++}`), d)

/** A consistent district: one trade settled by both sides and paid once, one seat booked and paid once. */
interface World {
  negotiation: Uint8Array
  s: NodeData
  b: NodeData
  o: NodeData
  t: NodeData
  ledger: LedgerEntry[]
  positions: { seller: number[]; buyer: number[] }
  seats: number
}

async function world(): Promise<World> {
  const negotiation = new Uint8Array(randomBytes(16))
  const t1 = trade(10, 500, negotiation)
  const cost = costNanos(500, 500_000_000)
  const pay = await tx(B.address, [{ to: S.address, amount: cost }], `soak/2/attest/${B.address}`)
  const attest = await tx(S.address, [], `soak/2/attest/${S.address}`)
  const leg = 'ab'.repeat(32)
  const pkg = 'cd'.repeat(16)
  const seat = await tx(T.address, [{ to: O.address, amount: 400_000_000 }])
  return {
    negotiation,
    s: {
      seed: S.seed,
      trades: [{ id: t1.id, role: 'seller', status: 'committed', trade: t1.hex, at: STOPPED - 60_000 }],
      plans: { 'soak/2': [t1.id] },
      periods: { 'soak/2': { payment: null, paid: 0 } },
      proofs: { [t1.id]: { period: 'soak/2' } }
    },
    b: {
      seed: B.seed,
      trades: [{ id: t1.id, role: 'buyer', status: 'committed', trade: t1.hex, at: STOPPED - 60_000 }],
      plans: { 'soak/2': [t1.id] },
      periods: { 'soak/2': { payment: pay.digest, paid: cost } },
      proofs: { [t1.id]: { period: 'soak/2' } }
    },
    o: {
      seed: O.seed,
      legs: [
        {
          leg,
          terms: seatTerms(0, 2, STOPPED - 40_000),
          status: 'CONFIRMED',
          package: pkg,
          resource: 'T1',
          units: 1,
          price: 400_000_000,
          holdUntil: STOPPED - 50_000,
          paymentDigest: seat.digest,
          at: STOPPED - 50_000
        }
      ]
    },
    t: {
      seed: T.seed,
      packages: [
        {
          id: pkg,
          status: 'CONFIRMED',
          phase: 'done',
          total: 400_000_000,
          paymentDigest: seat.digest,
          at: STOPPED - 50_000,
          legs: [{ leg, provider: hex(O.pk), status: 'CONFIRMED' }]
        }
      ]
    },
    ledger: [pay, attest, seat],
    positions: { seller: [600], buyer: [-800] },
    seats: 1
  }
}

async function check(w: World): Promise<{ kinds: ViolationKind[]; report: ReturnType<typeof checkInvariants> }> {
  const district: District = {
    periodSlots: 5,
    stoppedAt: STOPPED,
    slots: SLOTS,
    nodes: [
      { name: 'seller', dataDir: '', position: w.positions.seller, skewMs: 400 },
      { name: 'buyer', dataDir: '', position: w.positions.buyer },
      { name: 'operator', dataDir: '', seatsPerTrip: w.seats },
      { name: 'traveller', dataDir: '' }
    ]
  }
  const journals = new Map([
    ['seller', await journal(w.s)],
    ['buyer', await journal(w.b)],
    ['operator', await journal(w.o)],
    ['traveller', await journal(w.t)]
  ])
  const report = checkInvariants(district, journals, readLedgerEntries(w.ledger))
  return { kinds: [...new Set(report.violations.map(v => v.kind))], report }
}

/** Another traveller's seat on trip T1, booked and paid (with `terms`: another stretch or day than the first seat's). */
async function secondSeat(w: World, terms?: string): Promise<void> {
  const seat = await tx(T.address, [{ to: O.address, amount: 400_000_000 }])
  const leg = '12'.repeat(32)
  const pkg = '34'.repeat(16)
  w.ledger.push(seat)
  w.o.legs!.push({ ...w.o.legs![0], leg, package: pkg, paymentDigest: seat.digest, ...(terms != null ? { terms } : {}) })
  w.t.packages!.push({
    ...w.t.packages![0],
    id: pkg,
    paymentDigest: seat.digest,
    legs: [{ leg, provider: hex(O.pk), status: 'CONFIRMED' }]
  })
}

/** Each violation made on purpose, on top of the consistent district: the checker must name exactly it. */
const broken: Array<[ViolationKind, (w: World) => Promise<void> | void]> = [
  // committed at its gate by its own clock (its journal's time), though 400 ms before it by the machine's
  [
    'traded-after-gate',
    w => {
      w.s.trades = [{ ...w.s.trades![0], at: SLOTS.epochMs + 10 * SLOTS.slotMs - SLOTS.gateClosureMs }]
    }
  ],
  [
    'one-sided-trade',
    w => {
      w.b.trades = []
      w.b.plans = {}
      w.b.periods = {}
      w.ledger = w.ledger.slice(1)
    }
  ],
  [
    'trade-unresolved',
    w => {
      w.b.trades = [{ ...w.b.trades![0], status: 'pending' }]
      w.b.plans = {}
      w.b.periods = {}
      w.ledger = w.ledger.slice(1)
    }
  ],
  // a record under an id its terms do not hash to
  [
    'trade-id-mismatch',
    w => {
      w.s.trades = [...w.s.trades!, { ...w.s.trades![0], id: '00'.repeat(32) }]
    }
  ],
  [
    'oversold-slot',
    w => {
      w.positions.seller = [400]
    }
  ],
  [
    'overbought-slot',
    w => {
      w.positions.buyer = [-499]
    }
  ],
  [
    'negotiation-traded-twice',
    w => {
      // the first trade's negotiation again, another slot: two trades from one negotiation
      const twin = trade(11, 100, w.negotiation)
      w.s.trades = [...w.s.trades!, { id: twin.id, role: 'seller', status: 'committed', trade: twin.hex, at: STOPPED - 1_000 }]
      w.b.trades = [...w.b.trades!, { id: twin.id, role: 'buyer', status: 'committed', trade: twin.hex, at: STOPPED - 1_000 }]
    }
  ],
  [
    'hold-left-open',
    w => {
      w.s.holds = [
        {
          negotiation: 'ee'.repeat(16),
          slot: 12,
          energyWh: 100,
          price: 1,
          holdUntil: STOPPED - 60_000,
          counterparty: hex(B.pk),
          tradeId: 'ff'.repeat(32)
        }
      ]
    }
  ],
  [
    'trade-settled-twice',
    w => {
      w.s.plans = { ...w.s.plans, 'soak/3': [String(w.s.trades![0].id)] }
    }
  ],
  [
    'trade-never-settled',
    w => {
      w.s.plans = { 'soak/2': [], 'soak/9': [] }
      w.s.periods = { 'soak/2': { payment: null }, 'soak/9': { payment: null } }
    }
  ],
  [
    'paid-not-owed',
    async w => {
      const wrong = await tx(B.address, [{ to: S.address, amount: costNanos(500, 500_000_000) - 1 }], `soak/2/attest/${B.address}`)
      w.ledger[0] = wrong
      w.b.periods = { 'soak/2': { payment: wrong.digest } }
    }
  ],
  [
    'payment-twice',
    async w => {
      w.ledger.push(await tx(B.address, [{ to: S.address, amount: costNanos(500, 500_000_000) }], `soak/2/attest/${B.address}`))
    }
  ],
  [
    'payment-unrecorded',
    async w => {
      w.ledger.push(await tx(B.address, [{ to: S.address, amount: 5 }], `soak/7/attest/${B.address}`))
    }
  ],
  [
    'leg-confirmed-without-payment',
    w => {
      w.ledger = w.ledger.filter(x => x.digest !== w.o.legs![0].paymentDigest)
    }
  ],
  [
    'payment-without-confirmed-leg',
    async w => {
      w.ledger.push(await tx(T.address, [{ to: O.address, amount: 400_000_000 }]))
    }
  ],
  // paid, the commit never answered before departure (the traveller gives up: settle-by-hand), the hold lapsed: no seat, no refund
  [
    'payment-without-confirmed-leg',
    w => {
      w.t.packages = [{ ...w.t.packages![0], status: 'PENDING', reason: 'settle-by-hand: 1 unconfirmed' }]
      w.o.legs = [{ ...w.o.legs![0], status: 'EXPIRED' }]
    }
  ],
  // a second seat on the one-seat trip's same departure, over the same stretch
  ['seat-sold-twice', async w => await secondSeat(w)],
  [
    'booking-one-sided',
    w => {
      w.o.legs = [{ ...w.o.legs![0], status: 'RELEASED' }]
    }
  ],
  [
    'booking-unresolved',
    w => {
      w.t.packages = [{ ...w.t.packages![0], phase: 'committing' }]
    }
  ],
  [
    'refund-missing',
    w => {
      w.o.legs = [{ ...w.o.legs![0], status: 'CANCELLED', refund: 400_000_000 }]
      w.t.packages = [{ ...w.t.packages![0], status: 'CANCELLED' }]
    }
  ],
  [
    'unknown-party',
    async w => {
      w.ledger.push(await tx(B.address, [{ to: '0x' + '99'.repeat(32), amount: 7 }]))
    }
  ],
  [
    'unreadable-transaction',
    w => {
      w.ledger.push({ digest: 'garbage', status: 'success', bytes: toBase64(new Uint8Array([1, 2, 3])) })
    }
  ]
]

describe("the soak's invariant checker, against hand-made journals and ledgers", () => {
  it('passes a consistent district: one trade on both sides, settled and paid once; one seat booked and paid once', async () => {
    const { report } = await check(await world())
    expect(report.violations).toEqual([])
    expect([report.trades, report.bookings, report.legsSold, report.periodsSettled, report.ledgerPayments]).toEqual([1, 1, 1, 2, 2])
    // committed 1 s before its gate by the seller's clock, which ran 400 ms ahead: 1.4 s before it by the machine's
    expect(report.latestAfterTrueGateMs).toBe(-1_400)
  })

  it("counts a trip's seats per departure and stretch: a seat past the first's stretch, or the next day, is no second sale", async () => {
    for (const terms of [seatTerms(2, 4, STOPPED - 40_000), seatTerms(0, 2, STOPPED - 40_000 + 86_400_000)]) {
      const w = await world()
      await secondSeat(w, terms)
      const { report } = await check(w)
      expect(report.violations).toEqual([])
      expect(report.legsSold).toBe(2)
    }
  })

  // the ride kinds are made in tests/soak-ride-invariants.test.ts, the meter kinds in tests/soak-meter-invariants.test.ts
  it('names every kind it checks, each made on purpose', () => {
    expect([...new Set(broken.map(([k]) => k))].sort()).toEqual(
      VIOLATION_KINDS.filter(k => !RIDE_VIOLATION_KINDS.includes(k) && !METER_VIOLATION_KINDS.includes(k)).sort()
    )
  })

  for (const [i, [kind, breakIt]] of broken.entries()) {
    it(`names ${kind} (case ${i + 1})`, async () => {
      const w = await world()
      await breakIt(w)
      const { kinds, report } = await check(w)
      expect(kinds, JSON.stringify(report.violations, null, 1)).toContain(kind)
      for (const v of report.violations) expect(v.detail.length).toBeGreaterThan(10)
    })
  }

  it('a pending trade or an open package within the grace before the stop is in flight, not a violation', async () => {
    const w = await world()
    w.b.trades = [{ ...w.b.trades![0], status: 'pending', at: STOPPED - 2_000 }]
    w.b.plans = {}
    w.b.periods = {}
    w.ledger = w.ledger.slice(1)
    w.s.plans = {}
    w.s.periods = {}
    const { report } = await check(w)
    expect(report.violations).toEqual([])
    expect(report.inFlight).toBe(1)
  })
})
