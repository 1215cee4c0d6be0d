import { flag, oneOf, real, section, text, whole, z } from './schema-kit.ts'
import { BuildingKind } from '@kvartal/devices'

/**
 * A building's simulated devices, as a scenario lists them (`buildings.list[i]`) and a node config
 * gives its own (`building`): the device factories take this spec as it is.
 */
const kinds = Object.keys(BuildingKind) as [BuildingKind, ...BuildingKind[]]

export const loadSchema = section(
  {
    profile: oneOf(['household', 'office', 'commercial']).describe("the load profile's shape"),
    dailyKwh: real(0, 1_000_000, 'kWh').describe('the energy used on a working day, kWh')
  },
  '{ profile, dailyKwh }'
).describe("the building's consumption")

export const batterySchema = section(
  {
    capacityWh: whole(1, Number.MAX_SAFE_INTEGER, 'a whole number of Wh').describe('usable capacity, Wh'),
    maxChargeW: whole(0, Number.MAX_SAFE_INTEGER, 'a whole number of W').describe('largest charging power, W'),
    maxDischargeW: whole(0, Number.MAX_SAFE_INTEGER, 'a whole number of W').describe('largest discharging power, W'),
    roundTripEfficiency: real(0.01, 1, 'a share')
      .optional()
      .describe('energy out over energy in, 0.01 to 1 (default 0.9, a lithium-ion home battery)'),
    initialSocWh: whole(0, Number.MAX_SAFE_INTEGER, 'a whole number of Wh')
      .optional()
      .describe("state of charge at the start, Wh, between minSocWh and capacityWh (default: the device's)"),
    minSocWh: whole(0, Number.MAX_SAFE_INTEGER, 'a whole number of Wh').optional().describe('never discharged below this, Wh')
  },
  '{ capacityWh, maxChargeW, maxDischargeW, roundTripEfficiency?, initialSocWh?, minSocWh? }'
).describe('a stationary battery')

export const evSchema = section(
  {
    maxPowerW: whole(1, Number.MAX_SAFE_INTEGER, 'a whole number of W').describe("the charger's largest power, W"),
    arrivalHour: real(0, 24, 'an hour of the day').describe('local hour the car arrives (plugs in)'),
    departureHour: real(0, 24, 'an hour of the day').describe('local hour it leaves'),
    energyNeededWh: whole(0, Number.MAX_SAFE_INTEGER, 'a whole number of Wh').describe('energy it needs before it leaves, Wh'),
    weekdaysOnly: flag().optional().describe('true: it comes home on working days only')
  },
  '{ maxPowerW, arrivalHour, departureHour, energyNeededWh, weekdaysOnly? }'
).describe('an electric car charged at home')

/** One building; `id` is required in a scenario's list, and is `building` in a node config. */
export const buildingSchema = section(
  {
    id: text('a building id').optional().describe("the building's id (a scenario's list: required, unique)"),
    kind: z
      .enum(kinds, {
        error: iss =>
          iss.input === undefined
            ? `is required: one of ${kinds.join(', ')}`
            : `must be one of ${kinds.join(', ')}, got ${JSON.stringify(iss.input)}`
      })
      .describe('what the building is'),
    load: loadSchema,
    pvPeakW: whole(0, Number.MAX_SAFE_INTEGER, 'a whole number of W').optional().describe('rooftop PV nameplate, W; absent without PV'),
    battery: batterySchema.optional(),
    ev: evSchema.optional()
  },
  'a mapping: { kind, load, pvPeakW?, battery?, ev? }'
).describe("a building's devices, simulated: its forecast, never its readings")
