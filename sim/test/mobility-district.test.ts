import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { followChain, readTrace, replayMetrics, runScenario, summaryTable, validateScenario, type ScenarioResult } from '../src/index.ts'

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
  let dir: string
  let r: ScenarioResult
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvartal-mobility-district-'))
    r = await runScenario(small, { outDir: dir })
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('books journeys across providers, and the figures add up', async () => {
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

  it("links every booking's events across the traveller and its providers into one causal chain", async () => {
    const trace = await readTrace(join(dir, 'trace.ndjson'))
    const { events } = trace
    // a trace with journeys reads and replays like one without (its journey-outcome lines are journeys, not events)
    expect(trace.journeys.length).toBe(r.mobility!.journeys.requested)
    const again = replayMetrics(trace)
    for (const k of ['trades', 'localEnergyWh', 'welfareNanos', 'paidNanos'] as const) expect(again[k], k).toBe(r.metrics[k])
    expect(new Set(events.map(e => e.id)).size, 'event ids are unique within the run').toBe(events.length)
    const booked = events.filter(e => e.type === 'package-booked')
    expect(booked.length).toBe(r.mobility!.journeys.booked)
    for (const b of booked) {
      const chain = followChain(events, b.correlation!)
      const traveller = b.node
      const step = (type: string, node?: string): typeof chain => chain.filter(e => e.type === type && (node == null || e.node === node))
      // one root: the traveller's plan; every other event's parent is in the chain, before it
      expect(chain.filter(e => e.parent == null).map(e => [e.type, e.node])).toEqual([['journey-planned', traveller]])
      chain.forEach((e, i) => {
        if (e.parent != null)
          expect(
            chain.findIndex(x => x.id === e.parent),
            `${e.id} ← ${e.parent}`
          ).toBeGreaterThanOrEqual(0)
        if (e.parent != null) expect(chain.findIndex(x => x.id === e.parent)).toBeLessThan(i)
      })
      const holding = step('package-holding', traveller)
      const paid = step('package-paid', traveller)
      expect([holding.length, paid.length]).toEqual([1, 1])
      // each provider held its leg in answer to the traveller's holding, and confirmed it in answer to the payment
      const held = step('leg-held')
      const confirmed = step('leg-confirmed')
      expect(held.length).toBeGreaterThan(0)
      expect(confirmed.map(e => e.node).sort()).toEqual(held.map(e => e.node).sort())
      for (const h of held) expect([h.parent, h.peer]).toEqual([holding[0].id, traveller])
      for (const c of confirmed) expect(c.parent).toBe(paid[0].id)
      expect(paid[0].parent).toBe(holding[0].id)
      expect(b.parent).toBe(paid[0].id)
      // a ride and its receipts hang off the confirmed leg of the vehicle that ran it
      for (const e of [...step('ride-ended'), ...step('receipt-signed', traveller)]) {
        const vehicle = e.type === 'ride-ended' ? e.node : e.peer
        expect(
          chain.find(x => x.id === e.parent),
          e.id
        ).toMatchObject({ type: 'leg-confirmed', node: vehicle })
      }
    }
    // some bookings were ridden, so the receipts' links were checked
    expect(events.some(e => e.type === 'receipt-signed' && e.parent != null)).toBe(true)
  })

  it('runs the same district without mobility when told so', async () => {
    const r = await runScenario(validateScenario({ ...small, slots: { count: 2, first: 28 }, mobility: false }))
    expect(r.mobility).toBeUndefined()
    expect(r.vehicles).toBeUndefined()
    expect(r.settlement.unsettledNodes).toBe(0)
    expect(r.settlement.paidEqualsOwed).toBe(true)
  })
})
