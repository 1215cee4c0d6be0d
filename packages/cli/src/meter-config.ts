import { ConfigError } from '@kvartal/protocol'
import { parseWith } from '@kvartal/config'
import type { MeterSpec } from '@kvartal/meters'
import { meterSchema } from './schemas/meter-schema.ts'

/**
 * The `meter:` section of a node config (its fields, defaults and documentation: schemas/meter-schema.ts),
 * as the driver takes it; a password comes from the environment variable `passwordEnv` names.
 * Absent: the node has no meter, and records every slot as a gap.
 */
export function validateMeterConfig(doc: unknown, env: Record<string, string | undefined> = process.env): MeterSpec | undefined {
  if (doc == null) return undefined
  const { passwordEnv, ...spec } = parseWith(meterSchema, doc, ['meter'])
  if (passwordEnv == null) return spec
  const password = env[passwordEnv]
  if (password == null)
    throw new ConfigError(`meter.${spec.kind}.passwordEnv`, `names the environment variable ${passwordEnv}, which is not set`)
  return { ...spec, password } as MeterSpec
}
