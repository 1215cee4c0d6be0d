/**
 * Mobility by zone between real nodes (libp2p memory transport, gossipsub, level journals, one local ledger): a
 * vehicle gossips its offer on its zone's topic, which it does not read, and gossipsub carries it to the peers that
 * do; a traveller whose home is near the vehicle hears it and books it, one far away does not hear it; both hear
 * the transit operator on the district's topic.
 */
import { describe, expect, it } from 'vitest'
import { offsetMetres } from '@kvartal/mobility'
import { quoteIdOf, smallTimetable, startMobilityDistrict, transit, vehicle, waitUntil } from './helpers/mobility.ts'
import { slots } from './helpers/nodes.ts'

const origin = { lat: 63.43, lon: 10.39 }
const farAway = offsetMetres(origin, 20_000, 20_000)

describe('mobility by zone over gossipsub', () => {
  it('a traveller near a vehicle hears it and books it; one far away hears only the transit operator', async () => {
    const timetable = smallTimetable()
    const d = await startMobilityDistrict(
      [vehicle('BICYCLE', offsetMetres(origin, 100, 0)), transit(timetable, 40), 'traveller', 'traveller'],
      {
        timetable,
        zones: [{}, {}, { home: origin }, { home: farAway }]
      }
    )
    try {
      const [bike, , near, far] = d.nodes
      await d.runUntil(d.clock.now() + slots.slotMs / 4)
      await waitUntil(() => near.mobility!.services.size >= 2 && far.mobility!.services.size >= 1)
      const now = d.clock.now()
      expect(near.mobility!.services.vehicles(now).map(v => v.offer.mode)).toEqual(['BICYCLE'])
      expect(far.mobility!.services.vehicles(now)).toEqual([])
      expect(far.mobility!.services.operator('district-transit', now)).toBeDefined()
      const plan = await near.mobility!.plan({ from: origin, to: offsetMetres(origin, 2_000, 1_000), departAfter: now, modes: ['BICYCLE'] })
      expect(plan.quotes.get(quoteIdOf(plan, bike))).toBeDefined()
    } finally {
      await d.close()
    }
  })
})
