import { describe, expect, it } from 'vitest'
import { runScenario, validateScenario } from '../src/index.ts'

/**
 * Mobility gossip by zone in the simulator (`mobility.gossipByZone`, on by default): vehicles gossip their offers
 * on their zone's topic and each building reads the nine zones around it, where its journeys start. The planner
 * only looks for vehicles there, so the same district books the same journeys, while every node hears fewer
 * mobility messages: what it hears no longer grows with the district's fleet.
 */
const scenario = (gossipByZone: boolean) =>
  validateScenario({
    district: 'zones',
    slots: { first: 28, count: 8 },
    seed: 5,
    buildings: { generate: { count: 24 } },
    mobility: {
      vehicles: { bikes: 6, scooters: 3, cars: 2 },
      travellers: { tripsPerDay: 150 },
      offerEveryMinutes: 30,
      gossipByZone
    }
  })

describe('mobility gossip by zone', () => {
  it('books the same journeys as one district topic, and every node hears fewer mobility messages', async () => {
    const zoned = await runScenario(scenario(true))
    const flat = await runScenario(scenario(false))
    const journeys = (r: typeof zoned) => {
      const { journeys: j } = r.mobility!
      return { requested: j.requested, booked: j.booked, bookedByMode: j.bookedByMode }
    }
    expect(zoned.mobility!.journeys.booked).toBeGreaterThan(5)
    expect(journeys(zoned)).toEqual(journeys(flat))
    const heard = (r: typeof zoned) => r.metrics.gossipPerNodePerSlot.byTopic.mobility
    expect(heard(zoned)).toBeGreaterThan(0)
    expect(heard(zoned)).toBeLessThan(heard(flat) * 0.6)
  })
})
