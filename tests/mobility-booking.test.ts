import { describe, expect, it } from 'vitest'
import { offsetMetres } from '@kvartal/mobility'
import { BOOKING_PROTOCOL, decodeLegTerms, fromHex, legIdOf, mobilityLimits, open, seal, type LegState } from '@kvartal/protocol'
import { openChannel as openStream, peerIdOfTrader } from '@kvartal/mesh'
import { epochMs, slots } from './helpers/nodes.ts'
import {
  quoteIdOf,
  waitUntil,
  busJourney,
  startMobilityDistrict,
  threeLegJourney,
  transit,
  tripAfter,
  vehicle,
  smallTimetable
} from './helpers/mobility.ts'
import { dayS, providerLegs } from './helpers/mobility-booking.ts'

// Booking over real libp2p hosts, level journals and a shared local ledger: a package of three legs from
// three providers, booked, released, committed twice, left to expire and cancelled; twenty travellers racing
// for three seats; planning by arrive-by, avoided modes and accessibility. Operators that hang, cannot see the
// payment, go away after it or merely claim an agency: mobility-booking-faults.test.ts.

/** The three-leg district: a transit operator, a bike and a scooter near the traveller, and the traveller. */
async function threeProviders(opts: { seats?: number } = {}) {
  const tt = smallTimetable()
  const trip = tripAfter(tt, dayS(epochMs - 60 * 60_000) + 45 * 60)
  const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
  const near = offsetMetres({ lat: a.stop_lat, lon: a.stop_lon }, -500, 0)
  const d = await startMobilityDistrict(
    [transit(tt, opts.seats ?? 40), vehicle('BICYCLE', near), vehicle('SCOOTER', offsetMetres(near, 0, 150)), 'traveller'],
    { timetable: tt }
  )
  try {
    // one tick: every provider gossips its service offer
    await d.runUntil(d.clock.now() + slots.slotMs / 4)
    const traveller = d.nodes[3]
    await waitUntil(() => traveller.mobility!.services.size >= 3)
    const plan = await traveller.mobility!.plan({ from: near, to: { lat: a.stop_lat, lon: a.stop_lon }, departAfter: d.clock.now() })
    return {
      d,
      tt,
      trip,
      traveller,
      plan,
      journey: threeLegJourney(plan, tt, trip, quoteIdOf(plan, d.nodes[1]), quoteIdOf(plan, d.nodes[2]))
    }
  } catch (err) {
    await d.close()
    throw err
  }
}

