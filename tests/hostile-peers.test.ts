/**
 * Hostile peers against real Kvartal nodes.
 *
 * First, a stock libp2p peer (tests/helpers/stock-peer.ts: libp2p, gossipsub, no Kvartal code) joins a
 * district of real nodes over TCP (noise, yamux, the edge's connection limits) and does everything an
 * outsider can: floods the offer and mobility topics with garbage, with honest messages it heard with a
 * bit flipped, with the same honest messages again (replays) and with messages far past any size; sends
 * a 1 MiB frame and opens streams that never finish (slowloris) on both the negotiation and the booking
 * protocol; and brings a crowd of further stock peers that connect at once. The honest nodes graylist it
 * and prune it from their mesh (the time it took is printed, never asserted), close every stalled
 * stream, keep trading and booking with each other, and their heap stays bounded.
 *
 * Then, attackers that speak Kvartal (real libp2p hosts on the memory transport, level journals): an
 * accept never confirmed, a fake seller that answers with forged signatures, forged confirms, and a
 * replayed committed trade. In each, the honest seller and buyer keep trading with each other, nothing
 * is committed with the attacker, and what the attacker holds (streams, holds) is bounded.
 * tests/gossip-validation.test.ts covers each kind of bad announcement and bad first frame one at a time.
 */
import { describe, expect, it } from 'vitest'
import { handleChannels, openChannel } from '@kvartal/mesh'
import {
  NEGOTIATION_PROTOCOL,
  fromHex,
  open,
  seal,
  signTerms,
  signerFromSeed,
  toHex,
  topicFor,
  tradeId,
  type Proposal,
  type Trade,
  type TradeTerms
} from '@kvartal/protocol'
import type { KvartalNode } from '@kvartal/node'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { startDistrict, slots, type TestDistrict } from './helpers/nodes.ts'
import { negotiationStreamsFrom, startAttacker } from './helpers/hostile.ts'
import { floodGossip, inMesh, stallStreams, streamsFrom } from './helpers/hostile-tcp.ts'
import { kvartalNames, startStockPeer, type StockPeer } from './helpers/stock-peer.ts'
import { busJourney, smallTimetable, transit, tripAfter } from './helpers/mobility.ts'
import { startTcpDistrict } from './helpers/tcp-district.ts'
import { until } from './helpers/wait.ts'

const seller = { buyLimit: 900_000_000, sellLimit: 350_000_000, position: (s: number) => (s >= 0 ? 1_000 : 0) }
const buyer = { buyLimit: 900_000_000, sellLimit: 350_000_000, position: (s: number) => (s >= 0 ? -300 : 0) }
const offerTopic = topicFor('test', 'offer')

async function runUntilTrue(
  d: TestDistrict,
  cond: () => boolean | Promise<boolean>,
  what: string | (() => string),
  maxSlots = 8
): Promise<void> {
  const limit = d.clock.now() + maxSlots * slots.slotMs
  while (!(await cond())) {
    if (d.clock.now() >= limit)
      throw new Error(`no ${typeof what === 'function' ? what() : what} within ${maxSlots} slots of simulated time`)
    await d.runUntil(d.clock.now() + slots.slotMs / 4)
  }
}
const committedWith = async (n: KvartalNode, who: Uint8Array): Promise<number> =>
  (await n.trades()).filter(t => toHex(t.decoded.terms.buyer) === toHex(who) || toHex(t.decoded.terms.seller) === toHex(who)).length
const committedBetween = async (s: KvartalNode, b: KvartalNode): Promise<Trade[]> =>
  (await s.trades())
    .filter(t => t.role === 'seller' && t.status === 'committed' && toHex(t.decoded.terms.buyer) === b.id)
    .map(t => t.decoded)

