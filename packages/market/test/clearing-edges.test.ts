import { describe, expect, it } from 'vitest'
import { clearDoubleAuction, clearSlots, welfareOf, type SlotOrders } from '../src/clearing.ts'

// clearDoubleAuction, clearSlots and welfareOf at their edges: the words of their refusals and the bounds of
// their integers. The clearing itself is checked in clearing.test.ts.

const MAX = Number.MAX_SAFE_INTEGER
// 441,650,591 Wh × 20,394,401,000 nanos/kWh = (2^53 − 1) × 1000 nanos × 1000: welfare of exactly the largest safe integer
const wh = 6361 * 69431
const margin = 20394401 * 1000

describe('clearDoubleAuction: refusals', () => {
  it('names the pricing it does not know, and the side of a bad order', () => {
    expect(() => clearDoubleAuction([], [], { pricing: 'fixed' as never })).toThrow(
      new RangeError("pricing must be 'uniform' or 'midpoint', got fixed")
    )
    expect(() => clearDoubleAuction([], [{ id: 's', energyWh: 0, price: 1 }])).toThrow(
      new RangeError('ask "s": energyWh must be a positive integer (Wh), got 0')
    )
  })

  it('refuses a traded volume beyond the safe integer range', () => {
    const run = (): unknown =>
      clearDoubleAuction(
        [
          { id: 'b1', energyWh: MAX, price: 5 },
          { id: 'b2', energyWh: MAX, price: 5 }
        ],
        [
          { id: 's1', energyWh: MAX, price: 5 },
          { id: 's2', energyWh: MAX, price: 5 }
        ]
      )
    expect(run).toThrow(RangeError)
    expect(run).toThrow(/^traded energy \d+ Wh exceeds the safe integer range$/)
  })

  it('returns welfare up to the largest safe integer, and refuses more', () => {
    expect(clearDoubleAuction([{ id: 'b', energyWh: wh, price: margin }], [{ id: 's', energyWh: wh, price: 0 }]).welfareNanos).toBe(MAX)
    const run = (): unknown => clearDoubleAuction([{ id: 'b', energyWh: wh, price: margin + 1 }], [{ id: 's', energyWh: wh, price: 0 }])
    expect(run).toThrow(RangeError)
    expect(run).toThrow(/^welfare \d+ nanos exceeds the safe integer range$/)
  })
})

describe('welfareOf', () => {
  it('refuses a fill that is not integers, naming the fill and the field', () => {
    expect(() =>
      welfareOf([
        { buyerValue: 1, sellerCost: 0, energyWh: 1 },
        { buyerValue: 1.5, sellerCost: 0, energyWh: 1 }
      ])
    ).toThrow(new RangeError('fill #1: buyerValue must be an integer (nanos/kWh), got 1.5'))
    expect(() => welfareOf([{ buyerValue: 1, sellerCost: NaN, energyWh: 1 }])).toThrow(
      new RangeError('fill #0: sellerCost must be an integer (nanos/kWh), got NaN')
    )
    expect(() => welfareOf([{ buyerValue: 1, sellerCost: 0, energyWh: -1 }])).toThrow(
      new RangeError('fill #0: energyWh must be a non-negative integer (Wh), got -1')
    )
    expect(() => welfareOf([{ buyerValue: 1, sellerCost: 0, energyWh: 0.5 }])).toThrow(
      new RangeError('fill #0: energyWh must be a non-negative integer (Wh), got 0.5')
    )
  })

  it('counts a fill of 0 Wh as nothing, and is negative below cost down to the least safe integer', () => {
    expect(
      welfareOf([
        { buyerValue: 9000, sellerCost: 0, energyWh: 0 },
        { buyerValue: 3000, sellerCost: 1000, energyWh: 2 }
      ])
    ).toBe(4)
    expect(welfareOf([{ buyerValue: 0, sellerCost: margin, energyWh: wh }])).toBe(-MAX)
    expect(welfareOf([{ buyerValue: margin, sellerCost: 0, energyWh: wh }])).toBe(MAX)
    const below = (): unknown => welfareOf([{ buyerValue: 0, sellerCost: margin + 1, energyWh: wh }])
    expect(below).toThrow(RangeError)
    expect(below).toThrow(/^welfare -\d+ nanos exceeds the safe integer range$/)
  })
})

describe('clearSlots: refusals', () => {
  it('refuses a slot that is not an integer', () => {
    expect(() => clearSlots(new Map([[1.5, { bids: [], asks: [] }]]))).toThrow(new RangeError('slot must be an integer, got 1.5'))
  })

  it("names the slot of a bad order, with the order's own refusal as the cause; other errors pass unchanged", () => {
    let caught: unknown
    try {
      clearSlots(new Map([[7, { bids: [{ id: 'b', energyWh: -1, price: 1 }], asks: [] }]]))
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(RangeError)
    expect((caught as Error).message).toBe('slot 7: bid "b": energyWh must be a positive integer (Wh), got -1')
    expect((caught as Error).cause).toEqual(new RangeError('bid "b": energyWh must be a positive integer (Wh), got -1'))
    const broken = new Map<number, SlotOrders>([[7, { bids: null as never, asks: [] }]])
    expect(() => clearSlots(broken)).toThrow(TypeError)
  })

  it('refuses totals beyond the safe integer range, though each slot is inside it', () => {
    const slot = { bids: [{ id: 'b', energyWh: MAX, price: 5 }], asks: [{ id: 's', energyWh: MAX, price: 5 }] }
    expect(clearSlots(new Map([[1, slot]])).tradedWh).toBe(MAX)
    expect(() =>
      clearSlots(
        new Map([
          [1, slot],
          [2, slot]
        ])
      )
    ).toThrow(new RangeError('slot totals exceed the safe integer range'))
    const rich = { bids: [{ id: 'b', energyWh: wh, price: margin }], asks: [{ id: 's', energyWh: wh, price: 0 }] }
    expect(() =>
      clearSlots(
        new Map([
          [1, rich],
          [2, rich]
        ])
      )
    ).toThrow(new RangeError('slot totals exceed the safe integer range'))
  })
})
