import { describe, expect, it } from 'vitest'
import { clearWithGrid } from '@kvartal/market'
import { FeederTally } from '../src/feeder-figures.ts'
import { weakestFeeders } from '../src/report.ts'

/**
 * Two feeders: A (a1, a2; 300 Wh a slot each way across its transformer) and B (b1; 100 Wh). Slot 0: a1 needs
 * 600 Wh, a2 has 200, b1 300; slot 1: b1 needs 100, a2 has 150. The expected figures are worked out by hand below.
 */
describe("a feeder's own figures (feeder-figures.ts)", () => {
  it('adds up needs, trades within, into and out of each feeder, the optimum, and the slots at the transformer limit', () => {
    const limits = { A: { exportWh: 300, importWh: 300 }, B: { exportWh: 100, importWh: 100 } }
    const feederOf = new Map([
      ['a1', 'A'],
      ['a2', 'A'],
      ['b1', 'B']
    ])
    const tally = new FeederTally(feederOf, limits)
    const fees = { local: 10, district: 20 }
    const slots = [
      { a1: -600, a2: 200, b1: 300 },
      { a1: 0, a2: 150, b1: -100 }
    ]
    for (const net of slots) {
      for (const [trader, wh] of Object.entries(net)) tally.position(trader, wh)
      const bids = Object.entries(net)
        .filter(([, wh]) => wh < 0)
        .map(([id, wh]) => ({ id, energyWh: -wh, price: 1000, feeder: feederOf.get(id)! }))
      const asks = Object.entries(net)
        .filter(([, wh]) => wh > 0)
        .map(([id, wh]) => ({ id, energyWh: wh, price: id === 'a2' ? 100 : 200, feeder: feederOf.get(id)! }))
      tally.optimum(clearWithGrid(bids, asks, { fees, limits }))
    }
    // the optimum: slot 0, a1 takes a2's 200 at home and 100 from b1 (B's limit); slot 1, b1 takes 100 from a2
    // Kvartal: slot 0, a1 took a2's 200 and only 50 from b1; slot 1, b1 took 100 from a2; a car's trade counts nowhere
    tally.trade('a1', 'a2', 0, 200)
    tally.trade('a1', 'b1', 0, 50)
    tally.trade('b1', 'a2', 1, 100)
    tally.trade('car-1', 'a2', 1, 40)
    expect(tally.figures()).toEqual({
      A: {
        buildings: 2,
        demandWh: 600,
        surplusWh: 350,
        withinWh: 200,
        importedWh: 50,
        exportedWh: 100,
        optimumWithinWh: 200,
        optimumImportedWh: 100,
        optimumExportedWh: 100,
        boughtShareOfOptimum: 0.8333,
        peakExportWh: 100,
        peakImportWh: 50,
        limitWh: 300,
        slotsAtLimit: 0
      },
      B: {
        buildings: 1,
        demandWh: 100,
        surplusWh: 300,
        withinWh: 0,
        importedWh: 100,
        exportedWh: 50,
        optimumWithinWh: 0,
        optimumImportedWh: 100,
        optimumExportedWh: 100,
        boughtShareOfOptimum: 1,
        peakExportWh: 50,
        peakImportWh: 100,
        limitWh: 100,
        slotsAtLimit: 1
      }
    })
  })
})

describe("the summary's weakest feeders", () => {
  const f = (within: number, imported: number, optimumWithin: number, optimumImported: number) => ({
    buildings: 1,
    demandWh: 0,
    surplusWh: 0,
    withinWh: within,
    importedWh: imported,
    exportedWh: 0,
    optimumWithinWh: optimumWithin,
    optimumImportedWh: optimumImported,
    optimumExportedWh: 0,
    boughtShareOfOptimum: optimumWithin + optimumImported === 0 ? 1 : (within + imported) / (optimumWithin + optimumImported),
    peakExportWh: 0,
    peakImportWh: 0,
    slotsAtLimit: 0
  })
  it('names the three furthest short in kWh, not in share (a small feeder 5 % short is not a big one 2 % short)', () => {
    const rows = weakestFeeders({
      small: f(900, 50, 1_000, 0),
      big: f(90_000, 8_000, 90_000, 10_000),
      bigger: f(150_000, 0, 151_000, 2_000),
      fine: f(5_000, 0, 5_000, 0),
      ahead: f(3_000, 1_000, 3_500, 0)
    })
    expect(rows).toEqual([
      [
        'weakest feeders',
        "bigger 3.0 kWh short of the optimum's 153.0 kWh, big 2.0 kWh short of the optimum's 100.0 kWh, " +
          "small 0.1 kWh short of the optimum's 1.0 kWh"
      ]
    ])
    expect(weakestFeeders({ a: f(1, 0, 1, 0), b: f(2, 0, 1, 0) })).toEqual([
      ['weakest feeders', 'none: every feeder bought what the optimum has it buy']
    ])
    expect(weakestFeeders({ a: f(0, 0, 5, 0) })).toEqual([])
  })
})
