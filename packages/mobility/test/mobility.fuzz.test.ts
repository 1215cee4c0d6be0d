/**
 * Property tests of the planner's dominance and Pareto sets, the journeys it plans, and pay-per-use
 * receipts on both sides of a ride. Every reference here is written out in this file and shares no
 * helper with the code it checks (not `criteriaKeys`, not `fareNanos`):
 * - `dominates` / `dominatesArriveBy` are "no worse on every criterion, better on one" (irreflexive,
 *   asymmetric, transitive); `paretoFilter` / `paretoArriveBy` keep exactly the undominated vectors,
 *   one journey each (the first met / the earliest arriving), in their documented order;
 * - a planned journey's criteria are those of its legs, its legs follow each other in time and place,
 *   and it keeps the query's limits;
 * - a traveller's UsageCheck, fed any reports (honest, replayed, backwards, too fast, junk), signs only
 *   totals that are the plan's fare for the use (a closed form here), never going down, never over its
 *   cap, never faster than the clock and the speed bound allow; every refusal is a UsageRejectedError;
 * - a vehicle's ReceiptLedger, fed any receipts, only ever moves forward (nonce, use, total), never
 *   holds a total over the fare or the cap, accepts every receipt an honest check signs, and refuses
 *   with ReceiptRejectedError only.
 * Seeded (protocol/testing/arbitraries.ts: FUZZ_SEED, `FC_SEED=<n>`); `npm run fuzz` runs them at nightly size.
 */
import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import {
  Mode,
  ReceiptLedger,
  ReceiptRejectedError,
  UsageCheck,
  UsageRejectedError,
  buildTimetable,
  dominates,
  dominatesArriveBy,
  generateDistrictNetwork,
  paretoArriveBy,
  paretoFilter,
  planJourneys,
  type Criteria,
  type Journey,
  type PricingPlan,
  type ReceiptTerms,
  type UsageReport
} from '../src/index.ts'
import { fuzzParams } from '@kvartal/protocol/testing'

// ---- dominance and Pareto sets ----

const KEYS = ['arrivalTime', 'price', 'co2', 'transfers', 'walkingMetres'] as const
/** minimised criteria, small ranges so that ties and dominance are common */
const small = fc.integer({ min: 0, max: 4 })
const criteria: fc.Arbitrary<Criteria & { id: number }> = fc.record({
  arrivalTime: small,
  price: small,
  co2: small,
  transfers: small,
  walkingMetres: small,
  id: fc.nat()
})
/** a list of journeys' criteria, each with its own id */
const criteriaList = fc
  .oneof(
    fc.array(criteria, { maxLength: 40 }),
    // drawn from a small pool: the same vector met several times
    fc
      .tuple(fc.array(criteria, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 40 }))
      .map(([pool, picks]) => picks.map(p => pool[p % pool.length]))
  )
  .map(xs => xs.map((x, id) => ({ ...x, id })))
const refDominates = (a: Criteria, b: Criteria): boolean => KEYS.every(k => a[k] <= b[k]) && KEYS.some(k => a[k] < b[k])
const vec = (c: Criteria): string => KEYS.map(k => c[k]).join(',')

