/**
 * `node bench/booking.ts day` (booking.ts): on-chain transactions per journey with daily settlement,
 * three-leg journeys (bike → bus → scooter) booked, ridden and settled in the last two hours of a
 * day-long period.
 */
import type { JourneyPlan, KvartalNode, ProviderService } from '@kvartal/node'
import { offsetMetres, type Journey, type JourneyLeg, type Mode, type Timetable } from '@kvartal/mobility'
import { info, round } from './common.ts'
import {
  DISTRICT,
  PERIOD_END_MS,
  PERIOD_SLOTS,
  TICK_MS,
  awaitOffers,
  dayS,
  mobilityDistrict,
  threeAgencyTimetable,
  transit,
  vehicle,
  type Role
} from './booking-district.ts'

interface DayJourney {
  traveller: number
  pair: number
  trip: { tripId: string; routeId: string; stops: string[]; dep: number; arr2: number; fare: number }
}

/** Trips of `agency` with at least 3 stops: their first departure and the arrival at their third stop (s since service-day start). */
function tripsOf(tt: Timetable, agency: string): Array<DayJourney['trip']> {
  const out: Array<DayJourney['trip']> = []
  for (const p of tt.patterns) {
    const n = p.stops.length
    if (n < 3 || p.route.agency_id !== agency) continue
    for (let t = 0; t < p.tripIds.length; t++) {
      out.push({
        tripId: p.tripIds[t],
        routeId: p.route.route_id,
        stops: [...p.stops].map(s => tt.stops[s].stop_id),
        dep: p.dep[t * n],
        arr2: p.arr[t * n + 2],
        fare: p.route.fare
      })
    }
  }
  return out.sort((a, b) => a.dep - b.dep)
}

