import { setTimeout as sleep } from 'node:timers/promises'
import type { PreparedScenario } from '../prepared-scenario.ts'
import type { Dashboard } from '../dashboard/server.ts'
import type { Trace } from './read-trace.ts'
import { replayResult } from './replay-figures.ts'

/**
 * What the dashboard reads of a prepared scenario, rebuilt from a trace's run-started header: the
 * nodes' keys in district order, the buildings' limits, feeders and forecasts, and the clock. Nothing
 * else of a PreparedScenario is there (no devices, no keys' secrets, no mobility district).
 */
export function preparedFromTrace(t: Trace): PreparedScenario {
  const h = t.header
  const buildings = h.nodes.filter(n => n.building)
  const providers = h.nodes.filter(n => !n.building)
  const feederOf = new Map<number, { id: string }>()
  buildings.forEach((n, i) => {
    if (n.feeder != null) feederOf.set(i, { id: n.feeder })
  })
  return {
    specs: buildings.map(n => ({ id: n.name })),
    identities: buildings.map(n => ({ id: n.key })),
    providerIdentities: providers.map(n => ({ id: n.key })),
    nodes: h.nodes.map(n => ({ name: n.name, ...(n.feeder != null ? { grid: { feeder: n.feeder } } : {}) })),
    feeders: [],
    feederOf,
    relays: new Set(),
    limits: h.facts.map(f => ({ buyLimit: f.buyLimit, sellLimit: f.sellLimit })),
    facts: h.facts,
    run: { slots: h.run.slots, slotCount: h.run.slotCount, ticksPerSlot: h.run.ticksPerSlot, tradingWindowSlots: h.run.tradingWindowSlots }
  } as unknown as PreparedScenario
}

export interface PlayOptions {
  /**
   * simulated seconds per wall-clock second (900: one 15-minute slot a second); absent or Infinity: as
   * fast as the page takes them
   */
  speed?: number
}

/**
 * Plays a trace into a dashboard as the run fed it: the events and journeys' outcomes of each tick, in
 * the order the run wrote them (a journey's outcome where it stood among the events: before the receipts
 * and rides that move its vehicles, after the events of its booking), then the tick's progress (which
 * waits while the page has paused the clock, and runs to the next closed slot on Step), paced by
 * `speed`. The dashboard cannot tell a replay from a run. Ends with the replayed figures.
 */
export async function playTrace(
  t: Trace,
  dash: Pick<Dashboard, 'onPrepared' | 'onEvent' | 'onJourney' | 'onProgress' | 'finish'>,
  o: PlayOptions = {}
): Promise<void> {
  const h = t.header
  const names = new Map(h.nodes.map(n => [n.key, n.name]))
  await dash.onPrepared(preparedFromTrace(t), names, h.layout)
  const tickMs = Math.floor(h.run.slots.slotMs / h.run.ticksPerSlot)
  // driveTicks: tick n runs at the run's start + 1 ms + (n - 1) ticks; its events carry that instant
  const instantOf = (n: number): number => h.run.startMs + 1 + (n - 1) * tickMs
  const speed = o.speed ?? Infinity
  const wallPerTick = Number.isFinite(speed) && speed > 0 ? tickMs / speed : 0
  let tick = 0
  let due = performance.now()
  const next = async (): Promise<void> => {
    tick++
    if (wallPerTick > 0) {
      due += wallPerTick
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      else due = performance.now()
    }
    await dash.onProgress(tick, h.run.ticks)
    // after a pause the pace starts again from now, not with a burst of the ticks the pause took
    due = Math.max(due, performance.now())
  }
  // a line of tick n carries its instant (an event's at, a journey's departAfter: the tick it was asked at)
  const reach = async (at: number): Promise<void> => {
    while (tick < h.run.ticks && at > instantOf(tick + 1)) await next()
  }
  let j = 0
  // the journeys the run wrote before its event `i` (all that are left, with Infinity)
  const journeysBefore = async (i: number): Promise<void> => {
    for (; j < t.journeys.length && t.journeyPlaces[j] <= i; j++) {
      await reach(t.journeys[j].departAfter)
      dash.onJourney(t.journeys[j])
    }
  }
  for (const [i, e] of t.events.entries()) {
    await journeysBefore(i)
    await reach(e.at)
    dash.onEvent(e)
  }
  await journeysBefore(Infinity)
  while (tick < h.run.ticks) await next()
  dash.finish(replayResult(t))
}
