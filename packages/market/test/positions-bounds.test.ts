/**
 * SlotPositions at its edges: the limit's validation, when holds lapse (a hold is live strictly before its
 * holdUntil), what an unknown slot reports, and the bookkeeping calls the node uses on recovery and delivery.
 */
import { describe, expect, it } from 'vitest'
import { SlotPositions } from '../src/index.ts'

const hold = (negotiation: string, energyWh: number, holdUntil: number, slot = 1) => ({
  negotiation,
  slot,
  energyWh,
  holdUntil,
  price: 7,
  counterparty: 'cp'
})

describe('SlotPositions at its edges', () => {
  it('a limit is a non-negative whole number of Wh; 0 is a limit', () => {
    const p = new SlotPositions()
    expect(() => p.setLimit(1, -1)).toThrow(/^limit must be a non-negative integer Wh, got -1$/)
    expect(() => p.setLimit(1, 1.5)).toThrow(RangeError)
    p.setLimit(1, 0)
    expect(p.limit(1)).toBe(0)
    expect(p.hold(hold('a', 1, 10), 0)).toBeUndefined()
  })

  it('an unknown slot has no limit, nothing committed or held, and nothing available', () => {
    const p = new SlotPositions()
    expect([
      p.limit(9),
      p.committed(9),
      p.held(9, 0),
      p.available(9, 0),
      p.nextRelease(9, 0),
      p.getHold(9, 'x'),
      p.release(9, 'x')
    ]).toEqual([0, 0, 0, 0, undefined, undefined, undefined])
    expect(p.commit(9, 'x', 0)).toBe(false)
  })

  it('a hold counts until just before its holdUntil; the earliest live one is the next release', () => {
    const p = new SlotPositions()
    p.setLimit(1, 100)
    p.hold(hold('a', 30, 20), 0)
    p.hold(hold('b', 20, 10), 0)
    expect(p.held(1, 9)).toBe(50)
    expect(p.nextRelease(1, 9)).toBe(10)
    expect(p.held(1, 10)).toBe(30)
    expect(p.nextRelease(1, 10)).toBe(20)
    expect(p.available(1, 10)).toBe(70)
    expect(p.nextRelease(1, 20)).toBeUndefined()
    expect(p.commit(1, 'a', 19)).toBe(true)
    expect(p.committed(1)).toBe(30)
  })

  it('asking for nothing holds nothing; a hold is made of what is asked, not more', () => {
    const p = new SlotPositions()
    p.setLimit(1, 100)
    expect(p.hold(hold('z', 0, 10), 0)).toBeUndefined()
    expect(p.hold(hold('a', 40, 10), 0)).toEqual(hold('a', 40, 10))
    expect(p.getHold(1, 'a')).toEqual(hold('a', 40, 10))
    expect(p.available(1, 0)).toBe(60)
  })

  it("a new hold takes lapsed holds' energy but leaves them, in every slot, for expire to report", () => {
    const p = new SlotPositions()
    p.setLimit(1, 100)
    p.setLimit(2, 10)
    p.hold(hold('a', 100, 10), 0)
    p.hold(hold('x', 10, 5, 2), 0)
    expect(p.hold(hold('b', 60, 30), 10)?.energyWh).toBe(60)
    // lapsed, still kept: whoever journals releases (the seller's sweep) learns of them from expire
    expect(p.getHold(1, 'a')?.energyWh).toBe(100)
    expect(p.getHold(2, 'x')?.energyWh).toBe(10)
    expect(p.available(1, 10)).toBe(40)
    expect(
      p
        .expire(10)
        .map(h => h.negotiation)
        .sort()
    ).toEqual(['a', 'x'])
    expect(p.getHold(1, 'a')).toBeUndefined()
    expect(p.expire(29)).toEqual([])
    expect(p.expire(30).map(h => h.negotiation)).toEqual(['b'])
  })

  it('release gives back the hold once; lowering the limit never undoes a commitment', () => {
    const p = new SlotPositions()
    p.setLimit(1, 100)
    p.hold(hold('a', 50, 10), 0)
    expect(p.release(1, 'a')?.energyWh).toBe(50)
    expect(p.release(1, 'a')).toBeUndefined()
    expect(p.available(1, 0)).toBe(100)
    p.addCommitted(1, 80)
    p.setLimit(1, 50)
    expect(p.committed(1)).toBe(80)
    expect(p.available(1, 0)).toBe(0)
    expect(p.hold(hold('b', 1, 10), 0)).toBeUndefined()
  })

  it('forgets delivered slots, and lists the others in order', () => {
    const p = new SlotPositions()
    for (const s of [5, 3, 9, 4]) p.setLimit(s, 1)
    expect(p.slots).toEqual([3, 4, 5, 9])
    p.dropBefore(5)
    expect(p.slots).toEqual([5, 9])
    expect(p.limit(4)).toBe(0)
    expect(p.limit(5)).toBe(1)
  })
})
