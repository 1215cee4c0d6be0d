/**
 * `node bench/booking.ts [seconds]` (booking.ts): bookings per second across three providers, each
 * booking three transit legs on three agencies; and the frames a booking sends.
 */
import { decodeLegTerms, fromHex, legIdOf, seal, seededRandom } from '@kvartal/protocol'
import { PROVIDER_LEGS, type JourneyPlan, type KvartalNode, type PackageRecord } from '@kvartal/node'
import { planJourneys, type Coordinate, type Journey, type Timetable } from '@kvartal/mobility'
import { info, percentile, round } from './common.ts'
import { AGENCIES, awaitOffers, dayS, mobilityDistrict, threeAgencyTimetable, transit, type Role } from './booking-district.ts'

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length)

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

export async function throughput(seconds: number): Promise<unknown> {
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
