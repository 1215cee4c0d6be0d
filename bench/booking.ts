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
 *
 * The two are in booking-throughput.ts and booking-day.ts; the district both run, in booking-district.ts.
 */
import { runChild } from './common.ts'
import { day } from './booking-day.ts'
import { throughput } from './booking-throughput.ts'

const arg = process.argv[2]
if (arg === 'day') runChild('booking-day', 150_000, day)
else runChild('booking', 120_000, async () => await throughput(Number(arg ?? 6)))
