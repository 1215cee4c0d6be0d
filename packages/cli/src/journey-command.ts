import { parseArgs } from 'node:util'
import { ConfigError } from '@kvartal/protocol'
import { callNode } from './control-client.ts'
import { clientOptions, dataDirOf, output } from './client-args.ts'
import { accessibilityOf, departureOf, modesOf, packageIdOf, pickOf, placeOf, wholeOf } from './journey-input.ts'
import { bookingText, cancelText, packagesText, planText } from './tables.ts'

export const journeyUsage = `usage:
  kvartal journey plan --data-dir <dir> --from <lat,lon> --to <lat,lon> [--depart <ISO time|+minutes>] [--arrive <ISO time|+minutes>]
                       [--modes BUS,BICYCLE] [--avoid CAR] [--max-walk 800] [--max-transfers 3] [--travellers 1]
                       [--accessibility WHEELCHAIR] [--json]
  kvartal journey book (the plan flags | --plan <id>) [--pick fastest|cheapest|greenest|fewest-transfers|preferred|<n>] [--json]
  kvartal journey list --data-dir <dir> [--json]
  kvartal journey cancel <package> --data-dir <dir> [--json]
  (--config node.yaml instead of --data-dir: the node's data directory from its config)
`

const requestOptions = {
  ...clientOptions,
  from: { type: 'string' },
  to: { type: 'string' },
  depart: { type: 'string' },
  arrive: { type: 'string' },
  modes: { type: 'string' },
  avoid: { type: 'string' },
  accessibility: { type: 'string' },
  'max-walk': { type: 'string' },
  'max-transfers': { type: 'string' },
  travellers: { type: 'string' }
} as const

type RequestValues = { from?: string, to?: string, depart?: string, arrive?: string, modes?: string, avoid?: string, accessibility?: string, 'max-walk'?: string, 'max-transfers'?: string, travellers?: string }

/** The plan request from flags, checked here so that bad input is refused before any node is asked. */
function requestOf (v: RequestValues): Record<string, unknown> {
  if (v.from == null) throw new ConfigError('--from', 'is required: <lat>,<lon> in decimal degrees')
  if (v.to == null) throw new ConfigError('--to', 'is required: <lat>,<lon> in decimal degrees')
  const now = Date.now()
  // times are fixed here, on the caller's clock, so `+10` means ten minutes from when it was typed
  const arriveBy = v.arrive != null ? departureOf(v.arrive, '--arrive', now) : undefined
  const departAfter = v.depart != null || arriveBy == null ? departureOf(v.depart, '--depart', now) : undefined
  if (arriveBy != null && departAfter != null && arriveBy <= departAfter) throw new ConfigError('--arrive', `must be after --depart (${new Date(departAfter).toISOString()})`)
  return {
    from: placeOf(v.from, '--from'),
    to: placeOf(v.to, '--to'),
    ...(departAfter != null ? { departAfter: new Date(departAfter).toISOString() } : {}),
    ...(arriveBy != null ? { arriveBy: new Date(arriveBy).toISOString() } : {}),
    ...(v.modes != null ? { modes: modesOf(v.modes, '--modes') } : {}),
    ...(v.avoid != null ? { avoidModes: modesOf(v.avoid, '--avoid') } : {}),
    ...(v.accessibility != null ? { accessibility: accessibilityOf(v.accessibility, '--accessibility') } : {}),
    ...(v['max-walk'] != null ? { maxWalkingM: wholeOf(v['max-walk'], '--max-walk', 0, 20_000, 'metres') } : {}),
    ...(v['max-transfers'] != null ? { maxTransfers: wholeOf(v['max-transfers'], '--max-transfers', 0, 8) } : {}),
    ...(v.travellers != null ? { travellers: wholeOf(v.travellers, '--travellers', 1, 50) } : {})
  }
}

async function plan (argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: requestOptions })
  const request = requestOf(values)
  const dir = await dataDirOf(values, 'kvartal journey plan --data-dir <dir> --from … --to …')
  output(values.json, await callNode(dir, 'POST', '/journeys/plan', request), planText)
  return 0
}

async function book (argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...requestOptions, pick: { type: 'string' }, plan: { type: 'string' } } })
  const pick = pickOf(values.pick, '--pick')
  let body: Record<string, unknown>
  if (values.plan != null) {
    if (!/^[0-9a-f]{16}$/.test(values.plan)) throw new ConfigError('--plan', `must be a plan id (16 hex digits, printed by kvartal journey plan), got "${values.plan.slice(0, 40)}"`)
    const extra = (['from', 'to', 'depart', 'arrive', 'modes', 'avoid', 'accessibility', 'max-walk', 'max-transfers', 'travellers'] as const).find(k => values[k] != null)
    if (extra != null) throw new ConfigError(`--${extra}`, 'belongs to a new plan: give --plan <id> or the plan flags, not both')
    body = { plan: values.plan, pick }
  } else {
    body = { ...requestOf(values), pick }
  }
  const dir = await dataDirOf(values, 'kvartal journey book --data-dir <dir> --from … --to … --pick fastest')
  const out = await callNode(dir, 'POST', '/journeys/book', body)
  output(values.json, out, bookingText)
  return out.status === 'CONFIRMED' ? 0 : 1
}

async function list (argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: clientOptions })
  const dir = await dataDirOf(values, 'kvartal journey list --data-dir <dir>')
  const out = await callNode(dir, 'GET', '/packages')
  output(values.json, out, (v) => packagesText(v.packages))
  return 0
}

async function cancel (argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: clientOptions })
  if (positionals.length !== 1) throw new ConfigError('package', 'give one package id: kvartal journey cancel <package> --data-dir <dir>')
  const id = packageIdOf(positionals[0], 'package')
  const dir = await dataDirOf(values, 'kvartal journey cancel <package> --data-dir <dir>')
  output(values.json, await callNode(dir, 'POST', `/packages/${id}/cancel`, {}), cancelText)
  return 0
}

/** `kvartal journey plan|book|list|cancel`: against the control API of a running node. */
export async function journeyCommand (argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  switch (sub) {
    case 'plan': return await plan(rest)
    case 'book': return await book(rest)
    case 'list': return await list(rest)
    case 'cancel': return await cancel(rest)
    default:
      process.stderr.write(`kvartal journey: ${sub == null ? 'missing' : `unknown`} subcommand${sub != null ? ` "${sub}"` : ''}\n${journeyUsage}`)
      return 2
  }
}
