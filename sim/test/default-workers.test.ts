import { describe, expect, it } from 'vitest'
import { defaultScenario, defaultWorkers, validateScenario } from '../src/index.ts'
import { workerExecArgv } from '../src/worker-runner.ts'

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

describe("workerExecArgv: a worker's V8 flags", () => {
  it("replaces the simulator's own 16 MiB semi-space with a worker's larger one, and keeps every other flag", () => {
    expect(workerExecArgv(['--max-semi-space-size=16', '--heap-growing-percent=75', '--expose-gc'], '')).toEqual([
      '--heap-growing-percent=75',
      '--expose-gc',
      '--max-semi-space-size=64'
    ])
    expect(workerExecArgv([], '')).toEqual(['--max-semi-space-size=64'])
  })

  it('keeps a semi-space the user chose, on the command line or in NODE_OPTIONS', () => {
    expect(workerExecArgv(['--max-semi-space-size=8'], '')).toEqual(['--max-semi-space-size=8'])
    expect(workerExecArgv(['--max_semi_space_size=128'], '')).toEqual(['--max_semi_space_size=128'])
    expect(workerExecArgv(['--expose-gc'], '--max-semi-space-size=32')).toEqual(['--expose-gc'])
  })
})
