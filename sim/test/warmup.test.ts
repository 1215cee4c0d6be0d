import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readTrace, replayMetrics, runScenario, validateScenario, type ScenarioResult } from '../src/index.ts'

/**
 * `slots.warmup`: slots traded before the first asked for, left out of the market's figures. A real run of
 * eight buildings at noon, 2 slots of warm-up and 2 measured; the expected figures are added up here from the
 * trace's committed trades, not by metrics.ts.
 */
describe('a warm-up before the first slot', () => {
  let dir: string
  let r: ScenarioResult
  let trades: Array<{ slot: number; energyWh: number }>
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvartal-warmup-'))
    r = await runScenario(
      validateScenario({
        district: 'warmup',
        slots: { first: 46, count: 2, warmup: 2 },
        buildings: { generate: { count: 8 } },
        mobility: false
      }),
      { outDir: dir }
    )
    const lines = (await readFile(join(dir, 'trace.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map(l => JSON.parse(l))
    trades = lines.filter(e => e.type === 'trade-committed' && e.detail === 'seller')
  }, 120_000)
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('trades in the warm-up, and counts only the slots asked for', () => {
    // the run simulated 4 slots from 11:00: its trace numbers them 0–3, the warm-up is 0 and 1
    expect(trades.some(t => t.slot < 2)).toBe(true)
    const measured = trades.filter(t => t.slot >= 2)
    expect(measured.length).toBeGreaterThan(0)
    expect(r.metrics.slots).toBe(2)
    expect(r.metrics.warmupSlots).toBe(2)
    expect(r.metrics.trades).toBe(measured.length)
    expect(r.metrics.localEnergyWh).toBe(measured.reduce((a, t) => a + t.energyWh, 0))
    expect(r.metrics.perSlot!.map(p => p.localEnergyWh)).toEqual(
      [2, 3].map(s => measured.filter(t => t.slot === s).reduce((a, t) => a + t.energyWh, 0))
    )
    // the consistency check covers the whole run, warm-up included
    expect(r.metrics.consistency.sellerTrades).toBe(trades.length)
    expect(r.metrics.consistency.mismatched).toBe(0)
    // results.json says the scenario as asked
    expect(r.scenario.slots).toMatchObject({ first: 46, count: 2, warmup: 2 })
  })

  it('a replay of the trace computes the same figures', async () => {
    // the market's figures (traffic and latency are the nodes' own counters, which a trace does not carry)
    const m = replayMetrics(await readTrace(join(dir, 'trace.ndjson')))
    for (const k of [
      'slots',
      'warmupSlots',
      'trades',
      'localEnergyWh',
      'physicalMaxWh',
      'welfareNanos',
      'optimumWelfareNanos',
      'gridImportWh',
      'paidNanos',
      'perSlot',
      'grid'
    ] as const)
      expect(m[k], k).toEqual(r.metrics[k])
  })

  it('is refused longer than the day allows before `first`, and with link conditions', () => {
    expect(() => validateScenario({ slots: { first: 2, warmup: 3 } })).toThrow(/slots\.warmup: at most slots\.first \(2\)/)
    expect(() => validateScenario({ slots: { first: 40, count: 8, warmup: 4 }, network: { loss: 0.01 } })).toThrow(
      /slots\.warmup: not with link conditions/
    )
  })
})
