import { resolve } from 'node:path'
import { parseWith } from '@kvartal/config'
import type { Mode, PricingPlan } from '@kvartal/mobility'
import { mobilitySchema, type MobilityDoc } from './schemas/mobility-schema.ts'

/** `mobility.timetable`: a GTFS directory, or a generated district network (seeded). */
export type TimetableConfig =
  | { readonly gtfs: string }
  | {
      readonly generate: {
        readonly seed: number
        readonly stops: number
        readonly lines: number
        readonly trips: number
        readonly center: { readonly lat: number; readonly lon: number }
        readonly stopsPerLine?: number
        readonly spacingM?: number
      }
    }

export interface CancellationConfig {
  readonly freeUntilS: number
  readonly feeNanos: number
  readonly refundAfterStart: false
}

export interface VehicleProviderConfig {
  readonly kind: 'vehicle'
  readonly mode: Mode
  readonly position: { readonly lat: number; readonly lon: number }
  readonly pricing: PricingPlan
  readonly co2GPerKm: number
  readonly speedKmh: number
  readonly cancellation: CancellationConfig
  readonly battery?: { readonly capacityWh: number; readonly socWh: number; readonly reserveWh: number; readonly whPerKm: number }
  readonly maxRentalMs: number
  /** accessibility needs it serves (WHEELCHAIR, …): it quotes only requests it can serve */
  readonly accessibility?: readonly string[]
  /** with a battery: how it trades energy while parked */
  readonly energy?: { readonly targetSocPercent?: number; readonly chargerW?: number }
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
  /** the district gossips mobility by zone; this node reads the zones around `home` (node's MobilityOptions.zones) */
  readonly zones?: { readonly home: { readonly lat: number; readonly lon: number } }
  /** GTFS agency_id → the key (64 hex) of the node that sells its tickets */
  readonly operators?: Readonly<Record<string, string>>
}

export { transitModes, vehicleModes } from './schemas/mobility-schema.ts'

/**
 * Validates `mobility:` of a node config (its fields, defaults and documentation: schemas/mobility-schema.ts);
 * every bad field is named. A GTFS path is relative to the config's directory; a generated network is
 * centred on the site unless it says otherwise.
 */
export function validateMobilityConfig(
  v: unknown,
  baseDir: string,
  site: { latitude: number; longitude: number }
): MobilityConfig | undefined {
  if (v == null) return undefined
  return mobilityConfigOf(parseWith(mobilitySchema, v, ['mobility']), baseDir, site)
}

/** The validated section as the node takes it. */
export function mobilityConfigOf(m: MobilityDoc, baseDir: string, site: { latitude: number; longitude: number }): MobilityConfig {
  const t = m.timetable
  const timetable: TimetableConfig | undefined =
    t == null
      ? undefined
      : t.gtfs != null
        ? { gtfs: resolve(baseDir, t.gtfs) }
        : { generate: { ...t.generate!, center: t.generate!.center ?? { lat: site.latitude, lon: site.longitude } } }
  return {
    ...(m.operators != null ? { operators: m.operators } : {}),
    ...(timetable != null ? { timetable } : {}),
    ...(m.provider != null ? { provider: m.provider as VehicleProviderConfig | TransitProviderConfig } : {}),
    holdMs: m.holdMs,
    offerEveryMs: m.offerEveryMs,
    ...(m.zones != null ? { zones: { home: m.zones.home ?? { lat: site.latitude, lon: site.longitude } } } : {})
  }
}
