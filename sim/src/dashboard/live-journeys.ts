import type { Coordinate } from '@kvartal/mobility'
import type { NodeEvent, SlotClockConfig } from '@kvartal/protocol'
import { slotStart } from '@kvartal/protocol'
import type { JourneyOutcome } from '../trip-agent.ts'
import { metresFrom, type DashboardNode } from './layout.ts'

/** Where a journey stands: booked journeys move on from `booked`; walks and refusals are what the traveller was told. */
export type JourneyStatus = 'booked' | 'on-the-way' | 'completed' | 'cancelled' | 'walked' | 'refused'
/** a vehicle or transit leg: not started, ridden (a vehicle's receipts, a bus between its times), over */
export type LegState = 'planned' | 'riding' | 'done'

/** One journey as the page lists it. Money in nanos, times in ms (`at`) or seconds. */
export interface JourneyRow {
  id: number
  /** the traveller's building (node index) */
  node: number
  /** when the traveller asked */
  at: number
  status: JourneyStatus
  /** a refusal's reason (a provider's code, `no-journey`, …) */
  reason?: string
  /** the chosen journey's modes, walking left out */
  modes: string[]
  doorToDoorS?: number
  priceNanos?: number
  co2G?: number
  /** the same trip by private car (drive-alone.ts) */
  baseline: { seconds: number; priceNanos: number; co2G: number }
  /** its vehicle and transit legs; `vehicle`: the shared vehicle's node index */
  legs: Array<{ mode: string; vehicle?: number; state: LegState }>
}

/** The run's mobility figures so far, made as mobility-metrics.ts makes results.json's. */
export interface JourneyFigures {
  requested: number
  booked: number
  walked: number
  failed: number
  failedBy: Record<string, number>
  /** booked journeys using each mode (walking not counted), as results.json's `bookedByMode` */
  bookedByMode: Record<string, number>
  /** means over booked journeys (rounded as results.json's), and the same trips by private car */
  perJourney: {
    doorToDoorS: number
    plannedPriceNanos: number
    co2G: number
    driveAlone: { doorToDoorS: number; priceNanos: number; co2G: number }
  }
  ridesEnded: number
  receiptsSigned: number
  /** booked journeys by where they stand now */
  now: { booked: number; onTheWay: number; completed: number; cancelled: number }
  /** per mode, its booked journeys: [not started, on the way, completed, cancelled] (they add up to `bookedByMode`) */
  byMode: Record<string, [number, number, number, number]>
}

/** A shared vehicle's place on the map (metres from the site), with the ride it is on. */
export interface VehiclePlace {
  node: number
  x: number
  y: number
  ride?: { journey: number; from: [number, number]; to: [number, number] }
}

/** What a tick changed in mobility (or, in a snapshot, all of it but the journeys before the latest ones). */
export interface MobilityBatch {
  figures: JourneyFigures
  /** [slot, booked, walked, failed] by the slot the traveller asked in, for each slot that changed */
  slots: Array<[number, number, number, number]>
  /** journeys that are new or changed, of the latest `recentJourneys` */
  journeys: JourneyRow[]
  /** vehicles that moved, or began or ended a ride */
  vehicles: VehiclePlace[]
}

/** journeys the page lists at most: changes to older ones only move the figures */
export const recentJourneys = 300

const nowIndex = { booked: 0, 'on-the-way': 1, completed: 2, cancelled: 3 } as const
type Live = keyof typeof nowIndex
/** a booking's step as both sides name it (booking-steps.ts): provider 8 hex, package 16 hex, the step and the leg */
const legStep = /^[0-9a-f]{8}:([0-9a-f]{16}):(?:confirmed|ride-ended)\.(leg-\d+)$/

interface Ride {
  vehicle: number
  journey: number
  leg: number
  from: { x: number; y: number }
  to: { x: number; y: number }
  departAt: number
  arriveAt: number
}

interface Tracked {
  row: JourneyRow
  departAt: number
  arriveAt: number
  /** per row leg: its times, and its ride when a shared vehicle on the map carries it */
  legs: Array<{ departAt: number; arriveAt: number; ride?: Ride }>
}

