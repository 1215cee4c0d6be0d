import { jsonSchemaOf } from '@kvartal/config'
import { scenarioSchema, sweepFileSchema } from '@kvartal/sim'
import { nodeConfigSchema } from './node-config-schema.ts'

/**
 * The JSON Schemas published in `schemas/` for editors (the YAML language server of VS Code, Neovim,
 * JetBrains IDEs), generated from the zod schemas the node and the simulator validate with:
 * `npm run schemas` writes them, and a test fails when the committed files differ.
 */
export const publishedSchemas: Readonly<Record<string, () => Record<string, unknown>>> = {
  'node-config.schema.json': () =>
    jsonSchemaOf(nodeConfigSchema, {
      id: 'node-config.schema.json',
      title: 'Kvartal node config',
      description:
        'kvartal node --config node.yaml: a building node of a local energy (and ' +
        'mobility) market. Written by kvartal init; README "Editor checking".'
    }),
  'scenario.schema.json': () =>
    jsonSchemaOf(scenarioSchema, {
      id: 'scenario.schema.json',
      title: 'Kvartal simulation scenario',
      description: 'kvartal sim scenario.yaml: a simulated district. Every field is optional; {} is the embedded default.'
    }),
  'sweep.schema.json': () =>
    jsonSchemaOf(sweepFileSchema, {
      id: 'sweep.schema.json',
      title: 'Kvartal sweep',
      description:
        'kvartal sweep sweep.yaml: a scenario (a file beside this one, or inline) ' +
        "over every combination of the params' values and every seed (docs/sweep.md)."
    })
}

/** A schema file's text: two-space JSON and a final newline. */
export function schemaText(name: string): string {
  return JSON.stringify(publishedSchemas[name](), null, 2) + '\n'
}

/** Where the published schemas are, in this checkout or installation. */
export const schemasDir = new URL('../../../../schemas/', import.meta.url)
