/**
 * A vehicle is one actor in two markets, rides and energy; this is the pure bookkeeping of its battery
 * that keeps the two from promising the same charge twice.
 *
 * Model: one battery level, `socWh`, between 0 and `capacityWh`, and the promises made against it:
 * - booked rides, each needing ceil(metres × whPerKm / 1000) Wh, drawn — conservatively — all at the
 *   ride's start;
 * - energy committed per slot (signed Wh, sale positive, netted per slot): a net sale is drawn all at
 *   the slot's start (V2G), a net purchase arrives only at the slot's end (charging) and fills the
 *   battery at most to capacity.
 * A plan is sound when, following these draws and arrivals in time order from today's `socWh`
 * (arrivals before draws at the same instant), the level never falls below `reserveWh` after a draw.
 * The reserve is never sold and never driven below. Without purchases this is exactly
 *   sellable = socWh − reserveWh − Σ sold − Σ booked rides' Wh,
 * and a purchase counts only for what comes after it has arrived. There is no finer SoC curve: no
 * charger power, no consumption profile within a ride, no losses.
 *
 * A vehicle cannot be on a ride and at a charger at once: a ride and a slot with energy committed may
 * not overlap. Rides are [fromMs, toMs) in ms; slots [slotStartMs, slotStartMs + slotMs).
 * After a ride, call `drive(metres)` and `releaseRide(id)`; after a slot, `completeSlot`.
 */
import { KvartalError, defaultSlotClockConfig } from '@kvartal/protocol'

export interface VehicleBudgetInit {
  readonly capacityWh: number
  readonly socWh: number
  /** never sold, never driven below */
  readonly reserveWh: number
  readonly whPerKm: number
  /** length of an energy slot in ms; default defaultVehicleBudgetOptions.slotMs */
  readonly slotMs?: number
}

export const defaultVehicleBudgetOptions = {
  // the energy market's slot (protocol's default slot clock: 15 minutes)
  slotMs: defaultSlotClockConfig.slotMs
} as const

export type RideReservation = { ok: true } | { ok: false; code: 'busy' | 'not-enough-charge'; detail: string }

/** Malformed input, or an energy commitment the battery or the timetable cannot keep. */
export class VehicleBudgetError extends KvartalError {
  constructor(code: string, message: string) {
    super(code, message)
    this.name = 'VehicleBudgetError'
  }
}

function int(v: unknown, what: string, min = Number.MIN_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new VehicleBudgetError(
      'malformed',
      `${what} must be a safe integer${min === 0 ? ' ≥ 0' : min === 1 ? ' ≥ 1' : ''}, got ${String(v)}`
    )
  }
  return v
}

/** The Wh a ride of `metres` needs at `whPerKm`, rounded up. */
export function rideWh(metres: number, whPerKm: number): number {
  int(metres, 'metres', 0)
  int(whPerKm, 'whPerKm', 0)
  const wh = (BigInt(metres) * BigInt(whPerKm) + 999n) / 1000n
  if (wh > BigInt(Number.MAX_SAFE_INTEGER))
    throw new VehicleBudgetError('malformed', `a ride of ${metres} m at ${whPerKm} Wh/km is beyond safe integers`)
  return Number(wh)
}

interface Ride {
  readonly fromMs: number
  readonly toMs: number
  readonly metres: number
  readonly wh: number
}

export class VehicleBudget {
  readonly capacityWh: number
  readonly reserveWh: number
  readonly whPerKm: number
  readonly slotMs: number
  #soc: number
  readonly #rides = new Map<string, Ride>()
  /** slot start → net committed Wh, sale positive; never 0 */
  readonly #energy = new Map<number, number>()

