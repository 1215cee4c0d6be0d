import { describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { cpus } from 'node:os'
import { runScenario, validateScenario } from '@kvartal/sim'

/** a small district at midday: 12 buildings on 2 feeders, four slots, energy only */
const scenario = validateScenario({
  slots: { first: 44, count: 4 },
  buildings: { generate: { count: 12 } },
  grid: { feeders: { generate: { buildingsPerFeeder: 6 } } },
  mobility: false
})

/** a job that keeps every core busy while it runs (real processes, as a neighbour on the machine would) */
function loadEveryCore(): ChildProcess[] {
  return Array.from({ length: cpus().length }, () =>
    spawn(process.execPath, ['-e', 'const end = Date.now() + 120000; while (Date.now() < end) {}'], { stdio: 'ignore' })
  )
}

describe("a simulation's results do not depend on the machine's load", () => {
  it('the same scenario and seed give the same market figures alone and with every core loaded by another job', async () => {
    const alone = await runScenario(scenario)
    const load = loadEveryCore()
    let loaded: Awaited<ReturnType<typeof runScenario>>
    try {
      loaded = await runScenario(scenario)
    } finally {
      for (const p of load) p.kill('SIGKILL')
    }
    const a = alone.metrics
    const b = loaded.metrics
    // the tolerance: gossipsub's heartbeat runs on real time, so the order in which equal-priced
    // offers meet buyers may differ; the market's figures may not move by more than 1 %
    expect(a.trades).toBeGreaterThan(10)
    expect(Math.abs(a.localEnergyWh - b.localEnergyWh)).toBeLessThanOrEqual(a.localEnergyWh * 0.01)
    expect(Math.abs(a.welfareNanos - b.welfareNanos)).toBeLessThanOrEqual(a.welfareNanos * 0.01)
    expect(b.negotiations.failed).toBe(0)
    expect(a.negotiations.failed).toBe(0)
    expect(b.consistency.oversoldSlots).toBe(0)
    expect(b.consistency.mismatched).toBe(0)
  }, 240_000)
})