describe('dominance against its definition', () => {
  test.prop([criteria, criteria, criteria], fuzzParams(300))('is the definition; irreflexive, asymmetric and transitive', (a, b, c) => {
    expect(dominates(a, b)).toBe(refDominates(a, b))
    expect(dominates(a, a)).toBe(false)
    if (dominates(a, b)) expect(dominates(b, a)).toBe(false)
    if (dominates(a, b) && dominates(b, c)) expect(dominates(a, c)).toBe(true)
  })

  test.prop([criteriaList], fuzzParams(300, 10))(
    'paretoFilter keeps exactly the undominated vectors, the first journey met of each, in lexicographic order',
    items => {
      const out = paretoFilter(items)
      const undominated = items.filter(j => !items.some(o => refDominates(o, j)))
      const firstOf = new Map<string, (typeof items)[number]>()
      for (const j of undominated) if (!firstOf.has(vec(j))) firstOf.set(vec(j), j)
      expect(new Set(out.map(vec)).size).toBe(out.length)
      expect([...out].sort((x, y) => x.id - y.id)).toEqual([...firstOf.values()].sort((x, y) => x.id - y.id))
      for (const j of out) expect(j).toBe(firstOf.get(vec(j)))
      for (let i = 1; i < out.length; i++) {
        const k = KEYS.find(k => out[i - 1][k] !== out[i][k])
        expect(k != null && out[i - 1][k] < out[i][k]).toBe(true)
      }
      expect(paretoFilter(out)).toEqual(out)
    }
  )

  const AB_KEYS = ['price', 'co2', 'transfers', 'walkingMetres'] as const
  // fewer values than for paretoFilter: journeys of one vector with different arrivals are common
  const tiny = fc.integer({ min: 0, max: 2 })
  const arriveBy: fc.Arbitrary<Journey & { id: number }> = fc
    .record({ departureTime: tiny, arrivalTime: tiny, price: tiny, co2: tiny, transfers: tiny, walkingMetres: tiny, id: fc.nat() })
    .map(j => ({ ...j, legs: [] }))
  // drawn from a small pool, so that one vector comes with equal and with different arrivals
  const arriveByList = fc
    .tuple(fc.array(arriveBy, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 40 }))
    .map(([pool, picks]) => picks.map((p, id) => ({ ...pool[p % pool.length], id })))
  const refDominatesAB = (a: Journey, b: Journey): boolean =>
    a.departureTime >= b.departureTime &&
    AB_KEYS.every(k => a[k] <= b[k]) &&
    (a.departureTime > b.departureTime || AB_KEYS.some(k => a[k] < b[k]))
  const vecAB = (j: Journey): string => [j.departureTime, ...AB_KEYS.map(k => j[k])].join(',')

  test.prop([arriveBy, arriveBy, arriveBy], fuzzParams(300))(
    'arrive-by dominance is its definition (latest departure, the rest minimised); a strict partial order',
    (a, b, c) => {
      expect(dominatesArriveBy(a, b)).toBe(refDominatesAB(a, b))
      expect(dominatesArriveBy(a, a)).toBe(false)
      if (dominatesArriveBy(a, b)) expect(dominatesArriveBy(b, a)).toBe(false)
      if (dominatesArriveBy(a, b) && dominatesArriveBy(b, c)) expect(dominatesArriveBy(a, c)).toBe(true)
    }
  )

  test.prop([arriveByList], fuzzParams(300, 10))(
    'paretoArriveBy keeps the undominated vectors, the earliest arriving journey of each, latest departure first',
    items => {
      const out = paretoArriveBy(items)
      const undominated = items.filter(j => !items.some(o => refDominatesAB(o, j)))
      const vectors = new Set(undominated.map(vecAB))
      expect(new Set(out.map(vecAB))).toEqual(vectors)
      expect(out.length).toBe(vectors.size)
      for (const j of out) {
        expect(items).toContain(j)
        // the earliest arrival among the journeys of its vector, and the first of those
        const same = items.filter(o => vecAB(o) === vecAB(j))
        const earliest = Math.min(...same.map(o => o.arrivalTime))
        expect(j).toBe(same.find(o => o.arrivalTime === earliest))
      }
      for (let i = 1; i < out.length; i++) {
        const [a, b] = [out[i - 1], out[i]]
        const order = [b.departureTime - a.departureTime, ...AB_KEYS.map(k => a[k] - b[k])].find(d => d !== 0)
        expect(order != null && order < 0).toBe(true)
      }
    }
  )
})

