/**
 * The order book against a model written here from its documentation (order-book.ts), under any
 * interleaving of announcements (new, replayed, older, expired), time passing, prunes and what traders
 * said in their replies (sold out for good, or held for others until a time): after every step each
 * side's orders for each slot are exactly the model's live ones, best price first, never the node's
 * own; a refused announcement changes nothing and is refused with ReplayedMessageError or
 * ExpiredMessageError; a prune never lets an old sequence number back in. Relayed digests are covered by
 * order-book-digests.test.ts and the gossip validator's properties (mesh/test/gossip-router.fuzz.test.ts).
 * Seeded (protocol/testing/arbitraries.ts: FUZZ_SEED, `FC_SEED=<n>`); `npm run fuzz` runs it at nightly size.
 */
import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import { ExpiredMessageError, ReplayedMessageError, type Announcement, type TopicKind } from '@kvartal/protocol'
import { OrderBook, type BookEntry } from '../src/index.ts'
import { fuzzParams } from '@kvartal/protocol/testing'

const TRADERS = 3
const keyOf = (t: number): Uint8Array => new Uint8Array(32).fill(t + 1)
const hexOf = (t: number): string => Buffer.from(keyOf(t)).toString('hex')
const SLOTS = 2

type Op =
  | {
      op: 'announce'
      trader: number
      side: TopicKind
      seqBy: number
      life: number
      orders: Array<{ slot: number; energyWh: number; price: number }>
    }
  | { op: 'tick'; ms: number }
  | { op: 'prune' }
  | { op: 'mark'; trader: number; side: TopicKind; slot: number; availableWh: number; forMs?: number }

const side = fc.constantFrom<TopicKind>('offer', 'bid')
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('announce' as const),
      trader: fc.nat({ max: TRADERS - 1 }),
      side,
      seqBy: fc.integer({ min: -2, max: 3 }),
      life: fc.integer({ min: -5, max: 60 }),
      orders: fc.array(
        fc.record({ slot: fc.nat({ max: SLOTS - 1 }), energyWh: fc.integer({ min: 1, max: 500 }), price: fc.integer({ min: 0, max: 6 }) }),
        { maxLength: 4 }
      )
    })
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('prune' as const) }) },
  // held for others until now + forMs: 0 (lapses at once) as often as a while; or sold out for good (undefined)
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('mark' as const),
      trader: fc.nat({ max: TRADERS - 1 }),
      side,
      slot: fc.nat({ max: SLOTS - 1 }),
      availableWh: fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: -10, max: 0 })),
      forMs: fc.oneof(fc.constant(undefined), fc.constant(0), fc.integer({ min: 1, max: 30 }))
    })
  }
)

interface ModelOrder {
  slot: number
  energyWh: number
  price: number
  depleted: number
  heldWh?: number
  heldUntil?: number
}
interface ModelTrader {
  seq: number
  validUntil: number
  orders: ModelOrder[]
}

describe('OrderBook against a model', () => {
  test.prop(
    [fc.option(fc.nat({ max: TRADERS - 1 }), { nil: undefined }), fc.array(opArb, { minLength: 20, maxLength: 60 })],
    fuzzParams(60, 50)
  )(
    "holds exactly the live orders of each trader's newest announcement, minus what it said is gone or held, best price first",
    (self, ops) => {
      const book = new OrderBook(self != null ? hexOf(self) : undefined)
      const model: Record<TopicKind, Map<number, ModelTrader>> = { offer: new Map(), bid: new Map() }
      let now = 100
      const seqs: Record<TopicKind, number[]> = { offer: Array(TRADERS).fill(0), bid: Array(TRADERS).fill(0) }
      for (const o of ops) {
        if (o.op === 'tick') now += o.ms
        if (o.op === 'prune') book.prune(now)
        if (o.op === 'announce') {
          const seq = Math.max(1, seqs[o.side][o.trader] + o.seqBy)
          seqs[o.side][o.trader] = Math.max(seqs[o.side][o.trader], seq)
          const a: Announcement = {
            version: 1,
            district: 't',
            trader: keyOf(o.trader),
            seq,
            issuedAt: 0,
            validUntil: Math.max(1, now + o.life),
            offers: o.side === 'offer' ? o.orders : [],
            bids: o.side === 'bid' ? o.orders : [],
            addrs: []
          }
          const held = model[o.side].get(o.trader)
          let thrown: unknown
          try {
            book.apply(a, o.side, now)
          } catch (err) {
            thrown = err
          }
          if (held != null && seq <= held.seq) expect(thrown).toBeInstanceOf(ReplayedMessageError)
          else if (a.validUntil <= now) expect(thrown).toBeInstanceOf(ExpiredMessageError)
          else {
            expect(thrown).toBeUndefined()
            model[o.side].set(o.trader, { seq, validUntil: a.validUntil, orders: o.orders.map(x => ({ ...x, depleted: 0 })) })
          }
        }
        if (o.op === 'mark') {
          const until = o.forMs != null ? now + o.forMs : undefined
          book.markAvailable(o.side, hexOf(o.trader), o.slot, o.availableWh, until)
          // what the trader said: only `availableWh` is left, for good; or the rest is held for others until `until`
          for (const x of model[o.side].get(o.trader)?.orders ?? []) {
            if (x.slot !== o.slot) continue
            const gone = x.energyWh - Math.max(0, o.availableWh)
            if (until == null) x.depleted = Math.max(x.depleted, gone)
            else {
              x.heldWh = Math.max(0, gone - x.depleted)
              x.heldUntil = until
            }
          }
        }
        for (const s of ['offer', 'bid'] as const) {
          for (let slot = 0; slot < SLOTS; slot++) {
            const got = book.forSlot(s, slot, now)
            const want: Array<{ trader: string; slot: number; energyWh: number; price: number; left: number }> = []
            for (const [t, st] of model[s]) {
              if (t === self || st.validUntil <= now) continue
              for (const x of st.orders) {
                const heldNow = x.heldUntil != null && x.heldUntil > now ? (x.heldWh ?? 0) : 0
                if (x.slot === slot && x.energyWh > x.depleted + heldNow)
                  want.push({ trader: hexOf(t), slot, energyWh: x.energyWh, price: x.price, left: x.energyWh - x.depleted - heldNow })
              }
            }
            // what is left of each order: its energy, less what the trader said is gone for good or held for now
            const left = (e: BookEntry): number => e.energyWh - e.depletedWh - ((e.heldUntil ?? 0) > now ? (e.heldWh ?? 0) : 0)
            const key = (e: { trader: string; energyWh: number; price: number; left: number }): string =>
              `${e.price} ${e.trader} ${e.energyWh} ${e.left}`
            expect(
              got
                .map(e => ({ trader: e.trader, slot: e.slot, energyWh: e.energyWh, price: e.price, left: left(e) }))
                .sort((a, b) => (key(a) < key(b) ? -1 : 1))
            ).toEqual(want.sort((a, b) => (key(a) < key(b) ? -1 : 1)))
            // best price first (lowest offer, highest bid), then by trader
            for (let i = 1; i < got.length; i++) {
              const [a, b]: BookEntry[] = [got[i - 1], got[i]]
              const d = s === 'offer' ? a.price - b.price : b.price - a.price
              expect(d < 0 || (d === 0 && a.trader <= b.trader)).toBe(true)
            }
          }
          for (let t = 0; t < TRADERS; t++) expect(book.lastSeq(s, hexOf(t))).toBe(model[s].get(t)?.seq ?? 0)
        }
      }
    }
  )
})
