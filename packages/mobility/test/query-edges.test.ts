import { describe, expect, it } from 'vitest'
import { Mode, buildTimetable, defaultQueryOptions, offerDeparture, prepareQuery, type Feed, type OnDemandLeg } from '../src/index.ts'

/**
 * The edges of query.ts: each refusal with the field it names, the defaults, which offers are read, the nodes
 * and walks of the query graph (none into the origin or out of the destination, walks of exactly the budget),
 * and when an on-demand leg can leave.
 */
const feed = (): Feed => ({
  stops: [
    { stop_id: 'A', stop_name: 'A', stop_lat: 52.37, stop_lon: 4.89 },
    { stop_id: 'B', stop_name: 'B', stop_lat: 52.371, stop_lon: 4.89 },
    { stop_id: 'C', stop_name: 'C', stop_lat: 52.45, stop_lon: 4.89 }
  ],
  routes: [{ route_id: 'R', route_type: 0, fare: 1, co2_per_km: 1 }],
  trips: [{ trip_id: 't', route_id: 'R' }],
  stop_times: [
    { trip_id: 't', stop_id: 'A', stop_sequence: 1, arrival_time: 0, departure_time: 0 },
    { trip_id: 't', stop_id: 'C', stop_sequence: 2, arrival_time: 600, departure_time: 600 }
  ],
  transfers: []
})
const offer = (o: Partial<OnDemandLeg> = {}): OnDemandLeg => ({
  id: 'od',
  provider: 'p',
  mode: Mode.BICYCLE,
  from: { stopId: 'A' },
  to: { stopId: 'C' },
  durationS: 60,
  price: 1,
  co2: 0,
  distance: 1,
  ...o
})
const refuses = (f: () => unknown, message: string): void => {
  expect(f).toThrow(expect.objectContaining({ name: 'JourneyQueryError', code: 'ERR_JOURNEY_QUERY', message }))
}

describe('prepareQuery refuses, naming the field', () => {
  const tt = buildTimetable(feed())
  const q = { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 0 }

  it('numbers that are not whole and non-negative', () => {
    refuses(() => prepareQuery(tt, { ...q, departAfter: -1 }), 'departAfter must be a whole non-negative number, got -1')
    refuses(() => prepareQuery(tt, { ...q, maxWalkingM: 0.5 }), 'maxWalkingM must be a whole non-negative number, got 0.5')
    refuses(() => prepareQuery(tt, { ...q, maxTransfers: -1 }), 'maxTransfers must be a whole non-negative number, got -1')
    refuses(() => prepareQuery(tt, q, [offer({ durationS: 1.5 })]), 'offer od durationS must be a whole non-negative number, got 1.5')
    refuses(() => prepareQuery(tt, q, [offer({ price: -1 })]), 'offer od price must be a whole non-negative number, got -1')
    refuses(() => prepareQuery(tt, q, [offer({ co2: -2 })]), 'offer od co2 must be a whole non-negative number, got -2')
    expect(prepareQuery(tt, { ...q, maxWalkingM: 0, maxTransfers: 0 }, [offer({ durationS: 0, price: 0 })]).maxLegs).toBe(1)
  })

  it('places that are unknown stops or not numbers', () => {
    refuses(() => prepareQuery(tt, { ...q, from: { stopId: 'X' } }), 'from: unknown stop_id X')
    refuses(() => prepareQuery(tt, { ...q, to: { stopId: 'Y' } }), 'to: unknown stop_id Y')
    refuses(() => prepareQuery(tt, { ...q, from: { lat: Number.NaN, lon: 4.89 } }), 'from: lat and lon must be numbers')
    refuses(() => prepareQuery(tt, { ...q, to: { lat: 52.37, lon: Number.POSITIVE_INFINITY } }), 'to: lat and lon must be numbers')
    refuses(() => prepareQuery(tt, q, [offer({ from: { stopId: 'Z' } })]), 'offer od from: unknown stop_id Z')
    refuses(() => prepareQuery(tt, q, [offer({ to: { lat: 52.37, lon: Number.NaN } })]), 'offer od to: lat and lon must be numbers')
  })

  it('reads no offer of a mode the traveller does not accept', () => {
    const g = prepareQuery(tt, { ...q, modes: [Mode.TRAM] }, [offer({ price: -1, from: { stopId: 'Z' } })])
    expect(g.offersFrom.flat()).toEqual([])
    expect(g.patternAllowed).toEqual(Uint8Array.from([1]))
    expect(prepareQuery(tt, { ...q, modes: [Mode.BUS] }).patternAllowed).toEqual(Uint8Array.from([0]))
  })
})

