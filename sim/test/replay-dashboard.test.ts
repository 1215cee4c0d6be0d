import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { metresFrom, playTrace, readTrace, runScenario, startDashboard, validateScenario } from '../src/index.ts'
import { expectJourneyFiguresOf } from './helpers/journey-figures.ts'

const scenario = validateScenario({
  district: 'again',
  slots: { first: 44, count: 3 },
  buildings: { generate: { count: 5 } },
  mobility: false
})

/**
 * A small district with mobility at the morning peak, in one-minute ticks (so that a ride of a few minutes
 * is metered, and drawn, several times on its way): 6 buildings, a transit operator, 3 bikes, 2 scooters
 * and a car-share EV, 90 minutes from 07:00.
 */
const withMobility = validateScenario({
  district: 'again-mobility',
  slots: { first: 28, count: 6 },
  seed: 3,
  buildings: { generate: { count: 6 } },
  market: { ticksPerSlot: 15 },
  mobility: {
    transit: { stops: 36, lines: 4, trips: 300, stopsPerLine: 8 },
    vehicles: { bikes: 3, scooters: 2, cars: 1 },
    travellers: { tripsPerDay: 120 }
  }
})

/** A page's socket: every message it got, and a wait for the first (still to come) that `p` accepts. */
async function page(url: string): Promise<{ ws: WebSocket; got: any[]; next: (p: (m: any) => boolean) => Promise<any> }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}ws`)
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
  return { ws, got, next }
}

describe('a replayed trace in the dashboard', () => {
  it("waits while paused, steps one slot, resumes, and ends on the run's figures", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-replay-dash-'))
    const dash = await startDashboard(scenario, { paused: true })
    const { ws, got, next } = await page(dash.url)
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

  it("plays the run's journeys as the run fed them: the journeys panel and the vehicles, tick by tick, end on results.json's", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-replay-dash-'))
    const live = await startDashboard(withMobility)
    const livePage = await page(live.url)
    try {
      // the run with its live dashboard, fed as `kvartal sim --dashboard` feeds it
      const run = await runScenario(withMobility, {
        outDir: dir,
        onPrepared: live.onPrepared,
        onEvent: live.onEvent,
        onJourney: live.onJourney,
        onProgress: live.onProgress
      })
      const liveDone = livePage.next(m => m.type === 'done')
      live.finish(run)
      await liveDone
      const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'))
      const m = results.mobility
      expect(m.journeys.booked).toBeGreaterThan(2)
      expect(m.rides.ended).toBeGreaterThan(2)

      // the replay, as `kvartal replay <trace> --dashboard` plays it
      const t = await readTrace(join(dir, 'trace.ndjson'))
      expect(t.journeys.length).toBe(m.journeys.requested)
      const dash = await startDashboard(t.header.scenario)
      const { ws, got, next } = await page(dash.url)
      try {
        const done = next(x => x.type === 'done')
        await playTrace(t, dash)
        await done
      } finally {
        ws.close()
        await dash.close()
      }

      // tick by tick, the replay's journeys and vehicles are the live run's
      const mobility = (msgs: any[]): any[] => msgs.filter(x => x.type === 'tick' && x.reset === false).map(x => [x.tick, x.mobility])
      const replayed = mobility(got)
      expect(replayed.length).toBe(run.ticks)
      expect(replayed).toEqual(mobility(livePage.got))
      // and so is where they end (the snapshot the page gets at the end): every journey listed, every vehicle's place
      const end = got.filter(x => x.type === 'tick').at(-1).mobility
      expect(end).toEqual(livePage.got.filter(x => x.type === 'tick').at(-1).mobility)
      expect(end.journeys.length).toBe(Math.min(300, m.journeys.requested))
      expect(end.journeys.some((j: any) => j.status === 'completed')).toBe(true)

      // the replayed journeys panel ends on results.json's mobility figures
      const f = end.figures
      expectJourneyFiguresOf(f, m)

      // in the replay a vehicle is drawn at one place, then another, during one ride, and parks where results.json says
      const centre = { lat: withMobility.site.latitude, lon: withMobility.site.longitude }
      const places = new Map<number, Array<{ x: number; y: number; journey?: number }>>()
      for (const [, b] of replayed)
        for (const v of b.vehicles) places.set(v.node, [...(places.get(v.node) ?? []), { x: v.x, y: v.y, journey: v.ride?.journey }])
      expect(places.size).toBeGreaterThan(0)
      let movedMidRide = 0
      for (const [node, ps] of places) {
        const parked = metresFrom(centre, results.vehicles[node - results.buildings.length].location)
        expect(Math.abs(ps.at(-1)!.x - parked.x) + Math.abs(ps.at(-1)!.y - parked.y)).toBeLessThanOrEqual(2)
        expect(ps.at(-1)!.journey).toBeUndefined()
        if (
          ps.some((p, i) => i > 0 && p.journey != null && p.journey === ps[i - 1].journey && (p.x !== ps[i - 1].x || p.y !== ps[i - 1].y))
        )
          movedMidRide++
      }
      expect(movedMidRide).toBeGreaterThan(0)
    } finally {
      livePage.ws.close()
      await live.close()
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
