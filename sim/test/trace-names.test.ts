import { describe, expect, it } from 'vitest'
import { withNames } from '../src/report-html/index.ts'
import { binWidth } from '../src/report-html/negotiation-charts.ts'

const a = 'a'.repeat(64)
const b = 'b'.repeat(64)
const c = 'c'.repeat(64)
const names = new Map([
  [a, 'b07-office'],
  [b, 'bike-03']
])

describe('trace names', () => {
  it('puts the name after the node key and the peer name after the peer key, keeping every field in its place', () => {
    const e = { type: 'proposal-sent', slot: 3, peer: b, energyWh: 146, node: a, at: 1 }
    const named = withNames(e, names)
    expect(JSON.stringify(named)).toBe(
      JSON.stringify({ type: 'proposal-sent', slot: 3, peer: b, peerName: 'bike-03', energyWh: 146, node: a, name: 'b07-office', at: 1 })
    )
    // the event itself is left as it was
    expect(e).not.toHaveProperty('name')
  })
  it('adds no name for a key the scenario does not know', () => {
    expect(withNames({ type: 'peer-joined', peer: c, node: a }, names)).toEqual({
      type: 'peer-joined',
      peer: c,
      node: a,
      name: 'b07-office'
    })
  })
})

describe('latency bins', () => {
  it('are round numbers, about 20 of them up to the largest sample', () => {
    expect(binWidth(47.3)).toBe(2.5)
    expect(binWidth(0.9)).toBe(0.05)
    expect(binWidth(0)).toBe(1)
  })
})
