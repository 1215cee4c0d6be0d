/**
 * Mobility booking figures, real nodes (libp2p memory transport, level journals without fsync in a temp
 * directory, one simulated clock) settling on one shared LocalLedger (embedded, not a network):
 *
 * `node bench/booking.ts [seconds]` — bookings per second across three providers. Three transit
 * operators (agencies operator-a, -b, -c, each selling only its own lines of one generated timetable,
 * 100,000 seats per trip so that every booking can succeed) and 8 traveller nodes. Every package is a
 * journey the planner returned with three transit legs on three agencies, so each booking holds,
 * pays and commits one leg at each of three providers (hold → one ledger payment to all three →
 * commit). Journeys are planned before timing; the clock stands still while bookings run. First one
 * traveller books one package at a time, then 8 travellers book concurrently (8 in flight).
 *
 * `node bench/booking.ts day` — on-chain transactions per journey with daily settlement
 * (periodSlots = 96). One transit operator, 4 bikes, 4 scooters and 8 travellers; each traveller
 * books 2 three-leg journeys (bike → bus → scooter, three providers), rides them (the vehicles meter
 * every tick and collect cumulative receipts), and every node settles the day's period on the ledger.
 * The bench simulates the last two hours of that day-long period (08:00–10:00, the period ends at
 * 10:00), in which all of the day's journeys are booked and ridden, and counts every ledger
 * transaction by what it is.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  SimulatedClock,
  decodeLegTerms,
  fromHex,
  legIdOf,
  seal,
  seededRandom,
  type NodeEvent,
  type SlotClockConfig
} from '@kvartal/protocol'
import { fixedMarkup } from '@kvartal/market'
import { identityFromSeed, memoryListenAddress } from '@kvartal/mesh'
import { KvartalNode, PROVIDER_LEGS, type JourneyPlan, type PackageRecord, type ProviderService } from '@kvartal/node'
import { LocalLedger, localSettlement } from '@kvartal/settlement'
import {
  buildTimetable,
  generateDistrictNetwork,
  offsetMetres,
  planJourneys,
  type Coordinate,
  type Journey,
  type JourneyLeg,
  type Mode,
  type PricingPlan,
  type Timetable
} from '@kvartal/mobility'
import { info, keySeedOf, percentile, round, runChild, sleep, tariffs, withTimeout, zeroProfile } from './common.ts'

const DISTRICT = 'bench'
const TICKS_PER_SLOT = 4
/** slot 0 starts at 10:00 the day before: the day-long settlement period 0 ends at 10:00 of the bench's day */
const slots: SlotClockConfig = { epochMs: Date.UTC(2026, 5, 16, 10, 0), slotMs: 15 * 60_000, gateClosureMs: 60_000 }
const START_MS = Date.UTC(2026, 5, 17, 8, 0)
const PERIOD_SLOTS = 96
const PERIOD_END_MS = slots.epochMs + PERIOD_SLOTS * slots.slotMs
const TICK_MS = slots.slotMs / TICKS_PER_SLOT
const AGENCIES = ['operator-a', 'operator-b', 'operator-c']
const FUNDS = 1_000_000 * 1_000_000_000 // a million IOTA per node: thousands of packages at ~1.2 IOTA each

const dayS = (ms: number): number => Math.floor((ms % 86_400_000) / 1000)
const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length)

/** A seeded network of 49 stops and 6 lines (~1,200 trips), lines 0 and 3 run by operator-a, 1 and 4 by -b, 2 and 5 by -c. */
function threeAgencyTimetable(): Timetable {
  const feed = generateDistrictNetwork({ seed: 5, stops: 49, lines: 6, trips: 1_200, stopsPerLine: 9, center: { lat: 63.43, lon: 10.39 } })
  return buildTimetable({ ...feed, routes: feed.routes.map((r, i) => ({ ...r, agency_id: AGENCIES[i % 3] })) })
}

const cancellation = { freeUntilS: 600, feeNanos: 5_000_000, refundAfterStart: false as const }
const bikePlan: PricingPlan = {
  plan_id: 'bike-std',
  currency: 'IOTA',
  price: 10_000_000,
  per_min_pricing: [{ start: 0, rate: 2_000_000, interval: 1 }],
  max_price: 200_000_000
}
const scooterPlan: PricingPlan = {
  plan_id: 'scooter-std',
  currency: 'IOTA',
  price: 15_000_000,
  per_min_pricing: [{ start: 0, rate: 3_000_000, interval: 1 }],
  per_km_pricing: [{ start: 1, rate: 5_000_000, interval: 1 }]
}

