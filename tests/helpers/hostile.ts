import { multiaddr } from '@multiformats/multiaddr'
import { NEGOTIATION_PROTOCOL } from '@kvartal/protocol'
import { createHost, identityFromSeed, memoryListenAddress, type KvartalHost, type NodeIdentity } from '@kvartal/mesh'
import type { KvartalNode } from '@kvartal/node'
import { until } from './wait.ts'

/** A hostile peer: a real libp2p host on the memory transport, with its own key, connected to `victims`. */
export interface Attacker {
  host: KvartalHost
  identity: NodeIdentity
  stop(): Promise<void>
}

export async function startAttacker(seedByte: number, victims: KvartalNode[], topics: string[] = []): Promise<Attacker> {
  const identity = await identityFromSeed(new Uint8Array(32).fill(seedByte))
  const host = await createHost({ identity, district: 'test', transport: 'memory' })
  await host.start()
  for (const v of victims) await host.dial(multiaddr(`${memoryListenAddress(v.identity)}/p2p/${v.identity.peerId}`))
  for (const t of topics) host.services.pubsub.subscribe(t)
  for (const t of topics) {
    await until(
      () => victims.every(v => host.services.pubsub.getSubscribers(t).some(p => p.equals(v.identity.peerId))),
      `the victims subscribed to ${t}, as the attacker sees it`
    )
  }
  return {
    host,
    identity,
    stop: async () => {
      await host.stop()
    }
  }
}

/** The victim's negotiation streams that the attacker holds open right now. */
export function negotiationStreamsFrom(victim: KvartalNode, attacker: Attacker): number {
  return victim.host
    .getConnections(attacker.identity.peerId)
    .flatMap(c => c.streams)
    .filter(s => s.protocol === NEGOTIATION_PROTOCOL && s.status === 'open').length
}

/** gossipsub's score of `peer` as `victim` sees it (recomputed at each heartbeat, once a second) */
export function scoreOf(victim: KvartalNode, attacker: Attacker): number {
  return (victim.host.services.pubsub as unknown as { getScore(id: string): number }).getScore(attacker.identity.peerId.toString())
}
