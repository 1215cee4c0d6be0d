/**
 * Property tests of the scenario file's validation (sim/src/scenario.ts), as packages/cli/test/config.fuzz.test.ts
 * does for the node config: the example scenario with any field changed to any value, removed, or joined by an
 * unknown one, and the file damaged byte by byte, give a scenario or a ConfigError that names a field on the
 * changed path (or one a rule between fields ties to it), never another exception.
 * Seeded (packages/protocol/test/arbitraries.ts: FUZZ_SEED, `FC_SEED=<n>`); `npm run fuzz` runs them at nightly size.
 */
import { readFileSync } from 'node:fs'
import { describe, expect } from 'vitest'
import { fc, test } from '@fast-check/vitest'
import { ConfigError } from '@kvartal/protocol'
import { fieldPathOf, parseYaml, validateFile } from '@kvartal/config'
import { validateScenario } from '../src/scenario.ts'
import { fuzzParams, mutate, mutation } from '../../packages/protocol/test/arbitraries.ts'

const text = readFileSync(new URL('../../examples/trondheim.yaml', import.meta.url), 'utf8')
const example = parseYaml(text, 'scenario.yaml').doc

function configOr<T> (f: () => T): { ok: true, value: T } | { ok: false, error: ConfigError } {
  try { return { ok: true, value: f() } } catch (err) {
    if (err instanceof ConfigError) return { ok: false, error: err }
    throw new Error(`threw ${(err as Error)?.name} (not a ConfigError): ${(err as Error)?.message}`, { cause: err })
  }
}

type Path = Array<string | number>
function pathsOf (v: unknown, at: Path = []): Path[] {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => pathsOf(x, [...at, i]))]
  if (v != null && typeof v === 'object') return [at, ...Object.entries(v).flatMap(([k, x]) => pathsOf(x, [...at, k]))]
  return [at]
}
function setAt (doc: unknown, path: Path, value: unknown, remove = false): unknown {
  if (path.length === 0) return value
  const [k, ...rest] = path
  const copy: Record<string | number, unknown> = Array.isArray(doc) ? [...doc] as unknown as Record<number, unknown> : { ...(doc as object) }
  if (rest.length === 0 && remove) { if (Array.isArray(copy)) (copy as unknown as unknown[]).splice(k as number, 1); else delete copy[k] }
  else copy[k] = setAt(copy[k], rest, value, remove)
  return copy
}

const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>(-1, 0, 0.5, 1e21, Number.MAX_SAFE_INTEGER + 2, '', 'yes', [], {}, null, true, '2026-02-30', 'tcp')
)
const change = fc.record({ pick: fc.nat(), how: fc.constantFrom('set', 'set', 'set', 'remove', 'unknown'), value: anyValue, key: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,10}$/) })

/** fields that rules between fields are about (slots and network windows, buildings and feeders, …) */
const RELATED: Record<string, string[]> = {
  slots: ['slots', 'network', 'settlement'], network: ['network', 'slots'], buildings: ['buildings', 'grid'], grid: ['grid', 'buildings'],
  tariffs: ['tariffs', 'limits'], limits: ['limits', 'tariffs'], mobility: ['mobility', 'site'], site: ['site', 'mobility']
}

describe('the scenario on any document', () => {
  test.prop([change], fuzzParams(300, 5))('a changed example gives a scenario or a ConfigError naming the changed field or one its rules tie to it', (c) => {
    const paths = pathsOf(example).filter(p => p.length > 0)
    const picked = paths[c.pick % paths.length]
    const path = c.how === 'unknown' ? [...picked.slice(0, -1), `x${c.key}`] : picked
    const r = configOr(() => validateScenario(setAt(example, path, c.value, c.how === 'remove')))
    if (r.ok) return
    const field = r.error.field
    expect(r.error.message).toContain(field)
    const top = String(path[0]); const named = String(fieldPathOf(field)[0])
    expect(named === top || (RELATED[top] ?? []).includes(named), `changed ${JSON.stringify(path)} (${c.how} ${JSON.stringify(c.value)}), error names ${field}: ${r.error.message}`).toBe(true)
  })

  test.prop([fc.array(mutation, { minLength: 1, maxLength: 4 })], fuzzParams(100, 5))('the example file damaged byte by byte gives a scenario or a ConfigError', (ms) => {
    const r = configOr(() => parseYaml(Buffer.from(mutate(new TextEncoder().encode(text), ms)).toString('utf8'), 'scenario.yaml'))
    if (r.ok) configOr(() => validateFile(r.value, validateScenario))
  })
})
