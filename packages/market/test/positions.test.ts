import { describe, expect, it } from 'vitest'
import { SlotPositions } from '../src/index.ts'

describe('SlotPositions', () => {
  it('never holds or commits more than the limit, and partial holds take what is left', () => {
    const p = new SlotPositions()
    p.setLimit(1, 100)
    const a = p.hold({ negotiation: 'a', slot: 1, energyWh: 70, holdUntil: 10, price: 1, counterparty: 'x' }, 0)
    const b = p.hold({ negotiation: 'b', slot: 1, energyWh: 70, holdUntil: 10, price: 1, counterparty: 'y' }, 0)
    const c = p.hold({ negotiation: 'c', slot: 1, energyWh: 1, holdUntil: 10, price: 1, counterparty: 'z' }, 0)
    expect([a?.energyWh, b?.energyWh, c]).toEqual([70, 30, undefined])
    expect(p.commit(1, 'a', 5)).toBe(true)
    expect(p.committed(1) + p.held(1, 5)).toBe(100)
  })
  it('says whether a negotiation with a counterparty is in flight in a slot: live holds only, that slot only', () => {
    const p = new SlotPositions()
    p.setLimit(1, 100)
    p.setLimit(2, 100)
    p.hold({ negotiation: 'a', slot: 1, energyWh: 10, holdUntil: 10, price: 1, counterparty: 'x' }, 0)
    p.hold({ negotiation: 'b', slot: 1, energyWh: 10, holdUntil: 20, price: 1, counterparty: 'y' }, 0)
    expect([p.holdsWith(1, 'x', 9), p.holdsWith(1, 'y', 9), p.holdsWith(2, 'x', 9), p.holdsWith(1, 'z', 9)]).toEqual([
      true,
      true,
      false,
      false
    ])
    expect(p.holdsWith(1, 'x', 10)).toBe(false)
    p.commit(1, 'b', 11)
    expect(p.holdsWith(1, 'y', 11)).toBe(false)
  })
  it('expired holds free their energy by themselves and cannot be committed', () => {
    const p = new SlotPositions()
    p.setLimit(1, 100)
    p.hold({ negotiation: 'a', slot: 1, energyWh: 100, holdUntil: 10, price: 1, counterparty: 'x' }, 0)
    expect(p.available(1, 9)).toBe(0)
    expect(p.available(1, 10)).toBe(100)
    expect(p.commit(1, 'a', 10)).toBe(false)
    expect(p.expire(10).map(h => h.negotiation)).toEqual(['a'])
  })
  it("a new hold takes a lapsed hold's energy but leaves the lapsed hold for expire(), so its release can be journaled", () => {
    const p = new SlotPositions()
    p.setLimit(1, 100)
    p.hold({ negotiation: 'a', slot: 1, energyWh: 100, holdUntil: 10, price: 1, counterparty: 'x' }, 0)
    const b = p.hold({ negotiation: 'b', slot: 1, energyWh: 100, holdUntil: 30, price: 1, counterparty: 'y' }, 20)
    expect(b?.energyWh).toBe(100)
    expect(p.expire(20).map(h => h.negotiation)).toEqual(['a'])
    expect(p.available(1, 20)).toBe(0)
  })
  it('is idempotent per negotiation', () => {
    const p = new SlotPositions()
    p.setLimit(1, 100)
    const a = p.hold({ negotiation: 'a', slot: 1, energyWh: 60, holdUntil: 10, price: 1, counterparty: 'x' }, 0)
    const again = p.hold({ negotiation: 'a', slot: 1, energyWh: 60, holdUntil: 10, price: 1, counterparty: 'x' }, 0)
    expect(again).toBe(a)
    expect(p.available(1, 0)).toBe(40)
    expect(p.commit(1, 'a', 1)).toBe(true)
    expect(p.commit(1, 'a', 1)).toBe(false)
    expect(p.committed(1)).toBe(60)
  })
})

describe('SlotPositions: releases, in-flight checks and commits at their edges', () => {
  it("nextRelease is the earliest live hold's end, whatever order the holds were made in", () => {
    for (const ends of [
      [20, 10, 30],
      [10, 30, 20],
      [30, 20, 10]
    ]) {
      const p = new SlotPositions()
      p.setLimit(1, 100)
      ends.forEach((until, k) => {
        p.hold({ negotiation: `n${k}`, slot: 1, energyWh: 10, holdUntil: until, price: 1, counterparty: 'x' }, 0)
      })
      expect(p.nextRelease(1, 0)).toBe(10)
      expect(p.nextRelease(1, 10)).toBe(20)
    }
    expect(new SlotPositions().nextRelease(1, 0)).toBeUndefined()
  })

  it('holdsWith a slot it never saw is false', () => {
    expect(new SlotPositions().holdsWith(9, 'x', 0)).toBe(false)
  })

  it('commit refuses a slot it never saw, a hold never made, and a hold at or past its end', () => {
    const p = new SlotPositions()
    p.setLimit(1, 100)
    p.hold({ negotiation: 'a', slot: 1, energyWh: 10, holdUntil: 10, price: 1, counterparty: 'x' }, 0)
    expect(p.commit(2, 'a', 0)).toBe(false)
    expect(p.commit(1, 'b', 0)).toBe(false)
    expect(p.commit(1, 'a', 10)).toBe(false)
    expect(p.committed(1)).toBe(0)
    expect(p.commit(1, 'a', 9)).toBe(true)
    expect(p.committed(1)).toBe(10)
  })
})
