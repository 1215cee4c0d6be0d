import { describe, expect, it } from 'vitest'
import { seededRandom } from '@kvartal/protocol'
import { Inventory, InventoryError, type HeldLeg, type HoldRequest } from '../src/index.ts'

const T = 1_750_000_000_000
const req = (pkg: string, leg: string, from: number, to: number, units = 1, holdUntil = T + 60_000, resource = 'trip-1'): HoldRequest => ({
  package: pkg,
  leg,
  resource,
  from,
  to,
  units,
  holdUntil
})

function held(r: ReturnType<Inventory['hold']>): HeldLeg {
  if (!r.ok) throw new Error(`expected a hold, got ${r.code}: ${r.detail}`)
  return r.hold
}

describe('Inventory', () => {
  it('twenty requests racing for the last three seats: exactly three are held', () => {
    const inv = new Inventory()
    inv.setCapacity('trip-1', 40)
    held(inv.hold(req('earlier', 'a', 0, 9, 37), T))
    const results = Array.from({ length: 20 }, (_, i) => inv.hold(req(`p${i}`, 'leg', 2, 5), T + i))
    expect(results.filter(r => r.ok)).toHaveLength(3)
    expect(results.filter(r => !r.ok).map(r => !r.ok && r.code)).toEqual(Array(17).fill('no-capacity'))
    expect(inv.available('trip-1', 2, 5, T + 20)).toBe(0)
    expect(inv.available('trip-1', 5, 9, T + 20)).toBe(3) // the seats are free again from stop 5
  })

  it('counts a seat over stop_sequence positions [from, to): alighting at 5 frees it for boarding at 5', () => {
    const inv = new Inventory()
    inv.setCapacity('trip-1', 1)
    held(inv.hold(req('p1', 'a', 2, 5), T))
    expect(held(inv.hold(req('p2', 'a', 5, 8), T)).state).toBe('held')
    held(inv.hold(req('p3', 'a', 0, 2), T))
    const r = inv.hold(req('p4', 'a', 4, 6), T)
    expect(r.ok === false && r.code).toBe('no-capacity')
    expect(r.ok === false && r.detail).toMatch(/0 of 1 free over \[4, 6\)/)
  })

  it('an expired hold frees its seat by itself, and can no longer be committed', () => {
    const inv = new Inventory()
    inv.setCapacity('car', 1)
    held(inv.hold(req('p1', 'a', T + 3_600_000, T + 7_200_000, 1, T + 30_000, 'car'), T))
    expect(inv.available('car', T + 3_600_000, T + 3_600_001, T + 29_999)).toBe(0)
    expect(inv.available('car', T + 3_600_000, T + 3_600_001, T + 30_000)).toBe(1) // no expire() needed
    expect(held(inv.hold(req('p2', 'a', T + 5_000_000, T + 6_000_000, 1, T + 90_000, 'car'), T + 30_000)).package).toBe('p2')
    expect(inv.commit('p1', 'a', T + 30_000)).toBeUndefined()
    expect(inv.expire(T + 30_000).map(h => h.package)).toEqual(['p1'])
    expect(inv.get('p1', 'a')).toBeUndefined()
    expect(inv.expire(T + 30_000)).toEqual([])
  })

  it('commits idempotently: a duplicate commit changes nothing, and committed legs never expire', () => {
    const inv = new Inventory()
    inv.setCapacity('trip-1', 2)
    held(inv.hold(req('p1', 'a', 0, 3), T))
    const c = inv.commit('p1', 'a', T + 1_000)
    expect(c?.state).toBe('committed')
    expect(inv.commit('p1', 'a', T + 2_000)).toBe(c)
    expect(inv.commit('p1', 'a', T + 10 * 60_000)).toBe(c) // long after holdUntil
    expect(inv.expire(T + 10 * 60_000)).toEqual([])
    expect(inv.available('trip-1', 0, 3, T + 10 * 60_000)).toBe(1)
    expect(inv.commit('nobody', 'a', T)).toBeUndefined()
  })

  it('holds idempotently by (package, leg); a different request under the same key is a conflict', () => {
    const inv = new Inventory()
    inv.setCapacity('trip-1', 1)
    const h = held(inv.hold(req('p1', 'a', 0, 3), T))
    expect(held(inv.hold(req('p1', 'a', 0, 3), T + 5))).toBe(h)
    expect(held(inv.hold(req('p1', 'a', 0, 3, 1, T + 999_999), T + 5)).holdUntil).toBe(T + 60_000) // a retry does not extend
    const other = inv.hold(req('p1', 'a', 0, 4), T + 5)
    expect(other.ok === false && other.code).toBe('conflict')
    inv.commit('p1', 'a', T + 10)
    expect(held(inv.hold(req('p1', 'a', 0, 3), T + 20)).state).toBe('committed')
    // after a hold lapsed, the same key may hold again, also a different request
    held(inv.hold(req('p2', 'b', 3, 5, 1, T + 100), T))
    expect(held(inv.hold(req('p2', 'b', 3, 6, 1, T + 500), T + 100)).to).toBe(6)
  })

  it('refuses bad intervals and unknown resources with codes, and malformed input with InventoryError', () => {
    const inv = new Inventory()
    inv.setCapacity('trip-1', 3)
    const code = (r: ReturnType<Inventory['hold']>): string | undefined => (r.ok ? undefined : r.code)
    expect(code(inv.hold(req('p', 'a', 3, 3), T))).toBe('bad-interval')
    expect(code(inv.hold(req('p', 'a', 4, 3), T))).toBe('bad-interval')
    expect(code(inv.hold(req('p', 'a', 1, 3, 0), T))).toBe('bad-interval')
    expect(code(inv.hold(req('p', 'a', 1, 3, 1, T), T))).toBe('bad-interval')
    expect(code(inv.hold(req('p', 'a', 1, 3, 1, T + 1, 'trip-9'), T))).toBe('unknown-resource')
    expect(code(inv.hold(req('p', 'a', 1, 3, 4), T))).toBe('no-capacity')
    expect(() => inv.hold(req('p', 'a', 1.5, 3), T)).toThrow(InventoryError)
    expect(() => inv.hold({ ...req('p', 'a', 1, 3), package: '' }, T)).toThrow(
      expect.objectContaining({ name: 'InventoryError', code: 'malformed' })
    )
    expect(() => inv.setCapacity('x', -1)).toThrow(InventoryError)
    expect(() => inv.available('trip-1', 3, 3, T)).toThrow(InventoryError)
    expect(inv.available('trip-9', 0, 1, T)).toBe(0)
    expect(inv.has('trip-1')).toBe(true)
    expect(inv.has('trip-9')).toBe(false)
  })

  it('releases holds and commitments', () => {
    const inv = new Inventory()
    inv.setCapacity('trip-1', 1)
    held(inv.hold(req('p1', 'a', 0, 3), T))
    inv.commit('p1', 'a', T)
    expect(inv.release('p1', 'a')).toBe(true)
    expect(inv.release('p1', 'a')).toBe(false)
    expect(inv.available('trip-1', 0, 3, T)).toBe(1)
  })

  it('restores journaled legs, refusing overlaps beyond capacity', () => {
    const inv = new Inventory()
    expect(() => inv.restore({ ...req('p1', 'a', 0, 3), state: 'held' })).toThrow(expect.objectContaining({ code: 'unknown-resource' }))
    inv.setCapacity('trip-1', 2)
    inv.restore({ ...req('p1', 'a', 0, 3), state: 'held' })
    inv.restore({ ...req('p1', 'a', 0, 3), state: 'committed' }) // the journal's later state of the same leg replaces it
    expect(inv.get('p1', 'a')?.state).toBe('committed')
    inv.restore({ ...req('p2', 'a', 1, 4, 1), state: 'held' })
    expect(() => inv.restore({ ...req('p3', 'a', 2, 3, 1), state: 'committed' })).toThrow(
      expect.objectContaining({ name: 'InventoryError', code: 'over-capacity' })
    )
    expect(inv.get('p3', 'a')).toBeUndefined()
    // with `now`, a hold that lapsed while the node was down does not count
    inv.restore({ ...req('p3', 'a', 2, 3, 1), state: 'committed' }, T + 60_000)
    expect(inv.expire(T + 60_000).map(h => h.package)).toEqual(['p2'])
    expect(inv.available('trip-1', 0, 4, T + 60_000)).toBe(0)
    expect(inv.available('trip-1', 3, 4, T + 60_000)).toBe(2)
    expect(() => inv.restore({ ...req('p4', 'a', 0, 1), state: 'gone' as 'held' })).toThrow(InventoryError)
  })

  it('never books more than capacity at any time and point (seeded random operations, checked against a model)', () => {
    const AXIS = 10
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = seededRandom(seed)
      const pick = (n: number): number => Math.floor(rnd() * n)
      const inv = new Inventory()
      const capacity: Record<string, number> = { r0: 1 + pick(4), r1: 1 + pick(4) }
      for (const [r, c] of Object.entries(capacity)) inv.setCapacity(r, c)
      const keys: Array<[string, string]> = []
      for (let p = 0; p < 8; p++) for (const l of ['a', 'b']) keys.push([`p${p}`, l])
      let now = T
      const liveLegs = (): HeldLeg[] =>
        keys.map(([p, l]) => inv.get(p, l)).filter((h): h is HeldLeg => h !== undefined && (h.state === 'committed' || h.holdUntil > now))
      const usedAt = (legs: HeldLeg[], r: string, x: number): number =>
        legs.filter(h => h.resource === r && h.from <= x && x < h.to).reduce((s, h) => s + h.units, 0)
      for (let step = 0; step < 300; step++) {
        now += pick(4) * 1000
        const [p, l] = keys[pick(keys.length)]
        const op = rnd()
        if (op < 0.55) {
          const r = `r${pick(2)}`
          const from = pick(AXIS)
          const to = from + 1 + pick(AXIS - from)
          const units = 1 + pick(2)
          const before = inv.get(p, l)
          const wasLive = before !== undefined && (before.state === 'committed' || before.holdUntil > now)
          const legs = liveLegs()
          let free = capacity[r]
          for (let x = from; x < to; x++) free = Math.min(free, capacity[r] - usedAt(legs, r, x))
          const res = inv.hold({ package: p, leg: l, resource: r, from, to, units, holdUntil: now + (1 + pick(10)) * 1000 }, now)
          if (wasLive) {
            const same = before.resource === r && before.from === from && before.to === to && before.units === units
            expect(res.ok ? res.hold : res.code).toEqual(same ? before : 'conflict')
          } else {
            expect(res.ok).toBe(units <= free) // held exactly when it fits
            if (!res.ok) expect(res.code).toBe('no-capacity')
          }
        } else if (op < 0.75) {
          const before = inv.get(p, l)
          const c = inv.commit(p, l, now)
          const committable = before !== undefined && (before.state === 'committed' || before.holdUntil > now)
          expect(c?.state).toBe(committable ? 'committed' : undefined)
        } else if (op < 0.85) {
          inv.release(p, l)
        } else {
          for (const h of inv.expire(now)) {
            expect(h.state).toBe('held')
            expect(h.holdUntil).toBeLessThanOrEqual(now)
          }
        }
        const legs = liveLegs()
        for (const r of ['r0', 'r1']) {
          const used = Array.from({ length: AXIS }, (_, x) => usedAt(legs, r, x))
          if (Math.max(...used) > capacity[r]) expect.fail(`seed ${seed} step ${step}: ${r} overbooked: ${used.join(' ')} > ${capacity[r]}`)
          const from = pick(AXIS)
          const to = from + 1 + pick(AXIS - from)
          const most = capacity[r] - Math.max(...used.slice(from, to))
          if (inv.available(r, from, to, now) !== most)
            expect.fail(
              `seed ${seed} step ${step}: available(${r}, ${from}, ${to}) = ${inv.available(r, from, to, now)}, model says ${most}`
            )
        }
      }
    }
  })
})
