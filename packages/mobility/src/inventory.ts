/**
 * A provider's authority over its seats and vehicles: holds that expire by themselves, idempotent
 * commits, and a capacity that is never exceeded.
 *
 * Model: a resource (a GTFS trip's seats, or one vehicle) has an integer capacity over an integer
 * axis. A leg occupies `units` over the half-open interval [from, to) of that axis: for a trip, GTFS
 * stop_sequence positions (a seat from stop 2 to stop 5 occupies [2, 5), so it is free again for a
 * traveller boarding at 5); for a vehicle, time in ms with capacity 1. A leg is keyed by TOMP-API's
 * (package, leg) and is either `held` until `holdUntil` (ms) or `committed`. A hold is live while
 * now < holdUntil; from holdUntil on it counts as free, whether or not `expire` has removed it yet.
 * Committed legs never expire; `release` frees either kind (a release, or a cancellation).
 *
 * Invariant: at any `now` and any point of a resource's axis, the units of committed and live held
 * legs covering that point are at most the resource's capacity — unless `setCapacity` lowered it
 * below what is already booked, which keeps those legs and refuses new ones until there is room.
 *
 * Results and codes follow the wire BookingReject codes: `no-capacity`, `unknown-resource`,
 * `bad-interval`, `conflict`. Malformed input (an id that is not a string, a number that is not a safe
 * integer) throws InventoryError instead.
 */
import { KvartalError } from '@kvartal/protocol'

export interface HoldRequest {
  readonly package: string
  readonly leg: string
  readonly resource: string
  /** inclusive start on the resource's axis */
  readonly from: number
  /** exclusive end on the resource's axis */
  readonly to: number
  readonly units: number
  /** ms: the hold counts until this instant, exclusive */
  readonly holdUntil: number
}

export type HoldRefusal = 'no-capacity' | 'unknown-resource' | 'bad-interval' | 'conflict'
export type HoldResult = { ok: true; hold: HeldLeg } | { ok: false; code: HoldRefusal; detail: string }

export interface HeldLeg extends HoldRequest {
  readonly state: 'held' | 'committed'
}

/** Malformed input, or a restore that would break the capacity invariant. */
export class InventoryError extends KvartalError {
  constructor(code: string, message: string) {
    super(code, message)
    this.name = 'InventoryError'
  }
}

function id(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new InventoryError('malformed', `${what} must be a non-empty string`)
  return v
}
function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw new InventoryError('malformed', `${what} must be a safe integer, got ${String(v)}`)
  return v
}

const keyOf = (pkg: string, leg: string): string => JSON.stringify([pkg, leg])

function live(h: HeldLeg, now: number | undefined): boolean {
  return h.state === 'committed' || now === undefined || h.holdUntil > now
}

function checked(r: HoldRequest): HoldRequest {
  if (typeof r !== 'object' || r === null) throw new InventoryError('malformed', 'a hold request must be an object')
  return {
    package: id(r.package, 'package'),
    leg: id(r.leg, 'leg'),
    resource: id(r.resource, 'resource'),
    from: int(r.from, 'from'),
    to: int(r.to, 'to'),
    units: int(r.units, 'units'),
    holdUntil: int(r.holdUntil, 'holdUntil')
  }
}

export class Inventory {
  readonly #capacity = new Map<string, number>()
  readonly #legs = new Map<string, HeldLeg>()
  /** resource → keys of its legs */
  readonly #byResource = new Map<string, Set<string>>()

  /** Sets (or changes) a resource's capacity. Lowering it below what is booked keeps those legs. */
  setCapacity(resource: string, capacity: number): void {
    id(resource, 'resource')
    if (int(capacity, 'capacity') < 0) throw new InventoryError('malformed', `capacity must not be negative, got ${capacity}`)
    this.#capacity.set(resource, capacity)
  }

  /** Whether the resource has a capacity. */
  has(resource: string): boolean {
    return this.#capacity.has(resource)
  }

  capacityOf(resource: string): number | undefined {
    return this.#capacity.get(resource)
  }

  /**
   * Holds capacity until `r.holdUntil`. Idempotent by (package, leg): the same resource, interval and
   * units again return the existing hold or commitment unchanged (its `holdUntil` stands: a retry does
   * not extend a hold); anything else under a live key is `conflict`. A lapsed hold under the key is
   * replaced as if it were not there.
   */
  hold(r: HoldRequest, now: number): HoldResult {
    const q = checked(r)
    int(now, 'now')
    if (q.from >= q.to) return { ok: false, code: 'bad-interval', detail: `[${q.from}, ${q.to}) is empty: from must be before to` }
    if (q.units < 1) return { ok: false, code: 'bad-interval', detail: `units must be at least 1, got ${q.units}` }
    if (q.holdUntil <= now) return { ok: false, code: 'bad-interval', detail: `holdUntil ${q.holdUntil} is not after now (${now})` }
    const key = keyOf(q.package, q.leg)
    const existing = this.#legs.get(key)
    if (existing !== undefined) {
      if (live(existing, now)) {
        if (existing.resource === q.resource && existing.from === q.from && existing.to === q.to && existing.units === q.units)
          return { ok: true, hold: existing }
        return {
          ok: false,
          code: 'conflict',
          detail:
            `package ${q.package} leg ${q.leg} already holds ${existing.units} ` +
            `of ${existing.resource} over [${existing.from}, ${existing.to})`
        }
      }
      this.#remove(key)
    }
    const capacity = this.#capacity.get(q.resource)
    if (capacity === undefined) return { ok: false, code: 'unknown-resource', detail: `no capacity is known for ${q.resource}` }
    const free = capacity - this.#peak(q.resource, q.from, q.to, now)
    if (q.units > free)
      return {
        ok: false,
        code: 'no-capacity',
        detail: `${q.resource} has ${Math.max(0, free)} of ${capacity} free over [${q.from}, ${q.to}), ${q.units} asked`
      }
    const hold: HeldLeg = Object.freeze({ ...q, state: 'held' })
    this.#put(key, hold)
    return { ok: true, hold }
  }

