import { ProcessGossip } from '@kvartal/mesh'
import { TopicKind, feederDigestTopic, topicFor } from '@kvartal/protocol'
import type { SimNodeSpec } from './district-runner.ts'

/**
 * The gossip bus of one simulation process (mesh's ProcessGossip), or none. It carries the topics
 * whose every reader is a node of this process; the others stay on gossipsub:
 *  - the whole district in one process: every topic;
 *  - one worker of several (whole feeders each, worker-runner.ts): the offer, bid and digest topics of
 *    the feeders it holds whole; the district's digest topic (relays of every feeder) and the mobility
 *    topic (vehicles and providers on every worker) cross processes, over gossipsub.
 * Absent when the run studies the network (link conditions act on gossipsub's own messages, where a
 * lost copy can still come by another peer) or the scenario asks for gossipsub (`processGossip: false`).
 */
export function processGossipFor (district: string, nodes: readonly SimNodeSpec[], here: readonly number[], enabled: boolean): ProcessGossip | undefined {
  if (!enabled) return undefined
  if (here.length === nodes.length) return new ProcessGossip(() => true)
  const mine = new Set(here)
  const whole = new Map<string, boolean>()
  nodes.forEach((spec, i) => {
    const f = spec.grid?.feeder ?? ''
    whole.set(f, (whole.get(f) ?? true) && mine.has(i))
  })
  const local = new Set<string>()
  for (const [feeder, all] of whole) {
    if (!all || !here.some(i => (nodes[i].grid?.feeder ?? '') === feeder)) continue
    for (const kind of Object.values(TopicKind)) local.add(topicFor(district, kind, feeder))
    if (feeder !== '') local.add(feederDigestTopic(district, feeder))
  }
  return new ProcessGossip(topic => local.has(topic))
}
