import type * as z from 'zod'
import { ConfigError } from '@kvartal/protocol'
import { show } from './schema-kit.ts'

export type FieldPath = ReadonlyArray<PropertyKey>

/** `['meter', 'modbus', 'port']` → `meter.modbus.port`; list items in brackets: `buildings.list[1].id`. */
export function fieldName(path: FieldPath): string {
  let out = ''
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`
  return out === '' ? '(root)' : out
}

/** The inverse of `fieldName`: `grid.feeders.list[0].id` → `['grid', 'feeders', 'list', 0, 'id']`. */
export function fieldPathOf(field: string): Array<string | number> {
  const out: Array<string | number> = []
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] != null ? Number(m[2]) : m[1])
  return field === '(root)' ? [] : out
}

const typeNames: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'nothing',
  undefined: 'nothing',
  bigint: 'a whole number'
}

/**
 * Messages for what a schema does not word itself (schema-kit.ts words most): every message says what
 * was expected and what was there.
 */
/** What a size limit counts, after its number: items of an array, characters of a string, nothing for a number. */
const unitOf = (origin: string): string => (origin === 'array' ? ' items' : origin === 'string' ? ' characters' : '')

export const fallbackError: z.core.$ZodErrorMap = iss => {
  const got = `got ${show(iss.input)}`
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined
        ? `is required: ${typeNames[iss.expected] ?? iss.expected}`
        : `expected ${typeNames[iss.expected] ?? iss.expected}, ${got}`
    case 'too_small':
      return `expected at least ${String(iss.minimum)}${unitOf(iss.origin)}, ${got}`
    case 'too_big':
      return `expected at most ${String(iss.maximum)}${unitOf(iss.origin)}, ${got}`
    case 'invalid_value':
      return `expected ${iss.values.map(v => show(v)).join(' or ')}, ${got}`
    case 'invalid_format':
      return `expected ${iss.format === 'regex' && 'pattern' in iss ? `text matching ${String(iss.pattern)}` : iss.format}, ${got}`
    case 'unrecognized_keys': {
      const shape = (iss.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape
      return shape != null ? `unknown field (expected one of: ${Object.keys(shape).join(', ')})` : 'unknown field'
    }
    default:
      return undefined
  }
}

type Issue = z.core.$ZodIssue

/** The issue to report for a union that matched no branch: the one in the branch whose type fitted, else the union's own ("a or b"). */
function unionIssue(iss: Issue & { code: 'invalid_union' }): Issue {
  const branches = iss.errors.filter(b => b.length > 0)
  // a branch the value fitted (a mapping for a mapping) failed inside: its deepest issue says the most
  const fitted = branches
    .filter(b => !b.some(i => (i.code === 'invalid_type' || i.code === 'invalid_value') && i.path.length === 0))
    .sort((a, b) => b[0].path.length - a[0].path.length)[0]
  if (fitted != null) {
    const inner = innermost(fitted[0])
    return { ...inner, path: [...iss.path, ...inner.path] } as Issue
  }
  if (branches.length === 0 || iss.message !== 'Invalid input') return iss
  const wanted = [
    ...new Set(branches.map(b => b[0]).map(i => (i.code === 'invalid_type' ? (typeNames[i.expected] ?? i.expected) : i.message)))
  ]
  return { ...iss, message: `expected ${wanted.join(' or ')}, got ${show(iss.input)}` } as Issue
}

function innermost(iss: Issue): Issue {
  return iss.code === 'invalid_union' ? unionIssue(iss) : iss
}

/** A ConfigError for zod's first issue, its field the dotted path under `at` (`meter` for the meter section). */
export function configErrorOf(issues: readonly Issue[], at: FieldPath = []): ConfigError {
  const iss = innermost(issues[0])
  const path = [...at, ...iss.path, ...(iss.code === 'unrecognized_keys' ? [iss.keys[0]] : [])]
  return new ConfigError(fieldName(path), iss.message)
}

/** Parses `doc` with `schema`; the first problem is thrown as a ConfigError naming the field (under `at`). */
export function parseWith<S extends z.ZodType>(schema: S, doc: unknown, at: FieldPath = []): z.output<S> {
  const r = schema.safeParse(doc, { reportInput: true, error: fallbackError })
  if (r.success) return r.data
  throw configErrorOf(r.error.issues, at)
}
