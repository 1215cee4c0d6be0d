import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { TOPIC_SYNC_PROTOCOL, seal, signerFromSeed, type Announcement } from '@kvartal/protocol'
import { TopicSync, createHost, handleChannels, identityFromSeed, memoryListenAddress, openChannel, syncCodes } from '@kvartal/mesh'
import { KvartalNode, type KvartalNodeOptions } from '@kvartal/node'
import { fixedMarkup } from '@kvartal/market'
import { multiaddr } from '@multiformats/multiaddr'
import { startDistrict, epochMs, slots, tariffs, seedOf, type TestDistrict } from './helpers/nodes.ts'

const seller = { buyLimit: 900_000_000, sellLimit: 350_000_000, position: (s: number) => (s >= 0 && s < 8 ? 500 : 0) }
const buyer = { buyLimit: 900_000_000, sellLimit: 400_000_000, position: (s: number) => (s >= 0 && s < 8 ? -200 : 0) }

/** a node that starts after the district has announced, dialling only node 0 */
async function lateNode(d: TestDistrict, extra: Partial<KvartalNodeOptions> = {}): Promise<KvartalNode> {
  const first = d.nodes[0].identity
  const n = new KvartalNode({
    district: 'test',
    dataDir: join(d.dir, 'late'),
    transport: 'memory',
    clock: d.clock,
    slots,
    tariffs,
    strategy: fixedMarkup(),
    profile: buyer,
    keySeed: seedOf(99),
    ticksPerSlot: 4,
    journal: { sync: false },
    seed: 99,
    bootstrap: [`${memoryListenAddress(first)}/p2p/${first.peerId}`],
    onEvent: e => {
      d.events.push(e)
    },
    ...extra
  })
  await n.start()
  d.nodes.push(n)
  return n
}

