import { fieldPathOf } from './issues.ts'
import { section, text, whole, z } from './schema-kit.ts'
import { PricingPlanError, validatePricingPlan, type PricingPlan } from '@kvartal/mobility'

export const NANOS = 'a whole number of nanos (1 IOTA = 1000000000)'

const segment = (unit: string) =>
  section(
    {
      start: whole(0, 1_000_000, `a whole number of ${unit}`).describe(`from this many ${unit} into the ride`),
      rate: whole(0, Number.MAX_SAFE_INTEGER, NANOS).describe(`nanos charged per interval`),
      interval: whole(0, 1_000_000, `a whole number of ${unit}`).describe(`charged every this many ${unit} (0: once)`),
      end: whole(1, 1_000_000, `a whole number of ${unit}`).optional().describe(`up to this many ${unit}; absent: to the end of the ride`)
    },
    'a segment { start, rate, interval, end? }'
  )

/**
 * A GBFS pricing plan whose amounts are integer IOTA nanos: the shape here, the rules between fields
 * (max_price ≥ price, end after start) by @kvartal/mobility's validatePricingPlan, which gossip uses too.
 */
export const pricingPlanSchema = section(
  {
    plan_id: text('a plan id').describe("the plan's id (GBFS plan_id)"),
    name: z.string().optional().describe("the plan's name"),
    currency: z
      .literal('IOTA', { error: iss => `must be IOTA (every amount is in IOTA nanos), got ${JSON.stringify(iss.input)}` })
      .default('IOTA')
      .describe('always IOTA: every amount is in nanos'),
    price: whole(0, Number.MAX_SAFE_INTEGER, NANOS).describe('paid at checkout (the unlock fee), nanos'),
    per_min_pricing: z
      .array(segment('minutes'), { error: () => 'must be a list of segments { start, rate, interval, end? }' })
      .optional()
      .describe('charges by the minute'),
    per_km_pricing: z
      .array(segment('km'), { error: () => 'must be a list of segments { start, rate, interval, end? }' })
      .optional()
      .describe('charges by the km'),
    max_price: whole(0, Number.MAX_SAFE_INTEGER, NANOS).optional().describe('the most one ride costs, nanos')
  },
  'a GBFS pricing plan in nanos: { plan_id, price, per_min_pricing?, per_km_pricing?, max_price? }'
)
  .transform((plan, ctx): PricingPlan => {
    try {
      return validatePricingPlan(plan)
    } catch (err) {
      if (!(err instanceof PricingPlanError)) throw err
      ctx.addIssue({
        code: 'custom',
        path: err.field === 'plan' ? [] : fieldPathOf(err.field),
        message: err.message.slice(err.field.length + 2),
        input: plan
      })
      return z.NEVER
    }
  })
  .describe('a GBFS pricing plan, amounts in IOTA nanos')
