import { describe, expect, it } from 'vitest'
import { clearWithGrid } from '../src/grid-clearing.ts'
import type { FeederAsk, FeederBid, GridFees } from '../src/grid-orders.ts'

// clearWithGrid at its edges: the order and pairing of its fills, its ties, the bounds of its integers and
// the shape of its options. The optimum itself is checked in grid-clearing.test.ts.

const k = 1000 // nanos per kWh: with Wh quantities, 1000 nanos/kWh × 1 Wh = 1 nano
const fees: GridFees = { local: 10 * k, district: 50 * k }
const MAX = Number.MAX_SAFE_INTEGER

describe('clearWithGrid: the fills', () => {
  it('pairs the cross-feeder trades cheapest seller with dearest buyer, whatever the feeder names and ids say', () => {
    // feeder and id order run against price order on both sides: sA (A) is dearer than sB (B), bC (C) cheaper than bD (D)
    const asks: FeederAsk[] = [
      { id: 'sA', feeder: 'A', energyWh: 5, price: 120 * k },
      { id: 'sB', feeder: 'B', energyWh: 5, price: 100 * k }
    ]
    const bids: FeederBid[] = [
      { id: 'bC', feeder: 'C', energyWh: 5, price: 250 * k },
      { id: 'bD', feeder: 'D', energyWh: 5, price: 300 * k }
    ]
    expect(clearWithGrid(bids, asks, { fees }).fills).toEqual([
      { buyer: 'bD', seller: 'sB', energyWh: 5, fee: 50 * k, crossFeeder: true },
      { buyer: 'bC', seller: 'sA', energyWh: 5, fee: 50 * k, crossFeeder: true }
    ])
  })

  it('lists the local fills feeder by feeder in name order, orders of one price by id, before the cross-feeder fills', () => {
    const asks: FeederAsk[] = [
      { id: 'z2', feeder: 'Z', energyWh: 2, price: 100 * k },
      { id: 'z1', feeder: 'Z', energyWh: 2, price: 100 * k },
      { id: 'a1', feeder: 'A', energyWh: 3, price: 100 * k },
      { id: 'm1', feeder: 'M', energyWh: 4, price: 50 * k }
    ]
    const bids: FeederBid[] = [
      { id: 'zb', feeder: 'Z', energyWh: 4, price: 200 * k },
      { id: 'ab', feeder: 'A', energyWh: 3, price: 200 * k },
      { id: 'mb', feeder: 'M', energyWh: 2, price: 200 * k },
      { id: 'xb', feeder: 'X', energyWh: 2, price: 300 * k }
    ]
    const r = clearWithGrid(bids, asks, { fees })
    expect(r.fills).toEqual([
      { buyer: 'ab', seller: 'a1', energyWh: 3, fee: 10 * k, crossFeeder: false },
      { buyer: 'mb', seller: 'm1', energyWh: 2, fee: 10 * k, crossFeeder: false },
      { buyer: 'zb', seller: 'z1', energyWh: 2, fee: 10 * k, crossFeeder: false },
      { buyer: 'zb', seller: 'z2', energyWh: 2, fee: 10 * k, crossFeeder: false },
      { buyer: 'xb', seller: 'm1', energyWh: 2, fee: 50 * k, crossFeeder: true }
    ])
    expect(Object.keys(r.perFeeder)).toEqual(['A', 'M', 'X', 'Z'])
  })

  it('keeps a trade inside its feeder when carrying it across would earn exactly as much', () => {
    // sB sells to bB locally: 300 − 10 − 140 = 150 per kWh; sA across: 300 − 50 − 100 = 150 per kWh, the same
    // welfare and volume: the grid is not used for nothing
    const asks: FeederAsk[] = [
      { id: 'sA', feeder: 'A', energyWh: 10, price: 100 * k },
      { id: 'sB', feeder: 'B', energyWh: 10, price: 140 * k }
    ]
    const bids: FeederBid[] = [{ id: 'bB', feeder: 'B', energyWh: 10, price: 300 * k }]
    const r = clearWithGrid(bids, asks, { fees })
    expect(r.fills).toEqual([{ buyer: 'bB', seller: 'sB', energyWh: 10, fee: 10 * k, crossFeeder: false }])
    expect(r.welfareNanos).toBe(1500)
    expect(r.feeNanos).toBe(100)
    expect(r.crossFeederWh).toBe(0)
  })
})

