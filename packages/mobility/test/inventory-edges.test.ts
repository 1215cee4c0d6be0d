import { describe, expect, it } from 'vitest'
import { Inventory, InventoryError, type HeldLeg, type HoldRequest, type HoldResult } from '../src/index.ts'

const T = 1_750_000_000_000
const req = (over: Partial<HoldRequest> = {}): HoldRequest => ({
  package: 'p',
  leg: 'a',
  resource: 'trip-1',
  from: 0,
  to: 3,
  units: 1,
  holdUntil: T + 60_000,
  ...over
})

function refusal(r: HoldResult): { code: string; detail: string } {
  if (r.ok) throw new Error('expected a refusal')
  return { code: r.code, detail: r.detail }
}

function thrown(f: () => unknown): InventoryError {
  try {
    f()
  } catch (err) {
    expect(err).toBeInstanceOf(InventoryError)
    expect((err as Error).name).toBe('InventoryError')
    return err as InventoryError
  }
  throw new Error('expected an InventoryError')
}

describe('Inventory: what its refusals say', () => {
  it('names the malformed field and the value it got', () => {
    const inv = new Inventory()
    inv.setCapacity('trip-1', 2)
    for (const f of ['package', 'leg', 'resource'] as const) {
      const e = thrown(() => inv.hold(req({ [f]: '' }), T))
      expect([e.code, e.message]).toEqual(['malformed', `${f} must be a non-empty string`])
      expect(thrown(() => inv.hold(req({ [f]: 7 as unknown as string }), T)).message).toBe(`${f} must be a non-empty string`)
    }
    for (const f of ['from', 'to', 'units', 'holdUntil'] as const) {
      const e = thrown(() => inv.hold(req({ [f]: 1.5 }), T))
      expect([e.code, e.message]).toEqual(['malformed', `${f} must be a safe integer, got 1.5`])
      expect(thrown(() => inv.hold(req({ [f]: '1' as unknown as number }), T)).message).toBe(`${f} must be a safe integer, got 1`)
    }
    expect(thrown(() => inv.hold(req(), Number.NaN)).message).toBe('now must be a safe integer, got NaN')
    expect(thrown(() => inv.hold(null as unknown as HoldRequest, T))).toMatchObject({
      code: 'malformed',
      message: 'a hold request must be an object'
    })
    expect(thrown(() => inv.hold('p' as unknown as HoldRequest, T)).message).toBe('a hold request must be an object')
    expect(thrown(() => inv.setCapacity('trip-1', -1))).toMatchObject({
      code: 'malformed',
      message: 'capacity must not be negative, got -1'
    })
    expect(thrown(() => inv.setCapacity('', 1)).message).toBe('resource must be a non-empty string')
    expect(thrown(() => inv.setCapacity('x', 0.5)).message).toBe('capacity must be a safe integer, got 0.5')
    expect(thrown(() => inv.commit('p', 'a', 0.5)).message).toBe('now must be a safe integer, got 0.5')
    expect(thrown(() => inv.expire(0.5)).message).toBe('now must be a safe integer, got 0.5')
    for (const [args, m] of [
      [['', 0, 1, T], 'resource must be a non-empty string'],
      [['trip-1', 0.5, 1, T], 'from must be a safe integer, got 0.5'],
      [['trip-1', 0, 0.5, T], 'to must be a safe integer, got 0.5'],
      [['trip-1', 0, 1, 0.5], 'now must be a safe integer, got 0.5'],
      [['trip-1', 2, 1, T], '[2, 1) is empty: from must be before to']
    ] as const) {
      const e = thrown(() => inv.available(...(args as unknown as [string, number, number, number])))
      expect(e.message).toBe(m)
    }
    expect(thrown(() => inv.available('trip-1', 2, 1, T)).code).toBe('bad-interval')
  })

  it('says why a hold is refused', () => {
    const inv = new Inventory()
    inv.setCapacity('trip-1', 2)
    expect(refusal(inv.hold(req({ from: 3, to: 3 }), T))).toEqual({
      code: 'bad-interval',
      detail: '[3, 3) is empty: from must be before to'
    })
    expect(refusal(inv.hold(req({ units: 0 }), T))).toEqual({ code: 'bad-interval', detail: 'units must be at least 1, got 0' })
    expect(refusal(inv.hold(req({ holdUntil: T }), T))).toEqual({
      code: 'bad-interval',
      detail: `holdUntil ${T} is not after now (${T})`
    })
    expect(refusal(inv.hold(req({ resource: 'trip-9' }), T))).toEqual({
      code: 'unknown-resource',
      detail: 'no capacity is known for trip-9'
    })
    expect(refusal(inv.hold(req({ units: 3 }), T))).toEqual({ code: 'no-capacity', detail: 'trip-1 has 2 of 2 free over [0, 3), 3 asked' })
    expect(inv.hold(req({ units: 2 }), T).ok).toBe(true)
    expect(refusal(inv.hold(req({ package: 'q', from: 1, to: 2 }), T))).toEqual({
      code: 'no-capacity',
      detail: 'trip-1 has 0 of 2 free over [1, 2), 1 asked'
    })
    expect(refusal(inv.hold(req({ units: 1 }), T))).toEqual({
      code: 'conflict',
      detail: 'package p leg a already holds 2 of trip-1 over [0, 3)'
    })
    // capacity lowered below what is booked: nothing free, said as 0 (not a negative number)
    inv.setCapacity('trip-1', 1)
    expect(refusal(inv.hold(req({ package: 'q' }), T)).detail).toBe('trip-1 has 0 of 1 free over [0, 3), 1 asked')
    expect(inv.available('trip-1', 0, 3, T)).toBe(0)
    expect(inv.capacityOf('trip-1')).toBe(1)
    expect(inv.capacityOf('trip-9')).toBeUndefined()
  })

  it('says why a restore is refused', () => {
    const inv = new Inventory()
    const leg = (over: Partial<HeldLeg> = {}): HeldLeg => ({ ...req(), state: 'held', ...over })
    expect(thrown(() => inv.restore(leg())).message).toBe('set the capacity of trip-1 before restoring its legs')
    inv.setCapacity('trip-1', 1)
    expect(thrown(() => inv.restore(leg({ state: 'gone' as 'held' })))).toMatchObject({
      code: 'malformed',
      message: 'state must be held or committed, got gone'
    })
    for (const bad of [leg({ from: 3, to: 3 }), leg({ units: 0 })]) {
      const e = thrown(() => inv.restore(bad))
      expect(e.code).toBe('malformed')
      expect(e.message).toMatch(/^a restored leg needs from < to and units ≥ 1, got \[\d, 3\) × \d$/)
    }
    expect(thrown(() => inv.restore(leg(), 0.5)).message).toBe('now must be a safe integer, got 0.5')
    inv.restore(leg({ package: 'p1' }))
    const e = thrown(() => inv.restore(leg({ package: 'p2', from: 2, to: 5 })))
    expect([e.code, e.message]).toEqual(['over-capacity', 'restoring package p2 leg a would put 2 units on trip-1 over [2, 5), capacity 1'])
  })
})

