/**
 * Between its once-a-slot digests, a relay sends a digest again only to withdraw what its sellers no longer
 * have; it adds nothing. The announcer runs with the real order book and positions; the host, journal and
 * gossip router are stand-ins that record what is published.
 */
import { describe, expect, it } from 'vitest'
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
    expect(listed(sent[1].d)).toEqual([['02', 60]])
    // the withdrawal keeps the digest's validity: it is the same list, less
    expect(sent[1].d.validUntil).toBe(sent[0].d.validUntil)
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
    expect(sent.map(x => [x.scope, listed(x.d)])[1]).toEqual(['feeder', [['0c', 100]]])
  })
})
