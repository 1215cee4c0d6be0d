/**
 * Property tests of the market's invariants on generated sequences and books (seeded: FUZZ_SEED in
 * protocol/testing/arbitraries.ts, `FC_SEED=<n>` to replay). What positions.test.ts, order-book.test.ts
 * and clearing.test.ts check on hand-picked cases, here on a few hundred generated ones:
 * - SlotPositions: however holds, commits, releases and expiries interleave, committed + live holds
 *   never exceed the limit; a hold is never more than asked nor empty; only a live hold commits, once;
 *   an expired hold's energy comes back.
 * - OrderBook: whatever order a trader's announcements arrive in, the book holds the newest one's orders.
 * - clearDoubleAuction: no ask sells more than it offered, no bid buys more than it asked, every fill is
 *   priced within both limits, in integers.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ReplayedMessageError, type Announcement } from '@kvartal/protocol'
import { OrderBook, SlotPositions, clearDoubleAuction } from '../src/index.ts'
import { fuzzParams } from '@kvartal/protocol/testing'

type Op =
  | { op: 'hold'; n: number; slot: number; energyWh: number; forMs: number }
  | { op: 'commit'; n: number; slot: number }
  | { op: 'release'; n: number; slot: number }
  | { op: 'expire' }
  | { op: 'raise'; slot: number; byWh: number }
  | { op: 'tick'; ms: number }

const slot = fc.integer({ min: 0, max: 2 })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('hold' as const),
      n: fc.integer({ min: 0, max: 9 }),
      slot,
      energyWh: fc.integer({ min: 1, max: 600 }),
      forMs: fc.integer({ min: 1, max: 50 })
    })
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('commit' as const), n: fc.integer({ min: 0, max: 9 }), slot }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('release' as const), n: fc.integer({ min: 0, max: 9 }), slot }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('expire' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('raise' as const), slot, byWh: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 30 }) }) }
)

describe('SlotPositions under any interleaving', () => {
  it('never lets committed + live holds exceed the limit; only live holds commit, once; expired energy comes back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 3, maxLength: 3 }),
        fc.array(opArb, { maxLength: 80 }),
        (limits, ops) => {
          const p = new SlotPositions()
          limits.forEach((l, s) => {
            p.setLimit(s, l)
          })
          let now = 0
          const committedByNegotiation = new Set<string>()
          for (const o of ops) {
            if (o.op === 'tick') now += o.ms
            if (o.op === 'raise') p.setLimit(o.slot, p.limit(o.slot) + o.byWh)
            if (o.op === 'expire') for (const h of p.expire(now)) expect(h.holdUntil).toBeLessThanOrEqual(now)
            if (o.op === 'release') p.release(o.slot, `n${o.n}`)
            if (o.op === 'hold') {
              const before = p.available(o.slot, now)
              const existing = p.getHold(o.slot, `n${o.n}`)
              const h = p.hold(
                { negotiation: `n${o.n}`, slot: o.slot, energyWh: o.energyWh, holdUntil: now + o.forMs, price: 1, counterparty: 'b' },
                now
              )
              if (existing != null) expect(h).toBe(existing)
              // a negotiation that committed holds nothing again: one negotiation, one trade
              else if (committedByNegotiation.has(`${o.slot}/n${o.n}`)) expect(h).toBeUndefined()
              else if (h == null) expect(before).toBe(0)
              else {
                expect(h.energyWh).toBeGreaterThan(0)
                expect(h.energyWh).toBe(Math.min(o.energyWh, before))
                expect(Number.isSafeInteger(h.energyWh)).toBe(true)
              }
            }
            if (o.op === 'commit') {
              const h = p.getHold(o.slot, `n${o.n}`)
              const committed = p.committed(o.slot)
              const ok = p.commit(o.slot, `n${o.n}`, now)
              expect(ok).toBe(h != null && h.holdUntil > now)
              if (ok) {
                expect(committedByNegotiation.has(`${o.slot}/n${o.n}`)).toBe(false)
                committedByNegotiation.add(`${o.slot}/n${o.n}`)
                expect(p.committed(o.slot)).toBe(committed + h!.energyWh)
                expect(p.commit(o.slot, `n${o.n}`, now)).toBe(false)
              }
            }
            for (let s = 0; s < 3; s++) {
              expect(p.committed(s) + p.held(s, now)).toBeLessThanOrEqual(p.limit(s))
              expect(p.available(s, now)).toBe(p.limit(s) - p.committed(s) - p.held(s, now))
            }
          }
          // once every hold has lapsed, everything not committed is available again
          now += 1_000
          for (let s = 0; s < 3; s++) expect(p.available(s, now)).toBe(p.limit(s) - p.committed(s))
        }
      ),
      fuzzParams(300)
    )
  })
})

describe('SlotPositions: one negotiation, one commitment', () => {
  it('regression (npm run fuzz): a committed negotiation proposed again holds nothing and commits nothing, also after a recovery', () => {
    const p = new SlotPositions()
    p.setLimit(1, 2)
    const hold = { negotiation: 'n9', slot: 1, energyWh: 1, holdUntil: 10, price: 1, counterparty: 'b' }
    expect(p.hold(hold, 0)?.energyWh).toBe(1)
    expect(p.commit(1, 'n9', 0)).toBe(true)
    // before the fix: held again and committed again, two trades of one negotiation
    expect(p.hold(hold, 0)).toBeUndefined()
    expect(p.commit(1, 'n9', 0)).toBe(false)
    expect(p.committed(1)).toBe(1)
    expect(p.hold({ ...hold, negotiation: 'n10' }, 0)?.energyWh).toBe(1)
    // a commitment restored from the journal with its negotiation counts the same
    const restored = new SlotPositions()
    restored.setLimit(1, 2)
    restored.addCommitted(1, 1, 'n9')
    expect(restored.hold(hold, 0)).toBeUndefined()
  })
})

describe('OrderBook whatever the arrival order', () => {
  it('keeps the newest announcement per trader and refuses every older one', () => {
    const trader = new Uint8Array(32).fill(1)
    const ann = (seq: number, energyWh: number): Announcement => ({
      version: 1,
      district: 't',
      trader,
      seq,
      issuedAt: 0,
      validUntil: 1_000,
      offers: [{ slot: 0, energyWh, price: 5 }],
      bids: [],
      addrs: []
    })
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (seqs, salt) => {
          const book = new OrderBook()
          let highest = 0
          for (const seq of seqs) {
            try {
              book.apply(ann(seq, seq + (salt % 7)), 'offer', 10)
              expect(seq).toBeGreaterThan(highest)
              highest = seq
            } catch (err) {
              expect(err).toBeInstanceOf(ReplayedMessageError)
              expect(seq).toBeLessThan(highest)
            }
          }
          expect(book.forSlot('offer', 0, 10).map(o => o.energyWh)).toEqual([Math.max(...seqs) + (salt % 7)])
        }
      ),
      fuzzParams(300)
    )
  })
})

describe('clearDoubleAuction on generated books', () => {
  const orders = (prefix: string): fc.Arbitrary<Array<{ id: string; energyWh: number; price: number }>> =>
    fc
      .array(fc.record({ energyWh: fc.integer({ min: 1, max: 10_000 }), price: fc.integer({ min: 0, max: 2_000_000_000 }) }), {
        maxLength: 12
      })
      .map(xs => xs.map((x, i) => ({ id: `${prefix}${i}`, ...x })))

  it('never sells more than offered nor buys more than asked, and prices every fill within both limits', () => {
    fc.assert(
      fc.property(orders('b'), orders('a'), fc.constantFrom('uniform' as const, 'midpoint' as const), (bids, asks, pricing) => {
        const c = clearDoubleAuction(bids, asks, { pricing })
        const sold = new Map<string, number>()
        const bought = new Map<string, number>()
        for (const f of c.fills) {
          const ask = asks.find(a => a.id === f.seller)!
          const bid = bids.find(b => b.id === f.buyer)!
          expect(f.energyWh).toBeGreaterThan(0)
          expect(Number.isSafeInteger(f.energyWh) && Number.isSafeInteger(f.price)).toBe(true)
          expect(f.price).toBeGreaterThanOrEqual(ask.price)
          expect(f.price).toBeLessThanOrEqual(bid.price)
          sold.set(f.seller, (sold.get(f.seller) ?? 0) + f.energyWh)
          bought.set(f.buyer, (bought.get(f.buyer) ?? 0) + f.energyWh)
        }
        for (const a of asks) expect(sold.get(a.id) ?? 0).toBeLessThanOrEqual(a.energyWh)
        for (const b of bids) expect(bought.get(b.id) ?? 0).toBeLessThanOrEqual(b.energyWh)
        expect(c.tradedWh).toBe([...sold.values()].reduce((x, y) => x + y, 0))
        expect(c.tradedWh).toBeLessThanOrEqual(
          Math.min(
            asks.reduce((x, a) => x + a.energyWh, 0),
            bids.reduce((x, b) => x + b.energyWh, 0)
          )
        )
      }),
      fuzzParams(300)
    )
  })
})
