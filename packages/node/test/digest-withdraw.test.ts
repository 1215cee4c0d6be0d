/**
 * Between its once-a-slot digests, a relay sends a digest again only to withdraw what its sellers no longer
 * have; it adds nothing, and names only what fell (an amendment of its last whole digest). The announcer runs
 * with the real order book and positions; the host, journal and gossip router are stand-ins that record what is
 * published, and readers are real order books that apply what was published, as a node's gossip does.
 */
import { describe, expect, it } from 'vitest'
import { OrderBook } from '@kvartal/market'
import { toHex, type Announcement, type Digest } from '@kvartal/protocol'
import { defaultNodeOptions } from '../src/options.ts'
import { key, relayRig } from './helpers/relay-rig.ts'

const SLOT = 40
const slots = defaultNodeOptions.slots
const tickMs = slots.slotMs / defaultNodeOptions.ticksPerSlot
// the first tick of the slot 3 before SLOT: SLOT is open for trading
const tick0 = slots.epochMs + (SLOT - 3) * slots.slotMs
const FIRST = SLOT - 2

const relay = (): ReturnType<typeof relayRig> => relayRig({ local: 1, district: 2 })
const offer = (trader: number, seq: number, energyWh: number): Announcement => ({
  version: 1,
  district: 'd',
  trader: key(trader),
  seq,
  issuedAt: 0,
  validUntil: 1e15,
  offers: energyWh > 0 ? [{ slot: SLOT, energyWh, price: 400_000_000 + trader }] : [],
  bids: [],
  addrs: [],
  feeder: 'a'
})
const listed = (d: Digest): Array<[string, number]> => d.entries.map(e => [toHex(e.trader).slice(0, 2), e.energyWh])
/** what a reader of another feeder (or, with `self`, that buyer) holds for SLOT after applying `digests` in order */
const readerHolds = (digests: readonly Digest[], now: number, self = toHex(key(99))): Array<[string, number]> => {
  const reader = new OrderBook(self)
  for (const d of digests) reader.applyDigest(d, now)
  return reader.forSlot('offer', SLOT, now).map(o => [o.trader.slice(0, 2), o.energyWh - o.depletedWh])
}

describe('a relay withdraws between its digests, and adds nothing', () => {
  it('a seller that sold out, or has less than half left, is withdrawn at the next tick; one that has more is not added', async () => {
    const { announcer, book, sent } = relay()
    book.apply(offer(1, 1, 100), 'offer', 0)
    book.apply(offer(2, 1, 100), 'offer', 0)
    book.apply(offer(3, 1, 100), 'offer', 0)
    await announcer.relayIfDue(FIRST, tick0)
    expect(sent.map(x => x.scope)).toEqual(['district'])
    expect(listed(sent[0].d)).toEqual([
      ['01', 100],
      ['02', 100],
      ['03', 100]
    ])
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
    // an amendment of the whole digest: what fell, with what is left, without addresses
    expect(sent[1].d.amends).toBe(sent[0].d.seq)
    expect(listed(sent[1].d)).toEqual([
      ['01', 0],
      ['02', 60],
      ['03', 0]
    ])
    expect(sent[1].d.bids).toBeUndefined()
    // the withdrawal keeps the digest's validity: it is the same list, less
    expect(sent[1].d.validUntil).toBe(sent[0].d.validUntil)
    // a reader that heard both holds what a whole list would have said: seller 2 with 60
    expect(readerHolds([sent[0].d], tick0 + 3 * tickMs)).toEqual([
      ['01', 100],
      ['02', 100],
      ['03', 100]
    ])
    expect(readerHolds([sent[0].d, sent[1].d], tick0 + 3 * tickMs)).toEqual([['02', 60]])
    // seller 2 then sells out: the next amendment is cumulative, so a reader that missed the first loses nothing
    book.apply(offer(2, 3, 0), 'offer', 0)
    await announcer.relayIfDue(FIRST, tick0 + 3 * tickMs + 1)
    expect(sent[2].d.amends).toBe(sent[0].d.seq)
    expect(listed(sent[2].d)).toEqual([
      ['01', 0],
      ['02', 0],
      ['03', 0]
    ])
    expect(readerHolds([sent[0].d, sent[2].d], tick0 + 3 * tickMs)).toEqual([])
    expect(readerHolds([sent[0].d, sent[1].d, sent[2].d], tick0 + 3 * tickMs)).toEqual([])
    // a reader that never heard the whole digest holds nothing of it, and an amendment adds nothing
    expect(readerHolds([sent[1].d], tick0 + 3 * tickMs)).toEqual([])
    // nor does it block the whole digest, should that come late (gossip may reorder)
    expect(readerHolds([sent[1].d, sent[0].d], tick0 + 3 * tickMs)).toEqual([
      ['01', 100],
      ['02', 100],
      ['03', 100]
    ])
    sent.splice(2, 1)
    book.apply(offer(2, 4, 60), 'offer', 0)
    // at the next slot's first tick, the full list again, seller 4 included
    await announcer.relayIfDue(FIRST + 1, tick0 + 4 * tickMs)
    expect(listed(sent[2].d)).toEqual([
      ['02', 60],
      ['03', 40],
      ['04', 500]
    ])
  })

  it("an in-relay withdraws what the other feeder's newer digest no longer lists", async () => {
    const { announcer, book, sent } = relay()
    const fromB = (seq: number, traders: number[]): Digest => ({
      version: 1,
      district: 'd',
      relay: key(50),
      feeder: 'b',
      seq,
      issuedAt: tick0,
      validUntil: 1e15,
      entries: traders.map(t => ({ trader: key(t), feeder: 'b', slot: SLOT, energyWh: 100, price: 400_000_000 + t, addrs: [] }))
    })
    book.applyDigest(fromB(1, [11, 12]), tick0)
    await announcer.relayIfDue(FIRST, tick0 + tickMs)
    expect(sent.map(x => [x.scope, listed(x.d)])).toEqual([
      [
        'feeder',
        [
          ['0b', 100],
          ['0c', 100]
        ]
      ]
    ])
    book.applyDigest(fromB(2, [12, 13]), tick0 + tickMs)
    await announcer.relayIfDue(FIRST, tick0 + 2 * tickMs)
    expect(sent.map(x => [x.scope, listed(x.d)])[1]).toEqual(['feeder', [['0b', 0]]])
    expect(sent[1].d.amends).toBe(sent[0].d.seq)
    // the feeder's digest says where the relay listens; its amendment does not repeat it
    expect(sent[1].d.relayAddrs).toBeUndefined()
    expect(readerHolds([sent[0].d, sent[1].d], tick0 + 2 * tickMs)).toEqual([['0c', 100]])
  })
})
