import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encodeLegTerms, iotaAddress, signerFromSeed, toHex, type LegTerms } from '@kvartal/protocol'
import { LocalLedger, localSettlement } from '@kvartal/settlement'
import type { PackageRecord, RideReceiptRecord } from '@kvartal/node'
import { settlementMetrics } from '../src/settlement-metrics.ts'
import type { DistrictRunResult, NodeResult } from '../src/district-run-result.ts'

// What the run's check counts as owed for a ride, against what a traveller's period payment put on a real local
// ledger: its last receipt once the ride is over, final or not (a lost frame can keep the final one from it), less
// the unlock fee its checkout paid. Each case is a traveller that paid 3 IOTA for a 4-IOTA ride with a 1-IOTA unlock.
const IOTA = 1_000_000_000
const traveller = signerFromSeed(new Uint8Array(32).fill(1))
const vehicle = signerFromSeed(new Uint8Array(32).fill(2))
const payer = iotaAddress(traveller.publicKey)
const payee = iotaAddress(vehicle.publicKey)
const rideEnds = Date.UTC(2026, 5, 17, 11, 30)
const graceMs = 15 * 60_000
const terms: LegTerms = {
  version: 1,
  district: 'test',
  package: new Uint8Array(16).fill(7),
  legId: 'leg-1',
  traveller: traveller.publicKey,
  provider: vehicle.publicKey,
  mode: 'BICYCLE',
  resource: 'bike-1',
  from: rideEnds - 20 * 60_000,
  to: rideEnds,
  units: 1,
  departureTime: rideEnds - 20 * 60_000,
  arrivalTime: rideEnds,
  price: IOTA,
  pricing: {
    planId: 'bike',
    price: IOTA,
    perMinPricing: [{ start: 0, rate: 150_000_000, interval: 60, end: 0 }],
    perKmPricing: [],
    maxPrice: 0
  },
  cancellation: { freeUntilS: 0, feeNanos: 0 },
  fromStopId: '',
  toStopId: '',
  distanceM: 3_000,
  co2G: 0,
  toLatE6: 0,
  toLonE6: 0
}

let dir: string
let ledger: LocalLedger
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-receipts-'))
  ledger = await LocalLedger.open(dir)
  await ledger.mint(payer, 100 * IOTA)
})
afterEach(async () => {
  await ledger.close()
  await rm(dir, { recursive: true, force: true })
})

async function run(o: { final: boolean; checkoutOnLedger: boolean }): Promise<DistrictRunResult> {
  const pay = localSettlement(ledger, traveller)
  const checkout = await pay.pay({ key: 'checkout', payer, transfers: [{ to: payee, amount: IOTA }] })
  const period = await pay.pay({ key: 'period-0', payer, transfers: [{ to: payee, amount: 3 * IOTA }] })
  const pkg = {
    status: 'CONFIRMED',
    phase: 'done',
    legs: [
      {
        legId: 'leg-1',
        leg: 'leg-a',
        terms: toHex(encodeLegTerms(terms)),
        provider: toHex(vehicle.publicKey),
        status: 'ENDED',
        travellerSignature: ''
      }
    ],
    total: IOTA,
    paymentKey: 'checkout',
    // a checkout whose payment the ledger does not hold paid nothing
    paymentDigest: o.checkoutOnLedger ? checkout.digest : 'f'.repeat(64),
    createdAt: 0,
    departureTime: terms.departureTime,
    arrivalTime: terms.arrivalTime,
    co2: 0,
    at: 0
  } satisfies PackageRecord
  const receipt = {
    leg: 'leg-a',
    envelope: '',
    nonce: 4,
    total: 4 * IOTA,
    payer,
    payee,
    issuedAt: rideEnds - 60_000,
    final: o.final,
    role: 'traveller'
  } satisfies RideReceiptRecord
  const node = (name: string, address: string, extra: Partial<NodeResult>): NodeResult =>
    ({
      name,
      id: name,
      node: { identity: { iotaAddress: address }, options: {} },
      trades: [],
      proofs: new Map(),
      ...extra
    }) as unknown as NodeResult
  return {
    nodes: [
      node('household-11', payer, {
        periods: [{ attestation: period.digest, payment: period.digest, imbalanceNanos: 0 }],
        mobility: { packages: [['pkg-1', pkg]], providerLegs: [], receipts: [['leg-a', receipt]] }
      }),
      node('bike-2', payee, {})
    ],
    wallMs: 0,
    startupMs: 0,
    ticks: 0,
    gossipLate: 0,
    verification: { hits: 0, misses: 0 }
  }
}

describe("the run's settlement check: what a ride's receipts make owed", () => {
  it('a final receipt: its total less the unlock fee the checkout paid', async () => {
    const s = await settlementMetrics(await run({ final: true, checkoutOnLedger: true }), ledger, {
      periodSlots: 96,
      endsMs: [rideEnds + 5 * 60_000],
      receiptGraceMs: graceMs
    })
    expect([s.totalOwedNanos, s.totalPaidNanos, s.paidEqualsOwed]).toEqual([3 * IOTA, 3 * IOTA, true])
  })

  it('no final receipt (its frame lost): the last one, once the ride and its grace are over by the period’s end', async () => {
    const r = await run({ final: false, checkoutOnLedger: true })
    const closed = await settlementMetrics(r, ledger, { periodSlots: 96, endsMs: [rideEnds + graceMs], receiptGraceMs: graceMs })
    expect([closed.totalOwedNanos, closed.paidEqualsOwed]).toEqual([3 * IOTA, true])
    // still within its grace at the period's end: not owed yet, so the payment above was too early
    const open = await settlementMetrics(r, ledger, { periodSlots: 96, endsMs: [rideEnds + graceMs - 1], receiptGraceMs: graceMs })
    expect([open.totalOwedNanos, open.paidEqualsOwed]).toEqual([0, false])
  })

  it('a checkout the ledger does not hold paid no unlock fee: the whole receipt is owed', async () => {
    const s = await settlementMetrics(await run({ final: true, checkoutOnLedger: false }), ledger, {
      periodSlots: 96,
      endsMs: [rideEnds + graceMs],
      receiptGraceMs: graceMs
    })
    expect([s.totalOwedNanos, s.paidEqualsOwed]).toEqual([4 * IOTA, false])
  })
})
