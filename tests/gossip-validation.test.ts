import { describe, expect, it } from 'vitest'
import { seal, signerFromSeed, topicFor, type Announcement } from '@kvartal/protocol'
import { createHost, identityFromSeed, memoryListenAddress } from '@kvartal/mesh'
import { multiaddr } from '@multiformats/multiaddr'
import { startDistrict, epochMs } from './helpers/nodes.ts'

describe('gossip validation with a hostile peer', () => {
  it('rejects malformed, forged, impersonating, replayed and expired announcements, counts them and lowers the sender\'s score', async () => {
    const d = await startDistrict([
      { buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 0 },
      { buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 0 }
    ])
    const mallorySeed = new Uint8Array(32).fill(66)
    const mallory = await identityFromSeed(mallorySeed)
    const attacker = await createHost({ identity: mallory, district: 'test', transport: 'memory', listen: [] })
    try {
      await attacker.start()
      const victim = d.nodes[0]
      await attacker.dial(multiaddr(`${memoryListenAddress(victim.identity)}/p2p/${victim.identity.peerId}`))
      const topic = topicFor('test', 'offer')
      attacker.services.pubsub.subscribe(topic)
      // wait until the victim knows the attacker subscribes, so publishes reach it
      while (!attacker.services.pubsub.getSubscribers(topic).some(p => p.equals(victim.identity.peerId))) await new Promise(resolve => setTimeout(resolve, 20))
      const now = d.clock.now()
      const base: Announcement = { version: 1, district: 'test', trader: mallory.signer.publicKey, seq: 10, issuedAt: now, validUntil: now + 3_600_000, offers: [{ slot: 0, energyWh: 100, price: 400_000_000 }], bids: [], addrs: [] }
      const signer = signerFromSeed(mallorySeed)
      const publish = async (bytes: Uint8Array): Promise<void> => { await attacker.services.pubsub.publish(topic, bytes) }
      const refused = (code: string): number => victim.router.stats.refused[code] ?? 0
      const until = async (f: () => boolean): Promise<void> => { while (!f()) await new Promise(resolve => setTimeout(resolve, 10)) }

      await publish(new Uint8Array([1, 2, 3, 4, 5]))
      await until(() => refused('malformed') >= 1)

      const good = seal('announcement', base, signer)
      const forged = new Uint8Array(good); forged[forged.length - 3] ^= 0xff
      await publish(forged)
      await until(() => refused('bad-signature') >= 1)

      // signed correctly, by mallory, but claims to be the victim's offer
      await publish(seal('announcement', { ...base, trader: victim.identity.signer.publicKey }, signer))
      await until(() => refused('malformed') >= 2)

      await publish(good)
      await until(() => victim.book.forSlot('offer', 0, d.clock.now()).some(o => o.trader === mallory.id))
      // an older sequence number, re-signed: a replay of stale state
      await publish(seal('announcement', { ...base, seq: 9, offers: [{ slot: 0, energyWh: 999, price: 1 }] }, signer))
      await until(() => refused('replayed') >= 1)
      expect(victim.book.forSlot('offer', 0, d.clock.now()).find(o => o.trader === mallory.id)?.energyWh).toBe(100)

      await publish(seal('announcement', { ...base, seq: 11, issuedAt: epochMs - 7_200_000, validUntil: epochMs - 3_600_001 - 1 }, signer))
      await until(() => refused('expired') >= 1)

      await publish(seal('announcement', { ...base, seq: 12, district: 'other' }, signer))
      await until(() => refused('wrong-district') >= 1)

      const rejectedEvents = d.events.filter(e => e.type === 'message-rejected' && e.node === victim.id)
      expect(new Set(rejectedEvents.map(e => e.code))).toEqual(new Set(['malformed', 'bad-signature', 'replayed', 'expired', 'wrong-district']))
      // gossipsub's peer scoring counts the rejects on our topics (ignores for expiry and replay do not count)
      // (scores are cached between heartbeats, once a second)
      const score = (): number => (victim.host.services.pubsub as unknown as { getScore(id: string): number }).getScore(mallory.peerId.toString())
      await until(() => score() < 0)
      expect(score()).toBeLessThan(-100)
      // nothing of the bad messages reached the book
      expect(victim.book.size.offers).toBe(1)
    } finally {
      await attacker.stop()
      await d.close()
    }
  })
})
