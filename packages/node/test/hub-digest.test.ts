/**
 * A relay's part in the hub (relay-digests.ts, #outDigest and #inDigest): out, its feeder's residual offers and
 * bids; in, the allocation of other feeders' residual offers to its own feeder's buyers, each entry naming
 * its buyer, and what nobody was allocated. The announcer runs with the real order book, positions and
 * allocation; the host, journal and gossip router are stand-ins that record what is published.
 */
import { describe, expect, it } from 'vitest'
import { toHex, type Announcement, type Digest, type DigestEntry } from '@kvartal/protocol'
import type { BookEntry } from '@kvartal/market'
import { defaultNodeOptions } from '../src/options.ts'
import { key, offerOf, relayRig } from './helpers/relay-rig.ts'
import { seenHere } from '../src/digest-picks.ts'

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
const ann = (trader: number, side: 'offer' | 'bid', energyWh: number, price: number): Announcement => {
  const a = offerOf(trader, { slot: SLOT, energyWh, price, feeder: 'a' })
  return side === 'offer' ? a : { ...a, offers: [], bids: a.offers }
}
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

describe('a relay in the hub: the import marginal (Digest.matched)', () => {
  it('out: the asks its own buyers take at home, dearest first, what each is taken for', async () => {
    const { announcer, book, sent } = relay()
    book.apply(ann(1, 'offer', 100, 400_000_000), 'offer', 0)
    book.apply(ann(2, 'offer', 100, 450_000_000), 'offer', 0)
    book.apply(ann(3, 'offer', 100, 600_000_000), 'offer', 0)
    book.apply(ann(21, 'bid', 150, 550_000_000), 'bid', 0)
    await announcer.relayIfDue(FIRST, tick0)
    // 21 (0.55) takes 1's 100 (0.4 + 0.05) and 50 of 2's (0.45 + 0.05); 3 (0.6) is too dear
    expect(rows(sent[0].d.matched ?? [])).toEqual([
      ['02', 50, '-'],
      ['01', 100, '-']
    ])
    expect(rows(sent[0].d.entries)).toEqual([
      ['02', 50, '-'],
      ['03', 100, '-']
    ])
  })

  it(
    "in: another feeder's residual offer that lands cheaper than the dearest ask its buyers take at home is " +
      'shown to them, after feeders whose spared asks are dearer; for any buyer of the feeder',
    async () => {
      // other feeders' offers, so that each is passed on to only some feeders (seenHere): a seller of b that this
      // feeder is not shown without the spare
      const heard = ['b', 'e', 'g'].map((feeder, i) => ({ trader: toHex(key(80 + i)), feeder, slot: SLOT }) as BookEntry)
      const notSeen = (n: number): boolean => !seenHere('a', heard)({ trader: toHex(key(n)), feeder: 'b', slot: SLOT } as BookEntry)
      const cheap = [...Array(60).keys()].map(n => 100 + n).find(notSeen) as number
      const shown = async (home: boolean, dearerElsewhere: boolean): Promise<Array<[string, number, string]>> => {
        const { announcer, book, sent } = relay()
        if (home) {
          // at home: 21 takes 1's 100 at 0.6, 0.65 with the local fee
          book.apply(ann(1, 'offer', 100, 600_000_000), 'offer', 0)
          book.apply(ann(21, 'bid', 100, 900_000_000), 'bid', 0)
        }
        // b has 100 Wh left at 0.4: 0.55 with the district fee; e and g only dear offers
        book.applyDigest(district(50, 'b', [order(cheap, 'b', 100, 400_000_000), order(80, 'b', 10, 900_000_000)], []), tick0)
        book.applyDigest(district(51, 'e', [order(81, 'e', 10, 900_000_000)], []), tick0)
        book.applyDigest(district(52, 'g', [order(82, 'g', 10, 900_000_000)], []), tick0)
        // c's buyers take 30 Wh at 0.7 at home (0.75 with the local fee): spared first
        if (dearerElsewhere) book.applyDigest({ ...district(60, 'c', [], []), matched: [order(31, 'c', 30, 700_000_000)] }, tick0)
        await announcer.relayIfDue(FIRST, tick0)
        await announcer.relayIfDue(FIRST, tick0 + tickMs)
        return rows(sent.filter(x => x.scope === 'feeder').flatMap(x => x.d.entries.filter(e => toHex(e.trader) === toHex(key(cheap)))))
      }
      const b = toHex(key(cheap)).slice(0, 2)
      expect(await shown(false, false)).toEqual([])
      expect(await shown(true, false)).toEqual([[b, 100, '-']])
      expect(await shown(true, true)).toEqual([[b, 70, '-']])
    }
  )
})
