import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { iotaAddress, signerFromSeed } from '@kvartal/protocol'
import { LocalLedger, localSettlement } from '@kvartal/settlement'
import { settlementMetrics } from '../src/settlement-metrics.ts'
import type { DistrictRunResult, NodeResult } from '../src/district-run-result.ts'

// The run's check nets each settlement period on its own, as the nodes do. A sells B 1 kWh at 0.3 IOTA in the
// first day, B sells A the same in the second: each pays the other 0.3 IOTA, one day each, on a real local ledger.
// Netted over the whole run, they would owe each other nothing.
const IOTA = 1_000_000_000
const a = signerFromSeed(new Uint8Array(32).fill(11))
const b = signerFromSeed(new Uint8Array(32).fill(12))
const price = 300_000_000
const trade = (id: string, slot: number, buyer: Uint8Array, seller: Uint8Array) => ({
  id,
  status: 'committed',
  role: 'seller',
  decoded: { terms: { slot, energyWh: 1000, price, buyer, seller, gridFee: 0 } }
})

let dir: string
let ledger: LocalLedger
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-periods-'))
  ledger = await LocalLedger.open(dir)
  for (const s of [a, b]) await ledger.mint(iotaAddress(s.publicKey), 10 * IOTA)
})
afterEach(async () => {
  await ledger.close()
  await rm(dir, { recursive: true, force: true })
})

async function run(): Promise<DistrictRunResult> {
  const [pa, pb] = [iotaAddress(a.publicKey), iotaAddress(b.publicKey)]
  // day 0: A bought from B; day 1: B bought from A
  const day0 = await localSettlement(ledger, a).pay({ key: 'days/0/a', payer: pa, transfers: [{ to: pb, amount: 0.3 * IOTA }] })
  const day1 = await localSettlement(ledger, b).pay({ key: 'days/1/b', payer: pb, transfers: [{ to: pa, amount: 0.3 * IOTA }] })
  const trades = [trade('t0', 10, a.publicKey, b.publicKey), trade('t1', 100, b.publicKey, a.publicKey)]
  const node = (name: string, address: string, periods: unknown[]): NodeResult =>
    ({
      name,
      id: name,
      node: { identity: { iotaAddress: address }, options: {} },
      trades,
      proofs: new Map(),
      periods
    }) as unknown as NodeResult
  return {
    nodes: [
      node('a', pa, [
        { attestation: day0.digest, payment: day0.digest, imbalanceNanos: 0 },
        { attestation: 'e'.repeat(64), imbalanceNanos: 0 }
      ]),
      node('b', pb, [
        { attestation: 'e'.repeat(64), imbalanceNanos: 0 },
        { attestation: day1.digest, payment: day1.digest, imbalanceNanos: 0 }
      ])
    ],
    wallMs: 0,
    startupMs: 0,
    ticks: 0,
    gossipLate: 0,
    verification: { hits: 0, misses: 0 }
  }
}

describe("the run's settlement check over several periods", () => {
  it('nets each day on its own: each pays the other, and paid equals owed', async () => {
    const s = await settlementMetrics(await run(), ledger, { periodSlots: 96, endsMs: [1, 2], receiptGraceMs: 0 })
    expect(s.totalOwedNanos).toBe(0.6 * IOTA)
    expect(s.totalPaidNanos).toBe(0.6 * IOTA)
    expect(s.paidEqualsOwed).toBe(true)
    expect(s.payments).toBe(2)
    expect(s.attestations).toBe(4)
    expect(s.unsettledNodes).toBe(0)
  })

  it('as one period the same trades net to nothing, and the two payments are more than was owed', async () => {
    const s = await settlementMetrics(await run(), ledger, { periodSlots: 192, endsMs: [2], receiptGraceMs: 0 })
    expect(s.totalOwedNanos).toBe(0)
    expect(s.paidEqualsOwed).toBe(false)
  })
})
