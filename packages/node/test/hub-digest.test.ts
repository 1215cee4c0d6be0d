/**
 * A relay's part in the hub (relay-digests.ts, #outDigest and #inDigest): out, its feeder's residual offers and
 * bids; in, the allocation of other feeders' residual offers to its own feeder's buyers, each entry naming
 * its buyer, and what nobody was allocated. The announcer runs with the real order book, positions and
 * allocation; the host, journal and gossip router are stand-ins that record what is published.
 */
import { describe, expect, it } from 'vitest'
import { toHex, type Announcement, type Digest, type DigestEntry } from '@kvartal/protocol'
import { defaultNodeOptions } from '../src/options.ts'
import { key, relayRig } from './helpers/relay-rig.ts'

const SLOT = 40
const slots = defaultNodeOptions.slots
const tickMs = slots.slotMs / defaultNodeOptions.ticksPerSlot
const tick0 = slots.epochMs + (SLOT - 3) * slots.slotMs
const FIRST = SLOT - 2
const fees = { local: 50_000_000, district: 150_000_000 }

const relay = (): ReturnType<typeof relayRig> => relayRig(fees)
const order = (trader: number, feeder: string, energyWh: number, price: number): DigestEntry => ({
  trader: key(trader),
  feeder,
  slot: SLOT,
  energyWh,
  price,
  addrs: []
})
/** a relay of another feeder's district digest: its residual offers and bids */
const district = (relayKey: number, feeder: string, offers: DigestEntry[], bids: DigestEntry[]): Digest => ({
  version: 1,
  district: 'd',
  relay: key(relayKey),
  feeder,
  seq: 1,
  issuedAt: tick0,
  validUntil: 1e15,
  entries: offers,
  ...(bids.length > 0 ? { bids } : {})
})
const ann = (trader: number, side: 'offer' | 'bid', energyWh: number, price: number): Announcement => ({
  version: 1,
  district: 'd',
  trader: key(trader),
  seq: 1,
  issuedAt: 0,
  validUntil: 1e15,
  offers: side === 'offer' ? [{ slot: SLOT, energyWh, price }] : [],
  bids: side === 'bid' ? [{ slot: SLOT, energyWh, price }] : [],
  addrs: [],
  feeder: 'a'
})
const rows = (l: readonly DigestEntry[]): Array<[string, number, string]> =>
  l.map(e => [toHex(e.trader).slice(0, 2), e.energyWh, e.buyer != null ? toHex(e.buyer).slice(0, 2) : '-'])

describe('a relay in the hub', () => {
  it("out: its feeder's offers and bids less what they match inside the feeder at the local fee", async () => {
    const { announcer, book, sent } = relay()
    book.apply(ann(1, 'offer', 100, 400_000_000), 'offer', 0)
    book.apply(ann(2, 'offer', 100, 600_000_000), 'offer', 0)
    book.apply(ann(21, 'bid', 150, 500_000_000), 'bid', 0)
    await announcer.relayIfDue(FIRST, tick0)
    // 21 (0.5) takes 1's 100 (0.4 + 0.05 local fee) but not 2's (0.6): 2's 100 and 21's 50 are left
    expect(sent.map(x => [x.scope, rows(x.d.entries), rows(x.d.bids ?? [])])).toEqual([['district', [['02', 100, '-']], [['15', 50, '-']]]])
  })

  it(
    'out: the cheapest 16 offers per slot for buyers to see; 24 when ' +
      'the district gossips bids, for the hub to allocate one buyer each',
    async () => {
      for (const bids of [false, true]) {
        const { announcer, book, sent } = relay()
        for (let t = 1; t <= 30; t++) book.apply(ann(100 + t, 'offer', 100, 400_000_000 + t), 'offer', 0)
        // a buyer of this feeder whose limit covers none of them with the local fee: a residual bid
        if (bids) book.apply(ann(21, 'bid', 50, 420_000_000), 'bid', 0)
        await announcer.relayIfDue(FIRST, tick0)
        expect([bids, sent[0].d.entries.length, sent[0].d.bids?.length ?? 0]).toEqual(bids ? [true, 24, 1] : [false, 16, 0])
      }
    }
  )

  it(
    'in: the dearest bid of the district first, each entry for one buyer ' +
      "of its own feeder; what another feeder's buyer was given is not shown",
    async () => {
      const { announcer, book, sent } = relay()
      book.apply(ann(21, 'bid', 60, 900_000_000), 'bid', 0)
      // feeder b sells 100 Wh at 0.4; feeder c's buyer pays 0.95 for 80 Wh, so it comes first; feeder e sells 50 at 0.8
      // (too dear with the fee for 21)
      book.applyDigest(district(50, 'b', [order(11, 'b', 100, 400_000_000)], []), tick0)
      book.applyDigest(district(60, 'c', [], [order(41, 'c', 80, 950_000_000)]), tick0)
      book.applyDigest(district(70, 'e', [order(12, 'e', 50, 800_000_000)], []), tick0)
      await announcer.relayIfDue(FIRST, tick0)
      await announcer.relayIfDue(FIRST, tick0 + tickMs)
      expect(sent.map(x => x.scope)).toEqual(['district', 'feeder'])
      // c's buyer takes 80 of b's 100 (and none of e's: it had enough); 21 the other 20; e's 50 is shown to anyone
      expect(rows(sent[1].d.entries)).toEqual([
        ['0b', 20, '15'],
        ['0c', 50, '-']
      ])
    }
  )

  it('in, with no bids of its own feeder: its buyers are shown only what the hub gave nobody', async () => {
    const { announcer, book, sent } = relay()
    book.applyDigest(district(50, 'b', [order(11, 'b', 100, 400_000_000)], []), tick0)
    book.applyDigest(district(60, 'c', [], [order(41, 'c', 80, 950_000_000)]), tick0)
    await announcer.relayIfDue(FIRST, tick0 + tickMs)
    expect(rows(sent[0].d.entries)).toEqual([['0b', 20, '-']])
  })
})
