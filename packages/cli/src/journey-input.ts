import { ConfigError } from '@kvartal/protocol'
import { Mode } from '@kvartal/mobility'
import { parseWith } from '@kvartal/config'
import { accessibilitySchema } from './schemas/accessibility-schema.ts'

/**
 * Checks of what a traveller asks for, shared by the CLI (fields are flags: `--from`) and the control
 * API (fields are body fields: `from`): each throws a ConfigError naming the field.
 */

export interface Place {
  readonly lat: number
  readonly lon: number
}

const show = (v: unknown): string => (typeof v === 'string' ? `"${v.slice(0, 80)}"` : (JSON.stringify(v) ?? String(v)))

/** `63.43,10.39` or `{ lat, lon }`, in decimal degrees. */
export function placeOf(v: unknown, field: string): Place {
  let lat: unknown, lon: unknown
  if (typeof v === 'string') {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(v)
    if (m == null) throw new ConfigError(field, `must be <lat>,<lon> in decimal degrees, e.g. 63.4305,10.3951, got ${show(v)}`)
    lat = Number(m[1])
    lon = Number(m[2])
  } else if (typeof v === 'object' && v != null && !Array.isArray(v)) {
    lat = (v as Place).lat
    lon = (v as Place).lon
  } else {
    throw new ConfigError(
      field,
      v == null ? 'is required: { lat, lon } in decimal degrees' : `must be { lat, lon } in decimal degrees, got ${show(v)}`
    )
  }
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90)
    throw new ConfigError(field, `latitude must be between -90 and 90, got ${show(lat)}`)
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180)
    throw new ConfigError(field, `longitude must be between -180 and 180, got ${show(lon)}`)
  return { lat, lon }
}

/** A day of slack for clock skew and planning ahead; timetables here cover one service day. */
const MAX_AHEAD_MS = 2 * 86_400_000
const MAX_BEHIND_MS = 60_000

/** When to leave, in ms since the epoch: an ISO date-time, `+<minutes>` from now, or ms since the epoch. Absent: now. */
export function departureOf(v: unknown, field: string, now: number): number {
  if (v == null) return now
  let ms: number
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new ConfigError(field, `must be whole ms since the Unix epoch, got ${show(v)}`)
    ms = v
  } else if (typeof v === 'string' && /^\+\d{1,5}$/.test(v.trim())) {
    ms = now + Number(v.trim().slice(1)) * 60_000
  } else if (
    typeof v === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v.trim()) &&
    !Number.isNaN(Date.parse(v))
  ) {
    ms = Date.parse(v)
  } else {
    throw new ConfigError(field, `must be an ISO date-time (2026-06-17T08:30:00Z) or +<minutes> from now, got ${show(v)}`)
  }
  if (ms < now - MAX_BEHIND_MS) throw new ConfigError(field, `${new Date(ms).toISOString()} is in the past`)
  if (ms > now + MAX_AHEAD_MS) throw new ConfigError(field, `${new Date(ms).toISOString()} is more than two days ahead`)
  return Math.floor(ms)
}

const modeNames = Object.values(Mode) as string[]

/** TOMP-API mode names, as a list or comma-separated: `BUS,BICYCLE`. */
export function modesOf(v: unknown, field: string): Mode[] | undefined {
  if (v == null) return undefined
  const list =
    typeof v === 'string'
      ? v
          .split(',')
          .map(s => s.trim())
          .filter(s => s !== '')
      : v
  if (!Array.isArray(list) || list.length === 0 || list.some(m => typeof m !== 'string'))
    throw new ConfigError(field, `must be a list of modes (${modeNames.join(', ')})`)
  return [
    ...new Set(
      list.map((m: string) => {
        const up = m.toUpperCase()
        if (!modeNames.includes(up)) throw new ConfigError(field, `unknown mode ${show(m)} (TOMP-API modes: ${modeNames.join(', ')})`)
        return up as Mode
      })
    )
  ]
}

