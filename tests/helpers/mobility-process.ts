/**
 * A mobility node as a real process, for the crash tests: a transit operator, a rental bike (pay per use)
 * or a traveller that books one bus leg (or rents the bike: `rent`), settling through the `iota` adapter against a
 * FakeIotaRpc test double (an HTTP JSON-RPC server the test runs), so both processes see one ledger. Prints one
 * JSON line per node event, and
 * `{ ready }` when it listens. KVARTAL_CRASH_AT kills it at a journal write point (KVARTAL_CRASH_SKIP=n:
 * after n writes there): this test entry point installs the crash-test hook (`@kvartal/node/testing`); a
 * node never reads either variable. With `commands: true` a traveller books what the test tells it on stdin.
 *
 *   node tests/helpers/mobility-process.ts '<json config>'
 */
import { IotaClient } from '@iota/iota-sdk/client'
import { fromHex, systemClock, toHex } from '@kvartal/protocol'
import { fixedMarkup } from '@kvartal/market'
import { buildTimetable, generateDistrictNetwork, type Timetable } from '@kvartal/mobility'
import { iotaSettlement } from '@kvartal/settlement'
import { createInterface } from 'node:readline'
import { KvartalNode, serviceDayStart, type ProviderService } from '@kvartal/node'
import { installCrashHook } from './crash-points.ts'

export interface MobilityProcessConfig {
  role: 'operator' | 'vehicle' | 'traveller'
  dataDir: string
  seed: string
  rpcUrl: string
  listen: string
  bootstrap: string[]
  holdMs: number
  seats: number
  /** slot length, ms (default 12 000), and slots per settlement period (default 100 000: never within a test) */
  slotMs?: number
  periodSlots?: number
  /**
   * a traveller that takes commands on stdin instead of booking one leg at start: one JSON line each,
   * answered with `{ reply }` (see `command` below)
   */
  commands?: boolean
  /** trips in the timetable, over its two days and three lines (default 600: one every 14 minutes or so on a line) */
  trips?: number
}

/** What a test asks a traveller started with `commands: true` to do. */
export type MobilityCommand =
  /** books the trip `tripId` (or the next one at least `leadS` seconds ahead, default 120) from its first stop to its third;
   *  `underFare`: a second leg on the same trip, its third stop to its fifth, offered at 1 nano (the operator refuses it) */
  | { cmd: 'book'; tripId?: string; underFare?: boolean; leadS?: number }
  /**
   * rents the bike heard on the mesh for `rideS` seconds, from `leadS` seconds from now (a journey of one planned,
   * quoted leg of 300 m): `there` from the bike's first place to `rideTo`, `back` the other way
   */
  | { cmd: 'rent'; leadS: number; rideS: number; way: 'there' | 'back' }

/** Where the rental bike stands at first, and where its rides go: 300 m east. */
export const bikePlace = { lat: 63.43, lon: 10.39 }
export const rideTo = { lat: 63.43, lon: 10.39 + 300 / (111_320 * Math.cos((63.43 * Math.PI) / 180)) }
/**
 * The bike's GBFS plan: a 10 IOTA-cent unlock fee (paid at booking), then 2 IOTA-cents a minute (settled with the period
 * from receipts).
 */
export const bikePricing = {
  plan_id: 'bike-std',
  currency: 'IOTA' as const,
  price: 10_000_000,
  per_min_pricing: [{ start: 0, rate: 2_000_000, interval: 1 }],
  max_price: 200_000_000
}

/** Both processes build the same timetable: three lines running around the clock for two days. */
export function crashTimetable(trips = 600): Timetable {
  return buildTimetable(
    generateDistrictNetwork({
      seed: 3,
      stops: 25,
      lines: 3,
      trips,
      stopsPerLine: 8,
      serviceStart: 0,
      serviceEnd: 2 * 86_400,
      center: { lat: 63.43, lon: 10.39 }
    })
  )
}

