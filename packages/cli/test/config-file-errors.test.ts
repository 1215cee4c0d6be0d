import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadScenario } from '@kvartal/sim'
import { loadNodeConfig } from '../src/node-config.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-config-errors-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const node = `district: demo
dataDir: ./data
position: [100]
slots:
  seconds: 900
tariffs:
  retail: 1000000000
  feedIn: 300000000
log: info
meter:
  modbus:
    port: 502x
    host: inverter.local
`

/** The file, the field's line and column (its key), the dotted field, what was expected and what was there. */
async function errorOf(name: string, text: string, load: (p: string) => Promise<unknown>): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, text)
  try {
    await load(file)
  } catch (err) {
    expect(err).toMatchObject({ name: 'ConfigError' })
    return (err as Error).message
  }
  throw new Error(`${name} was accepted`)
}

describe("a config file's error says where the field is", () => {
  it("a node config: file, line and column of the field's key, the field, what was expected", async () => {
    expect(await errorOf('node.yaml', node, loadNodeConfig)).toBe(
      `${join(dir, 'node.yaml')}:12:5: meter.modbus.port: expected a whole number (the Modbus TCP port) between 1 and 65535, got "502x"`
    )
    // an unknown field: where the typo is; a missing one: where its mapping is
    expect(await errorOf('typo.yaml', node.replace('  seconds: 900', '  second: 900'), loadNodeConfig)).toBe(
      `${join(dir, 'typo.yaml')}:5:3: slots.second: unknown field (expected one of: seconds, gateClosureSeconds, epoch)`
    )
    expect(await errorOf('gate.yaml', node.replace('  seconds: 900', '  seconds: 60\n  gateClosureSeconds: 60'), loadNodeConfig)).toMatch(
      /gate\.yaml:6:3: slots\.gateClosureSeconds: expected a whole number of seconds between 0 and 59/
    )
    expect(await errorOf('list.yaml', node.replace('position: [100]', 'position:\n  - 100\n  - 2.5'), loadNodeConfig)).toMatch(
      /list\.yaml:5:5: position\[1\]: expected a whole number of Wh, got 2\.5$/
    )
    expect(await errorOf('bad.yaml', 'district: demo\ndataDir: [unclosed\n', loadNodeConfig)).toMatch(
      /bad\.yaml:3:1: .*bad\.yaml: not valid YAML/
    )
  })

  it('a scenario: the same, for a field nested in a list', async () => {
    const text =
      'district: errors\nbuildings:\n  list:\n    - id: a\n      kind: household\n      load: { profile: household, ' +
      'dailyKwh: 10 }\n    - id: b\n      kind: castle\n      load: { profile: household, dailyKwh: 10 }\n'
    expect(await errorOf('scenario.yaml', text, loadScenario)).toBe(
      `${join(dir, 'scenario.yaml')}:8:7: buildings.list[1].kind: must be one of household, office, commercial, got "castle"`
    )
  })
})
