import { randomBytes } from 'node:crypto'
import type { JourneyPlan } from '@kvartal/node'

/**
 * Plans the node made for the control API, by id, so that `book` takes exactly the journey a traveller
 * saw. Ten minutes: long enough to read a plan and choose, short enough that timetables and quotes still
 * hold. Thirty-two plans: one traveller's node, a few people at most; the oldest goes first.
 */
export const defaultPlanCacheOptions = { ttlMs: 10 * 60_000, maxPlans: 32 }

export class PlanCache {
  readonly #plans = new Map<string, { plan: JourneyPlan; expiresAt: number }>()
  readonly #o: typeof defaultPlanCacheOptions

  constructor(o: Partial<typeof defaultPlanCacheOptions> = {}) {
    this.#o = { ...defaultPlanCacheOptions, ...o }
  }

  /** Keeps a plan; returns its id and when it expires (ms). */
  put(plan: JourneyPlan, now: number): { id: string; expiresAt: number } {
    this.#prune(now)
    while (this.#plans.size >= this.#o.maxPlans) this.#plans.delete(this.#plans.keys().next().value!)
    const id = randomBytes(8).toString('hex')
    const expiresAt = now + this.#o.ttlMs
    this.#plans.set(id, { plan, expiresAt })
    return { id, expiresAt }
  }

  get(id: string, now: number): JourneyPlan | undefined {
    this.#prune(now)
    return this.#plans.get(id)?.plan
  }

  #prune(now: number): void {
    for (const [id, p] of this.#plans) if (p.expiresAt <= now) this.#plans.delete(id)
  }
}
