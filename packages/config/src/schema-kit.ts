import * as z from 'zod'

/**
 * Building blocks for the zod schemas of Kvartal's documents (node config, scenario, control API
 * bodies): each says in words what it expects, so that an error reads `expected a whole number of
 * seconds between 1 and 86400, got "15m"` rather than zod's default text. Integers are `z.int()`
 * (safe integers): energy, power and money are never fractions.
 */

/** A value as an error shows it: strings quoted (and cut at 80 characters), absent as `nothing`. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing'
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v)
  const s = JSON.stringify(v) ?? String(v)
  return s.length > 80 ? `${s.slice(0, 80)}…` : s
}

/** An error function for a schema: `expected <what>, got <value>`, or `is required: <what>` when the field is absent. */
export function expected(what: string): (iss: { input?: unknown }) => string {
  return iss => (iss.input === undefined ? `is required: ${what}` : `expected ${what}, got ${show(iss.input)}`)
}

function bounds(min: number, max: number): string {
  if (max >= Number.MAX_SAFE_INTEGER) return min <= -Number.MAX_SAFE_INTEGER ? '' : `, at least ${min}`
  return ` between ${min} and ${max}`
}

/** A whole number from `min` to `max`; `what` names it with its unit: `a whole number of Wh`. */
export function whole(min = 0, max = Number.MAX_SAFE_INTEGER, what = 'a whole number'): z.ZodInt {
  const error = expected(`${what}${bounds(min, max)}`)
  let s = z.int({ error })
  if (min > -Number.MAX_SAFE_INTEGER) s = s.min(min, { error })
  if (max < Number.MAX_SAFE_INTEGER) s = s.max(max, { error })
  return s
}

/** A finite number from `min` to `max`. */
export function real(min: number, max: number, what = 'a number'): z.ZodNumber {
  const error = expected(`${what}${bounds(min, max)}`)
  return z.number({ error }).min(min, { error }).max(max, { error })
}

/** A string that is not empty (and matches `pattern`, when given); `what` says what it is. */
export function text(what: string, pattern?: RegExp): z.ZodString {
  const error = expected(what)
  const s = z.string({ error }).min(1, { error })
  return pattern != null ? s.regex(pattern, { error }) : s
}

/** One of a few words. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, what?: string): z.ZodEnum<{ [K in T[number]]: K }> {
  return z.enum(values, { error: expected(what ?? `one of ${values.join(', ')}`) })
}

export function flag(): z.ZodBoolean {
  return z.boolean({ error: expected('true or false') })
}

/** A list whose items are checked by `item`. */
export function list<T extends z.ZodType>(item: T, what: string): z.ZodArray<T> {
  return z.array(item, { error: expected(what) })
}

/**
 * A YAML mapping with exactly these fields: an unknown one is an error naming it and the fields
 * there are (a typo is caught, not ignored). Absent sections get their defaults with `.prefault({})`.
 */
export function section<S extends z.ZodRawShape>(shape: S, what = 'a mapping'): z.ZodObject<S, z.core.$strict> {
  const keys = Object.keys(shape).join(', ')
  return z.strictObject(shape, {
    error: iss => (iss.code === 'unrecognized_keys' ? `unknown field (expected one of: ${keys})` : expected(what)(iss))
  })
}

export { z }
