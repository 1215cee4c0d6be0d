import type { Route, RouteRequest } from './control-server.ts'
import { ApiError } from './api-error.ts'
import { defaultEventRingOptions, type EventRing } from './event-ring.ts'
import type { NodeView } from './node-view.ts'

/** A query value that must be a non-negative whole number (absent: `fallback`); anything else is a 400 naming it. */
export function wholeQuery(query: Readonly<Record<string, unknown>>, name: string, fallback: number): number {
  const v = query[name]
  if (v == null) return fallback
  if (typeof v !== 'string') throw ApiError.field(name, 'give it once')
  if (!/^\d{1,15}$/.test(v)) throw ApiError.field(name, `must be a whole number, 0 or more, got "${v.slice(0, 40)}"`)
  return Number(v)
}

/**
 * The node's own view, for `kvartal dashboard` (and curl):
 *   GET /view                       one snapshot of what the node is doing now (node-view.ts)
 *   GET /events?after=<n>&wait=<ms> the events after sequence number n (0: all kept), from the last
 *                                   2,000; none yet: waits up to `wait` ms (capped at 25 s) for one
 */
export function viewRoutes(o: { view: () => Promise<NodeView>; ring: EventRing }): Route[] {
  return [
    { method: 'GET', path: '/view', handle: async () => await o.view() },
    {
      method: 'GET',
      path: '/events',
      async handle(_params, _body, req?: RouteRequest) {
        const query = req?.query ?? {}
        for (const k of Object.keys(query))
          if (k !== 'after' && k !== 'wait') throw ApiError.field(k, 'is not a parameter of /events (after, wait)')
        const after = wholeQuery(query, 'after', 0)
        const wait = Math.min(wholeQuery(query, 'wait', 0), defaultEventRingOptions.maxWaitMs)
        return await o.ring.wait(after, wait, req?.signal)
      }
    }
  ]
}
