import { afterEach, describe, expect, it } from 'vitest'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { ProcessGossip, createHost, identityFromSeed, type GossipPort, type KvartalHost } from '../src/index.ts'

/**
 * The simulator's gossip among the nodes of one process (process-gossip.ts): real libp2p hosts, whose
 * gossipsub must see nothing of the topics the bus carries and everything of the others.
 */

const hosts: KvartalHost[] = []
afterEach(async () => { await Promise.all(hosts.splice(0).map(async h => { await h.stop() })) })

async function host (seed: number): Promise<KvartalHost> {
  const h = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(seed)), district: 'test', transport: 'memory' })
  hosts.push(h)
  return h
}

/** a reader: what its validator was given, in order */
function reader (port: GossipPort, topic: string): Array<{ from: string, data: string }> {
  const got: Array<{ from: string, data: string }> = []
  port.topicValidators.set(topic, (from: PeerId, msg) => { got.push({ from: from.toString(), data: Buffer.from(msg.data).toString() }); return TopicValidatorResult.Accept })
  port.subscribe(topic)
  return got
}

/** until the bus has delivered what was published (it delivers after the publisher's turn) */
const delivered = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

describe('ProcessGossip: each message once to every other reader of a topic it carries', () => {
  it('delivers in the order published, through each reader\'s validator, naming the publisher, and never to the publisher itself', async () => {
    const [a, b, c] = await Promise.all([host(41), host(42), host(43)])
    const bus = new ProcessGossip(() => true)
    const [pa, pb, pc] = [a, b, c].map(h => bus.port(h.services.pubsub, h.peerId))
    const [ga, gb, gc] = [pa, pb, pc].map(p => reader(p, 't'))
    await pa.publish('t', Buffer.from('one'))
    await pb.publish('t', Buffer.from('two'))
    await pa.publish('t', Buffer.from('three'))
    // nothing before the publisher's turn is over
    expect(gb).toEqual([])
    await delivered()
    const A = a.peerId.toString(); const B = b.peerId.toString()
    expect(gb).toEqual([{ from: A, data: 'one' }, { from: A, data: 'three' }])
    expect(gc).toEqual([{ from: A, data: 'one' }, { from: B, data: 'two' }, { from: A, data: 'three' }])
    expect(ga).toEqual([{ from: B, data: 'two' }])
    expect(bus.stats).toEqual({ published: 3, delivered: 6 })
    // and gossipsub saw none of it: no subscription, no validator
    for (const h of [a, b, c]) {
      expect(h.services.pubsub.getTopics()).toEqual([])
      expect(h.services.pubsub.topicValidators.has('t')).toBe(false)
    }
  })

  it('a node that unsubscribed, or reads another topic, gets nothing', async () => {
    const [a, b, c] = await Promise.all([host(44), host(45), host(46)])
    const bus = new ProcessGossip(() => true)
    const [pa, pb, pc] = [a, b, c].map(h => bus.port(h.services.pubsub, h.peerId))
    const gb = reader(pb, 't')
    const gc = reader(pc, 'u')
    await pa.publish('t', Buffer.from('before'))
    await delivered()
    pb.unsubscribe('t')
    pb.topicValidators.delete('t')
    await pa.publish('t', Buffer.from('after'))
    await delivered()
    expect(gb.map(g => g.data)).toEqual(['before'])
    expect(gc).toEqual([])
  })

  it('a topic it does not carry goes over gossipsub, with the validator set on the port', async () => {
    const [a, b] = await Promise.all([host(47), host(48)])
    const bus = new ProcessGossip(topic => topic === 'local')
    const [pa, pb] = [a, b].map(h => bus.port(h.services.pubsub, h.peerId))
    const remote = reader(pb, 'remote')
    reader(pa, 'remote')
    const local = reader(pb, 'local')
    expect(b.services.pubsub.getTopics()).toEqual(['remote'])
    expect([...b.services.pubsub.topicValidators.keys()]).toEqual(['remote'])
    await a.dial(b.getMultiaddrs()[0])
    // gossipsub meshes a topic once both ends know the other reads it
    for (let i = 0; i < 100 && !a.services.pubsub.getSubscribers('remote').some(p => p.equals(b.peerId)); i++) await new Promise(resolve => setTimeout(resolve, 20))
    await pa.publish('remote', Buffer.from('over gossipsub'))
    for (let i = 0; i < 100 && remote.length === 0; i++) await new Promise(resolve => setTimeout(resolve, 20))
    expect(remote).toEqual([{ from: a.peerId.toString(), data: 'over gossipsub' }])
    expect(local).toEqual([])
    expect(bus.stats.published).toBe(0)
  })
})
