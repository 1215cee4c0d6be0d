import { parseWith, readYamlFile, validateFile } from '@kvartal/config'
import { transformerShares } from '@kvartal/market'
import { ConfigError } from '@kvartal/protocol'
import { parse } from 'yaml'
import { rosterSchema, type Roster } from './schemas/roster-schema.ts'

/** One feeder of `kvartal shares`: its limit per slot, and each building's share of it. */
export interface FeederShares {
  name: string
  ratingKva: number
  /** Wh per slot its transformer may carry, each way: rating × slot at power factor 1, rounded down */
  limitWh: number
  /** the shares added up: at most limitWh */
  sumWh: number
  buildings: Array<{ name: string; connectionKw: number; crossFeederShareWh: number }>
}

/**
 * Wh per slot across a transformer of `ratingKva` (taken at power factor 1: 1 kVA carries 1 kW, as the
 * simulator takes it), rounded down so that no share set from it can pass the rating: in whole VA ×
 * seconds ÷ 3600, exact integers (100,000 kVA × 86,400 s is 8.6e12, far inside 2^53).
 */
export function feederLimitWh(ratingKva: number, slotSeconds: number): number {
  return Math.floor((Math.round(ratingKva * 1000) * slotSeconds) / 3600)
}

/** Each building's `grid.crossFeederShareWh`: its feeder's limit cut in proportion to its connection in W. */
export function rosterShares(roster: Roster): FeederShares[] {
  return roster.feeders.map(f => {
    const limitWh = feederLimitWh(f.ratingKva, roster.slotSeconds)
    const shares = transformerShares(
      limitWh,
      f.buildings.map(b => Math.round(b.connectionKw * 1000))
    )
    return {
      name: f.name,
      ratingKva: f.ratingKva,
      limitWh,
      sumWh: shares.reduce((a, s) => a + s, 0),
      buildings: f.buildings.map((b, k) => ({ name: b.name, connectionKw: b.connectionKw, crossFeederShareWh: shares[k] }))
    }
  })
}

/** A name as a YAML key or value: plain where it reads back as the same string, else double-quoted (JSON is YAML). */
function yamlName(s: string): string {
  let plain = false
  try {
    plain = /^[\w./-]+$/.test(s) && parse(s) === s
  } catch {}
  return plain ? s : JSON.stringify(s)
}

/** The YAML `kvartal shares` prints: a comment per feeder with its limit and sum, a line per building. */
export function sharesYaml(file: string, slotSeconds: number, feeders: readonly FeederShares[]): string {
  const lines = [
    `# kvartal shares ${file}: each building's grid.crossFeederShareWh, Wh per slot it may sell to or buy from other feeders,`,
    '# in proportion to its connection (ratings at power factor 1). Paste the value into its node.yaml under grid:'
  ]
  for (const f of feeders) {
    lines.push(
      `# ${f.name}: ${f.ratingKva} kVA × ${slotSeconds} s = ${f.limitWh} Wh per slot; shares add up to ${f.sumWh} Wh`,
      ...f.buildings.map(
        b => `${yamlName(b.name)}: { feeder: ${yamlName(f.name)}, crossFeederShareWh: ${b.crossFeederShareWh} }   # ${b.connectionKw} kW`
      )
    )
  }
  return `${lines.join('\n')}\n`
}

/** `kvartal shares roster.yaml [--json]`: each node's transformer share, from the feeders' ratings and connections. */
export async function sharesCommand(positionals: readonly string[], o: { json?: boolean }): Promise<number> {
  if (positionals.length !== 1)
    throw new ConfigError(
      'roster',
      'give one roster file (YAML; `kvartal shares --help` shows its format), e.g. kvartal shares roster.yaml'
    )
  const file = await readYamlFile(positionals[0], 'the roster')
  const roster = validateFile(file, doc => parseWith(rosterSchema, doc))
  const feeders = rosterShares(roster)
  process.stdout.write(
    o.json === true
      ? `${JSON.stringify({ slotSeconds: roster.slotSeconds, feeders }, null, 2)}\n`
      : sharesYaml(positionals[0], roster.slotSeconds, feeders)
  )
  return 0
}
