import { ConfigError } from '@kvartal/protocol'
import type { Journey } from '@kvartal/mobility'
import type { JourneyPlan, JourneyRequest, KvartalNode, MobilityRuntime } from '@kvartal/node'
import { ApiError } from './api-error.ts'
import type { Route } from './control-server.ts'
import { departureOf, modesOf, packageIdOf, pickOf, placeOf, type Pick } from './journey-input.ts'
import { bodyOf } from './api-body.ts'
import { bookBodySchema, planBodySchema } from './schemas/api-body-schemas.ts'
import { parseWith } from '@kvartal/config'
import { journeyView, packageView, planView } from './journey-view.ts'
import { PlanCache } from './plan-cache.ts'

export interface JourneyApiOptions {
  /** the node's settlement adapter: a local ledger cannot pay a provider in another process */
  readonly adapter: 'local' | 'iota'
  readonly now?: () => number
}

/**
 * A plan request from a JSON body; every bad field named. Without `departAfter` the journey leaves now,
 * or, with only `arriveBy`, the node searches from two hours before it.
 */
export function journeyRequestOf(body: unknown, now: number): JourneyRequest {
  const b = parseWith(planBodySchema, body)
  const modes = modesOf(b.modes, 'modes')
  const avoidModes = modesOf(b.avoidModes, 'avoidModes')
  const arriveBy = b.arriveBy != null ? departureOf(b.arriveBy, 'arriveBy', now) : undefined
  const departAfter = b.departAfter != null || arriveBy == null ? departureOf(b.departAfter, 'departAfter', now) : undefined
  if (arriveBy != null && departAfter != null && arriveBy <= departAfter)
    throw new ConfigError('arriveBy', `must be after departAfter (${new Date(departAfter).toISOString()})`)
  return {
    from: placeOf(b.from, 'from'),
    to: placeOf(b.to, 'to'),
    ...(departAfter != null ? { departAfter } : {}),
    ...(arriveBy != null ? { arriveBy } : {}),
    ...(modes != null ? { modes } : {}),
    ...(avoidModes != null ? { avoidModes } : {}),
    ...(b.accessibility != null ? { accessibility: b.accessibility } : {}),
    ...(b.maxWalkingM != null ? { maxWalkingM: b.maxWalkingM } : {}),
    ...(b.maxTransfers != null ? { maxTransfers: b.maxTransfers } : {}),
    travellers: b.travellers ?? 1
  }
}

/** The journey a pick names; a number beyond the plan is the caller's mistake. */
export function choose(plan: JourneyPlan, pick: Pick): Journey {
  if (plan.journeys.length === 0)
    throw new ApiError(409, 'no-journey', 'the plan has no journey: try other modes, more walking (maxWalkingM) or a later departure')
  if (typeof pick === 'number') {
    if (pick > plan.journeys.length)
      throw ApiError.field('pick', `the plan has ${plan.journeys.length} journeys, there is no number ${pick}`)
    return plan.journeys[pick - 1]
  }
  if (pick === 'preferred') return plan.preferred ?? plan.journeys[0]
  return plan.ranked.find(r => r.label === pick)!.journey
}

function mobilityOf(node: KvartalNode): MobilityRuntime {
  if (node.mobility == null)
    throw new ApiError(
      409,
      'no-mobility',
      'this node has no mobility section in its config: add `mobility:` (a ' +
        'timetable, and a provider if it sells rides or seats) and restart it'
    )
  return node.mobility
}

/** POST /journeys/plan, POST /journeys/book, GET /packages, POST /packages/:id/cancel. */
export function journeyRoutes(node: KvartalNode, o: JourneyApiOptions): Route[] {
  const now = o.now ?? Date.now
  const plans = new PlanCache()
  const planned = async (m: MobilityRuntime, b: unknown): Promise<{ id: string; plan: JourneyPlan; expiresAt: number }> => {
    const plan = await m.plan(journeyRequestOf(b, now()))
    return { plan, ...plans.put(plan, now()) }
  }
  return [
    {
      method: 'POST',
      path: '/journeys/plan',
      async handle(_, body) {
        const m = mobilityOf(node)
        const { id, plan, expiresAt } = await planned(m, bodyOf(planBodySchema, body))
        return planView(id, plan, expiresAt, m.traveller.timetable)
      }
    },
    {
      method: 'POST',
      path: '/journeys/book',
      async handle(_, body) {
        const m = mobilityOf(node)
        const { plan: planId, pick: picked, ...request } = bodyOf(bookBodySchema, body)
        const pick = pickOf(picked, 'pick')
        if (o.adapter === 'local')
          throw new ApiError(
            409,
            'no-shared-ledger',
            'this node settles on its own local ledger (settlement.adapter: local), where no provider ' +
              'in another process can see its payment: set settlement.adapter: iota in its config to book'
          )
        let id: string
        let plan: JourneyPlan | undefined
        if (planId != null) {
          if (Object.values(request).some(v => v != null))
            throw ApiError.field('plan', 'give a plan id or a request (from, to, …), not both')
          id = planId
          plan = plans.get(id, now())
          if (plan == null)
            throw new ApiError(404, 'unknown-plan', `plan ${id} is unknown or expired (plans are kept 10 minutes): plan again`)
        } else {
          ;({ id, plan } = await planned(m, bodyOf(planBodySchema, request)))
        }
        const journey = choose(plan, pick)
        const out = await m.book(plan, journey)
        return {
          ...out,
          plan: id,
          journey: journeyView(journey, plan.journeys.indexOf(journey) + 1, [], plan.dayStartMs, m.traveller.timetable)
        }
      }
    },
    {
      method: 'GET',
      path: '/packages',
      async handle() {
        const list = await mobilityOf(node).traveller.packages()
        return { packages: list.sort(([, a], [, b]) => a.createdAt - b.createdAt).map(([id, r]) => packageView(id, r)) }
      }
    },
    {
      method: 'POST',
      path: '/packages/:id/cancel',
      async handle(params) {
        const m = mobilityOf(node)
        const id = packageIdOf(params.id, 'package')
        const rec = (await m.traveller.packages()).find(([k]) => k === id)?.[1]
        if (rec == null) throw new ApiError(404, 'unknown-package', `this node booked no package ${id}`)
        if (rec.status !== 'CONFIRMED')
          throw new ApiError(409, 'not-cancellable', `package ${id} is ${rec.status}: only a CONFIRMED package can be cancelled`)
        return packageView(id, await m.cancel(id))
      }
    }
  ]
}
