import { describe, expect, it } from 'vitest'
import { mobilitySamples } from '@kvartal/protocol/testing'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { seal, signerFromSeed, topicFor, mobilityTopic, type Announcement, type ServiceOffer } from '@kvartal/protocol'
import {
  TopicSync,
  createHost,
  gossipRouter,
  handleChannels,
  identityFromSeed,
  memoryListenAddress,
  mobilityGossip,
  openChannel,
  type TopicSync as Sync
} from '@kvartal/mesh'

/**
 * What a node keeps of a received message must not keep the buffer it arrived in. Received bytes are
 * views into 64 KiB buffers (Node 24's allocation pool, whose slab the sender's encoder shares over the
 * memory transport; a socket's read buffer over TCP): a 300-byte announcement kept in the order book,
 * or a negotiation's reply kept in a journal record, kept its 64 KiB with it. Each test below fails when
 * the copy it names is removed.
 */

/** `bytes` as a view in the middle of a 64 KiB buffer, as a received message arrives */
function inSlab(bytes: Uint8Array): Uint8Array {
  const slab = new Uint8Array(65_536)
  slab.set(bytes, 1_000)
  return slab.subarray(1_000, 1_000 + bytes.length)
}

/** a gossipsub stand-in: the router only sets validators, subscribes and publishes */
function fakePubsub() {
  return {
    topicValidators: new Map<string, (from: unknown, msg: { data: Uint8Array }) => TopicValidatorResult>(),
    subscribe() {},
    unsubscribe() {},
    publish: async () => ({ recipients: [] })
  }
}

const alice = signerFromSeed(new Uint8Array(32).fill(3))
const peer = { toString: () => 'peer' }

describe('a node keeps only the bytes of what it received', () => {
  it("gossip router: the book and the catch-up store get the announcement's own bytes (gossip-router.ts, validate)", () => {
    const now = Date.UTC(2026, 5, 17)
    const a: Announcement = {
      version: 1,
      district: 'test',
      trader: alice.publicKey,
      seq: 1,
      issuedAt: now,
      validUntil: now + 3_600_000,
      offers: [{ slot: 0, energyWh: 100, price: 400_000_000 }],
      bids: [],
      addrs: [new Uint8Array([4, 127, 0, 0, 1])]
    }
    const sealed = seal('announcement', a, alice)
    const pubsub = fakePubsub()
    const kept: Uint8Array[] = []
    const sync = {
      register() {},
      remember(_c: number, _k: string, _s: number, data: Uint8Array) {
        kept.push(data)
      }
    } as unknown as Sync
    const router = gossipRouter(pubsub as never, {
      district: 'test',
      sync,
      accept: opened => {
        kept.push(opened.message.trader, ...opened.message.addrs)
      }
    })
    router.start()
    const validate = pubsub.topicValidators.get(topicFor('test', 'offer'))!
    expect(validate(peer, { data: inSlab(sealed) })).toBe(TopicValidatorResult.Accept)
    expect(kept.length).toBe(3)
    for (const b of kept) expect(b.buffer.byteLength).toBe(sealed.length)
  })

  it("mobility gossip: the service book and the catch-up store get the offer's own bytes (mobility-gossip.ts)", () => {
    const offer: ServiceOffer = {
      ...mobilitySamples({ traveller: alice.publicKey, provider: alice.publicKey })['service-offer'],
      validUntil: Date.now() + 3_600_000
    }
    const sealed = seal('service-offer', offer, alice)
    const pubsub = fakePubsub()
    const kept: Uint8Array[] = []
    const sync = {
      register() {},
      remember(_c: number, _k: string, _s: number, data: Uint8Array) {
        kept.push(data)
      }
    } as unknown as Sync
    const gossip = mobilityGossip(pubsub as never, {
      district: 'test',
      sync,
      accept: opened => {
        kept.push(opened.message.provider, ...opened.message.addrs)
      }
    })
    gossip.start()
    expect(pubsub.topicValidators.get(mobilityTopic('test'))!(peer, { data: inSlab(sealed) })).toBe(TopicValidatorResult.Accept)
    expect(kept.length).toBe(3)
    for (const b of kept) expect(b.buffer.byteLength).toBe(sealed.length)
  })

  it('topic sync: a message remembered from a view is held as a copy of its own (topic-sync.ts, remember)', async () => {
    const a = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(7)), district: 'test', transport: 'memory' })
    const b = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(8)), district: 'test', transport: 'memory' })
    try {
      await a.start()
      await b.start()
      const served = new TopicSync({ host: a, now: () => 0 })
      await served.start()
      const view = inSlab(new Uint8Array([1, 2, 3]))
      served.remember(1, 'alice', 1, view, 1_000)
      // whatever later reuses the buffer the message came in (the pool hands it out again) must not change it
      view.fill(9)
      const got: number[][] = []
      const puller = new TopicSync({ host: b, now: () => 0 })
      puller.register(1, data => {
        got.push([...data])
      })
      await b.dial(multiaddr(`${memoryListenAddress(await identityFromSeed(new Uint8Array(32).fill(7)))}/p2p/${a.peerId}`))
      expect(await puller.pull(a.peerId)).toBe(1)
      expect(got).toEqual([[1, 2, 3]])
    } finally {
      await a.stop()
      await b.stop()
    }
  })

  it('framed channel: every frame received owns its bytes (framed-channel.ts, receive)', async () => {
    const a = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(9)), district: 'test', transport: 'memory' })
    const b = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(10)), district: 'test', transport: 'memory' })
    try {
      await a.start()
      await b.start()
      const received: Uint8Array[] = []
      await handleChannels(a, '/kvartal/test/echo/1', async ch => {
        for (let i = 0; i < 3; i++) received.push(await ch.receive())
        await ch.send(Buffer.from('done'))
      })
      await b.dial(multiaddr(`${memoryListenAddress(await identityFromSeed(new Uint8Array(32).fill(9)))}/p2p/${a.peerId}`))
      const ch = await openChannel(b, a.peerId, '/kvartal/test/echo/1')
      // small Buffers come from Node's shared allocation pool: views into one 64 KiB slab
      for (const text of ['one', 'two', 'three']) await ch.send(Buffer.from(text))
      const reply = await ch.receive()
      await ch.close()
      expect(received.map(f => Buffer.from(f).toString())).toEqual(['one', 'two', 'three'])
      for (const f of [...received, reply]) expect(f.buffer.byteLength).toBe(f.byteLength)
    } finally {
      await a.stop()
      await b.stop()
    }
  })
})
