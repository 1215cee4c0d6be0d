/**
 * Property tests of the config edge (packages/config, the node config, the simulator's scenario): YAML
 * text of any shape, and the example node configs and scenario with a field changed to any value,
 * removed, or joined by an unknown one, give a config or a ConfigError that names a field, never another
 * exception. A ConfigError names the
 * field that was changed (or one on its path), unless the change broke a rule between fields, and then
 * it names a field the rule is about; from a file it says a line and column inside the file.
 * Seeded (protocol/testing/arbitraries.ts: FUZZ_SEED, `FC_SEED=<n>`); `npm run fuzz` runs them at nightly size.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import { ConfigError } from '@kvartal/protocol'
import { fieldPathOf, parseYaml, validateFile } from '@kvartal/config'
import { validateScenario } from '@kvartal/sim'
import { validateNodeConfig } from '../src/index.ts'
import { fuzzParams, mutate, mutation } from '@kvartal/protocol/testing'

const exampleTexts = ['node-seller.yaml', 'node-buyer.yaml'].map(n =>
  readFileSync(new URL(`../../../examples/${n}`, import.meta.url), 'utf8')
)
const examples = exampleTexts.map(t => parseYaml(t, 'node.yaml').doc as Record<string, unknown>)
const baseDir = '/tmp/kvartal-config-fuzz'
const scenarioText = readFileSync(new URL('../../../examples/trondheim.yaml', import.meta.url), 'utf8')
const scenario = parseYaml(scenarioText, 'scenario.yaml').doc

/** Runs `f`: a ConfigError is a refusal; any other exception fails the property. */
function configOr<T>(f: () => T): { ok: true; value: T } | { ok: false; error: ConfigError } {
  try {
    return { ok: true, value: f() }
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, error: err }
    throw new Error(`threw ${(err as Error)?.name} (not a ConfigError): ${(err as Error)?.message}`, { cause: err })
  }
}

type Path = Array<string | number>
/** every path of a document: mappings' keys and lists' items, at any depth */
function pathsOf(v: unknown, at: Path = []): Path[] {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => pathsOf(x, [...at, i]))]
  if (v != null && typeof v === 'object') return [at, ...Object.entries(v).flatMap(([k, x]) => pathsOf(x, [...at, k]))]
  return [at]
}
function setAt(doc: unknown, path: Path, value: unknown, remove = false): unknown {
  if (path.length === 0) return value
  const [k, ...rest] = path
  const copy: Record<string | number, unknown> = Array.isArray(doc)
    ? ([...doc] as unknown as Record<number, unknown>)
    : { ...(doc as object) }
  if (rest.length === 0 && remove) {
    if (Array.isArray(copy)) (copy as unknown as unknown[]).splice(k as number, 1)
    else delete copy[k]
  } else copy[k] = setAt(copy[k], rest, value, remove)
  return copy
}

/** values a person (or a broken tool) may write in place of any field */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>(
    -1,
    0,
    0.5,
    1e21,
    Number.MAX_SAFE_INTEGER + 2,
    '',
    ' ',
    'yes',
    '900000000',
    [],
    {},
    null,
    true,
    '/ip4/1.2.3.4/tcp/0',
    '2026-13-40T99:00:00Z'
  )
)
const change = fc.record({
  example: fc.nat(),
  pick: fc.nat(),
  how: fc.constantFrom('set', 'set', 'set', 'remove', 'unknown'),
  value: anyValue,
  key: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,10}$/)
})

/** fields that rules between fields are about: a change to one may be reported on another */
const RELATED: Record<string, string[]> = {
  slots: ['slots', 'settlement', 'market'],
  tariffs: ['tariffs', 'limits'],
  limits: ['limits', 'tariffs'],
  market: ['market', 'slots'],
  building: ['building', 'position', 'site'],
  position: ['position', 'building'],
  site: ['site', 'mobility', 'building'],
  mobility: ['mobility', 'site'],
  grid: ['grid'],
  settlement: ['settlement', 'slots']
}

/** the scenario's rules between fields (slots and network windows, buildings and feeders, …) */
const SCENARIO_RELATED: Record<string, string[]> = {
  slots: ['slots', 'network', 'settlement'],
  network: ['network', 'slots'],
  buildings: ['buildings', 'grid'],
  grid: ['grid', 'buildings'],
  tariffs: ['tariffs', 'limits'],
  limits: ['limits', 'tariffs'],
  mobility: ['mobility', 'site'],
  site: ['site', 'mobility']
}
const scenarioChange = fc.record({
  pick: fc.nat(),
  how: fc.constantFrom('set', 'set', 'set', 'remove', 'unknown'),
  value: anyValue,
  key: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,10}$/)
})

