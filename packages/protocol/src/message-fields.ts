/**
 * The checks at the wire boundary that every energy message's codec shares: number <-> uint64 (inside,
 * every quantity is a safe integer), keys, nonces, hashes and signatures by their length, the version, a
 * district's and a feeder's name, bounded text, and one order of an announcement.
 */
import type * as wire from './gen/kvartal.js'
import { MalformedMessageError, UnsupportedVersionError } from './errors.ts'
import type { Order } from './messages.ts'
import { DISTRICT_PATTERN, WIRE_VERSION } from './topics.ts'

export function u64(v: number, field: string): bigint {
  if (!Number.isSafeInteger(v) || v < 0) throw new MalformedMessageError(`${field} must be a non-negative integer, got ${v}`)
  return BigInt(v)
}
/** a uint32 field on the wire: a larger value would be cut to its low 32 bits, and signed as such */
export function u32(v: number, field: string): number {
  if (!Number.isSafeInteger(v) || v < 0 || v > 0xffff_ffff)
    throw new MalformedMessageError(`${field} must be an integer from 0 to 4294967295, got ${v}`)
  return v
}
export function num(v: bigint, field: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedMessageError(`${field} is out of range`)
  return Number(v)
}
export function key(v: Uint8Array, field: string): Uint8Array {
  if (v.length !== 32) throw new MalformedMessageError(`${field} must be a 32-byte Ed25519 public key, got ${v.length} bytes`)
  return v
}
export function nonce(v: Uint8Array, field: string): Uint8Array {
  if (v.length !== 16) throw new MalformedMessageError(`${field} must be 16 bytes, got ${v.length}`)
  return v
}
export function hash32(v: Uint8Array, field: string): Uint8Array {
  if (v.length !== 32) throw new MalformedMessageError(`${field} must be 32 bytes, got ${v.length}`)
  return v
}
export function sig(v: Uint8Array, field: string): Uint8Array {
  if (v.length !== 64) throw new MalformedMessageError(`${field} must be a 64-byte Ed25519 signature, got ${v.length} bytes`)
  return v
}
export function version(v: number): number {
  if (v !== WIRE_VERSION) throw new UnsupportedVersionError(v)
  return v
}
export function district(v: string): string {
  if (!DISTRICT_PATTERN.test(v)) throw new MalformedMessageError(`district "${v.slice(0, 80)}" is not a valid district name`)
  return v
}
export function text(v: string, field: string, max: number): string {
  if (v.length > max) throw new MalformedMessageError(`${field} is longer than ${max} characters`)
  return v
}
/** A feeder's name: as a district's, lower-case letters, digits and dashes; empty means none. */
export const FEEDER_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/
export function feederName(v: string, field: string): string {
  if (v !== '' && !FEEDER_PATTERN.test(v)) throw new MalformedMessageError(`${field} "${v.slice(0, 80)}" is not a valid feeder name`)
  return v
}
export const optionalFeeder = (v: string, field: string): string | undefined => (feederName(v, field) === '' ? undefined : v)

export function decodeWith<T>(what: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof MalformedMessageError || err instanceof UnsupportedVersionError) throw err
    throw new MalformedMessageError(`cannot decode ${what}: ${(err as Error).message}`, { cause: err })
  }
}

export function orderToWire(o: Order, field: string): wire.Offer {
  if (o.energyWh <= 0) throw new MalformedMessageError(`${field}.energyWh must be positive`)
  return { slot: u64(o.slot, `${field}.slot`), energyWh: u64(o.energyWh, `${field}.energyWh`), price: u64(o.price, `${field}.price`) }
}
export function orderFromWire(o: wire.Offer, field: string): Order {
  const energyWh = num(o.energyWh, `${field}.energyWh`)
  if (energyWh <= 0) throw new MalformedMessageError(`${field}.energyWh must be positive`)
  return { slot: num(o.slot, `${field}.slot`), energyWh, price: num(o.price, `${field}.price`) }
}
