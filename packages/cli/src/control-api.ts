import type { KvartalNode } from '@kvartal/node'
import type { Route } from './control-server.ts'
import { journeyRoutes } from './journey-api.ts'
import { channelRoutes } from './channel-api.ts'
import { verifyRoutes } from './verify-api.ts'

/**
 * Every endpoint of a running node's control API:
 *   GET  /status                      who this node is, what it knows of the mobility market
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
export function controlRoutes (node: KvartalNode, o: { adapter: 'local' | 'iota', now?: () => number }): Route[] {
  const now = o.now ?? Date.now
  return [
    {
      method: 'GET',
      path: '/status',
      async handle () {
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
          mobility: m == null
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
