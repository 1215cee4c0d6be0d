/**
 * Netting in exact integer nanos: every pair's trades and debts to one obligation (its direction, its
 * amount to the nano, nothing for a pair that nets to zero or a party that trades with itself), the
 * obligations and payments in address order, and the net positions per address.
 */
import { describe, expect, it } from 'vitest'
import { costNanos } from '@kvartal/protocol'
import { netPositions, netTrades, paymentsFor, type Obligation } from '../src/index.ts'
import { party, thrown, trade } from './helpers/parties.ts'

/** Three parties sorted by address: lo < mid < hi. */
function sortedParties() {
  const [lo, mid, hi] = [party(71), party(72), party(73)].sort((x, y) => (x.address < y.address ? -1 : 1))
  return { lo, mid, hi }
}

describe('netTrades', () => {
  it('a buyer owes its seller the cost of the energy, rounded half up per trade, in either address order', () => {
    const { lo, hi } = sortedParties()
    // 1001 Wh at 333_333_333 nanos/kWh = 333_666_666.333 → 333_666_666; 1 Wh at 1_500 = 1.5 → 2
    expect(netTrades([trade({ seller: hi, buyer: lo, energyWh: 1_001, price: 333_333_333 })])).toEqual([
      { from: lo.address, to: hi.address, amount: 333_666_666 }
    ])
    expect(netTrades([trade({ seller: lo, buyer: hi, energyWh: 1_001, price: 333_333_333 })])).toEqual([
      { from: hi.address, to: lo.address, amount: 333_666_666 }
    ])
    expect(netTrades([trade({ seller: lo, buyer: hi, energyWh: 1, price: 1_500 })])).toEqual([
      { from: hi.address, to: lo.address, amount: 2 }
    ])
  })

  it('sums exactly past what one trade costs, and refuses a pair whose period passes 2^53 nanos', () => {
    const { lo, hi } = sortedParties()
    // 4,503,599,628 Wh at 1 IOTA/kWh: just over 2^52 nanos each, exact alone; two of them pass 2^53
    const wh = 4_503_599_628
    const up = trade({ seller: hi, buyer: lo, energyWh: wh, price: 1_000_000_000, n: 1 })
    const down = trade({ seller: lo, buyer: hi, energyWh: wh - 1, price: 1_000_000_000, n: 2 })
    expect(netTrades([up, down])).toEqual([{ from: lo.address, to: hi.address, amount: 1_000_000 }])
    const again = trade({ seller: hi, buyer: lo, energyWh: wh, price: 1_000_000_000, n: 3 })
    expect(() => netTrades([up, again])).toThrow(/passes 2\^53 nanos/)
  })

  it('sums several trades of one pair, each rounded on its own, and subtracts what flows back', () => {
    const { lo, hi } = sortedParties()
    const ts = [
      trade({ seller: hi, buyer: lo, energyWh: 1, price: 1_500, n: 1 }), // lo owes 2
      trade({ seller: hi, buyer: lo, energyWh: 1, price: 1_500, n: 2 }), // lo owes 2 more (4, not round(3) = 3)
      trade({ seller: lo, buyer: hi, energyWh: 3, price: 1_000, n: 3 }) // hi owes 3 back
    ]
    expect(netTrades(ts)).toEqual([{ from: lo.address, to: hi.address, amount: 1 }])
    // the other way round when what flows back is larger
    const back = [...ts, trade({ seller: lo, buyer: hi, energyWh: 5, price: 1_000, n: 4 })]
    expect(netTrades(back)).toEqual([{ from: hi.address, to: lo.address, amount: 4 }])
  })

  it('a pair whose trades cancel exactly owes nothing: no obligation of 0', () => {
    const { lo, hi } = sortedParties()
    expect(
      netTrades([
        trade({ seller: hi, buyer: lo, energyWh: 100, price: 1_000, n: 1 }),
        trade({ seller: lo, buyer: hi, energyWh: 100, price: 1_000, n: 2 })
      ])
    ).toEqual([])
  })

  it('a trade of a party with itself is no obligation', () => {
    const { lo, hi } = sortedParties()
    expect(netTrades([trade({ seller: lo, buyer: lo, energyWh: 100, price: 1_000 })])).toEqual([])
    expect(
      netTrades([
        trade({ seller: lo, buyer: lo, energyWh: 100, price: 1_000, n: 1 }),
        trade({ seller: hi, buyer: lo, energyWh: 7, price: 1_000, n: 2 })
      ])
    ).toEqual([{ from: lo.address, to: hi.address, amount: 7 }])
  })

  it('lists the obligations in the order of their pair of addresses, whatever the order of the trades', () => {
    const { lo, mid, hi } = sortedParties()
    const ts = [
      trade({ seller: hi, buyer: mid, energyWh: 3, price: 1_000, n: 1 }),
      trade({ seller: lo, buyer: hi, energyWh: 2, price: 1_000, n: 2 }),
      trade({ seller: mid, buyer: lo, energyWh: 1, price: 1_000, n: 3 })
    ]
    // pairs in address order: "lo mid" (lo bought from mid), "lo hi" (hi bought from lo), "mid hi" (mid bought from hi)
    const expected: Obligation[] = [
      { from: lo.address, to: mid.address, amount: 1 },
      { from: hi.address, to: lo.address, amount: 2 },
      { from: mid.address, to: hi.address, amount: 3 }
    ]
    expect(netTrades(ts)).toEqual(expected)
    expect(netTrades([...ts].reverse())).toEqual(expected)
  })

  it('nets debts with the trades of the same pair, in either direction', () => {
    const { lo, mid, hi } = sortedParties()
    const t = trade({ seller: hi, buyer: lo, energyWh: 10, price: 1_000 }) // lo owes hi 10
    expect(netTrades([t], [{ from: hi.address, to: lo.address, amount: 4 }])).toEqual([{ from: lo.address, to: hi.address, amount: 6 }])
    expect(netTrades([t], [{ from: lo.address, to: hi.address, amount: 4 }])).toEqual([{ from: lo.address, to: hi.address, amount: 14 }])
    expect(netTrades([t], [{ from: hi.address, to: lo.address, amount: 15 }])).toEqual([{ from: hi.address, to: lo.address, amount: 5 }])
    expect(
      netTrades(
        [],
        [
          { from: hi.address, to: mid.address, amount: 3 },
          { from: hi.address, to: mid.address, amount: 2 }
        ]
      )
    ).toEqual([{ from: hi.address, to: mid.address, amount: 5 }])
    expect(
      netTrades(
        [],
        [
          { from: mid.address, to: hi.address, amount: 9 },
          { from: hi.address, to: mid.address, amount: 2 }
        ]
      )
    ).toEqual([{ from: mid.address, to: hi.address, amount: 7 }])
  })

  it('leaves out debts of nothing, negative debts and debts to oneself', () => {
    const { lo, hi } = sortedParties()
    expect(
      netTrades(
        [],
        [
          { from: lo.address, to: hi.address, amount: 0 },
          { from: lo.address, to: hi.address, amount: -5 },
          { from: hi.address, to: hi.address, amount: 5 }
        ]
      )
    ).toEqual([])
    // a negative debt does not reduce what is owed either
    expect(
      netTrades(
        [],
        [
          { from: lo.address, to: hi.address, amount: 3 },
          { from: lo.address, to: hi.address, amount: -1 },
          { from: hi.address, to: lo.address, amount: -1 }
        ]
      )
    ).toEqual([{ from: lo.address, to: hi.address, amount: 3 }])
  })

  it('refuses a debt that is not a whole number of nanos, with a RangeError that names it', () => {
    const { lo, hi } = sortedParties()
    for (const amount of [1.5, Number.MAX_SAFE_INTEGER + 1, Infinity]) {
      const err = thrown(() => netTrades([], [{ from: lo.address, to: hi.address, amount }]))
      expect(err).toBeInstanceOf(RangeError)
      expect((err as Error).message).toBe(`a debt must be a whole number of nanos, got ${amount}`)
    }
    // NaN is not a positive amount, and is refused too
    expect(() => netTrades([], [{ from: lo.address, to: hi.address, amount: NaN }])).toThrow(
      'a debt must be a whole number of nanos, got NaN'
    )
    // the largest safe integer is whole
    expect(netTrades([], [{ from: lo.address, to: hi.address, amount: Number.MAX_SAFE_INTEGER }])).toEqual([
      { from: lo.address, to: hi.address, amount: Number.MAX_SAFE_INTEGER }
    ])
  })

  it('never creates or loses a nano: the obligations are what the trades cost, pair by pair', () => {
    const { lo, mid, hi } = sortedParties()
    const ts = [
      trade({ seller: lo, buyer: mid, energyWh: 1_234, price: 567_890_123, n: 1 }),
      trade({ seller: mid, buyer: hi, energyWh: 999, price: 1_000_001, n: 2 }),
      trade({ seller: hi, buyer: lo, energyWh: 77, price: 3_000_003, n: 3 })
    ]
    expect(netTrades(ts)).toEqual([
      { from: mid.address, to: lo.address, amount: costNanos(1_234, 567_890_123) },
      { from: lo.address, to: hi.address, amount: costNanos(77, 3_000_003) },
      { from: hi.address, to: mid.address, amount: costNanos(999, 1_000_001) }
    ])
  })
})

