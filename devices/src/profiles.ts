import { ConfigError } from '@kvartal/protocol'
import type { Device } from '@kvartal/protocol'
import { createBattery } from './battery.ts'
import { createBuilding } from './building.ts'
import type { Building } from './building.ts'
import { createEvCharger } from './ev.ts'
import type { LoadProfile } from './load-profiles.ts'
import { createLoad } from './load.ts'
import { createPv } from './pv.ts'
import { createRng, hashSeed, uniform } from './random.ts'
import { requireBetween, requireFinite, requireNonNegative } from './validate.ts'

export const BuildingKind = { household: 'household', office: 'office', commercial: 'commercial' } as const
export type BuildingKind = (typeof BuildingKind)[keyof typeof BuildingKind]

/** Plain, serializable descriptions of a building's devices, as a scenario file lists them. */
export interface LoadSpec {
  readonly profile: LoadProfile
  /** energy on a working day */
  readonly dailyKwh: number
}

export interface BatterySpec {
  readonly capacityWh: number
  readonly maxChargeW: number
  readonly maxDischargeW: number
  readonly roundTripEfficiency: number
  readonly initialSocWh: number
  readonly minSocWh?: number
}

export interface EvSpec {
  readonly maxPowerW: number
  readonly arrivalHour: number
  readonly departureHour: number
  readonly energyNeededWh: number
  readonly weekdaysOnly?: boolean
}

export interface BuildingSpec {
  readonly id: string
  readonly kind: BuildingKind
  readonly load: LoadSpec
  /** rooftop PV nameplate; absent without PV */
  readonly pvPeakW?: number
  readonly battery?: BatterySpec
  readonly ev?: EvSpec
}

/** Share of each kind of building; normalised, so { household: 3, office: 1 } is fine. */
export type DistrictMix = Readonly<Partial<Record<BuildingKind, number>>>

export interface DistrictOptions {
  readonly seed: number
  readonly count: number
  readonly latitudeDeg: number
  readonly longitudeDeg: number
  readonly mix?: DistrictMix
  /**
   * Share of roofs with PV, 0..1, the same for every kind. Absent: each kind's own (homes 85 %, offices 90 %,
   * shops 75 %). Monotone per building: a building with PV at one share has PV at every higher share (its
   * draw is compared with the share); what it draws after (size, battery, charger) may differ.
   */
  readonly pvShare?: number
}

export const defaultDistrictMix = {
  // a mixed-use Nordic block: mostly homes, some offices, a few shops
  household: 0.6,
  office: 0.25,
  commercial: 0.15
} as const satisfies DistrictMix

/** Where the buildings stand and what seeds their randomness. */
export interface SiteOptions {
  readonly latitudeDeg: number
  readonly longitudeDeg: number
  readonly seed: number
  readonly utcOffsetHours?: number
  /** mean cloud cover 0..1, shared by every roof (see createPv) */
  readonly cloudiness?: number
}

const kinds: readonly BuildingKind[] = ['household', 'office', 'commercial']

/** Building counts per kind by largest remainder, so they add up to `count`. */
function countsFor(count: number, mix: DistrictMix): Record<BuildingKind, number> {
  const weights = kinds.map(k => mix[k] ?? 0)
  for (const [i, w] of weights.entries()) requireNonNegative(w, `district.mix.${kinds[i]}`)
  const total = weights.reduce((a, b) => a + b, 0)
  if (total <= 0) throw new ConfigError('district.mix', 'give at least one kind a positive share')
  const exact = weights.map(w => (w / total) * count)
  const counts = exact.map(Math.floor)
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i)
  let left = count - counts.reduce((a, b) => a + b, 0)
  for (const { i } of order) {
    if (left-- <= 0) break
    counts[i]++
  }
  return { household: counts[0], office: counts[1], commercial: counts[2] }
}

/** Rounds to a multiple of `step`. */
function roundTo(x: number, step: number): number {
  return Math.round(x / step) * step
}

function pick<T>(rng: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)]
}

/** Whether a roof carries PV: the building's draw against the district's share, or the kind's own. */
const hasPv = (rng: () => number, kindShare: number, pvShare: number | undefined): boolean => rng() < (pvShare ?? kindShare)

function household(id: string, rng: () => number, pvShare?: number): BuildingSpec {
  // Norwegian homes outside the heating season, hot water included: 10–22 kWh a day
  const load: LoadSpec = { profile: 'household', dailyKwh: roundTo(uniform(rng, 10, 22), 0.5) }
  // most roofs in a positive-energy block carry PV; a few (listed buildings, shade) do not
  const pvPeakW = hasPv(rng, 0.85, pvShare) ? roundTo(uniform(rng, 3000, 10000), 100) : undefined
  let battery: BatterySpec | undefined
  if (pvPeakW != null && rng() < 0.4) {
    const capacityWh = pick(rng, [5000, 7000, 10000, 13500])
    // home batteries deliver about 0.5 C, with 5 kW the common inverter size
    const maxW = Math.min(5000, roundTo(capacityWh * 0.5, 100))
    battery = {
      capacityWh,
      maxChargeW: maxW,
      maxDischargeW: maxW,
      roundTripEfficiency: 0.9,
      // what is left after the evening and the night
      initialSocWh: roundTo(capacityWh * 0.25, 100),
      minSocWh: roundTo(capacityWh * 0.1, 100)
    }
  }
  // Norway: most new cars are electric; a home wallbox charges overnight
  const ev: EvSpec | undefined =
    rng() < 0.45
      ? {
          maxPowerW: pick(rng, [7400, 11000]),
          arrivalHour: roundTo(uniform(rng, 16, 18.5), 0.25),
          departureHour: roundTo(uniform(rng, 6.5, 8), 0.25),
          energyNeededWh: roundTo(uniform(rng, 6000, 16000), 100)
        }
      : undefined
  return {
    id,
    kind: 'household',
    load,
    ...(pvPeakW != null && { pvPeakW }),
    ...(battery != null && { battery }),
    ...(ev != null && { ev })
  }
}