describe('clearWithGrid: the safe integer range', () => {
  it('refuses a feeder whose orders together exceed it, on either side', () => {
    const bigBid = (): unknown =>
      clearWithGrid([{ id: 'b', feeder: 'A', energyWh: MAX, price: 2 * k }], [{ id: 's', feeder: 'A', energyWh: 1, price: k }], {
        fees: { local: 0, district: 0 }
      })
    const bigAsk = (): unknown =>
      clearWithGrid([{ id: 'b', feeder: 'A', energyWh: 1, price: 2 * k }], [{ id: 's', feeder: 'A', energyWh: MAX, price: k }], {
        fees: { local: 0, district: 0 }
      })
    for (const run of [bigBid, bigAsk]) {
      expect(run).toThrow(RangeError)
      expect(run).toThrow('feeder "A": its orders\' energy exceeds the safe integer range')
    }
  })

  it('refuses a district whose traded energy exceeds it, though each feeder stays inside', () => {
    const half = 2 ** 52 - 1
    const feeders = ['A', 'B', 'C']
    const run = (): unknown =>
      clearWithGrid(
        feeders.map(f => ({ id: `b${f}`, feeder: f, energyWh: half, price: 1 })),
        feeders.map(f => ({ id: `s${f}`, feeder: f, energyWh: half, price: 0 })),
        { fees: { local: 0, district: 0 } }
      )
    expect(run).toThrow(RangeError)
    expect(run).toThrow(/^traded energy \d+ Wh exceeds the safe integer range$/)
    // two of them fit
    expect(
      clearWithGrid(
        feeders.slice(0, 2).map(f => ({ id: `b${f}`, feeder: f, energyWh: half, price: 1 })),
        feeders.slice(0, 2).map(f => ({ id: `s${f}`, feeder: f, energyWh: half, price: 0 })),
        { fees: { local: 0, district: 0 } }
      ).tradedWh
    ).toBe(2 * half)
  })

  it('refuses a price that the fee pushes beyond it', () => {
    const run = (): unknown => clearWithGrid([], [{ id: 's', feeder: 'A', energyWh: 1, price: MAX }], { fees: { local: 0, district: 1 } })
    expect(run).toThrow(RangeError)
    expect(run).toThrow(`a price plus a fee (${MAX} + 1 nanos/kWh) exceeds the safe integer range`)
  })

  it('returns welfare up to the largest safe integer of nanos, and refuses one more', () => {
    // 441,650,591 Wh × 20,394,401,000 nanos/kWh = (2^53 − 1) × 1000 nanos × 1000: exactly the largest safe integer
    const wh = 6361 * 69431
    const margin = 20394401 * 1000
    const at = (price: number): ReturnType<typeof clearWithGrid> =>
      clearWithGrid([{ id: 'b', feeder: 'A', energyWh: wh, price }], [{ id: 's', feeder: 'A', energyWh: wh, price: 0 }], {
        fees: { local: 0, district: 0 }
      })
    expect(at(margin).welfareNanos).toBe(MAX)
    const over = (): unknown => at(margin + 1)
    expect(over).toThrow(RangeError)
    expect(over).toThrow(/^welfare \d+ nanos exceeds the safe integer range$/)
  })

  it('refuses fees beyond it, naming them', () => {
    const fee = 20394401 * 1000
    const run = (): unknown =>
      clearWithGrid(
        [{ id: 'b', feeder: 'A', energyWh: 2 * 6361 * 69431, price: fee }],
        [{ id: 's', feeder: 'A', energyWh: 2 * 6361 * 69431, price: 0 }],
        { fees: { local: fee, district: fee } }
      )
    expect(run).toThrow(RangeError)
    expect(run).toThrow(/^fees \d+ nanos exceeds the safe integer range$/)
  })
})

describe('clearWithGrid: the shape of its input', () => {
  const bid: FeederBid = { id: 'b', feeder: 'A', energyWh: 10, price: 200 }
  const ask: FeederAsk = { id: 's', feeder: 'A', energyWh: 10, price: 100 }
  const refusals: Array<[string, () => unknown, string | RegExp]> = [
    ['no options', () => clearWithGrid([bid], [ask], undefined as never), 'fees must be given as { local, district } (nanos/kWh)'],
    ['no fees', () => clearWithGrid([bid], [ask], { fees: undefined as never }), 'fees must be given as { local, district } (nanos/kWh)'],
    ['null fees', () => clearWithGrid([bid], [ask], { fees: null as never }), 'fees must be given as { local, district } (nanos/kWh)'],
    ['fees as a number', () => clearWithGrid([bid], [ask], { fees: 5 as never }), 'fees must be given as { local, district } (nanos/kWh)'],
    [
      'a null limit',
      () => clearWithGrid([bid], [ask], { fees, limits: { A: null as never } }),
      'limits["A"] must be { exportWh, importWh }'
    ],
    [
      'a limit as a number',
      () => clearWithGrid([bid], [ask], { fees, limits: { A: 5 as never } }),
      'limits["A"] must be { exportWh, importWh }'
    ],
    ['a numeric id', () => clearWithGrid([{ ...bid, id: 7 as never }], [ask], { fees }), 'bid id must be a string, got 7'],
    [
      'a numeric feeder',
      () => clearWithGrid([bid], [{ ...ask, feeder: 3 as never }], { fees }),
      'ask "s": feeder must be a non-empty string, got 3'
    ],
    [
      'no feeder',
      () => clearWithGrid([bid], [{ ...ask, feeder: undefined as never }], { fees }),
      'ask "s": feeder must be a non-empty string, got undefined'
    ]
  ]
  for (const [name, run, message] of refusals) {
    it(`refuses ${name} with a RangeError that says so`, () => {
      expect(run).toThrow(RangeError)
      expect(run).toThrow(message)
    })
  }
})