describe('paymentsFor', () => {
  it("one payment per payer, in payer order, paying all its payees in the obligations' order, under <prefix>/<payer>", () => {
    const { lo, mid, hi } = sortedParties()
    const payments = paymentsFor(
      [
        { from: mid.address, to: hi.address, amount: 5 },
        { from: lo.address, to: hi.address, amount: 7 },
        { from: mid.address, to: lo.address, amount: 6 }
      ],
      'd/p/pay'
    )
    expect(payments).toEqual([
      { key: `d/p/pay/${lo.address}`, payer: lo.address, transfers: [{ to: hi.address, amount: 7 }] },
      {
        key: `d/p/pay/${mid.address}`,
        payer: mid.address,
        transfers: [
          { to: hi.address, amount: 5 },
          { to: lo.address, amount: 6 }
        ]
      }
    ])
  })

  it('leaves out obligations of nothing or less; a payer with only those makes no payment', () => {
    const { lo, mid, hi } = sortedParties()
    expect(
      paymentsFor(
        [
          { from: lo.address, to: hi.address, amount: 0 },
          { from: mid.address, to: hi.address, amount: -3 }
        ],
        'p'
      )
    ).toEqual([])
    expect(
      paymentsFor(
        [
          { from: lo.address, to: hi.address, amount: 0 },
          { from: lo.address, to: mid.address, amount: 1 }
        ],
        'p'
      )
    ).toEqual([{ key: `p/${lo.address}`, payer: lo.address, transfers: [{ to: mid.address, amount: 1 }] }])
  })

  it('returns transfers of its own, not the obligations', () => {
    const { lo, hi } = sortedParties()
    const o = { from: lo.address, to: hi.address, amount: 3, note: 'extra field' }
    const [p] = paymentsFor([o], 'p')
    expect(p.transfers[0]).toStrictEqual({ to: hi.address, amount: 3 })
  })
})

describe('netPositions', () => {
  it('each address: what it is owed minus what it owes, summing to zero', () => {
    const { lo, mid, hi } = sortedParties()
    const m = netPositions([
      { from: lo.address, to: hi.address, amount: 10 },
      { from: mid.address, to: hi.address, amount: 4 },
      { from: hi.address, to: lo.address, amount: 3 }
    ])
    expect([...m.entries()]).toEqual([
      [lo.address, -7],
      [hi.address, 11],
      [mid.address, -4]
    ])
    expect(netPositions([])).toEqual(new Map())
  })
})
