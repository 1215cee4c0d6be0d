/**
 * The five markets of Gode & Sunder (1993, JPE 101(1), "Allocative efficiency of markets with
 * zero-intelligence traders"), as closely as the published information allows.
 *
 * What is published and what is not. The paper draws the five demand and supply schedules in its
 * Figure 1 as step charts; it prints no table of values and costs per trader and unit, and no source we
 * could find (the paper's scans, replication code in public repositories, teaching notes) carries the
 * numbers. The only public "schedules" we found — a replication guide and a Rust port of it, found through
 * the code search of public repositories — say themselves that they are "representative values
 * reconstructed from the paper's figures" and do not reproduce the paper's results (their market 1 gives
 * ZI-U an efficiency of 48 %, the paper reports 90 %). So these schedules are our own reconstruction,
 * built to match what the paper does publish:
 *  - prices in [1, 200] (the range of the ZI traders' draws), integer;
 *  - 6 buyers and 6 sellers, several units each, a buyer's units from its highest value down, a seller's
 *    from its lowest cost up;
 *  - each market's ZI-U efficiency. When both sides hold the same number of units, ZI-U (which trades
 *    every unit: any bid and ask in [1, 200] eventually cross) realises Σ values − Σ costs whatever the
 *    pairing, so its efficiency is fixed by the schedule: (Σv − Σc) / maximum surplus. We tuned each
 *    schedule so that ratio equals the paper's ZI-U mean (Table 1: 90.0, 90.0, 76.7, 48.8, 86.0 %);
 *    market 3 has more buyer than seller units, as a market with excess demand, where which buyer units
 *    trade is random: it is tuned by simulation (ZI-U 76.8 % over 200 sessions);
 *  - qualitatively the shapes the paper describes: a symmetric market, a flat supply, excess demand, a
 *    market where many extramarginal units lie far from equilibrium, and one with many marginal units
 *    close to the equilibrium price (where ZI-C loses most).
 * What differs: the exact steps, equilibrium prices and quantities of Figure 1. ZI-C's efficiency
 * depends on where the extramarginal units lie, so our ZI-C numbers test the mechanism, not the figure.
 *
 * Each schedule lists the demand (values, highest first) and supply (costs, lowest first) of all units;
 * units are dealt to the traders in turn (unit k of the sorted list to trader k mod 6), so each trader's
 * units come out in trading order.
 */

export interface GsTrader {
  readonly id: string
  readonly side: 'buyer' | 'seller'
  /** values (buyer) or costs (seller) of this trader's units, in the order they trade */
  readonly units: readonly number[]
}

export interface GsMarket {
  readonly name: string
  readonly description: string
  readonly traders: readonly GsTrader[]
  /** the paper's Table 1 means, % (ZI-C, ZI-U, humans); undefined for markets not in the paper */
  readonly paper?: { readonly zic: number; readonly ziu: number; readonly human: number }
}

/** price range of the ZI traders' draws in the paper */
export const gsPriceRange = { min: 1, max: 200 } as const

function deal(prefix: string, side: 'buyer' | 'seller', sorted: readonly number[], traders: number): GsTrader[] {
  const out: Array<{ id: string; side: 'buyer' | 'seller'; units: number[] }> = []
  for (let i = 0; i < traders; i++) out.push({ id: `${prefix}${i + 1}`, side, units: [] })
  sorted.forEach((v, k) => {
    out[k % traders].units.push(v)
  })
  return out
}

function market(
  name: string,
  description: string,
  demand: readonly number[],
  supply: readonly number[],
  paper?: GsMarket['paper']
): GsMarket {
  for (let k = 1; k < demand.length; k++) if (demand[k] > demand[k - 1]) throw new Error(`${name}: demand must be non-increasing`)
  for (let k = 1; k < supply.length; k++) if (supply[k] < supply[k - 1]) throw new Error(`${name}: supply must be non-decreasing`)
  return {
    name,
    description,
    traders: [...deal('b', 'buyer', demand, 6), ...deal('s', 'seller', supply, 6)],
    ...(paper != null ? { paper } : {})
  }
}

/**
 * Paper's Table 1 means (%), as reported: ZI-C 99.9 / 99.2 / 99.0 / 98.2 / 97.1, ZI-U 90.0 / 90.0 /
 * 76.7 / 48.8 / 86.0, humans 90.0 / 99.9 / 100.0 / 98.9 / 99.7.
 */
export const godeSunderMarkets: readonly GsMarket[] = [
  market(
    'market 1',
    'symmetric, linear steps of 8, 15 units a side; ZI-U trades 3 extramarginal pairs',
    [190, 182, 174, 166, 158, 150, 142, 134, 126, 118, 110, 102, 98, 92, 89],
    [20, 28, 36, 44, 52, 60, 68, 76, 84, 92, 100, 108, 116, 124, 132],
    { zic: 99.9, ziu: 90.0, human: 90.0 }
  ),
  market(
    'market 2',
    'steep demand, flat supply: surplus sits with the buyers, 13 units a side',
    [195, 182, 169, 156, 143, 130, 117, 104, 91, 78, 66, 50, 31],
    [40, 43, 46, 49, 52, 55, 58, 61, 64, 67, 70, 76, 84],
    { zic: 99.2, ziu: 90.0, human: 99.9 }
  ),
  market(
    'market 3',
    'excess demand: 18 buyer units against 12 seller units',
    [180, 176, 172, 168, 164, 160, 156, 152, 148, 144, 140, 136, 132, 128, 100, 80, 70, 56],
    [60, 68, 76, 84, 92, 100, 108, 116, 124, 132, 145, 155],
    { zic: 99.0, ziu: 76.7, human: 100.0 }
  ),
  market(
    'market 4',
    'symmetric, linear steps of 8 over the whole range, 18 units a side: 7 extramarginal pairs far from equilibrium',
    [180, 172, 164, 156, 148, 140, 132, 124, 116, 108, 100, 92, 84, 76, 68, 60, 52, 44],
    [20, 28, 36, 44, 52, 60, 68, 76, 84, 92, 100, 108, 116, 124, 132, 140, 148, 159],
    { zic: 98.2, ziu: 48.8, human: 98.9 }
  ),
  market(
    'market 5',
    'many marginal units one point apart around the equilibrium, 24 units a side',
    [170, 164, 158, 152, 146, 140, 135, 134, 133, 132, 131, 130, 129, 128, 127, 126, 125, 124, 123, 122, 121, 120, 119, 108],
    [80, 86, 92, 98, 104, 110, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132],
    { zic: 97.1, ziu: 86.0, human: 99.7 }
  )
]

/**
 * Not in Gode & Sunder: a flat supply (every seller's units at one cost) against a falling demand, the
 * shape Cliff (1997) used to show that ZI-C's transaction prices do not converge to the equilibrium
 * price, where a learning trader does.
 */
export const flatSupplyMarket: GsMarket = market(
  'flat supply',
  'all 18 seller units cost 80 against 12 buyer units from 190 down in steps of 8: the competitive price is 80 (Cliff 1997 shape)',
  [190, 182, 174, 166, 158, 150, 142, 134, 126, 118, 110, 102],
  Array.from({ length: 18 }, () => 80)
)
