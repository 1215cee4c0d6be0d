import { describe, expect, it } from 'vitest'
import { districtDigestTopic, feederDigestTopic, seal, signerFromSeed, topicFor, type Announcement } from '@kvartal/protocol'
import { gossipRouter } from '../src/index.ts'

/** A router over a recording pubsub: which topics it reads (validators, subscriptions) and where it publishes. */
function routerOf(
  feeder?: string,
  relay?: boolean
): {
  reads: string[]
  subscribed: string[]
  published: string[]
  subscriptions: readonly string[]
  publish: (kind: 'offer' | 'bid') => Promise<void>
} {
  const validators = new Map<string, unknown>()
  const subscribed: string[] = []
  const published: string[] = []
  const pubsub = {
    topicValidators: validators,
    subscribe(t: string) {
      subscribed.push(t)
    },
    unsubscribe() {},
    async publish(t: string) {
      published.push(t)
    }
  }
  const router = gossipRouter(pubsub as never, { district: 'd', feeder, relay, accept: () => {} })
  router.start()
  const signer = signerFromSeed(new Uint8Array(32).fill(3))
  const a = (kind: 'offer' | 'bid'): Announcement => ({
    version: 1,
    district: 'd',
    trader: signer.publicKey,
    seq: 1,
    issuedAt: 1,
    validUntil: 2,
    addrs: [],
    ...(feeder != null ? { feeder } : {}),
    offers: kind === 'offer' ? [{ slot: 1, energyWh: 10, price: 1 }] : [],
    bids: kind === 'bid' ? [{ slot: 1, energyWh: 10, price: 1 }] : []
  })
  return {
    reads: [...validators.keys()],
    subscribed,
    published,
    subscriptions: router.subscriptions,
    publish: async kind => {
      await router.publish(kind, seal('announcement', a(kind), signer))
    }
  }
}

describe("who reads a feeder's bids", () => {
  it('on a feeder only its relays read the bid topic; every node still publishes its bids there', async () => {
    const buyer = routerOf('f1', false)
    expect(buyer.reads).toEqual([topicFor('d', 'offer', 'f1'), feederDigestTopic('d', 'f1')])
    expect(buyer.subscribed).toEqual(buyer.reads)
    expect(buyer.subscriptions).toEqual(buyer.reads)
    await buyer.publish('bid')
    expect(buyer.published).toEqual([topicFor('d', 'bid', 'f1')])

    const relay = routerOf('f1', true)
    expect(relay.reads).toEqual([
      topicFor('d', 'offer', 'f1'),
      topicFor('d', 'bid', 'f1'),
      feederDigestTopic('d', 'f1'),
      districtDigestTopic('d')
    ])
    expect(relay.subscribed).toEqual(relay.reads)
  })

  it('a district without feeders reads both topics, as before', () => {
    const node = routerOf(undefined, false)
    expect(node.reads).toEqual([topicFor('d', 'offer'), topicFor('d', 'bid')])
  })
})
