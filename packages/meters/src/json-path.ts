import { MeterDataError } from './meter.ts'

/**
 * A small JSON path: `$` (the whole message), `$.a.b`, `a.b`, `a[0].b`, `$['a b'].c`. Enough for what
 * gateways publish (Tibber Pulse, Shelly, Home Assistant, Tasmota); no filters, no wildcards.
 */
export function parseJsonPath(path: string): Array<string | number> {
  const out: Array<string | number> = []
  let rest = path.trim()
  if (rest.startsWith('$')) rest = rest.slice(1)
  const re = /^(?:\.?([A-Za-z_][\w-]*)|\[(\d+)\]|\[(['"])(.*?)\3\])/
  while (rest.length > 0) {
    const m = re.exec(rest)
    if (m == null)
      throw new MeterDataError(
        'bad-path',
        `cannot read the JSON path ${JSON.stringify(path)} at ${JSON.stringify(rest)} (use $.a.b, a[0].b or $['a b'])`
      )
    out.push(m[1] ?? (m[2] != null ? Number(m[2]) : m[4]))
    rest = rest.slice(m[0].length)
  }
  return out
}

/** The value at `path` in `doc`, or undefined when any step is missing. */
export function atPath(doc: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = doc
  for (const k of path) {
    if (v == null || typeof v !== 'object') return undefined
    v = (v as Record<string | number, unknown>)[k]
  }
  return v
}

export const EnergyUnit = { Wh: 1, kWh: 1000, MWh: 1_000_000 } as const
export type EnergyUnit = keyof typeof EnergyUnit

/**
 * A register value (a JSON number or a numeric string) in integer Wh. Converted from its decimal text,
 * not through a float product: 12345.678 kWh is 12345678 Wh exactly. Finer than a Wh is cut (a
 * register's displayed digits are cut the same way), so the result never runs ahead of the meter.
 */
export function toWh(value: unknown, unit: EnergyUnit): number {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(6) : '') : typeof value === 'string' ? value.trim() : ''
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text)
  if (m == null) throw new MeterDataError('not-a-number', `expected a non-negative number of ${unit}, got ${JSON.stringify(value)}`)
  const digits = Math.round(Math.log10(EnergyUnit[unit]))
  const frac = (m[2] ?? '').padEnd(digits, '0').slice(0, digits)
  const wh = Number(m[1] + frac)
  if (!Number.isSafeInteger(wh)) throw new MeterDataError('not-a-number', `${JSON.stringify(value)} ${unit} is too large`)
  return wh
}

/** A timestamp: an ISO date-time, or a number of seconds (below 10^11) or milliseconds since the epoch. */
export function toEpochMs(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value < 1e11 ? value * 1000 : value)
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return toEpochMs(Number(value))
    const t = Date.parse(value)
    if (!Number.isNaN(t)) return t
  }
  throw new MeterDataError(
    'bad-time',
    `expected a timestamp (ISO date-time, or seconds or ms since the epoch), got ${JSON.stringify(value)}`
  )
}
