import type { NodeResult } from '../district-run-result.ts'

/**
 * What results.json keeps of each node (building or vehicle) for the report, beyond its totals: its
 * committed trades, its messages by kind, and its negotiation latency samples.
 */
export interface NodeFigures {
  /** committed trades this node was a party to (as buyer or seller) */
  trades: number
  /**
   * messages over the whole run: gossip it published, gossip it received (every topic, accepted or
   * refused), negotiation stream frames (sent and received) and catch-up frames
   */
  messages: { gossipPublished: number; gossipReceived: number; streamFrames: number; catchUpFrames: number }
  /** proposal to outcome, real ms (rounded to 0.01 ms), one sample per negotiation it started as buyer */
  negotiationLatenciesMs: number[]
}

export function nodeFigures(n: NodeResult): NodeFigures {
  const v = n.node
  const received = (topics: Record<string, { received: number }> | undefined): number =>
    Object.values(topics ?? {}).reduce((a, t) => a + t.received, 0)
  return {
    trades: n.trades.filter(t => t.status === 'committed').length,
    messages: {
      gossipPublished: v.router.stats.published,
      gossipReceived: received(v.router.stats.topics) + received(v.mobility?.gossipStats?.topics),
      streamFrames: v.stats.streams.frames,
      catchUpFrames: v.topicSync.traffic.frames
    },
    negotiationLatenciesMs: v.stats.latenciesMs.map(x => Math.round(x * 100) / 100)
  }
}