describe('Inventory: edges of time and of the axis', () => {
  it('counts a hold until the millisecond before holdUntil, and an expired hold as free when a new one is asked', () => {
    const inv = new Inventory()
    inv.setCapacity('trip-1', 1)
    inv.hold(req({ package: 'p1', holdUntil: T + 10 }), T)
    expect(refusal(inv.hold(req({ package: 'p2' }), T + 9)).code).toBe('no-capacity')
    expect(inv.commit('p1', 'a', T + 9)?.state).toBe('committed')
    const inv2 = new Inventory()
    inv2.setCapacity('trip-1', 1)
    inv2.hold(req({ package: 'p1', holdUntil: T + 10 }), T)
    expect(inv2.hold(req({ package: 'p2' }), T + 10).ok).toBe(true)
    expect(inv2.commit('p1', 'a', T + 10)).toBeUndefined()
    // the lapsed hold is still stored until expire() or a new hold under its key removes it
    expect(inv2.get('p1', 'a')?.state).toBe('held')
    expect(inv2.expire(T + 10).map(h => h.package)).toEqual(['p1'])
    expect(inv2.expire(T + 10)).toEqual([])
  })

  it('replaces a lapsed hold under the same key even where it would now conflict, and frees its units', () => {
    const inv = new Inventory()
    inv.setCapacity('trip-1', 1)
    inv.hold(req({ holdUntil: T + 10 }), T)
    const again = inv.hold(req({ from: 1, to: 2, holdUntil: T + 100 }), T + 10)
    expect(again.ok && again.hold).toMatchObject({ from: 1, to: 2, state: 'held', holdUntil: T + 100 })
    expect(inv.available('trip-1', 0, 1, T + 10)).toBe(1)
    expect(inv.available('trip-1', 2, 3, T + 10)).toBe(1)
    expect(inv.available('trip-1', 1, 2, T + 10)).toBe(0)
  })

  it('takes the peak over the interval, counting legs that only touch it as outside', () => {
    const inv = new Inventory()
    inv.setCapacity('r', 5)
    inv.hold(req({ package: 'a', resource: 'r', from: 0, to: 4, units: 2 }), T)
    inv.hold(req({ package: 'b', resource: 'r', from: 4, to: 8, units: 1 }), T)
    inv.hold(req({ package: 'c', resource: 'r', from: 2, to: 6, units: 1 }), T)
    expect(inv.available('r', 0, 2, T)).toBe(3)
    expect(inv.available('r', 2, 4, T)).toBe(2)
    expect(inv.available('r', 3, 5, T)).toBe(2)
    expect(inv.available('r', 4, 6, T)).toBe(3)
    expect(inv.available('r', 6, 8, T)).toBe(4)
    expect(inv.available('r', 8, 9, T)).toBe(5)
    expect(inv.available('r', 0, 8, T)).toBe(2)
    // a leg ending where the interval starts, and one starting where it ends, take nothing from it
    expect(inv.available('r', 4, 4 + 1, T)).toBe(3)
    const committed = inv.commit('a', 'a', T)
    expect(committed).toMatchObject({ state: 'committed', from: 0, to: 4 })
    expect(Object.isFrozen(committed)).toBe(true)
    expect(inv.available('r', 0, 2, T + 3_600_000)).toBe(3) // the commitment outlives every hold
    expect(inv.available('r', 4, 8, T + 3_600_000)).toBe(5)
  })

  it('takes a capacity of 0: a resource known to have no room', () => {
    const inv = new Inventory()
    inv.setCapacity('full', 0)
    expect(inv.has('full')).toBe(true)
    expect(inv.capacityOf('full')).toBe(0)
    expect(refusal(inv.hold(req({ resource: 'full' }), T))).toEqual({
      code: 'no-capacity',
      detail: 'full has 0 of 0 free over [0, 3), 1 asked'
    })
  })

  it('keeps resources apart, and forgets a released leg entirely', () => {
    const inv = new Inventory()
    inv.setCapacity('r1', 1)
    inv.setCapacity('r2', 1)
    inv.hold(req({ package: 'a', resource: 'r1' }), T)
    expect(inv.available('r2', 0, 3, T)).toBe(1)
    expect(inv.hold(req({ package: 'b', resource: 'r2' }), T).ok).toBe(true)
    expect(inv.release('a', 'a')).toBe(true)
    expect(inv.get('a', 'a')).toBeUndefined()
    expect(inv.available('r1', 0, 3, T)).toBe(1)
    expect(inv.hold(req({ package: 'c', resource: 'r1' }), T).ok).toBe(true)
    expect(inv.available('r2', 0, 3, T)).toBe(0)
  })

  it('restores over what lapsed, counts a restored hold against later holds, and replaces an earlier state of the leg', () => {
    const inv = new Inventory()
    inv.setCapacity('trip-1', 1)
    inv.restore({ ...req({ package: 'old', holdUntil: T + 10 }), state: 'held' })
    // without now, every hold counts
    expect(thrown(() => inv.restore({ ...req({ package: 'new' }), state: 'held' })).code).toBe('over-capacity')
    // at T + 10 the old hold has lapsed
    inv.restore({ ...req({ package: 'new' }), state: 'held' }, T + 10)
    expect(refusal(inv.hold(req({ package: 'x' }), T + 10)).code).toBe('no-capacity')
    // a lapsed hold restored with now is kept, and does not count
    inv.restore({ ...req({ package: 'gone', holdUntil: T + 5 }), state: 'held' }, T + 10)
    expect(inv.get('gone', 'a')?.holdUntil).toBe(T + 5)
    // the same leg restored again (its later state) does not count against itself
    inv.restore({ ...req({ package: 'new' }), state: 'committed' }, T + 10)
    expect(inv.get('new', 'a')?.state).toBe('committed')
    expect(Object.isFrozen(inv.get('new', 'a'))).toBe(true)
    // a restored committed leg never lapses
    expect(
      inv
        .expire(T + 3_600_000)
        .map(h => h.package)
        .sort()
    ).toEqual(['gone', 'old'])
    expect(inv.available('trip-1', 0, 3, T + 3_600_000)).toBe(0)
  })
})
