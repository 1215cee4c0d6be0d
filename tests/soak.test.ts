import { describe, expect, it } from 'vitest'
import { runSoak } from '../scripts/soak/run.ts'
import { SoakNetwork } from '../scripts/soak/netns.ts'

// Both soaks live in this one file so that they run one after the other: each starts a dozen real processes, and
// the two at once on 2 cores (in separate files, on two of vitest's workers) took 352 and 376 s instead of about
// 75 and 105, and the kills' soak missed its targets in its time

/**
 * A short soak (`npm run soak` runs the long one): real `kvartal node` processes over TCP on 127.0.0.1
 * — three energy sellers, three buyers, two prosumers (selling in some slots, buying in others), a transit
 * operator and two travellers booking its seats, a rental bike and a rider renting it pay per use — settle
 * through the `iota` adapter against FakeIotaRpc, a TEST DOUBLE of an IOTA full node, while a seeded
 * schedule SIGKILLs a random one of them every 2 s on average (a trader mid-negotiation, a traveller mid-booking,
 * the operator with trips running, the bike or a rider mid-ride) and restarts it from its data directory. The sellers
 * and prosumers have building meters, published through the soak's MQTT broker; their readings are held against
 * what it published (scripts/soak/meter-invariants.ts). It runs
 * until it has a few hundred
 * trades and a few dozen bookings; then every invariant is checked from the journals and the ledger
 * alone (scripts/soak/invariants.ts): none may be violated.
 */
describe('soak: a district of real processes under random SIGKILLs', () => {
  // 1 s slots and three traders a side reach the targets in about a minute of trading (105 s in all, alone
  // on 2 cores); with two a side and 2 s slots the same targets took 150 s of trading
  it('trades and books through seeded kills and restarts, and the journals and the ledger hold every invariant', {
    timeout: 400_000
  }, async () => {
    const r = await runSoak({
      seed: 7,
      durationMs: 240_000,
      targetTrades: 150,
      targetBookings: 20,
      keep: false,
      sellers: 3,
      buyers: 3,
      prosumers: 2,
      travellers: 2,
      vehicles: 1,
      riders: 1,
      meters: 5,
      killEveryMs: 2_000,
      slotSeconds: 1,
      periodSlots: 5,
      seatsPerTrip: 3,
      cancelPercent: 25
    })
    expect(r.violations, JSON.stringify(r, null, 1)).toEqual([])
    expect(r.restartFailures).toEqual([])
    expect(r.trades).toBeGreaterThanOrEqual(150)
    expect(r.bookings).toBeGreaterThanOrEqual(20)
    // some were cancelled at once, for a refund (the invariants above check it is on the ledger)
    expect(r.cancellations.CANCELLED ?? 0, JSON.stringify(r.cancellations)).toBeGreaterThanOrEqual(1)
    expect(r.kills).toBeGreaterThanOrEqual(4)
    expect(r.restarts).toBe(r.kills)
    // every period settled paid its way: payments on the ledger for the trades
    expect(r.periodsSettled).toBeGreaterThan(0)
    expect(r.ledgerPayments).toBeGreaterThan(r.bookings)
    // the bike was rented and ridden, and every ride's receipts checked (ride-invariants.ts)
    expect(r.rides.booked, JSON.stringify([r.rides, r.rideOutcomes])).toBeGreaterThanOrEqual(1)
    // every seller and prosumer signed readings of its meter (gaps where it was down at a boundary)
    expect(Object.keys(r.meters).sort()).toEqual(['prosumer-1', 'prosumer-2', 'seller-1', 'seller-2', 'seller-3'])
    for (const m of Object.values(r.meters)) expect(m.readings, JSON.stringify(r.meters)).toBeGreaterThan(0)
  })
})

/**
 * The soak's district with each `kvartal node` process in a network namespace of its own, on a bridge
 * (scripts/soak/netns.ts), while a seeded schedule splits the district in two every 4 s on average for
 * 2.5 s on average — every packet between the sides dropped, silently — and 5 % of all packets between
 * nodes are lost throughout; and each node's clock is up to ± 2 s off the machine's (two slots of
 * these 1 s slots; scripts/soak/skew-clock.ts), so that they disagree on which gates have closed.
 * Afterwards the invariants are checked from the journals and the ledger
 * alone (scripts/soak/invariants.ts): a partition that heals leaves no one-sided trade, no oversold
 * slot, no payment without its leg; no seller commits a trade after its gate by its own clock. The ledger
 * (FakeIotaRpc, a TEST DOUBLE of an IOTA full node) listens on the bridge and stays reachable from both sides.
 *
 * Needs root and the `ip` and `iptables` commands; iptables is installed by scripts/soak/install-iptables.sh
 * where it is absent (a fresh machine); where neither works the test is skipped and says why.
 */
const unavailable = await SoakNetwork.unavailable()
if (unavailable != null) process.stderr.write(`soak.test.ts: the partitioned soak is skipped: ${unavailable}\n`)

describe('soak: a district of real processes in network namespaces, partitioned and lossy, on skewed clocks', () => {
  it.skipIf(unavailable != null)(
    'trades and books through partitions that heal, 5 % loss and clocks ± 2 s apart, and the journals and the ledger hold every invariant',
    { timeout: 400_000 },
    async () => {
      const r = await runSoak({
        seed: 11,
        durationMs: 180_000,
        targetTrades: 80,
        targetBookings: 8,
        keep: false,
        sellers: 3,
        buyers: 3,
        // its shape before prosumers and rides were added to the soak (tests/soak.test.ts runs those)
        prosumers: 0,
        travellers: 2,
        vehicles: 0,
        riders: 0,
        killEveryMs: 0,
        slotSeconds: 1,
        periodSlots: 5,
        seatsPerTrip: 3,
        network: 'netns',
        partitionEveryMs: 4_000,
        partitionMs: 2_500,
        // the run goes on until three partitions have come and gone, however fast the trading reached its targets
        minPartitions: 3,
        lossPercent: 5,
        skewMs: 2_000
      })
      expect(r.violations, JSON.stringify(r, null, 1)).toEqual([])
      expect(r.trades).toBeGreaterThanOrEqual(80)
      expect(r.bookings).toBeGreaterThanOrEqual(8)
      // the faults happened: partitions made and healed, packets dropped by both kinds of rule
      expect(r.partitions).toBeGreaterThanOrEqual(3)
      expect(r.dropped!.partition).toBeGreaterThan(0)
      expect(r.dropped!.loss).toBeGreaterThan(0)
      expect(Object.values(r.skews!).some(s => Math.abs(s) > 1_000)).toBe(true)
      // a seller behind the machine's clock commits after the true gate, by as much as it lags at most
      expect(r.latestAfterTrueGateMs).toBeLessThan(2_000)
      expect(r.periodsSettled).toBeGreaterThan(0)
      expect(r.ledgerPayments).toBeGreaterThan(r.bookings)
    }
  )
})
