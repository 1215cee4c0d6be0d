/**
 * Mobility gossip by zone (mobility-gossip.ts): in a zoned district a vehicle's offer (one zone) goes on its zone's
 * topic and a transit offer (several zones) on the district's; a node reads the district's topic and the zones it
 * was given. Real libp2p hosts, their gossip on the simulator's process bus (the same validators as gossipsub),
 * then over their own gossipsub, where a message on a topic its publisher does not read reaches only connected
 * peers known to read it, and the same bytes on a second topic used to count as a duplicate (host.ts).
 */
import { describe, expect, it } from 'vitest'
import { mobilityTopic, mobilityZoneTopic, seal, signerFromSeed, toHex, type ServiceOffer } from '@kvartal/protocol'
import { mobilitySamples } from '@kvartal/protocol/testing'
import { ProcessGossip, mobilityGossip, type KvartalHost, type MobilityGossip } from '../src/index.ts'
import { memoryHosts } from './helpers/memory-hosts.ts'

const host = memoryHosts()
const delivered = async (): Promise<void> => {
  await new Promise(resolve => setImmediate(resolve))
}

const provider = signerFromSeed(new Uint8Array(32).fill(9))
let seq = 0
/** a signed offer of `provider` naming `zones` */
function offer(zones: string[], agencyId = ''): Uint8Array {
  const o: ServiceOffer = {
    ...mobilitySamples({ traveller: provider.publicKey, provider: provider.publicKey })['service-offer'],
    seq: ++seq,
    validUntil: Date.now() + 3_600_000,
    mode: agencyId === '' ? 'BICYCLE' : 'BUS',
    assetId: agencyId === '' ? 'b-1' : '',
    zones,
    agencyId,
    addrs: []
  }
  return seal('service-offer', o, provider)
}

describe('mobility gossip by zone', () => {
  it("a vehicle's offer reaches its zone's readers only, a transit offer every node; a moved vehicle says so where it was", async () => {
    const [p, near, far, plain] = await Promise.all([host(1), host(2), host(3), host(4)])
    const bus = new ProcessGossip()
    const heard = new Map<string, string[]>()
    const node = (h: KvartalHost, name: string, zones: string[], zoned = true) => {
      heard.set(name, [])
      const g = mobilityGossip(bus.port(h.services.pubsub, h.peerId), {
        district: 'test',
        ...(zoned ? { zoned, zones } : {}),
        accept: o => {
          heard.get(name)!.push(`${o.message.zones.join('+')}#${o.message.seq}`)
        }
      })
      g.start()
      return g
    }
    const vehicle = node(p, 'vehicle', [])
    const reader = node(near, 'near', ['u5r2vx', 'u5r2vz'])
    node(far, 'far', ['u5r3bb'])
    // a node that reads only the district's topic hears no vehicle of a zoned district
    node(plain, 'plain', [], false)
    expect(reader.subscriptions).toEqual([mobilityTopic('test'), mobilityZoneTopic('test', 'u5r2vx'), mobilityZoneTopic('test', 'u5r2vz')])

    await vehicle.publish(offer(['u5r2vx']))
    await vehicle.publish(offer(['u5r2vx', 'u5r3bb'], 'bus-co'))
    // it moved from u5r2vx to u5r2vz: the offer naming where it is now goes on both zones' topics
    await vehicle.publish(offer(['u5r2vz']), 'u5r2vx')
    await delivered()
    expect(heard.get('near')).toEqual(['u5r2vx#1', 'u5r2vx+u5r3bb#2', 'u5r2vz#3', 'u5r2vz#3'])
    expect(heard.get('far')).toEqual(['u5r2vx+u5r3bb#2'])
    expect(heard.get('plain')).toEqual(['u5r2vx+u5r3bb#2'])
    expect(vehicle.stats.topics[mobilityZoneTopic('test', 'u5r2vx')].published).toBe(2)
    expect(vehicle.stats.topics[mobilityTopic('test')].published).toBe(1)
  })

  it("refuses an offer naming several zones on a zone's topic, as malformed", async () => {
    const [p, r] = await Promise.all([host(5), host(6)])
    const bus = new ProcessGossip()
    const refused: string[] = []
    const accepted: string[] = []
    mobilityGossip(bus.port(r.services.pubsub, r.peerId), {
      district: 'test',
      zoned: true,
      zones: ['u5r2vx'],
      accept: o => {
        accepted.push(toHex(o.message.provider))
      },
      refused: (err, topic) => {
        refused.push(`${err.code} ${topic}: ${err.message}`)
      }
    }).start()
    const port = bus.port(p.services.pubsub, p.peerId)
    await port.publish(mobilityZoneTopic('test', 'u5r2vx'), offer(['u5r2vx', 'u5r3bb'], 'bus-co'))
    await port.publish(mobilityZoneTopic('test', 'u5r2vx'), offer(['u5r2vx']))
    await delivered()
    expect(refused).toEqual([`malformed ${mobilityZoneTopic('test', 'u5r2vx')}: a service offer on a zone's topic names one zone, not 2`])
    expect(accepted).toHaveLength(1)
  })
})

