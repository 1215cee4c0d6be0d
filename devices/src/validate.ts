import { ConfigError } from '@kvartal/protocol'

export function requireFinite(value: number, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(field, `must be a finite number, got ${String(value)}`)
}

export function requireNonNegative(value: number, field: string): void {
  requireFinite(value, field)
  if (value < 0) throw new ConfigError(field, `must be zero or more, got ${value}`)
}

export function requirePositive(value: number, field: string): void {
  requireFinite(value, field)
  if (value <= 0) throw new ConfigError(field, `must be more than zero, got ${value}`)
}

export function requireBetween(value: number, lo: number, hi: number, field: string): void {
  requireFinite(value, field)
  if (value < lo || value > hi) throw new ConfigError(field, `must be between ${lo} and ${hi}, got ${value}`)
}
