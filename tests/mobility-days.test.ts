/**
 * An operator that runs for days: a trip's seats of one service day are its seats of that day only. Real nodes
 * (libp2p memory transport, level journals, one local ledger) on one simulated clock that runs into the next day.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildTimetable, loadGtfs } from '@kvartal/mobility'
import type { ProviderService } from '@kvartal/node'
import { writeGtfsLine } from './helpers/gtfs-line.ts'
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

  it("after midnight, plans and books the previous service day's trips whose times pass 24:00, not the next evening's", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-late-line-'))
    // the clock starts at 09:00 UTC: buses every 5 min from 23:50 to 24:30 (00:30 the next morning), 1 min a stop
    const line = await writeGtfsLine(join(dir, 'gtfs'), {
      now: epochMs - 3_600_000,
      agencyId: 'late-bus',
      center: { lat: 63.43, lon: 10.39 },
      stops: 4,
      spacingM: 400,
      firstInS: 14 * 3_600 + 50 * 60,
      headwayS: 300,
      trips: 9,
      hopS: 60
    })
    const tt = buildTimetable(await loadGtfs(join(dir, 'gtfs')))
    const d = await startMobilityDistrict(
      [{ ...(transit(tt, 4) as Extract<ProviderService, { kind: 'transit' }>), agencyId: 'late-bus' }, 'traveller'],
      { timetable: tt }
    )
    try {
      const traveller = d.nodes[1]
      await d.runUntil(d.clock.now() + slots.slotMs / 4)
      await waitUntil(() => traveller.mobility!.services.size >= 1)
      // 00:06 UTC the next calendar day
      const midnight = Math.floor(epochMs / 86_400_000) * 86_400_000 + 86_400_000
      await d.runUntil(midnight + 6 * 60_000)
      const now = d.clock.now()
      const plan = await traveller.mobility!.plan({
        from: { lat: line.stops[0].lat, lon: line.stops[0].lon },
        to: { lat: line.stops[2].lat, lon: line.stops[2].lon },
        departAfter: now,
        modes: ['BUS'],
        maxWalkingM: 0
      })
      const fastest = plan.ranked.find(r => r.label === 'fastest')!.journey
      const leaves = plan.dayStartMs + fastest.departureTime * 1000
      // the 24:10 bus of the service day that began yesterday, not 23:50 tonight
      expect(leaves - now).toBeGreaterThan(0)
      expect(leaves - now).toBeLessThan(10 * 60_000)
      expect((await traveller.mobility!.book(plan, fastest)).status).toBe('CONFIRMED')
      // once that bus has left, the operator refuses a seat on it (it knows which day's bus it is)
      await d.runUntil(leaves + 5 * 60_000)
      const again = await traveller.mobility!.plan({ ...plan.request, departAfter: d.clock.now() })
      expect(again.dayStartMs).toBe(plan.dayStartMs)
      const late = await traveller.mobility!.book(again, fastest)
      expect([late.status, late.legs[0].code]).toEqual(['RELEASED', 'departed'])
    } finally {
      await d.close()
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
