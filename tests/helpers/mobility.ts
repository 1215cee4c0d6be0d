import { LocalLedger, localSettlement } from '@kvartal/settlement'
import {
  buildTimetable,
  generateDistrictNetwork,
  offsetMetres,
  type Coordinate,
  type Journey,
  type JourneyLeg,
  type Timetable
} from '@kvartal/mobility'
import type { JournalOptions, KvartalNode, ProviderService, JourneyPlan } from '@kvartal/node'
import { join } from 'node:path'
import { startDistrict, type TestDistrict } from './nodes.ts'

/** A small generated district network: 25 stops, 3 lines, about 120 trips (seeded). */
export function smallTimetable(): Timetable {
  return buildTimetable(
    generateDistrictNetwork({ seed: 3, stops: 25, lines: 3, trips: 120, stopsPerLine: 8, center: { lat: 63.43, lon: 10.39 } })
  )
}

export const flatCancellation = { freeUntilS: 600, feeNanos: 5_000_000, refundAfterStart: false as const }
export const bikePlan = {
  plan_id: 'bike-std',
  currency: 'IOTA' as const,
  price: 10_000_000,
  per_min_pricing: [{ start: 0, rate: 2_000_000, interval: 1 }],
  max_price: 200_000_000
}
export const scooterPlan = {
  plan_id: 'scooter-std',
  currency: 'IOTA' as const,
  price: 15_000_000,
  per_min_pricing: [{ start: 0, rate: 3_000_000, interval: 1 }],
  per_km_pricing: [{ start: 1, rate: 5_000_000, interval: 1 }]
}

export function vehicle(
  mode: 'BICYCLE' | 'SCOOTER' | 'CAR',
  position: Coordinate,
  battery?: { capacityWh: number; socWh: number; reserveWh: number; whPerKm: number }
): ProviderService {
  return {
    kind: 'vehicle',
    mode,
    position,
    pricing: mode === 'BICYCLE' ? bikePlan : scooterPlan,
    co2GPerKm: mode === 'CAR' ? 90 : 8,
    speedKmh: mode === 'CAR' ? 30 : 15,
    cancellation: flatCancellation,
    maxRentalMs: 4 * 3_600_000,
    ...(battery != null ? { battery } : {})
  }
}

export function transit(timetable: Timetable, seatsPerTrip: number): ProviderService {
  return {
    kind: 'transit',
    agencyId: 'district-transit',
    mode: 'BUS',
    timetable,
    seatsPerTrip,
    cancellation: flatCancellation,
    co2GPerKm: 60
  }
}

export interface MobilityDistrict extends TestDistrict {
  ledger: LocalLedger
  timetable: Timetable
}

/**
 * Real nodes (libp2p memory transport, level journals) on one simulated clock, each with a mobility
 * role, all settling on one shared local ledger (an embedded ledger, not a network); every node's
 * account is funded with 100 IOTA.
 */
export async function startMobilityDistrict(
  roles: Array<ProviderService | 'traveller'>,
  opts: {
    timetable?: Timetable
    holdMs?: number
    periodSlots?: number
    positions?: Array<((slot: number) => number) | undefined>
    ownLedger?: number[]
    operators?: Record<string, string>
    /** per node, MobilityOptions.zones (the district gossips mobility by zone); absent: the district's one topic */
    zones?: Array<{ home?: Coordinate } | undefined>
    /** per node, its journal's options (a failing disk's database, a probe interval) */
    journals?: Array<Partial<JournalOptions> | undefined>
  } = {}
): Promise<MobilityDistrict> {
  const timetable = opts.timetable ?? smallTimetable()
  let ledger: LocalLedger | undefined
  let opening: Promise<LocalLedger> | undefined
  let ledgerDir = ''
  const d = await startDistrict(
    roles.map((_, i) => ({ buyLimit: 900_000_000, sellLimit: 300_000_000, position: opts.positions?.[i] ?? (() => 0) })),
    {
      degree: 4,
      extra: i => ({
        ...(opts.journals?.[i] != null ? { journal: opts.journals[i] } : {}),
        mobility: {
          timetable,
          ...(roles[i] !== 'traveller' ? { provider: roles[i] as ProviderService } : {}),
          ...(opts.holdMs != null ? { holdMs: opts.holdMs } : {}),
          ...(opts.operators != null ? { operators: opts.operators } : {}),
          ...(opts.zones?.[i] != null ? { zones: opts.zones[i] } : {})
        },
        settlement: {
          periodSlots: opts.periodSlots ?? 4,
          create: async signer => {
            // a node listed in ownLedger settles on a ledger of its own, which sees nobody else's payments
            if (opts.ownLedger?.includes(i) === true) {
              const own = await LocalLedger.open(join(ledgerDir, `own-${i}`))
              return {
                ...localSettlement(own, signer),
                close: async () => {
                  await own.close()
                }
              }
            }
            opening ??= LocalLedger.open(ledgerDir)
            ledger = await opening
            return localSettlement(ledger, signer)
          }
        }
      }),
      beforeStart: dir => {
        ledgerDir = join(dir, 'ledger')
      }
    }
  )
  for (const n of d.nodes) await ledger!.mint(n.identity.iotaAddress, 100_000_000_000)
  const close = d.close
  return {
    ...d,
    timetable,
    ledger: ledger!,
    async close() {
      await Promise.all(d.nodes.map(async n => await n.stop()))
      await ledger?.close()
      await close()
    }
  }
}

