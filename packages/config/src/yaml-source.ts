import { readFile } from 'node:fs/promises'
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml'
import { ConfigError, type ConfigSource } from '@kvartal/protocol'
import { fieldPathOf } from './issues.ts'

/** A YAML (or JSON) file, parsed, that can say where a field is in it. */
export interface YamlFile {
  readonly file: string
  /** the document as plain data */
  readonly doc: unknown
  /** the line and column of a field (its key, or the item of a list); a field that is absent: where its mapping is */
  locate(field: string): ConfigSource
}

type Range = [number, number, number] | undefined

/**
 * Where `path` is in `document`: the key of the deepest field that exists on the way (its value for a
 * list item). A key with dots in it (a sweep file's `buildings.generate.count:`) is found too: the
 * segments of a dotted field name that, joined, are one key.
 */
export function offsetOf(document: Document, path: ReadonlyArray<string | number>): number {
  let node: unknown = document.contents
  let at = (node as { range?: Range } | null)?.range?.[0] ?? 0
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]
    if (isMap(node)) {
      const keyOf = (p: unknown): string | undefined => (isPair(p) ? (isScalar(p.key) ? String(p.key.value) : String(p.key)) : undefined)
      let pair = node.items.find(p => keyOf(p) === String(seg))
      for (let j = i + 2; pair == null && j <= path.length; j++) {
        const joined = path.slice(i, j).join('.')
        pair = node.items.find(p => keyOf(p) === joined)
        if (pair != null) i = j - 1
      }
      if (pair == null) break
      at = (pair.key as { range?: Range } | null)?.range?.[0] ?? at
      node = pair.value
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg]
      at = (node as { range?: Range } | null)?.range?.[0] ?? at
    } else break
  }
  return at
}

/** Parses YAML text; bad YAML is a ConfigError at the line and column of the first problem. */
export function parseYaml(text: string, file: string): YamlFile {
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false })
  if (document.errors.length > 0) {
    const e = document.errors[0]
    const pos = lineCounter.linePos(e.pos[0])
    throw new ConfigError(file, `not valid YAML: ${e.message.split('\n')[0]}`, { file, line: pos.line, column: pos.col })
  }
  // the yaml library resolves aliases here, and throws a ReferenceError for one whose anchor is not set
  // before it (`*x`) or for too many (an alias bomb): bad YAML too, not an unexpected error
  let doc: unknown
  try {
    doc = document.toJS({ maxAliasCount: 100 })
  } catch (err) {
    // where: the first alias that resolves to nothing, else the first alias
    let at: number | undefined
    visit(document, {
      Alias(_, node) {
        if (at == null || node.resolve(document) == null) {
          at = node.range?.[0]
          if (node.resolve(document) == null) return visit.BREAK
        }
      }
    })
    const pos = lineCounter.linePos(at ?? 0)
    throw new ConfigError(file, `not valid YAML: ${(err as Error).message.split('\n')[0]}`, { file, line: pos.line, column: pos.col })
  }
  return {
    file,
    doc,
    locate(field) {
      const pos = lineCounter.linePos(offsetOf(document, fieldPathOf(field)))
      return { file, line: pos.line, column: pos.col }
    }
  }
}

/** Reads and parses a YAML file; `what` names it in errors (`the node config`). */
export async function readYamlFile(file: string, what: string): Promise<YamlFile> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new ConfigError(file, `cannot read ${what}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  return parseYaml(text, file)
}

/**
 * Runs `validate` on the file's document; a ConfigError it throws is thrown again with the file, line
 * and column of its field: `node.yaml:12:5: meter.modbus.port: expected …`.
 */
export function validateFile<T>(y: YamlFile, validate: (doc: unknown) => T): T {
  try {
    return validate(y.doc)
  } catch (err) {
    if (err instanceof ConfigError && err.source == null) throw new ConfigError(err.field, err.detail, y.locate(err.field))
    throw err
  }
}
