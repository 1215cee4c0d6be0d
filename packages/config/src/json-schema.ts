import * as z from 'zod'

/**
 * The JSON Schema (draft 2020-12) of a document's schema, as an editor checks a file: the input side
 * (what may be written, with its defaults and descriptions), not what the program makes of it.
 */
export function jsonSchemaOf(schema: z.ZodType, o: { id: string; title: string; description: string }): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>
  const { $schema, ...rest } = s
  return { $schema, $id: o.id, title: o.title, ...rest, description: o.description }
}
