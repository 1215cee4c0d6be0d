import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/processes.ts'

// `kvartal shares roster.yaml` run as an operator runs it, in a child process, on rosters in a temp dir:
// each building's grid.crossFeederShareWh, its feeder's transformer limit cut in proportion to its connection.

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-shares-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function roster(name: string, text: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}

const good = `slotSeconds: 900
feeders:
  - name: f1
    ratingKva: 500            # 500,000 VA × 900 s ÷ 3600 = 125,000 Wh per slot
    buildings:
      - { name: b-01, connectionKw: 17 }
      - { name: b-02, connectionKw: 43.5 }
      - { name: b-03, connectionKw: 34 }
  - name: f2
    ratingKva: 315
    buildings:
      - { name: b-10, connectionKw: 11 }
      - { name: b-11, connectionKw: 22 }
      - { name: b-12, connectionKw: 7.4 }
`

interface SharesJson {
  slotSeconds: number
  feeders: Array<{
    name: string
    limitWh: number
    sumWh: number
    buildings: Array<{ name: string; connectionKw: number; crossFeederShareWh: number }>
  }>
}

describe('kvartal shares (real processes)', () => {
  it("prints each building's share, its feeder, and each feeder's limit and sum", async () => {
    const r = await runCli(['shares', await roster('roster.yaml', good)])
    expect([r.code, r.stderr]).toEqual([0, ''])
    // what an operator pastes: the YAML reads back as building → { feeder, crossFeederShareWh }
    expect(parse(r.stdout)).toEqual({
      // f1: 125,000 Wh over 94,500 W of connections: floor(125,000 × 17,000 ÷ 94,500) and so on
      'b-01': { feeder: 'f1', crossFeederShareWh: 22_486 },
      'b-02': { feeder: 'f1', crossFeederShareWh: 57_539 },
      'b-03': { feeder: 'f1', crossFeederShareWh: 44_973 },
      // f2: 315 kVA × 900 s = 78,750 Wh over 40,400 W
      'b-10': { feeder: 'f2', crossFeederShareWh: 21_441 },
      'b-11': { feeder: 'f2', crossFeederShareWh: 42_883 },
      'b-12': { feeder: 'f2', crossFeederShareWh: 14_424 }
    })
    expect(r.stdout).toContain('# f1: 500 kVA × 900 s = 125000 Wh per slot; shares add up to 124998 Wh\n')
    expect(r.stdout).toContain('# f2: 315 kVA × 900 s = 78750 Wh per slot; shares add up to 78748 Wh\n')
  })

  it('--json: every feeder within its limit, twice the connection twice the share (±1 Wh)', async () => {
    const r = await runCli(['shares', await roster('roster.yaml', good), '--json'])
    expect([r.code, r.stderr]).toEqual([0, ''])
    const out = JSON.parse(r.stdout) as SharesJson
    expect(out.slotSeconds).toBe(900)
    expect(out.feeders.map(f => [f.name, f.limitWh])).toEqual([
      ['f1', 125_000],
      ['f2', 78_750]
    ])
    for (const f of out.feeders) {
      const sum = f.buildings.reduce((a, b) => a + b.crossFeederShareWh, 0)
      expect(f.sumWh).toBe(sum)
      expect(sum).toBeLessThanOrEqual(f.limitWh)
      // rounding down costs at most a Wh per building
      expect(sum).toBeGreaterThan(f.limitWh - f.buildings.length)
      for (const b of f.buildings) expect(Number.isSafeInteger(b.crossFeederShareWh)).toBe(true)
    }
    const share = (name: string): number => out.feeders.flatMap(f => f.buildings).find(b => b.name === name)!.crossFeederShareWh
    // b-11 has twice b-10's connection on the same feeder
    expect(Math.abs(share('b-11') - 2 * share('b-10'))).toBeLessThanOrEqual(1)
  })

  it("slotSeconds defaults to the node config's 900, and a shorter slot scales the limit", async () => {
    const one = 'feeders:\n  - name: f1\n    ratingKva: 400\n    buildings:\n      - { name: a, connectionKw: 10 }\n'
    const byDefault = JSON.parse((await runCli(['shares', await roster('default.yaml', one), '--json'])).stdout) as SharesJson
    expect([byDefault.slotSeconds, byDefault.feeders[0].limitWh, byDefault.feeders[0].buildings[0].crossFeederShareWh]).toEqual([
      900, 100_000, 100_000
    ])
    const short = JSON.parse(
      (await runCli(['shares', await roster('short.yaml', `slotSeconds: 60\n${one}`), '--json'])).stdout
    ) as SharesJson
    expect(short.feeders[0].limitWh).toBe(6_666)
  })

  it('--help prints the usage and the roster format', async () => {
    const r = await runCli(['shares', '--help'])
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(r.stdout).toContain('Usage: kvartal shares [options] [roster]')
    expect(r.stdout).toContain('--json')
    expect(r.stdout).toMatch(/ratingKva: 500 .*power factor 1/)
    expect(r.stdout).toContain('- { name: b-01, connectionKw: 17 }')
  })

  it('a bad roster exits 2 with one line naming the file, line, column and field', async () => {
    const duplicate = await roster(
      'duplicate.yaml',
      'feeders:\n  - name: f1\n    ratingKva: 500\n    buildings:\n      - { name: b-01, connectionKw: 17 }\n' +
        '  - name: f2\n    ratingKva: 500\n    buildings:\n' +
        '      - { name: b-02, connectionKw: 17 }\n      - { name: b-01, connectionKw: 9 }\n'
    )
    const negative = await roster(
      'negative.yaml',
      'feeders:\n  - name: f1\n    ratingKva: 500\n    buildings:\n      - { name: b-01, connectionKw: 17 }\n' +
        '      - { name: b-02, connectionKw: -4 }\n'
    )
    const cases: Array<[string, string]> = [
      [
        duplicate,
        `kvartal: ${duplicate}:10:11: feeders[1].buildings[1].name: building "b-01" is already listed ` +
          '(feeders[0].buildings[0]): a building is on one feeder, once\n'
      ],
      [
        negative,
        `kvartal: ${negative}:6:23: feeders[0].buildings[1].connectionKw: ` +
          'expected a connection in kW between 0.001 and 100000, got -4\n'
      ]
    ]
    for (const [file, message] of cases) {
      const r = await runCli(['shares', file])
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', message])
    }
  })

  it('refuses duplicate feeders, a feeder with no buildings, a zero rating and unknown fields, each by its field', async () => {
    const feeder = (name: string, body: string): string => `  - name: ${name}\n${body}`
    const one = '    ratingKva: 500\n    buildings: [{ name: x, connectionKw: 1 }]\n'
    const cases: Array<[string, RegExp]> = [
      [
        `feeders:\n${feeder('f1', one)}${feeder('f1', one.replace('x', 'y'))}`,
        /:5:5: feeders\[1\]\.name: feeder "f1" is already listed \(feeders\[0\]\)/
      ],
      [
        'feeders:\n  - name: f1\n    ratingKva: 500\n    buildings: []\n',
        /:4:5: feeders\[0\]\.buildings: a feeder needs at least one building/
      ],
      [`feeders:\n${feeder('f1', one.replace('500', '0'))}`, /:3:5: feeders\[0\]\.ratingKva: expected a rating in kVA between/],
      [`feeders:\n${feeder('f1', `${one}    transformer: 3\n`)}`, /:5:5: feeders\[0\]\.transformer: unknown field/],
      [`feeders:\n${feeder('f1', one)}slotSecond: 60\n`, /:5:1: slotSecond: unknown field \(expected one of: slotSeconds, feeders\)/]
    ]
    for (const [i, [text, message]] of cases.entries()) {
      const r = await runCli(['shares', await roster(`bad-${i}.yaml`, text)])
      expect([r.code, r.stdout], text).toEqual([2, ''])
      expect(r.stderr, text).toMatch(message)
      expect(r.stderr.trimEnd().split('\n'), text).toHaveLength(1)
    }
  })
})