/** The first trip leaving its first stop at least `leadS` seconds from now, with ≥ 5 stops (or the trip `tripId`). */
export function nextTrip(
  tt: Timetable,
  nowMs: number,
  leadS: number,
  tripId?: string
): { tripId: string; routeId: string; stops: string[]; dep: number; arr: number; fare: number; dep2: number; arr4: number } {
  const nowS = Math.floor((nowMs - serviceDayStart(nowMs)) / 1000) + leadS
  let best: ReturnType<typeof nextTrip> | undefined
  for (const p of tt.patterns) {
    const n = p.stops.length
    if (n < 5) continue
    for (let t = 0; t < p.tripIds.length; t++) {
      const dep = p.dep[t * n]
      if (tripId != null ? p.tripIds[t] === tripId : dep >= nowS && (best == null || dep < best.dep))
        best = {
          tripId: p.tripIds[t],
          routeId: p.route.route_id,
          stops: [...p.stops].map(s => tt.stops[s].stop_id),
          dep,
          arr: p.arr[t * n + 2],
          fare: p.route.fare,
          dep2: p.dep[t * n + 2],
          arr4: p.arr[t * n + 4]
        }
    }
  }
  if (best == null) throw new Error('no trip ahead')
  return best
}

async function main(): Promise<void> {
  const c = JSON.parse(process.argv[2]) as MobilityProcessConfig
  installCrashHook('mobility-process.ts')
  const tt = crashTimetable(c.trips)
  const client = new IotaClient({ url: c.rpcUrl })
  const cancellation = { freeUntilS: 600, feeNanos: 0, refundAfterStart: false as const }
  const provider: ProviderService | undefined =
    c.role === 'operator'
      ? { kind: 'transit', agencyId: 'district-transit', mode: 'BUS', timetable: tt, seatsPerTrip: c.seats, cancellation, co2GPerKm: 60 }
      : c.role === 'vehicle'
        ? {
            kind: 'vehicle',
            mode: 'BICYCLE',
            position: bikePlace,
            pricing: bikePricing,
            co2GPerKm: 8,
            speedKmh: 15,
            cancellation,
            maxRentalMs: 3_600_000
          }
        : undefined
  const node = new KvartalNode({
    district: 'proc-mob',
    dataDir: c.dataDir,
    transport: 'tcp',
    listen: [c.listen],
    bootstrap: c.bootstrap,
    mdns: false,
    loopback: true,
    clock: systemClock,
    slots: { epochMs: 0, slotMs: c.slotMs ?? 12_000, gateClosureMs: Math.min(1_000, Math.floor((c.slotMs ?? 12_000) / 4)) },
    strategy: fixedMarkup(),
    profile: { buyLimit: 900_000_000, sellLimit: 300_000_000, position: () => 0 },
    keySeed: fromHex(c.seed),
    frameTimeoutMs: 2_000,
    ticksPerSlot: 6,
    // a peer that restarted is dialled again within 2 s (the default is 10 s)
    rejoinEveryMs: 2_000,
    onEvent: e => {
      process.stdout.write(JSON.stringify({ event: e.type, correlation: e.correlation, code: e.code, detail: e.detail }) + '\n')
    },
    mobility: { timetable: tt, holdMs: c.holdMs, offerEveryMs: 2_000, ...(provider != null ? { provider } : {}) },
    settlement: {
      periodSlots: c.periodSlots ?? 100_000,
      create: async (_signer, journal) =>
        iotaSettlement({
          network: 'testnet',
          seed: (await journal.loadSeed())!,
          store: journal.store('iota'),
          client,
          retry: { attempts: 2, baseDelayMs: 5 }
        })
    }
  })
  await node.start()
  // a vehicle also says where it is parked (after a restart: where its last ride left it)
  process.stdout.write(
    JSON.stringify({
      ready: node.host.getMultiaddrs().map(String),
      address: node.identity.iotaAddress,
      id: node.id,
      ...(node.mobility?.provider != null ? { position: node.mobility.provider.position } : {})
    }) + '\n'
  )
  const stop = (): void => {
    void node.stop().then(() => process.exit(0))
  }
  process.on('SIGTERM', stop)
  if (c.role !== 'traveller') return
  if (c.commands === true) {
    // one command at a time, in order, each answered on stdout
    let queue = Promise.resolve()
    createInterface({ input: process.stdin }).on('line', line => {
      queue = queue
        .then(async () => {
          const reply = await command(node, tt, JSON.parse(line) as MobilityCommand)
          process.stdout.write(JSON.stringify({ reply }) + '\n')
        })
        .catch(err => {
          process.stdout.write(JSON.stringify({ reply: { error: (err as Error).message } }) + '\n')
        })
    })
    return
  }
  if ((await node.mobility!.traveller.packages()).length > 0) return // a restart: the node's ticks resume the package
  process.stdout.write(JSON.stringify({ outcome: await command(node, tt, { cmd: 'book' }) }) + '\n')
}

