import { describe, expect, it } from 'vitest'
import { seal, shareVerification, signerFromSeed, topicFor, verificationMemoStats, type Announcement } from '@kvartal/protocol'
import { ProcessGossip, createHost, identityFromSeed, memoryListenAddress } from '@kvartal/mesh'
import type { GridOptions, KvartalNode } from '@kvartal/node'
import { multiaddr } from '@multiformats/multiaddr'
import { startDistrict, epochMs } from './helpers/nodes.ts'
import { until } from './helpers/wait.ts'

const fees = { local: 50_000_000, district: 150_000_000 }
const seller = { buyLimit: 900_000_000, sellLimit: 350_000_000, position: (s: number) => (s >= 0 && s < 4 ? 500 : 0) }
const buyer = { buyLimit: 900_000_000, sellLimit: 350_000_000, position: (s: number) => (s >= 0 && s < 4 ? -200 : 0) }

async function bought(
  n: KvartalNode
): Promise<Array<{ slot: number; energyWh: number; gridFee?: number; buyerFeeder?: string; sellerFeeder?: string }>> {
  return (await n.trades()).filter(t => t.role === 'buyer' && t.status === 'committed').map(t => t.decoded.terms)
}
const perSlot = (ts: Array<{ slot: number; energyWh: number }>): number[] =>
  [0, 1, 2, 3].map(s => ts.filter(t => t.slot === s).reduce((a, t) => a + t.energyWh, 0))

