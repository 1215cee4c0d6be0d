import { describe, expect, it } from 'vitest'
import { at, consistency, runLinks, specs, type LinksRun } from './links-district.ts'

// s1 and b1 are cut off from s2, b2 and b3 from the start of slot 1 to the start of slot 3 of 5, and
// every link loses 30 % of its messages: negotiations break between accept, confirm and committed
const group = new Set([0, 1].map(i => specs.findIndex(s => s.name === ['s1', 'b1'][i])))
const across = (pair: string): boolean => {
  const [i, j] = pair.split('-').map(Number)
  return group.has(i) !== group.has(j)
}

describe('a partition that opens and heals, on a lossy network (links/)', () => {
  it('cuts exactly the links it names while open, heals, and leaves no oversold slot and no trade held by one side only', async () => {
    const r = await runLinks(5, { loss: 0.3, partitions: [{ fromSlot: 1, untilSlot: 3, nodes: ['s1', 'b1'] }] })
    const during = r.ticks.filter(t => t.at >= at(1) && t.at < at(3))
    const after = r.ticks.filter(t => t.at >= at(3))
    expect(during.length).toBeGreaterThan(0)
    // while open: no connection across the cut, and the nodes on each side still talk to each other
    for (const t of during) expect([...t.connected].filter(across)).toEqual([])
    expect(during.some(t => [...t.connected].some(p => !across(p) && p.split('-').every(x => group.has(Number(x)))))).toBe(true)
    expect(during.some(t => [...t.connected].some(p => !across(p) && p.split('-').every(x => !group.has(Number(x)))))).toBe(true)
    // before it opened and once it healed, links crossed it
    expect(r.ticks.filter(t => t.at < at(1)).some(t => [...t.connected].some(across))).toBe(true)
    expect(after.some(t => [...t.connected].some(across))).toBe(true)
    const n = r.result.network!
    expect(n.partitions).toEqual({ opened: 1, healed: 1, slots: 2 })
    expect(n.connectionsCut).toBeGreaterThan(0)
    expect(n.linksRedialled).toBeGreaterThan(0)
    // no trade was made across the cut while it was open
    const crossTrades = r.events.filter(
      e =>
        e.type === 'trade-committed' &&
        e.at >= at(1) &&
        e.at < at(3) &&
        group.has(r.byTrader.get(e.node)!) !== group.has(r.byTrader.get(e.peer!)!)
    )
    expect(crossTrades).toEqual([])
    // the loss broke negotiations mid-way (`link-lost` where the frame was lost, a reset at the other end),
    // and some buyers were left waiting for the seller's Committed
    expect(n.frames.lost).toBeGreaterThan(0)
    expect((n.negotiationsFailed['link-lost'] ?? 0) + (n.negotiationsFailed.StreamResetError ?? 0)).toBeGreaterThan(0)
    expect(r.result.nodes.reduce((a, x) => a + x.node.stats.negotiations.pending, 0)).toBeGreaterThan(0)
    // every pending trade a buyer journaled, it counts as a confirm to retry (what the run's closing ticks wait on)
    for (const t of r.ticks) for (const p of t.pending) expect(p.said).toBeGreaterThanOrEqual(p.journaled)
    expect(r.ticks.some(t => t.pending.some(p => p.journaled > 0))).toBe(true)
    if (r.result.closing != null) expect(r.result.closing.pendingConfirms).toBe(0)
    // …and yet, read from both sides' journals: every trade committed at both ends or at neither, none oversold
    const c = consistency(r)
    expect(c.committed).toBeGreaterThan(10)
    expect(c.oneSided).toEqual([])
    expect(c.oversold).toEqual([])
    expect(c.overbought).toEqual([])
  }, 120_000)

  it('reads a trade held by one side only, and an oversold slot, when the journals have them (the check above can fail)', () => {
    const trader = (i: number): string => `${i}`.padStart(64, '0')
    const t = (id: string, role: string, status: string, seller: number, energyWh: number) => ({
      id,
      role,
      status,
      slot: 2,
      energyWh,
      buyer: trader(2),
      seller: trader(seller)
    })
    // s1 sold 1,100 Wh of its 1,000 (a, b); b1 holds a as pending while s1 committed it; b1 bought 600 of its 500 (b, c)
    const journals: LinksRun['journals'] = [
      [t('a', 'seller', 'committed', 0, 600), t('b', 'seller', 'committed', 0, 500)],
      [t('c', 'seller', 'committed', 1, 100)],
      [t('a', 'buyer', 'pending', 0, 600), t('b', 'buyer', 'committed', 0, 500), t('c', 'buyer', 'committed', 1, 100)],
      [],
      []
    ]
    const c = consistency({ journals, byTrader: new Map(specs.map((_, i) => [trader(i), i])) } as unknown as LinksRun)
    expect(c.oneSided).toEqual(['a buyer=pending seller=committed'])
    expect(c.oversold).toEqual([`${trader(0)}/2`])
    expect(c.overbought).toEqual([`${trader(2)}/2`])
  })
})
