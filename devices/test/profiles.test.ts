import { describe, it, expect } from 'vitest'
import { buildDistrict, createBuildings } from '../src/index.ts'
import { daySlots, TRONDHEIM } from './slots.ts'

const site = { ...TRONDHEIM, seed: 42 }

describe('buildDistrict', () => {
  it('draws a repeatable, serializable mix of buildings', () => {
    const specs = buildDistrict({ ...site, count: 24 })
    expect(specs).toHaveLength(24)
    expect(buildDistrict({ ...site, count: 24 })).toEqual(specs)
    expect(buildDistrict({ ...site, seed: 43, count: 24 })).not.toEqual(specs)
    expect(JSON.parse(JSON.stringify(specs))).toEqual(specs)
    expect(new Set(specs.map(s => s.id)).size).toBe(24)
    const count = (kind: string): number => specs.filter(s => s.kind === kind).length
    expect([count('household'), count('office'), count('commercial')]).toEqual([14, 6, 4])
    for (const s of specs) {
      if (s.kind === 'household' && s.pvPeakW != null) {
        expect(s.pvPeakW).toBeGreaterThanOrEqual(3000)
        expect(s.pvPeakW).toBeLessThanOrEqual(10_000)
      }
      if (s.kind === 'office' && s.pvPeakW != null) {
        expect(s.pvPeakW).toBeGreaterThanOrEqual(20_000)
        expect(s.pvPeakW).toBeLessThanOrEqual(60_000)
      }
      if (s.battery != null) {
        expect(s.battery.capacityWh).toBeGreaterThanOrEqual(5000)
        expect(s.battery.capacityWh).toBeLessThanOrEqual(13_500)
      }
    }
    expect(specs.some(s => s.pvPeakW == null)).toBe(true)
    expect(specs.some(s => s.battery != null)).toBe(true)
    expect(specs.some(s => s.ev != null)).toBe(true)
  })

  it('follows a given mix', () => {
    const specs = buildDistrict({ ...site, count: 10, mix: { household: 1, office: 1 } })
    expect(specs.filter(s => s.kind === 'office')).toHaveLength(5)
    expect(specs.filter(s => s.kind === 'commercial')).toHaveLength(0)
  })

  it('puts PV on the given share of roofs, the same buildings and more as the share grows', () => {
    const withPv = (pvShare: number): Set<string> =>
      new Set(
        buildDistrict({ ...site, count: 400, pvShare })
          .filter(s => s.pvPeakW != null)
          .map(s => s.id)
      )
    expect(withPv(0).size).toBe(0)
    expect(withPv(1).size).toBe(400)
    const quarter = withPv(0.25)
    const most = withPv(0.8)
    // 400 draws: a binomial's standard deviation is under 9 buildings
    expect(quarter.size).toBeGreaterThan(70)
    expect(quarter.size).toBeLessThan(130)
    expect(most.size).toBeGreaterThan(290)
    expect(most.size).toBeLessThan(350)
    for (const id of quarter) expect(most.has(id)).toBe(true)
    // absent: each kind's own share, unchanged
    const own = buildDistrict({ ...site, count: 24 })
    expect(buildDistrict({ ...site, count: 24, pvShare: undefined })).toEqual(own)
    expect(() => buildDistrict({ ...site, count: 4, pvShare: 1.5 })).toThrow(/district.pvShare/)
  })

  it('gives a summer weekday in Trondheim a midday surplus, an evening deficit and a market in most slots', () => {
    const buildings = createBuildings(buildDistrict({ ...site, count: 24 }), site)
    const slots = daySlots('2025-06-18')
    let surplusNoon = 0
    let deficitNoon = 0
    let surplusEvening = 0
    let deficitEvening = 0
    let market = 0
    for (const [i, s] of slots.entries()) {
      let sellers = 0
      let buyers = 0
      let surplus = 0
      let deficit = 0
      for (const b of buildings) {
        b.netForecast(s)
        const net = b.netMeasured(s)
        expect(Number.isInteger(net)).toBe(true)
        if (net > 100) sellers++
        if (net < -100) buyers++
        if (net > 0) surplus += net
        else deficit -= net
      }
      if (sellers > 0 && buyers > 0) market++
      const hour = i / 4
      if (hour >= 11 && hour < 15) {
        surplusNoon += surplus
        deficitNoon += deficit
      }
      if (hour >= 20 && hour < 24) {
        surplusEvening += surplus
        deficitEvening += deficit
      }
    }
    expect(surplusNoon).toBeGreaterThan(2 * deficitNoon)
    expect(deficitEvening).toBeGreaterThan(5 * surplusEvening)
    expect(market).toBeGreaterThan(48)
  })
})
