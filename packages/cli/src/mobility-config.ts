import { resolve } from 'node:path'
import { ConfigError } from '@kvartal/protocol'
import { Mode, PricingPlanError, validatePricingPlan, type PricingPlan } from '@kvartal/mobility'
import { defaultMobilityOptions } from '@kvartal/node'
import { accessibilityOf } from './journey-input.ts'

/** `mobility.timetable`: a GTFS directory, or a generated district network (seeded). */
export type TimetableConfig =
  | { readonly gtfs: string }
  | { readonly generate: { readonly seed: number, readonly stops: number, readonly lines: number, readonly trips: number, readonly center: { readonly lat: number, readonly lon: number }, readonly stopsPerLine?: number, readonly spacingM?: number } }

export interface CancellationConfig { readonly freeUntilS: number, readonly feeNanos: number, readonly refundAfterStart: false }

export interface VehicleProviderConfig {
  readonly kind: 'vehicle'
  readonly mode: Mode
  readonly position: { readonly lat: number, readonly lon: number }
  readonly pricing: PricingPlan
  readonly co2GPerKm: number
  readonly speedKmh: number
  readonly cancellation: CancellationConfig
  readonly battery?: { readonly capacityWh: number, readonly socWh: number, readonly reserveWh: number, readonly whPerKm: number }
  readonly maxRentalMs: number
  /** accessibility needs it serves (WHEELCHAIR, …): it quotes only requests it can serve */
  readonly accessibility?: readonly string[]
  /** with a battery: how it trades energy while parked */
  readonly energy?: { readonly targetSocPercent?: number, readonly chargerW?: number }
}

export interface TransitProviderConfig {
  readonly kind: 'transit'
  readonly agencyId: string
  readonly mode: Mode
  readonly seatsPerTrip: number
  readonly cancellation: CancellationConfig
  readonly co2GPerKm: number
}

/** `mobility:` of a node config, validated. */
export interface MobilityConfig {
  readonly timetable?: TimetableConfig
  /** absent: the node travels only */
  readonly provider?: VehicleProviderConfig | TransitProviderConfig
  readonly holdMs: number
  readonly offerEveryMs: number
  /** GTFS agency_id → the key (64 hex) of the node that sells its tickets */
  readonly operators?: Readonly<Record<string, string>>
}

/** On-demand vehicles (TOMP-API asset classes this runtime rents out) and timetabled modes (GTFS route types). */
export const vehicleModes: readonly Mode[] = [Mode.BICYCLE, Mode.SCOOTER, Mode.CAR]
export const transitModes: readonly Mode[] = [Mode.BUS, Mode.TRAM, Mode.METRO, Mode.RAIL, Mode.FERRY]

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v != null && !Array.isArray(v)
const show = (v: unknown): string => JSON.stringify(v) ?? String(v)

function mapping (v: unknown, field: string): Obj {
  if (!isObj(v)) throw new ConfigError(field, 'must be a mapping')
  return v
}
function known (o: Obj, field: string, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ConfigError(`${field}.${k}`, `unknown field (expected one of: ${keys.join(', ')})`)
}
function whole (o: Obj, key: string, field: string, def: number | undefined, min: number, max: number, unit = 'a whole number'): number {
  const v = o[key]
  const at = `${field}.${key}`
  if (v == null) {
    if (def == null) throw new ConfigError(at, 'is required')
    return def
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ConfigError(at, `must be ${unit}, got ${show(v)}`)
  if (v < min || v > max) throw new ConfigError(at, `must be between ${min} and ${max}, got ${v}`)
  return v
}
function coordinate (v: unknown, field: string): { lat: number, lon: number } {
  const o = mapping(v, field)
  known(o, field, ['lat', 'lon'])
  for (const [k, lim] of [['lat', 90], ['lon', 180]] as const) {
    const x = o[k]
    if (typeof x !== 'number' || !Number.isFinite(x) || Math.abs(x) > lim) throw new ConfigError(`${field}.${k}`, `must be decimal degrees between -${lim} and ${lim}, got ${show(x)}`)
  }
  return { lat: o.lat as number, lon: o.lon as number }
}
function mode (v: unknown, field: string, allowed: readonly Mode[]): Mode {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    const any = typeof v === 'string' && v in Mode ? ` (${v} is a TOMP-API mode, but not one this kind of provider sells)` : ''
    throw new ConfigError(field, `must be one of ${allowed.join(', ')}, got ${show(v)}${any}`)
  }
  return v as Mode
}

const NANOS = 'a whole number of nanos (1 IOTA = 1000000000)'

function segmentsOf (v: unknown, field: string, unit: string): void {
  if (v == null) return
  if (!Array.isArray(v)) throw new ConfigError(field, 'must be a list of segments { start, rate, interval, end? }')
  v.forEach((s: unknown, i) => {
    const at = `${field}[${i}]`
    const o = mapping(s, at)
    known(o, at, ['start', 'rate', 'interval', 'end'])
    whole(o, 'rate', at, undefined, 0, Number.MAX_SAFE_INTEGER, NANOS)
    whole(o, 'start', at, undefined, 0, 1_000_000, `a whole number of ${unit}`)
    whole(o, 'interval', at, undefined, 0, 1_000_000, `a whole number of ${unit}`)
    if (o.end != null) whole(o, 'end', at, undefined, 1, 1_000_000, `a whole number of ${unit}`)
  })
}

