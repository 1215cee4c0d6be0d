import type * as z from 'zod'
import { parseWith } from '@kvartal/config'
import { ConfigError } from '@kvartal/protocol'
import { ApiError } from './api-error.ts'

/** A request body checked by its schema (schemas/api-body-schemas.ts): a misfit is a 400 naming the field. */
export function bodyOf<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  try {
    return parseWith(schema, body)
  } catch (err) {
    if (err instanceof ConfigError) throw ApiError.field(err.field === '(root)' ? '(body)' : err.field, err.detail)
    throw err
  }
}
