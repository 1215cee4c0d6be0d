import { expected, show, z } from '@kvartal/config'

const ACCESSIBILITY = 'a list of at most 8 accessibility needs, each a word of letters, digits and _ (e.g. WHEELCHAIR)'
/** Accessibility needs as upper-case words (WHEELCHAIR, STEP_FREE, …), at most 8 as the wire allows; a list or comma-separated. */
export const accessibilitySchema = z
  .union([z.string(), z.array(z.unknown())], { error: expected(ACCESSIBILITY) })
  .transform((v, ctx) => {
    const list =
      typeof v === 'string'
        ? v
            .split(',')
            .map(s => s.trim())
            .filter(s => s !== '')
        : v
    if (list.length > 8 || list.some(a => typeof a !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(a))) {
      ctx.addIssue({ code: 'custom', message: `must be ${ACCESSIBILITY}, got ${show(v)}`, input: v })
      return z.NEVER
    }
    return [...new Set((list as string[]).map(a => a.toUpperCase()))]
  })
  .describe('accessibility needs served (WHEELCHAIR, STEP_FREE, …): a list or comma-separated, at most 8')