describe('the query graph', () => {
  const tt = buildTimetable(feed())

  it('has the defaults: 1,000 walked metres, three transfers, no deadline, every mode', () => {
    const g = prepareQuery(tt, { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 7 })
    expect(defaultQueryOptions).toEqual({ maxWalkingM: 1_000, maxTransfers: 3 })
    expect(g).toMatchObject({ stopCount: 3, origin: 3, destination: 4, nodeCount: 5, maxWalkingM: 1_000, maxLegs: 4, departAfter: 7 })
    expect(g.latestArrival).toBe(Number.POSITIVE_INFINITY)
    expect(g.running).toBeUndefined()
    expect(g.blockedStops).toBeUndefined()
    expect(prepareQuery(tt, { from: { stopId: 'A' }, to: { stopId: 'C' }, departAfter: 7, latestArrival: 99 }).latestArrival).toBe(99)
  })

  it('gives one node to each distinct coordinate an offer starts or ends at, and stops their own', () => {
    const p = { lat: 52.3705, lon: 4.8905 }
    const offers = [
      offer({ id: 'a', from: p, to: { stopId: 'C' } }),
      offer({ id: 'b', from: { stopId: 'B' }, to: { ...p } }),
      offer({ id: 'c', from: { lat: 52.36, lon: 4.88 }, to: p })
    ]
    // origin A and destination B are both within a walk of the offers' point p
    const g = prepareQuery(tt, { from: { stopId: 'A' }, to: { stopId: 'B' }, departAfter: 0 }, offers)
    expect(g.nodeCount).toBe(7)
    expect(g.extraWalks[g.destination]).toEqual([])
    expect(g.extraWalks.every(ws => ws.every(w => w.to !== g.origin))).toBe(true)
    expect(g.extraWalks[g.origin].map(w => w.to)).toContain(5)
    expect(g.extraWalks[5].map(w => w.to)).toContain(g.destination)
    // no node walks to itself
    expect(g.extraWalks.every((ws, n) => ws.every(w => w.to !== n))).toBe(true)
    expect(g.extraWalks[5].length).toBeGreaterThan(0)
    expect(g.places[5]).toEqual(p)
    expect(g.places[6]).toEqual({ lat: 52.36, lon: 4.88 })
    expect(g.offersFrom.map(os => os.map(o => o.id))).toEqual([[], ['b'], [], [], [], ['a'], ['c']])
    expect([...g.offerTo.entries()].map(([o, n]) => [o.id, n])).toEqual([
      ['a', 2],
      ['b', 5],
      ['c', 5]
    ])
  })

  it('walks nothing into the origin and nothing out of the destination; a walk of exactly the budget is kept', () => {
    // origin and destination are coordinates 100 m apart, A is 5 m from the origin
    const from = { lat: 52.37, lon: 4.89007 }
    const to = { lat: 52.3709, lon: 4.89007 }
    const g0 = prepareQuery(tt, { from, to, departAfter: 0 })
    const walked = g0.extraWalks[g0.origin].find(w => w.to === g0.destination)!.metres
    const g = prepareQuery(tt, { from, to, departAfter: 0, maxWalkingM: walked })
    expect(g.extraWalks[g.origin].map(w => w.to)).toContain(g.destination)
    expect(g.extraWalks.every(ws => ws.every(w => w.to !== g.origin))).toBe(true)
    expect(g.extraWalks[g.destination]).toEqual([])
    expect(g.extraWalks[0].map(w => w.to)).toContain(g.destination)
    const shorter = prepareQuery(tt, { from, to, departAfter: 0, maxWalkingM: walked - 1 })
    expect(shorter.extraWalks[shorter.origin].map(w => w.to)).not.toContain(shorter.destination)
  })
})

describe('offerDeparture', () => {
  it('leaves when the traveller gets there, not before it is available, and not after', () => {
    const o = offer({ availableFrom: 100, availableUntil: 200 })
    expect([50, 100, 150, 200, 201].map(t => offerDeparture(o, t))).toEqual([100, 100, 150, 200, -1])
    expect(offerDeparture(offer(), 0)).toBe(0)
    expect(offerDeparture(offer({ availableUntil: 10 }), 10)).toBe(10)
  })
})
