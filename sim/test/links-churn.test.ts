import { describe, expect, it } from 'vitest'
import { at, consistency, runLinks, specs } from './links-district.ts'

const b3 = specs.findIndex(s => s.name === 'b3')

describe('churn: a node that leaves and rejoins (links/)', () => {
  it('is gone while away, comes back on its own journal, and catches ' +
    'up: it buys the slots whose trading opened while it was away', async () => {
    // b3 stops at the start of slot 1 and starts again from its data directory at the start of slot 3 of 7
    const r = await runLinks(7, { churn: [{ node: 'b3', leaveSlot: 1, rejoinSlot: 3 }] })
    const away = r.ticks.filter(t => t.at >= at(1) && t.at < at(3))
    expect(away.length).toBeGreaterThan(0)
    for (const t of away) {
      expect(t.running[b3]).toBe(false)
      expect([...t.connected].filter(p => p.split('-').map(Number).includes(b3))).toEqual([])
    }
    const back = r.ticks.filter(t => t.at >= at(3))
    expect(back.every(t => t.running[b3])).toBe(true)
    expect(back.some(t => [...t.connected].some(p => p.split('-').map(Number).includes(b3)))).toBe(true)
    expect(r.result.network!.churn).toEqual({ left: 1, rejoined: 1, nodeSlotsAway: 2 })
    const me = [...r.byTrader].find(([, i]) => i === b3)![0]
    const mine = r.journals[b3].filter(t => t.role === 'buyer' && t.status === 'committed')
    // the trades it made before it left are still in its journal after the restart
    const before = r.events.filter(e => e.type === 'trade-committed' && e.node === me && e.at < at(1)).map(e => e.correlation)
    expect(before.length).toBeGreaterThan(0)
    expect(before.every(id => mine.some(t => t.id === id))).toBe(true)
    // slots 5 and 6 opened for trading (4 slots ahead) while it was away or as it came back: it bought them after its return
    const later = r.events.filter(e => e.type === 'trade-committed' && e.node === me && e.at >= at(3))
    expect(later.map(e => e.slot)).toEqual(expect.arrayContaining([5, 6]))
    // and what it needed, it bought, every slot of the run, without a trade held by one side only
    expect(new Set(mine.map(t => t.slot))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]))
    const c = consistency(r)
    expect(c.oneSided).toEqual([])
    expect(c.oversold).toEqual([])
    expect(c.overbought).toEqual([])
  }, 120_000)
})
