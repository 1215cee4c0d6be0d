import { expected, real, section, whole, z } from '@kvartal/config'
import { accessibilitySchema } from './accessibility-schema.ts'

/**
 * The JSON bodies of the control API's POST endpoints (control-api.ts): their fields and types. What
 * a field means beyond its type (a departure within two days, a mode's name, a key's length) is then
 * read by journey-input.ts, which the CLI's flags share. A body that does not fit is a 400 naming the
 * field, never a 500.
 */

const place = z.union(
  [
    z.string(),
    section({ lat: real(-90, 90, 'decimal degrees'), lon: real(-180, 180, 'decimal degrees') }, '{ lat, lon } in decimal degrees')
  ],
  { error: expected('{ lat, lon } or "lat,lon" in decimal degrees') }
)

const time = z.union([z.int(), z.string()], {
  error: expected('an ISO date-time (2026-06-17T08:30:00Z), +<minutes> from now, or whole ms since the Unix epoch')
})
const modes = z.union([z.string(), z.array(z.string())], { error: expected('a list of TOMP-API modes, or a comma-separated string') })
/** a whole number, also as digits (as a flag gives it) */
const count = (min: number, max: number, what: string) =>
  z.union(
    [
      whole(min, max, what),
      z
        .string()
        .regex(/^\s*\d+\s*$/)
        .transform(Number)
        .pipe(whole(min, max, what))
    ],
    { error: expected(`${what} between ${min} and ${max}`) }
  )

export const journeyRequestShape = {
  from: place.describe('where the journey starts'),
  to: place.describe('where it ends'),
  departAfter: time.optional().describe('leave at or after (absent: now, or two hours before arriveBy)'),
  arriveBy: time.optional().describe('arrive by'),
  modes: modes.optional().describe('only these modes besides walking'),
  avoidModes: modes.optional().describe('never these modes'),
  maxWalkingM: count(0, 20_000, 'a whole number of metres').optional().describe('longest walk, metres'),
  maxTransfers: count(0, 8, 'a whole number').optional().describe('most transfers'),
  travellers: count(1, 50, 'a whole number').optional().describe('how many travel together (default 1)'),
  accessibility: accessibilitySchema.optional()
}

/** POST /journeys/plan */
export const planBodySchema = section(journeyRequestShape, 'a JSON object')

/** POST /journeys/book: a plan id and a pick, or a request (planned then booked) and a pick. */
export const bookBodySchema = section(
  {
    ...journeyRequestShape,
    from: place.optional(),
    to: place.optional(),
    plan: z
      .string({ error: expected('a plan id (16 hex digits, from /journeys/plan)') })
      .regex(/^[0-9a-f]{16}$/, { error: expected('a plan id (16 hex digits, from /journeys/plan)') })
      .optional()
      .describe('a plan id from /journeys/plan'),
    pick: z
      .union([z.int(), z.string()], {
        error: expected('fastest, cheapest, greenest, fewest-transfers, preferred or a journey number from the plan (1 = first)')
      })
      .optional()
      .describe('which journey: a label or its number in the plan')
  },
  'a JSON object'
)

/** POST /channels/:name/grant and /revoke */
export const readerBodySchema = section(
  {
    reader: z
      .string({ error: expected("a node's public key: 64 hex digits (the trader id that `kvartal id` prints)") })
      .describe("the reader node's key, 64 hex")
  },
  'a JSON object'
)

/** POST /channels/pull */
export const pullBodySchema = section(
  {
    peer: z
      .string({ error: expected("a multiaddr (/ip4/…/tcp/…/p2p/<peer id>), a peer id, or a node's 64-hex key") })
      .describe('whom to pull from'),
    channel: z.string({ error: expected('the id of the channel to pull (64 hex digits)') }).describe("the channel's id, 64 hex")
  },
  'a JSON object'
)