describe('planned journeys on generated networks', () => {
  const network = fc.record({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    stops: fc.integer({ min: 6, max: 16 }),
    lines: fc.integer({ min: 1, max: 4 }),
    trips: fc.integer({ min: 8, max: 40 })
  })
  const query = fc.record({
    from: fc.nat(),
    to: fc.nat(),
    departAfter: fc.integer({ min: 6 * 3600, max: 9 * 3600 }),
    maxTransfers: fc.integer({ min: 0, max: 3 }),
    maxWalkingM: fc.integer({ min: 0, max: 1_500 })
  })
  const samePlace = (a: Journey['legs'][number]['to'], b: Journey['legs'][number]['from']): boolean =>
    (a.stopId != null && a.stopId === b.stopId) || (Math.abs(a.lat - b.lat) < 1e-9 && Math.abs(a.lon - b.lon) < 1e-9)

  test.prop([network, query], fuzzParams(30, 1_000))(
    "criteria are the legs' own; legs follow each other in time and place; the query's limits hold; none dominates another",
    (n, q) => {
      const feed = generateDistrictNetwork({
        seed: n.seed,
        stops: n.stops,
        lines: n.lines,
        trips: n.trips,
        stopsPerLine: 5,
        serviceStart: 6 * 3600,
        serviceEnd: 10 * 3600
      })
      const tt = buildTimetable(feed)
      const from = feed.stops[q.from % feed.stops.length]
      const to = feed.stops[q.to % feed.stops.length]
      const r = planJourneys(tt, {
        from: { stopId: from.stop_id },
        to: { stopId: to.stop_id },
        departAfter: q.departAfter,
        maxTransfers: q.maxTransfers,
        maxWalkingM: q.maxWalkingM
      })
      for (const j of r.journeys) {
        for (const o of r.journeys) expect(refDominates(o, j)).toBe(false)
        const vehicles = j.legs.filter(l => l.mode !== Mode.WALK)
        expect(j.price).toBe(j.legs.reduce((s, l) => s + l.price, 0))
        expect(j.co2).toBeCloseTo(
          j.legs.reduce((s, l) => s + l.co2, 0),
          6
        )
        expect(j.walkingMetres).toBe(j.legs.filter(l => l.mode === Mode.WALK).reduce((s, l) => s + l.distance, 0))
        expect(j.transfers).toBe(Math.max(0, vehicles.length - 1))
        expect(j.transfers).toBeLessThanOrEqual(q.maxTransfers)
        expect(j.walkingMetres).toBeLessThanOrEqual(q.maxWalkingM)
        if (j.legs.length === 0) continue
        expect(j.departureTime).toBe(j.legs[0].departureTime)
        expect(j.legs[0].departureTime).toBeGreaterThanOrEqual(q.departAfter)
        expect(j.arrivalTime).toBe(j.legs[j.legs.length - 1].arrivalTime)
        // the journey starts at the origin and ends at the destination (a stop, or the stop's place)
        expect(samePlace(j.legs[0].from, { stopId: from.stop_id, lat: from.stop_lat, lon: from.stop_lon })).toBe(true)
        expect(samePlace(j.legs[j.legs.length - 1].to, { stopId: to.stop_id, lat: to.stop_lat, lon: to.stop_lon })).toBe(true)
        for (let i = 0; i < j.legs.length; i++) {
          expect(j.legs[i].arrivalTime).toBeGreaterThanOrEqual(j.legs[i].departureTime)
          if (i > 0) {
            expect(j.legs[i].departureTime).toBeGreaterThanOrEqual(j.legs[i - 1].arrivalTime)
            expect(samePlace(j.legs[i - 1].to, j.legs[i].from)).toBe(true)
          }
        }
      }
    }
  )
})

// ---- pay-per-use receipts ----

/** a plan of one unlock fee, one rate per started minute and one per started km, perhaps capped */
const planArb = fc
  .record({
    price: fc.integer({ min: 0, max: 10_000 }),
    perMin: fc.integer({ min: 0, max: 1_000 }),
    perKm: fc.integer({ min: 0, max: 1_000 }),
    cap: fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined })
  })
  .map(({ price, perMin, perKm, cap }) => ({
    plan: {
      plan_id: 'p',
      currency: 'IOTA',
      price,
      per_min_pricing: [{ start: 0, rate: perMin, interval: 1 }],
      per_km_pricing: [{ start: 0, rate: perKm, interval: 1 }],
      ...(cap != null ? { max_price: price + cap } : {})
    } satisfies PricingPlan,
    /** the fare, as GBFS defines it for these segments: every started minute and km charged once */
    fare: (u: { seconds: number; metres: number }): number =>
      Math.min(price + perMin * Math.ceil(u.seconds / 60) + perKm * Math.ceil(u.metres / 1000), cap != null ? price + cap : Infinity)
  }))

