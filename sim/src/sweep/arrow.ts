import type { TableColumn } from './rows.ts'

type Arrow = typeof import('apache-arrow')
let arrow: Arrow | undefined
/** apache-arrow, loaded when a table is first written (most users of @kvartal/sim never write one). */
async function loadArrow(): Promise<Arrow> {
  arrow ??= await import('apache-arrow')
  return arrow
}

/**
 * The table as an Apache Arrow IPC file (the Feather V2 format): pandas `read_feather`, R
 * `arrow::read_feather`, polars and DuckDB read it as it is. Whole numbers are Int64 (a count, Wh or nanos
 * stays a whole number), other numbers Float64, text Utf8, true/false Bool; every column may be null.
 */
export async function toArrowIpc(columns: readonly TableColumn[]): Promise<Uint8Array> {
  const a = await loadArrow()
  const vectors: Record<string, ReturnType<Arrow['vectorFromArray']>> = {}
  for (const c of columns) {
    const type = c.type === 'int' ? new a.Int64() : c.type === 'float' ? new a.Float64() : c.type === 'bool' ? new a.Bool() : new a.Utf8()
    const values = c.type === 'int' ? c.values.map(v => (v == null ? null : BigInt(v as number))) : c.values
    vectors[c.name] = a.vectorFromArray(values as unknown[], type as never)
  }
  return a.tableToIPC(new a.Table(vectors), 'file')
}