function transit(tt: Timetable, agencyId: string, seatsPerTrip: number): ProviderService {
  return { kind: 'transit', agencyId, mode: 'BUS', timetable: tt, seatsPerTrip, cancellation, co2GPerKm: 60 }
}
function vehicle(mode: 'BICYCLE' | 'SCOOTER', position: Coordinate): ProviderService {
  return {
    kind: 'vehicle',
    mode,
    position,
    pricing: mode === 'BICYCLE' ? bikePlan : scooterPlan,
    co2GPerKm: 8,
    speedKmh: 15,
    cancellation,
    maxRentalMs: 4 * 3_600_000
  }
}

type Role = ProviderService | 'traveller'

interface MobilityBench {
  clock: SimulatedClock
  nodes: KvartalNode[]
  roles: Role[]
  ledger: LocalLedger
  /** events by type, all nodes */
  counts: Record<string, number>
  /** advances the clock one tick and waits until every node is idle */
  tick(): Promise<void>
  close(): Promise<void>
}

/**
 * Real nodes as the simulator runs them (memory transport, each dialling up to 4 random earlier nodes,
 * one SimulatedClock, level journals without fsync), each with its mobility role, all settling on one
 * shared LocalLedger; every node's account is funded.
 */
async function mobilityDistrict(roles: Role[], tt: Timetable): Promise<MobilityBench> {
  const dir = await mkdtemp(join(tmpdir(), 'kvartal-bench-mobility-'))
  const ledger = await LocalLedger.open(join(dir, 'ledger'))
  const clock = new SimulatedClock(START_MS)
  const rnd = seededRandom(11)
  const counts: Record<string, number> = {}
  const onEvent = (e: NodeEvent): void => {
    counts[e.type] = (counts[e.type] ?? 0) + 1
  }
  const seedOf = (i: number): Uint8Array => keySeedOf(10_000 + i)
  const ids = await Promise.all(roles.map(async (_, i) => await identityFromSeed(seedOf(i))))
  const nodes = roles.map((role, i) => {
    const picks = new Set<number>()
    while (picks.size < Math.min(4, i)) picks.add(Math.floor(rnd() * i))
    return new KvartalNode({
      district: DISTRICT,
      dataDir: join(dir, `n${i}`),
      transport: 'memory',
      loopback: true,
      bootstrap: [...picks].map(j => `${memoryListenAddress(ids[j])}/p2p/${ids[j].peerId.toString()}`),
      clock,
      slots,
      tariffs,
      strategy: fixedMarkup(),
      profile: zeroProfile,
      keySeed: seedOf(i),
      seed: i + 1,
      ticksPerSlot: TICKS_PER_SLOT,
      journal: { sync: false },
      onEvent,
      mobility: { timetable: tt, ...(role !== 'traveller' ? { provider: role } : {}) },
      settlement: { periodSlots: PERIOD_SLOTS, create: signer => localSettlement(ledger, signer) }
    })
  })
  const close = async (): Promise<void> => {
    await withTimeout(
      Promise.all(
        nodes.map(async n => {
          await n.stop().catch(() => {})
        })
      ),
      20_000,
      'stopping nodes'
    ).catch((err: Error) => {
      info(`warning: ${err.message}`)
    })
    await ledger.close().catch(() => {})
    await rm(dir, { recursive: true, force: true }).catch(() => {})
  }
  try {
    await withTimeout(
      Promise.all(
        nodes.map(async n => {
          await n.start()
        })
      ),
      60_000,
      'starting nodes'
    )
    for (const n of nodes) await ledger.mint(n.identity.iotaAddress, FUNDS)
  } catch (err) {
    await close()
    throw err
  }
  const idle = async (): Promise<void> => {
    for (let k = 0; k < 3; k++) {
      await Promise.all(
        nodes.map(async n => {
          await n.idle()
        })
      )
      await sleep(20)
    }
  }
  return {
    clock,
    nodes,
    roles,
    ledger,
    counts,
    close,
    async tick() {
      clock.advanceTo(clock.now() + TICK_MS)
      await idle()
    }
  }
}

/** Ticks until every traveller has every provider's service offer (offers are gossiped on ticks). */
async function awaitOffers(d: MobilityBench): Promise<void> {
  const providers = d.roles.filter(r => r !== 'traveller').length
  const travellers = d.nodes.filter((_, i) => d.roles[i] === 'traveller')
  for (let t = 0; t < 12; t++) {
    await d.tick()
    const deadline = performance.now() + 2_000
    while (performance.now() < deadline) {
      if (travellers.every(n => n.mobility!.services.size >= providers)) return
      await sleep(20)
    }
  }
  throw new Error(`travellers saw ${travellers.map(n => n.mobility!.services.size).join(',')} of ${providers} service offers`)
}

