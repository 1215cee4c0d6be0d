import { ConfigError } from '@kvartal/protocol'

/** Small validators for scenario documents: each error names the field by its dotted path. */
export type Obj = Record<string, unknown>

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v != null && !Array.isArray(v)

export function fieldPath (path: string, key: string): string { return path === '' ? key : `${path}.${key}` }

/** Refuses any key not in `keys`. */
export function known (o: Obj, path: string, keys: string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ConfigError(fieldPath(path, k), `unknown field (expected one of: ${keys.join(', ')})`)
}

export function num (o: Obj, key: string, path: string, def: number, opts: { min?: number, max?: number, integer?: boolean } = {}): number {
  const v = o[key]
  const field = fieldPath(path, key)
  if (v == null) return def
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(field, `must be a number, got ${JSON.stringify(v)}`)
  if (opts.integer === true && !Number.isSafeInteger(v)) throw new ConfigError(field, `must be a whole number, got ${v}`)
  if (opts.min != null && v < opts.min) throw new ConfigError(field, `must be at least ${opts.min}, got ${v}`)
  if (opts.max != null && v > opts.max) throw new ConfigError(field, `must be at most ${opts.max}, got ${v}`)
  return v
}

/** A nested mapping; absent is `{}`. */
export function sub (o: Obj, key: string, path: string): Obj {
  const v = o[key]
  if (v == null) return {}
  if (!isObj(v)) throw new ConfigError(fieldPath(path, key), 'must be a mapping')
  return v
}

export function range (o: Obj, key: string, path: string, def: [number, number]): [number, number] {
  const v = o[key]
  const field = fieldPath(path, key)
  if (v == null) return def
  if (!Array.isArray(v) || v.length !== 2 || v.some(x => typeof x !== 'number' || x < 0 || x > 1) || v[0] > v[1]) throw new ConfigError(field, 'must be [low, high] with 0 ≤ low ≤ high ≤ 1')
  return [v[0], v[1]]
}

export function bool (o: Obj, key: string, path: string, def: boolean): boolean {
  const v = o[key]
  if (v == null) return def
  if (typeof v !== 'boolean') throw new ConfigError(fieldPath(path, key), `must be true or false, got ${JSON.stringify(v)}`)
  return v
}
