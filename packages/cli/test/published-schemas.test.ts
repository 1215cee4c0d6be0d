import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { publishedSchemas, schemaText, schemasDir } from '../src/schemas/published-schemas.ts'

const examples = new URL('../../../examples/', import.meta.url)

describe('the published JSON Schemas (schemas/)', () => {
  it.each(Object.keys(publishedSchemas))('%s is what the zod schemas generate (npm run schemas writes it)', async (name) => {
    expect(await readFile(new URL(name, schemasDir), 'utf8')).toBe(schemaText(name))
  })

  it('check the examples as an editor does, from the file their modeline names, and catch a typo and a fraction of a Wh', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true })
    const validators = Object.fromEntries(Object.keys(publishedSchemas).map(n => [n, ajv.compile(publishedSchemas[n]())]))
    for (const [file, schema] of [['node-seller.yaml', 'node-config.schema.json'], ['node-buyer.yaml', 'node-config.schema.json'], ['trondheim.yaml', 'scenario.schema.json']]) {
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
})
