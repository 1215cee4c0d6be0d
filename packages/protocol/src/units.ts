/**
 * Energy in integer Wh, power in integer W, money in integer IOTA nanos, prices in nanos per kWh.
 * Nothing here is a float on the wire or in a ledger.
 */
export type Wh = number
export type Watt = number
export type Nanos = number
/** IOTA nanos per kWh. */
export type PricePerKwh = number

export const NANOS_PER_IOTA = 1_000_000_000

export function assertWholeNonNegative(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`)
}

/**
 * What `wh` at `price` nanos/kWh costs, in whole nanos, rounded half up. Computed in bigint so that
 * no intermediate loses precision.
 */
export function costNanos(wh: Wh, price: PricePerKwh): Nanos {
  assertWholeNonNegative(wh, 'energy')
  assertWholeNonNegative(price, 'price')
  const n = (BigInt(wh) * BigInt(price) + 500n) / 1000n
  // money is exact or refused: past 2^53 nanos (9 million IOTA) a number no longer holds every whole nano
  if (n > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`${wh} Wh at ${price} nanos/kWh costs more nanos than a number holds exactly`)
  return Number(n)
}

/** Converts NOK-like decimal prices from a scenario to nanos per kWh at an exchange rate (edge only). */
export function toNanosPerKwh(pricePerKwh: number, nanosPerUnit: number): PricePerKwh {
  return Math.round(pricePerKwh * nanosPerUnit)
}
