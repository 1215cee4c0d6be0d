import { isIPv4, isIPv6 } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import { buildingSchema, flag, list, real, section, show, text, whole, z } from '@kvartal/config'
import { DISTRICT_PATTERN, FEEDER_PATTERN } from '@kvartal/protocol'
import { builtInStrategies } from '@kvartal/market'
import { LOG_LEVELS } from '../log-levels.ts'
import { meterSchema } from './meter-schema.ts'
import { mobilitySchema } from './mobility-schema.ts'

/**
 * `kvartal node --config node.yaml`: every field, its default and what it means, the one truth for
 * validation and for the JSON Schema editors check against (`npm run schemas` →
 * schemas/node-config.schema.json). Defaults that depend on other fields (gate closure, limits,
 * settlement period, grid fees) are said in the descriptions and filled by node-config.ts.
 */

/** Prometheus' registered port for a Node exporter-like process; loopback, as the port has no token. */
export const defaultMetricsListen = { host: '127.0.0.1', port: 9464 }

const NANOS_KWH = 'a whole number of nanos per kWh'
const strategies = Object.keys(builtInStrategies) as [string, ...string[]]

const multiaddrs = (needPeerId: boolean) =>
  list(z.string({ error: () => 'must be a list of multiaddr strings' }), 'a list of multiaddr strings').superRefine((v, ctx) => {
    v.forEach((a, i) => {
      let ma: ReturnType<typeof multiaddr>
      try {
        ma = multiaddr(a)
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: [i], message: `"${a}" is not a multiaddr: ${(err as Error).message}`, input: a })
        return
      }
      if (needPeerId && !/\/p2p\/[1-9A-HJ-NP-Za-km-z]{40,}$/.test(ma.toString()))
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `"${a}" must end in /p2p/<peer id> (kvartal id --config prints a node's)`,
          input: a
        })
    })
  })

const LISTEN = '"host:port" such as "127.0.0.1:9464" (an IPv6 host in brackets: "[::1]:9464"), or a port'
/**
 * `metrics: { listen: "127.0.0.1:9464" }`: `host:port` (an IPv6 host in brackets, `[::1]:9464`), or a
 * port alone (on 127.0.0.1); port 0 takes any free port (the `listening` log line says which).
 */
const metricsListen = z.union([z.int(), z.string()], { error: iss => `must be ${LISTEN}, got ${show(iss.input)}` }).transform((v, ctx) => {
  const fail = (message: string): never => {
    ctx.addIssue({ code: 'custom', message, input: v })
    return z.NEVER
  }
  const port = (p: unknown): number => {
    const n = typeof p === 'string' && /^\d{1,5}$/.test(p) ? Number(p) : p
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > 65_535)
      return fail(`the port must be a whole number from 0 to 65535, got ${show(p)}`)
    return n
  }
  if (typeof v === 'number') return { host: defaultMetricsListen.host, port: port(v) }
  const m = /^(?:\[([^\]]+)\]|([^:]*)):([^:]*)$/.exec(v) ?? (/^\d+$/.test(v) ? [v, undefined, '', v] : null)
  if (m == null) return fail(`must be ${LISTEN}, got ${show(v)}`)
  const host = m[1] ?? (m[2] === '' ? defaultMetricsListen.host : m[2])
  if (m[1] != null ? !isIPv6(host) : !(isIPv4(host) || host === 'localhost'))
    return fail(
      `the host must be an IP address of this machine (127.0.0.1 keeps the port to this machine: it has no token), got ${show(host)}`
    )
  return { host, port: port(m[3]) }
})

export const metricsSchema = section(
  {
    listen: metricsListen.optional().describe(`where the metrics port listens: ${LISTEN}; port 0: any free port (default 127.0.0.1:9464)`)
  },
  'a mapping: { listen: "127.0.0.1:9464" }'
)
  .transform(m => m.listen ?? { ...defaultMetricsListen })
  .describe('the metrics port (GET /metrics, /health, /ready; no token); absent: off (the control API serves them too)')

