/**
 * A small parser of the Prometheus text exposition format (0.0.4), for tests: prom-client writes it
 * but cannot read it. It checks what a scraper would refuse (a sample without a TYPE'd family of the
 * same name, a malformed line, a bad value, a duplicate series) and throws, so a test that parses
 * /metrics also checks that Prometheus could read it.
 */
export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}
export interface Family {
  readonly name: string
  readonly type: string
  readonly help: string
  readonly samples: Sample[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
  counter: ['', '_total'],
  gauge: [''],
  untyped: ['']
}

function parseValue(text: string, line: string): number {
  // as Go's ParseFloat, which Prometheus uses: any case (prom-client writes `Nan`)
  if (/^\+?inf$/i.test(text)) return Infinity
  if (/^-inf$/i.test(text)) return -Infinity
  if (/^nan$/i.test(text)) return NaN
  const v = Number(text)
  if (text === '' || Number.isNaN(v)) throw new Error(`bad value ${JSON.stringify(text)} in: ${line}`)
  return v
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {}
  let i = 0
  while (i < text.length) {
    const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(text.slice(i))
    if (m == null) throw new Error(`bad label at ${i} in: ${line}`)
    i += m[0].length
    let v = ''
    for (; i < text.length && text[i] !== '"'; i++) {
      if (text[i] === '\\') {
        i++
        v += text[i] === 'n' ? '\n' : text[i]
      } else v += text[i]
    }
    if (text[i] !== '"') throw new Error(`unterminated label value in: ${line}`)
    i++
    if (m[1] in labels) throw new Error(`label ${m[1]} twice in: ${line}`)
    labels[m[1]] = v
    const rest = /^\s*,?\s*/.exec(text.slice(i))!
    i += rest[0].length
  }
  return labels
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>()
  const series = new Set<string>()
  let current: Family | undefined
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line)
    if (meta != null) {
      const [, kind, name, rest] = meta
      if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`)
      const f = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] }
      if (kind === 'TYPE') {
        if (!(rest in SUFFIXES)) throw new Error(`unknown type in: ${line}`)
        ;(f as { type: string }).type = rest
      } else (f as { help: string }).help = rest
      families.set(name, f)
      current = f
      continue
    }
    if (line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/.exec(line)
    if (m == null) throw new Error(`malformed sample line: ${line}`)
    const [, name, labelText, valueText] = m
    const f = current
    if (f == null || !SUFFIXES[f.type].some(s => name === f.name + s))
      throw new Error(`sample ${name} outside its family (${f?.name ?? 'none'}): ${line}`)
    const labels = parseLabels(labelText ?? '', line)
    const key = `${name}{${Object.entries(labels)
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}}`
    if (series.has(key)) throw new Error(`duplicate series ${key}`)
    series.add(key)
    f.samples.push({ name, labels, value: parseValue(valueText, line) })
  }
  return families
}

/** The value of one series (`name` and exactly these labels, plus any others when `partial`), or undefined. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value
    }
  }
  return undefined
}
