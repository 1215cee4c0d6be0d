/**
 * An operator that runs for days: a trip's seats of one service day are its seats of that day only. Real nodes
 * (libp2p memory transport, level journals, one local ledger) on one simulated clock that runs into the next day.
 */
import { describe, expect, it } from 'vitest'
import { epochMs, slots } from './helpers/nodes.ts'
import { dayS } from './helpers/mobility-booking.ts'
import { busJourney, smallTimetable, startMobilityDistrict, transit, tripAfter, waitUntil } from './helpers/mobility.ts'

describe('an operator across service days', () => {
  it("sells a trip's last seat again the next day, once that day's departure is the one booked", async () => {
    const tt = smallTimetable()
    const trip = tripAfter(tt, dayS(epochMs - 60 * 60_000) + 45 * 60)
    const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
    const b = tt.stops[tt.stopIndex.get(trip.stops[2])!]
    const fare = tt.patterns.find(p => p.route.route_id === trip.routeId)!.route.fare
    // one seat per trip: the first day's traveller takes it
    const d = await startMobilityDistrict([transit(tt, 1), 'traveller'], { timetable: tt })
    try {
      const traveller = d.nodes[1]
      const book = async (): Promise<string> => {
        const plan = await traveller.mobility!.plan({
          from: { lat: a.stop_lat, lon: a.stop_lon },
          to: { lat: b.stop_lat, lon: b.stop_lon },
          departAfter: d.clock.now()
        })
        return (await traveller.mobility!.book(plan, busJourney(tt, trip, fare))).status
      }
      await d.runUntil(d.clock.now() + slots.slotMs / 4)
      await waitUntil(() => traveller.mobility!.services.size >= 1)
      expect(await book()).toBe('CONFIRMED')
      // a second seat on the same departure: there is none
      expect(await book()).not.toBe('CONFIRMED')
      // the next day, an hour before the trip leaves again (the first day's trip has long arrived)
      await d.runUntil(d.clock.now() + 23 * 3_600_000)
      expect(await book()).toBe('CONFIRMED')
    } finally {
      await d.close()
    }
  }, 120_000)
})