export const nodeConfigSchema = section(
  {
    district: text('lower-case letters, digits and dashes, 1–63 characters', DISTRICT_PATTERN).describe(
      'the district this node trades in: its gossip topics carry the name'
    ),
    dataDir: text("the directory that holds this node's key and journal").describe(
      "the directory that holds this node's key and journal, relative to this file"
    ),
    listen: multiaddrs(false).default(['/ip4/0.0.0.0/tcp/0']).describe('libp2p listen addresses (multiaddrs)'),
    bootstrap: multiaddrs(true)
      .default([])
      .describe("peers to dial at start, each ending in /p2p/<peer id> (kvartal id --config prints a node's)"),
    mdns: flag().default(true).describe('find peers on the local network by mDNS'),
    slots: section({
      seconds: whole(1, 86_400, 'a whole number of seconds')
        .default(900)
        .describe('slot length, seconds (900: the quarter-hour of European balancing)'),
      gateClosureSeconds: whole(0, 86_400, 'a whole number of seconds')
        .optional()
        .describe(
          'trading for a slot closes this long before it starts, seconds, less than the slot (default: a quarter of the slot, at most 60)'
        ),
      epoch: z
        .string({ error: () => 'must be an ISO date-time, e.g. 2026-01-01T00:00:00Z' })
        .refine(v => !Number.isNaN(Date.parse(v)), { error: () => 'must be an ISO date-time, e.g. 2026-01-01T00:00:00Z' })
        .optional()
        .describe('when slot 0 starts, an ISO date-time (default: the Unix epoch)')
    })
      .prefault({})
      .superRefine((s, ctx) => {
        if (s.gateClosureSeconds != null && s.gateClosureSeconds >= s.seconds)
          ctx.addIssue({
            code: 'custom',
            path: ['gateClosureSeconds'],
            message:
              `expected a whole number of seconds between 0 and ${s.seconds - 1} ` +
              `(less than slots.seconds), got ${s.gateClosureSeconds}`,
            input: s.gateClosureSeconds
          })
      })
      .describe("the market's time slots: every node of a district must agree on them"),
    tariffs: section({
      retail: whole(0, Number.MAX_SAFE_INTEGER, NANOS_KWH)
        .default(1_000_000_000)
        .describe('what the grid sells at, nanos per kWh (1 IOTA = 1000000000 nanos)'),
      feedIn: whole(0, Number.MAX_SAFE_INTEGER, NANOS_KWH)
        .default(300_000_000)
        .describe('what the grid buys at, nanos per kWh (at most retail)')
    })
      .prefault({})
      .superRefine((t, ctx) => {
        if (t.feedIn > t.retail)
          ctx.addIssue({ code: 'custom', path: ['feedIn'], message: `must not exceed tariffs.retail (${t.retail})`, input: t.feedIn })
      })
      .describe("the grid's prices: a local trade is worth making between them"),
    strategy: z
      .enum(strategies, { error: iss => `unknown strategy ${show(iss.input)} (built in: ${strategies.join(', ')})` })
      .default('concession')
      .describe('how this node negotiates'),
    limits: section({
      buy: whole(0, Number.MAX_SAFE_INTEGER, NANOS_KWH)
        .optional()
        .describe('the most this node pays, nanos per kWh, between feedIn and retail (default: 80 % of the way from feedIn to retail)'),
      sell: whole(0, Number.MAX_SAFE_INTEGER, NANOS_KWH)
        .optional()
        .describe('the least it sells at, nanos per kWh, between feedIn and retail (default: 20 % of the way)')
    })
      .prefault({})
      .describe("this node's limit prices"),
    market: section({
      ticksPerSlot: whole(1, 60, 'a whole number').default(4).describe('negotiation rounds per slot'),
      tradingWindowSlots: whole(1, 96, 'a whole number of slots').default(4).describe('slots ahead that are traded'),
      horizonSlots: whole(1, 96, 'a whole number of slots').default(8).describe('slots ahead that are forecast'),
      republishEverySlots: whole(1, 96, 'a whole number of slots').default(4).describe('offers are gossiped again this often'),
      catchUpEverySlots: whole(0, 96, 'a whole number of slots').default(1).describe('ask peers for missed offers this often (0: never)'),
      holdSeconds: whole(1, 3600, 'a whole number of seconds').default(10).describe('how long a quote is held for its buyer, seconds')
    })
      .prefault({})
      .describe('how this node trades'),
    site: section({
      latitude: real(-90, 90, 'decimal degrees').default(63.43).describe('where the building is (its PV forecast)'),
      longitude: real(-180, 180, 'decimal degrees').default(10.39),
      utcOffsetHours: real(-12, 14, 'hours').default(2).describe("local time's offset from UTC"),
      cloudiness: real(0, 1, 'a share').default(0.3).describe("the forecast's cloudiness, 0 to 1"),
      seed: whole().default(1).describe("the forecast's seed")
    })
      .prefault({})
      .describe("the site, for the simulated devices' forecasts"),
    building: buildingSchema.optional(),
    position: list(
      whole(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a whole number of Wh'),
      'a non-empty list of whole Wh per slot'
    )
      .min(1, { error: () => 'must be a non-empty list of whole Wh per slot' })
      .optional()
      .describe('instead of building: a fixed net schedule, Wh per slot, repeated (positive sells, negative buys)'),
    log: z
      .enum(LOG_LEVELS, { error: iss => `must be one of ${LOG_LEVELS.join(', ')}, got ${show(iss.input)}` })
      .default('info')
      .describe('info: one line per event of note; debug adds every gossip message received'),
    settlement: section({
      adapter: z
        .enum(['local', 'iota'], { error: () => 'must be local (the embedded ledger) or iota' })
        .default('local')
        .describe('local: the embedded ledger; iota: the IOTA ledger'),
      periodSlots: whole(1, 100_000, 'a whole number of slots').optional().describe("slots per settlement period (default: a day's worth)"),
      iota: section({
        network: z
          .string({ error: () => 'must be mainnet, testnet, devnet, localnet or an http(s) URL of a full node' })
          .refine(v => /^(mainnet|testnet|devnet|localnet)$/.test(v) || /^https?:\/\//.test(v), {
            error: () => 'must be mainnet, testnet, devnet, localnet or an http(s) URL of a full node'
          })
          .default('testnet')
          .describe('mainnet, testnet, devnet, localnet or an http(s) URL of a full node'),
        gasBudget: whole(1, Number.MAX_SAFE_INTEGER, 'a whole number of nanos').optional().describe('gas budget per transaction, nanos'),
        notarizationPackageId: z.string().optional().describe("the notarization package (default: the network's)")
      })
        .prefault({})
        .describe('with adapter: iota')
    })
      .prefault({})
      .describe('where trades are paid and periods attested'),
    mobility: mobilitySchema.optional(),
    grid: section({
      feeder: text("the node's feeder: lower-case letters, digits and dashes, 1–63 characters", FEEDER_PATTERN).describe(
        "the node's feeder (its secondary substation)"
      ),
      fees: section({
        local: whole(0, Number.MAX_SAFE_INTEGER, NANOS_KWH).default(0).describe('grid fee inside the feeder, nanos per kWh'),
        district: whole(0, Number.MAX_SAFE_INTEGER, NANOS_KWH)
          .optional()
          .describe('grid fee across feeders, nanos per kWh (default: local; at least local)')
      })
        .prefault({})
        .superRefine((f, ctx) => {
          if (f.district != null && f.district < f.local)
            ctx.addIssue({
              code: 'custom',
              path: ['district'],
              message: `must be at least grid.fees.local (${f.local})`,
              input: f.district
            })
        })
        .transform(f => ({ local: f.local, district: f.district ?? f.local })),
      crossFeederShareWh: whole(0, Number.MAX_SAFE_INTEGER, 'a whole number of Wh')
        .optional()
        .describe("this node's share of its transformer's capacity for trades across feeders, Wh per slot"),
      relay: flag().default(false).describe('relay residual offers between feeders'),
      operator: text("the grid operator's IOTA address: 0x and 64 hex digits", /^0x[0-9a-fA-F]{64}$/)
        .transform(v => v.toLowerCase())
        .optional()
        .describe("the grid operator's IOTA address, paid the grid fees")
    })
      .optional()
      .describe(
        "the node's feeder, the grid fees, its transformer share, relay duty " +
          'and the grid operator (docs/feeders.md); absent: one feeder, no fees'
      ),
    meter: meterSchema.optional(),
    metrics: metricsSchema.optional()
  },
  'a YAML mapping (a node config)'
)
  .superRefine((c, ctx) => {
    const { feedIn, retail } = c.tariffs
    for (const k of ['buy', 'sell'] as const) {
      const v = c.limits[k]
      if (v != null && (v < feedIn || v > retail))
        ctx.addIssue({
          code: 'custom',
          path: ['limits', k],
          message: `expected a whole number of nanos per kWh between ${feedIn} (tariffs.feedIn) and ${retail} (tariffs.retail), got ${v}`,
          input: v
        })
    }
    if (c.position == null && c.building == null && c.mobility == null)
      ctx.addIssue({
        code: 'custom',
        path: ['building'],
        message: 'a node needs its devices (building), a fixed net schedule (position), or a mobility section',
        input: undefined
      })
    // a provider is paid before it confirms a leg, and checks that payment on the ledger by its digest: the
    // traveller's ledger must be its ledger too, which a local ledger (this process's own) never is
    if (c.mobility?.provider != null && c.settlement.adapter !== 'iota')
      ctx.addIssue({
        code: 'custom',
        path: ['settlement', 'adapter'],
        message:
          "a mobility provider checks each traveller's payment on a shared " +
          'ledger before it confirms a booking: set settlement.adapter: iota ' +
          "(the local ledger is this node's own, where no traveller can pay it)",
        input: c.settlement.adapter
      })
  })
  .describe("a Kvartal node's config (kvartal node --config node.yaml)")

export type NodeConfigDoc = z.output<typeof nodeConfigSchema>
