import type { Journey, Mode, PreferenceWeights } from '@kvartal/mobility'
import type { KvartalNode } from '@kvartal/node'
import { errorCode } from '@kvartal/protocol'
import { driveAloneTrip, type DriveAloneTrip } from './drive-alone.ts'
import type { TripDemand } from './trip-demand.ts'

/** What became of one wish to travel. Times in ms; journey times relative to `departAfter`, in seconds. */
export interface JourneyOutcome {
  readonly type: 'journey-outcome'
  readonly id: number
  /** the traveller's building and node (hex) */
  readonly building: string
  readonly node: string
  /** the demand's time, and when the traveller asked (the first simulated tick at or after it) */
  readonly wantedAt: number
  readonly departAfter: number
  readonly toKind: TripDemand['toKind']
  /** booked: every leg confirmed and paid; walked: the preferred journey is on foot; failed: see reason */
  readonly status: 'booked' | 'walked' | 'failed'
  readonly reason?: string
  readonly journeys: number
  readonly quotedLegs: number
  /** the modes of the quoted vehicle legs */
  readonly quotedModes: readonly string[]
  readonly journey?: {
    readonly modes: readonly Mode[]
    /** from `departAfter` to arrival, seconds */
    readonly doorToDoorS: number
    readonly priceNanos: number
    readonly co2G: number
    readonly transfers: number
    readonly walkingMetres: number
  }
  readonly package?: string
  /** paid at checkout (fares and unlock fees), nanos */
  readonly checkoutNanos?: number
  /** a booked journey's legs (walks too), in order: where and when each runs, and who sells it (the dashboard draws its rides) */
  readonly legs?: readonly OutcomeLeg[]
  readonly baseline: DriveAloneTrip
}

/** One leg of a booked journey: its `legId` in the package is `leg-<index>`. Times in ms. */
export interface OutcomeLeg {
  readonly mode: Mode
  readonly from: { readonly lat: number; readonly lon: number }
  readonly to: { readonly lat: number; readonly lon: number }
  readonly departAt: number
  readonly arriveAt: number
  /** a vehicle's key (hex), a transit agency's id; absent for a walk */
  readonly provider?: string
}

export interface TripAgentOptions {
  /** node index of each building, in building order */
  readonly nodeOf: (building: number) => number
  readonly buildingName: (building: number) => string
  readonly modes?: readonly Mode[]
  readonly maxWalkingM: number
  readonly weights: PreferenceWeights
  readonly onOutcome?: (o: JourneyOutcome) => void
}

/**
 * The residents: at each simulated tick, every trip whose time has come is asked of its building's
 * node — plan, then book the preferred journey (all legs or none). One trip at a time, in demand order,
 * so a run is repeatable: two travellers racing for the last bike are served in a fixed order.
 */
export class TripAgent {
  readonly outcomes: JourneyOutcome[] = []
  readonly #demand: readonly TripDemand[]
  readonly #o: TripAgentOptions
  #next = 0

  constructor(demand: readonly TripDemand[], options: TripAgentOptions) {
    this.#demand = demand
    this.#o = options
  }

  get pending(): number {
    return this.#demand.length - this.#next
  }

  readonly onTick = async (now: number, nodes: readonly KvartalNode[]): Promise<void> => {
    while (this.#next < this.#demand.length && this.#demand[this.#next].at <= now) {
      const d = this.#demand[this.#next++]
      const outcome = await this.#travel(d, nodes[this.#o.nodeOf(d.building)], now)
      this.outcomes.push(outcome)
      this.#o.onOutcome?.(outcome)
    }
  }

  async #travel(d: TripDemand, node: KvartalNode, now: number): Promise<JourneyOutcome> {
    const base = {
      type: 'journey-outcome' as const,
      id: d.id,
      building: this.#o.buildingName(d.building),
      node: node.id,
      wantedAt: d.at,
      departAfter: now,
      toKind: d.toKind,
      baseline: driveAloneTrip(d.from, d.to)
    }
    const mobility = node.mobility
    if (mobility == null) return { ...base, status: 'failed', reason: 'no-mobility', journeys: 0, quotedLegs: 0, quotedModes: [] }
    let plan: Awaited<ReturnType<typeof mobility.plan>>
    try {
      plan = await mobility.plan({
        from: d.from,
        to: d.to,
        departAfter: now,
        maxWalkingM: this.#o.maxWalkingM,
        weights: this.#o.weights,
        ...(this.#o.modes != null ? { modes: this.#o.modes } : {})
      })
    } catch (err) {
      return {
        ...base,
        status: 'failed',
        reason: `plan:${errorCode(err, (err as Error).name)}`,
        journeys: 0,
        quotedLegs: 0,
        quotedModes: []
      }
    }
    const counts = {
      journeys: plan.journeys.length,
      quotedLegs: plan.quotes.size,
      quotedModes: [...plan.quotes.values()].map(q => q.leg.mode).sort()
    }
    const j = plan.preferred
    if (j == null) return { ...base, ...counts, status: 'failed', reason: 'no-journey' }
    const journey = summary(j, Math.floor((now - plan.dayStartMs) / 1000))
    if (j.legs.every(l => l.mode === 'WALK')) return { ...base, ...counts, journey, status: 'walked' }
    try {
      const out = await mobility.book(plan, j)
      if (out.status === 'CONFIRMED')
        return {
          ...base,
          ...counts,
          journey,
          status: 'booked',
          package: out.package,
          checkoutNanos: out.total,
          legs: legsOf(j, plan.dayStartMs)
        }
      return { ...base, ...counts, journey, status: 'failed', reason: out.reason ?? out.status.toLowerCase(), package: out.package }
    } catch (err) {
      // BookingError before anything was sent (no provider for a leg, nothing to book, no ledger)
      return { ...base, ...counts, journey, status: 'failed', reason: errorCode(err, (err as Error).name) }
    }
  }
}

const e6 = (x: number): number => Math.round(x * 1e6) / 1e6

function legsOf(j: Journey, dayStartMs: number): OutcomeLeg[] {
  return j.legs.map(l => ({
    mode: l.mode,
    from: { lat: e6(l.from.lat), lon: e6(l.from.lon) },
    to: { lat: e6(l.to.lat), lon: e6(l.to.lon) },
    departAt: dayStartMs + l.departureTime * 1000,
    arriveAt: dayStartMs + l.arrivalTime * 1000,
    ...(l.provider != null ? { provider: l.provider } : {})
  }))
}

function summary(j: Journey, departAfterS: number): NonNullable<JourneyOutcome['journey']> {
  return {
    modes: [...new Set(j.legs.map(l => l.mode))],
    doorToDoorS: j.arrivalTime - departAfterS,
    priceNanos: j.price,
    co2G: j.co2,
    transfers: j.transfers,
    walkingMetres: j.walkingMetres
  }
}
