/**
 * Between its once-a-slot digests, a relay sends a digest again only to withdraw what its sellers no longer
 * have; it adds nothing. The announcer runs with the real order book and positions; the host, journal and
 * gossip router are stand-ins that record what is published.
 */
import { describe, expect, it } from 'vitest'
import { OrderBook, SlotPositions } from '@kvartal/market'
import { limits, openAs, signerFromSeed, toHex, type Announcement, type Digest } from '@kvartal/protocol'
import type { DigestScope } from '@kvartal/mesh'
import { Announcer } from '../src/announcer.ts'
import { defaultNodeOptions, type KvartalNodeOptions } from '../src/options.ts'

const key = (n: number): Uint8Array => new Uint8Array(32).fill(n)
const SLOT = 40
const slots = defaultNodeOptions.slots
const tickMs = slots.slotMs / defaultNodeOptions.ticksPerSlot
// the first tick of the slot 3 before SLOT: SLOT is open for trading
const tick0 = slots.epochMs + (SLOT - 3) * slots.slotMs
const FIRST = SLOT - 2

const relay = (): { announcer: Announcer, book: OrderBook, sent: Array<{ scope: DigestScope, d: Digest }> } => {
  const signer = signerFromSeed(key(7))
  const options = { ...defaultNodeOptions, district: 'd', profile: { buyLimit: 700_000_000, sellLimit: 300_000_000, position: () => 0 }, grid: { feeder: 'a', fees: { local: 1, district: 2 }, relay: true } } as unknown as KvartalNodeOptions
  const book = new OrderBook(toHex(signer.publicKey))
  const sent: Array<{ scope: DigestScope, d: Digest }> = []
  let counter = 0
  const announcer = new Announcer({
    options,
    host: { getMultiaddrs: () => [] } as any,
    identity: { signer } as any,
    journal: { nextCounter: async () => ++counter } as any,
    router: { publishDigest: async (scope: DigestScope, envelope: Uint8Array) => { sent.push({ scope, d: openAs(envelope, 'digest', limits.maxDigestBytes).message }) } } as any,
    topicSync: {} as any,
    selling: new SlotPositions(),
    need: new SlotPositions(),
    book,
    random: () => 0.5,
    peerRandom: () => 0.5,
    emit: () => {}
  })
  return { announcer, book, sent }
}
const offer = (trader: number, seq: number, energyWh: number): Announcement =>
  ({ version: 1, district: 'd', trader: key(trader), seq, issuedAt: 0, validUntil: 1e15, offers: energyWh > 0 ? [{ slot: SLOT, energyWh, price: 400_000_000 + trader }] : [], bids: [], addrs: [], feeder: 'a' })
const listed = (d: Digest): Array<[string, number]> => d.entries.map(e => [toHex(e.trader).slice(0, 2), e.energyWh])

describe('a relay withdraws between its digests, and adds nothing', () => {
  it('a seller that sold out, or has less than half left, is withdrawn at the next tick; one that has more is not added', async () => {
    const { announcer, book, sent } = relay()
    book.apply(offer(1, 1, 100), 'offer', 0)
    book.apply(offer(2, 1, 100), 'offer', 0)
    book.apply(offer(3, 1, 100), 'offer', 0)
    await announcer.relayIfDue(FIRST, tick0)
    expect(sent.map(x => x.scope)).toEqual(['district'])
    expect(listed(sent[0].d)).toEqual([['01', 100], ['02', 100], ['03', 100]])
    // nothing changed: nothing sent
    await announcer.relayIfDue(FIRST, tick0 + 2 * tickMs)
    expect(sent).toHaveLength(1)
    // seller 1 withdraws its offer, seller 2 has 60 left (more than half), seller 3 has 40 left; seller 4 appears
    book.apply(offer(1, 2, 0), 'offer', 0)
    book.apply(offer(2, 2, 60), 'offer', 0)
    book.apply(offer(3, 2, 40), 'offer', 0)
    book.apply(offer(4, 1, 500), 'offer', 0)
    await announcer.relayIfDue(FIRST, tick0 + 3 * tickMs)
    expect(sent).toHaveLength(2)
    expect(sent[1].scope).toBe('district')
    expect(listed(sent[1].d)).toEqual([['02', 60]])
    // the withdrawal keeps the digest's validity: it is the same list, less
    expect(sent[1].d.validUntil).toBe(sent[0].d.validUntil)
    // at the next slot's first tick, the full list again, seller 4 included
    await announcer.relayIfDue(FIRST + 1, tick0 + 4 * tickMs)
    expect(listed(sent[2].d)).toEqual([['02', 60], ['03', 40], ['04', 500]])
  })

  it('an in-relay withdraws what the other feeder\'s newer digest no longer lists', async () => {
    const { announcer, book, sent } = relay()
    const fromB = (seq: number, traders: number[]): Digest => ({ version: 1, district: 'd', relay: key(50), feeder: 'b', seq, issuedAt: tick0, validUntil: 1e15, entries: traders.map(t => ({ trader: key(t), feeder: 'b', slot: SLOT, energyWh: 100, price: 400_000_000 + t, addrs: [] })) })
    book.applyDigest(fromB(1, [11, 12]), tick0)
    await announcer.relayIfDue(FIRST, tick0 + tickMs)
    expect(sent.map(x => [x.scope, listed(x.d)])).toEqual([['feeder', [['0b', 100], ['0c', 100]]]])
    book.applyDigest(fromB(2, [12, 13]), tick0 + tickMs)
    await announcer.relayIfDue(FIRST, tick0 + 2 * tickMs)
    expect(sent.map(x => [x.scope, listed(x.d)])[1]).toEqual(['feeder', [['0c', 100]]])
  })
})
