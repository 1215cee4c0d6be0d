/**
 * Mobility gossip by zone over real gossipsub (mobility-gossip.ts, host.ts), where a message on a topic its
 * publisher does not read reaches only connected peers known to read it, and the same bytes on a second topic
 * used to count as a duplicate. Real libp2p hosts on the memory transport; waits on subscriptions and
 * deliveries, not on fixed pauses.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { mobilityTopic, mobilityZoneTopic, seal, signerFromSeed, type ServiceOffer } from '@kvartal/protocol'
import { mobilitySamples } from '@kvartal/protocol/testing'
import { createHost, identityFromSeed, mobilityGossip, type KvartalHost, type MobilityGossip } from '../src/index.ts'

const hosts: KvartalHost[] = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map(async h => await h.stop()))
})
async function host(seed: number): Promise<KvartalHost> {
  const h = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(seed)), district: 'test', transport: 'memory' })
  hosts.push(h)
  return h
}
/** Re-checks `cond` every 20 ms for up to 5 s of real time (gossipsub's subscription exchange, heartbeat and delivery). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (cond()) return
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  throw new Error(`no ${what} within 5 s`)
}
const knows = (h: KvartalHost, other: KvartalHost, topic: string): boolean =>
  h.services.pubsub.getSubscribers(topic).some(p => p.equals(other.peerId))
// gossipsub's mesh for a topic (not in its typed surface; node-mesh.ts reads it the same way)
const meshed = (h: KvartalHost, other: KvartalHost, topic: string): boolean =>
  (h.services.pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(topic).includes(other.peerId.toString())

const provider = signerFromSeed(new Uint8Array(32).fill(9))
let seq = 0
/** a signed offer of a vehicle of `provider`, in `zone` */
function offer(zone: string): Uint8Array {
  const o: ServiceOffer = {
    ...mobilitySamples({ traveller: provider.publicKey, provider: provider.publicKey })['service-offer'],
    seq: ++seq,
    validUntil: Date.now() + 3_600_000,
    mode: 'BICYCLE',
    assetId: 'b-1',
    zones: [zone],
    agencyId: '',
    addrs: []
  }
  return seal('service-offer', o, provider)
}

function node(h: KvartalHost, zones: string[], heard: string[] = []): { gossip: MobilityGossip; heard: string[] } {
  const gossip = mobilityGossip(h.services.pubsub, {
    district: 'test',
    zoned: true,
    zones,
    accept: o => {
      heard.push(`${o.message.zones[0]}#${o.message.seq}`)
    }
  })
  gossip.start()
  return { gossip, heard }
}

describe('mobility gossip by zone, over gossipsub', () => {
  it("a moved vehicle's offer reaches its reader on both zones' topics: the same bytes on two topics are two messages", async () => {
    const [v, r] = await Promise.all([host(21), host(22)])
    const vehicle = node(v, [])
    const reader = node(r, ['u5r2vx', 'u5r2vz'])
    await v.dial(r.getMultiaddrs()[0])
    await until(
      () => knows(v, r, mobilityZoneTopic('test', 'u5r2vx')) && knows(v, r, mobilityZoneTopic('test', 'u5r2vz')),
      "the reader's zones at the vehicle"
    )
    await vehicle.gossip.publish(offer('u5r2vz'), 'u5r2vx')
    await until(() => reader.heard.length === 2, 'second delivery')
    expect(reader.heard).toEqual([`u5r2vz#${seq}`, `u5r2vz#${seq}`])
    expect(vehicle.gossip.stats.topics[mobilityTopic('test')]).toEqual({ published: 0, received: 0 })
  })

  it(
    "a vehicle connected to no reader of its zone gossips on the district's topic, " + 'and a reader beyond its neighbour hears it',
    async () => {
      const [v, a, r] = await Promise.all([host(23), host(24), host(25)])
      const vehicle = node(v, [])
      // a node that reads the district's topic only (its home's zones are elsewhere), between the vehicle and the reader
      const between = node(a, ['u5r3bb'])
      const reader = node(r, ['u5r2vx'])
      await v.dial(a.getMultiaddrs()[0])
      await a.dial(r.getMultiaddrs()[0])
      const district = mobilityTopic('test')
      await until(
        () => meshed(a, r, district) && meshed(a, v, district) && knows(v, a, district),
        'a district mesh through the node between'
      )
      await vehicle.gossip.publish(offer('u5r2vx'))
      await until(() => reader.heard.length === 1, 'delivery to the reader')
      expect(reader.heard).toEqual([`u5r2vx#${seq}`])
      expect(between.heard).toEqual([`u5r2vx#${seq}`])
      expect(vehicle.gossip.stats.topics[district].published).toBe(1)
      expect(vehicle.gossip.stats.topics[mobilityZoneTopic('test', 'u5r2vx')]).toBeUndefined()
    }
  )
})
