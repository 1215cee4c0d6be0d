import { describe, expect, it } from 'vitest'
import {
  LiveState,
  dashboardLayout,
  metresFrom,
  runScenario,
  runStartMs,
  validateScenario,
  type Batch,
  type DashboardLayout
} from '../src/index.ts'
import { expectJourneyFiguresOf } from './helpers/journey-figures.ts'

/**
 * A small district with mobility, at the morning peak: 6 buildings, a transit operator over 36 stops,
 * 3 bikes, 2 scooters and a car-share EV, 90 minutes from 07:00 in one-minute ticks (so that a ride of a
 * few minutes is metered, and drawn, several times on its way).
 */
const scenario = validateScenario({
  district: 'live-journeys',
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

describe("the dashboard's journeys and vehicles", () => {
  it("follows journeys to results.json's mobility figures, and moves each vehicle along its ride to where it parked", async () => {
    let live: LiveState | undefined
    let layout: DashboardLayout | undefined
    const batches: Batch[] = []
    const r = await runScenario(scenario, {
      onPrepared: (p, names) => {
        layout = dashboardLayout(scenario, p, names)
        live = new LiveState(scenario, p, runStartMs(p.run), undefined, layout.nodes)
      },
      onEvent: e => {
        live!.event(e)
      },
      onJourney: o => {
        live!.journey(o)
      },
      onProgress: (n, total) => {
        live!.advance(n, total)
        batches.push(live!.batch())
      }
    })
    const m = r.mobility!
    expect(m.journeys.booked).toBeGreaterThan(2)
    expect(m.rides.ended).toBeGreaterThan(2)
    const f = live!.journeys!.figures()
    expectJourneyFiguresOf(f, m)
    // every booked journey is in a state, and per mode the states add up to the journeys using it
    expect(f.now.booked + f.now.onTheWay + f.now.completed + f.now.cancelled).toBe(m.journeys.booked)
    for (const [mode, n] of Object.entries(m.journeys.bookedByMode))
      expect(
        f.byMode[mode].reduce((a, b) => a + b, 0),
        mode
      ).toBe(n)
    expect(f.now.completed).toBeGreaterThan(0)

    // the journeys grew while the run went on, and each went through booked → on the way → completed
    const requested = batches.map(b => b.mobility!.figures.requested)
    expect(requested.filter((x, i) => i > 0 && x > requested[i - 1]).length).toBeGreaterThan(1)
    const seen = new Map<number, string[]>()
    for (const b of batches)
      for (const j of b.mobility!.journeys) if (seen.get(j.id)?.at(-1) !== j.status) seen.set(j.id, [...(seen.get(j.id) ?? []), j.status])
    const done = [...seen.values()].filter(s => s.at(-1) === 'completed')
    expect(done.length).toBe(f.now.completed)
    for (const s of done) expect(s).toEqual(['booked', 'on-the-way', 'completed'].filter(x => s.includes(x)))
    expect(done.some(s => s.includes('on-the-way'))).toBe(true)

    // vehicles: their places tick by tick; a ridden one is drawn between its ride's ends, then parked where results.json says
    const centre = { lat: scenario.site.latitude, lon: scenario.site.longitude }
    const places = new Map<number, Array<{ x: number; y: number; riding: boolean }>>()
    for (const b of batches)
      for (const v of b.mobility!.vehicles) places.set(v.node, [...(places.get(v.node) ?? []), { x: v.x, y: v.y, riding: v.ride != null }])
    const buildings = r.buildings.length
    let movedMidRide = 0
    for (const [node, ps] of places) {
      const start = layout!.nodes[node]
      const end = metresFrom(centre, r.vehicles![node - buildings].location!)
      expect(Math.abs(ps.at(-1)!.x - end.x) + Math.abs(ps.at(-1)!.y - end.y), start.name).toBeLessThanOrEqual(2)
      expect(ps.at(-1)!.riding).toBe(false)
      const prev = [{ x: start.x!, y: start.y! }, ...ps]
      if (ps.some((p, i) => p.riding && (p.x !== prev[i].x || p.y !== prev[i].y) && Math.abs(p.x - end.x) + Math.abs(p.y - end.y) > 2))
        movedMidRide++
    }
    expect(places.size).toBeGreaterThan(0)
    expect(movedMidRide).toBeGreaterThan(0)
    // bounded: a batch names each vehicle once at most, and lists no more journeys than the page keeps
    for (const b of batches) {
      expect(new Set(b.mobility!.vehicles.map(v => v.node)).size).toBe(b.mobility!.vehicles.length)
      expect(b.mobility!.journeys.length).toBeLessThanOrEqual(300)
    }
    // a late page gets the same: every vehicle where it stands, the journeys' figures
    const snap = live!.snapshot().mobility!
    expect(snap.figures).toEqual(f)
    expect(snap.journeys.length).toBe(Math.min(300, m.journeys.requested))
  }, 120_000)
})
