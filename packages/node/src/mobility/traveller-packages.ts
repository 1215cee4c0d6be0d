import type { Journal } from '../journal.ts'
import type { MobilityWritePoint } from '../write-points.ts'
import { PACKAGES, type PackageLegRecord, type PackageRecord } from './traveller-records.ts'

/**
 * The traveller's packages in its journal (collection `packages`, traveller-records.ts), and what its ticks
 * and rides look at without reading them all: the packages whose booking has not reached its end, and the
 * confirmed legs by leg id.
 */
export class TravellerPackages {
  readonly #journal: Journal
  readonly #unfinished = new Map<string, PackageRecord>()
  readonly #confirmed = new Map<string, PackageLegRecord>()
  #loaded = false

  constructor(journal: Journal) {
    this.#journal = journal
  }

  async get(pkgHex: string): Promise<PackageRecord | undefined> {
    return await this.#journal.getRecord<PackageRecord>(PACKAGES, pkgHex)
  }
  async put(pkgHex: string, r: PackageRecord, point: MobilityWritePoint): Promise<void> {
    await this.#journal.putRecord(PACKAGES, pkgHex, r as unknown as Record<string, unknown>, point)
    this.#index(pkgHex, r)
  }

  #index(pkgHex: string, r: PackageRecord): void {
    if (r.phase === 'done') this.#unfinished.delete(pkgHex)
    else this.#unfinished.set(pkgHex, r)
    for (const l of r.legs)
      if (l.status === 'CONFIRMED') this.#confirmed.set(l.leg, l)
      else this.#confirmed.delete(l.leg)
  }

  /** Reads the journal's packages once, after a start. */
  async load(): Promise<void> {
    if (this.#loaded) return
    this.#loaded = true
    for (const [pkgHex, r] of await this.#journal.records<PackageRecord>(PACKAGES)) this.#index(pkgHex, r)
  }

  /** the packages whose booking has not reached its end, as they are now */
  unfinished(): Array<[string, PackageRecord]> {
    return [...this.#unfinished]
  }
  /** the confirmed legs known so far */
  confirmedLegs(): Iterable<PackageLegRecord> {
    return this.#confirmed.values()
  }
  /** a confirmed leg by its id, once the journal's packages are read */
  async confirmedLeg(leg: string): Promise<PackageLegRecord | undefined> {
    await this.load()
    return this.#confirmed.get(leg)
  }

  /** every package in the journal */
  async all(): Promise<Array<[string, PackageRecord]>> {
    return await this.#journal.records<PackageRecord>(PACKAGES)
  }
}