/** Planner journeys (departing after `afterS`) whose transit legs are three, on three different agencies. */
function threeOperatorJourneys(tt: Timetable, afterS: number, count: number): Journey[] {
  const agencyOf = new Map(tt.patterns.map(p => [p.route.route_id, p.route.agency_id ?? '']))
  const rnd = seededRandom(3)
  const out: Journey[] = []
  for (let k = 0; k < 4_000 && out.length < count; k++) {
    const a = tt.stops[Math.floor(rnd() * tt.stops.length)].stop_id
    const b = tt.stops[Math.floor(rnd() * tt.stops.length)].stop_id
    if (a === b) continue
    const departAfter = afterS + Math.floor(rnd() * 3_600)
    for (const j of planJourneys(tt, { from: { stopId: a }, to: { stopId: b }, departAfter }).journeys) {
      const transitLegs = j.legs.filter(l => l.tripId != null)
      if (transitLegs.length === 3 && new Set(transitLegs.map(l => agencyOf.get(l.routeId!))).size === 3) {
        out.push(j)
        break
      }
    }
  }
  if (out.length < count) throw new Error(`found only ${out.length} three-operator journeys`)
  return out
}

/** Unsigned varint length of a length prefix (it-length-prefixed). */
const prefixBytes = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : 3)

/**
 * The booking frames of a confirmed package, rebuilt from the traveller's journal with the same keys:
 * per leg hold-request → held, commit → leg-state. Ed25519 signatures have a fixed size, so the bytes
 * are those sent. Each exchange is one new stream.
 */
function bookingFrames(
  pkg: PackageRecord,
  traveller: KvartalNode,
  providers: Map<string, KvartalNode>
): { frames: number; bytes: number; streams: number } {
  let frames = 0
  let bytes = 0
  let streams = 0
  const count = (f: Uint8Array): void => {
    frames++
    bytes += f.length + prefixBytes(f.length)
  }
  for (const l of pkg.legs) {
    const terms = decodeLegTerms(fromHex(l.terms))
    const p = providers.get(l.provider)!.identity.signer
    const leg = legIdOf(terms)
    count(seal('hold-request', { terms }, traveller.identity.signer))
    count(seal('held', { leg, terms, providerSignature: fromHex(l.providerSignature!), holdUntil: l.holdUntil! }, p))
    count(
      seal(
        'commit',
        {
          leg,
          terms,
          travellerSignature: fromHex(l.travellerSignature),
          paymentKey: pkg.paymentKey,
          paymentDigest: pkg.paymentDigest ?? ''
        },
        traveller.identity.signer
      )
    )
    count(seal('leg-state', { leg, status: 'CONFIRMED', fee: 0, refund: 0, refundDigest: '' }, p))
    streams += 2
  }
  return { frames, bytes, streams }
}

