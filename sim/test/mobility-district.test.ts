import { describe, expect, it } from 'vitest'
import { runScenario, summaryTable, validateScenario } from '../src/index.ts'

/**
 * A small district over real libp2p hosts (memory transport), real level journals and one shared local
 * ledger: 6 buildings, a transit operator over 36 generated stops, 3 bikes, 2 scooters and a car-share
 * EV, three hours of a summer morning (07:00–10:00) with 40 trips a day, of which the morning's are asked.
 */
const small = validateScenario({
  district: 'small',
  slots: { count: 12, first: 28 },
  seed: 3,
  buildings: { generate: { count: 6 } },
  mobility: {
    transit: { stops: 36, lines: 4, trips: 300, stopsPerLine: 8 },
    vehicles: { bikes: 3, scooters: 2, cars: 1 },
    travellers: { tripsPerDay: 40 }
  }
})

describe('a district with mobility', () => {
  it('books journeys across providers, and the figures add up', async () => {
    const r = await runScenario(small)
    const m = r.mobility!
    if (process.env.DBG != null) console.log(summaryTable(r))
    expect(m.journeys.requested).toBeGreaterThan(5)
    expect(m.journeys.booked).toBeGreaterThan(0)
    expect(m.journeys.requested).toBe(m.journeys.booked + m.journeys.failed + m.journeys.walked)
    expect(Object.values(m.journeys.failedBy).reduce((a, b) => a + b, 0)).toBe(m.journeys.failed)
    expect(r.journeys!.map(j => j.status).filter(s => s === 'booked').length).toBe(m.journeys.booked)
    // one ledger payment per booked package, none for a walk or a refused booking
    expect(m.payments.bookingPayments).toBe(m.journeys.booked)
    // pay per use: every ride that ended was receipted and settled in the period
    expect(m.rides.ended).toBeGreaterThan(0)
    expect(m.receipts.settled).toBe(m.rides.ended)
    expect(m.receipts.late + m.receipts.refused).toBe(0)
    // money is conserved: bookings, receipts and trades only move it between accounts
    expect(m.ledger.conserved).toBe(true)
    expect(m.ledger.balancesNanos).toBe(m.ledger.mintedNanos)
    // and each provider got exactly what its confirmed legs and final receipts say
    for (const v of r.vehicles!) if (v.kind !== 'cars') expect(v.receivedNanos, v.id).toBe(v.dueNanos)
    expect(r.settlement.paidEqualsOwed).toBe(true)
    expect(r.metrics.consistency.mismatched).toBe(0)
    expect(r.metrics.consistency.oversoldSlots).toBe(0)
    expect(r.settlement.unsettledNodes).toBe(0)
    // a booking is one payment; the period adds the providers' attestations
    expect(m.onChain.perJourney).toBeGreaterThanOrEqual(1)
    // one period transaction per node: every payment carries its node's root (checked on the ledger by digest)
    expect(r.settlement.payments).toBeGreaterThan(0)
    expect(r.settlement.paymentsCarryingAttestation).toBe(r.settlement.payments)
    expect(r.settlement.onChainTransactions).toBe(r.settlement.attestations)
    expect(r.settlement.ledgerTransactions).toBe(r.settlement.onChainTransactions + m.onChain.bookingTransactions)
    expect(m.onChain.mobilityPeriodTransactions).toBe(r.vehicles!.length)
    expect(r.settlement.verifiedTrades).toBe(r.settlement.trades)
  })

  it('runs the same district without mobility when told so', async () => {
    const r = await runScenario(validateScenario({ ...small, slots: { count: 2, first: 28 }, mobility: false }))
    expect(r.mobility).toBeUndefined()
    expect(r.vehicles).toBeUndefined()
    expect(r.settlement.unsettledNodes).toBe(0)
    expect(r.settlement.paidEqualsOwed).toBe(true)
  })
})
