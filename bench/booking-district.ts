/**
 * The booking bench's district (booking.ts): real nodes on one simulated clock, each a transit operator,
 * a vehicle or a traveller, settling on one shared LocalLedger, and the timetable they sell.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SimulatedClock, seededRandom, type NodeEvent, type SlotClockConfig } from '@kvartal/protocol'
import { fixedMarkup } from '@kvartal/market'
import { identityFromSeed, memoryListenAddress } from '@kvartal/mesh'
import { KvartalNode, type ProviderService } from '@kvartal/node'
import { LocalLedger, localSettlement } from '@kvartal/settlement'
import { buildTimetable, generateDistrictNetwork, type Coordinate, type PricingPlan, type Timetable } from '@kvartal/mobility'
import { info, keySeedOf, sleep, tariffs, withTimeout, zeroProfile } from './common.ts'

export const DISTRICT = 'bench'
const TICKS_PER_SLOT = 4
/** slot 0 starts at 10:00 the day before: the day-long settlement period 0 ends at 10:00 of the bench's day */
const slots: SlotClockConfig = { epochMs: Date.UTC(2026, 5, 16, 10, 0), slotMs: 15 * 60_000, gateClosureMs: 60_000 }
const START_MS = Date.UTC(2026, 5, 17, 8, 0)
export const PERIOD_SLOTS = 96
export const PERIOD_END_MS = slots.epochMs + PERIOD_SLOTS * slots.slotMs
export const TICK_MS = slots.slotMs / TICKS_PER_SLOT
export const AGENCIES = ['operator-a', 'operator-b', 'operator-c']
const FUNDS = 1_000_000 * 1_000_000_000 // a million IOTA per node: thousands of packages at ~1.2 IOTA each

export const dayS = (ms: number): number => Math.floor((ms % 86_400_000) / 1000)

/** A seeded network of 49 stops and 6 lines (~1,200 trips), lines 0 and 3 run by operator-a, 1 and 4 by -b, 2 and 5 by -c. */
export function threeAgencyTimetable(): Timetable {
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

export function transit(tt: Timetable, agencyId: string, seatsPerTrip: number): ProviderService {
  return { kind: 'transit', agencyId, mode: 'BUS', timetable: tt, seatsPerTrip, cancellation, co2GPerKm: 60 }
}
export function vehicle(mode: 'BICYCLE' | 'SCOOTER', position: Coordinate): ProviderService {
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

export type Role = ProviderService | 'traveller'

export interface MobilityBench {
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
export async function mobilityDistrict(roles: Role[], tt: Timetable): Promise<MobilityBench> {
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
export async function awaitOffers(d: MobilityBench): Promise<void> {
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
