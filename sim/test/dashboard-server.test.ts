import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { runScenario, startDashboard, validateScenario } from '../src/index.ts'

const scenario = validateScenario({
  district: 'slow',
  slots: { first: 44, count: 2 },
  buildings: { generate: { count: 4 } },
  mobility: false
})

describe('the dashboard server', () => {
  it('drops batches for a page that cannot keep up, counts them, and sends it everything once the run ends', async () => {
    // every page counts as slow: its socket always holds "too many" unsent bytes
    const dash = await startDashboard(scenario, { maxBufferedBytes: -1 })
    const got: any[] = []
    const ws = new WebSocket(`${dash.url.replace('http', 'ws')}ws`)
    const doneMsg = new Promise<any>((resolve, reject) => {
      ws.on('message', (d: Buffer) => {
        const m = JSON.parse(d.toString())
        got.push(m)
        if (m.type === 'done') resolve(m)
      })
      ws.on('error', reject)
    })
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    try {
      const r = await runScenario(scenario, { onPrepared: dash.onPrepared, onEvent: dash.onEvent, onProgress: dash.onProgress })
      dash.finish(r)
      await doneMsg
      expect(got.filter(m => m.type === 'tick' && m.reset === false)).toEqual([])
      expect(dash.droppedBatches()).toBe(r.ticks)
      expect(got.filter(m => m.type === 'status').at(-1).droppedBatches).toBe(r.ticks)
      // the snapshot at the end carries the whole run's figures
      const last = got.filter(m => m.type === 'tick').at(-1)
      expect(last.reset).toBe(true)
      expect(last.totals).toEqual({
        trades: r.metrics.trades,
        localEnergyWh: r.metrics.localEnergyWh,
        welfareNanos: r.metrics.welfareNanos
      })
      expect(got.find(m => m.type === 'hello').layout.nodes.map((n: { name: string }) => n.name)).toEqual(r.buildings.map(b => b.name))
    } finally {
      ws.close()
      await dash.close()
    }
  }, 60_000)
})