/**
 * Folds journey outcomes (TripAgent's, as they come) and the mobility events into the dashboard's journeys
 * panel and the vehicles' places: a vehicle moves along its ride as the traveller signs its receipts (the
 * vehicle's metering: the share of the ride's time gone, as provider-desk.ts parks it), and stays where the
 * ride ended. Sizes are bounded by the fleet, the slots and `recentJourneys`.
 */
export class LiveJourneys {
  readonly #centre: Coordinate
  readonly #slots: SlotClockConfig
  readonly #slotCount: number
  readonly #places = new Map<number, VehiclePlace>()
  readonly #nodeOf: (key: string) => number | undefined
  readonly #tracked = new Map<number, Tracked>()
  /** booked journeys not yet completed or cancelled: what time moves on */
  readonly #active = new Set<number>()
  readonly #byPackage = new Map<string, number>()
  readonly #rides = new Map<string, Ride>()
  readonly #perSlot: Array<[number, number, number]>
  readonly #sums = { doorToDoorS: 0, priceNanos: 0, co2G: 0, carS: 0, carNanos: 0, carCo2G: 0 }
  readonly #f: Omit<JourneyFigures, 'perJourney'> = {
    requested: 0,
    booked: 0,
    walked: 0,
    failed: 0,
    failedBy: {},
    bookedByMode: {},
    ridesEnded: 0,
    receiptsSigned: 0,
    now: { booked: 0, onTheWay: 0, completed: 0, cancelled: 0 },
    byMode: {}
  }
  #recent: number[] = []
  readonly #dirtyRows = new Set<number>()
  readonly #dirtySlots = new Set<number>()
  readonly #dirtyVehicles = new Set<number>()

  constructor(
    nodes: readonly DashboardNode[],
    nodeOf: (key: string) => number | undefined,
    centre: Coordinate,
    slots: SlotClockConfig,
    slotCount: number
  ) {
    this.#centre = centre
    this.#slots = slots
    this.#slotCount = slotCount
    this.#nodeOf = nodeOf
    nodes.forEach((n, i) => {
      if (!n.building && n.x != null && n.y != null) this.#places.set(i, { node: i, x: n.x, y: n.y })
    })
    this.#perSlot = Array.from({ length: slotCount }, () => [0, 0, 0])
  }

  /** A traveller's journey as TripAgent settled it (booked, walked or failed). */
  journey(o: JourneyOutcome): void {
    const f = this.#f
    f.requested++
    const slot = Math.min(this.#slotCount - 1, Math.max(0, Math.floor((o.departAfter - slotStart(this.#slots, 0)) / this.#slots.slotMs)))
    this.#perSlot[slot][o.status === 'booked' ? 0 : o.status === 'walked' ? 1 : 2]++
    this.#dirtySlots.add(slot)
    const modes = (o.journey?.modes ?? []).filter(m => m !== 'WALK')
    const row: JourneyRow = {
      id: o.id,
      node: this.#nodeOf(o.node) ?? -1,
      at: o.departAfter,
      status: o.status === 'booked' ? 'booked' : o.status === 'walked' ? 'walked' : 'refused',
      ...(o.reason != null ? { reason: o.reason } : {}),
      modes,
      ...(o.journey != null ? { doorToDoorS: o.journey.doorToDoorS, priceNanos: o.journey.priceNanos, co2G: o.journey.co2G } : {}),
      baseline: { seconds: o.baseline.seconds, priceNanos: o.baseline.priceNanos, co2G: o.baseline.co2G },
      legs: []
    }
    if (o.status === 'walked') f.walked++
    else if (o.status === 'failed') {
      f.failed++
      f.failedBy[o.reason ?? 'unknown'] = (f.failedBy[o.reason ?? 'unknown'] ?? 0) + 1
    } else this.#booked(o, row, modes)
    this.#recent.push(o.id)
    if (this.#recent.length > recentJourneys) this.#recent = this.#recent.slice(-recentJourneys)
    if (!this.#tracked.has(o.id)) this.#tracked.set(o.id, { row, departAt: o.departAfter, arriveAt: o.departAfter, legs: [] })
    this.#dirtyRows.add(o.id)
  }

  #booked(o: JourneyOutcome, row: JourneyRow, modes: string[]): void {
    const f = this.#f
    const j = o.journey!
    f.booked++
    f.now.booked++
    for (const m of modes) {
      f.bookedByMode[m] = (f.bookedByMode[m] ?? 0) + 1
      ;(f.byMode[m] ??= [0, 0, 0, 0])[0]++
    }
    const s = this.#sums
    s.doorToDoorS += j.doorToDoorS
    s.priceNanos += j.priceNanos
    s.co2G += j.co2G
    s.carS += o.baseline.seconds
    s.carNanos += o.baseline.priceNanos
    s.carCo2G += o.baseline.co2G
    const t: Tracked = { row, departAt: o.departAfter, arriveAt: o.departAfter + j.doorToDoorS * 1000, legs: [] }
    const pkg = (o.package ?? '').slice(0, 16)
    ;(o.legs ?? []).forEach((l, k) => {
      t.departAt = Math.min(t.departAt, l.departAt)
      t.arriveAt = Math.max(t.arriveAt, l.arriveAt)
      if (l.mode === 'WALK') return
      const vehicle = l.provider != null ? this.#nodeOf(l.provider) : undefined
      const leg: Tracked['legs'][number] = { departAt: l.departAt, arriveAt: l.arriveAt }
      if (vehicle != null && this.#places.has(vehicle)) {
        leg.ride = {
          vehicle,
          journey: o.id,
          leg: row.legs.length,
          from: metresFrom(this.#centre, l.from),
          to: metresFrom(this.#centre, l.to),
          departAt: l.departAt,
          arriveAt: l.arriveAt
        }
        this.#rides.set(`${pkg}|leg-${k}`, leg.ride)
      }
      row.legs.push({ mode: l.mode, ...(vehicle != null ? { vehicle } : {}), state: 'planned' })
      t.legs.push(leg)
    })
    this.#tracked.set(o.id, t)
    this.#active.add(o.id)
    if (pkg !== '') this.#byPackage.set(pkg, o.id)
  }

  /** A mobility event: receipts and rides' ends move vehicles; a booked package released or cancelled ends its journey. */
  event(e: NodeEvent): void {
    if (e.type === 'receipt-signed') {
      this.#f.receiptsSigned++
      this.#ride(e.parent, e.at, false)
    } else if (e.type === 'ride-ended') {
      this.#f.ridesEnded++
      this.#ride(e.id, e.at, true)
    } else if ((e.type === 'package-released' || e.type === 'leg-cancelled') && e.correlation != null) {
      const id = this.#byPackage.get(e.correlation.slice(0, 16))
      const t = id != null ? this.#tracked.get(id) : undefined
      if (t == null || !this.#active.has(id!)) return
      // its rides will not come: a vehicle that was on one stays where it is
      for (const [key, r] of this.#rides) if (r.journey === id) this.#rides.delete(key)
      for (const l of t.legs)
        if (l.ride != null && this.#places.get(l.ride.vehicle)?.ride?.journey === id) this.#park(l.ride.vehicle, undefined)
      this.#set(t, 'cancelled')
    }
  }

  #ride(step: string | undefined, at: number, ended: boolean): void {
    const m = legStep.exec(step ?? '')
    const key = m != null ? `${m[1]}|${m[2]}` : ''
    const r = this.#rides.get(key)
    const t = r != null ? this.#tracked.get(r.journey) : undefined
    if (r == null || t == null) return
    const k = r.arriveAt > r.departAt ? Math.min(1, Math.max(0, (at - r.departAt) / (r.arriveAt - r.departAt))) : 1
    const x = Math.round(r.from.x + (r.to.x - r.from.x) * k)
    const y = Math.round(r.from.y + (r.to.y - r.from.y) * k)
    t.row.legs[r.leg].state = ended ? 'done' : 'riding'
    this.#dirtyRows.add(r.journey)
    if (ended) {
      this.#rides.delete(key)
      this.#park(r.vehicle, { x, y })
    } else {
      this.#places.set(r.vehicle, {
        node: r.vehicle,
        x,
        y,
        ride: { journey: r.journey, from: [r.from.x, r.from.y], to: [r.to.x, r.to.y] }
      })
      this.#dirtyVehicles.add(r.vehicle)
    }
    this.#step(t, at)
  }

  /** The vehicle stands still: where its ride ended, or (a cancelled ride) where it was. */
  #park(vehicle: number, at: { x: number; y: number } | undefined): void {
    const p = this.#places.get(vehicle)
    if (p == null) return
    this.#places.set(vehicle, { node: vehicle, x: at?.x ?? p.x, y: at?.y ?? p.y })
    this.#dirtyVehicles.add(vehicle)
  }

  /** The clock moved to `at`: transit legs ride between their times, journeys start and arrive. */
  advance(at: number): void {
    for (const id of this.#active) this.#step(this.#tracked.get(id)!, at)
  }

  #step(t: Tracked, at: number): void {
    if (!this.#active.has(t.row.id)) return
    t.legs.forEach((l, i) => {
      const s = t.row.legs[i]
      if (l.ride != null || s.state === 'done') return
      const next: LegState = at >= l.arriveAt ? 'done' : at >= l.departAt ? 'riding' : 'planned'
      if (next !== s.state) {
        s.state = next
        this.#dirtyRows.add(t.row.id)
      }
    })
    const over = at >= t.arriveAt && t.row.legs.every(l => l.state === 'done')
    this.#set(t, over ? 'completed' : at >= t.departAt || t.row.legs.some(l => l.state !== 'planned') ? 'on-the-way' : 'booked')
  }

  #set(t: Tracked, to: Live): void {
    const from = t.row.status as Live
    if (from === to) return
    const keys = ['booked', 'onTheWay', 'completed', 'cancelled'] as const
    this.#f.now[keys[nowIndex[from]]]--
    this.#f.now[keys[nowIndex[to]]]++
    for (const m of t.row.modes) {
      const c = this.#f.byMode[m]
      c[nowIndex[from]]--
      c[nowIndex[to]]++
    }
    t.row.status = to
    if (to === 'completed' || to === 'cancelled') this.#active.delete(t.row.id)
    this.#dirtyRows.add(t.row.id)
  }

  figures(): JourneyFigures {
    const f = this.#f
    const s = this.#sums
    const mean = (x: number): number => (f.booked === 0 ? 0 : Math.round(x / f.booked))
    return {
      ...structuredClone(f),
      perJourney: {
        doorToDoorS: mean(s.doorToDoorS),
        plannedPriceNanos: mean(s.priceNanos),
        co2G: mean(s.co2G),
        driveAlone: { doorToDoorS: mean(s.carS), priceNanos: mean(s.carNanos), co2G: mean(s.carCo2G) }
      }
    }
  }

  #rows(ids: Iterable<number>): JourneyRow[] {
    const shown = new Set(this.#recent)
    return [...ids].filter(id => shown.has(id)).map(id => structuredClone(this.#tracked.get(id)!.row))
  }

  /** What changed since the last batch; the next starts empty. */
  batch(): MobilityBatch {
    const b: MobilityBatch = {
      figures: this.figures(),
      slots: [...this.#dirtySlots].sort((x, y) => x - y).map(i => [i, ...this.#perSlot[i]]),
      journeys: this.#rows([...this.#dirtyRows].sort((x, y) => x - y)),
      vehicles: [...this.#dirtyVehicles].sort((x, y) => x - y).map(i => structuredClone(this.#places.get(i)!))
    }
    this.#dirtySlots.clear()
    this.#dirtyRows.clear()
    this.#dirtyVehicles.clear()
    return b
  }

  /** Everything so far: every slot and vehicle, the latest journeys. */
  snapshot(): MobilityBatch {
    return {
      figures: this.figures(),
      slots: this.#perSlot.map((c, i) => [i, ...c]),
      journeys: this.#rows(this.#recent),
      vehicles: [...this.#places.values()].map(p => structuredClone(p))
    }
  }
}