async function command(node: KvartalNode, tt: Timetable, c: MobilityCommand): Promise<unknown> {
  if (c.cmd === 'rent') return await rent(node, c)
  const deadline = Date.now() + 30_000
  while (node.mobility!.services.operator('district-transit', systemClock.now()) == null) {
    if (Date.now() > deadline) throw new Error('no district-transit operator heard within 30 s')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const trip = nextTrip(tt, systemClock.now(), c.leadS ?? 120, c.tripId)
  const stop = (i: number): { stopId: string; lat: number; lon: number } => {
    const s = tt.stops[tt.stopIndex.get(trip.stops[i])!]
    return { stopId: trip.stops[i], lat: s.stop_lat, lon: s.stop_lon }
  }
  const from = stop(0)
  const to = stop(2)
  const plan = await node.mobility!.plan({ from, to, departAfter: systemClock.now() })
  // the trip's times are of today's service day; the plan's may be yesterday's (whose trips run past 24:00 in this
  // two-day timetable), and a journey's times count from the plan's day
  const shift = Math.round((serviceDayStart(systemClock.now()) - plan.dayStartMs) / 1000)
  const legs = [
    {
      mode: 'BUS' as const,
      from,
      to,
      departureTime: trip.dep + shift,
      arrivalTime: trip.arr + shift,
      price: trip.fare,
      co2: 10,
      distance: 600,
      routeId: trip.routeId,
      tripId: trip.tripId
    }
  ]
  if (c.underFare === true)
    legs.push({
      mode: 'BUS' as const,
      from: to,
      to: stop(4),
      departureTime: trip.dep2 + shift,
      arrivalTime: trip.arr4 + shift,
      price: 1,
      co2: 10,
      distance: 600,
      routeId: trip.routeId,
      tripId: trip.tripId
    })
  const last = legs[legs.length - 1]
  const journey = {
    legs,
    departureTime: trip.dep + shift,
    arrivalTime: last.arrivalTime,
    price: legs.reduce((a, l) => a + l.price, 0),
    co2: 10 * legs.length,
    transfers: legs.length - 1,
    walkingMetres: 0
  }
  const out = await node.mobility!.book(plan, journey)
  return { ...out, tripId: trip.tripId, fare: trip.fare }
}

/** Rents the bike: plans (asking it for a quote), then books its leg for the window asked. */
async function rent(node: KvartalNode, c: Extract<MobilityCommand, { cmd: 'rent' }>): Promise<unknown> {
  const deadline = Date.now() + 30_000
  // the bike's offer names its current asset id, which changes after every ride: a quote heard before its
  // last ride ended is refused (unknown-asset), and the next offer brings the new one
  for (;;) {
    const [from, to] = c.way === 'there' ? [bikePlace, rideTo] : [rideTo, bikePlace]
    const plan = await node.mobility!.plan({ from, to, departAfter: systemClock.now() })
    const [legId, q] = [...plan.quotes].find(([, q]) => q.leg.mode === 'BICYCLE') ?? []
    if (legId != null && q != null) {
      const depS = Math.floor((systemClock.now() - plan.dayStartMs) / 1000) + c.leadS
      const journey = {
        legs: [
          {
            mode: 'BICYCLE' as const,
            from,
            to,
            departureTime: depS,
            arrivalTime: depS + c.rideS,
            price: q.leg.price,
            co2: q.leg.co2G,
            distance: 300,
            legId,
            provider: toHex(q.provider)
          }
        ],
        departureTime: depS,
        arrivalTime: depS + c.rideS,
        price: q.leg.price,
        co2: q.leg.co2G,
        transfers: 0,
        walkingMetres: 0
      }
      const out = await node.mobility!.book(plan, journey)
      if (out.status === 'CONFIRMED' || Date.now() > deadline)
        return { ...out, from: plan.dayStartMs + depS * 1000, to: plan.dayStartMs + (depS + c.rideS) * 1000 }
    }
    if (Date.now() > deadline) throw new Error('no bike quoted within 30 s')
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

if (process.argv[1] != null && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch(err => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`)
    process.exit(1)
  })
}
export { toHex }