/**
 * Accessibility needs as upper-case words (WHEELCHAIR, STEP_FREE, …), at most 8 as the wire allows; a list or
 * comma-separated (schemas/mobility-schema.ts).
 */
export function accessibilityOf(v: unknown, field: string): string[] {
  return parseWith(accessibilitySchema, v, [field])
}

/** A whole number within bounds, given as a number or as digits. */
export function wholeOf(v: unknown, field: string, min: number, max: number, unit = ''): number {
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new ConfigError(field, `must be a whole number${unit !== '' ? ` of ${unit}` : ''}, got ${show(v)}`)
  if (n < min || n > max) throw new ConfigError(field, `must be between ${min} and ${max}${unit !== '' ? ` ${unit}` : ''}, got ${n}`)
  return n
}

/** Which journey of a plan to book: a label, the preferred one, or its number in the plan (1 = first). */
export type Pick = 'fastest' | 'cheapest' | 'greenest' | 'fewestTransfers' | 'preferred' | number
const pickNames: Record<string, Pick> = {
  fastest: 'fastest',
  cheapest: 'cheapest',
  greenest: 'greenest',
  fewesttransfers: 'fewestTransfers',
  'fewest-transfers': 'fewestTransfers',
  preferred: 'preferred'
}

export function pickOf(v: unknown, field: string): Pick {
  if (v == null) return 'preferred'
  if (typeof v === 'number' || (typeof v === 'string' && /^\s*\d+\s*$/.test(v))) return wholeOf(v, field, 1, 10_000)
  const p = typeof v === 'string' ? pickNames[v.trim().toLowerCase()] : undefined
  if (p == null)
    throw new ConfigError(
      field,
      `must be fastest, cheapest, greenest, fewest-transfers, preferred or a journey number from the plan (1 = first), got ${show(v)}`
    )
  return p
}

/** A node's Ed25519 public key, 64 hex digits (`kvartal id` prints it as `trader`). */
export function readerKeyOf(v: unknown, field: string): Uint8Array {
  if (typeof v !== 'string' || !/^[0-9a-fA-F]{64}$/.test(v.trim()))
    throw new ConfigError(
      field,
      `must be a node's public key: 64 hex digits (the trader id that \`kvartal id\` prints), got ${v == null ? 'nothing' : show(v)}`
    )
  return Uint8Array.from(Buffer.from(v.trim(), 'hex'))
}

/** A booked package's id: 32 hex digits. */
export function packageIdOf(v: unknown, field: string): string {
  if (typeof v !== 'string' || !/^[0-9a-fA-F]{32}$/.test(v.trim()))
    throw new ConfigError(
      field,
      `must be a package id: 32 hex digits (\`kvartal journey list\` shows them), got ${v == null ? 'nothing' : show(v)}`
    )
  return v.trim().toLowerCase()
}

/** A channel: its id (64 hex digits), or the name of one of the node's own channels (`trips`, `rides`). */
export function channelRefOf(v: unknown, field: string): string {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{64}|[a-z][a-z0-9-]{0,31})$/.test(v.trim()))
    throw new ConfigError(
      field,
      `must be a channel id (64 hex digits) or the name of one of this node's channels (e.g. trips), got ${v == null ? 'nothing' : show(v)}`
    )
  const s = v.trim()
  return /^[0-9a-fA-F]{64}$/.test(s) ? s.toLowerCase() : s
}

/** A peer: a multiaddr (ending in /p2p/<peer id> to be dialled), a libp2p peer id, or a node's 64-hex key. */
export function peerRefOf(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '')
    throw new ConfigError(field, "is required: a multiaddr (/ip4/…/tcp/…/p2p/<peer id>), a peer id, or a node's 64-hex key")
  const s = v.trim()
  if (!s.startsWith('/') && !/^[0-9a-fA-F]{64}$/.test(s) && !/^[1-9A-HJ-NP-Za-km-z]{40,}$/.test(s))
    throw new ConfigError(field, `must be a multiaddr, a peer id or a node's 64-hex key, got ${show(s)}`)
  return s
}