/**
 * Resolves once `cond` holds, checked again at each gossipsub event of the hosts (a subscription learnt, a graft, a
 * heartbeat): no timer; the test's own timeout bounds it.
 */
async function when(hs: readonly KvartalHost[], cond: () => boolean): Promise<void> {
  if (cond()) return
  const events = ['subscription-change', 'gossipsub:graft', 'gossipsub:heartbeat'] as const
  await new Promise<void>(resolve => {
    const check = (): void => {
      if (!cond()) return
      for (const h of hs) for (const e of events) h.services.pubsub.removeEventListener(e, check)
      resolve()
    }
    for (const h of hs) for (const e of events) h.services.pubsub.addEventListener(e, check)
  })
}
const knows = (h: KvartalHost, other: KvartalHost, topic: string): boolean =>
  h.services.pubsub.getSubscribers(topic).some(p => p.equals(other.peerId))
// gossipsub's mesh for a topic (not in its typed surface; node-mesh.ts reads it the same way)
const meshed = (h: KvartalHost, other: KvartalHost, topic: string): boolean =>
  (h.services.pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(topic).includes(other.peerId.toString())

/** A zoned node on its own gossipsub: what it accepted, and a promise of its n-th acceptance. */
function overGossipsub(h: KvartalHost, zones: string[]): { gossip: MobilityGossip; heard: string[]; nth(n: number): Promise<void> } {
  const heard: string[] = []
  const waiting: Array<[number, () => void]> = []
  const gossip = mobilityGossip(h.services.pubsub, {
    district: 'test',
    zoned: true,
    zones,
    accept: o => {
      heard.push(`${o.message.zones.join('+')}#${o.message.seq}`)
      for (const [n, resolve] of waiting) if (heard.length >= n) resolve()
    }
  })
  gossip.start()
  return {
    gossip,
    heard,
    nth: async n => {
      if (heard.length >= n) return
      await new Promise<void>(resolve => waiting.push([n, resolve]))
    }
  }
}

describe('mobility gossip by zone, over gossipsub', () => {
  // a delivery that never comes fails at the timeout: the exchange itself takes well under a second
  it("a moved vehicle's offer reaches its reader on both zones' topics: the same bytes on two topics are two messages", {
    timeout: 10_000
  }, async () => {
    const [v, r] = await Promise.all([host(21), host(22)])
    const vehicle = overGossipsub(v, [])
    const reader = overGossipsub(r, ['u5r2vx', 'u5r2vz'])
    await v.dial(r.getMultiaddrs()[0])
    await when([v], () => knows(v, r, mobilityZoneTopic('test', 'u5r2vx')) && knows(v, r, mobilityZoneTopic('test', 'u5r2vz')))
    await vehicle.gossip.publish(offer(['u5r2vz']), 'u5r2vx')
    await reader.nth(2)
    expect(reader.heard).toEqual([`u5r2vz#${seq}`, `u5r2vz#${seq}`])
    expect(vehicle.gossip.stats.topics[mobilityTopic('test')]).toEqual({ published: 0, received: 0 })
  })

  it("a vehicle connected to no reader of its zone gossips on the district's topic, " + 'and a reader beyond its neighbour hears it', {
    timeout: 10_000
  }, async () => {
    const [v, a, r] = await Promise.all([host(23), host(24), host(25)])
    const vehicle = overGossipsub(v, [])
    // a node that reads the district's topic only (its home's zones are elsewhere), between the vehicle and the reader
    const between = overGossipsub(a, ['u5r3bb'])
    const reader = overGossipsub(r, ['u5r2vx'])
    await v.dial(a.getMultiaddrs()[0])
    await a.dial(r.getMultiaddrs()[0])
    const district = mobilityTopic('test')
    await when([v, a, r], () => meshed(a, r, district) && meshed(a, v, district) && knows(v, a, district))
    await vehicle.gossip.publish(offer(['u5r2vx']))
    await reader.nth(1)
    expect(reader.heard).toEqual([`u5r2vx#${seq}`])
    expect(between.heard).toEqual([`u5r2vx#${seq}`])
    expect(vehicle.gossip.stats.topics[district].published).toBe(1)
    expect(vehicle.gossip.stats.topics[mobilityZoneTopic('test', 'u5r2vx')]).toBeUndefined()
  })
})