async function throughput(seconds: number): Promise<unknown> {
  const tt = threeAgencyTimetable()
  const roles: Role[] = [...AGENCIES.map(a => transit(tt, a, 100_000)), ...Array.from({ length: 8 }, () => 'traveller' as const)]
  const t0 = performance.now()
  const d = await mobilityDistrict(roles, tt)
  try {
    await awaitOffers(d)
    const setupMs = performance.now() - t0
    const operators = d.nodes.slice(0, 3)
    const travellers = d.nodes.slice(3)
    const journeys = threeOperatorJourneys(tt, dayS(d.clock.now()) + 600, 48)
    const stop = (id: string): Coordinate => {
      const s = tt.stops[tt.stopIndex.get(id)!]
      return { lat: s.stop_lat, lon: s.stop_lon }
    }
    const first = journeys[0].legs.find(l => l.tripId != null)!
    // one plan per traveller: the package's service day and party size come from it (no vehicles: no quotes)
    const plans: JourneyPlan[] = await Promise.all(
      travellers.map(
        async t =>
          await t.mobility!.plan({
            from: stop(first.from.stopId!),
            to: stop(journeys[0].legs.at(-1)!.to.stopId ?? first.to.stopId!),
            departAfter: d.clock.now()
          })
      )
    )
    info(`booking: ${d.nodes.length} nodes up in ${Math.round(setupMs)} ms, ${journeys.length} three-operator journeys`)

    const failures: Record<string, number> = {}
    const fail = (code: string): void => {
      failures[code] = (failures[code] ?? 0) + 1
    }
    let next = 0
    const one = async (ti: number): Promise<number | undefined> => {
      const j = journeys[next++ % journeys.length]
      const start = performance.now()
      try {
        const out = await travellers[ti].mobility!.book(plans[ti], j)
        if (out.status === 'CONFIRMED') return performance.now() - start
        fail(`${out.status}:${out.reason ?? ''}`)
      } catch (err) {
        fail(`error:${(err as { code?: string }).code ?? (err as Error).name}`)
      }
      return undefined
    }
    const run = async (
      inFlight: number,
      ms: number
    ): Promise<{ perSecond: number; latencies: number[]; count: number; ledgerTx: number; perWindow: number[]; cpuMs: number }> => {
      const latencies: number[] = []
      const done: number[] = []
      const tx0 = d.ledger.transactions
      const cpu0 = process.cpuUsage()
      const start = performance.now()
      const end = start + ms
      await Promise.all(
        Array.from({ length: inFlight }, async (_, ti) => {
          while (performance.now() < end) {
            const l = await one(ti)
            if (l != null) {
              latencies.push(l)
              done.push(performance.now() - start)
            }
          }
        })
      )
      const elapsed = performance.now() - start
      const cpu = process.cpuUsage(cpu0)
      const perWindow = Array.from({ length: Math.ceil(ms / 1000) }, (_, w) => done.filter(t => t >= w * 1000 && t < (w + 1) * 1000).length)
      return {
        perSecond: round(latencies.length / (elapsed / 1000), 1),
        latencies: latencies.sort((a, b) => a - b),
        count: latencies.length,
        ledgerTx: d.ledger.transactions - tx0,
        perWindow,
        cpuMs: (cpu.user + cpu.system) / 1000
      }
    }

    await run(8, 1_000) // warm-up: JIT, connections between travellers and operators, journals
    const sequential = await run(1, Math.max(1, seconds / 2) * 1000)
    info(`booking: one in flight ${sequential.perSecond}/s`)
    const concurrent = await run(8, seconds * 1000)
    info(`booking: 8 in flight ${concurrent.perSecond}/s`)

    // what was booked: every confirmed package has three confirmed legs at three different operators
    const byId = new Map(operators.map(o => [o.id, o]))
    let confirmedPackages = 0
    let sample: PackageRecord | undefined
    for (const t of travellers) {
      for (const [, p] of await t.mobility!.traveller.packages()) {
        if (p.status !== 'CONFIRMED') continue
        if (
          p.legs.length !== 3 ||
          new Set(p.legs.map(l => l.provider)).size !== 3 ||
          !p.legs.every(l => byId.has(l.provider) && l.status === 'CONFIRMED')
        )
          throw new Error('a package is not three confirmed legs at three operators')
        confirmedPackages++
        if (t === travellers[0]) sample = p
      }
    }
    const frames = bookingFrames(sample!, travellers[0], byId)
    const journalLegs = await Promise.all(operators.map(async o => (await o.journal.records(PROVIDER_LEGS)).length))
    // what an operator's commit pays per leg to sum the package's price: one read of all its leg records
    const scan0 = performance.now()
    await operators[0].journal.records(PROVIDER_LEGS)
    const scanMs = performance.now() - scan0
    return {
      nodes: { operators: 3, travellers: 8 },
      legsPerBooking: 3,
      providersPerBooking: 3,
      setupMs: Math.round(setupMs),
      sequentialPerSecond: sequential.perSecond,
      concurrent8PerSecond: concurrent.perSecond,
      // one booking, hold → pay → commit (BookingOutcome CONFIRMED), ms
      p50Ms: round(percentile(sequential.latencies, 0.5)),
      p99Ms: round(percentile(sequential.latencies, 0.99)),
      concurrent8P50Ms: round(percentile(concurrent.latencies, 0.5)),
      concurrent8P99Ms: round(percentile(concurrent.latencies, 0.99)),
      concurrent8MeanMs: round(mean(concurrent.latencies)),
      // CPU time of the whole process (all 11 nodes, the ledger, level's threads) per confirmed booking
      cpuMsPerBooking: round(sequential.cpuMs / Math.max(1, sequential.count)),
      concurrent8CpuMsPerBooking: round(concurrent.cpuMs / Math.max(1, concurrent.count)),
      // completed bookings in each second of the 8-in-flight run: the operators' journals grow as it runs
      concurrent8PerWindow: concurrent.perWindow,
      measuredBookings: sequential.count + concurrent.count,
      // every ledger transaction while booking, per confirmed booking (one payment to all three providers)
      ledgerTxPerBooking: round((sequential.ledgerTx + concurrent.ledgerTx) / Math.max(1, sequential.count + concurrent.count), 3),
      confirmedPackages,
      operatorLegRecords: journalLegs,
      operatorLegScanMs: round(scanMs),
      failures,
      // application frames (signed envelopes + length prefix), rebuilt from a confirmed package; stream
      // set-up, yamux and noise are not counted, nor the ledger (in process here)
      framesPerBooking: frames.frames,
      bytesPerBooking: frames.bytes,
      streamsPerBooking: frames.streams
    }
  } finally {
    await d.close()
  }
}

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

async function day(): Promise<unknown> {
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

const arg = process.argv[2]
if (arg === 'day') runChild('booking-day', 150_000, day)
else runChild('booking', 120_000, async () => await throughput(Number(arg ?? 6)))
