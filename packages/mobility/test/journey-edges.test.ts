import { describe, expect, it } from 'vitest'
import { generalisedCost, paretoFilter, pickByPreference, rankJourneys, type Criteria, type Journey } from '../src/index.ts'

/**
 * The edges of journey.ts: Pareto vectors that print alike without a separator, the short list of no journeys
 * and its tie-breaks, the generalised cost term by term, and the first of two journeys of equal cost.
 */
const journey = (c: Criteria, departureTime = 0): Journey => ({ ...c, departureTime, legs: [] })
const c = (arrivalTime: number, price: number, co2: number, transfers: number, walkingMetres: number): Criteria => ({
  arrivalTime,
  price,
  co2,
  transfers,
  walkingMetres
})

describe('paretoFilter', () => {
  it('keeps two vectors whose numbers run together alike (1,23,… and 12,3,…)', () => {
    const a = c(1, 23, 5, 0, 0)
    const b = c(12, 3, 5, 0, 0)
    expect(paretoFilter([a, b])).toEqual([a, b])
    expect(paretoFilter([b, a])).toEqual([a, b])
  })
})

describe('rankJourneys', () => {
  it('ranks no journeys as an empty list', () => {
    expect(rankJourneys([])).toEqual([])
  })

  it('breaks a tie on the headline criterion by the others, in the order arrival, price, CO₂, transfers, walking', () => {
    // each pair ties on the label's criterion; the second of each pair is better on the next criterion
    const slowDear = journey(c(100, 50, 9, 2, 300))
    const slowCheap = journey(c(100, 40, 9, 2, 300))
    expect(rankJourneys([slowDear, slowCheap]).find(r => r.label === 'fastest')!.journey).toBe(slowCheap)
    const cheapLate = journey(c(200, 10, 9, 2, 300))
    const cheapEarly = journey(c(150, 10, 9, 2, 300))
    expect(rankJourneys([cheapLate, cheapEarly]).find(r => r.label === 'cheapest')!.journey).toBe(cheapEarly)
    const greenLate = journey(c(200, 10, 1, 2, 300))
    const greenEarly = journey(c(150, 20, 1, 2, 300))
    expect(rankJourneys([greenLate, greenEarly]).find(r => r.label === 'greenest')!.journey).toBe(greenEarly)
    const directLate = journey(c(200, 10, 9, 0, 300))
    const directEarly = journey(c(150, 30, 9, 0, 300))
    expect(rankJourneys([directLate, directEarly]).find(r => r.label === 'fewestTransfers')!.journey).toBe(directEarly)
  })
})

describe('generalisedCost and pickByPreference', () => {
  const w = { nanosPerSecond: 3, nanosPerGramCo2: 5, nanosPerTransfer: 7, nanosPerWalkMetre: 11 }

  it('adds the fare and each criterion at its weight, time counted from departAfter', () => {
    // 1000 + (400 − 100) × 3 + 20 × 5 + 2 × 7 + 30 × 11
    expect(generalisedCost(journey(c(400, 1_000, 20, 2, 30)), 100, w)).toBe(1_000 + 900 + 100 + 14 + 330)
    expect(generalisedCost(journey(c(100, 0, 0, 0, 0)), 100, w)).toBe(0)
  })

  it('picks the first of two journeys of equal cost', () => {
    // 10 × 3 + 0 = 30 and 0 + 6 × 5 = 30
    const slow = journey(c(10, 0, 0, 0, 0))
    const dirty = journey(c(0, 0, 6, 0, 0))
    expect(pickByPreference([slow, dirty], 0, w)).toBe(slow)
    expect(pickByPreference([dirty, slow], 0, w)).toBe(dirty)
    expect(pickByPreference([], 0, w)).toBeUndefined()
  })
})
