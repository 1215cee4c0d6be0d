import { describe, expect, it } from 'vitest'
import { defaultScenario, placeBuildings, tripDemand, validateScenario } from '../src/index.ts'

describe('the mobility section of a scenario', () => {
  it('is in the embedded default, survives validating twice, and turns off with false', () => {
    expect(defaultScenario.mobility).not.toBe(false)
    expect(validateScenario(validateScenario({}))).toEqual(defaultScenario)
    expect(validateScenario({ mobility: false }).mobility).toBe(false)
    expect(validateScenario(validateScenario({ mobility: false })).mobility).toBe(false)
    const s = validateScenario({ mobility: { vehicles: { bikes: 3 }, travellers: { tripsPerDay: 12, modes: ['BUS', 'BICYCLE'] } } })
    expect(s.mobility !== false && s.mobility.vehicles.bikes.count).toBe(3)
    expect(validateScenario(s)).toEqual(s)
  })

  it.each([
    [{ mobility: 'lots' }, 'mobility'],
    [{ mobility: { trains: 3 } }, 'mobility.trains'],
    [{ mobility: { vehicles: { bikes: -1 } } }, 'mobility.vehicles.bikes'],
    [{ mobility: { vehicles: { scooters: { count: 2.5 } } } }, 'mobility.vehicles.scooters.count'],
    [{ mobility: { vehicles: { cars: { battery: { capacityWh: 40000, socWh: 50000 } } } } }, 'mobility.vehicles.cars.battery.socWh'],
    [{ mobility: { vehicles: { cars: { energy: { targetSocPercent: 120 } } } } }, 'mobility.vehicles.cars.energy.targetSocPercent'],
    [{ mobility: { vehicles: { cars: { energy: { chargerW: 'fast' } } } } }, 'mobility.vehicles.cars.energy.chargerW'],
    [
      {
        mobility: {
          vehicles: {
            bikes: { pricing: { plan_id: 'p', currency: 'IOTA', price: 1, per_min_pricing: [{ start: 0, rate: -5, interval: 1 }] } }
          }
        }
      },
      'mobility.vehicles.bikes.pricing.per_min_pricing[0].rate'
    ],
    [
      { mobility: { vehicles: { bikes: { pricing: { plan_id: 'p', currency: 'NOK', price: 1 } } } } },
      'mobility.vehicles.bikes.pricing.currency'
    ],
    [{ mobility: { transit: { stops: 2 } } }, 'mobility.transit.stops'],
    [{ mobility: { transit: { fare: 0.5 } } }, 'mobility.transit.fare'],
    [{ mobility: { gtfs: 'feeds/trondheim', transit: { lines: 4 } } }, 'mobility.transit.lines'],
    [{ mobility: { gtfs: 42 } }, 'mobility.gtfs'],
    [{ mobility: { travellers: { tripsPerDay: 10, tripsPerBuilding: 2 } } }, 'mobility.travellers.tripsPerDay'],
    [{ mobility: { travellers: { modes: ['BUS', 'HOVERCRAFT'] } } }, 'mobility.travellers.modes[1]'],
    [{ mobility: { travellers: { hours: [21, 6] } } }, 'mobility.travellers.hours'],
    [{ mobility: { travellers: { weights: { nanosPerSecond: -1 } } } }, 'mobility.travellers.weights.nanosPerSecond'],
    [{ mobility: { offerEveryMinutes: 0 } }, 'mobility.offerEveryMinutes']
  ])('refuses %j naming the field %s', (doc, field) => {
    expect(() => validateScenario(doc)).toThrow(expect.objectContaining({ name: 'ConfigError', field }))
  })
})

describe('trip demand', () => {
  const centre = { lat: 63.43, lon: 10.39 }
  const map = { centre, sideM: 3000, buildings: placeBuildings(24, centre, 3000, 1), stops: placeBuildings(100, centre, 3000, 2) }
  const midnight = Date.UTC(2026, 5, 16, 22)
  const demand = (seed: number) =>
    tripDemand({
      count: 2000,
      seed,
      localMidnightMs: midnight,
      hours: [6, 21],
      fromMs: midnight,
      untilMs: midnight + 86_400_000,
      map,
      stopShare: 0.5
    })

  it('is seeded, inside the travel hours, with a morning and an evening peak', () => {
    const a = demand(3)
    expect(demand(3)).toEqual(a)
    expect(demand(4)).not.toEqual(a)
    const hour = (t: number): number => (t - midnight) / 3_600_000
    expect(a.every(d => hour(d.at) >= 6 && hour(d.at) < 21)).toBe(true)
    const within = (from: number, to: number): number => a.filter(d => hour(d.at) >= from && hour(d.at) < to).length
    expect(within(7, 9)).toBeGreaterThan(2 * within(11, 13))
    expect(within(15.5, 17.5)).toBeGreaterThan(2 * within(11, 13))
    expect(a.every(d => d.to !== d.from)).toBe(true)
  })

  it('keeps only the trips inside the simulated window, the same trips whatever the window', () => {
    const all = demand(5)
    const morning = tripDemand({
      count: 2000,
      seed: 5,
      localMidnightMs: midnight,
      hours: [6, 21],
      fromMs: midnight + 7 * 3_600_000,
      untilMs: midnight + 9 * 3_600_000,
      map,
      stopShare: 0.5
    })
    expect(morning).toEqual(all.filter(d => d.at >= midnight + 7 * 3_600_000 && d.at < midnight + 9 * 3_600_000))
  })

  it('draws the trips of every day of a run of several days, each day its own, the first as in a run of one day', () => {
    const day = 86_400_000
    const over = (fromDay: number, untilDay: number) =>
      tripDemand({
        count: 300,
        seed: 7,
        localMidnightMs: midnight,
        hours: [6, 21],
        fromMs: midnight + fromDay * day,
        untilMs: midnight + untilDay * day,
        map,
        stopShare: 0.5
      })
    const week = over(0, 3)
    const one = over(0, 1)
    const onDay = (d: number) => week.filter(t => t.at >= midnight + d * day && t.at < midnight + (d + 1) * day)
    expect(onDay(0)).toEqual(one)
    for (const d of [1, 2]) {
      const trips = onDay(d)
      expect(trips).toHaveLength(300)
      const hours = trips.map(t => (t.at - midnight - d * day) / 3_600_000)
      expect(hours.every(h => h >= 6 && h < 21)).toBe(true)
      // not the first day's trips again a day later
      const again = trips.filter((t, i) => t.building === one[i]?.building && t.at - d * day === one[i]?.at)
      expect(again.length).toBeLessThan(10)
    }
    expect(new Set(week.map(t => t.id)).size).toBe(900)
    // a run that starts on its second day draws that day's trips as the longer run does
    expect(over(1, 2)).toEqual(onDay(1))
  })
})