describe('mobility booking over real libp2p hosts, level journals and a shared local ledger', () => {
  it('books a bike, a bus and a scooter from three providers all at once, paying all three in one ledger transaction', async () => {
    const { d, traveller, plan, journey } = await threeProviders()
    try {
      const txBefore = d.ledger.transactions
      const before = await Promise.all(d.nodes.map(async n => await d.ledger.balance(n.identity.iotaAddress)))
      const out = await traveller.mobility!.book(plan, journey)
      expect(out.status, JSON.stringify(out)).toBe('CONFIRMED')
      expect(out.legs.map(l => l.status)).toEqual(['CONFIRMED', 'CONFIRMED', 'CONFIRMED'])
      expect(d.ledger.transactions - txBefore).toBe(1)
      const after = await Promise.all(d.nodes.map(async n => await d.ledger.balance(n.identity.iotaAddress)))
      const terms = (await traveller.mobility!.traveller.packages())[0][1].legs.map(l => decodeLegTerms(fromHex(l.terms)))
      // no intermediary, nothing on top: each provider receives exactly its legs' prices, the traveller pays their sum
      expect(after[0] - before[0]).toBe(terms[1].price)
      expect(after[1] - before[1]).toBe(terms[0].price)
      expect(after[2] - before[2]).toBe(terms[2].price)
      expect(before[3] - after[3]).toBe(out.total)
      for (const p of d.nodes.slice(0, 3)) expect((await providerLegs(p)).map(r => r.status)).toEqual(['CONFIRMED'])
    } finally {
      await d.close()
    }
  })

  it('releases every hold and moves no money when the second provider refuses', async () => {
    const { d, traveller, plan, journey } = await threeProviders()
    try {
      // the bus leg offers less than the fare: the operator refuses it, the bike and scooter were held
      const cheap = { ...journey, legs: journey.legs.map((l, i) => (i === 1 ? { ...l, price: 1 } : l)) }
      const tx = d.ledger.transactions
      const before = await Promise.all(d.nodes.map(async n => await d.ledger.balance(n.identity.iotaAddress)))
      const out = await traveller.mobility!.book(plan, cheap)
      expect(out.status).toBe('RELEASED')
      expect(out.reason).toBe('price-too-low')
      await expect(traveller.mobility!.cancel(out.package)).rejects.toMatchObject({ name: 'BookingError', code: 'not-cancellable' })
      expect(d.ledger.transactions).toBe(tx)
      expect(await Promise.all(d.nodes.map(async n => await d.ledger.balance(n.identity.iotaAddress)))).toEqual(before)
      expect((await providerLegs(d.nodes[0])).length).toBe(0)
      for (const p of [d.nodes[1], d.nodes[2]]) {
        expect((await providerLegs(p)).map(r => r.status)).toEqual(['RELEASED'])
        const now = d.clock.now()
        expect(p.mobility!.provider!.inventory.available('vehicle', now, now + 3_600_000, now)).toBe(1)
      }
    } finally {
      await d.close()
    }
  })

  it('a duplicate commit changes nothing', async () => {
    const { d, traveller, plan, journey } = await threeProviders()
    try {
      const out = await traveller.mobility!.book(plan, journey)
      expect(out.status).toBe('CONFIRMED')
      const pkg = (await traveller.mobility!.traveller.packages())[0][1]
      const bus = pkg.legs[1]
      const terms = decodeLegTerms(fromHex(bus.terms))
      const tx = d.ledger.transactions
      const balances = await Promise.all(d.nodes.map(async n => await d.ledger.balance(n.identity.iotaAddress)))
      for (let k = 0; k < 2; k++) {
        const ch = await openStream(traveller.host, peerIdOfTrader(terms.provider), BOOKING_PROTOCOL, {
          maxFrameBytes: mobilityLimits.maxFrameBytes
        })
        await ch.send(
          seal(
            'commit',
            {
              leg: legIdOf(terms),
              terms,
              travellerSignature: fromHex(bus.travellerSignature),
              paymentKey: pkg.paymentKey,
              paymentDigest: pkg.paymentDigest!
            },
            traveller.identity.signer
          )
        )
        const answer = open(await ch.receive(), { maxBytes: mobilityLimits.maxFrameBytes, kinds: ['leg-state', 'booking-reject'] })
        await ch.close()
        expect((answer.message as LegState).status).toBe('CONFIRMED')
      }
      expect(d.ledger.transactions).toBe(tx)
      expect(await Promise.all(d.nodes.map(async n => await d.ledger.balance(n.identity.iotaAddress)))).toEqual(balances)
      expect((await providerLegs(d.nodes[0])).map(r => r.status)).toEqual(['CONFIRMED'])
      const now = d.clock.now()
      expect(d.nodes[0].mobility!.provider!.inventory.available(terms.resource, terms.from, terms.to, now)).toBe(39)
    } finally {
      await d.close()
    }
  })

  it('an expired hold frees the seat by itself', async () => {
    const { d, traveller, trip } = await threeProviders({ seats: 1 })
    try {
      const op = d.nodes[0]
      const terms = {
        version: 1,
        district: 'test',
        package: new Uint8Array(16).fill(9),
        legId: 'leg-0',
        traveller: traveller.identity.signer.publicKey,
        provider: op.identity.signer.publicKey,
        mode: 'BUS',
        resource: trip.tripId,
        from: 0,
        to: 2,
        units: 1,
        departureTime: 0,
        arrivalTime: 1,
        price: 1_000_000_000,
        pricing: { planId: '', price: 0, perMinPricing: [], perKmPricing: [], maxPrice: 0 },
        cancellation: { freeUntilS: 600, feeNanos: 5_000_000 },
        fromStopId: trip.stops[0],
        toStopId: trip.stops[2],
        distanceM: 1,
        co2G: 1,
        toLatE6: 0,
        toLonE6: 0
      }
      const ch = await openStream(traveller.host, peerIdOfTrader(op.identity.signer.publicKey), BOOKING_PROTOCOL, {
        maxFrameBytes: mobilityLimits.maxFrameBytes
      })
      await ch.send(seal('hold-request', { terms }, traveller.identity.signer))
      const held = open(await ch.receive(), { maxBytes: mobilityLimits.maxFrameBytes, kinds: ['held', 'booking-reject'] })
      await ch.close()
      expect(held.kind).toBe('held')
      const inv = op.mobility!.provider!.inventory
      expect(inv.available(trip.tripId, 0, 2, d.clock.now())).toBe(0)
      // nobody commits: one tick after the hold's end the provider has freed the seat and journaled why
      await d.runUntil((held.message as { holdUntil: number }).holdUntil + slots.slotMs / 4)
      expect(inv.available(trip.tripId, 0, 2, d.clock.now())).toBe(1)
      expect((await providerLegs(op)).map(r => [r.status, r.reason])).toEqual([['EXPIRED', 'hold-expired']])
    } finally {
      await d.close()
    }
  })

  it('twenty travellers racing for the last three seats: exactly three bookings', async () => {
    const tt = smallTimetable()
    const trip = tripAfter(tt, dayS(epochMs - 60 * 60_000) + 45 * 60)
    const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
    const b = tt.stops[tt.stopIndex.get(trip.stops[2])!]
    const d = await startMobilityDistrict([transit(tt, 3), ...Array.from({ length: 20 }, () => 'traveller' as const)], { timetable: tt })
    try {
      await d.runUntil(d.clock.now() + slots.slotMs / 4)
      const travellers = d.nodes.slice(1)
      await waitUntil(() => travellers.every(t => t.mobility!.services.size >= 1))
      const fare = tt.patterns.find(p => p.route.route_id === trip.routeId)!.route.fare
      const outcomes = await Promise.all(
        travellers.map(async t => {
          const plan = await t.mobility!.plan({
            from: { lat: a.stop_lat, lon: a.stop_lon },
            to: { lat: b.stop_lat, lon: b.stop_lon },
            departAfter: d.clock.now()
          })
          const journey = busJourney(tt, trip, fare)
          return await t.mobility!.book(plan, journey)
        })
      )
      expect(outcomes.filter(o => o.status === 'CONFIRMED')).toHaveLength(3)
      expect(outcomes.filter(o => o.status !== 'CONFIRMED').map(o => [o.status, o.reason])).toEqual(
        Array.from({ length: 17 }, () => ['RELEASED', 'no-capacity'])
      )
      const sold = (await providerLegs(d.nodes[0])).filter(r => r.status === 'CONFIRMED')
      expect(sold).toHaveLength(3)
      expect(await d.ledger.balance(d.nodes[0].identity.iotaAddress)).toBe(100_000_000_000 + 3 * fare)
    } finally {
      await d.close()
    }
  })

  it("cancels a confirmed package under each leg's terms: free before the window, a fee after, refunds through settlement", async () => {
    const { d, traveller, plan, journey } = await threeProviders()
    try {
      const start = await d.ledger.balance(traveller.identity.iotaAddress)
      const first = await traveller.mobility!.book(plan, journey)
      expect(first.status).toBe('CONFIRMED')
      // ticks keep resuming unfinished packages while the cancellation waits for its answers: sent once, said once
      const released: string[] = []
      const off = traveller.on(e => {
        if (e.type === 'package-released' && e.correlation === first.package) released.push(e.detail ?? '')
      })
      let answered = false
      const cancelling = traveller.mobility!.cancel(first.package).finally(() => {
        answered = true
      })
      while (!answered) {
        await traveller.mobility!.traveller.resume()
        await new Promise(r => setImmediate(r))
      }
      const cancelled = await cancelling
      off()
      expect(released).toEqual(['cancelled 3 legs'])
      expect(cancelled.status).toBe('CANCELLED')
      expect(cancelled.legs.map(l => [l.status, l.fee])).toEqual([
        ['CANCELLED', 0],
        ['CANCELLED', 0],
        ['CANCELLED', 0]
      ])
      expect(await d.ledger.balance(traveller.identity.iotaAddress)).toBe(start)
      // book again, then cancel five minutes before the bike leaves: inside its window, the fee is due
      const second = await traveller.mobility!.book(plan, journey)
      expect(second.status).toBe('CONFIRMED')
      await d.runUntil(plan.dayStartMs + journey.legs[0].departureTime * 1000 - 5 * 60_000)
      const late = await traveller.mobility!.cancel(second.package)
      expect(late.legs.map(l => [l.status, l.fee])).toEqual([
        ['CANCELLED', 5_000_000],
        ['CANCELLED', 0],
        ['CANCELLED', 0]
      ])
      expect(await d.ledger.balance(traveller.identity.iotaAddress)).toBe(start - 5_000_000)
      for (const p of d.nodes.slice(0, 3)) expect((await providerLegs(p)).every(r => r.status === 'CANCELLED')).toBe(true)
      const now = d.clock.now()
      expect(d.nodes[1].mobility!.provider!.inventory.available('vehicle', now, now + 3_600_000, now)).toBe(1)
    } finally {
      await d.close()
    }
  })

  it('plans with arrive-by, avoided modes and accessibility needs, asking only providers that can serve them', async () => {
    const { d, traveller, trip, tt } = await threeProviders()
    try {
      const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
      const b = tt.stops[tt.stopIndex.get(trip.stops[2])!]
      const from = offsetMetres({ lat: a.stop_lat, lon: a.stop_lon }, -500, 0)
      const to = { lat: b.stop_lat, lon: b.stop_lon }
      const all = await traveller.mobility!.plan({ from, to, departAfter: d.clock.now() })
      expect([...all.quotes.values()].map(q => q.leg.mode).sort()).toEqual(['BICYCLE', 'SCOOTER'])
      const noBikes = await traveller.mobility!.plan({ from, to, departAfter: d.clock.now(), avoidModes: ['BICYCLE'] })
      expect([...noBikes.quotes.values()].map(q => q.leg.mode)).toEqual(['SCOOTER'])
      expect(noBikes.journeys.every(j => j.legs.every(l => l.mode !== 'BICYCLE'))).toBe(true)
      const wheelchair = await traveller.mobility!.plan({ from, to, departAfter: d.clock.now(), accessibility: ['WHEELCHAIR'] })
      expect(wheelchair.quotes.size).toBe(0)
      const deadline = d.clock.now() + 90 * 60_000
      const arriveBy = await traveller.mobility!.plan({ from, to, arriveBy: deadline })
      expect(arriveBy.journeys.length).toBeGreaterThan(0)
      expect(arriveBy.journeys.every(j => arriveBy.dayStartMs + j.arrivalTime * 1000 <= deadline)).toBe(true)
      // it leaves as late as any journey that arrives in time, and later than the earliest-arrival search's journeys do
      const inTime = all.journeys.filter(j => all.dayStartMs + j.arrivalTime * 1000 <= deadline)
      const latest = (js: typeof inTime): number => Math.max(...js.map(j => j.departureTime))
      expect(latest(arriveBy.journeys)).toBeGreaterThan(latest(inTime))
    } finally {
      await d.close()
    }
  })
})