describe('a stock libp2p peer in a district over TCP', () => {
  it(
    'floods, flips bits, replays, oversizes, stalls streams and brings a crowd: pruned ' +
      'and graylisted, every stream closed, trading and booking go on, the heap bounded',
    async () => {
      const tt = smallTimetable()
      const d = await startTcpDistrict(
        [
          { position: s => (s >= 0 ? 1_000 : 0), mobility: transit(tt, 40) },
          { position: s => (s >= 0 ? -300 : 0), mobility: 'traveller' }
        ],
        { timetable: tt, extra: { frameTimeoutMs: 1_000, republishEverySlots: 1 } }
      )
      const [S, T] = d.nodes // S sells energy and bus seats; T buys energy and travels
      const names = kvartalNames('test')
      const m = await startStockPeer()
      let crowd: StockPeer[] = []
      try {
        for (const v of d.nodes) await m.host.dial(v.host.getMultiaddrs(), { signal: AbortSignal.timeout(10_000) })
        for (const t of [names.offerTopic, names.bidTopic, names.mobilityTopic]) m.host.services.pubsub.subscribe(t)
        // the honest nodes take the newcomer into their offer-topic mesh (gossipsub's heartbeat, once a second)
        await until(() => d.nodes.every(v => inMesh(v, m, names.offerTopic)), 'the stock peer in both honest meshes', 20_000)
        // the seller re-announces its offers and the operator its service (they announced at start, before anyone
        // was connected): the stock peer hears them
        const heard = (): boolean => (m.heard.get(names.offerTopic)?.length ?? 0) > 0 && (m.heard.get(names.mobilityTopic)?.length ?? 0) > 0
        // checked after each quarter slot of simulated time (each ends with the nodes idle): the re-announcements
        // come on the nodes' ticks, so a real-time sleep on top of the step changed nothing
        await runUntilTrue(d, heard, 'honest gossip heard by the stock peer')
        const seqBefore = T.book.lastSeq('offer', S.id)
        const heapBefore = heapAfterGc()

        const gossip = await floodGossip(m, d.nodes, 'test', 400)
        const stalled = await stallStreams(m, S.host.getMultiaddrs(), [names.negotiation, names.booking], 6, 12)
        crowd = stalled.crowd
        // every stalled stream is closed by the node's frame timeout (1 s here); none is left to the attacker
        await until(() => streamsFrom(S, [m, ...crowd], [names.negotiation, names.booking]) === 0, 'the stalled streams closed', 20_000)
        for (const s of stalled.streams) await until(() => s.status !== 'open', 'the stock peer sees its stream closed', 5_000)
        expect(S.host.getConnections().length).toBeLessThanOrEqual(256)

        // nothing the flood carried reached a book: the seller's offers are its own newest, not a replay's
        expect(T.book.lastSeq('offer', S.id)).toBeGreaterThanOrEqual(seqBefore)
        expect(d.events.filter(e => e.type === 'message-rejected').length).toBeGreaterThan(0)
        // trading goes on: the buyer buys from the seller
        await runUntilTrue(d, async () => (await committedBetween(S, T)).length >= 1, 'trade between the honest nodes')
        // booking goes on: the traveller books a seat on the operator's bus, on a trip half an hour from now
        const trip = tripAfter(tt, Math.floor((d.clock.now() % 86_400_000) / 1000) + 30 * 60)
        const a = tt.stops[tt.stopIndex.get(trip.stops[0])!]
        const b = tt.stops[tt.stopIndex.get(trip.stops[2])!]
        await until(() => T.mobility!.services.size >= 1, "the operator's service offer at the traveller", 20_000)
        const plan = await T.mobility!.plan({
          from: { lat: a.stop_lat, lon: a.stop_lon },
          to: { lat: b.stop_lat, lon: b.stop_lon },
          departAfter: d.clock.now()
        })
        const fare = tt.patterns.find(p => p.route.route_id === trip.routeId)!.route.fare
        const booked = await T.mobility!.book(plan, busJourney(tt, trip, fare))
        expect(booked.status, JSON.stringify(booked)).toBe('CONFIRMED')

        // the heap after all that: loosely bounded (a leak per message or per stream would show in megabytes)
        const heapGrowthMB = (heapAfterGc() - heapBefore) / 2 ** 20
        console.log(
          JSON.stringify({
            hostileStockPeer: {
              ...gossip,
              stalledStreams: stalled.streams.length,
              crowd: crowd.length,
              crowdConnected: stalled.crowdConnected,
              heapGrowthMB: Math.round(heapGrowthMB * 10) / 10
            }
          })
        )
        expect(heapGrowthMB).toBeLessThan(64)
      } finally {
        await Promise.all([m, ...crowd].map(async p => await p.stop().catch(() => {})))
        await d.close()
      }
    }
  )
})

/** the heap in use after a full collection */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