/** A GBFS pricing plan in nanos: amounts and units checked by name here, the rest by `validatePricingPlan`. */
function pricing (v: unknown, field: string): PricingPlan {
  const o = mapping(v, field)
  known(o, field, ['plan_id', 'name', 'currency', 'price', 'per_min_pricing', 'per_km_pricing', 'max_price'])
  if (o.currency != null && o.currency !== 'IOTA') throw new ConfigError(`${field}.currency`, `must be IOTA (every amount is in IOTA nanos), got ${show(o.currency)}`)
  whole(o, 'price', field, undefined, 0, Number.MAX_SAFE_INTEGER, NANOS)
  if (o.max_price != null) whole(o, 'max_price', field, undefined, 0, Number.MAX_SAFE_INTEGER, NANOS)
  segmentsOf(o.per_min_pricing, `${field}.per_min_pricing`, 'minutes')
  segmentsOf(o.per_km_pricing, `${field}.per_km_pricing`, 'km')
  try {
    return validatePricingPlan({ ...o, currency: 'IOTA' })
  } catch (err) {
    if (err instanceof PricingPlanError) throw new ConfigError(`${field}.${err.field}`, err.message.slice(err.field.length + 2))
    throw err
  }
}

function cancellation (v: unknown, field: string): CancellationConfig {
  const o = mapping(v ?? {}, field)
  known(o, field, ['freeUntilS', 'feeNanos', 'refundAfterStart'])
  if (o.refundAfterStart != null && o.refundAfterStart !== false) throw new ConfigError(`${field}.refundAfterStart`, 'must be false: nothing is refunded once a leg has started')
  return {
    freeUntilS: whole(o, 'freeUntilS', field, 600, 0, 7 * 86_400, 'a whole number of seconds'),
    feeNanos: whole(o, 'feeNanos', field, 0, 0, Number.MAX_SAFE_INTEGER, NANOS),
    refundAfterStart: false
  }
}

function timetable (v: unknown, baseDir: string, site: { latitude: number, longitude: number }): TimetableConfig | undefined {
  if (v == null) return undefined
  const field = 'mobility.timetable'
  const o = mapping(v, field)
  known(o, field, ['gtfs', 'generate'])
  if ((o.gtfs == null) === (o.generate == null)) throw new ConfigError(field, 'give exactly one of gtfs (a GTFS directory or .zip) or generate (a generated district network)')
  if (o.gtfs != null) {
    if (typeof o.gtfs !== 'string' || o.gtfs === '') throw new ConfigError(`${field}.gtfs`, 'must be the path of a GTFS feed: a directory or a .zip with stops.txt, routes.txt, trips.txt, stop_times.txt (agency.txt for the time zone)')
    return { gtfs: resolve(baseDir, o.gtfs) }
  }
  const at = `${field}.generate`
  const g = mapping(o.generate, at)
  known(g, at, ['seed', 'stops', 'lines', 'trips', 'center', 'stopsPerLine', 'spacingM'])
  return {
    generate: {
      seed: whole(g, 'seed', at, 1, 0, Number.MAX_SAFE_INTEGER),
      stops: whole(g, 'stops', at, 100, 2, 100_000),
      lines: whole(g, 'lines', at, 10, 1, 1_000),
      trips: whole(g, 'trips', at, 1_000, 1, 1_000_000),
      center: g.center == null ? { lat: site.latitude, lon: site.longitude } : coordinate(g.center, `${at}.center`),
      ...(g.stopsPerLine != null ? { stopsPerLine: whole(g, 'stopsPerLine', at, undefined, 2, 10_000) } : {}),
      ...(g.spacingM != null ? { spacingM: whole(g, 'spacingM', at, undefined, 10, 100_000, 'a whole number of metres') } : {})
    }
  }
}

