/**
 * The soak district's node configs, as `kvartal node` reads them: energy sellers and buyers with fixed
 * position schedules drawn from the seed, one transit operator selling seats on a GTFS bus line, and
 * travellers booking them. Every node settles through the `iota` adapter against one ledger (a test
 * double of an IOTA full node that the soak runs), listens on a fixed TCP port of its address (127.0.0.1,
 * or its own in a network namespace) so that a restarted node is found where it was, and has short
 * slots so that the district trades fast.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { seededRandom } from '@kvartal/protocol'

export type SoakRole = 'seller' | 'buyer' | 'operator' | 'traveller'

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
}

export interface DistrictShape {
  readonly dir: string
  readonly seed: number
  readonly sellers: number
  readonly buyers: number
  readonly travellers: number
  readonly slotSeconds: number
  readonly periodSlots: number
  readonly rpcUrl: string
  readonly gtfs: string
  readonly agencyId: string
  readonly seatsPerTrip: number
  readonly ports: readonly number[]
  /** each node's address, in the district's order; default 127.0.0.1 for all */
  readonly hosts?: readonly string[]
}

export const SOAK_DISTRICT = 'soak'

/** Positions cycle over this many slots. */
const CYCLE = 7

/** The district's nodes, their positions drawn from the seed: sellers offer 200–1,400 Wh a slot, buyers need 400–2,400. */
export function districtNodes(s: DistrictShape): SoakNode[] {
  const random = seededRandom(s.seed ^ 0x5eed)
  const roles: SoakRole[] = [
    ...Array<SoakRole>(s.sellers).fill('seller'),
    ...Array<SoakRole>(s.buyers).fill('buyer'),
    ...(s.travellers > 0 ? ['operator' as const] : []),
    ...Array<SoakRole>(s.travellers).fill('traveller')
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
      : n.role === 'traveller'
        ? { timetable: { gtfs: s.gtfs }, holdMs: 5_000 }
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
      ...(mobility != null ? { mobility } : {})
    })
  )
}
