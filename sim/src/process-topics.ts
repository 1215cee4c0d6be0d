import { ProcessGossip, type BusMessage } from '@kvartal/mesh'
import { TopicKind, feederDigestTopic, topicFor } from '@kvartal/protocol'
import type { SimNodeSpec } from './node-spec.ts'

/**
 * The gossip bus of one simulation process (mesh's ProcessGossip), or none. It carries every topic:
 *  - the whole district in one process: nothing leaves it;
 *  - one worker of several (whole feeders each, worker-runner.ts): the offer, bid and digest topics of
 *    the feeders it holds whole stay in it; what its nodes publish on any other topic (the district's
 *    digests, which relays of every feeder read; the mobility topic, which vehicles and travellers on
 *    every worker read; a feeder split across workers) also goes to the other workers through `send`
 *    (over the coordinator, ipc.ts), whose buses deliver it to their own readers.
 * Absent when the run studies the network (link conditions act on gossipsub's own messages, where a
 * lost copy can still come by another peer) or the scenario asks for gossipsub (`gossip: gossipsub`).
 */
export function processGossipFor(
  district: string,
  nodes: readonly SimNodeSpec[],
  here: readonly number[],
  enabled: boolean,
  send?: (batch: BusMessage[]) => void
): ProcessGossip | undefined {
  if (!enabled) return undefined
  if (here.length === nodes.length) return new ProcessGossip()
  if (send == null) throw new Error('a bus for part of the district needs a way to the other processes')
  const local = localTopics(district, nodes, here)
  return new ProcessGossip({ remote: { shared: topic => !local.has(topic), send } })
}

/** the topics whose every reader is a node of `here`: the offer, bid and digest topics of the feeders it holds whole */
export function localTopics(district: string, nodes: readonly SimNodeSpec[], here: readonly number[]): Set<string> {
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
  return local
}