describe('hostile peers that speak Kvartal, against real nodes', () => {
  it(
    'oversized frames, slowloris streams and an accept never confirmed: ' +
      'streams closed by timeout, the hold lapses, the honest buyer buys',
    async () => {
      const d = await startDistrict([seller, buyer], { extra: () => ({ frameTimeoutMs: 1_000 }) })
      const [S, B] = d.nodes
      const m = await startAttacker(71, [S, B])
      try {
        await d.runUntil(d.clock.now() + slots.slotMs / 4) // one tick: the seller plans its slots
        const rawStream = async () => await m.host.dialProtocol(S.identity.peerId, NEGOTIATION_PROTOCOL)
        // an oversized frame: a length prefix of 1 MiB (the limit is 4 KiB), then some of it
        const big = await rawStream()
        big.send(Uint8Array.from([0x80, 0x80, 0x40, ...new Uint8Array(1_000)]))
        // slowloris: streams that say nothing, and streams that start a frame and never finish it
        const silent = await Promise.all(Array.from({ length: 10 }, rawStream))
        const partial = await Promise.all(Array.from({ length: 10 }, rawStream))
        for (const s of partial) s.send(Uint8Array.from([100, 1, 2, 3]))
        // a proposal for all of slot 2 at the buyer's price: accepted, and never confirmed
        const now = d.clock.now()
        const id = new Uint8Array(16).fill(9)
        const proposal: Proposal = {
          version: 1,
          district: 'test',
          id,
          buyer: m.identity.signer.publicKey,
          seller: S.identity.signer.publicKey,
          slot: 2,
          energyWh: 1_000,
          price: 900_000_000,
          expiresAt: now + 60_000,
          round: 0
        }
        const ch = await openChannel(m.host, S.identity.peerId, NEGOTIATION_PROTOCOL)
        await ch.send(seal('proposal', proposal, m.identity.signer))
        const reply = open(await ch.receive(), { maxBytes: 4096, kinds: ['accept', 'counter', 'reject'] })
        expect(reply.kind).toBe('accept')
        expect(S.selling.available(2, d.clock.now())).toBe(0)
        expect(negotiationStreamsFrom(S, m)).toBeGreaterThanOrEqual(21)
        // the seller closes every one of them after its frame timeout: the attacker holds no stream
        await until(() => negotiationStreamsFrom(S, m) === 0, "the seller closed the attacker's streams", 15_000)
        for (const s of [big, ...silent, ...partial]) expect(s.status).not.toBe('open')
        // the hold lapses by itself at the next tick; the honest buyer then buys in slot 2
        await d.runUntil(d.clock.now() + slots.slotMs / 4)
        expect(
          d.events.some(e => e.node === S.id && e.type === 'reservation-released' && e.correlation === toHex(id) && e.code === 'expired')
        ).toBe(true)
        await runUntilTrue(
          d,
          async () => (await committedBetween(S, B)).some(t => t.terms.slot === 2),
          "the honest buyer's trade in slot 2"
        )
        expect(await committedWith(S, m.identity.signer.publicKey)).toBe(0)
        await ch.close().catch(() => {})
      } finally {
        await m.stop()
        await d.close()
      }
    }
  )

  it('a fake seller answering with forged signatures, forged confirms and a replayed trade commit nothing and double nothing', async () => {
    const d = await startDistrict([seller, buyer])
    const [S, B] = d.nodes
    const m = await startAttacker(72, [S, B], [offerTopic])
    const other = signerFromSeed(new Uint8Array(32).fill(73))
    let lured = 0
    try {
      // the attacker sells plenty, cheap; every accept it sends is forged one way or another
      await handleChannels(m.host, NEGOTIATION_PROTOCOL, async ch => {
        const p = open(await ch.receive(), { maxBytes: 4096, kinds: ['proposal'] }).message as Proposal
        lured++
        const terms: TradeTerms = {
          version: 1,
          district: 'test',
          negotiation: p.id,
          buyer: p.buyer,
          seller: lured % 2 === 0 ? m.identity.signer.publicKey : S.identity.signer.publicKey,
          slot: p.slot,
          energyWh: p.energyWh,
          price: p.price,
          agreedAt: d.clock.now()
        }
        // odd: terms naming the honest seller, signed by the attacker; even: its own terms signed by another key
        const sellerSignature = signTerms(terms, lured % 2 === 0 ? other : m.identity.signer)
        await ch.send(seal('accept', { negotiation: p.id, terms, sellerSignature, holdUntil: d.clock.now() + 10_000 }, m.identity.signer))
        await ch.receive().catch(() => {})
      })
      const now = d.clock.now()
      const offers = Array.from({ length: 8 }, (_, s) => ({ slot: s, energyWh: 100_000, price: 1 }))
      await m.host.services.pubsub.publish(
        offerTopic,
        seal(
          'announcement',
          {
            version: 1,
            district: 'test',
            trader: m.identity.signer.publicKey,
            seq: 1,
            issuedAt: now,
            validUntil: now + 8 * 3_600_000,
            offers,
            bids: [],
            addrs: []
          },
          m.identity.signer
        )
      )
      await until(
        () => B.book.forSlot('offer', 1, d.clock.now()).some(o => o.trader === m.identity.id),
        "the fake offer in the buyer's book"
      )
      // the buyer is lured, refuses every forged accept, and still buys from the honest seller
      await runUntilTrue(
        d,
        async () => lured >= 1 && (await committedBetween(S, B)).length >= 2,
        () =>
          `two honest trades after the buyer was lured (lured ${lured}, buyer events ${JSON.stringify(
            d.events
              .filter(e => e.node === B.id && /failed|committed/.test(e.type))
              .slice(0, 6)
              .map(e => [e.type, e.code, e.slot, e.peer?.slice(0, 6)])
          )})`
      )
      expect(await committedWith(B, m.identity.signer.publicKey)).toBe(0)
      const forgeries = d.events.filter(e => e.node === B.id && e.type === 'negotiation-failed' && e.peer === m.identity.id)
      expect(forgeries.length).toBeGreaterThanOrEqual(1)
      // each failure says what the forgery was by its code (terms for another seller, a signature by another key)
      for (const e of forgeries) expect(['bad-accept', 'bad-signature']).toContain(e.code)
      // after a forgery the buyer passes over the fake seller: it is not lured on every approach of every tick
      expect(lured).toBeLessThanOrEqual(8)

      // forged confirms to the honest seller: someone else's signature on the terms, or the buyer named but the attacker signing
      const trades = await committedBetween(S, B)
      const t = trades[0]
      const ask = async (frame: Uint8Array): Promise<ReturnType<typeof open> | undefined> => {
        const ch = await openChannel(m.host, S.identity.peerId, NEGOTIATION_PROTOCOL)
        try {
          await ch.send(frame)
          return open(await ch.receive(), { maxBytes: 4096, kinds: ['committed', 'reject'] })
        } catch {
          return undefined
        } finally {
          await ch.close().catch(() => {})
        }
      }
      const mine: TradeTerms = { ...t.terms, buyer: m.identity.signer.publicKey, negotiation: new Uint8Array(16).fill(5) }
      const forged = await ask(
        seal('confirm', { tradeId: fromHex(tradeId(mine)), terms: mine, buyerSignature: signTerms(mine, other) }, m.identity.signer)
      )
      expect(forged?.kind).toBe('reject')
      expect((forged?.message as { code: string } | undefined)?.code).toBe('bad-signature')
      expect(
        await ask(seal('confirm', { tradeId: fromHex(t.id), terms: t.terms, buyerSignature: signTerms(t.terms, other) }, m.identity.signer))
      ).toBeUndefined()

      // a replayed committed trade: the buyer's own confirm, captured and sent again by the attacker
      const soldBefore = S.stats.soldWh
      const committedBefore = S.selling.committed(t.terms.slot)
      const eventsBefore = d.events.filter(e => e.node === S.id && e.type === 'trade-committed').length
      const replay = seal('confirm', { tradeId: fromHex(t.id), terms: t.terms, buyerSignature: t.buyerSignature }, B.identity.signer)
      for (let i = 0; i < 3; i++) expect((await ask(replay))?.kind).toBe('committed')
      expect(S.stats.soldWh).toBe(soldBefore)
      expect(S.selling.committed(t.terms.slot)).toBe(committedBefore)
      expect(d.events.filter(e => e.node === S.id && e.type === 'trade-committed').length).toBe(eventsBefore)
      expect((await S.trades()).filter(r => r.id === t.id)).toHaveLength(1)
      expect(await committedWith(S, m.identity.signer.publicKey)).toBe(0)
    } finally {
      await m.stop()
      await d.close()
    }
  })
})