  constructor(init: VehicleBudgetInit) {
    this.capacityWh = int(init.capacityWh, 'capacityWh', 1)
    this.#soc = int(init.socWh, 'socWh', 0)
    this.reserveWh = int(init.reserveWh, 'reserveWh', 0)
    this.whPerKm = int(init.whPerKm, 'whPerKm', 1)
    this.slotMs = int(init.slotMs ?? defaultVehicleBudgetOptions.slotMs, 'slotMs', 1)
    if (this.#soc > this.capacityWh) throw new VehicleBudgetError('malformed', `socWh ${this.#soc} exceeds capacityWh ${this.capacityWh}`)
    if (this.reserveWh > this.capacityWh)
      throw new VehicleBudgetError('malformed', `reserveWh ${this.reserveWh} exceeds capacityWh ${this.capacityWh}`)
  }

  get socWh(): number {
    return this.#soc
  }

  /** The net energy committed for the slot starting at `slotStartMs` (sale positive), 0 if none. */
  committedWh(slotStartMs: number): number {
    return this.#energy.get(int(slotStartMs, 'slotStartMs')) ?? 0
  }

  /**
   * Books a ride's charge over [fromMs, toMs). Idempotent by id: the same ride again is ok; another
   * ride under a booked id throws VehicleBudgetError (`duplicate-ride`). `busy` when it overlaps another
   * ride or a slot with energy committed; `not-enough-charge` when the battery would go below the
   * reserve at some point of the plan.
   */
  reserveRide(id: string, fromMs: number, toMs: number, metres: number): RideReservation {
    if (typeof id !== 'string' || id === '') throw new VehicleBudgetError('malformed', 'a ride id must be a non-empty string')
    const ride = this.#ride(fromMs, toMs, metres)
    const booked = this.#rides.get(id)
    if (booked !== undefined) {
      if (booked.fromMs === ride.fromMs && booked.toMs === ride.toMs && booked.metres === ride.metres) return { ok: true }
      throw new VehicleBudgetError(
        'duplicate-ride',
        `ride ${id} is already booked over [${booked.fromMs}, ${booked.toMs}) for ${booked.metres} m`
      )
    }
    const busy = this.#busyWith(ride.fromMs, ride.toMs)
    if (busy !== undefined) return { ok: false, code: 'busy', detail: busy }
    if (!this.#sound([...this.#rides.values(), ride], this.#energy)) {
      return {
        ok: false,
        code: 'not-enough-charge',
        detail:
          `a ride of ${ride.metres} m needs ${ride.wh} Wh; with ${this.#soc} Wh now, a reserve of ` +
          `${this.reserveWh} Wh and what is already booked or sold, the battery would run below the reserve`
      }
    }
    this.#rides.set(id, ride)
    return { ok: true }
  }

  /** Forgets a booked ride (released, cancelled, or ended: call `drive` for what it used). */
  releaseRide(id: string): void {
    this.#rides.delete(id)
  }

  /**
   * Commits energy for a slot: signed Wh, sale positive, purchase negative, added to what the slot
   * already has. Throws VehicleBudgetError `busy` when the slot overlaps a booked ride, and
   * `not-enough-charge` when a sale is more than `sellableWh` allows. A purchase is never refused (one
   * beyond what the battery can take counts only up to capacity).
   */
  commitEnergy(slotStartMs: number, wh: number): void {
    int(slotStartMs, 'slotStartMs')
    int(wh, 'wh')
    if (wh === 0) return
    const busy = this.#rideOverlap(slotStartMs, slotStartMs + this.slotMs)
    if (busy !== undefined) throw new VehicleBudgetError('busy', `cannot trade energy in the slot at ${slotStartMs}: ${busy}`)
    const net = (this.#energy.get(slotStartMs) ?? 0) + wh
    if (!Number.isSafeInteger(net)) throw new VehicleBudgetError('malformed', `the slot's net energy ${net} is beyond safe integers`)
    const next = new Map(this.#energy)
    if (net === 0) next.delete(slotStartMs)
    else next.set(slotStartMs, net)
    if (wh > 0 && !this.#sound(this.#rides.values(), next)) {
      throw new VehicleBudgetError(
        'not-enough-charge',
        `cannot sell ${wh} Wh in the slot at ${slotStartMs}: at most ${this.sellableWh(slotStartMs)} Wh can be sold there`
      )
    }
    this.#energy.clear()
    for (const [s, n] of next) this.#energy.set(s, n)
  }

  /**
   * The slot was delivered: its commitment is dropped and `deliveredWh` (signed, sale positive; by
   * default the committed net) is taken from or added to the battery, within [0, capacityWh].
   */
  completeSlot(slotStartMs: number, deliveredWh?: number): void {
    int(slotStartMs, 'slotStartMs')
    const wh = deliveredWh === undefined ? (this.#energy.get(slotStartMs) ?? 0) : int(deliveredWh, 'deliveredWh')
    this.#energy.delete(slotStartMs)
    this.#soc = Math.min(this.capacityWh, Math.max(0, this.#soc - wh))
  }

  /**
   * Wh the vehicle may still offer for sale in the slot starting at `slotStartMs` without leaving any
   * booked ride or earlier sale short of the reserve: the largest x for which the plan stays sound
   * (found by bisection: soundness only gets harder as x grows). 0 when the slot overlaps a ride.
   */
  sellableWh(slotStartMs: number): number {
    int(slotStartMs, 'slotStartMs')
    if (this.#rideOverlap(slotStartMs, slotStartMs + this.slotMs) !== undefined) return 0
    const base = this.#energy.get(slotStartMs) ?? 0
    const rides = [...this.#rides.values()]
    const soundWith = (x: number): boolean => {
      const next = new Map(this.#energy)
      if (base + x === 0) next.delete(slotStartMs)
      else next.set(slotStartMs, base + x)
      return this.#sound(rides, next)
    }
    if (!soundWith(0)) return 0
    let lo = 0 // sound
    let hi = this.capacityWh + Math.max(0, -base) + 1 // not sound: more than a full battery plus the slot's purchase
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2)
      if (soundWith(mid)) lo = mid
      else hi = mid
    }
    return lo
  }

  /** Whether a ride over [fromMs, toMs) could be booked now (see reserveRide). */
  canRide(fromMs: number, toMs: number, metres: number): boolean {
    const ride = this.#ride(fromMs, toMs, metres)
    return this.#busyWith(ride.fromMs, ride.toMs) === undefined && this.#sound([...this.#rides.values(), ride], this.#energy)
  }

  /** Consumes the charge a ride of `metres` used (never below 0). */
  drive(metres: number): void {
    this.#soc = Math.max(0, this.#soc - rideWh(metres, this.whPerKm))
  }

  #ride(fromMs: number, toMs: number, metres: number): Ride {
    int(fromMs, 'fromMs')
    int(toMs, 'toMs')
    if (fromMs >= toMs) throw new VehicleBudgetError('malformed', `a ride needs fromMs < toMs, got [${fromMs}, ${toMs})`)
    return { fromMs, toMs, metres, wh: rideWh(metres, this.whPerKm) }
  }

  /** The booked ride [fromMs, toMs) overlaps, as words, or undefined. */
  #rideOverlap(fromMs: number, toMs: number): string | undefined {
    for (const [id, r] of this.#rides) if (r.fromMs < toMs && fromMs < r.toMs) return `it overlaps ride ${id} [${r.fromMs}, ${r.toMs})`
    return undefined
  }

  /** The ride or energy slot a ride over [fromMs, toMs) overlaps, as words, or undefined. */
  #busyWith(fromMs: number, toMs: number): string | undefined {
    const ride = this.#rideOverlap(fromMs, toMs)
    if (ride !== undefined) return ride
    for (const [s, net] of this.#energy) {
      if (s < toMs && fromMs < s + this.slotMs)
        return `it overlaps the slot at ${s}, where ${Math.abs(net)} Wh are ${net > 0 ? 'sold' : 'bought'}`
    }
    return undefined
  }

  /** The rule of the header: in time order, the level never falls below the reserve after a draw. */
  #sound(rides: Iterable<Ride>, energy: ReadonlyMap<number, number>): boolean {
    // [time, Wh (draws negative), arrival first at equal times]
    const events: Array<[number, number]> = []
    for (const r of rides) events.push([r.fromMs, -r.wh])
    for (const [s, net] of energy) events.push(net > 0 ? [s, -net] : [s + this.slotMs, -net])
    events.sort((a, b) => a[0] - b[0] || b[1] - a[1])
    let level = this.#soc
    for (const [, wh] of events) {
      if (wh > 0) {
        level = Math.min(this.capacityWh, level + wh)
        continue
      }
      level += wh
      if (level < this.reserveWh) return false
    }
    return true
  }
}
