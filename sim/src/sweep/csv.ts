import type { TableColumn } from './rows.ts'

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or edge spaces. */
function field(v: number | string | boolean | null): string {
  if (v == null) return ''
  const t = String(v)
  return /[",\r\n]|^\s|\s$/.test(t) ? `"${t.replace(/"/g, '""')}"` : t
}

/** The table as CSV: a header of column names, a line per row, CRLF line ends (RFC 4180); an empty field is null. */
export function toCsv(columns: readonly TableColumn[]): string {
  const n = columns[0]?.values.length ?? 0
  const lines = [columns.map(c => field(c.name)).join(',')]
  for (let i = 0; i < n; i++) lines.push(columns.map(c => field(c.values[i])).join(','))
  return lines.join('\r\n') + '\r\n'
}

/** Reads CSV (RFC 4180) into records of text: the first line names the fields. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const records: string[][] = []
  let row: string[] = []
  let cur = ''
  let quoted = false
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cur += '"'
        i += 2
        continue
      }
      if (c === '"') {
        quoted = false
        i++
        continue
      }
      cur += c
      i++
      continue
    }
    if (c === '"') {
      quoted = true
      i++
      continue
    }
    if (c === ',') {
      row.push(cur)
      cur = ''
      i++
      continue
    }
    if (c === '\r' || c === '\n') {
      row.push(cur)
      records.push(row)
      row = []
      cur = ''
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1
      continue
    }
    cur += c
    i++
  }
  if (cur !== '' || row.length > 0) {
    row.push(cur)
    records.push(row)
  }
  const [head, ...rest] = records
  return (rest ?? []).map(r => Object.fromEntries((head ?? []).map((h, j) => [h, r[j] ?? ''])))
}
