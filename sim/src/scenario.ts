import { dirname, isAbsolute, resolve } from 'node:path'
import { parseWith, readYamlFile, validateFile } from '@kvartal/config'
import { scenarioSchema, type Scenario } from './scenario-schema.ts'

export { defaultScenario, scenarioSchema, type Scenario } from './scenario-schema.ts'

/** Validates a parsed scenario document (fields, defaults and their meaning: scenario-schema.ts); errors name the field. */
export function validateScenario(doc: unknown): Scenario {
  return parseWith(scenarioSchema, doc ?? {})
}

/**
 * Reads and validates a scenario file. A missing file, bad YAML or a bad field is a ConfigError naming
 * it, with the file, line and column: `scenario.yaml:3:3: slots.count: expected …`.
 */
export async function loadScenario(path: string): Promise<Scenario> {
  const s = validateFile(await readYamlFile(path, 'the scenario file'), validateScenario)
  // a feed named in the file is found beside the file
  if (s.mobility !== false && s.mobility.gtfs != null && !isAbsolute(s.mobility.gtfs))
    s.mobility = { ...s.mobility, gtfs: resolve(dirname(path), s.mobility.gtfs) }
  return s
}
