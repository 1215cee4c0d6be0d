import type { KvartalNode, KvartalNodeOptions, NodeStats } from '@kvartal/node'
import type { GossipStats, TopicSyncStats, ChannelMeter } from '@kvartal/mesh'

/**
 * What the simulator reads of a node once the run is over: its identity, options, counters and gossip
 * statistics. A live `KvartalNode` is one (a run in one process); a worker process sends a copy made by
 * `nodeView` (a run on several processes), since a node cannot cross a process boundary.
 */
export interface NodeView {
  readonly id: string
  readonly identity: { readonly iotaAddress: string }
  readonly options: Pick<KvartalNodeOptions, 'transport' | 'bootstrap' | 'grid'>
  readonly stats: NodeStats
  readonly router: { readonly stats: GossipStats }
  readonly topicSync: { readonly stats: TopicSyncStats; readonly traffic: ChannelMeter }
  readonly mobility?: {
    readonly gossipStats?: { readonly topics: GossipStats['topics'] }
    readonly provider?: { readonly position: { lat: number; lon: number } }
  }
}

/** A plain copy of what `NodeView` reads, for sending to another process. */
export function nodeView(n: KvartalNode): NodeView {
  const m = n.mobility
  const provider = m?.provider
  return structuredClone({
    id: n.id,
    identity: { iotaAddress: n.identity.iotaAddress },
    options: {
      transport: n.options.transport,
      ...(n.options.bootstrap != null ? { bootstrap: n.options.bootstrap } : {}),
      ...(n.options.grid != null ? { grid: n.options.grid } : {})
    },
    stats: n.stats,
    router: { stats: n.router.stats },
    topicSync: { stats: n.topicSync.stats, traffic: n.topicSync.traffic },
    ...(m != null
      ? {
          mobility: {
            ...(m.gossipStats != null ? { gossipStats: { topics: m.gossipStats.topics } } : {}),
            ...(provider != null ? { provider: { position: provider.position } } : {})
          }
        }
      : {})
  })
}