/** A trip of the timetable leaving its first stop at least `afterS` seconds into the service day, with ≥ 3 stops. */
export function tripAfter(
  tt: Timetable,
  afterS: number
): { tripId: string; routeId: string; stops: string[]; dep: number[]; arr: number[] } {
  for (const p of tt.patterns) {
    const n = p.stops.length
    if (n < 3) continue
    for (let t = 0; t < p.tripIds.length; t++) {
      if (p.dep[t * n] >= afterS) {
        return {
          tripId: p.tripIds[t],
          routeId: p.route.route_id,
          stops: [...p.stops].map(s => tt.stops[s].stop_id),
          dep: [...p.dep.slice(t * n, t * n + n)],
          arr: [...p.arr.slice(t * n, t * n + n)]
        }
      }
    }
  }
  throw new Error('no trip')
}

/** A hand-made journey: a bike to the bus, the bus two stops, a scooter from there (legs reference the plan's quotes). */
export function threeLegJourney(
  plan: JourneyPlan,
  tt: Timetable,
  trip: ReturnType<typeof tripAfter>,
  bikeQuote: string,
  scooterQuote: string
): Journey {
  const stop = (id: string): { stopId: string; lat: number; lon: number } => {
    const s = tt.stops[tt.stopIndex.get(id)!]
    return { stopId: id, lat: s.stop_lat, lon: s.stop_lon }
  }
  const a = stop(trip.stops[0])
  const b = stop(trip.stops[2])
  const start = offsetMetres(a, -800, 0)
  const bike = plan.quotes.get(bikeQuote)!
  const scooter = plan.quotes.get(scooterQuote)!
  const legs: JourneyLeg[] = [
    {
      mode: 'BICYCLE',
      from: start,
      to: a,
      departureTime: trip.dep[0] - 600,
      arrivalTime: trip.dep[0] - 240,
      price: bike.leg.price,
      co2: 5,
      distance: 900,
      provider: 'bike',
      legId: bikeQuote
    },
    {
      mode: 'BUS',
      from: a,
      to: b,
      departureTime: trip.dep[0],
      arrivalTime: trip.arr[2],
      price: tt.patterns.find(p => p.route.route_id === trip.routeId)!.route.fare,
      co2: 40,
      distance: 600,
      routeId: trip.routeId,
      tripId: trip.tripId
    },
    {
      mode: 'SCOOTER',
      from: b,
      to: offsetMetres(b, 900, 0),
      departureTime: trip.arr[2] + 60,
      arrivalTime: trip.arr[2] + 480,
      price: scooter.leg.price,
      co2: 7,
      distance: 1100,
      provider: 'scooter',
      legId: scooterQuote
    }
  ]
  const last = legs[2]
  return {
    legs,
    departureTime: legs[0].departureTime,
    arrivalTime: last.arrivalTime,
    price: legs.reduce((x, l) => x + l.price, 0),
    co2: 52,
    transfers: 2,
    walkingMetres: 0
  }
}

export function quoteIdOf(plan: JourneyPlan, provider: KvartalNode): string {
  const id = [...plan.quotes].find(([, q]) => Buffer.from(q.provider).toString('hex') === provider.id)?.[0]
  if (id == null) throw new Error(`no quote from ${provider.id.slice(0, 8)}`)
  return id
}

/** Resolves once `cond` holds (gossip arrives in milliseconds; a loaded machine may take seconds). */
export async function waitUntil(cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/** A hand-made one-leg journey: the bus from a trip's first stop to its third, at `fare`. */
export function busJourney(tt: Timetable, trip: ReturnType<typeof tripAfter>, fare: number): Journey {
  const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
  const b = tt.stops[tt.stopIndex.get(trip.stops[2])!]
  return {
    legs: [
      {
        mode: 'BUS',
        from: { stopId: trip.stops[0], lat: a.stop_lat, lon: a.stop_lon },
        to: { stopId: trip.stops[2], lat: b.stop_lat, lon: b.stop_lon },
        departureTime: trip.dep[0],
        arrivalTime: trip.arr[2],
        price: fare,
        co2: 10,
        distance: 600,
        routeId: trip.routeId,
        tripId: trip.tripId
      }
    ],
    departureTime: trip.dep[0],
    arrivalTime: trip.arr[2],
    price: fare,
    co2: 10,
    transfers: 0,
    walkingMetres: 0
  }
}
