/**
 * A relay's amendment (a withdrawal naming only what fell) is gossiped, but never kept for catch-up: the store
 * keeps one message per relay, and an amendment there would displace the whole digest it amends, leaving a node
 * that pulls later with a list of what left and nothing of what is there. Real hosts (memory transport, noise,
 * yamux) and the real catch-up protocol; the routers' pubsub is a recorder whose validators the test calls.
 */
import { describe, expect, it } from 'vitest'
import { feederDigestTopic, openAs, limits, seal, signerFromSeed, type Digest } from '@kvartal/protocol'
import { TopicSync, gossipRouter, syncCodes } from '../src/index.ts'
import { memoryHosts } from './helpers/memory-hosts.ts'

const host = memoryHosts()
const relaySigner = signerFromSeed(new Uint8Array(32).fill(5))
const k = (b: number): Uint8Array => new Uint8Array(32).fill(b)
const NOW = 1_000

const whole: Digest = {
  version: 1,
  district: 'test',
  relay: relaySigner.publicKey,
  feeder: 'f',
  seq: 1,
  issuedAt: NOW,
  validUntil: NOW + 3_600_000,
  entries: [
    { trader: k(2), feeder: 'g', slot: 7, energyWh: 100, price: 1, addrs: [] },
    { trader: k(3), feeder: 'g', slot: 7, energyWh: 100, price: 1, addrs: [] }
  ]
}
const amendment: Digest = { ...whole, seq: 2, issuedAt: NOW + 1, amends: 1, entries: [{ ...whole.entries[0], energyWh: 0 }] }

function recordingPubsub(): { topicValidators: Map<string, any>; subscribe(): void; unsubscribe(): void; publish(): Promise<void> } {
  return { topicValidators: new Map(), subscribe() {}, unsubscribe() {}, async publish() {} }
}

/** What a node that pulls from `from` gets on the feeder's digest topic. */
async function pulledFrom(from: Awaited<ReturnType<typeof host>>, seed: number): Promise<number[]> {
  const puller = await host(seed)
  await puller.dial(from.getMultiaddrs()[0])
  const sync = new TopicSync({ host: puller, now: () => NOW + 2 })
  const got: number[] = []
  sync.register(syncCodes.digest, data => {
    got.push(openAs(data, 'digest', limits.maxDigestBytes).message.seq)
  })
  await sync.pull(from.peerId)
  return got
}

describe("a relay's amendments are gossiped, not kept for catch-up", () => {
  it('the relay that publishes them, and a node that receives them, serve the whole digest to a later puller', async () => {
    // the relay: publishes the whole digest, then an amendment
    const relayHost = await host(1)
    const relaySync = new TopicSync({ host: relayHost, now: () => NOW + 2 })
    await relaySync.start()
    const relay = gossipRouter(recordingPubsub() as never, {
      district: 'test',
      feeder: 'f',
      relay: true,
      accept: () => {},
      sync: relaySync
    })
    relay.start()
    await relay.publishDigest('feeder', seal('digest', whole, relaySigner))
    await relay.publishDigest('feeder', seal('digest', amendment, relaySigner))
    expect(await pulledFrom(relayHost, 2)).toEqual([1])

    // a node of the feeder: hears both on gossip (its validator accepts them), keeps the whole one for others
    const nodeHost = await host(3)
    const nodeSync = new TopicSync({ host: nodeHost, now: () => NOW + 2 })
    await nodeSync.start()
    const pubsub = recordingPubsub()
    const heard: Array<number | undefined> = []
    const node = gossipRouter(pubsub as never, {
      district: 'test',
      feeder: 'f',
      accept: () => {},
      acceptDigest: m => {
        heard.push(m.message.amends)
      },
      sync: nodeSync
    })
    node.start()
    const validate = pubsub.topicValidators.get(feederDigestTopic('test', 'f'))
    for (const d of [whole, amendment]) expect(validate(relayHost.peerId, { data: seal('digest', d, relaySigner) })).toBe('accept')
    expect(heard).toEqual([undefined, 1])
    expect(await pulledFrom(nodeHost, 4)).toEqual([1])
  })
})
