import type { CdaAgent } from './cda.ts'
import { defaultZipOptions, newZipState, quoteDown, quoteUp, zipPrice, zipReact, type ZipOptions, type ZipState } from './zip-learning.ts'

/** Price range of the draws (Gode & Sunder: [1, 200]). */
export interface PriceRange {
  readonly min: number
  readonly max: number
}

/** uniform integer in [lo, hi] */
function uniformInt(lo: number, hi: number, random: () => number): number {
  return lo + Math.floor(random() * (hi - lo + 1))
}

/** ZI-U (Gode & Sunder 1993): bids and asks uniform on the whole range, whatever the value or cost. */
export function ziUnconstrained(range: PriceRange): CdaAgent {
  return { shout: (_limit, _book, random) => uniformInt(range.min, range.max, random) }
}

/** ZI-C (Gode & Sunder 1993): a buyer bids uniformly in [min, value], a seller asks uniformly in [cost, max]. */
export function ziConstrained(side: 'buyer' | 'seller', range: PriceRange): CdaAgent {
  return {
    shout: (limit, _book, random) =>
      side === 'buyer'
        ? uniformInt(range.min, Math.max(range.min, limit), random)
        : uniformInt(Math.min(limit, range.max), range.max, random)
  }
}

/**
 * ZIP (Cliff 1997) in the CDA: shouts λ(1 + μ) for its current unit (rounded toward its own side, so it
 * never trades at a loss) and learns from every shout it hears while it has units left. Margins carry
 * over from period to period.
 *
 * One margin per unit, not one per trader: Cliff's traders held one unit a day, and one margin for a
 * seller whose units cost 20 and 116 fails both — the extramarginal unit, unsold, learns all period long
 * to ask its cost, and the trader then opens the next period asking 20 for the unit that costs 20. Each
 * unit's margin learns only while that unit is the trader's current one; β and γ are the trader's.
 */
export function zipCdaAgent(
  side: 'buyer' | 'seller',
  range: PriceRange,
  random: () => number,
  options: Partial<ZipOptions> = {}
): CdaAgent & { readonly states: ZipState[] } {
  const o = { ...defaultZipOptions, ...options }
  const first = newZipState(side, random, o)
  const states: ZipState[] = [first]
  const stateOf = (unit: number): ZipState => {
    while (states.length <= unit) {
      const m = newZipState(side, random, o).margin
      states.push({ side, margin: m, beta: first.beta, gamma: first.gamma, momentum: 0 })
    }
    return states[unit]
  }
  const round = side === 'buyer' ? quoteDown : quoteUp
  return {
    states,
    shout: (limit, _book, _random, unit) =>
      side === 'buyer'
        ? Math.max(range.min, Math.min(limit, quoteDown(zipPrice(stateOf(unit), limit))))
        : Math.min(range.max, Math.max(limit, quoteUp(zipPrice(stateOf(unit), limit)))),
    observe(shout, limit, rnd, unit) {
      if (limit === undefined) return
      zipReact(stateOf(unit), limit, { side: shout.side, price: shout.tradePrice ?? shout.price, accepted: shout.accepted }, rnd, o, round)
    }
  }
}