describe('the node config on any document', () => {
  test.prop([change], fuzzParams(300, 5))(
    'a changed example gives a config or a ConfigError naming the changed field or one its rules tie to it',
    c => {
      const base = examples[c.example % examples.length]
      const paths = pathsOf(base).filter(p => p.length > 0)
      const picked = paths[c.pick % paths.length]
      // an unknown field goes beside the picked one (in a list: a list item, which is no field at all)
      const path = c.how === 'unknown' ? [...picked.slice(0, -1), `x${c.key}`] : picked
      const doc = setAt(base, path, c.value, c.how === 'remove')
      const r = configOr(() => validateNodeConfig(doc, baseDir))
      if (r.ok) return
      const field = r.error.field
      expect(field).not.toBe('')
      expect(r.error.message).toContain(field)
      const top = String(path[0])
      const named = String(fieldPathOf(field)[0] ?? '(root)')
      // a change where a mapping was is reported where the mapping is, or inside it; a rule between fields on one of them
      const ok = named === top || (RELATED[top] ?? [top]).includes(named)
      expect(ok, `changed ${JSON.stringify(path)} (${c.how} ${JSON.stringify(c.value)}), error names ${field}: ${r.error.message}`).toBe(
        true
      )
    }
  )

  test.prop(
    [
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 2_000, size: 'max', unit: fc.constantFrom(...'ab:- \n\t{}[]"\'#&*!|>%@`,?0.1'.split('')) })
      )
    ],
    fuzzParams(150)
  )('any text gives a document or a ConfigError at a line and column inside it', text => {
    const r = configOr(() => parseYaml(text, 'node.yaml'))
    if (r.ok) {
      configOr(() => validateFile(r.value, doc => validateNodeConfig(doc, baseDir)))
      return
    }
    const { source } = r.error
    expect(source?.file).toBe('node.yaml')
    expect(source?.line).toBeGreaterThanOrEqual(1)
    expect(source?.line).toBeLessThanOrEqual(text.split(/\r\n|\r|\n/).length + 1)
  })

  it(
    'regression: an alias without its anchor, or an alias bomb, is a ConfigError at the alias ' +
      '(it was a ReferenceError from the yaml library)',
    () => {
      for (const [text, line, column] of [
        ['district: demo\nslots: *nope\n', 2, 8],
        ['*!', 1, 1],
        [
          'a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n' +
            'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n',
          2,
          8
        ]
      ] as const) {
        const r = configOr(() => parseYaml(text, 'node.yaml'))
        expect(r.ok).toBe(false)
        if (!r.ok) {
          expect(r.error.message).toMatch(/not valid YAML/)
          expect(r.error.source).toEqual({ file: 'node.yaml', line, column })
        }
      }
    }
  )

  test.prop([fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 })], fuzzParams(150))(
    'an example file damaged byte by byte gives a config or a ConfigError',
    (i, ms) => {
      const text = Buffer.from(mutate(new TextEncoder().encode(exampleTexts[i % exampleTexts.length]), ms)).toString('utf8')
      const r = configOr(() => parseYaml(text, 'node.yaml'))
      if (r.ok) configOr(() => validateFile(r.value, doc => validateNodeConfig(doc, baseDir)))
    }
  )
})

describe('the scenario on any document', () => {
  test.prop([scenarioChange], fuzzParams(150, 5))(
    'a changed example scenario gives a scenario or a ConfigError naming the changed field or one its rules tie to it',
    c => {
      const paths = pathsOf(scenario).filter(p => p.length > 0)
      const picked = paths[c.pick % paths.length]
      const path = c.how === 'unknown' ? [...picked.slice(0, -1), `x${c.key}`] : picked
      const r = configOr(() => validateScenario(setAt(scenario, path, c.value, c.how === 'remove')))
      if (r.ok) return
      const field = r.error.field
      expect(r.error.message).toContain(field)
      const top = String(path[0])
      const named = String(fieldPathOf(field)[0])
      expect(
        named === top || (SCENARIO_RELATED[top] ?? []).includes(named),
        `changed ${JSON.stringify(path)} (${c.how} ${JSON.stringify(c.value)}), error names ${field}: ${r.error.message}`
      ).toBe(true)
    }
  )

  test.prop([fc.array(mutation, { minLength: 1, maxLength: 4 })], fuzzParams(50, 5))(
    'the example scenario damaged byte by byte gives a scenario or a ConfigError',
    ms => {
      const r = configOr(() => parseYaml(Buffer.from(mutate(new TextEncoder().encode(scenarioText), ms)).toString('utf8'), 'scenario.yaml'))
      if (r.ok) configOr(() => validateFile(r.value, validateScenario))
    }
  )
})
