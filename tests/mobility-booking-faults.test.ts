import { describe, expect, it } from 'vitest'
import { BOOKING_PROTOCOL } from '@kvartal/protocol'
import { identityFromSeed } from '@kvartal/mesh'
import { FailingDisk } from '@kvartal/node/testing'
import { epochMs, seedOf, slots } from './helpers/nodes.ts'
import { busJourney, waitUntil, startMobilityDistrict, transit, tripAfter, smallTimetable } from './helpers/mobility.ts'
import { dayS, providerLegs } from './helpers/mobility-booking.ts'

// Booking over real libp2p hosts, level journals and a shared local ledger when the operator fails or is not
// who it says: it takes the hold and never answers, settles on a ledger the traveller did not pay on, cannot
// be reached from the payment until after the departure, or is one of two nodes claiming the same agency.
// The package of three legs that books, releases and cancels: mobility-booking.test.ts.

describe('mobility booking over real libp2p hosts, level journals and a shared local ledger', () => {
  it(
    'an operator that takes the hold and never answers: the leg is released ' +
      "with the code 'timeout', a string, not the platform's number 23",
    async () => {
      const tt = smallTimetable()
      const trip = tripAfter(tt, dayS(epochMs - 60 * 60_000) + 45 * 60)
      const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
      const b = tt.stops[tt.stopIndex.get(trip.stops[2])!]
      const d = await startMobilityDistrict([transit(tt, 40), 'traveller'], { timetable: tt })
      try {
        await d.runUntil(d.clock.now() + slots.slotMs / 4)
        const traveller = d.nodes[1]
        await waitUntil(() => traveller.mobility!.services.size >= 1)
        // the operator's booking protocol now opens streams and says nothing on them (a hung process, a dead link)
        await d.nodes[0].host.unhandle(BOOKING_PROTOCOL)
        await d.nodes[0].host.handle(BOOKING_PROTOCOL, () => {})
        const fare = tt.patterns.find(p => p.route.route_id === trip.routeId)!.route.fare
        const plan = await traveller.mobility!.plan({
          from: { lat: a.stop_lat, lon: a.stop_lon },
          to: { lat: b.stop_lat, lon: b.stop_lon },
          departAfter: d.clock.now()
        })
        const out = await traveller.mobility!.book(plan, busJourney(tt, trip, fare))
        expect([out.status, out.legs[0].code]).toEqual(['RELEASED', 'timeout'])
        const [, pkg] = (await traveller.mobility!.traveller.packages())[0]
        expect([pkg.reason, pkg.legs[0].code]).toEqual(['timeout', 'timeout'])
        expect(d.events.filter(e => e.type === 'package-released' && e.node === traveller.id).map(e => e.code)).toEqual(['timeout'])
      } finally {
        await d.close()
      }
    }
  )

  it(
    "an operator whose journal cannot be written refuses the hold with the journal's code, gives the seat back, " +
      'and books again once it writes',
    async () => {
      const tt = smallTimetable()
      const trip = tripAfter(tt, dayS(epochMs - 60 * 60_000) + 45 * 60)
      const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
      const b = tt.stops[tt.stopIndex.get(trip.stops[2])!]
      // A TEST DOUBLE OF A FAILING DISK under the operator's real LevelDB (no kernel here fails a disk on demand)
      const disk = new FailingDisk()
      const d = await startMobilityDistrict([transit(tt, 40), 'traveller'], {
        timetable: tt,
        journals: [{ sync: false, diskProbeMs: 20, database: disk.database }]
      })
      try {
        await d.runUntil(d.clock.now() + slots.slotMs / 4)
        const [operator, traveller] = d.nodes
        await waitUntil(() => traveller.mobility!.services.size >= 1)
        const fare = tt.patterns.find(p => p.route.route_id === trip.routeId)!.route.fare
        const book = async () => {
          const plan = await traveller.mobility!.plan({
            from: { lat: a.stop_lat, lon: a.stop_lon },
            to: { lat: b.stop_lat, lon: b.stop_lon },
            departAfter: d.clock.now()
          })
          return await traveller.mobility!.book(plan, busJourney(tt, trip, fare))
        }
        disk.fail()
        // the hold's own write fails: refused with the journal's code, not a dropped stream
        const first = await book()
        expect([first.status, first.legs[0].code]).toEqual(['RELEASED', 'journal-write-failed'])
        expect(operator.journal.refusing?.code).toBe('journal-write-failed')
        // while the journal refuses, a hold is refused before anything is held: nothing reaches the disk
        const reached = disk.writes
        const second = await book()
        expect([second.status, second.legs[0].code]).toEqual(['RELEASED', 'journal-write-failed'])
        expect(disk.writes - reached).toBeLessThanOrEqual(1) // a probe's test write at most
        const refused = d.events.filter(e => e.type === 'booking-refused' && e.node === operator.id)
        expect(refused.map(e => e.code)).toEqual(['journal-write-failed', 'journal-write-failed'])
        // the disk works again: the operator's journal reopens, and the same seat is booked (none was kept by the failures)
        disk.heal()
        await waitUntil(() => operator.journal.refusing == null)
        const third = await book()
        expect(third.status).toBe('CONFIRMED')
        expect(await providerLegs(operator)).toHaveLength(1)
      } finally {
        await d.close()
      }
    }
  )

  it('keeps committing a paid package while a provider cannot see the payment, then reports it for settling by hand', async () => {
    const tt = smallTimetable()
    const trip = tripAfter(tt, dayS(epochMs - 60 * 60_000) + 45 * 60)
    const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
    const b = tt.stops[tt.stopIndex.get(trip.stops[2])!]
    // the operator settles on a ledger of its own: the traveller's payment is not on it
    const d = await startMobilityDistrict([transit(tt, 40), 'traveller'], { timetable: tt, ownLedger: [0] })
    try {
      await d.runUntil(d.clock.now() + slots.slotMs / 4)
      const traveller = d.nodes[1]
      await waitUntil(() => traveller.mobility!.services.size >= 1)
      const fare = tt.patterns.find(p => p.route.route_id === trip.routeId)!.route.fare
      const plan = await traveller.mobility!.plan({
        from: { lat: a.stop_lat, lon: a.stop_lon },
        to: { lat: b.stop_lat, lon: b.stop_lon },
        departAfter: d.clock.now()
      })
      const journey = busJourney(tt, trip, fare)
      const out = await traveller.mobility!.book(plan, journey)
      expect([out.status, out.legs[0].code]).toEqual(['PENDING', 'payment-not-found'])
      // every tick retries the commit; the operator never confirms a leg it cannot see paid
      await d.runUntil(d.clock.now() + slots.slotMs)
      expect((await providerLegs(d.nodes[0])).map(r => r.status)).not.toContain('CONFIRMED')
      expect((await traveller.mobility!.traveller.packages())[0][1].phase).toBe('committing')
      // once the leg has left, nothing automatic can settle it: it is said, not hidden
      await d.runUntil(plan.dayStartMs + trip.dep[0] * 1000 + slots.slotMs / 2)
      const [, pkg] = (await traveller.mobility!.traveller.packages())[0]
      expect(pkg.phase).toBe('done')
      expect(pkg.reason).toMatch(/^settle-by-hand: leg-0 payment-not-found/)
      expect(d.events.some(e => e.type === 'negotiation-failed' && e.code === 'settle-by-hand' && e.node === traveller.id)).toBe(true)
    } finally {
      await d.close()
    }
  })

  it(
    'a paid leg whose operator cannot be reached until after it left: the ' +
      'traveller keeps asking, and the operator refunds it in full when back',
    async () => {
      const tt = smallTimetable()
      const trip = tripAfter(tt, dayS(epochMs - 60 * 60_000) + 45 * 60)
      const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
      const b = tt.stops[tt.stopIndex.get(trip.stops[2])!]
      const d = await startMobilityDistrict([transit(tt, 40), 'traveller'])
      try {
        await d.runUntil(d.clock.now() + slots.slotMs / 4)
        const [operator, traveller] = d.nodes
        await waitUntil(() => traveller.mobility!.services.size >= 1)
        const fare = tt.patterns.find(p => p.route.route_id === trip.routeId)!.route.fare
        const plan = await traveller.mobility!.plan({
          from: { lat: a.stop_lat, lon: a.stop_lon },
          to: { lat: b.stop_lat, lon: b.stop_lon },
          departAfter: d.clock.now()
        })
        const journey = busJourney(tt, trip, fare)
        // the operator's booking endpoint goes away the moment the traveller has paid, before its commit
        const registrar = (
          operator.host as unknown as { components: { registrar: { getHandler: (p: string) => { handler: any; options: any } } } }
        ).components.registrar
        const booking = registrar.getHandler(BOOKING_PROTOCOL)
        const stopListening = d.onEvent(e => {
          if (e.type === 'package-paid' && e.node === traveller.id) void operator.host.unhandle(BOOKING_PROTOCOL)
        })
        const before = await d.ledger.balance(traveller.identity.iotaAddress)
        const out = await traveller.mobility!.book(plan, journey)
        stopListening()
        expect(out.status).toBe('PENDING')
        expect(await d.ledger.balance(traveller.identity.iotaAddress)).toBe(before - fare)
        // past the departure: still paid, still asking, said once
        await d.runUntil(plan.dayStartMs + trip.dep[0] * 1000 + slots.slotMs / 2)
        const [pkgHex, overdue] = (await traveller.mobility!.traveller.packages())[0]
        expect([overdue.phase, overdue.status]).toEqual(['committing', 'PENDING'])
        expect(overdue.reason).toMatch(/^overdue: leg-0/)
        expect(d.events.filter(e => e.type === 'package-overdue' && e.correlation === pkgHex)).toHaveLength(1)
        expect(d.events.some(e => e.type === 'negotiation-failed' && e.code === 'settle-by-hand')).toBe(false)
        // the operator is back: the leg left while its hold had lapsed, so it refunds in full and never resells it
        await operator.host.handle(BOOKING_PROTOCOL, booking.handler, booking.options)
        await d.runUntil(d.clock.now() + slots.slotMs / 2)
        const legs = await providerLegs(operator)
        expect(legs.map(r => [r.status, r.reason, r.refund])).toEqual([['CANCELLED', 'expired-before-commit', fare]])
        const [, done] = (await traveller.mobility!.traveller.packages())[0]
        expect(done.phase).toBe('done')
        expect(done.legs.map(l => [l.status, l.refund])).toEqual([['EXPIRED', fare]])
        expect(await d.ledger.balance(traveller.identity.iotaAddress)).toBe(before)
      } finally {
        await d.close()
      }
    }
  )

  it('never pays a node that merely claims an agency: two claimants and no trust list refuse, the named operator books', async () => {
    const tt = smallTimetable()
    const trip = tripAfter(tt, dayS(epochMs - 60 * 60_000) + 45 * 60)
    const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
    const b = tt.stops[tt.stopIndex.get(trip.stops[2])!]
    const fare = tt.patterns.find(p => p.route.route_id === trip.routeId)!.route.fare
    const journey = busJourney(tt, trip, fare)
    const book = async (operators?: Record<string, string>) => {
      // node 1 is the real operator, node 2 an impostor gossiping offers for the same agency
      const d = await startMobilityDistrict([transit(tt, 40), transit(tt, 40), 'traveller'], {
        timetable: tt,
        ...(operators != null ? { operators } : {})
      })
      try {
        await d.runUntil(d.clock.now() + slots.slotMs / 4)
        const traveller = d.nodes[2]
        await waitUntil(() => traveller.mobility!.services.claimants('district-transit', d.clock.now()).length === 2)
        const plan = await traveller.mobility!.plan({
          from: { lat: a.stop_lat, lon: a.stop_lon },
          to: { lat: b.stop_lat, lon: b.stop_lon },
          departAfter: d.clock.now()
        })
        const out = await traveller
          .mobility!.book(plan, journey)
          .catch((e: { name: string; code: string }) => ({ error: e.name, code: e.code }))
        return {
          out,
          sold: await Promise.all(d.nodes.slice(0, 2).map(async n => (await providerLegs(n)).filter(r => r.status === 'CONFIRMED').length))
        }
      } finally {
        await d.close()
      }
    }
    const ambiguous = await book()
    expect(ambiguous.out).toEqual({ error: 'BookingError', code: 'ambiguous-operator' })
    expect(ambiguous.sold).toEqual([0, 0])
    const trusted = await book({ 'district-transit': (await identityFromSeed(seedOf(1))).id })
    expect((trusted.out as { status: string }).status).toBe('CONFIRMED')
    expect(trusted.sold).toEqual([1, 0])
  })
})
