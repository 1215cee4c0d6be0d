import { fixedMarkup } from './fixed-markup.ts'
import { timeDependentConcession } from './concession.ts'
import { zeroIntelligenceConstrained } from './zic.ts'
import { zipStrategy } from './zip.ts'
import type { Strategy } from '../strategy.ts'

/** Built-in strategies by the names scenario and config files use. */
export const builtInStrategies: Record<string, (options?: Record<string, number>) => Strategy> = {
  'fixed-markup': o => fixedMarkup(o),
  concession: o => timeDependentConcession(o),
  'zi-c': () => zeroIntelligenceConstrained(),
  // learns: one instance per trader (every call makes a new one)
  zip: o => zipStrategy(o)
}

export function strategyByName(name: string, options?: Record<string, number>): Strategy | undefined {
  return builtInStrategies[name]?.(options)
}
