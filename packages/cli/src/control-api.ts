import type { KvartalNode } from '@kvartal/node'
import type { BatteryStatus } from '@kvartal/meters'
import type { Route } from './control-server.ts'
import { journeyRoutes } from './journey-api.ts'
import { channelRoutes } from './channel-api.ts'
import { verifyRoutes } from './verify-api.ts'

/**
 * Every endpoint of a running node's control API:
 *   GET  /status                      who this node is, its journal, its meter, what it knows of the mobility market
 *   GET  /metrics, /health, /ready    Prometheus metrics, liveness, readiness (metrics-server.ts)
 *   GET  /view                        what the node is doing now: slots, book, trades, settlement (view-api.ts)
 *   GET  /events?after=&wait=         its recent events, long-polled (view-api.ts, event-ring.ts)
 *   GET  /trades/:id/verify           prove one settled trade (signatures, inclusion proof, attested root)
 *   POST /journeys/plan               plan a journey (from, to, departAfter, modes, maxWalkingM, …)
 *   POST /journeys/book               book a journey of a plan (plan id, or a request) by pick
 *   GET  /packages                    the packages this node booked
 *   POST /packages/:id/cancel         cancel a confirmed package under its legs' terms
 *   GET  /channels                    the channels this node holds (its own, and replicas)
 *   GET  /channels/:id                read one with this node's key (own channels also by name)
 *   POST /channels/:name/grant        { reader } grant a node read access to an own channel
 *   POST /channels/:name/revoke       { reader } revoke it (rotates the channel's key)
 *   POST /channels/pull               { peer, channel } replicate a channel from a peer
 */
/**
 * The journal as `/status` shows it: its entries, and whether it refuses writes — then the node takes
 * no new work until it writes again (`refusing`: why, `disk-full` or `journal-write-failed`, and what failed).
 */
export interface JournalStatusAnswer {
  readonly entries: number
  readonly refusing: { readonly code: string; readonly detail: string } | null
}

/** The meter as `/status` shows it: its kind, when it last sent a sample, and what it missed. */
export interface MeterStatusAnswer {
  /** mqtt, p1, han: a configured driver; none: no meter (every slot a gap) */
  readonly kind: string
  /** the configured meter's identity (`mqtt:<topic>`, `p1:<port>`); null: none */
  readonly id: string | null
  /** when the meter stamped its last sample (ISO), and the identity it reported; null: none since start */
  readonly lastReadingAt: string | null
  readonly lastMeterId: string | null
  readonly samples: number
  /** slot readings signed, and slots recorded as gaps, since start */
  readonly readings: number
  readonly gaps: number
  readonly lastGap: { slot: number; why: string } | null
  /** messages or telegrams refused, by code */
  readonly refused: Readonly<Record<string, number>>
  /** the battery a SunSpec meter also reads (storage model 124), as it last reported it; null: none */
  readonly battery: BatteryStatus | null
}

export function meterStatusOf(node: KvartalNode, kind: string): MeterStatusAnswer {
  const s = node.meterStatus()
  return {
    kind,
    id: s?.meter ?? null,
    lastReadingAt: s?.lastSample == null ? null : new Date(s.lastSample.at).toISOString(),
    lastMeterId: s?.lastSample?.meterId ?? null,
    samples: s?.samples ?? 0,
    readings: s?.readings ?? 0,
    gaps: s?.gaps ?? 0,
    lastGap: s?.lastGap ?? null,
    refused: s?.refused ?? {},
    battery: s?.battery ?? null
  }
}

export function controlRoutes(node: KvartalNode, o: { adapter: 'local' | 'iota'; meterKind?: string; now?: () => number }): Route[] {
  const now = o.now ?? Date.now
  return [
    {
      method: 'GET',
      path: '/status',
      async handle() {
        const m = node.mobility
        const provider = node.options.mobility?.provider
        return {
          peerId: node.identity.peerId.toString(),
          trader: node.id,
          iotaAddress: node.identity.iotaAddress,
          district: node.options.district,
          addrs: node.host.getMultiaddrs().map(String),
          peers: node.host.getPeers().length,
          settlement: o.adapter,
          journal: { entries: node.journal.entries, refusing: node.journal.refusing ?? null } satisfies JournalStatusAnswer,
          meterStatus: meterStatusOf(node, o.meterKind ?? 'none'),
          mobility:
            m == null
              ? null
              : {
                  role: provider?.kind ?? 'traveller',
                  services: m.services.size,
                  vehicles: m.services.vehicles(now()).length,
                  timetable: { stops: m.traveller.timetable.stops.length, patterns: m.traveller.timetable.patterns.length }
                }
        }
      }
    },
    ...verifyRoutes(node),
    ...journeyRoutes(node, o),
    ...channelRoutes(node)
  ]
}