describe('catching up on gossip a node missed', () => {
  it('a node that joins after the announcements pulls them from a peer at once, instead of waiting an hour for the next', async () => {
    const d = await startDistrict([seller, buyer])
    try {
      // the seller announces on the first tick; its next announcement is an hour (four slots) later
      await d.runUntil(epochMs - 45 * 60_000)
      expect(d.events.filter(e => e.type === 'offer-published').length).toBe(1)
      const late = await lateNode(d)
      await Promise.all(d.nodes.map(async n => await n.idle()))
      // the late node's first tick pulled the seller's offer (and the buyer's bid) from node 0
      expect(late.book.forSlot('offer', 0, d.clock.now()).map(o => o.trader)).toEqual([d.nodes[0].id])
      expect(late.topicSync.stats.caughtUp).toBeGreaterThanOrEqual(1)
      expect(late.topicSync.stats.refused).toBe(0)
      await d.runUntil(epochMs)
      // and it bought in slot 0, long before the seller announced again
      const bought = (await late.trades()).filter(t => t.role === 'buyer' && t.status === 'committed' && t.decoded.terms.slot === 0)
      expect(bought.reduce((a, t) => a + t.decoded.terms.energyWh, 0)).toBe(200)
      // once each has pulled from the other they hold the same set (the clock stands still, nothing new is
      // published), and a pull says so in two short frames and brings nothing
      await d.nodes[0].topicSync.pull(late.identity.peerId)
      await late.topicSync.pull(d.nodes[0].identity.peerId)
      const before = { caughtUp: late.topicSync.stats.caughtUp, frames: late.topicSync.traffic.frames }
      expect(await late.topicSync.pull(d.nodes[0].identity.peerId)).toBe(0)
      expect(late.topicSync.stats.caughtUp).toBe(before.caughtUp)
      expect(late.topicSync.traffic.frames - before.frames).toBe(2)
    } finally {
      await d.close()
    }
  })

  it('without catching up the same late node sees no offer until the next announcement (the control)', async () => {
    const d = await startDistrict([seller, buyer])
    try {
      await d.runUntil(epochMs - 45 * 60_000)
      const late = await lateNode(d, { catchUpEverySlots: 0 })
      await Promise.all(d.nodes.map(async n => await n.idle()))
      expect(late.book.forSlot('offer', 0, d.clock.now())).toEqual([])
      expect(late.topicSync.stats.pulls).toBe(0)
    } finally {
      await d.close()
    }
  })

  it('a peer that answers a pull with a forgery or an unknown topic is refused by name; what was valid before it is kept', async () => {
    const d = await startDistrict([seller, buyer])
    const mallorySeed = new Uint8Array(32).fill(68)
    const mallory = await identityFromSeed(mallorySeed)
    const attacker = await createHost({ identity: mallory, district: 'test', transport: 'memory', listen: [memoryListenAddress(mallory)] })
    try {
      await attacker.start()
      const signer = signerFromSeed(mallorySeed)
      const now = d.clock.now()
      const offer = (seq: number, energyWh: number): Uint8Array =>
        seal(
          'announcement',
          {
            version: 1,
            district: 'test',
            trader: mallory.signer.publicKey,
            seq,
            issuedAt: now,
            validUntil: now + 3_600_000,
            offers: [{ slot: 1, energyWh, price: 400_000_000 }],
            bids: [],
            addrs: []
          } satisfies Announcement,
          signer
        )
      const forged = offer(2, 9_999)
      forged[forged.length - 3] ^= 0xff
      let answer: Uint8Array[] = []
      await handleChannels(
        attacker,
        TOPIC_SYNC_PROTOCOL,
        async ch => {
          await ch.receive()
          await ch.send(new Uint8Array([0]))
          await ch.receive()
          for (const f of answer) await ch.send(f)
          await ch.send(new Uint8Array(0))
        },
        { maxFrameBytes: 65_536 }
      )
      const victim = d.nodes[1]
      await attacker.dial(multiaddr(`${memoryListenAddress(victim.identity)}/p2p/${victim.identity.peerId}`))
      const frame = (code: number, data: Uint8Array): Uint8Array => new Uint8Array([code, ...data])

      answer = [frame(syncCodes.offer, offer(1, 100)), frame(syncCodes.offer, forged), frame(syncCodes.offer, offer(3, 300))]
      expect(await victim.topicSync.pull(mallory.peerId)).toBe(1)
      expect(victim.book.forSlot('offer', 1, d.clock.now()).find(o => o.trader === mallory.id)?.energyWh).toBe(100)
      expect(victim.topicSync.stats.refused).toBe(1)
      expect(d.events.some(e => e.node === victim.id && e.type === 'message-rejected' && e.code === 'bad-signature')).toBe(true)

      // an offer carried under the bid topic's code is refused by the bid topic's validator
      answer = [frame(syncCodes.bid, offer(4, 400))]
      expect(await victim.topicSync.pull(mallory.peerId)).toBe(0)
      expect(d.events.filter(e => e.node === victim.id && e.type === 'message-rejected' && e.code === 'malformed').length).toBe(1)

      answer = [frame(77, offer(5, 500))]
      expect(await victim.topicSync.pull(mallory.peerId)).toBe(0)
      expect(
        d.events.some(
          e =>
            e.node === victim.id && e.type === 'message-rejected' && e.code === 'bad-sync' && /unknown topic code 77/.test(e.detail ?? '')
        )
      ).toBe(true)
      // replays are ignored quietly, as gossip ignores them
      answer = [frame(syncCodes.offer, offer(1, 100))]
      expect(await victim.topicSync.pull(mallory.peerId)).toBe(0)
      expect(victim.topicSync.stats.stale).toBe(1)
      expect(victim.book.forSlot('offer', 1, d.clock.now()).find(o => o.trader === mallory.id)?.energyWh).toBe(100)

      // the other way round: a request that is not a summary, or ids that are not whole, is refused and the node serves on
      const ch = await openChannel(attacker, victim.identity.peerId, TOPIC_SYNC_PROTOCOL, { maxFrameBytes: 65_536 })
      await ch.send(new Uint8Array(17))
      await expect(ch.receive()).rejects.toThrow()
      const ch2 = await openChannel(attacker, victim.identity.peerId, TOPIC_SYNC_PROTOCOL, { maxFrameBytes: 65_536 })
      await ch2.send(new Uint8Array([1, ...new Uint8Array(16)]))
      expect([...(await ch2.receive())]).toEqual([0])
      await ch2.send(new Uint8Array(17))
      await expect(ch2.receive()).rejects.toThrow()
      // and it serves what it accepted: mallory's valid offer, exactly as signed
      const honest = new TopicSync({ host: attacker, now: () => d.clock.now() })
      const served: string[] = []
      honest.register(syncCodes.offer, data => {
        served.push(Buffer.from(data).toString('hex'))
      })
      honest.register(syncCodes.bid, () => {})
      expect(await honest.pull(victim.identity.peerId)).toBeGreaterThanOrEqual(1)
      expect(served).toContain(Buffer.from(offer(1, 100)).toString('hex'))
    } finally {
      await attacker.stop()
      await d.close()
    }
  })

  it(
    'serves only the topics the puller takes: a node without mobility is ' +
      'not sent service offers, and once caught up its pulls are two frames',
    async () => {
      const a = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(7)), district: 'test', transport: 'memory' })
      const b = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(8)), district: 'test', transport: 'memory' })
      try {
        await a.start()
        await b.start()
        const now = epochMs
        const served = new TopicSync({ host: a, now: () => now })
        await served.start()
        served.remember(1, 'alice', 1, new Uint8Array([1]), epochMs + 5_000)
        served.remember(3, 'alice', 1, new Uint8Array([3]), epochMs + 5_000)
        const got: number[] = []
        const refused: string[] = []
        const puller = new TopicSync({
          host: b,
          now: () => now,
          refused: e => {
            refused.push(e.message)
          }
        })
        puller.register(1, (data, _from) => {
          got.push(data[0])
          puller.remember(1, 'alice', 1, data, epochMs + 5_000)
        })
        puller.register(2, () => {})
        await b.dial(multiaddr(`${memoryListenAddress(await identityFromSeed(new Uint8Array(32).fill(7)))}/p2p/${a.peerId}`))
        expect(await puller.pull(a.peerId)).toBe(1)
        expect([got, refused, puller.stats.refused]).toEqual([[1], [], 0])
        // it now holds all the responder has on its topics: the summaries agree
        const frames = puller.traffic.frames
        expect(await puller.pull(a.peerId)).toBe(0)
        expect(puller.traffic.frames - frames).toBe(2)
        // a request that names topic 0 is refused
        const ch = await openChannel(b, a.peerId, TOPIC_SYNC_PROTOCOL, { maxFrameBytes: 65_536 })
        await ch.send(new Uint8Array([1, ...new Uint8Array(16), 1, 0]))
        await expect(ch.receive()).rejects.toThrow()
      } finally {
        await a.stop()
        await b.stop()
      }
    }
  )

  it('serves only the newest message per author and topic, nothing expired, and nothing the puller holds', async () => {
    const a = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(5)), district: 'test', transport: 'memory' })
    const b = await createHost({ identity: await identityFromSeed(new Uint8Array(32).fill(6)), district: 'test', transport: 'memory' })
    try {
      await a.start()
      await b.start()
      let now = epochMs
      const served = new TopicSync({ host: a, now: () => now })
      await served.start()
      served.remember(1, 'alice', 2, new Uint8Array([2]), epochMs + 1_000)
      served.remember(1, 'alice', 1, new Uint8Array([1]), epochMs + 5_000)
      served.remember(2, 'alice', 1, new Uint8Array([3]), epochMs + 500)
      served.remember(1, 'bob', 1, new Uint8Array([4]), epochMs + 5_000)
      const got: number[] = []
      const puller = new TopicSync({ host: b, now: () => now })
      puller.register(1, data => {
        got.push(data[0])
      })
      puller.register(2, data => {
        got.push(data[0])
      })
      puller.remember(1, 'bob', 1, new Uint8Array([4]), epochMs + 5_000)
      await b.dial(multiaddr(`${memoryListenAddress(await identityFromSeed(new Uint8Array(32).fill(5)))}/p2p/${a.peerId}`))
      now = epochMs + 600
      expect(await puller.pull(a.peerId)).toBe(1)
      // alice's seq 2 (not the older seq 1); her expired bid not at all; bob's offer the puller already had
      expect(got).toEqual([2])
      expect(served.stats.served).toBe(1)
      expect(() => puller.register(0, () => {})).toThrow(RangeError)
    } finally {
      await a.stop()
      await b.stop()
    }
  })
})
