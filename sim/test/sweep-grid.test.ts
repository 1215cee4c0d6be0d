import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '@kvartal/protocol'
import { expandGrid, loadSweepFile, parseParam, parseSeeds, runKey, scenarioFor, sweepFromDocument, validateScenario } from '@kvartal/sim'

describe("sweep grid: params, seeds, expansion and each run's scenario", () => {
  it('--param reads a field by its dotted path or short name, and each value as YAML', () => {
    expect(parseParam('strategy=zi-c,zip')).toEqual({ path: 'market.strategy', values: ['zi-c', 'zip'] })
    expect(parseParam('buildings.generate.count=24, 48')).toEqual({ path: 'buildings.generate.count', values: [24, 48] })
    expect(parseParam('site.cloudiness=0.1,0.5')).toEqual({ path: 'site.cloudiness', values: [0.1, 0.5] })
    expect(parseParam('mobility=false')).toEqual({ path: 'mobility', values: [false] })
    // commas inside [ ] or { } do not split a value
    expect(parseParam('limits.buy=[0.5,1],[0.7, 1]')).toEqual({
      path: 'limits.buy',
      values: [
        [0.5, 1],
        [0.7, 1]
      ]
    })
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

  it("the grid is every combination with every seed, the first param slowest; keys ignore the params' order", () => {
    const a = parseParam('strategy=zi-c,zip')
    const b = parseParam('buildings=24,48,96')
    const grid = expandGrid([a, b], [1, 2])
    expect(grid).toHaveLength(2 * 3 * 2)
    expect(grid.slice(0, 3).map(p => [p.params['market.strategy'], p.params['buildings.generate.count'], p.seed])).toEqual([
      ['zi-c', 24, 1],
      ['zi-c', 24, 2],
      ['zi-c', 48, 1]
    ])
    expect(new Set(grid.map(p => p.key)).size).toBe(12)
    expect(grid[0].key).toBe('buildings.generate.count=24 market.strategy=zi-c seed=1')
    expect(new Set(expandGrid([b, a], [1, 2]).map(p => p.key))).toEqual(new Set(grid.map(p => p.key)))
    // a value YAML would read otherwise keeps its quotes: the string "true" is not the boolean
    expect(runKey({ x: 'true', y: true, z: [0.5, 1] }, 3)).toBe('x="true" y=true z=[0.5,1] seed=3')
    expect(() => expandGrid([a, parseParam('market.strategy=zip')], [1])).toThrow(/given twice/)
  })

  it("a run's scenario is the base with the fields set and its seed, validated", () => {
    const base = validateScenario({ slots: { count: 2 }, mobility: false })
    const s = scenarioFor(base, { params: { 'market.strategy': 'zip', 'buildings.generate.count': 6, 'grid.fees': { local: 7 } }, seed: 9 })
    expect([s.market.strategy, s.buildings.generate?.count, s.seed, s.slots.count, s.mobility]).toEqual(['zip', 6, 9, 2, false])
    // the share of roofs with PV, by its alias; 0 is a value, not an absence
    expect(scenarioFor(base, { params: { [parseParam('pvShare=0').path]: 0 }, seed: 1 }).buildings.generate?.pvShare).toBe(0)
    expect(() => scenarioFor(base, { params: { 'buildings.generate.pvShare': 1.2 }, seed: 1 })).toThrow(/^buildings\.generate\.pvShare: /)
    // link conditions, by their path: the scenario's own check refuses a loss it does not model
    expect(scenarioFor(base, { params: { 'network.loss': 0.05 }, seed: 1 }).network?.loss).toBe(0.05)
    expect(() => scenarioFor(base, { params: { 'network.loss': 2 }, seed: 1 })).toThrow(
      /^network\.loss: expected a share of messages between 0 and 0\.5, got 2 \(in the run network\.loss=2 seed=1\)$/
    )
    // a mapping given in part keeps the defaults of the rest
    expect(s.grid !== false && s.grid.fees).toEqual({ ...(base.grid !== false ? base.grid.fees : {}), local: 7 })
    // the base is not changed
    expect([base.market.strategy, base.seed]).toEqual([validateScenario({}).market.strategy, validateScenario({}).seed])
  })

  it('a value the scenario refuses, an unknown field, or a field the scenario does not use is refused by name', () => {
    const base = validateScenario({ mobility: false })
    expect(() => scenarioFor(base, { params: { 'market.strategy': 'nope' }, seed: 1 })).toThrow(
      /^market\.strategy: unknown strategy "nope".*\(in the run market\.strategy=nope seed=1\)/
    )
    expect(() => scenarioFor(base, { params: { 'market.stratgy': 'zip' }, seed: 1 })).toThrow(/^market\.stratgy: unknown field/)
    const listed = validateScenario({
      mobility: false,
      grid: false,
      buildings: {
        list: [
          { id: 'a', kind: 'household', load: { profile: 'household', dailyKwh: 10 } },
          { id: 'b', kind: 'household', load: { profile: 'household', dailyKwh: 12 }, pvPeakW: 5000 }
        ]
      }
    })
    expect(() => scenarioFor(listed, { params: { 'buildings.generate.count': 24 }, seed: 1 })).toThrow(
      /^buildings\.generate\.count: the scenario does not use this field as 24: the scenario lists its buildings/
    )
    // a listed building's field, by its index
    expect(scenarioFor(listed, { params: { 'buildings.list.1.pvPeakW': 8000 }, seed: 1 }).buildings.list![1].pvPeakW).toBe(8000)
    expect(() => scenarioFor(listed, { params: { 'buildings.list.5.pvPeakW': 1 }, seed: 1 })).toThrow(/is a list of 2/)
    expect(() => scenarioFor(base, { params: { 'mobility.vehicles': 1 }, seed: 1 })).toThrow(
      /^mobility\.vehicles: mobility is false in this scenario, not a mapping/
    )
  })

  it('a sweep file: a scenario inline or beside it, params by path or short name, seeds', async () => {
    const f = await sweepFromDocument(
      {
        scenario: { slots: { count: 1 }, mobility: false },
        params: { strategy: ['zi-c', 'zip'], 'buildings.generate.count': 8 },
        seeds: '3..4'
      },
      '/nowhere/sweep.yaml'
    )
    expect(f.params).toEqual([
      { path: 'market.strategy', values: ['zi-c', 'zip'] },
      { path: 'buildings.generate.count', values: [8] }
    ])
    expect([f.seeds, f.scenario.slots.count]).toEqual([[3, 4], 1])
    expect((await sweepFromDocument({ params: { slots: [1] }, seeds: [5, 6] }, 'x.yaml')).seeds).toEqual([5, 6])
    await expect(sweepFromDocument({ params: {}, sedes: 3 }, 'x.yaml')).rejects.toThrow(/^sedes: unknown field/)
    await expect(sweepFromDocument({ params: [1] }, 'x.yaml')).rejects.toThrow(
      /^params: expected a mapping of scenario fields \(dotted paths\) to their values, e\.g\. market\.strategy: \[zi-c, zip\], got \[1\]$/
    )
  })

  it("a sweep file's bad field is a ConfigError naming it, with what was expected and what was there", async () => {
    const error = async (doc: unknown): Promise<string> => {
      try {
        await sweepFromDocument(doc, '/nowhere/sweep.yaml')
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError)
        return (err as Error).message
      }
      return 'accepted'
    }
    const p = { strategy: ['zi-c', 'zip'] }
    expect(await error({ params: { seed: [1, 2] } })).toBe(
      'params.seed: the seed is not a parameter: give the seeds with seeds: (or --seeds)'
    )
    expect(await error({ params: { 'market strategy': 'zip' } })).toMatch(
      /^params\.market strategy: expected a scenario field by its dotted path .*, got "market strategy"$/
    )
    expect(await error({ params: { strategy: [] } })).toBe('params.strategy: expected at least one value, got []')
    expect(await error({ params: { strategy: ['zip', 'zip'] } })).toBe('params.strategy: expected each value once, got "zip" twice')
    expect(await error({ params: { ...p, 'market.strategy': 'zip' } })).toBe(
      'params.market.strategy: expected each field once, got market.strategy again (also as params.strategy)'
    )
    expect(await error({ scenario: {} })).toBe(
      'params: is required: a mapping of scenario fields (dotted paths) to their values, e.g. market.strategy: [zi-c, zip]'
    )
    expect(await error({ params: p, seeds: 0 })).toBe('seeds: expected a count of seeds (5: seeds 1…5) between 1 and 10000, got 0')
    expect(await error({ params: p, seeds: 'five' })).toBe(
      'seeds: expected a count (5: seeds 1…5), a range ("10..14") or a list ([1, 7, 42]), got "five"'
    )
    expect(await error({ params: p, seeds: true })).toBe(
      'seeds: expected a count (5: seeds 1…5), a range ("10..14") or a list ([1, 7, 42]), got true'
    )
    expect(await error({ params: p, seeds: '3..1' })).toBe('seeds: expected a range from low to high (10..14), got the empty range 3..1')
    expect(await error({ params: p, seeds: [1, 1] })).toBe('seeds: expected each seed once, got 1 given twice')
    expect(await error({ params: p, seeds: [1, -1] })).toBe('seeds[1]: expected a seed: a whole number, at least 0, got -1')
    expect(await error({ params: p, scenario: 5 })).toBe(
      'scenario: expected a scenario file beside this one (its path), or a scenario inline (a mapping), got 5'
    )
    // a scenario inline is checked as a scenario file is, by the same schema, under scenario
    expect(await error({ params: p, scenario: { slots: { count: 0 } } })).toBe(
      'scenario.slots.count: expected a whole number of slots between 1 and 672, got 0'
    )
    expect(await error({ params: p, scenario: { slots: { count: 2 }, network: { loss: -1 } } })).toBe(
      'scenario.network.loss: expected a share of messages between 0 and 0.5, got -1'
    )
    expect(
      await error({ params: p, scenario: { slots: { count: 2 }, network: { churn: [{ node: 'a', leaveSlot: 1, rejoinSlot: 3 }] } } })
    ).toBe('scenario.network.churn[0].rejoinSlot: expected a slot of the run between 1 and 2 (slots.count is 2), got 3')
    expect(await error({ params: p, scenario: 'missing.yaml' })).toBe(
      'scenario: cannot read the scenario file: ENOENT (/nowhere/missing.yaml)'
    )
    // each value, set alone on the scenario, as a run's is: a field it does not have or use, a value it refuses, at the value
    expect(await error({ params: { 'market.stratgy': 'zip' } })).toBe(
      'params.market.stratgy: unknown field (expected one of: strategy, ticksPerSlot, ' +
        'tradingWindowSlots, holdSeconds, horizonSlots, republishEverySlots, catchUpEverySlots, degree)'
    )
    expect(await error({ params: { strategy: ['zip', 'nope'] } })).toBe(
      'params.strategy[1]: unknown strategy "nope" (built in: fixed-markup, concession, zi-c, zip)'
    )
    expect(await error({ params: { 'grid.fees': [{ local: -1 }] } })).toBe(
      'params.grid.fees[0]: grid.fees.local: expected a whole number of nanos per kWh, at least 0, got -1'
    )
    expect(await error({ params: { 'network.loss': [0, 0.6] }, scenario: { mobility: false } })).toBe(
      'params.network.loss[1]: expected a share of messages between 0 and 0.5, got 0.6'
    )
    expect(await error({ params: { 'network.latency.distribution': 'pareto' } })).toBe(
      'params.network.latency.distribution: expected one of fixed, uniform, normal, got "pareto"'
    )
    // what is fine: one value for a field, the same value under two fields, a range with spaces, a list's item by index
    const listed = { slots: { count: 4 }, network: { partitions: [{ fromSlot: 0, untilSlot: 1, nodes: ['a'] }] } }
    expect(
      (
        await sweepFromDocument(
          { scenario: listed, params: { slots: 4, 'market.ticksPerSlot': 4, 'network.partitions.0.untilSlot': [2, 4] }, seeds: ' 3..4 ' },
          'x.yaml'
        )
      ).seeds
    ).toEqual([3, 4])
    expect(await error({ scenario: listed, params: { 'network.partitions.0.untilSlot': [2, 5] } })).toBe(
      'params.network.partitions.0.untilSlot[1]: network.partitions[0].untilSlot: ' +
        'expected a slot of the run between 1 and 4 (slots.count is 4), got 5'
    )
  })

  it("a sweep file's error says the file, the line and column of the field", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvartal-sweep-file-'))
    try {
      await writeFile(join(dir, 'district.yaml'), 'slots: { count: 2 }\nmobility: false\nnetwork:\n  loss: 0.7\n')
      const text =
        'scenario:\n  slots: { count: 2 }\n  mobility: false\nparams:\n  ' +
        'strategy: [zi-c, zip]\n  buildings.generate.count: [8, 16]\nseeds: 3\n'
      const errorOf = async (name: string, t: string): Promise<string> => {
        await writeFile(join(dir, name), t)
        try {
          await loadSweepFile(join(dir, name))
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError)
          return (err as Error).message
        }
        return 'accepted'
      }
      expect(await errorOf('good.yaml', text)).toBe('accepted')
      expect(await errorOf('param.yaml', text.replace('[8, 16]', '[8, 8]'))).toBe(
        `${join(dir, 'param.yaml')}:6:3: params.buildings.generate.count: expected each value once, got 8 twice`
      )
      expect(await errorOf('value.yaml', text.replace('[8, 16]', '[8, 1]'))).toBe(
        `${join(dir, 'value.yaml')}:6:33: params.buildings.generate.count[1]: ` +
          `expected a whole number of buildings between 2 and 10000, got 1`
      )
      expect(await errorOf('field.yaml', text.replace('  strategy:', '  market.stratgy:'))).toMatch(
        new RegExp(`^${join(dir, 'field.yaml')}:5:20: params\\.market\\.stratgy\\[0\\]: unknown field \\(expected one of: strategy, `)
      )
      expect(await errorOf('seed.yaml', text.replace('  strategy:', '  seed:'))).toBe(
        `${join(dir, 'seed.yaml')}:5:3: params.seed: the seed is not a parameter: give the seeds with seeds: (or --seeds)`
      )
      expect(await errorOf('seeds.yaml', text.replace('seeds: 3', 'seeds: [1, -1]'))).toBe(
        `${join(dir, 'seeds.yaml')}:7:12: seeds[1]: expected a seed: a whole number, at least 0, got -1`
      )
      expect(await errorOf('typo.yaml', text.replace('seeds: 3', 'sedes: 3'))).toBe(
        `${join(dir, 'typo.yaml')}:7:1: sedes: unknown field (expected one of: scenario, params, seeds)`
      )
      expect(
        await errorOf(
          'inline.yaml',
          text.replace('  mobility: false', '  mobility: false\n  network: { latency: { distribution: pareto } }')
        )
      ).toBe(
        `${join(dir, 'inline.yaml')}:4:25: scenario.network.latency.distribution: expected one of fixed, uniform, normal, got "pareto"`
      )
      // a scenario file beside it: its own error, in its own file; one that is not there: at this file's scenario field
      expect(
        await errorOf(
          'beside.yaml',
          text.replace(/^scenario:\n {2}slots: \{ count: 2 \}\n {2}mobility: false\n/, 'scenario: district.yaml\n')
        )
      ).toBe(`${join(dir, 'district.yaml')}:4:3: network.loss: expected a share of messages between 0 and 0.5, got 0.7`)
      expect(
        await errorOf(
          'missing.yaml',
          text.replace(/^scenario:\n {2}slots: \{ count: 2 \}\n {2}mobility: false\n/, 'scenario: nowhere.yaml\n')
        )
      ).toBe(`${join(dir, 'missing.yaml')}:1:1: scenario: cannot read the scenario file: ENOENT (${join(dir, 'nowhere.yaml')})`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
