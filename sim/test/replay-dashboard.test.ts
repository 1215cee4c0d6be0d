import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { playTrace, readTrace, runScenario, startDashboard, validateScenario } from '../src/index.ts'

const scenario = validateScenario({
  district: 'again',
  slots: { first: 44, count: 3 },
  buildings: { generate: { count: 5 } },
  mobility: false
})

describe('a replayed trace in the dashboard', () => {
  it("waits while paused, steps one slot, resumes, and ends on the run's figures", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-replay-dash-'))
    const dash = await startDashboard(scenario, { paused: true })
    const ws = new WebSocket(`${dash.url.replace('http', 'ws')}ws`)
    const got: any[] = []
    const waiters: Array<{ p: (m: any) => boolean; resolve: (m: any) => void }> = []
    ws.on('message', (d: Buffer) => {
      const m = JSON.parse(d.toString())
      got.push(m)
      for (const w of waiters.splice(0)) {
        if (w.p(m)) w.resolve(m)
        else waiters.push(w)
      }
    })
    const next = async (p: (m: any) => boolean): Promise<any> => await new Promise(resolve => waiters.push({ p, resolve }))
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    try {
      await runScenario(scenario, { outDir: dir })
      const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'))
      const t = await readTrace(join(dir, 'trace.ndjson'))
      const held = next(m => m.type === 'status' && m.state === 'paused')
      const playing = playTrace(t, dash)
      await held
      // held before the first tick: the page has the layout, and no tick yet
      expect(got.find(m => m.type === 'hello').layout.nodes.map((n: any) => n.name)).toEqual(results.buildings.map((b: any) => b.name))
      expect(got.filter(m => m.type === 'tick' && m.reset === false)).toEqual([])
      const stepped = next(m => m.type === 'status' && m.state === 'paused' && m.closed >= 1)
      ws.send(JSON.stringify({ type: 'step' }))
      const s = await stepped
      expect(s.closed).toBe(1)
      const ticks = got.filter(m => m.type === 'tick' && m.reset === false)
      expect(ticks.length).toBeGreaterThan(0)
      expect(ticks.at(-1).tick).toBeLessThan(ticks.at(-1).total)
      const done = next(m => m.type === 'done')
      ws.send(JSON.stringify({ type: 'resume' }))
      await playing
      const d = await done
      expect(d.results.welfareNanos).toBe(results.metrics.welfareNanos)
      expect(d.results.perSlot).toEqual(results.metrics.perSlot)
      const last = got.filter(m => m.type === 'tick').at(-1)
      expect(last.totals).toEqual({
        trades: results.metrics.trades,
        localEnergyWh: results.metrics.localEnergyWh,
        welfareNanos: results.metrics.welfareNanos
      })
      expect(last.tick).toBe(t.header.run.ticks)
    } finally {
      ws.close()
      await dash.close()
      await rm(dir, { recursive: true, force: true })
    }
  }, 30_000)
})
