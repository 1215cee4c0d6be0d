import { afterEach, describe, expect, it } from 'vitest'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { ProcessGossip, createHost, identityFromSeed, type BusMessage, type GossipPort, type KvartalHost } from '../src/index.ts'

/** Re-checks `cond` every 20 ms for up to 2 s of real time (gossipsub's subscription exchange and delivery), then fails naming `what`. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (cond()) return
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  throw new Error(`no ${what} within 2 s`)
}

/**
 * The simulator's gossip among the nodes of one process (process-gossip.ts): real libp2p hosts, whose
 * gossipsub must see nothing of the topics the bus carries and everything of the others.
 */

const hosts: KvartalHost[] = []
afterEach(async () => {
  await Promise.all(
    hosts.splice(0).map(async h => {
      await h.stop()
    })
  )
})

async function host(seed: number): Promise<KvartalHost> {
  const h = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(seed)), district: 'test', transport: 'memory' })
  hosts.push(h)
  return h
}

/** a reader: what its validator was given, in order */
function reader(port: GossipPort, topic: string): Array<{ from: string; data: string }> {
  const got: Array<{ from: string; data: string }> = []
  port.topicValidators.set(topic, (from: PeerId, msg) => {
    got.push({ from: from.toString(), data: Buffer.from(msg.data).toString() })
    return TopicValidatorResult.Accept
  })
  port.subscribe(topic)
  return got
}

/** until the bus has delivered what was published (it delivers after the publisher's turn) */
const delivered = async (): Promise<void> => {
  await new Promise(resolve => setImmediate(resolve))
}

describe('ProcessGossip: each message once to every other reader of a topic it carries', () => {
  it(
    "delivers in the order published, through each reader's " + 'validator, naming the publisher, and never to the publisher itself',
    async () => {
      const [a, b, c] = await Promise.all([host(41), host(42), host(43)])
      const bus = new ProcessGossip()
      const [pa, pb, pc] = [a, b, c].map(h => bus.port(h.services.pubsub, h.peerId))
      const [ga, gb, gc] = [pa, pb, pc].map(p => reader(p, 't'))
      await pa.publish('t', Buffer.from('one'))
      await pb.publish('t', Buffer.from('two'))
      await pa.publish('t', Buffer.from('three'))
      // nothing before the publisher's turn is over
      expect(gb).toEqual([])
      await delivered()
      const A = a.peerId.toString()
      const B = b.peerId.toString()
      expect(gb).toEqual([
        { from: A, data: 'one' },
        { from: A, data: 'three' }
      ])
      expect(gc).toEqual([
        { from: A, data: 'one' },
        { from: B, data: 'two' },
        { from: A, data: 'three' }
      ])
      expect(ga).toEqual([{ from: B, data: 'two' }])
      expect(bus.stats).toEqual({ published: 3, received: 0, delivered: 6, deliveryMs: expect.any(Number) })
      // and gossipsub saw none of it: no subscription, no validator
      for (const h of [a, b, c]) {
        expect(h.services.pubsub.getTopics()).toEqual([])
        expect(h.services.pubsub.topicValidators.has('t')).toBe(false)
      }
    }
  )

  it('a node that unsubscribed, or reads another topic, gets nothing', async () => {
    const [a, b, c] = await Promise.all([host(44), host(45), host(46)])
    const bus = new ProcessGossip()
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
    const bus = new ProcessGossip({ carries: topic => topic === 'local' })
    const [pa, pb] = [a, b].map(h => bus.port(h.services.pubsub, h.peerId))
    const remote = reader(pb, 'remote')
    reader(pa, 'remote')
    const local = reader(pb, 'local')
    expect(b.services.pubsub.getTopics()).toEqual(['remote'])
    expect([...b.services.pubsub.topicValidators.keys()]).toEqual(['remote'])
    await a.dial(b.getMultiaddrs()[0])
    // gossipsub meshes a topic once both ends know the other reads it
    await until(() => a.services.pubsub.getSubscribers('remote').some(p => p.equals(b.peerId)), "b's subscription to remote at a")
    await pa.publish('remote', Buffer.from('over gossipsub'))
    await until(() => remote.length > 0, 'message on remote at b')
    expect(remote).toEqual([{ from: a.peerId.toString(), data: 'over gossipsub' }])
    expect(local).toEqual([])
    expect(bus.stats.published).toBe(0)
  })

  it(
    'the buses of two processes joined through `remote`: a shared topic ' +
      'reaches the readers of both, once; a topic of one process stays in it',
    async () => {
      const [a, b, c] = await Promise.all([host(49), host(50), host(51)])
      // two "processes": a on bus 1; b and c on bus 2. 'feeder' is read only where it is published
      const wire: Array<{ to: ProcessGossip; batch: BusMessage[] }> = []
      const one: ProcessGossip = new ProcessGossip({
        remote: {
          shared: t => t === 'district',
          send: batch => {
            wire.push({ to: two, batch })
          }
        }
      })
      const two: ProcessGossip = new ProcessGossip({
        remote: {
          shared: t => t === 'district',
          send: batch => {
            wire.push({ to: one, batch })
          }
        }
      })
      const pa = one.port(a.services.pubsub, a.peerId)
      const [pb, pc] = [b, c].map(h => two.port(h.services.pubsub, h.peerId))
      const ga = reader(pa, 'district')
      const [gb, gc] = [pb, pc].map(p => reader(p, 'district'))
      const fc = reader(pc, 'feeder')
      await pa.publish('district', Buffer.from('from a'))
      await pb.publish('district', Buffer.from('from b'))
      await pb.publish('feeder', Buffer.from('stays'))
      await delivered()
      // what crossed: each process's shared messages, in the order published, nothing of 'feeder'
      expect(wire.map(w => w.batch.map(([topic, from, data]) => [topic, from, Buffer.from(data).toString()]))).toEqual([
        [['district', a.peerId.toString(), 'from a']],
        [['district', b.peerId.toString(), 'from b']]
      ])
      for (const w of wire.splice(0)) w.to.receive(w.batch)
      await delivered()
      expect(ga).toEqual([{ from: b.peerId.toString(), data: 'from b' }])
      expect(gb).toEqual([{ from: a.peerId.toString(), data: 'from a' }])
      expect(gc).toEqual([
        { from: b.peerId.toString(), data: 'from b' },
        { from: a.peerId.toString(), data: 'from a' }
      ])
      expect(fc).toEqual([{ from: b.peerId.toString(), data: 'stays' }])
      expect(one.stats).toMatchObject({ published: 1, received: 1, delivered: 1 })
      expect(two.stats).toMatchObject({ published: 2, received: 1, delivered: 4 })
    }
  )
})
