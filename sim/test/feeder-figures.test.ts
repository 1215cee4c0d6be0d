import { describe, expect, it } from 'vitest'
import { clearWithGrid } from '@kvartal/market'
import { FeederTally } from '../src/feeder-figures.ts'

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
