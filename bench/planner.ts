/**
 * Journey-planning figures: `node bench/planner.ts [queries] [stops] [trips]`. Generates a seeded district
 * timetable (default 1,024 stops, ≥ 10,000 trips) with on-demand offers, then plans random queries
 * (half between stops, half between free coordinates, depart 06:00–20:00) and prints one JSON line:
 * generation and index build time, counts, planning p50/p99/max in ms, mean Pareto-set size; then arrive-by
 * queries (be there within the hour: a range of forward searches, arrive-by.ts) with their p50/p99 and
 * searches per query. Single-threaded; measurement only.
 */
import {
  buildTimetable,
  generateDistrictNetwork,
  generateOnDemandLegs,
  offsetMetres,
  planArriveBy,
  planJourneys,
  type JourneyQuery,
  type PlaceRef
} from '@kvartal/mobility'
import { seededRandom } from '@kvartal/protocol'

const watchdog = setTimeout(() => {
  process.stdout.write(JSON.stringify({ bench: 'planner', error: 'did not finish within 80 s' }) + '\n')
  process.exit(1)
}, 80_000)
watchdog.unref()

const queries = Number(process.argv[2] ?? 200)
const stopCount = Number(process.argv[3] ?? 1_024)
const tripTarget = Number(process.argv[4] ?? 10_000)

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
const round2 = (x: number): number => Math.round(x * 100) / 100

const t0 = performance.now()
const feed = generateDistrictNetwork({ seed: 42, stops: stopCount, lines: 64, trips: tripTarget, stopsPerLine: 30 })
const offers = generateOnDemandLegs(feed, { seed: 42, count: 200, start: 6 * 3600, end: 22 * 3600 })
const t1 = performance.now()
const tt = buildTimetable(feed)
const buildMs = performance.now() - t1
const generateMs = t1 - t0

const rnd = seededRandom(7)
const place = (): PlaceRef => {
  const s = feed.stops[Math.floor(rnd() * feed.stops.length)]
  if (rnd() < 0.5) return { stopId: s.stop_id }
  const c = offsetMetres({ lat: s.stop_lat, lon: s.stop_lon }, Math.round((rnd() - 0.5) * 300), Math.round((rnd() - 0.5) * 300))
  return c
}
const qs: JourneyQuery[] = Array.from({ length: queries }, () => ({
  from: place(),
  to: place(),
  departAfter: 6 * 3600 + Math.floor(rnd() * 14 * 3600)
}))

// warm-up: let the JIT see the code before timing
for (const q of qs.slice(0, 10)) planJourneys(tt, q, offers)

const times: number[] = []
let journeys = 0
let empty = 0
let labels = 0
const tq = performance.now()
for (const q of qs) {
  const t = performance.now()
  const r = planJourneys(tt, q, offers)
  times.push(performance.now() - t)
  journeys += r.journeys.length
  labels += r.labels
  if (r.journeys.length === 0) empty++
}
const totalMs = performance.now() - tq
times.sort((a, b) => a - b)

// arrive-by: the same kind of places, a deadline 07:00–20:00, leaving at most an hour before it
const arriveQueries = Math.max(1, Math.floor(queries / 10))
const arrive = Array.from({ length: arriveQueries }, () => {
  const arriveBy = 7 * 3600 + Math.floor(rnd() * 13 * 3600)
  return { from: place(), to: place(), earliestDeparture: arriveBy - 3600, arriveBy }
})
const arriveTimes: number[] = []
let searches = 0
let arriveJourneys = 0
let truncated = 0
for (const q of arrive) {
  const t = performance.now()
  const r = planArriveBy(tt, q, offers)
  arriveTimes.push(performance.now() - t)
  searches += r.searches
  arriveJourneys += r.journeys.length
  if (r.truncated) truncated++
}
arriveTimes.sort((a, b) => a - b)
process.stdout.write(
  JSON.stringify({
    bench: 'planner',
    stops: tt.stops.length,
    trips: tt.tripCount,
    patterns: tt.patterns.length,
    footpaths: tt.transfers.length,
    onDemandOffers: offers.length,
    generateMs: round2(generateMs),
    buildMs: round2(buildMs),
    queries,
    maxTransfers: 3,
    maxWalkingM: 1_000,
    p50Ms: round2(pct(times, 50)),
    p99Ms: round2(pct(times, 99)),
    maxMs: round2(times[times.length - 1]),
    meanMs: round2(totalMs / queries),
    meanParetoSize: round2(journeys / queries),
    meanLabels: Math.round(labels / queries),
    noJourney: empty,
    arriveBy: {
      queries: arriveQueries,
      windowS: 3600,
      p50Ms: round2(pct(arriveTimes, 50)),
      p99Ms: round2(pct(arriveTimes, 99)),
      meanSearches: round2(searches / arriveQueries),
      meanParetoSize: round2(arriveJourneys / arriveQueries),
      truncated
    }
  }) + '\n'
)
clearTimeout(watchdog)
