import { signReading, type MeterReading } from '@kvartal/protocol'
import { party, trade, type Party } from './parties.ts'

/**
 * What the tests of settlePeriod share (period.test.ts, period-proofs.test.ts): the grid tariffs, a party's
 * signed readings slot by slot, and the cast of a period: a seller, a buyer, a third party, the grid
 * operator's address and one trade with a grid fee. Only protocol code runs here (see parties.ts), and the
 * tests call these inside each test.
 */
export const tariffs = { retail: 1_000_000_000, feedIn: 300_000_000 }

/** Readings of `p` for slots 1..n: per slot [importWh, exportWh]. */
export function readings(p: Party, perSlot: Array<[number, number]>): MeterReading[] {
  const out: MeterReading[] = []
  perSlot.forEach(([imp, exp], i) => {
    out.push(signReading(p.signer, i + 1, imp, exp, i + 1, out.at(-1)))
  })
  return out
}

export function cast() {
  const seller = party(81)
  const buyer = party(82)
  const other = party(83)
  const operator = party(89).address
  // 1001 Wh at 0.5 IOTA/kWh = 500_500_000; grid fee 1001 × 120_000_500 / 1000 = 120_120_500.5 → 120_120_501
  const bought = trade({ seller, buyer, slot: 1, energyWh: 1_001, price: 500_000_000, gridFee: 120_000_500, n: 1 })
  return { seller, buyer, other, operator, bought }
}
