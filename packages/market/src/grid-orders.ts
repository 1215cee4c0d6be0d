/**
 * What `clearWithGrid` (grid-clearing.ts) is given: asks and bids of feeders, the grid fees, the
 * transformer limits per feeder; their validation, and the order of ids that breaks price ties.
 */
export interface GridFees {
  /** network fee on energy traded inside one feeder, nanos per kWh, paid by the buyer */
  readonly local: number
  /** network fee on energy traded across feeders, nanos per kWh, paid by the buyer; at least `local` */
  readonly district: number
}
export interface FeederAsk {
  readonly id: string
  readonly feeder: string
  readonly energyWh: number
  readonly price: number
}
export interface FeederBid {
  readonly id: string
  readonly feeder: string
  readonly energyWh: number
  readonly price: number
}
/** Wh per slot that local trades may carry out of / into a feeder through its transformer; a feeder absent from the map is unlimited */
export interface FeederLimit {
  readonly exportWh: number
  readonly importWh: number
}

export interface GridClearingOptions {
  readonly fees: GridFees
  readonly limits?: Readonly<Record<string, FeederLimit>>
}

export function validateFees(fees: GridFees | undefined): GridFees {
  if (fees === undefined || fees === null || typeof fees !== 'object')
    throw new RangeError('fees must be given as { local, district } (nanos/kWh)')
  for (const field of ['local', 'district'] as const) {
    const v = fees[field]
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`fees.${field} must be a non-negative integer (nanos/kWh), got ${v}`)
  }
  if (fees.district < fees.local) {
    throw new RangeError(
      `fees.district (${fees.district}) must be at least fees.local (${fees.local}): ` +
        `trading across feeders cannot cost the grid less than trading inside one`
    )
  }
  return fees
}

export function validateLimits(limits: Readonly<Record<string, FeederLimit>> | undefined): Readonly<Record<string, FeederLimit>> {
  if (limits === undefined) return {}
  const checked: Record<string, FeederLimit> = Object.create(null)
  for (const [name, limit] of Object.entries(limits)) {
    if (limit === null || typeof limit !== 'object') throw new RangeError(`limits["${name}"] must be { exportWh, importWh }`)
    for (const field of ['exportWh', 'importWh'] as const) {
      const v = limit[field]
      if (!Number.isSafeInteger(v) || v < 0)
        throw new RangeError(`limits["${name}"].${field} must be a non-negative integer (Wh), got ${v}`)
    }
    checked[name] = limit
  }
  return checked
}

export function validateOrders(side: 'bid' | 'ask', orders: readonly (FeederBid | FeederAsk)[]): void {
  const seen = new Set<string>()
  for (const o of orders) {
    if (typeof o.id !== 'string') throw new RangeError(`${side} id must be a string, got ${String(o.id)}`)
    if (typeof o.feeder !== 'string' || o.feeder === '')
      throw new RangeError(`${side} "${o.id}": feeder must be a non-empty string, got ${String(o.feeder)}`)
    if (!Number.isSafeInteger(o.energyWh) || o.energyWh < 0) {
      throw new RangeError(`${side} "${o.id}": energyWh must be a non-negative integer (Wh), got ${o.energyWh}`)
    }
    if (!Number.isSafeInteger(o.price) || o.price < 0) {
      throw new RangeError(`${side} "${o.id}": price must be a non-negative integer (nanos/kWh), got ${o.price}`)
    }
    // ids name the parties in fills and break price ties; a repeated id would make both ambiguous
    if (seen.has(o.id)) throw new RangeError(`${side} "${o.id}": id appears twice`)
    seen.add(o.id)
  }
}

/** code-unit order: the same on every machine, unlike localeCompare */
export function compareIds(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0
}
