/**
 * Hourly shapes of electricity use, in relative power by local clock hour (index 0 is 00:00–01:00).
 * Only the shape matters: a load scales them so that a working day's energy is its `dailyKwh`; the
 * weekend shape is on the same scale, so a weekend day uses Σweekend / Σweekday of that.
 *
 * Shapes follow the usual Nordic summer patterns (no space heating): households peak before work and
 * after it, offices hold a plateau through working hours over a ventilation and server base, shops run
 * refrigeration all day and lighting and cooling in opening hours.
 */
export const LoadProfile = { household: 'household', office: 'office', commercial: 'commercial' } as const
export type LoadProfile = (typeof LoadProfile)[keyof typeof LoadProfile]

export interface DailyShape {
  readonly weekday: readonly number[]
  readonly weekend: readonly number[]
}

export const loadShapes: Readonly<Record<LoadProfile, DailyShape>> = {
  household: {
    //          0     1     2     3     4     5     6     7     8     9    10    11
    weekday: [
      0.45, 0.38, 0.35, 0.34, 0.35, 0.45, 0.8, 1.05, 0.85, 0.65, 0.58, 0.58,
      //       12    13    14    15    16    17    18    19    20    21    22    23
      0.62, 0.58, 0.56, 0.65, 0.85, 1.15, 1.3, 1.25, 1.15, 1.0, 0.8, 0.6
    ],
    weekend: [
      0.55, 0.45, 0.4, 0.37, 0.36, 0.38, 0.45, 0.6, 0.85, 1.05, 1.05, 0.95, 0.95, 0.9, 0.85, 0.85, 0.95, 1.15, 1.25, 1.2, 1.1, 1.0, 0.85,
      0.65
    ]
  },
  office: {
    weekday: [
      0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.35, 0.6, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 0.7, 0.45, 0.35, 0.3, 0.27, 0.25, 0.25
    ],
    weekend: [
      0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.27, 0.28, 0.28, 0.28, 0.28, 0.28, 0.28, 0.28, 0.27, 0.25, 0.25, 0.25, 0.25, 0.25,
      0.25, 0.25
    ]
  },
  commercial: {
    weekday: [
      0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.5, 0.65, 0.85, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.6, 0.5, 0.5
    ],
    weekend: [
      0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.45, 0.5, 0.6, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.7, 0.55, 0.45, 0.45, 0.45, 0.45
    ]
  }
}

export function sum(xs: readonly number[]): number {
  let s = 0
  for (const x of xs) s += x
  return s
}

/** A weekend day's energy over a working day's, for a profile. */
export function weekendRatio(profile: LoadProfile): number {
  const shape = loadShapes[profile]
  return sum(shape.weekend) / sum(shape.weekday)
}
