import type { GridClearing } from '@kvartal/market'

/**
 * One feeder over the run (results.json, `metrics.grid.byFeeder`): what its buildings needed and had, what
 * they traded in the district, what the central optimum (same fees, same transformer limits) would have traded,
 * and how close trade across its transformer came to the limit. Where a district's market falls short, it falls
 * short on some feeders (docs/feeders.md: importing feeders in the morning and evening); this says which.
 */
export interface FeederFigures {
  buildings: number
  /** Σ over slots of its buildings' deficits and surpluses (forecast net), Wh */
  demandWh: number
  surplusWh: number
  /** Kvartal's trades: between two of its buildings; bought by its buildings from other feeders; sold to them */
  withinWh: number
  importedWh: number
  exportedWh: number
  /** the same for the central optimum */
  optimumWithinWh: number
  optimumImportedWh: number
  optimumExportedWh: number
  /**
   * what its buildings bought in the district (within + imported) over what the optimum has them buy; 1 when
   * the optimum has them buy nothing
   */
  boughtShareOfOptimum: number
  /** the largest cross-feeder trade out of and into the feeder in one slot, Wh */
  peakExportWh: number
  peakImportWh: number
  /** the transformer's limit on trade across it per slot, Wh, each way */
  limitWh?: number
  /** slots where trade across its transformer reached the limit, either way */
  slotsAtLimit: number
}

/** what is added up as trades and slots go by; the figures' shares, peaks and limit come from it at the end */
type Tally = Pick<
  FeederFigures,
  | 'buildings'
  | 'demandWh'
  | 'surplusWh'
  | 'withinWh'
  | 'importedWh'
  | 'exportedWh'
  | 'optimumWithinWh'
  | 'optimumImportedWh'
  | 'optimumExportedWh'
> & {
  /** per slot: Wh sold to and bought from other feeders */
  out: Map<number, number>
  in: Map<number, number>
}

/** Adds up FeederFigures as metrics.ts walks the run's trades and slots. */
export class FeederTally {
  readonly #feeders = new Map<string, Tally>()
  readonly #feederOf: ReadonlyMap<string, string>
  readonly #limits: Readonly<Record<string, { exportWh: number; importWh: number }>>

  /** `feederOf`: trader id → its feeder (buildings only) */
  constructor(feederOf: ReadonlyMap<string, string>, limits: Readonly<Record<string, { exportWh: number; importWh: number }>>) {
    this.#feederOf = feederOf
    this.#limits = limits
    for (const f of feederOf.values()) this.#of(f).buildings++
  }

  #of(feeder: string): Tally {
    let t = this.#feeders.get(feeder)
    if (t == null) {
      t = {
        buildings: 0,
        demandWh: 0,
        surplusWh: 0,
        withinWh: 0,
        importedWh: 0,
        exportedWh: 0,
        optimumWithinWh: 0,
        optimumImportedWh: 0,
        optimumExportedWh: 0,
        out: new Map(),
        in: new Map()
      }
      this.#feeders.set(feeder, t)
    }
    return t
  }

  /** A trade between two buildings (vehicles have no feeder: their trades count in no feeder). */
  trade(buyer: string, seller: string, slot: number, energyWh: number): void {
    const b = this.#feederOf.get(buyer)
    const s = this.#feederOf.get(seller)
    if (b == null || s == null) return
    if (b === s) {
      this.#of(b).withinWh += energyWh
      return
    }
    const bt = this.#of(b)
    const st = this.#of(s)
    bt.importedWh += energyWh
    st.exportedWh += energyWh
    bt.in.set(slot, (bt.in.get(slot) ?? 0) + energyWh)
    st.out.set(slot, (st.out.get(slot) ?? 0) + energyWh)
  }

  /** One building's forecast net in a slot (+ surplus, − deficit). */
  position(trader: string, net: number): void {
    const f = this.#feederOf.get(trader)
    if (f == null) return
    if (net > 0) this.#of(f).surplusWh += net
    else this.#of(f).demandWh -= net
  }

  /** The optimum's clearing of one slot. */
  optimum(c: GridClearing): void {
    for (const fill of c.fills) {
      const b = this.#feederOf.get(fill.buyer)
      const s = this.#feederOf.get(fill.seller)
      if (b == null || s == null) continue
      if (b === s) this.#of(b).optimumWithinWh += fill.energyWh
      else {
        this.#of(b).optimumImportedWh += fill.energyWh
        this.#of(s).optimumExportedWh += fill.energyWh
      }
    }
  }

  figures(): Record<string, FeederFigures> {
    const out: Record<string, FeederFigures> = {}
    for (const id of [...this.#feeders.keys()].sort()) {
      const t = this.#feeders.get(id)!
      const limit = this.#limits[id]
      const atLimit = new Set<number>()
      if (limit != null) {
        for (const [slot, wh] of t.out) if (wh >= limit.exportWh) atLimit.add(slot)
        for (const [slot, wh] of t.in) if (wh >= limit.importWh) atLimit.add(slot)
      }
      const optimumBought = t.optimumWithinWh + t.optimumImportedWh
      out[id] = {
        buildings: t.buildings,
        demandWh: t.demandWh,
        surplusWh: t.surplusWh,
        withinWh: t.withinWh,
        importedWh: t.importedWh,
        exportedWh: t.exportedWh,
        optimumWithinWh: t.optimumWithinWh,
        optimumImportedWh: t.optimumImportedWh,
        optimumExportedWh: t.optimumExportedWh,
        boughtShareOfOptimum: optimumBought === 0 ? 1 : Math.round(((t.withinWh + t.importedWh) / optimumBought) * 10_000) / 10_000,
        peakExportWh: Math.max(0, ...t.out.values()),
        peakImportWh: Math.max(0, ...t.in.values()),
        ...(limit != null ? { limitWh: Math.min(limit.exportWh, limit.importWh) } : {}),
        slotsAtLimit: atLimit.size
      }
    }
    return out
  }
}
