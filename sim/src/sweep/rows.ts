import type { ParamValue, SweepParam } from './grid.ts'
import { kpiColumns } from './kpis.ts'

/** One run of a sweep as runs.ndjson, runs.csv and runs.arrow hold it. */
export interface SweepRow {
  /** runKey: the params by path and the seed */
  readonly key: string
  readonly params: Readonly<Record<string, ParamValue>>
  readonly seed: number
  /** failed: the run threw, its process died or it timed out; `error` says which, the KPIs are empty */
  readonly status: 'ok' | 'failed'
  readonly error: string | null
  /** by KPI column name (kpis.ts); null where the run has no such figure */
  readonly kpis: Readonly<Record<string, number | null>>
}

/** A column of the table a sweep writes: its name, its type, and a value per row (null: empty). */
export interface TableColumn {
  readonly name: string
  readonly type: 'int' | 'float' | 'string' | 'bool'
  readonly values: ReadonlyArray<number | string | boolean | null>
}

/** A param's values as a column: numbers stay numbers, true/false booleans, the rest text (a list or mapping as JSON). */
function paramColumn(path: string, values: readonly ParamValue[]): TableColumn {
  if (values.every(v => typeof v === 'number'))
    return { name: path, type: values.every(v => Number.isSafeInteger(v)) ? 'int' : 'float', values: values as number[] }
  if (values.every(v => typeof v === 'boolean')) return { name: path, type: 'bool', values: values as boolean[] }
  return { name: path, type: 'string', values: values.map(paramText) }
}

/** A param value as text: a word as it is, anything else as JSON. */
export function paramText(v: ParamValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v)
}

/**
 * The table of a sweep's runs, one row per run: `run` (its key), a column per swept field (named by its
 * path), `seed`, `status`, `error`, then the KPIs (kpis.ts). The same columns in runs.csv and runs.arrow.
 */
export function rowTable(params: readonly SweepParam[], rows: readonly SweepRow[]): TableColumn[] {
  return [
    { name: 'run', type: 'string', values: rows.map(r => r.key) },
    // a param's type comes from every value it may take, so a column keeps its type whichever runs are in
    ...params.map(p => {
      const c = paramColumn(p.path, [...p.values, ...rows.map(r => r.params[p.path])])
      return { ...c, values: c.values.slice(p.values.length) }
    }),
    { name: 'seed', type: 'int', values: rows.map(r => r.seed) },
    { name: 'status', type: 'string', values: rows.map(r => r.status) },
    { name: 'error', type: 'string', values: rows.map(r => r.error) },
    ...kpiColumns.map(k => ({ name: k.name, type: k.kind, values: rows.map(r => r.kpis[k.name] ?? null) }))
  ]
}