function office(id: string, rng: () => number, pvShare?: number): BuildingSpec {
  // a small office building, 1 000–2 500 m²
  const load: LoadSpec = { profile: 'office', dailyKwh: roundTo(uniform(rng, 100, 260), 5) }
  const pvPeakW = hasPv(rng, 0.9, pvShare) ? roundTo(uniform(rng, 20_000, 60_000), 500) : undefined
  // workplace chargers: a pool of cars plugged in through the working day
  const ev: EvSpec | undefined =
    rng() < 0.5
      ? {
          maxPowerW: 22_000,
          arrivalHour: roundTo(uniform(rng, 7.5, 8.5), 0.25),
          departureHour: 16,
          energyNeededWh: roundTo(uniform(rng, 20_000, 60_000), 500),
          weekdaysOnly: true
        }
      : undefined
  return { id, kind: 'office', load, ...(pvPeakW != null && { pvPeakW }), ...(ev != null && { ev }) }
}

function commercial(id: string, rng: () => number, pvShare?: number): BuildingSpec {
  // a shop or a small supermarket, refrigeration running all day
  const load: LoadSpec = { profile: 'commercial', dailyKwh: roundTo(uniform(rng, 120, 300), 5) }
  const pvPeakW = hasPv(rng, 0.75, pvShare) ? roundTo(uniform(rng, 30_000, 80_000), 500) : undefined
  return { id, kind: 'commercial', load, ...(pvPeakW != null && { pvPeakW }) }
}

const makers: Readonly<Record<BuildingKind, (id: string, rng: () => number, pvShare?: number) => BuildingSpec>> = {
  household,
  office,
  commercial
}

/**
 * `count` building specs for a positive-energy block, drawn from `seed`: the kinds in the proportions
 * of `mix` (default 60 % homes, 25 % offices, 15 % shops), then each building's load, PV (on `pvShare` of the
 * roofs when given), battery and charger. Ids are `<kind>-<nn>`. The specs are plain data: put them in a scenario, and build devices
 * with `createBuildingFromSpec`. The location is checked here so a scenario fails early; it does not
 * change the specs.
 */
export function buildDistrict(options: DistrictOptions): BuildingSpec[] {
  requireFinite(options.seed, 'district.seed')
  if (!Number.isSafeInteger(options.count) || options.count < 0)
    throw new ConfigError('district.count', `must be a whole number of buildings, got ${options.count}`)
  requireBetween(options.latitudeDeg, -90, 90, 'district.latitudeDeg')
  requireBetween(options.longitudeDeg, -180, 180, 'district.longitudeDeg')
  if (options.pvShare != null) requireBetween(options.pvShare, 0, 1, 'district.pvShare')
  const counts = countsFor(options.count, options.mix ?? defaultDistrictMix)
  const specs: BuildingSpec[] = []
  for (const kind of kinds) {
    const width = Math.max(2, String(counts[kind]).length)
    for (let n = 1; n <= counts[kind]; n++) {
      const id = `${kind}-${String(n).padStart(width, '0')}`
      specs.push(makers[kind](id, createRng(hashSeed(options.seed, 'district', id)), options.pvShare))
    }
  }
  return specs
}

/**
 * A building with devices from a spec. Device ids are `<building>/<device>` (`/load`, `/pv`, `/battery`,
 * `/ev`). Each building's load and charger draw from their own seeds, derived from `site.seed` and the
 * building id; every roof shares one cloud process (hashSeed(site.seed, 'weather')), because a block
 * sees the same sky. The battery comes last, so it is dispatched against everything else.
 */
export function createBuildingFromSpec(spec: BuildingSpec, site: SiteOptions): Building {
  const devices: Device[] = []
  const utcOffsetHours = site.utcOffsetHours
  devices.push(
    createLoad({
      id: `${spec.id}/load`,
      profile: spec.load.profile,
      dailyKwh: spec.load.dailyKwh,
      seed: hashSeed(site.seed, spec.id, 'load'),
      ...(utcOffsetHours != null && { utcOffsetHours })
    })
  )
  if (spec.pvPeakW != null && spec.pvPeakW > 0) {
    devices.push(
      createPv({
        id: `${spec.id}/pv`,
        peakW: spec.pvPeakW,
        latitudeDeg: site.latitudeDeg,
        longitudeDeg: site.longitudeDeg,
        seed: hashSeed(site.seed, 'weather'),
        ...(site.cloudiness != null && { cloudiness: site.cloudiness })
      })
    )
  }
  if (spec.ev != null) {
    devices.push(
      createEvCharger({
        id: `${spec.id}/ev`,
        seed: hashSeed(site.seed, spec.id, 'ev'),
        ...spec.ev,
        ...(utcOffsetHours != null && { utcOffsetHours })
      })
    )
  }
  if (spec.battery != null) devices.push(createBattery({ id: `${spec.id}/battery`, ...spec.battery }))
  return createBuilding({ id: spec.id, devices })
}

/** Buildings for every spec, at one site. */
export function createBuildings(specs: readonly BuildingSpec[], site: SiteOptions): Building[] {
  return specs.map(spec => createBuildingFromSpec(spec, site))
}
