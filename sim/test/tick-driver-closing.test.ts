import { describe, expect, it } from 'vitest'
import { SimulatedClock, defaultSlotClockConfig, gateClosure } from '@kvartal/protocol'
import { CLOSING_SLOTS, driveTicks, runStartMs } from '../src/tick-driver.ts'
import { defaultDistrictRunConfig, type DistrictRunConfig } from '../src/district-run-config.ts'
import type { Probe } from '../src/quiescence.ts'

// The driver's own logic, against a district double: `probe` stands in for polling nodes and reports, from the
// simulated instant, how many buyers' confirms are still pending. (The real nodes' side: links-partition.test.ts.)
const slots = { ...defaultSlotClockConfig, epochMs: Date.UTC(2026, 5, 17) }
const c: DistrictRunConfig = {
  ...defaultDistrictRunConfig,
  district: 'test',
  nodes: [],
  slots,
  slotCount: 2,
  seed: 1,
  tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 }
}
const tickMs = slots.slotMs / c.ticksPerSlot
const lastTick = (): number => {
  let t = runStartMs(c) + 1
  while (t + tickMs <= gateClosure(slots, c.slotCount) + tickMs) t += tickMs
  return t
}

async function drive(pending: (now: number) => number): Promise<{ r: Awaited<ReturnType<typeof driveTicks>>; at: number[] }> {
  const clock = new SimulatedClock(runStartMs(c))
  const at: number[] = []
  const probe = async (): Promise<Probe> => ({ busy: false, inFlight: 0, workBegun: 0, pendingConfirms: pending(clock.now()), counts: [] })
  const r = await driveTicks(c, clock, {
    probe,
    advance: async t => {
      at.push(t)
      clock.advanceTo(t)
    }
  })
  return { r, at }
}

describe('the closing ticks: the run goes on while a buyer has a confirm pending', () => {
  it('adds no tick when no confirm is pending at the end', async () => {
    const { r, at } = await drive(() => 0)
    expect(r.closing).toBeUndefined()
    expect(at.length).toBe(r.ticks)
    expect(at.at(-1)).toBe(lastTick())
  })

  it('ticks on, one tick at a time, until the last pending confirm is answered', async () => {
    const resolvedAt = lastTick() + 3 * tickMs
    const { r, at } = await drive(now => (now < resolvedAt ? 2 : 0))
    expect(r.closing).toEqual({ ticks: 3, pendingConfirms: 0 })
    expect(at.slice(-4)).toEqual([0, 1, 2, 3].map(k => lastTick() + k * tickMs))
    expect(at.length).toBe(r.ticks + 3)
  })

  it('stops after CLOSING_SLOTS slots of ticks and says how many are still pending', async () => {
    const { r, at } = await drive(() => 1)
    expect(r.closing).toEqual({ ticks: CLOSING_SLOTS * c.ticksPerSlot, pendingConfirms: 1 })
    expect(at.at(-1)).toBe(lastTick() + CLOSING_SLOTS * c.ticksPerSlot * tickMs)
  })
})
