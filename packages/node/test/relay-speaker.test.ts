/**
 * One relay speaks for its feeder: of the relays of a feeder heard within a slot and a tick, the one whose key
 * sorts lowest sends the digests; another stays silent while it hears it, withdraws what it listed when it
 * steps down, and speaks again once the speaker has been silent for more than a slot and a tick. The
 * announcer runs with the real order book and positions; host, journal and router are stand-ins.
 */
import { describe, expect, it } from 'vitest'
import { toHex, type Announcement, type Digest } from '@kvartal/protocol'
import { defaultNodeOptions } from '../src/options.ts'
import { key, offerOf, relayRig } from './helpers/relay-rig.ts'

const SLOT = 40
const slots = defaultNodeOptions.slots
const tickMs = slots.slotMs / defaultNodeOptions.ticksPerSlot
const tick0 = slots.epochMs + (SLOT - 4) * slots.slotMs
const FIRST = SLOT - 3

const offer = (trader: number): Announcement => offerOf(trader, { slot: SLOT, energyWh: 100, price: 400_000_000 + trader, feeder: 'a' })
/** a digest of feeder `a` by another relay of it, issued at `at` */
const sibling = (relay: Uint8Array, seq: number, at: number): Digest => ({
  version: 1,
  district: 'd',
  relay,
  feeder: 'a',
  seq,
  issuedAt: at,
  validUntil: at + 2 * slots.slotMs,
  entries: [{ trader: key(1), feeder: 'a', slot: SLOT, energyWh: 100, price: 400_000_001, addrs: [] }]
})

describe('one relay speaks for its feeder', () => {
  it('steps down for a lower-keyed relay of its feeder, withdrawing its list once, and speaks again when it falls silent', async () => {
    const { announcer, book, sent } = relayRig({ local: 1, district: 2 })
    const lower = new Uint8Array(32)
    book.apply(offer(1), 'offer', 0)
    // nobody else heard: it speaks
    await announcer.relayIfDue(FIRST, tick0)
    expect(sent.map(x => [x.scope, x.d.entries.length])).toEqual([['district', 1]])
    // the other relay (key 00…) is heard within the slot: at the next slot's first tick, this one withdraws
    // it listed, and says nothing more while it hears the other
    book.applyDigest(sibling(lower, 1, tick0 + tickMs), tick0 + tickMs)
    await announcer.relayIfDue(FIRST + 1, tick0 + slots.slotMs)
    expect(sent.map(x => [x.scope, x.d.entries.length])).toEqual([
      ['district', 1],
      ['district', 0]
    ])
    book.applyDigest(sibling(lower, 2, tick0 + slots.slotMs), tick0 + slots.slotMs)
    for (let t = 1; t <= 4; t++) await announcer.relayIfDue(FIRST + 1, tick0 + slots.slotMs + t * tickMs)
    expect(sent).toHaveLength(2)
    // the other relay heard last at the slot's start: a slot and a tick later, still silent; just after, it speaks
    await announcer.relayIfDue(FIRST + 2, tick0 + 2 * slots.slotMs + tickMs)
    expect(sent).toHaveLength(2)
    await announcer.relayIfDue(FIRST + 3, tick0 + 3 * slots.slotMs)
    expect(sent.map(x => [x.scope, x.d.entries.length])).toEqual([
      ['district', 1],
      ['district', 0],
      ['district', 1]
    ])
  })

  it('keeps speaking when the other relay of its feeder sorts higher, or when a relay of another feeder sorts lower', async () => {
    const { announcer, book, sent } = relayRig({ local: 1, district: 2 })
    book.apply(offer(1), 'offer', 0)
    book.applyDigest(sibling(new Uint8Array(32).fill(0xff), 1, tick0), tick0)
    book.applyDigest({ ...sibling(new Uint8Array(32), 1, tick0), feeder: 'b', entries: [] }, tick0)
    await announcer.relayIfDue(FIRST, tick0)
    await announcer.relayIfDue(FIRST + 1, tick0 + slots.slotMs)
    expect(sent.map(x => [x.scope, toHex(x.d.relay) < 'ff', x.d.entries.length])).toEqual([
      ['district', true, 1],
      ['district', true, 1]
    ])
  })
})