function provider (v: unknown, hasTimetable: boolean): VehicleProviderConfig | TransitProviderConfig | undefined {
  if (v == null) return undefined
  const field = 'mobility.provider'
  const o = mapping(v, field)
  if (o.kind === 'vehicle') {
    known(o, field, ['kind', 'mode', 'position', 'pricing', 'co2GPerKm', 'speedKmh', 'cancellation', 'battery', 'maxRentalMs', 'accessibility', 'energy'])
    let battery: VehicleProviderConfig['battery']
    if (o.battery != null) {
      const at = `${field}.battery`
      const b = mapping(o.battery, at)
      known(b, at, ['capacityWh', 'socWh', 'reserveWh', 'whPerKm'])
      const capacityWh = whole(b, 'capacityWh', at, undefined, 1, 1_000_000, 'a whole number of Wh')
      battery = {
        capacityWh,
        socWh: whole(b, 'socWh', at, undefined, 0, capacityWh, 'a whole number of Wh'),
        reserveWh: whole(b, 'reserveWh', at, 0, 0, capacityWh, 'a whole number of Wh'),
        whPerKm: whole(b, 'whPerKm', at, undefined, 1, 100_000, 'a whole number of Wh per km')
      }
    }
    let energy: VehicleProviderConfig['energy']
    if (o.energy != null) {
      const at = `${field}.energy`
      if (battery == null) throw new ConfigError(at, 'needs a battery: only a vehicle with a battery trades energy while parked')
      const e = mapping(o.energy, at)
      known(e, at, ['targetSocPercent', 'chargerW'])
      energy = {
        ...(e.targetSocPercent != null ? { targetSocPercent: whole(e, 'targetSocPercent', at, undefined, 0, 100, 'a whole percentage') } : {}),
        ...(e.chargerW != null ? { chargerW: whole(e, 'chargerW', at, undefined, 0, 1_000_000, 'a whole number of W') } : {})
      }
    }
    if (o.position == null) throw new ConfigError(`${field}.position`, 'is required: where the vehicle is parked, { lat, lon }')
    if (o.pricing == null) throw new ConfigError(`${field}.pricing`, 'is required: a GBFS pricing plan in nanos (plan_id, price, per_min_pricing, per_km_pricing, max_price)')
    return {
      kind: 'vehicle',
      mode: mode(o.mode, `${field}.mode`, vehicleModes),
      position: coordinate(o.position, `${field}.position`),
      pricing: pricing(o.pricing, `${field}.pricing`),
      co2GPerKm: whole(o, 'co2GPerKm', field, undefined, 0, 10_000, 'a whole number of grams per km'),
      speedKmh: whole(o, 'speedKmh', field, undefined, 1, 300, 'a whole number of km/h'),
      cancellation: cancellation(o.cancellation, `${field}.cancellation`),
      ...(battery != null ? { battery } : {}),
      maxRentalMs: whole(o, 'maxRentalMs', field, 4 * 3_600_000, 60_000, 7 * 86_400_000, 'a whole number of ms'),
      ...(o.accessibility != null ? { accessibility: accessibilityOf(o.accessibility, `${field}.accessibility`) } : {}),
      ...(energy != null ? { energy } : {})
    }
  }
  if (o.kind === 'transit') {
    known(o, field, ['kind', 'agencyId', 'mode', 'seatsPerTrip', 'cancellation', 'co2GPerKm'])
    if (!hasTimetable) throw new ConfigError('mobility.timetable', 'is required for a transit provider: it sells seats on the timetable\'s trips (give timetable.gtfs or timetable.generate)')
    if (typeof o.agencyId !== 'string' || o.agencyId === '') throw new ConfigError(`${field}.agencyId`, 'is required: the GTFS agency_id whose trips this operator sells')
    return {
      kind: 'transit',
      agencyId: o.agencyId,
      mode: mode(o.mode ?? 'BUS', `${field}.mode`, transitModes),
      seatsPerTrip: whole(o, 'seatsPerTrip', field, undefined, 1, 10_000),
      cancellation: cancellation(o.cancellation, `${field}.cancellation`),
      co2GPerKm: whole(o, 'co2GPerKm', field, undefined, 0, 10_000, 'a whole number of grams per passenger-km')
    }
  }
  throw new ConfigError(`${field}.kind`, `must be vehicle (a bike, scooter or car rented by the minute and km) or transit (seats on timetabled trips), got ${show(o.kind)}`)
}

/** Validates `mobility:` of a node config; every bad field is named. */
export function validateMobilityConfig (v: unknown, baseDir: string, site: { latitude: number, longitude: number }): MobilityConfig | undefined {
  if (v == null) return undefined
  const o = mapping(v, 'mobility')
  known(o, 'mobility', ['timetable', 'provider', 'holdMs', 'offerEveryMs', 'operators'])
  const tt = timetable(o.timetable, baseDir, site)
  const ops = operators(o.operators)
  return {
    ...(ops != null ? { operators: ops } : {}),
    ...(tt != null ? { timetable: tt } : {}),
    ...(o.provider != null ? { provider: provider(o.provider, tt != null) } : {}),
    holdMs: whole(o, 'holdMs', 'mobility', defaultMobilityOptions.holdMs, 1_000, 3_600_000, 'a whole number of ms'),
    offerEveryMs: whole(o, 'offerEveryMs', 'mobility', defaultMobilityOptions.offerEveryMs, 1_000, 86_400_000, 'a whole number of ms')
  }
}

/** `operators: { <agency_id>: <operator's node key, 64 hex> }`: whom a traveller pays for that agency's trips. */
function operators (v: unknown): Record<string, string> | undefined {
  if (v == null) return undefined
  const o = mapping(v, 'mobility.operators')
  const out: Record<string, string> = {}
  for (const [agency, key] of Object.entries(o)) {
    if (typeof key !== 'string' || !/^[0-9a-fA-F]{64}$/.test(key)) throw new ConfigError(`mobility.operators.${agency}`, `must be the operator node's key, 64 hex characters (kvartal id prints it), got ${show(key)}`)
    out[agency] = key.toLowerCase()
  }
  return out
}
