/**
 * Which offers a buyer approaches, and in what order, across feeders: its own feeder's offers first at the
 * last call, one negotiation per seller at a time. The loop runs with the
 * real order book, positions and import share; what it starts is recorded where the node would start a
 * negotiation actor, and the desk's distrust list is a stand-in that trusts every seller.
 */
import { describe, expect, it } from 'vitest'
import { OrderBook, SlotPositions } from '@kvartal/market'
import { gateClosure, type Announcement, type Digest } from '@kvartal/protocol'
import { BuyerLoop } from '../src/buyer-loop.ts'
import { ImportShare } from '../src/import-share.ts'
import { defaultNodeOptions, type KvartalNodeOptions } from '../src/options.ts'
import type { NegotiationInput } from '../src/negotiation.machine.ts'
import type { BuyerDesk } from '../src/buyer-desk.ts'
import type { Journal } from '../src/journal.ts'
import type { NodeStats } from '../src/node-stats.ts'
import { key, offerOf } from './helpers/relay-rig.ts'

const SLOT = 40
const hex = (n: number): string => n.toString(16).padStart(2, '0').repeat(32)
const fees = { local: 86_000_000, district: 144_000_000 }

const offerFrom = (trader: number, energyWh: number, price: number, feeder: string): Announcement =>
  offerOf(trader, { slot: SLOT, energyWh, price, feeder })
const digestOf = (entries: Array<[trader: number, energyWh: number, price: number]>): Digest => ({
  version: 1,
  district: 'd',
  relay: key(200),
  feeder: 'a',
  seq: 1,
  issuedAt: 0,
  validUntil: 1e15,
  entries: entries.map(([trader, energyWh, price]) => ({ trader: key(trader), feeder: 'b', slot: SLOT, energyWh, price, addrs: [] }))
})

/** A buyer of feeder 'a' short of `needWh` in SLOT, at `now`; returns what it proposes, in order. */
const buyer = (
  id: string,
  needWh: number,
  book: OrderBook,
  buyLimit = 700_000_000
): { loop: BuyerLoop; started: NegotiationInput[]; need: SlotPositions } => {
  const options = {
    ...defaultNodeOptions,
    profile: { buyLimit, sellLimit: 300_000_000, position: () => 0 },
    grid: { feeder: 'a', fees, crossFeederShareWh: 100_000 }
  } as unknown as KvartalNodeOptions
  const need = new SlotPositions()
  need.setLimit(SLOT, needWh)
  const started: NegotiationInput[] = []
  const stats = {
    proposalsSent: 0,
    negotiations: { committed: 0, rejected: 0, failed: 0, pending: 0, void: 0, 'walked-away': 0 },
    tradesCommitted: 0,
    boughtWh: 0,
    soldWh: 0,
    gridBuyWh: 0,
    gridSellWh: 0,
    latenciesMs: [],
    streams: { frames: 0, bytes: 0 }
  } as unknown as NodeStats
  const trustsEveryone = { distrusts: () => false } as unknown as BuyerDesk
  const loop = new BuyerLoop({
    options,
    book,
    need,
    imports: new ImportShare(options.grid),
    buyer: trustsEveryone,
    journal: { full: false } as unknown as Journal,
    stats,
    random: () => 0.5,
    signal: new AbortController().signal,
    emit: () => {},
    id: () => id,
    negotiate: input => {
      started.push(input)
    },
    approachAgain: () => {},
    begin: () => {},
    end: () => {}
  })
  return { loop, started, need }
}
const gate = gateClosure(defaultNodeOptions.slots, SLOT)
const tickMs = defaultNodeOptions.slots.slotMs / defaultNodeOptions.ticksPerSlot

describe("a buyer's approach across feeders", () => {
  // its own feeder: one seller at 0.55 (0.636 landed); feeder b, relayed: two at 0.40 (0.544 landed)
  const book = (): OrderBook => {
    const b = new OrderBook(hex(99))
    b.apply(offerFrom(1, 500, 550_000_000, 'a'), 'offer', 0)
    b.applyDigest(
      digestOf([
        [2, 500, 400_000_000],
        [3, 500, 401_000_000]
      ]),
      0
    )
    return b
  }

  it("at the last call, takes what its own feeder offers before what other feeders' relays listed", () => {
    const { loop, started } = buyer(hex(98), 700, book())
    loop.approach(SLOT, gate - tickMs)
    expect(started.map(s => [s.seller.slice(0, 2), s.energyWh, s.price])).toEqual([
      ['01', 500, 550_000_000],
      [expect.any(String), 200, expect.any(Number)]
    ])
    expect(['02', '03']).toContain(started[1].seller.slice(0, 2))
  })

  it('at the last call, asks above its limit are offered its limit, after every offer within it, of either feeder', () => {
    // limit 0.60: its own feeder's 0.636 landed is above it, the relayed 0.544 and 0.545 within
    const { loop, started } = buyer(hex(98), 1_200, book(), 600_000_000)
    loop.approach(SLOT, gate - tickMs)
    expect(started.map(s => [s.seller.slice(0, 2), s.energyWh, s.price])).toEqual([
      ['02', 500, 400_000_000],
      ['03', 500, 401_000_000],
      ['01', 200, 600_000_000 - fees.local]
    ])
  })

  it("before the last call, the cheaper landed price comes first, and the price proposed is the seller's own", () => {
    const { loop, started } = buyer(hex(98), 700, book(), 1_000_000_000)
    loop.approach(SLOT, gate - 3 * tickMs)
    expect(started).toHaveLength(2)
    expect(started.every(s => s.seller !== hex(1))).toBe(true)
    expect(started.map(s => s.price).sort()).toEqual([400_000_000, 401_000_000])
  })

  it('proposes to a seller at most once at a time for a slot', () => {
    const { loop, started } = buyer(hex(98), 2_000, book(), 1_000_000_000)
    loop.approach(SLOT, gate - tickMs)
    loop.approach(SLOT, gate - tickMs)
    expect(new Set(started.map(s => s.seller)).size).toBe(started.length)
  })
})
