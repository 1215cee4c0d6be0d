import { describe, expect, it } from 'vitest'
import { fareNanos, offsetMetres } from '@kvartal/mobility'
import { RIDE_PROTOCOL, fromHex, legIdOf, decodeLegTerms, mobilityLimits, open, openAs, seal, type BookingReject } from '@kvartal/protocol'
import { openChannel as openStream, peerIdOfTrader } from '@kvartal/mesh'
import { verifyInclusion } from '@kvartal/settlement'
import { KvartalNode, PROVIDER_LEGS, RIDE_RECEIPTS, channelHeadLeaf, type ProviderLegRecord, type RideReceiptRecord } from '@kvartal/node'
import { readChannel, recordHash, verifyChain } from '@kvartal/channels'
import { epochMs, slots } from './helpers/nodes.ts'
import { bikePlan, quoteIdOf, smallTimetable, startMobilityDistrict, vehicle, waitUntil } from './helpers/mobility.ts'

const origin = { lat: 63.43, lon: 10.39 }

/** A bike near the traveller, booked for a 20-minute ride starting in 5 minutes. */
async function bookedRide(battery?: Parameters<typeof vehicle>[2]) {
  const d = await startMobilityDistrict(
    [vehicle(battery != null ? 'CAR' : 'BICYCLE', offsetMetres(origin, 100, 0), battery), 'traveller'],
    { timetable: smallTimetable() }
  )
  const [bike, traveller] = d.nodes
  let plan: Awaited<ReturnType<NonNullable<typeof traveller.mobility>['plan']>>
  try {
    await d.runUntil(d.clock.now() + slots.slotMs / 4)
    await waitUntil(() => traveller.mobility!.services.size > 0)
    plan = await traveller.mobility!.plan({ from: origin, to: offsetMetres(origin, 2_000, 1_000), departAfter: d.clock.now() })
  } catch (err) {
    await d.close()
    throw err
  }
  const q = plan.quotes.get(quoteIdOf(plan, bike))!
  const depS = Math.floor((d.clock.now() - plan.dayStartMs) / 1000) + 300
  const journey = {
    legs: [
      {
        mode: q.leg.mode as 'BICYCLE',
        from: origin,
        to: offsetMetres(origin, 2_000, 1_000),
        departureTime: depS,
        arrivalTime: depS + 1_200,
        price: q.leg.price,
        co2: q.leg.co2G,
        distance: 4_000,
        legId: quoteIdOf(plan, bike),
        provider: bike.id
      }
    ],
    departureTime: depS,
    arrivalTime: depS + 1_200,
    price: q.leg.price,
    co2: q.leg.co2G,
    transfers: 0,
    walkingMetres: 0
  }
  return { d, bike, traveller, plan, journey }
}

