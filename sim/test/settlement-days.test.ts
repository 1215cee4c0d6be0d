import { describe, expect, it } from 'vitest'
import { runScenario, settlementPeriodSlots, validateScenario } from '../src/index.ts'

describe('settlement periods in the simulator', () => {
  it('a run of several whole days settles a day at a time, as deployed nodes do; anything else, once', () => {
    const slots = (minutes: number, count: number) => validateScenario({ slots: { minutes, count } })
    expect(settlementPeriodSlots(slots(15, 96))).toBe(96)
    expect(settlementPeriodSlots(slots(15, 288))).toBe(96)
    expect(settlementPeriodSlots(slots(15, 100))).toBe(100)
    expect(settlementPeriodSlots(slots(15, 4))).toBe(4)
    expect(settlementPeriodSlots(slots(60, 48))).toBe(24)
  })

  it('two days of hourly slots: every node settles each day, and what the ledger moved is what each day owed', async () => {
    const r = await runScenario(
      validateScenario({ district: 'days', slots: { minutes: 60, count: 48 }, buildings: { generate: { count: 6 } }, mobility: false })
    )
    const s = r.settlement
    expect(r.metrics.trades).toBeGreaterThan(0)
    // one attestation per node and day (a payment, when a node owes, carries it)
    expect(s.attestations).toBe(2 * r.buildings.length)
    expect(s.unsettledNodes).toBe(0)
    expect(s.paidEqualsOwed).toBe(true)
    expect(s.totalPaidNanos).toBeGreaterThan(0)
    expect(s.verifiedTrades).toBe(s.trades)
  }, 120_000)
})