const MAX_S = 30
const MAX_MPS = 15
const TOLERANCE = 2
/**
 * one report as a vehicle, honest or not, may send: its seq (mostly the next), the seconds it adds (mostly
 * plausible), its speed (up to a bit over the bound), how far the traveller's clock moved meanwhile (about as
 * far, give or take), and now and then a malformed or misaddressed field
 */
const step = fc.record({
  seqBy: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 3 }) }),
  addS: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: MAX_S }) }, { weight: 1, arbitrary: fc.integer({ min: -5, max: 200 }) }),
  mps: fc.integer({ min: 0, max: MAX_MPS + 3 }),
  lagMs: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 3_000 }) },
    { weight: 2, arbitrary: fc.integer({ min: -4_000, max: 0 }) }
  ),
  junk: fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Partial<Record<string, unknown>>>(
        { seq: 0 },
        { seq: 1.5 },
        { usage: { seconds: -1, metres: 0 } },
        { usage: null },
        { ride: '' },
        { ride: 'other' },
        { at: Number.NaN },
        { usage: { seconds: 2 ** 53, metres: 0 } }
      )
    }
  )
})

describe('receipts under any sequence of reports', () => {
  test.prop(
    [planArb, fc.option(fc.integer({ min: 0, max: 80_000 }), { nil: undefined }), fc.array(step, { maxLength: 60 })],
    fuzzParams(150, 20)
  )(
    'the traveller signs only the fare for the use, never less than before, never over its cap, ' +
      'never faster than its clock and the speed bound',
    ({ plan, fare }, cap, steps) => {
      const T0 = 1_750_000_000_000
      const check = new UsageCheck({
        ride: 'r',
        plan,
        ...(cap != null ? { cap } : {}),
        maxSecondsPerReport: MAX_S,
        maxMetresPerSecond: MAX_MPS
      })
      const ledger = new ReceiptLedger()
      let now = T0
      let seq = 0
      let seconds = 0
      let metres = 0
      let last: ReceiptTerms | undefined
      let base: { seconds: number; now: number } | undefined
      for (const s of steps) {
        now += Math.max(0, s.addS * 1000 + s.lagMs)
        seq = Math.max(0, seq + s.seqBy)
        metres = Math.max(0, metres + Math.max(0, s.addS) * s.mps)
        seconds = Math.max(0, seconds + s.addS)
        const report = { ride: 'r', seq, usage: { seconds, metres }, at: now, ...s.junk } as UsageReport
        let terms: ReceiptTerms
        try {
          terms = check.next(report, now)
        } catch (err) {
          expect(err).toBeInstanceOf(UsageRejectedError)
          // a refused vehicle carries on from what was signed (else one refusal would doom every later report)
          seconds = last?.usage.seconds ?? 0
          metres = last?.usage.metres ?? 0
          continue
        }
        if (last != null && terms.nonce === last.nonce) {
          expect(terms).toEqual(last)
          continue
        }
        // what was signed: this report's seq and use, priced by the plan, within the cap
        expect(terms).toEqual({ ride: 'r', nonce: report.seq, usage: report.usage, totalNanos: fare(report.usage) })
        if (cap != null) expect(terms.totalNanos).toBeLessThanOrEqual(cap)
        const prev = last ?? { nonce: 0, usage: { seconds: 0, metres: 0 }, totalNanos: 0 }
        expect(terms.nonce).toBeGreaterThan(prev.nonce)
        expect(terms.usage.seconds).toBeGreaterThanOrEqual(prev.usage.seconds)
        expect(terms.usage.metres).toBeGreaterThanOrEqual(prev.usage.metres)
        expect(terms.totalNanos).toBeGreaterThanOrEqual(prev.totalNanos)
        const addedS = terms.usage.seconds - prev.usage.seconds
        expect(addedS).toBeLessThanOrEqual(MAX_S)
        expect(terms.usage.metres - prev.usage.metres).toBeLessThanOrEqual(MAX_MPS * (addedS + 1))
        if (base != null) expect(terms.usage.seconds - base.seconds).toBeLessThanOrEqual(Math.ceil((now - base.now) / 1000) + TOLERANCE)
        base ??= { seconds: terms.usage.seconds, now }
        last = terms
        // the vehicle takes every receipt the traveller signs
        expect(ledger.apply(terms, plan, cap)).toBe('applied')
        expect(ledger.latest('r')).toEqual(terms)
      }
    }
  )

  /** a receipt relative to the last one generated: mostly forward and at the fare, sometimes back, over, conflicting or malformed */
  const receiptStep = fc.record({
    nonceBy: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }) }),
    addS: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 120 }) }, { weight: 1, arbitrary: fc.integer({ min: -60, max: 0 }) }),
    addM: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 2_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: -500, max: 0 }) }
    ),
    /** the total: the fare for the use, less (the traveller's rounding), or more (a vehicle that overcharges) */
    totalBy: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3_000, max: 3_000 }) }),
    ride: fc.oneof({ weight: 12, arbitrary: fc.constantFrom('a', 'b') }, { weight: 1, arbitrary: fc.constantFrom<unknown>('', 7, null) }),
    junk: fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<Partial<Record<string, unknown>>>(
          { nonce: 0 },
          { nonce: 1.5 },
          { nonce: '3' },
          { totalNanos: -1 },
          { totalNanos: 0.5 },
          { totalNanos: 2 ** 53 },
          { usage: { seconds: -1, metres: 0 } },
          { usage: { seconds: 1, metres: 0.5 } },
          { usage: undefined }
        )
      }
    )
  })

  test.prop(
    [planArb, fc.option(fc.integer({ min: 0, max: 80_000 }), { nil: undefined }), fc.array(receiptStep, { maxLength: 60 })],
    fuzzParams(300, 20)
  )(
    "the vehicle's held receipt only moves forward and never exceeds the fare or the cap; refusals are ReceiptRejectedError",
    ({ plan, fare }, cap, steps) => {
      const ledger = new ReceiptLedger()
      const at = new Map<unknown, { nonce: number; seconds: number; metres: number }>()
      for (const s of steps) {
        const p = at.get(s.ride) ?? { nonce: 0, seconds: 0, metres: 0 }
        const next = {
          nonce: Math.max(0, p.nonce + s.nonceBy),
          seconds: Math.max(0, p.seconds + s.addS),
          metres: Math.max(0, p.metres + s.addM)
        }
        at.set(s.ride, next)
        const usage = { seconds: next.seconds, metres: next.metres }
        const r = {
          ride: s.ride,
          nonce: next.nonce,
          usage,
          totalNanos: Math.max(0, fare(usage) + s.totalBy),
          ...s.junk
        } as unknown as ReceiptTerms
        const before = typeof r.ride === 'string' ? ledger.latest(r.ride) : undefined
        let outcome: string
        try {
          outcome = ledger.apply(r, plan, cap)
        } catch (err) {
          expect(err).toBeInstanceOf(ReceiptRejectedError)
          if (typeof r.ride === 'string') expect(ledger.latest(r.ride)).toBe(before)
          continue
        }
        const held = ledger.latest(r.ride)!
        if (outcome === 'noop') {
          expect(held).toBe(before)
          expect(held).toEqual(r)
          continue
        }
        expect(outcome).toBe('applied')
        expect(held).toEqual(r)
        expect(held.totalNanos).toBeLessThanOrEqual(fare(held.usage))
        if (cap != null) expect(held.totalNanos).toBeLessThanOrEqual(cap)
        if (before != null) {
          expect(held.nonce).toBeGreaterThan(before.nonce)
          expect(held.usage.seconds).toBeGreaterThanOrEqual(before.usage.seconds)
          expect(held.usage.metres).toBeGreaterThanOrEqual(before.usage.metres)
          expect(held.totalNanos).toBeGreaterThanOrEqual(before.totalNanos)
        }
      }
    }
  )
})
