import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { publishedSchemas, schemaText, schemasDir } from '../src/schemas/published-schemas.ts'

const examples = new URL('../../../examples/', import.meta.url)

describe('the published JSON Schemas (schemas/)', () => {
  it.each(Object.keys(publishedSchemas))('%s is what the zod schemas generate (npm run schemas writes it)', async name => {
    expect(await readFile(new URL(name, schemasDir), 'utf8')).toBe(schemaText(name))
  })

  it('check the examples as an editor does, from the file their modeline names, and catch a typo and a fraction of a Wh', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    const validators = Object.fromEntries(Object.keys(publishedSchemas).map(n => [n, ajv.compile(publishedSchemas[n]())]))
    for (const [file, schema] of [
      ['node-seller.yaml', 'node-config.schema.json'],
      ['node-buyer.yaml', 'node-config.schema.json'],
      ['trondheim.yaml', 'scenario.schema.json'],
      ['sweep.yaml', 'sweep.schema.json']
    ]) {
      const text = await readFile(new URL(file, examples), 'utf8')
      expect(text, file).toContain(`# yaml-language-server: $schema=../schemas/${schema}\n`)
      const check = validators[schema]
      expect(check(parse(text)), `${file}: ${JSON.stringify(check.errors)}`).toBe(true)
    }
    const node = validators['node-config.schema.json']
    expect(node({ district: 'demo', dataDir: 'data', position: [100], slots: { lenght: 3 } })).toBe(false)
    expect(node.errors![0]).toMatchObject({ instancePath: '/slots', keyword: 'additionalProperties' })
    expect(node({ district: 'demo', dataDir: 'data', position: [100.5] })).toBe(false)
    expect(node.errors![0]).toMatchObject({ instancePath: '/position/0', keyword: 'type' })
    expect(node({ district: 'demo', dataDir: 'data', meter: { modbus: { host: 'inverter', port: 70000 } } })).toBe(false)
    expect(validators['scenario.schema.json']({ slots: { count: 0 } })).toBe(false)
  })

  it("check a scenario's link conditions and a sweep file", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    const scenario = ajv.compile(publishedSchemas['scenario.schema.json']())
    const sweep = ajv.compile(publishedSchemas['sweep.schema.json']())
    const refused = (check: typeof scenario, doc: unknown, at: string, keyword: string): void => {
      expect(check(doc), JSON.stringify(doc)).toBe(false)
      expect(
        check.errors!.some(e => e.instancePath === at && e.keyword === keyword),
        JSON.stringify(check.errors)
      ).toBe(true)
    }
    const network = {
      loss: 0.05,
      latency: { distribution: 'normal', ms: 50, spreadMs: 20 },
      bandwidthKbps: 1000,
      partitions: [{ fromSlot: 48, untilSlot: 50, nodes: ['household-01'], feeders: [] }],
      churn: [{ node: 'car-1', leaveSlot: 44, rejoinSlot: 52 }],
      seed: 7
    }
    expect(scenario({ network }), JSON.stringify(scenario.errors)).toBe(true)
    expect(scenario({ network: null })).toBe(true)
    refused(scenario, { network: { ...network, latency: { distribution: 'pareto' } } }, '/network/latency/distribution', 'enum')
    refused(scenario, { network: { ...network, loss: -0.1 } }, '/network/loss', 'minimum')
    refused(scenario, { network: { ...network, lost: 0.1 } }, '/network', 'additionalProperties')
    refused(
      scenario,
      { network: { partitions: [{ fromSlot: 1, untilSlot: 2, nodes: [''] }] } },
      '/network/partitions/0/nodes/0',
      'minLength'
    )
    refused(scenario, { network: { churn: [{ node: 'a', leaveSlot: 1.5, rejoinSlot: 2 }] } }, '/network/churn/0/leaveSlot', 'type')
    expect(
      sweep({ params: { strategy: ['zi-c', 'zip'], 'buildings.list.3.pvPeakW': 8000 }, seeds: '10..14' }),
      JSON.stringify(sweep.errors)
    ).toBe(true)
    expect(sweep({ scenario: { slots: { count: 8 }, network }, params: {}, seeds: [1, 7, 42] }), JSON.stringify(sweep.errors)).toBe(true)
    refused(sweep, { params: { seed: [1, 2] } }, '/params', 'propertyNames')
    refused(sweep, { params: { 'market..strategy': 'zip' } }, '/params', 'propertyNames')
    refused(sweep, { params: {}, seeds: 'five' }, '/seeds', 'anyOf')
    refused(sweep, { params: {}, sedes: 3 }, '', 'additionalProperties')
    refused(sweep, { seeds: 3 }, '', 'required')
    refused(sweep, { params: {}, scenario: { network: { loss: 0.9 } } }, '/scenario/network/loss', 'maximum')
  })
})
