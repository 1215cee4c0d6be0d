import { describe, expect, it } from 'vitest'
import type { GridOptions } from '@kvartal/node'
import { consistency, runLinks, specs } from './links-district.ts'

// two feeders: f1 has both sellers (s1 relays for it) and b1; f2 has b2 (its relay) and b3, who can buy only
// across. Only the links between the two feeders lose messages (20 %) and take time (40 ms a message)
const fees = { local: 50_000_000, district: 150_000_000 }
const grids: GridOptions[] = [
  { feeder: 'f1', fees, relay: true },
  { feeder: 'f1', fees },
  { feeder: 'f1', fees },
  { feeder: 'f2', fees, relay: true },
  { feeder: 'f2', fees }
]
const feederOf = (name: string): string => grids[specs.findIndex(s => s.name === name)].feeder

describe('conditions per class of link, on a district of two feeders (links/)', () => {
  it('loses messages only on the links across feeders, delays only those, and keeps every trade on both sides or neither', async () => {
    const r = await runLinks(5, { acrossFeeders: { loss: 0.2, latency: { distribution: 'fixed', ms: 40 } } }, grids)
    const n = r.result.network!
    const { withinFeeder: within, acrossFeeders: across } = n.links
    // both classes carried gossip and stream frames; only the links across feeders lost any
    expect(within.gossip.messages).toBeGreaterThan(0)
    expect(within.frames.sent).toBeGreaterThan(0)
    expect([within.gossip.lost, within.frames.lost]).toEqual([0, 0])
    expect(across.gossip.messages).toBeGreaterThan(0)
    expect(across.frames.sent).toBeGreaterThan(0)
    expect(across.gossip.lost + across.frames.lost).toBeGreaterThan(0)
    // each message counts in one class: the classes add up to the run's totals
    expect(within.gossip.messages + across.gossip.messages).toBe(n.gossip.messages)
    expect(within.frames.sent + across.frames.sent).toBe(n.frames.sent)
    expect([n.gossip.lost, n.frames.lost]).toEqual([across.gossip.lost, across.frames.lost])
    expect(n.links.groups).toEqual({})
    // latency only across: a negotiation inside a feeder took no simulated time, one across at least one 40 ms frame
    expect(within.negotiationDelayMs.negotiations).toBeGreaterThan(0)
    expect(within.negotiationDelayMs.max).toBe(0)
    expect(across.negotiationDelayMs.negotiations).toBeGreaterThan(0)
    expect(across.negotiationDelayMs.p50).toBeGreaterThanOrEqual(40)
    expect(across.negotiationDelayMs.p50 % 40).toBe(0)
    expect(within.negotiationDelayMs.negotiations + across.negotiationDelayMs.negotiations).toBe(n.negotiationDelayMs.negotiations)
    // read from the nodes' own events, not the model's counters: every negotiation that broke (at the end that lost
    // the frame, `link-lost`, or at the other, a reset) was between two feeders; without loss, none breaks
    const name = (trader: string | undefined): string => specs[r.byTrader.get(trader ?? '')!].name
    const failed = r.events.filter(e => e.type === 'negotiation-failed' && e.peer != null)
    expect(failed.length).toBeGreaterThan(0)
    expect(failed.filter(e => feederOf(name(e.node)) === feederOf(name(e.peer)))).toEqual([])
    // trades were made inside f1 and across, and read from both sides' journals none is one-sided or oversold
    const c = consistency(r)
    const sellerTrades = r.journals.flat().filter(t => t.role === 'seller' && t.status === 'committed')
    const feederOfTrader = (t: string): string => grids[r.byTrader.get(t)!].feeder
    expect(sellerTrades.filter(t => feederOfTrader(t.buyer) === feederOfTrader(t.seller)).length).toBeGreaterThan(0)
    expect(sellerTrades.filter(t => feederOfTrader(t.buyer) !== feederOfTrader(t.seller)).length).toBeGreaterThan(0)
    expect(c.oneSided).toEqual([])
    expect(c.oversold).toEqual([])
    expect(c.overbought).toEqual([])
  }, 120_000)
})
