import { describe, expect, it } from 'vitest'
import { defaultScenario, validateScenario } from '../src/index.ts'

describe('scenario validation', () => {
  it('accepts an empty document as the embedded default', () => {
    expect(validateScenario({})).toEqual(defaultScenario)
    expect(validateScenario(null)).toEqual(defaultScenario)
  })
  it.each([
    [{ district: 'Bad Name' }, 'district'],
    [{ slots: { count: 0 } }, 'slots.count'],
    [{ slots: { minutes: 7.5 } }, 'slots.minutes'],
    [{ slots: { lenght: 3 } }, 'slots.lenght'],
    [{ tariffs: { retail: 100, feedIn: 200 } }, 'tariffs.feedIn'],
    [{ tariffs: { retail: 1.5 } }, 'tariffs.retail'],
    [{ market: { strategy: 'psychic' } }, 'market.strategy'],
    [{ market: { catchUpEverySlots: 97 } }, 'market.catchUpEverySlots'],
    [{ transport: 'carrier-pigeon' }, 'transport'],
    [{ gossip: 'flood' }, 'gossip'],
    [{ date: '17/06/2026' }, 'date'],
    [{ limits: { buy: [0.9, 0.1] } }, 'limits.buy'],
    [{ buildings: { generate: { count: 1 } } }, 'buildings.generate.count'],
    [{ buildings: { list: [{ id: 'a', kind: 'castle', load: { profile: 'household', dailyKwh: 10 } }] } }, 'buildings.list[0].kind'],
    [
      {
        buildings: {
          list: [
            { id: 'a', kind: 'office', load: { profile: 'office', dailyKwh: 10 } },
            { id: 'a', kind: 'office', load: { profile: 'office', dailyKwh: 10 } }
          ]
        }
      },
      'buildings.list[1].id'
    ],
    [{ colour: 'blue' }, 'colour'],
    [[1, 2], '(root)']
  ])('refuses %j naming the field %s', (doc, field) => {
    expect(() => validateScenario(doc)).toThrow(expect.objectContaining({ name: 'ConfigError', field }))
  })
})
