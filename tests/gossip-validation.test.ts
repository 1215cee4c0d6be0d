import { describe, expect, it } from 'vitest'
import { NEGOTIATION_PROTOCOL, seal, signerFromSeed, topicFor, type Announcement } from '@kvartal/protocol'
import { createHost, identityFromSeed, memoryListenAddress, openChannel } from '@kvartal/mesh'
import { multiaddr } from '@multiformats/multiaddr'
import { startDistrict, epochMs } from './helpers/nodes.ts'
import { until } from './helpers/wait.ts'

describe('gossip validation with a hostile peer', () => {
  it(
    'rejects malformed, forged, impersonating, replayed and expired ' + "announcements, counts them and lowers the sender's score",
    async () => {
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
        await until(
          () => attacker.services.pubsub.getSubscribers(topic).some(p => p.equals(victim.identity.peerId)),
          'the victim subscribed, as the attacker sees it'
        )
        const now = d.clock.now()
        const base: Announcement = {
          version: 1,
          district: 'test',
          trader: mallory.signer.publicKey,
          seq: 10,
          issuedAt: now,
          validUntil: now + 3_600_000,
          offers: [{ slot: 0, energyWh: 100, price: 400_000_000 }],
          bids: [],
          addrs: []
        }
        const signer = signerFromSeed(mallorySeed)
        const publish = async (bytes: Uint8Array): Promise<void> => {
          await attacker.services.pubsub.publish(topic, bytes)
        }
        const refused = (code: string): number => victim.router.stats.refused[code] ?? 0

        await publish(new Uint8Array([1, 2, 3, 4, 5]))
        await until(() => refused('malformed') >= 1)

        const good = seal('announcement', base, signer)
        const forged = new Uint8Array(good)
        forged[forged.length - 3] ^= 0xff
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

        await publish(
          seal('announcement', { ...base, seq: 11, issuedAt: epochMs - 7_200_000, validUntil: epochMs - 3_600_001 - 1 }, signer)
        )
        await until(() => refused('expired') >= 1)

        await publish(seal('announcement', { ...base, seq: 12, district: 'other' }, signer))
        await until(() => refused('wrong-district') >= 1)

        const rejectedEvents = d.events.filter(e => e.type === 'message-rejected' && e.node === victim.id)
        expect(new Set(rejectedEvents.map(e => e.code))).toEqual(
          new Set(['malformed', 'bad-signature', 'replayed', 'expired', 'wrong-district'])
        )
        // gossipsub's peer scoring counts the rejects on our topics (ignores for expiry and replay do not count)
        // (scores are cached between heartbeats, once a second)
        const score = (): number =>
          (victim.host.services.pubsub as unknown as { getScore(id: string): number }).getScore(mallory.peerId.toString())
        await until(() => score() < 0)
        expect(score()).toBeLessThan(-100)
        // nothing of the bad messages reached the book
        expect(victim.book.size.offers).toBe(1)
      } finally {
        await attacker.stop()
        await d.close()
      }
    }
  )

  it(
    'a negotiation stream carrying garbage, a forged proposal or a ' + 'proposal for someone else is refused, reported and costs nothing',
    async () => {
      const d = await startDistrict([
        { buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 1_000 },
        { buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 0 }
      ])
      const mallorySeed = new Uint8Array(32).fill(67)
      const mallory = await identityFromSeed(mallorySeed)
      const attacker = await createHost({ identity: mallory, district: 'test', transport: 'memory', listen: [] })
      try {
        await attacker.start()
        const victim = d.nodes[0]
        const target = multiaddr(`${memoryListenAddress(victim.identity)}/p2p/${victim.identity.peerId}`)
        const send = async (frame: Uint8Array): Promise<Uint8Array | undefined> => {
          const ch = await openChannel(attacker, [target], NEGOTIATION_PROTOCOL)
          await ch.send(frame)
          try {
            return await ch.receive()
          } catch {
            return undefined
          } finally {
            await ch.close()
          }
        }
        const rejected = (code: string): number =>
          d.events.filter(
            e => e.type === 'message-rejected' && e.node === victim.id && e.code === code && e.detail?.startsWith('negotiation stream')
          ).length
        expect(await send(new Uint8Array([9, 9, 9]))).toBeUndefined()
        const proposal = {
          version: 1,
          district: 'test',
          id: new Uint8Array(16).fill(1),
          buyer: mallory.signer.publicKey,
          seller: victim.identity.signer.publicKey,
          slot: 0,
          energyWh: 500,
          price: 900_000_000,
          expiresAt: d.clock.now() + 60_000,
          round: 0
        }
        const sealed = seal('proposal', proposal, mallory.signer)
        const forged = new Uint8Array(sealed)
        forged[forged.length - 2] ^= 0xff
        expect(await send(forged)).toBeUndefined()
        // signed by mallory but claiming to come from the other node
        expect(await send(seal('proposal', { ...proposal, buyer: d.nodes[1].identity.signer.publicKey }, mallory.signer))).toBeUndefined()
        await until(
          () => rejected('malformed') >= 2 && rejected('bad-signature') >= 1,
          'two malformed and one badly signed proposal rejected'
        )
        // the seller still has all its energy: nothing was held for any of them
        expect(victim.selling.held(0, d.clock.now())).toBe(0)
      } finally {
        await attacker.stop()
        await d.close()
      }
    }
  )
})