  /**
   * Commits a live hold. Idempotent: a committed leg is returned unchanged. An unknown or lapsed hold
   * returns undefined (the caller answers "expired").
   */
  commit(pkg: string, leg: string, now: number): HeldLeg | undefined {
    int(now, 'now')
    const key = keyOf(pkg, leg)
    const h = this.#legs.get(key)
    if (h === undefined) return undefined
    if (h.state === 'committed') return h
    if (h.holdUntil <= now) return undefined
    const committed: HeldLeg = Object.freeze({ ...h, state: 'committed' })
    this.#legs.set(key, committed)
    return committed
  }

  /** Frees a hold or a commitment (a release, or a cancellation). True when there was one. */
  release(pkg: string, leg: string): boolean {
    return this.#remove(keyOf(pkg, leg))
  }

  /** Removes the holds lapsed at `now` and returns them, oldest key first (committed legs never expire). */
  expire(now: number): HeldLeg[] {
    int(now, 'now')
    const out: HeldLeg[] = []
    for (const [key, h] of this.#legs) {
      if (!live(h, now)) {
        out.push(h)
        this.#remove(key)
      }
    }
    return out
  }

  /** The most units free over all of [from, to) at `now` (lapsed holds count as free); 0 for an unknown resource. */
  available(resource: string, from: number, to: number, now: number): number {
    id(resource, 'resource')
    int(from, 'from')
    int(to, 'to')
    int(now, 'now')
    if (from >= to) throw new InventoryError('bad-interval', `[${from}, ${to}) is empty: from must be before to`)
    const capacity = this.#capacity.get(resource)
    if (capacity === undefined) return 0
    return Math.max(0, capacity - this.#peak(resource, from, to, now))
  }

  /** The leg as stored; a lapsed hold stays until `expire` or a new hold under its key removes it. */
  get(pkg: string, leg: string): HeldLeg | undefined {
    return this.#legs.get(keyOf(pkg, leg))
  }

  /**
   * Restores a journaled hold or commitment after a restart, replacing an earlier state of the same
   * (package, leg). The resource's capacity must be set first. There is no capacity check beyond this:
   * a leg that would overlap others beyond capacity throws InventoryError (`over-capacity`). Pass
   * `now` so that holds lapsed by then do not count (without it every restored hold counts).
   */
  restore(h: HeldLeg, now?: number): void {
    const q = checked(h)
    if (now !== undefined) int(now, 'now')
    if (h.state !== 'held' && h.state !== 'committed')
      throw new InventoryError('malformed', `state must be held or committed, got ${String(h.state)}`)
    if (q.from >= q.to || q.units < 1)
      throw new InventoryError('malformed', `a restored leg needs from < to and units ≥ 1, got [${q.from}, ${q.to}) × ${q.units}`)
    const capacity = this.#capacity.get(q.resource)
    if (capacity === undefined) throw new InventoryError('unknown-resource', `set the capacity of ${q.resource} before restoring its legs`)
    const key = keyOf(q.package, q.leg)
    const restored: HeldLeg = Object.freeze({ ...q, state: h.state })
    if (live(restored, now)) {
      const used = this.#peak(q.resource, q.from, q.to, now, key)
      if (used + q.units > capacity) {
        throw new InventoryError(
          'over-capacity',
          `restoring package ${q.package} leg ${q.leg} would put ${used + q.units} ` +
            `units on ${q.resource} over [${q.from}, ${q.to}), capacity ${capacity}`
        )
      }
    }
    this.#remove(key)
    this.#put(key, restored)
  }

  #put(key: string, h: HeldLeg): void {
    this.#legs.set(key, h)
    let keys = this.#byResource.get(h.resource)
    if (keys === undefined) {
      keys = new Set()
      this.#byResource.set(h.resource, keys)
    }
    keys.add(key)
  }

  #remove(key: string): boolean {
    const h = this.#legs.get(key)
    if (h === undefined) return false
    this.#legs.delete(key)
    const keys = this.#byResource.get(h.resource)
    keys?.delete(key)
    if (keys?.size === 0) this.#byResource.delete(h.resource)
    return true
  }

  /** The most units in use at any point of [from, to) by legs live at `now` (all legs when now is undefined). */
  #peak(resource: string, from: number, to: number, now: number | undefined, except?: string): number {
    const deltas: Array<[number, number]> = []
    for (const key of this.#byResource.get(resource) ?? []) {
      if (key === except) continue
      const h = this.#legs.get(key)!
      if (!live(h, now) || h.to <= from || h.from >= to) continue
      deltas.push([Math.max(h.from, from), h.units], [Math.min(h.to, to), -h.units])
    }
    // at equal positions ends come first: [a, b) and [b, c) never overlap
    deltas.sort((a, b) => a[0] - b[0] || a[1] - b[1])
    let used = 0
    let peak = 0
    for (const [, d] of deltas) {
      used += d
      if (used > peak) peak = used
    }
    return peak
  }
}
