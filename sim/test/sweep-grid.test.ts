import { describe, expect, it } from 'vitest'
import { ConfigError } from '@kvartal/protocol'
import { expandGrid, parseParam, parseSeeds, runKey, scenarioFor, sweepFromDocument, validateScenario } from '@kvartal/sim'

describe('sweep grid: params, seeds, expansion and each run\'s scenario', () => {
  it('--param reads a field by its dotted path or short name, and each value as YAML', () => {
    expect(parseParam('strategy=zi-c,zip')).toEqual({ path: 'market.strategy', values: ['zi-c', 'zip'] })
    expect(parseParam('buildings.generate.count=24, 48')).toEqual({ path: 'buildings.generate.count', values: [24, 48] })
    expect(parseParam('site.cloudiness=0.1,0.5')).toEqual({ path: 'site.cloudiness', values: [0.1, 0.5] })
    expect(parseParam('mobility=false')).toEqual({ path: 'mobility', values: [false] })
    // commas inside [ ] or { } do not split a value
    expect(parseParam('limits.buy=[0.5,1],[0.7, 1]')).toEqual({ path: 'limits.buy', values: [[0.5, 1], [0.7, 1]] })
    expect(parseParam('grid.fees={local: 1, district: 2}')).toEqual({ path: 'grid.fees', values: [{ local: 1, district: 2 }] })
  })

  it('bad --param and --seeds are ConfigErrors that say what to give', () => {
    expect(() => parseParam('strategy')).toThrow(/--param: give a field and its values/)
    expect(() => parseParam('seed=1,2')).toThrow(/give the seeds with --seeds/)
    expect(() => parseParam('market..strategy=zip')).toThrow(ConfigError)
    expect(() => parseParam('strategy=zip,,zi-c')).toThrow(/an empty value/)
    expect(() => parseParam('strategy=zip,zip')).toThrow(/given twice/)
    expect(() => parseSeeds('five')).toThrow(/--seeds: must be a count/)
    expect(() => parseSeeds('0')).toThrow(/at least one seed/)
    expect(() => parseSeeds('1,1')).toThrow(/given twice/)
  })

  it('--seeds: a count from 1, a range, or a list', () => {
    expect(parseSeeds('3')).toEqual([1, 2, 3])
    expect(parseSeeds('10..12')).toEqual([10, 11, 12])
    expect(parseSeeds('42,7')).toEqual([42, 7])
  })

  it('the grid is every combination with every seed, the first param slowest; keys ignore the params\' order', () => {
    const a = parseParam('strategy=zi-c,zip'); const b = parseParam('buildings=24,48,96')
    const grid = expandGrid([a, b], [1, 2])
    expect(grid).toHaveLength(2 * 3 * 2)
    expect(grid.slice(0, 3).map(p => [p.params['market.strategy'], p.params['buildings.generate.count'], p.seed])).toEqual([['zi-c', 24, 1], ['zi-c', 24, 2], ['zi-c', 48, 1]])
    expect(new Set(grid.map(p => p.key)).size).toBe(12)
    expect(grid[0].key).toBe('buildings.generate.count=24 market.strategy=zi-c seed=1')
    expect(new Set(expandGrid([b, a], [1, 2]).map(p => p.key))).toEqual(new Set(grid.map(p => p.key)))
    // a value YAML would read otherwise keeps its quotes: the string "true" is not the boolean
    expect(runKey({ x: 'true', y: true, z: [0.5, 1] }, 3)).toBe('x="true" y=true z=[0.5,1] seed=3')
    expect(() => expandGrid([a, parseParam('market.strategy=zip')], [1])).toThrow(/given twice/)
  })

  it('a run\'s scenario is the base with the fields set and its seed, validated', () => {
    const base = validateScenario({ slots: { count: 2 }, mobility: false })
    const s = scenarioFor(base, { params: { 'market.strategy': 'zip', 'buildings.generate.count': 6, 'grid.fees': { local: 7 } }, seed: 9 })
    expect([s.market.strategy, s.buildings.generate?.count, s.seed, s.slots.count, s.mobility]).toEqual(['zip', 6, 9, 2, false])
    // the share of roofs with PV, by its alias; 0 is a value, not an absence
    expect(scenarioFor(base, { params: { [parseParam('pvShare=0').path]: 0 }, seed: 1 }).buildings.generate?.pvShare).toBe(0)
    expect(() => scenarioFor(base, { params: { 'buildings.generate.pvShare': 1.2 }, seed: 1 })).toThrow(/^buildings\.generate\.pvShare: /)
    // link conditions, by their path: the scenario's own check refuses a loss it does not model
    expect(scenarioFor(base, { params: { 'network.loss': 0.05 }, seed: 1 }).network?.loss).toBe(0.05)
    expect(() => scenarioFor(base, { params: { 'network.loss': 2 }, seed: 1 })).toThrow(/^network\.loss: must be at most 0\.5/)
    // a mapping given in part keeps the defaults of the rest
    expect(s.grid !== false && s.grid.fees).toEqual({ ...(base.grid !== false ? base.grid.fees : {}), local: 7 })
    // the base is not changed
    expect([base.market.strategy, base.seed]).toEqual([validateScenario({}).market.strategy, validateScenario({}).seed])
  })

  it('a value the scenario refuses, an unknown field, or a field the scenario does not use is refused by name', () => {
    const base = validateScenario({ mobility: false })
    expect(() => scenarioFor(base, { params: { 'market.strategy': 'nope' }, seed: 1 })).toThrow(/^market\.strategy: unknown strategy "nope".*\(in the run market\.strategy=nope seed=1\)/)
    expect(() => scenarioFor(base, { params: { 'market.stratgy': 'zip' }, seed: 1 })).toThrow(/^market\.stratgy: unknown field/)
    const listed = validateScenario({ mobility: false, grid: false, buildings: { list: [{ id: 'a', kind: 'household', load: { profile: 'household', dailyKwh: 10 } }, { id: 'b', kind: 'household', load: { profile: 'household', dailyKwh: 12 }, pvPeakW: 5000 }] } })
    expect(() => scenarioFor(listed, { params: { 'buildings.generate.count': 24 }, seed: 1 })).toThrow(/^buildings\.generate\.count: the scenario does not use this field as 24: the scenario lists its buildings/)
    // a listed building's field, by its index
    expect(scenarioFor(listed, { params: { 'buildings.list.1.pvPeakW': 8000 }, seed: 1 }).buildings.list![1].pvPeakW).toBe(8000)
    expect(() => scenarioFor(listed, { params: { 'buildings.list.5.pvPeakW': 1 }, seed: 1 })).toThrow(/is a list of 2/)
    expect(() => scenarioFor(base, { params: { 'mobility.vehicles': 1 }, seed: 1 })).toThrow(/^mobility\.vehicles: mobility is false in this scenario, not a mapping/)
  })

  it('a sweep file: a scenario inline or beside it, params by path or short name, seeds', async () => {
    const f = await sweepFromDocument({ scenario: { slots: { count: 1 }, mobility: false }, params: { strategy: ['zi-c', 'zip'], 'buildings.generate.count': 8 }, seeds: '3..4' }, '/nowhere/sweep.yaml')
    expect(f.params).toEqual([{ path: 'market.strategy', values: ['zi-c', 'zip'] }, { path: 'buildings.generate.count', values: [8] }])
    expect([f.seeds, f.scenario.slots.count]).toEqual([[3, 4], 1])
    expect((await sweepFromDocument({ params: { slots: [1] }, seeds: [5, 6] }, 'x.yaml')).seeds).toEqual([5, 6])
    await expect(sweepFromDocument({ params: {}, sedes: 3 }, 'x.yaml')).rejects.toThrow(/^sedes: unknown field/)
    await expect(sweepFromDocument({ params: [1] }, 'x.yaml')).rejects.toThrow(/^params: a mapping/)
  })
})
