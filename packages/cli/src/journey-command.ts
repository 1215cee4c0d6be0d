import { ConfigError } from '@kvartal/protocol'
import { callNode } from './control-client.ts'
import { dataDirOf, output, type ClientOptions } from './client-args.ts'
import { accessibilityOf, departureOf, modesOf, packageIdOf, pickOf, placeOf, wholeOf } from './journey-input.ts'
import { bookingText, cancelText, packagesText, planText } from './tables.ts'

/** The flags of a plan request, as the command line parses them (program.ts). */
export interface RequestValues {
  from?: string
  to?: string
  depart?: string
  arrive?: string
  modes?: string
  avoid?: string
  accessibility?: string
  maxWalk?: string
  maxTransfers?: string
  travellers?: string
}
export type PlanOptions = ClientOptions & RequestValues
export type BookOptions = PlanOptions & { pick?: string; plan?: string }

/** The plan request from flags, checked here so that bad input is refused before any node is asked. */
function requestOf(v: RequestValues): Record<string, unknown> {
  if (v.from == null) throw new ConfigError('--from', 'is required: <lat>,<lon> in decimal degrees')
  if (v.to == null) throw new ConfigError('--to', 'is required: <lat>,<lon> in decimal degrees')
  const now = Date.now()
  // times are fixed here, on the caller's clock, so `+10` means ten minutes from when it was typed
  const arriveBy = v.arrive != null ? departureOf(v.arrive, '--arrive', now) : undefined
  const departAfter = v.depart != null || arriveBy == null ? departureOf(v.depart, '--depart', now) : undefined
  if (arriveBy != null && departAfter != null && arriveBy <= departAfter)
    throw new ConfigError('--arrive', `must be after --depart (${new Date(departAfter).toISOString()})`)
  return {
    from: placeOf(v.from, '--from'),
    to: placeOf(v.to, '--to'),
    ...(departAfter != null ? { departAfter: new Date(departAfter).toISOString() } : {}),
    ...(arriveBy != null ? { arriveBy: new Date(arriveBy).toISOString() } : {}),
    ...(v.modes != null ? { modes: modesOf(v.modes, '--modes') } : {}),
    ...(v.avoid != null ? { avoidModes: modesOf(v.avoid, '--avoid') } : {}),
    ...(v.accessibility != null ? { accessibility: accessibilityOf(v.accessibility, '--accessibility') } : {}),
    ...(v.maxWalk != null ? { maxWalkingM: wholeOf(v.maxWalk, '--max-walk', 0, 20_000, 'metres') } : {}),
    ...(v.maxTransfers != null ? { maxTransfers: wholeOf(v.maxTransfers, '--max-transfers', 0, 8) } : {}),
    ...(v.travellers != null ? { travellers: wholeOf(v.travellers, '--travellers', 1, 50) } : {})
  }
}

export async function journeyPlan(values: PlanOptions): Promise<number> {
  const request = requestOf(values)
  const dir = await dataDirOf(values, 'kvartal journey plan --data-dir <dir> --from … --to …')
  output(values.json, await callNode(dir, 'POST', '/journeys/plan', request), planText)
  return 0
}

export async function journeyBook(values: BookOptions): Promise<number> {
  const pick = pickOf(values.pick, '--pick')
  let body: Record<string, unknown>
  if (values.plan != null) {
    if (!/^[0-9a-f]{16}$/.test(values.plan))
      throw new ConfigError(
        '--plan',
        `must be a plan id (16 hex digits, printed by kvartal journey plan), got "${values.plan.slice(0, 40)}"`
      )
    const flags = {
      from: 'from',
      to: 'to',
      depart: 'depart',
      arrive: 'arrive',
      modes: 'modes',
      avoid: 'avoid',
      accessibility: 'accessibility',
      maxWalk: 'max-walk',
      maxTransfers: 'max-transfers',
      travellers: 'travellers'
    } as const
    const extra = (Object.keys(flags) as Array<keyof typeof flags>).find(k => values[k] != null)
    if (extra != null) throw new ConfigError(`--${flags[extra]}`, 'belongs to a new plan: give --plan <id> or the plan flags, not both')
    body = { plan: values.plan, pick }
  } else {
    body = { ...requestOf(values), pick }
  }
  const dir = await dataDirOf(values, 'kvartal journey book --data-dir <dir> --from … --to … --pick fastest')
  const out = await callNode(dir, 'POST', '/journeys/book', body)
  output(values.json, out, bookingText)
  return out.status === 'CONFIRMED' ? 0 : 1
}

export async function journeyList(values: ClientOptions): Promise<number> {
  const dir = await dataDirOf(values, 'kvartal journey list --data-dir <dir>')
  const out = await callNode(dir, 'GET', '/packages')
  output(values.json, out, v => packagesText(v.packages))
  return 0
}

export async function journeyCancel(positionals: readonly string[], values: ClientOptions): Promise<number> {
  if (positionals.length !== 1) throw new ConfigError('package', 'give one package id: kvartal journey cancel <package> --data-dir <dir>')
  const id = packageIdOf(positionals[0], 'package')
  const dir = await dataDirOf(values, 'kvartal journey cancel <package> --data-dir <dir>')
  output(values.json, await callNode(dir, 'POST', `/packages/${id}/cancel`, {}), cancelText)
  return 0
}
