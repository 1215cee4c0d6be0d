/**
 * The soak district's node configs, as `kvartal node` reads them: energy sellers, buyers and prosumers
 * (who sell in some slots and buy in others) with fixed position schedules drawn from the seed, one
 * transit operator selling seats on a GTFS bus line, travellers booking them, rental bikes (vehicle
 * providers, pay per use: tests/helpers/mobility-process.ts's plan) and riders renting them. Every node
 * settles through the `iota` adapter against one ledger (a test double of an IOTA full node that the soak
 * runs), listens on a fixed TCP port of its address (127.0.0.1, or its own in a network namespace) so that
 * a restarted node is found where it was, and has short slots so that the district trades fast.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { seededRandom } from '@kvartal/protocol'
import { zoneCentre, zoneOf, ZONE_PRECISION } from '@kvartal/mobility'
import { bikePricing } from '../../tests/helpers/mobility-process.ts'
import type { SoakMeter } from './meter-feed.ts'

export type SoakRole = 'seller' | 'buyer' | 'prosumer' | 'operator' | 'traveller' | 'vehicle' | 'rider'

export interface SoakNode {
  readonly name: string
  readonly role: SoakRole
  readonly config: string
  readonly dataDir: string
  readonly port: number
  /** the address it listens on */
  readonly host: string
  /** Wh per slot, cyclic: what the invariant checker holds the node's trades against */
  readonly position: number[]
  readonly seatsPerTrip?: number
  /** its building's meter, published through the soak's MQTT broker (meter-feed.ts); none: every slot a gap */
  readonly meter?: SoakMeter
}

export interface DistrictShape {
  readonly dir: string
  readonly seed: number
  readonly sellers: number
  readonly buyers: number
  /** traders that sell in some slots and buy in others */
  readonly prosumers: number
  readonly travellers: number
  /** rental bikes, and the riders that rent them */
  readonly vehicles: number
  readonly riders: number
  readonly slotSeconds: number
  readonly periodSlots: number
  readonly rpcUrl: string
  readonly gtfs: string
  readonly agencyId: string
  readonly seatsPerTrip: number
  /** where the bus line runs; the bikes ride between two zones here (rideZones) */
  readonly center: { readonly lat: number; readonly lon: number }
  readonly ports: readonly number[]
  /** each node's address, in the district's order; default 127.0.0.1 for all */
  readonly hosts?: readonly string[]
}

export const SOAK_DISTRICT = 'soak'

/** Positions cycle over this many slots. */
const CYCLE = 7

/**
 * Where the bikes ride: between the centres of two neighbouring zones (geohash cells of ZONE_PRECISION, about
 * 0.6 km apart here) near the bus line. A vehicle quotes a ride to the centre of the zone asked for, so a rider
 * asks for the other zone's centre than the one the bike stands in (rideZones' `other`).
 */
export function rideZones(center: { lat: number; lon: number }): {
  a: string
  b: string
  other: (at: { lat: number; lon: number }) => string
} {
  const a = zoneOf(center, ZONE_PRECISION)
  // the cell north of it: a geohash cell of precision 6 is 180 / 2^15 degrees of latitude high
  const b = zoneOf({ lat: zoneCentre(a).lat + 180 / 2 ** 15, lon: zoneCentre(a).lon }, ZONE_PRECISION)
  return { a, b, other: at => (zoneOf(at, ZONE_PRECISION) === a ? b : a) }
}
export { zoneCentre }

/** km/h a bike is quoted at: a ride between the two zones' centres (about 0.8 km of road) lasts about 20 s */
export const RIDE_KMH = 150

/**
 * The district's nodes, their positions drawn from the seed: sellers offer 200–1,400 Wh a slot, buyers need
 * 400–2,400, prosumers offer 200–1,400 in some slots and need 400–2,400 in others (at least one of each).
 */