describe('feeders: the market follows the grid', () => {
  it(
    "a buyer of another feeder hears a seller through the relays' digests, buys across " +
      "and pays the district fee; a buyer of the seller's feeder pays the local one",
    async () => {
      // node 0 sells on f1 and relays for it; node 1 buys on f1; node 2 buys on f2 and relays for it
      const grids: GridOptions[] = [
        { feeder: 'f1', fees, relay: true },
        { feeder: 'f1', fees },
        { feeder: 'f2', fees, relay: true }
      ]
      const d = await startDistrict([seller, buyer, buyer], { extra: i => ({ grid: grids[i] }) })
      try {
        await d.runUntil(epochMs + 4 * 15 * 60_000)
        const local = await bought(d.nodes[1])
        const across = await bought(d.nodes[2])
        expect(perSlot(local)).toEqual([200, 200, 200, 200])
        expect(perSlot(across)).toEqual([200, 200, 200, 200])
        expect(local.every(t => t.gridFee === fees.local && t.buyerFeeder === 'f1' && t.sellerFeeder === 'f1')).toBe(true)
        expect(across.every(t => t.gridFee === fees.district && t.buyerFeeder === 'f2' && t.sellerFeeder === 'f1')).toBe(true)
        // node 2 never read f1's offer topic: it found the seller in a digest
        expect(d.nodes[2].router.subscriptions).not.toContain(topicFor('test', 'offer', 'f1'))
        expect(d.events.some(e => e.type === 'digest-published' && e.node === d.nodes[0].id && e.detail?.startsWith('district'))).toBe(true)
      } finally {
        await d.close()
      }
    }
  )

  it(
    "the hub: relays carry their feeders' residual bids, and allocate another " +
      "feeder's energy to the buyers that pay most for it, each entry to one buyer",
    async () => {
      // 300 Wh a slot on f1 (node 0, its relay) and nobody on f1 to buy it; on f2 a buyer that pays up to 0.9 IOTA/kWh
      // (node 2), on f3 one that pays up to 0.6 (node 4), 200 Wh a slot each; nodes 1 and 3 relay for f2 and f3 and trade nothing
      const grids: GridOptions[] = [
        { feeder: 'f1', fees, relay: true },
        { feeder: 'f2', fees, relay: true },
        { feeder: 'f2', fees },
        { feeder: 'f3', fees, relay: true },
        { feeder: 'f3', fees }
      ]
      const idle = { ...buyer, position: () => 0 }
      const dear = { ...buyer, buyLimit: 900_000_000 }
      const cheap = { ...buyer, buyLimit: 600_000_000 }
      const big = { ...seller, position: (s: number) => (s >= 0 && s < 4 ? 300 : 0) }
      // the buyers gossip bids from the start (a buyer on a feeder otherwise waits until it sees other feeders' offers)
      const d = await startDistrict([big, idle, dear, idle, cheap], { extra: i => ({ grid: grids[i], announceBids: i === 2 || i === 4 }) })
      try {
        await d.runUntil(epochMs + 4 * 15 * 60_000)
        const who = (id: string | undefined): number => d.nodes.findIndex(n => n.id === id)
        const published = d.events.filter(e => e.type === 'digest-published').map(e => `${who(e.node)} ${e.detail}`)
        // f2's and f3's relays put their buyer's bid in their district digests; their feeder digests name the buyer of each entry
        expect(published.filter(p => /^1 district: 0 offers, \d+ bids$/.test(p)).length).toBeGreaterThan(0)
        expect(published.filter(p => /^3 district: 0 offers, \d+ bids$/.test(p)).length).toBeGreaterThan(0)
        expect(published.filter(p => /^1 feeder: (\d+) offers \(\1 for one buyer each\)$/.test(p)).length).toBeGreaterThan(0)
        expect(published.filter(p => /^3 feeder: (\d+) offers \(\1 for one buyer each\)$/.test(p)).length).toBeGreaterThan(0)
        // nothing sold twice: what both bought in a slot is what the seller had
        const both = [perSlot(await bought(d.nodes[2])), perSlot(await bought(d.nodes[4]))]
        for (let s = 0; s < 4; s++) expect(both[0][s] + both[1][s]).toBeLessThanOrEqual(300)
        // the buyer that pays most gets all it wants in every slot; the other, what is left (slot 0 closed before
        // the first digests went round)
        expect(both[0].slice(1)).toEqual([200, 200, 200])
        expect(both[1].slice(1)).toEqual([100, 100, 100])
      } finally {
        await d.close()
      }
    }
  )

  it('a seller sells no more across feeders than its share of the transformer, and a buyer buys no more', async () => {
    // node 0 may export 100 Wh per slot; node 2 may import 150 Wh per slot from node 3 (no export limit)
    const grids: GridOptions[] = [
      { feeder: 'f1', fees, relay: true, crossFeederShareWh: 100 },
      { feeder: 'f2', fees, relay: true },
      { feeder: 'f3', fees, relay: true, crossFeederShareWh: 150 },
      { feeder: 'f4', fees, relay: true }
    ]
    const small = { ...seller, position: (s: number) => (s >= 0 && s < 4 ? 250 : 0) }
    const d = await startDistrict([seller, buyer, buyer, small], { extra: i => ({ grid: grids[i] }) })
    try {
      await d.runUntil(epochMs + 4 * 15 * 60_000)
      const sold0 = (await d.nodes[0].trades()).filter(t => t.role === 'seller' && t.status === 'committed').map(t => t.decoded.terms)
      expect(perSlot(sold0).every(wh => wh <= 100)).toBe(true)
      expect(perSlot(sold0).reduce((a, b) => a + b)).toBeGreaterThan(0)
      expect(perSlot(await bought(d.nodes[2])).every(wh => wh <= 150)).toBe(true)
      // every trade crossed feeders here, and what the limits held back went to the grid
      const all = [...(await bought(d.nodes[1])), ...(await bought(d.nodes[2]))]
      expect(all.length).toBeGreaterThan(0)
      expect(all.every(t => t.gridFee === fees.district)).toBe(true)
    } finally {
      await d.close()
    }
  })

  it('a buyer buys from other feeders no more than its share of its transformer, however much is on offer', async () => {
    const grids: GridOptions[] = [
      { feeder: 'f1', fees, relay: true },
      { feeder: 'f2', fees, relay: true, crossFeederShareWh: 150 }
    ]
    const d = await startDistrict([seller, buyer], { extra: i => ({ grid: grids[i] }) })
    try {
      await d.runUntil(epochMs + 4 * 15 * 60_000)
      // 500 Wh on offer per slot, 200 wanted: the share binds at 150 in every slot
      expect(perSlot(await bought(d.nodes[1]))).toEqual([150, 150, 150, 150])
    } finally {
      await d.close()
    }
  })

  it('a buyer hangs up on a seller of another feeder once their negotiations are over; it buys from it again the next slot', async () => {
    // no connections but those negotiations make: gossip (the relays' digests) on a process bus, no bootstrap
    const bus = new ProcessGossip()
    const grids: GridOptions[] = [
      { feeder: 'f1', fees, relay: true },
      { feeder: 'f2', fees, relay: true }
    ]
    const d = await startDistrict([seller, buyer], { degree: 0, extra: i => ({ grid: grids[i], processGossip: bus }) })
    try {
      const [S, B] = d.nodes
      const connected = (): number => B.host.getConnections(S.identity.peerId).length
      let most = 0
      const stop = d.onEvent(e => {
        if (e.type === 'proposal-sent') most = Math.max(most, connected())
      })
      await d.runUntil(epochMs + 4 * 15 * 60_000)
      stop()
      expect(perSlot(await bought(B))).toEqual([200, 200, 200, 200])
      // it was connected to negotiate, and is not once they are done
      expect(most).toBeGreaterThanOrEqual(1)
      await until(
        () => connected() === 0 && S.host.getConnections(B.identity.peerId).length === 0,
        'the buyer hung up on the seller of another feeder'
      )
      // a hang-up asks, just before it closes, whether a negotiation with the seller started meanwhile
      await B.host.dial(multiaddr(`${memoryListenAddress(S.identity)}/p2p/${S.identity.peerId}`))
      // (identify's exchange on the new connection over first: an open stream of anything else keeps it)
      await until(
        () => B.host.getConnections(S.identity.peerId).every(c => c.streams.every(x => x.protocol?.startsWith('/meshsub/') === true)),
        'only gossip streams open'
      )
      await B.buyer.hangUp(S.id, () => false)
      expect(connected()).toBe(1)
      await B.buyer.hangUp(S.id, () => true)
      await until(() => connected() === 0, 'the buyer hung up once nothing needed the connection')
    } finally {
      await d.close()
    }
  })

  it('with signature checks shared across the nodes of a process, a forged announcement is still refused by every node', async () => {
    shareVerification(true)
    const d = await startDistrict([
      { buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 0 },
      { buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 0 },
      { buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 0 }
    ])
    const seed = new Uint8Array(32).fill(71)
    const mallory = await identityFromSeed(seed)
    const attacker = await createHost({ identity: mallory, district: 'test', transport: 'memory', listen: [] })
    try {
      await attacker.start()
      const topic = topicFor('test', 'offer')
      attacker.services.pubsub.subscribe(topic)
      for (const n of d.nodes) await attacker.dial(multiaddr(`${memoryListenAddress(n.identity)}/p2p/${n.identity.peerId}`))
      await until(
        () => d.nodes.every(n => attacker.services.pubsub.getSubscribers(topic).some(p => p.equals(n.identity.peerId))),
        'every node subscribed, as the attacker sees it'
      )
      const now = d.clock.now()
      const a: Announcement = {
        version: 1,
        district: 'test',
        trader: mallory.signer.publicKey,
        seq: 5,
        issuedAt: now,
        validUntil: now + 3_600_000,
        offers: [{ slot: 0, energyWh: 100, price: 400_000_000 }],
        bids: [],
        addrs: []
      }
      const good = seal('announcement', a, signerFromSeed(seed))
      await attacker.services.pubsub.publish(topic, good)
      await until(() => d.nodes.every(n => n.book.forSlot('offer', 0, d.clock.now()).some(o => o.trader === mallory.id)))
      // one node checked the signature, the others reused its answer
      expect(verificationMemoStats.hits).toBeGreaterThanOrEqual(2)
      // the same signature on other bytes (a bigger offer, a newer seq): every node checks anew and refuses
      // (an envelope encodes its signature last: 64 bytes)
      const signature = good.slice(-64)
      const forged = seal(
        'announcement',
        { ...a, seq: 6, offers: [{ slot: 0, energyWh: 10_000, price: 400_000_000 }] },
        { publicKey: mallory.signer.publicKey, sign: () => signature }
      )
      expect(Buffer.from(forged.slice(-64)).equals(Buffer.from(signature))).toBe(true)
      await attacker.services.pubsub.publish(topic, forged)
      await until(() => d.nodes.every(n => (n.router.stats.refused['bad-signature'] ?? 0) >= 1))
      expect(d.nodes.every(n => n.book.lastSeq('offer', mallory.id) === 5)).toBe(true)
    } finally {
      shareVerification(false)
      await attacker.stop()
      await d.close()
    }
  })

  it(
    "on a simulation process's gossip bus, every node still checks " + 'what it receives: a forged announcement is refused by every node',
    async () => {
      // the simulator's nodes of one process gossip on a bus (mesh's ProcessGossip) with signature checks
      // shared; an intruder on the same bus signs a good announcement, then puts the same signature on other bytes
      shareVerification(true)
      const bus = new ProcessGossip()
      const trader = { buyLimit: 900_000_000, sellLimit: 350_000_000, position: () => 0 }
      const d = await startDistrict([trader, trader, trader], { extra: () => ({ processGossip: bus }) })
      const seed = new Uint8Array(32).fill(72)
      const mallory = await identityFromSeed(seed)
      const intruder = await createHost({ identity: mallory, district: 'test', transport: 'memory', listen: [] })
      try {
        const port = bus.port(intruder.services.pubsub, mallory.peerId)
        const topic = topicFor('test', 'offer')
        const now = d.clock.now()
        const a: Announcement = {
          version: 1,
          district: 'test',
          trader: mallory.signer.publicKey,
          seq: 5,
          issuedAt: now,
          validUntil: now + 3_600_000,
          offers: [{ slot: 0, energyWh: 100, price: 400_000_000 }],
          bids: [],
          addrs: []
        }
        const good = seal('announcement', a, signerFromSeed(seed))
        await port.publish(topic, good)
        await until(() => d.nodes.every(n => n.book.forSlot('offer', 0, d.clock.now()).some(o => o.trader === mallory.id)))
        const signature = good.slice(-64)
        const forged = seal(
          'announcement',
          { ...a, seq: 6, offers: [{ slot: 0, energyWh: 10_000, price: 400_000_000 }] },
          { publicKey: mallory.signer.publicKey, sign: () => signature }
        )
        await port.publish(topic, forged)
        await until(() => d.nodes.every(n => (n.router.stats.refused['bad-signature'] ?? 0) >= 1))
        expect(d.nodes.every(n => n.book.lastSeq('offer', mallory.id) === 5)).toBe(true)
        // and the nodes' gossip went over the bus, not over gossipsub
        expect(bus.stats.delivered).toBeGreaterThanOrEqual(6)
        expect(d.nodes.every(n => !n.host.services.pubsub.getTopics().includes(topic))).toBe(true)
      } finally {
        shareVerification(false)
        await intruder.stop()
        await d.close()
      }
    }
  )
})
