import { describe, expect, it } from 'vitest'
import type { StreamHandlerRecord } from '@libp2p/interface'
import { BOOKING_PROTOCOL, decodeLegTerms, fromHex } from '@kvartal/protocol'
import type { KvartalNode } from '@kvartal/node'
import { epochMs, slots } from './helpers/nodes.ts'
import { busJourney, waitUntil, startMobilityDistrict, transit, tripAfter, smallTimetable } from './helpers/mobility.ts'
import { dayS, providerLegs } from './helpers/mobility-booking.ts'

// A traveller's resume (every tick) over real libp2p hosts, level journals and a shared local ledger: it lists
// the unfinished packages, then drives them one at a time. A package listed while it was being booked may be
// booked and paid by then; resume must judge it as it is, not as it was listed (186d35e, found by the soak).

/**
 * The operator's booking endpoint, with the test deciding what becomes of each stream opened on it: passed on
 * to the operator's own handler at once, dropped unanswered (reset), or held until the test lets it through.
 * The handler is the operator's real one, taken from its libp2p registrar and registered again behind this
 * gate (as mobility-booking-faults.test.ts takes it down and back); only the moment it sees a stream is the
 * test's. No production code is changed or stubbed: a held stream is a provider that answers late.
 */
async function gateBookings(operator: KvartalNode) {
  const registrar = (operator.host as unknown as { components: { registrar: { getHandler: (p: string) => StreamHandlerRecord } } })
    .components.registrar
  const own = registrar.getHandler(BOOKING_PROTOCOL)
  const gate = { mode: 'pass' as 'pass' | 'drop' | 'hold' }
  // held streams not yet asked for, and the test's requests for the next one, in arrival order
  const arrived: Array<() => void> = []
  const wanted: Array<(release: () => void) => void> = []
  await operator.host.unhandle(BOOKING_PROTOCOL)
  await operator.host.handle(
    BOOKING_PROTOCOL,
    async (stream, connection) => {
      if (gate.mode === 'drop') return stream.abort(new Error('dropped by the test'))
      if (gate.mode === 'hold')
        await new Promise<void>(release => {
          const w = wanted.shift()
          if (w != null) w(release)
          else arrived.push(release)
        })
      await own.handler(stream, connection)
    },
    own.options
  )
  return {
    gate,
    /** the release of the next held stream, once it has arrived */
    async nextHeld(): Promise<() => void> {
      return await within(
        new Promise(resolve => {
          const r = arrived.shift()
          if (r != null) resolve(r)
          else wanted.push(resolve)
        }),
        'a booking stream to hold'
      )
    }
  }
}

/** `p`, or an error naming what never came (a deadline for every wait on the mesh) */
async function within<T>(p: Promise<T>, what: string, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no ${what} in ${ms} ms`)), ms)
      })
    ])
  } finally {
    clearTimeout(timer)
  }
}

describe("a traveller's resume over real libp2p hosts, level journals and a shared local ledger", () => {
  it(
    'a package listed while it was holding, then booked and paid while resume waited on a late provider, ' +
      'stays CONFIRMED: resume reads it again and does not unwind it as restarted-while-holding',
    async () => {
      const tt = smallTimetable()
      const trip = tripAfter(tt, dayS(epochMs - 60 * 60_000) + 45 * 60)
      const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
      const b = tt.stops[tt.stopIndex.get(trip.stops[2])!]
      const d = await startMobilityDistrict([transit(tt, 40), 'traveller'], { timetable: tt })
      try {
        await d.runUntil(d.clock.now() + slots.slotMs / 4)
        const [operator, traveller] = d.nodes
        const desk = traveller.mobility!.traveller
        await waitUntil(() => traveller.mobility!.services.size >= 1)
        const fare = tt.patterns.find(p => p.route.route_id === trip.routeId)!.route.fare
        const plan = await traveller.mobility!.plan({
          from: { lat: a.stop_lat, lon: a.stop_lon },
          to: { lat: b.stop_lat, lon: b.stop_lon },
          departAfter: d.clock.now()
        })
        const journey = busJourney(tt, trip, fare)
        const bookings = await gateBookings(operator)
        const start = await Promise.all(d.nodes.map(async n => await d.ledger.balance(n.identity.iotaAddress)))

        // package A: held and paid, its commit dropped: PENDING in phase `committing`, which resume drives again
        const paid = d.onEvent(e => {
          if (e.type === 'package-paid' && e.node === traveller.id) bookings.gate.mode = 'drop'
        })
        const first = await traveller.mobility!.book(plan, journey)
        paid()
        expect([first.status, first.legs[0].status]).toEqual(['PENDING', 'PENDING'])
        expect((await desk.packages()).map(([, r]) => r.phase)).toEqual(['committing'])

        // package B: booked through the normal path, its hold request held at the operator. B is journaled
        // `holding` (and owned by its booking) before that request is sent, so resume lists it unfinished
        bookings.gate.mode = 'hold'
        const booking = traveller.mobility!.book(plan, journey)
        const releaseHoldB = await bookings.nextHeld()
        const listed = (await desk.packages()).find(([k]) => k !== first.package)!
        expect(listed[1].phase).toBe('holding')

        // resume lists A and B, owns A (B is its booking's) and sends A's commit: held, a provider answering late
        let resumed = false
        const resuming = desk.resume().finally(() => {
          resumed = true
        })
        const releaseCommitA = await bookings.nextHeld()

        // meanwhile B is held, paid and committed: done, and no longer owned by its booking (A's commit waits for
        // its answer up to the traveller's frame timeout, 5 s: B's booking takes milliseconds of that)
        bookings.gate.mode = 'pass'
        releaseHoldB()
        const second = await booking
        expect(second.package).toBe(listed[0])
        expect([second.status, second.legs[0].status]).toEqual(['CONFIRMED', 'CONFIRMED'])
        expect(resumed).toBe(false)

        // A's answer comes: resume confirms A, then reaches B, listed `holding` and now done
        releaseCommitA()
        await within(resuming, 'end of resume')
        const records = new Map(await desk.packages())
        const pkgA = records.get(first.package)!
        const pkgB = records.get(second.package)!
        expect([pkgA.status, pkgA.phase]).toEqual(['CONFIRMED', 'done'])
        // with the listed record, B was written `releasing` (restarted-while-holding), its leg released: RELEASED
        expect([pkgB.status, pkgB.phase, pkgB.reason]).toEqual(['CONFIRMED', 'done', undefined])
        expect(pkgB.legs.map(l => l.status)).toEqual(['CONFIRMED'])
        expect(d.events.filter(e => e.node === traveller.id && e.correlation === second.package && e.type === 'package-released')).toEqual(
          []
        )
        // the operator sold two seats and was paid two fares, and the traveller holds two confirmed packages
        expect((await providerLegs(operator)).map(r => r.status)).toEqual(['CONFIRMED', 'CONFIRMED'])
        const terms = decodeLegTerms(fromHex(pkgB.legs[0].terms))
        const now = d.clock.now()
        expect(operator.mobility!.provider!.inventory.available(terms.resource, terms.from, terms.to, now)).toBe(38)
        const end = await Promise.all(d.nodes.map(async n => await d.ledger.balance(n.identity.iotaAddress)))
        expect([end[0] - start[0], start[1] - end[1]]).toEqual([2 * fare, 2 * fare])
      } finally {
        await d.close()
      }
    }
  )
})