export async function day(): Promise<unknown> {
  const TRAVELLERS = 8
  const PAIRS = 4
  const PER_TRAVELLER = 2
  const tt = threeAgencyTimetable()
  const origin = tt.stops[24]
  const home = offsetMetres({ lat: origin.stop_lat, lon: origin.stop_lon }, -500, 0)
  const roles: Role[] = [
    transit(tt, 'operator-a', 80),
    ...Array.from({ length: PAIRS }, (_, i) => vehicle('BICYCLE', offsetMetres(home, 0, 20 * i))),
    ...Array.from({ length: PAIRS }, (_, i) => vehicle('SCOOTER', offsetMetres(home, 30, 20 * i))),
    ...Array.from({ length: TRAVELLERS }, () => 'traveller' as const)
  ]
  const t0 = performance.now()
  const d = await mobilityDistrict(roles, tt)
  try {
    await awaitOffers(d)
    const bikes = d.nodes.slice(1, 1 + PAIRS)
    const scooters = d.nodes.slice(1 + PAIRS, 1 + 2 * PAIRS)
    const travellers = d.nodes.slice(1 + 2 * PAIRS)
    const nowS = dayS(d.clock.now())
    const endS = dayS(PERIOD_END_MS)
    // bike [dep − 600 s, dep − 240 s), bus stops 0 → 2, scooter [arr + 60 s, arr + 480 s): a vehicle pair
    // serves one journey at a time; every ride ends (and its final receipt is signed) before the period ends
    const busyUntil = Array.from({ length: PAIRS }, () => nowS + 300)
    const schedule: DayJourney[] = []
    for (const trip of tripsOf(tt, 'operator-a')) {
      if (trip.dep - 600 < nowS + 600 || trip.arr2 + 480 > endS - (2 * TICK_MS) / 1000) continue
      for (let p = 0; p < PAIRS && schedule.length < TRAVELLERS * PER_TRAVELLER; p++) {
        if (busyUntil[p] > trip.dep - 660) continue
        schedule.push({ traveller: schedule.length % TRAVELLERS, pair: p, trip })
        busyUntil[p] = trip.arr2 + 540
      }
    }
    if (schedule.length < TRAVELLERS * PER_TRAVELLER) throw new Error(`only ${schedule.length} journeys fit the morning`)
    // each traveller asks every vehicle near home for a quote, once, and plans
    const plans = await Promise.all(
      travellers.map(
        async t =>
          await t.mobility!.plan({ from: home, to: offsetMetres(home, 2_000, 1_000), departAfter: d.clock.now(), maxQuotes: 2 * PAIRS })
      )
    )
    const quoteOf = (plan: JourneyPlan, provider: KvartalNode): string => {
      const id = [...plan.quotes].find(([, q]) => Buffer.from(q.provider).toString('hex') === provider.id)?.[0]
      if (id == null) throw new Error(`no quote from vehicle ${provider.id.slice(0, 8)}`)
      return id
    }
    const stop = (id: string): { stopId: string; lat: number; lon: number } => {
      const s = tt.stops[tt.stopIndex.get(id)!]
      return { stopId: id, lat: s.stop_lat, lon: s.stop_lon }
    }
    const journeyOf = (j: DayJourney): Journey => {
      const plan = plans[j.traveller]
      const bikeQ = quoteOf(plan, bikes[j.pair])
      const scooterQ = quoteOf(plan, scooters[j.pair])
      const a = stop(j.trip.stops[0])
      const b = stop(j.trip.stops[2])
      const legs: JourneyLeg[] = [
        {
          mode: 'BICYCLE' as Mode,
          from: offsetMetres(a, -800, 0),
          to: a,
          departureTime: j.trip.dep - 600,
          arrivalTime: j.trip.dep - 240,
          price: plan.quotes.get(bikeQ)!.leg.price,
          co2: 5,
          distance: 900,
          provider: bikes[j.pair].id,
          legId: bikeQ
        },
        {
          mode: 'BUS' as Mode,
          from: a,
          to: b,
          departureTime: j.trip.dep,
          arrivalTime: j.trip.arr2,
          price: j.trip.fare,
          co2: 40,
          distance: 600,
          routeId: j.trip.routeId,
          tripId: j.trip.tripId
        },
        {
          mode: 'SCOOTER' as Mode,
          from: b,
          to: offsetMetres(b, 900, 0),
          departureTime: j.trip.arr2 + 60,
          arrivalTime: j.trip.arr2 + 480,
          price: plan.quotes.get(scooterQ)!.leg.price,
          co2: 7,
          distance: 1_100,
          provider: scooters[j.pair].id,
          legId: scooterQ
        }
      ]
      return {
        legs,
        departureTime: legs[0].departureTime,
        arrivalTime: legs[2].arrivalTime,
        price: legs.reduce((x, l) => x + l.price, 0),
        co2: 52,
        transfers: 2,
        walkingMetres: 0
      }
    }
    const tx0 = d.ledger.transactions
    const outcomes = await Promise.all(
      travellers.map(async (t, ti) => {
        const mine = []
        for (const j of schedule.filter(s => s.traveller === ti)) mine.push(await t.mobility!.book(plans[ti], journeyOf(j)))
        return mine
      })
    )
    const booked = outcomes.flat()
    const confirmed = booked.filter(o => o.status === 'CONFIRMED').length
    const bookingTx = d.ledger.transactions - tx0
    if (confirmed !== booked.length)
      throw new Error(
        `booked ${confirmed} of ${booked.length}: ${JSON.stringify(booked.filter(o => o.status !== 'CONFIRMED').map(o => o.reason))}`
      )
    info(`booking day: ${confirmed} journeys booked with ${bookingTx} ledger transactions; riding to the end of the period`)

    // ride through the morning and past the period's end until every node has settled the period
    const period = `${DISTRICT}/0`
    const tx1 = d.ledger.transactions
    let ticks = 0
    const settled = async (): Promise<boolean> =>
      (await Promise.all(d.nodes.map(async n => (await n.journal.getPeriod(period)) != null))).every(Boolean)
    while (d.clock.now() < PERIOD_END_MS + 8 * TICK_MS && !(d.clock.now() > PERIOD_END_MS && (await settled()))) {
      await d.tick()
      ticks++
    }
    if (!(await settled())) throw new Error(`the period was not settled by every node (${JSON.stringify(d.counts)})`)
    const settlementTx = d.ledger.transactions - tx1

    const roleOf = (i: number): 'operator' | 'vehicle' | 'traveller' =>
      d.roles[i] === 'traveller' ? 'traveller' : (d.roles[i] as ProviderService).kind === 'transit' ? 'operator' : 'vehicle'
    const attestations = { operator: 0, vehicle: 0, traveller: 0 }
    const payments = { operator: 0, vehicle: 0, traveller: 0 }
    // a payment that carries its node's root is one transaction with the attestation (packages/settlement/src/period.ts)
    const carrying = { operator: 0, vehicle: 0, traveller: 0 }
    let receiptsSettled = 0
    let bookedLegsAttested = 0
    let paidNanos = 0
    for (const [i, n] of d.nodes.entries()) {
      const s = (await n.journal.getPeriod(period))!
      if (s.attestation != null) attestations[roleOf(i)]++
      if (s.payment != null) payments[roleOf(i)]++
      if (s.payment != null && s.payment === s.attestation) carrying[roleOf(i)]++
      if (roleOf(i) === 'traveller') {
        receiptsSettled += Number(s.receipts ?? 0)
        paidNanos += Number(s.paid ?? 0)
      }
      if (roleOf(i) !== 'traveller') bookedLegsAttested += Number(s.bookedLegs ?? 0)
    }
    const att = attestations.operator + attestations.vehicle + attestations.traveller
    const pay = payments.operator + payments.vehicle + payments.traveller
    const both = carrying.operator + carrying.vehicle + carrying.traveller
    if (att + pay - both !== settlementTx)
      throw new Error(`the ledger counted ${settlementTx} settlement transactions, the nodes' periods ${att + pay - both}`)
    const journeys = confirmed
    return {
      periodSlots: PERIOD_SLOTS,
      simulated: "the last 2 h of a day-long period (08:00–10:00): all of the day's journeys are booked and ridden in it",
      nodes: { operators: 1, vehicles: 2 * PAIRS, travellers: TRAVELLERS },
      journeys,
      journeysPerTraveller: PER_TRAVELLER,
      legsPerJourney: 3,
      providersPerJourney: 3,
      // one ledger transaction per journey at checkout: the fares of all three providers in one payment
      bookingTransactions: bookingTx,
      bookingTransactionsPerJourney: round(bookingTx / journeys, 3),
      rides: 2 * journeys,
      receiptsSigned: d.counts['receipt-signed'] ?? 0,
      receiptsRefusedOrLate: (d.counts['receipt-refused'] ?? 0) + (d.counts['receipt-late'] ?? 0),
      // final receipts settled in the period (each the ride's last cumulative receipt), counted at the payer
      finalReceiptsSettled: receiptsSettled,
      receiptsSignedPerSettlementPayment: pay === 0 ? null : round((d.counts['receipt-signed'] ?? 0) / pay, 2),
      payPerUseNanosSettled: paidNanos,
      // the period's settlement transactions: one per node — its attestation, carried by its payment when it owes after netting
      settlementAttestations: attestations,
      settlementPayments: payments,
      settlementPaymentsCarryingAttestation: carrying,
      settlementTransactions: settlementTx,
      settlementTransactionsPerJourney: round(settlementTx / journeys, 3),
      onChainTransactionsPerJourney: round((bookingTx + settlementTx) / journeys, 3),
      // the same without the travellers' own attestations and payments: what the providers add when every
      // traveller is a building's node that settles its energy daily anyway (the simulator's convention)
      providerSettlementTransactionsPerJourney: round(
        (attestations.operator + attestations.vehicle + payments.operator + payments.vehicle - carrying.operator - carrying.vehicle) /
          journeys,
        3
      ),
      bookedLegsAttestedByProviders: bookedLegsAttested,
      settlementTargetPerJourney: 0.1,
      ticks,
      wallMs: Math.round(performance.now() - t0),
      note:
        'settlement transactions per day = nodes (one each: the attestation, carried by ' +
        'the payment of a node that owes after netting), whatever the number of journeys; ' +
        'per journey that is N / journeys, so under 0.1 needs more than 10 × N journeys a day'
    }
  } finally {
    await d.close()
  }
}
