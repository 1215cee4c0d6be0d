import { describe, expect, it } from 'vitest'
import { defaultScenario, defaultWorkers, validateScenario } from '../src/index.ts'

const district = (count: number, extra: Record<string, unknown> = {}): ReturnType<typeof validateScenario> =>
  validateScenario({ ...defaultScenario, buildings: { generate: { count } }, mobility: false, ...extra })

describe('defaultWorkers: how many processes `kvartal sim` uses when not told', () => {
  it('keeps a one-feeder district in one process, whatever the cores', () => {
    expect(defaultWorkers(validateScenario(defaultScenario), 8)).toBe(1)
    expect(defaultWorkers(district(200, { grid: false }), 8)).toBe(1)
  })

  it('uses every core when the district has more feeders than cores', () => {
    // 1,000 buildings on feeders of about 40: 25 feeders
    expect(defaultWorkers(district(1000), 2)).toBe(2)
    expect(defaultWorkers(district(1000), 16)).toBe(16)
  })

  it('never more processes than feeders: a worker runs whole feeders', () => {
    // 80 buildings: 2 feeders
    expect(defaultWorkers(district(80), 8)).toBe(2)
    expect(defaultWorkers(district(80, { grid: { feeders: { generate: { buildingsPerFeeder: 20 } } } }), 8)).toBe(4)
  })
})