export function districtNodes(s: DistrictShape): SoakNode[] {
  const random = seededRandom(s.seed ^ 0x5eed)
  const roles: SoakRole[] = [
    ...Array<SoakRole>(s.sellers).fill('seller'),
    ...Array<SoakRole>(s.buyers).fill('buyer'),
    ...Array<SoakRole>(s.prosumers).fill('prosumer'),
    ...(s.travellers > 0 ? ['operator' as const] : []),
    ...Array<SoakRole>(s.travellers).fill('traveller'),
    ...Array<SoakRole>(s.riders > 0 ? s.vehicles : 0).fill('vehicle'),
    ...Array<SoakRole>(s.vehicles > 0 ? s.riders : 0).fill('rider')
  ]
  if (s.ports.length < roles.length) throw new RangeError(`${roles.length} nodes need as many ports, got ${s.ports.length}`)
  const counts: Record<string, number> = {}
  return roles.map((role, i) => {
    const name = `${role}-${(counts[role] = (counts[role] ?? 0) + 1)}`
    const position =
      role === 'seller'
        ? Array.from({ length: CYCLE }, () => 200 + Math.floor(random() * 1_200))
        : role === 'buyer'
          ? Array.from({ length: CYCLE }, () => -(400 + Math.floor(random() * 2_000)))
          : role === 'prosumer'
            ? Array.from({ length: CYCLE }, (_, k) => {
                const sells = k === 0 ? true : k === 1 ? false : random() < 0.5
                return sells ? 200 + Math.floor(random() * 1_200) : -(400 + Math.floor(random() * 2_000))
              })
            : [0]
    return {
      name,
      role,
      config: join(s.dir, `${name}.yaml`),
      dataDir: join(s.dir, name),
      port: s.ports[i],
      host: s.hosts?.[i] ?? '127.0.0.1',
      position,
      ...(role === 'operator' ? { seatsPerTrip: s.seatsPerTrip } : {})
    }
  })
}

/** A slot's gate closes 1 s before it starts, or at its start when slots are 1 s long. */
export const gateClosureSecondsOf = (slotSeconds: number): number => (slotSeconds > 1 ? 1 : 0)

/** Writes one node's config; `bootstrap` are the multiaddrs (with /p2p/) of the nodes it dials first. */
export async function writeSoakConfig(s: DistrictShape, n: SoakNode, bootstrap: readonly string[]): Promise<void> {
  const zones = rideZones(s.center)
  const mobility =
    n.role === 'operator'
      ? {
          timetable: { gtfs: s.gtfs },
          holdMs: 5_000,
          offerEveryMs: 2_000,
          provider: {
            kind: 'transit',
            agencyId: s.agencyId,
            mode: 'BUS',
            seatsPerTrip: n.seatsPerTrip,
            co2GPerKm: 60,
            cancellation: { freeUntilS: 60, feeNanos: 0 }
          }
        }
      : n.role === 'traveller' || n.role === 'rider'
        ? { timetable: { gtfs: s.gtfs }, holdMs: 5_000 }
        : n.role === 'vehicle'
          ? {
              holdMs: 5_000,
              offerEveryMs: 2_000,
              provider: {
                kind: 'vehicle',
                mode: 'BICYCLE',
                // every bike starts at a zone's centre, every other one in the other zone
                position: zoneCentre(Number(n.name.split('-')[1]) % 2 === 1 ? zones.a : zones.b),
                pricing: bikePricing,
                co2GPerKm: 8,
                speedKmh: RIDE_KMH,
                cancellation: { freeUntilS: 60, feeNanos: 0 }
              }
            }
          : undefined
  await writeFile(
    n.config,
    stringify({
      district: SOAK_DISTRICT,
      dataDir: n.dataDir,
      listen: [`/ip4/${n.host}/tcp/${n.port}`],
      bootstrap: [...bootstrap],
      mdns: false,
      slots: { seconds: s.slotSeconds, gateClosureSeconds: gateClosureSecondsOf(s.slotSeconds) },
      strategy: 'fixed-markup',
      limits: { buy: 900_000_000, sell: 400_000_000 },
      market: { ticksPerSlot: s.slotSeconds, tradingWindowSlots: 3, horizonSlots: 4, republishEverySlots: 1, holdSeconds: 4 },
      position: n.position,
      settlement: { adapter: 'iota', periodSlots: s.periodSlots, iota: { network: s.rpcUrl } },
      ...(mobility != null ? { mobility } : {}),
      ...(n.meter != null
        ? {
            meter: {
              mqtt: {
                url: n.meter.url,
                id: n.meter.id,
                import: { topic: n.meter.topic, path: '$.import_wh', unit: 'Wh' },
                export: { topic: n.meter.topic, path: '$.export_wh', unit: 'Wh' },
                time: '$.time',
                toleranceSeconds: n.meter.toleranceSeconds
              }
            }
          }
        : {})
    })
  )
}
