import { describe, expect, it } from 'vitest'
import { LiveState, RunControl, runScenario, runStartMs, validateScenario, type Batch } from '../src/index.ts'

// a small, fast district on one feeder (grid fees: welfare depends on them): six buildings around noon, four slots
const scenario = validateScenario({
  district: 'live',
  slots: { first: 44, count: 4 },
  buildings: { generate: { count: 6 } },
  mobility: false
})

/** One turn of the event loop: whatever was ready to run has run. */
const turn = async (): Promise<void> => {
  await new Promise<void>(resolve => setImmediate(resolve))
}

describe("the dashboard's run control", () => {
  it('holds the clock while paused, and a step lets exactly one more slot close', async () => {
    const c = new RunControl(true)
    let first = false
    const a = c.mayContinue(0).then(() => {
      first = true
    })
    await turn()
    expect([first, c.held]).toEqual([false, true])
    c.step(0)
    await a
    expect(c.held).toBe(false)
    // until the next slot closes the clock runs on, then it stands still again
    await c.mayContinue(0)
    let second = false
    const b = c.mayContinue(1).then(() => {
      second = true
    })
    await turn()
    expect([second, c.state]).toEqual([false, 'paused'])
    c.pause()
    await turn()
    expect(second).toBe(false)
    // asked to resume and to pause again before the runner woke: it stays held
    c.resume()
    c.pause()
    await turn()
    expect([second, c.held]).toEqual([false, true])
    c.resume()
    await b
    await c.mayContinue(2)
    expect(c.state).toBe('running')
  })
})

describe("the dashboard's live state", () => {
  it("folds a run's events into results.json's figures, and samples negotiations within its bounds", async () => {
    let live: LiveState | undefined
    const batches: Batch[] = []
    const r = await runScenario(scenario, {
      onPrepared: p => {
        live = new LiveState(scenario, p, runStartMs(p.run), { newChainsPerTick: 0, stepsPerTick: 1_000 })
        live.focus = new Set([0])
      },
      onEvent: e => {
        live!.event(e)
      },
      onProgress: (n, total) => {
        live!.advance(n, total)
        batches.push(live!.batch())
      }
    })
    expect(r.metrics.trades).toBeGreaterThan(0)
    expect(live!.totals()).toEqual({
      trades: r.metrics.trades,
      localEnergyWh: r.metrics.localEnergyWh,
      welfareNanos: r.metrics.welfareNanos
    })
    const snap = live!.snapshot()
    expect(snap.closed).toBe(4)
    // negotiation steps per link: every step with a peer, counted once on its pair
    const withPeer = snap.nodes.reduce((a, n) => a + n[3], 0)
    const onLinks = snap.links.reduce((a, l) => a + l[2], 0)
    expect(onLinks).toBeGreaterThan(0)
    expect(onLinks).toBeLessThanOrEqual(withPeer)
    expect(snap.slots.map(s => [s.localEnergyWh, s.welfareNanos])).toEqual(r.metrics.perSlot.map(p => [p.localEnergyWh, p.welfareNanos]))
    // the last batch's slot figures are the snapshot's: a page that applied every batch holds them too
    const applied = new Map<number, unknown>()
    for (const b of batches) for (const s of b.slots) applied.set(s.slot, s)
    expect([...applied.values()]).toEqual(snap.slots.filter(s => applied.has(s.slot)))
    // no budget for new negotiations: only the focused building's are followed, and every one of them
    const steps = batches.flatMap(b => b.steps)
    for (const s of steps) expect([s.node, s.peer]).toContain(0)
    expect(steps.filter(s => s.type === 'trade-committed' && s.node === 0).length).toBe(r.buildings[0].trades)
    expect(batches.at(-1)!.sampledOut).toBeGreaterThan(0)
    // every step of a followed negotiation stays in its chain: one proposal opens it, its commits close it
    const chains = new Map<number, string[]>()
    for (const s of steps) chains.set(s.chain, [...(chains.get(s.chain) ?? []), s.type])
    for (const types of chains.values()) expect(types[0]).toBe('proposal-sent')
  }, 60_000)
})
