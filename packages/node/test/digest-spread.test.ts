import { describe, expect, it } from 'vitest'
import type { BookEntry } from '@kvartal/market'
import { seenHere } from '../src/digest-picks.ts'

/** 25 feeders' residual offers as a relay hears them on the district's digest topic: 16 per feeder and slot, 4 slots. */
const heard = (except: string): BookEntry[] => {
  const out: BookEntry[] = []
  for (let f = 0; f < 25; f++) {
    const feeder = `f${String(f).padStart(2, '0')}`
    if (feeder === except) continue
    for (let slot = 20; slot < 24; slot++) {
      for (let i = 0; i < 16; i++)
        out.push({
          trader: `${feeder}-${String(i).padStart(2, '0')}-`.padEnd(64, '0'),
          feeder,
          slot,
          energyWh: 20 + i,
          price: 400_000_000 + i,
          seq: 1,
          validUntil: 1e15,
          depletedWh: 0
        })
    }
  }
  return out
}

describe("which other feeders' offers a feeder's relays pass on", () => {
  it('each offer to about two feeders, the same choice at both relays of a feeder, whatever the order heard', () => {
    const seenBy = new Map<string, number>()
    for (let f = 0; f < 25; f++) {
      const feeder = `f${String(f).padStart(2, '0')}`
      const offers = heard(feeder)
      const mine = offers.filter(seenHere(feeder, offers))
      // the other relay of the feeder, which heard the same offers in another order, picks the same ones
      const again = [...offers].reverse().filter(seenHere(feeder, [...offers].reverse()))
      expect(new Set(again.map(e => `${e.trader}/${e.slot}`))).toEqual(new Set(mine.map(e => `${e.trader}/${e.slot}`)))
      // about 2/25 of what it heard: 1,536 offers, 123 expected; a binomial's deviation is 10.6
      expect(mine.length).toBeGreaterThan(80)
      expect(mine.length).toBeLessThan(170)
      for (const e of mine) seenBy.set(`${e.trader}/${e.slot}`, (seenBy.get(`${e.trader}/${e.slot}`) ?? 0) + 1)
    }
    // over the district, an offer is passed on to two feeders on average (1,600 offers)
    const total = [...seenBy.values()].reduce((a, b) => a + b, 0)
    expect(total / 1_600).toBeGreaterThan(1.7)
    expect(total / 1_600).toBeLessThan(2.3)
  })

  it('with few feeders, every feeder sees every offer', () => {
    const offers = heard('f00').filter(e => e.feeder === 'f01')
    expect(offers.filter(seenHere('f00', offers))).toHaveLength(offers.length)
  })
})