describe('pay per use: a shared vehicle meters each tick, the traveller signs cumulative receipts, the period settles them', () => {
  it("meters a ride tick by tick, ends it with a final receipt at the plan's fare, and settles it with the period", async () => {
    const { d, bike, traveller, plan, journey } = await bookedRide()
    try {
      const before = await d.ledger.balance(bike.identity.iotaAddress)
      const out = await traveller.mobility!.book(plan, journey)
      expect(out.status).toBe('CONFIRMED')
      expect(out.total).toBe(bikePlan.price)
      // the ride runs from about 09:09 to 09:29 of the node clock; the first period (slots 0–3, 10:00–11:00) settles after 11:00
      await d.runUntil(epochMs + 4 * slots.slotMs + slots.slotMs / 2)
      const ride = (await bike.journal.records<ProviderLegRecord>(PROVIDER_LEGS))[0][1]
      expect(ride.status).toBe('ENDED')
      expect(ride.usedSeconds).toBe(1_200)
      expect(ride.usedMetres).toBe(4_000)
      const [[, mine]] = await traveller.journal.records<RideReceiptRecord>(RIDE_RECEIPTS)
      const [[, theirs]] = await bike.journal.records<RideReceiptRecord>(RIDE_RECEIPTS)
      const fare = fareNanos(bikePlan, { seconds: 1_200, metres: 4_000 })
      expect(mine.final).toBe(true)
      expect(mine.total).toBe(fare)
      // the ride is over: the traveller no longer holds its usage check (it held every ride's, for ever)
      expect(traveller.mobility!.traveller.rides.inProgress).toBe(0)
      expect(theirs.envelope).toBe(mine.envelope)
      expect(d.events.filter(e => e.type === 'receipt-signed' && e.node === traveller.id).length).toBeGreaterThanOrEqual(4)
      // settled in the period: the traveller paid the receipt's total in its period payment
      await d.waitFor('period-settled', e => e.node === traveller.id)
      const summary = (await traveller.journal.getPeriod('test/0'))!
      expect(summary.receipts).toBe(1)
      // the checkout paid the unlock fee; the period pays the rest of the fare, and nothing twice
      expect(summary.paid).toBe(fare - bikePlan.price)
      expect((await d.ledger.balance(bike.identity.iotaAddress)) - before).toBe(fare)
      // parked where the ride ended, and offered from there
      const parked = bike.mobility!.provider!.position
      const end = offsetMetres(origin, 2_000, 1_000)
      expect(Math.abs(parked.lat - end.lat) + Math.abs(parked.lon - end.lon)).toBeLessThan(1e-5)
      // the traveller's trip channel holds the booking and receipts; its head is attested with the period
      const [[, channelId]] = await traveller.mobility!.trips.names()
      const records = await traveller.mobility!.channels.records(channelId)
      expect(verifyChain(records, traveller.identity.signer.publicKey).ok).toBe(true)
      const read = readChannel(records, traveller.identity.seed)
      expect(read.entries.some(e => (e.value as { type?: string }).type === 'package-booked')).toBe(true)
      const proofs = await traveller.journal.records<{ period: string; proof: { index: number; size: number; path: string[] } }>(
        'channel-proofs'
      )
      expect(proofs.length).toBeGreaterThan(0)
      const [name, p] = proofs[proofs.length - 1]
      const [id, index] = name.split(':')
      const head = (await traveller.mobility!.channels.records(id))[Number(index)]
      const att = (await traveller.journal.getPeriod(p.period))!
      const tip = { id, index: Number(index), head: Buffer.from(recordHash(head)).toString('hex') }
      expect(verifyInclusion(channelHeadLeaf(tip), p.proof, att.root as string)).toBe(true)
    } finally {
      await d.close()
    }
  })

  it('meters a ride once at a time: two ticks at once (a slow tick outlasting the next) send no report twice, end it once', async () => {
    const { d, bike, traveller, plan, journey } = await bookedRide()
    try {
      expect((await traveller.mobility!.book(plan, journey)).status).toBe('CONFIRMED')
      const [[leg, ride]] = await bike.journal.records<ProviderLegRecord>(PROVIDER_LEGS)
      // a minute into the ride, then at its end: each time two of the bike's ticks at once
      for (const at of [ride.from + 60_000, ride.to]) {
        d.clock.advanceTo(at)
        await Promise.all([bike.mobility!.tick(), bike.mobility!.tick()])
      }
      expect(d.events.filter(e => e.type === 'ride-ended' && e.node === bike.id)).toHaveLength(1)
      const signed = d.events.filter(e => e.type === 'receipt-signed' && e.node === traveller.id).map(e => e.detail)
      expect(new Set(signed).size, signed.join(' | ')).toBe(signed.length)
      // one final receipt, the same on both sides
      const mine = (await traveller.journal.getRecord<RideReceiptRecord>(RIDE_RECEIPTS, leg))!
      const theirs = (await bike.journal.getRecord<RideReceiptRecord>(RIDE_RECEIPTS, leg))!
      expect([mine.final, mine.envelope === theirs.envelope]).toEqual([true, true])
    } finally {
      await d.close()
    }
  })

  it('refuses a usage report that charges more than the pricing plan allows, and an unknown ride', async () => {
    const { d, bike, traveller, plan, journey } = await bookedRide()
    try {
      await traveller.mobility!.book(plan, journey)
      const [, pkg] = (await traveller.mobility!.traveller.packages())[0]
      const terms = decodeLegTerms(fromHex(pkg.legs[0].terms))
      const report = async (metres: number, seconds: number, seq: number, leg = legIdOf(terms)): Promise<string> => {
        const ch = await openStream(bike.host, peerIdOfTrader(traveller.identity.signer.publicKey), RIDE_PROTOCOL, {
          maxFrameBytes: mobilityLimits.maxFrameBytes
        })
        await ch.send(seal('usage-report', { leg, seq, seconds, metres, at: d.clock.now(), ended: false }, bike.identity.signer))
        const answer = open(await ch.receive(), { maxBytes: mobilityLimits.maxFrameBytes, kinds: ['usage-receipt', 'booking-reject'] })
        await ch.close()
        return answer.kind === 'booking-reject' ? (answer.message as BookingReject).code : 'receipt'
      }
      // 40 km in one minute is no bike ride: refused, and nothing is signed
      expect(await report(40_000, 60, 1)).toBe('implausible-distance')
      expect(await report(100, 60, 2, new Uint8Array(32).fill(3))).toBe('unknown-leg')
      expect(await traveller.journal.records(RIDE_RECEIPTS)).toHaveLength(0)
    } finally {
      await d.close()
    }
  })

  it('a car-share EV sells only the charge its booked ride does not need, and refuses a ride that would break a sale', async () => {
    const battery = { capacityWh: 40_000, socWh: 20_000, reserveWh: 4_000, whPerKm: 150 }
    const { d, bike: car, traveller, plan, journey } = await bookedRide(battery)
    try {
      const budget = car.mobility!.provider!.budget!
      const slot0 = epochMs
      const free = budget.sellableWh(slot0)
      expect(free).toBe(16_000)
      expect((await traveller.mobility!.book(plan, journey)).status).toBe('CONFIRMED')
      // the 4 km ride reserves 600 Wh: the battery now sells at most 15,400 Wh before it
      expect(budget.sellableWh(slot0 - slots.slotMs * 2)).toBe(16_000 - 600)
      // sell everything that is left in a slot before the next ride: then that ride cannot be held
      budget.commitEnergy(slot0 + slots.slotMs, budget.sellableWh(slot0 + slots.slotMs))
      expect(budget.canRide(slot0 + 2 * slots.slotMs, slot0 + 3 * slots.slotMs, 4_000)).toBe(false)
    } finally {
      await d.close()
    }
  })

  it('a parked car-share EV sells its surplus to a building, and a ride that would break that sale is refused', async () => {
    const battery = { capacityWh: 40_000, socWh: 30_000, reserveWh: 4_000, whPerKm: 150 }
    const d = await startMobilityDistrict([vehicle('CAR', offsetMetres(origin, 100, 0), battery), 'traveller', 'traveller'], {
      timetable: smallTimetable(),
      positions: [undefined, undefined, s => (s >= 0 && s < 2 ? -1_500 : 0)]
    })
    try {
      let car = d.nodes[0]
      const traveller = d.nodes[1]
      // trading for 10:00–10:30 happens in the hour before
      await d.runUntil(epochMs - slots.slotMs / 2)
      const sold = d.events.filter(e => e.type === 'trade-committed' && e.node === car.id && e.detail === 'seller')
      expect(sold.length).toBeGreaterThan(0)
      let budget = car.mobility!.provider!.budget!
      expect(budget.committedWh(epochMs)).toBe(sold.filter(e => e.slot === 0).reduce((a, e) => a + (e.energyWh ?? 0), 0))
      // at most what lies above the 60 % target, within a 7.4 kW charger's slot
      expect(budget.committedWh(epochMs)).toBeLessThanOrEqual(1_850)
      // restarted from its data directory, the car books its sold energy back into its battery budget
      const saleAt = epochMs + sold[0].slot! * slots.slotMs
      const sold0 = budget.committedWh(saleAt)
      expect(sold0).toBeGreaterThan(0)
      await car.stop()
      const again = new KvartalNode({ ...car.options })
      await again.start()
      try {
        expect(again.mobility!.provider!.budget!.committedWh(saleAt)).toBe(sold0)
      } finally {
        await again.stop()
      }
      d.nodes[0] = new KvartalNode({ ...car.options })
      await d.nodes[0].start()
      car = d.nodes[0]
      budget = car.mobility!.provider!.budget!
      const plan = await traveller.mobility!.plan({ from: origin, to: offsetMetres(origin, 2_000, 1_000), departAfter: d.clock.now() })
      const q = plan.quotes.get(quoteIdOf(plan, car))!
      const ride = (depMs: number) => {
        const depS = Math.floor((depMs - plan.dayStartMs) / 1000)
        return {
          legs: [
            {
              mode: 'CAR' as const,
              from: origin,
              to: offsetMetres(origin, 2_000, 1_000),
              departureTime: depS,
              arrivalTime: depS + 900,
              price: q.leg.price,
              co2: q.leg.co2G,
              distance: 3_000,
              legId: quoteIdOf(plan, car),
              provider: car.id
            }
          ],
          departureTime: depS,
          arrivalTime: depS + 900,
          price: q.leg.price,
          co2: q.leg.co2G,
          transfers: 0,
          walkingMetres: 0
        }
      }
      // during the slot it sold energy in, the car stays at its charger: the ride is refused, nothing paid
      const clash = await traveller.mobility!.book(plan, ride(epochMs + 5 * 60_000))
      expect([clash.status, clash.reason]).toEqual(['RELEASED', 'busy'])
      // two hours later it is free to drive
      const later = await traveller.mobility!.book(plan, ride(epochMs + 2 * 3_600_000))
      expect(later.status).toBe('CONFIRMED')
      // and what it may still sell before that ride leaves the ride's charge in the battery
      const rideWh = Math.ceil((3_000 * 150) / 1000)
      expect(
        budget.socWh -
          budget.committedWh(epochMs) -
          budget.committedWh(epochMs + slots.slotMs) -
          budget.sellableWh(epochMs + 3 * slots.slotMs)
      ).toBeGreaterThanOrEqual(battery.reserveWh + rideWh)
    } finally {
      await d.close()
    }
  })

  it("stops the ride when the traveller's receipts stop coming, and rotates the vehicle's public id after each trip", async () => {
    const { d, bike, traveller, plan, journey } = await bookedRide()
    try {
      const asset = bike.mobility!.provider!.assetId
      expect((await traveller.mobility!.book(plan, journey)).status).toBe('CONFIRMED')
      // the ride starts; after its first receipts the traveller's node goes away
      const rideDeadline = d.clock.now() + 4 * slots.slotMs // simulated time: the ride signs a receipt every tick
      while (d.events.filter(e => e.type === 'receipt-signed').length < 2) {
        if (d.clock.now() > rideDeadline) throw new Error('fewer than two receipts signed within four slots of the ride')
        await d.runUntil(d.clock.now() + slots.slotMs / 4)
      }
      await traveller.stop()
      await d.runUntil(d.clock.now() + slots.slotMs / 2)
      const [[, ride]] = await bike.journal.records<ProviderLegRecord>(PROVIDER_LEGS)
      expect([ride.status, ride.reason]).toEqual(['ENDED', 'receipt-late'])
      // locked at the first tick without a receipt: never more than one tick of use unpaid
      const [[, last]] = await bike.journal.records<RideReceiptRecord>(RIDE_RECEIPTS)
      expect(
        ride.usedSeconds! - openAs(fromHex(last.envelope), 'usage-receipt', mobilityLimits.maxFrameBytes).message.seconds
      ).toBeLessThanOrEqual(slots.slotMs / 4 / 1000)
      expect(d.events.some(e => e.type === 'receipt-late' && e.node === bike.id)).toBe(true)
      // GBFS privacy: a new public id for the next trip; the signing key stays the same
      expect(bike.mobility!.provider!.assetId).not.toBe(asset)
    } finally {
      await d.close()
    }
  })

  it(
    "replicates the traveller's trip channel to a granted reader " + 'over libp2p; after revocation the reader verifies but cannot read',
    async () => {
      const { d, bike, traveller, plan, journey } = await bookedRide()
      try {
        await traveller.mobility!.book(plan, journey)
        const trips = traveller.mobility!.trips
        await trips.grant('trips', bike.identity.signer.publicKey)
        await trips.append('trips', { note: 'after the grant' })
        const [[, id]] = await trips.names()
        const addrs = traveller.host.getMultiaddrs()
        await bike.mobility!.sync.pull(addrs, id)
        const replica = await bike.mobility!.channels.records(id)
        expect(replica.length).toBe((await traveller.mobility!.channels.records(id)).length)
        expect((await bike.mobility!.trips.read(id)).entries.some(e => (e.value as { note?: string }).note === 'after the grant')).toBe(
          true
        )
        await trips.revoke('trips', bike.identity.signer.publicKey)
        await trips.append('trips', { note: 'after the revocation' })
        await bike.mobility!.sync.pull(addrs, id)
        const after = await bike.mobility!.channels.records(id)
        expect(verifyChain(after, traveller.identity.signer.publicKey).ok).toBe(true)
        const read = await bike.mobility!.trips.read(id)
        expect(read.entries.some(e => (e.value as { note?: string }).note === 'after the grant')).toBe(true)
        expect(read.entries.some(e => (e.value as { note?: string }).note === 'after the revocation')).toBe(false)
      } finally {
        await d.close()
      }
    }
  )
})
