import { gateClosure, slotStart, type SimulatedClock } from '@kvartal/protocol'
import type { DistrictRunConfig } from './district-run-config.ts'
import { outstanding, settle, type GossipCounts, type Probe } from './quiescence.ts'

/**
 * The simulated instant the run starts: just before the last tick of the nodes' tick grid (every
 * `slotMs / ticksPerSlot` from the epoch) at or before the first slot's trading window opens. The runner
 * moves the clock along that same grid, so each node's tick runs at its own instant. (It moved along a
 * grid anchored at gate closure, 60 s off the nodes': a node's last tick before a gate fired only when
 * the clock reached the gate itself, so its proposals met closed gates; 1.3 % of the default day's
 * local energy went to the grid.)
 */
export function runStartMs(c: Pick<DistrictRunConfig, 'slots' | 'tradingWindowSlots' | 'ticksPerSlot'>): number {
  const tickMs = Math.floor(c.slots.slotMs / c.ticksPerSlot)
  const opens = gateClosure(c.slots, 0) - c.tradingWindowSlots * c.slots.slotMs
  return c.slots.epochMs + Math.floor((opens - c.slots.epochMs) / tickMs) * tickMs - 1
}

export interface TickDriver {
  /** polls every node of the district (in this process, or in every worker) */
  probe: () => Promise<Probe>
  /** the scenario's per-tick work (travellers), after the tick's negotiations are done */
  onTick?: (now: number) => Promise<void>
  /** ask twice before taking the district as idle (several processes: quiescence.ts) */
  confirm?: boolean
  /** moves every clock of the district */
  advance?: (t: number) => Promise<void>
  describeLate?: (missed: readonly number[], counts: readonly GossipCounts[]) => string
}

/** Closing ticks at most, in slots: a buyer's confirm retried this many times has each retry lost. */
export const CLOSING_SLOTS = 4

export interface DriveResult {
  ticks: number
  gossipLate: number
  /**
   * Ticks run after the last one because buyers still had confirms pending (absent when none had), and
   * how many were still pending after them (0 unless every retry of one failed).
   */
  closing?: { ticks: number; pendingConfirms: number }
}

/**
 * The run's clock: tick by tick from the start to past the end of the last slot (so that nodes meter it
 * and settle the period), each tick followed by a wait until every node is idle and every gossip
 * message has arrived, then the scenario's own work for the tick, then that wait again.
 *
 * Then the closing ticks: a buyer whose confirm or the seller's Committed was lost holds its trade as
 * pending and confirms again on its next tick. A real node has a next tick; a run that stopped at its
 * last slot would leave that trade held by the seller only (the partition test's lossy run did, once, on
 * a loaded machine: which trades are made, and so which frames are lost, depends on the order in which
 * concurrent proposals meet a seller). So the clock goes on, tick by tick, while some buyer has a confirm pending, for at most
 * `CLOSING_SLOTS` slots. Nothing else happens in those ticks: every position past the last slot is 0.
 */
export async function driveTicks(c: DistrictRunConfig, clock: SimulatedClock | undefined, d: TickDriver): Promise<DriveResult> {
  // what each node can still expect: anything published before it joined the mesh is not coming
  const missed = outstanding((await d.probe()).counts)
  const tickMs = Math.floor(c.slots.slotMs / c.ticksPerSlot)
  const startMs = runStartMs(c)
  const endMs = (c.ledger == null ? gateClosure(c.slots, c.slotCount) : slotStart(c.slots, c.slotCount)) + tickMs
  const totalTicks = Math.ceil((endMs - startMs) / tickMs)
  let ticks = 0
  let gossipLate = 0
  const settled = async (t: number): Promise<void> => {
    if (await settle(d.probe, missed, { gossipSettleMs: c.gossipSettleMs, confirm: d.confirm })) return
    gossipLate++
    const counts = (await d.probe()).counts
    if (process.env.KVARTAL_SIM_DEBUG != null && d.describeLate != null)
      process.stderr.write(`late gossip at ${new Date(t).toISOString()}: ${d.describeLate(missed, counts)}\n`)
    // a delivery that did not come within the wait is not coming: stop expecting it, so that one
    // lost message costs one late tick and not every tick after it
    outstanding(counts).forEach((x, i) => {
      missed[i] = Math.max(missed[i], x)
    })
  }
  let t = startMs + 1
  for (; t <= endMs; t += tickMs) {
    if (d.advance != null) await d.advance(t)
    else clock!.advanceTo(t)
    await settled(t)
    if (d.onTick != null) {
      await d.onTick(t)
      await settled(t)
    }
    ticks++
    await c.onProgress?.(ticks, totalTicks)
  }
  let pendingConfirms = (await d.probe()).pendingConfirms
  if (pendingConfirms === 0) return { ticks, gossipLate }
  let closing = 0
  for (; pendingConfirms > 0 && closing < CLOSING_SLOTS * c.ticksPerSlot; t += tickMs) {
    if (d.advance != null) await d.advance(t)
    else clock!.advanceTo(t)
    await settled(t)
    closing++
    pendingConfirms = (await d.probe()).pendingConfirms
  }
  return { ticks, gossipLate, closing: { ticks: closing, pendingConfirms } }
}
