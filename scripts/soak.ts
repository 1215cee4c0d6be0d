/**
 * `npm run soak [-- --minutes 20 --trades 10000 --bookings 1000 --sellers 4 --buyers 4 --prosumers 2 --travellers 3
 * --vehicles 2 --riders 3 --meters 6 --kill-every 4 --cancel 20 --seed 1 --keep]
 * [-- --netns --partition-every 8 --partition-for 5 --loss 5 --skew 3]`:
 * a district of real `kvartal node` processes trading and booking over TCP on 127.0.0.1 while a seeded
 * schedule SIGKILLs a random node every few seconds and restarts it;
 * afterwards the invariants are checked from the journals and the ledger alone (scripts/soak/). Prints
 * one JSON object: kills, restarts, trades, bookings, violations (each described), wall time. Exits 1
 * when there is a violation. Not part of `npm test` (tests/soak.test.ts runs a short one).
 *
 * `--netns` puts each node in a network namespace of its own (needs root: scripts/soak/netns.ts), where
 * `--partition-every` s (mean) the district splits in two for `--partition-for` s (mean), and `--loss` %
 * of the packets between nodes are dropped; `--kill-every 0` turns the kills off. `--skew S` sets each
 * node's clock up to ± S seconds off the machine's (drawn from the seed; scripts/soak/skew-clock.ts).
 * `--cancel P`: the travellers cancel P % of the packages they book (20 by default), at once, for a refund.
 * `--prosumers N`: traders that sell in some slots and buy in others; `--vehicles N --riders M`: rental bikes and
 * riders renting them pay per use, one ride at a time each (0 of either: no rides). `--meters N`: the first N sellers,
 * then prosumers, have a building meter the soak publishes through an MQTT broker of its own (the JSON's `meters`:
 * readings and gaps per node; the checker holds them against what was published).
 */
import { parseArgs } from 'node:util'
import { runSoak, defaultSoakOptions } from './soak/run.ts'

const args = {
  options: {
    minutes: { type: 'string' },
    trades: { type: 'string' },
    bookings: { type: 'string' },
    sellers: { type: 'string' },
    buyers: { type: 'string' },
    prosumers: { type: 'string' },
    travellers: { type: 'string' },
    vehicles: { type: 'string' },
    riders: { type: 'string' },
    meters: { type: 'string' },
    'kill-every': { type: 'string' },
    seed: { type: 'string' },
    'slot-seconds': { type: 'string' },
    seats: { type: 'string' },
    cancel: { type: 'string' },
    keep: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    netns: { type: 'boolean', default: false },
    'partition-every': { type: 'string' },
    'partition-for': { type: 'string' },
    loss: { type: 'string' },
    skew: { type: 'string' }
  }
} as const

// a flag with no value, or an unknown one, is a message and exit 2 like a bad value, not a stack trace
function parse(): ReturnType<typeof parseArgs<typeof args>> {
  try {
    return parseArgs(args)
  } catch (err) {
    process.stderr.write(`soak: ${(err as Error).message.split('\n')[0]}\n`)
    process.exit(2)
  }
}
const { values } = parse()

function whole(name: string, v: string | undefined, def: number, min: number): number {
  if (v == null) return def
  const n = Number(v)
  if (!Number.isFinite(n) || n < min) {
    process.stderr.write(`soak: --${name} must be a number ≥ ${min}, got ${JSON.stringify(v)}\n`)
    process.exit(2)
  }
  return n
}

const d = defaultSoakOptions
const result = await runSoak({
  durationMs: Math.round(whole('minutes', values.minutes, d.durationMs / 60_000, 0.1) * 60_000),
  targetTrades: whole('trades', values.trades, d.targetTrades, 0),
  targetBookings: whole('bookings', values.bookings, d.targetBookings, 0),
  sellers: whole('sellers', values.sellers, d.sellers, 1),
  buyers: whole('buyers', values.buyers, d.buyers, 1),
  prosumers: whole('prosumers', values.prosumers, d.prosumers, 0),
  travellers: whole('travellers', values.travellers, d.travellers, 0),
  vehicles: whole('vehicles', values.vehicles, d.vehicles, 0),
  riders: whole('riders', values.riders, d.riders, 0),
  meters: Math.floor(whole('meters', values.meters, d.meters, 0)),
  killEveryMs: Math.round(whole('kill-every', values['kill-every'], d.killEveryMs / 1000, 0) * 1000),
  network: values.netns ? 'netns' : 'loopback',
  partitionEveryMs: Math.round(whole('partition-every', values['partition-every'], d.partitionEveryMs / 1000, 0) * 1000),
  partitionMs: Math.round(whole('partition-for', values['partition-for'], d.partitionMs / 1000, 0.1) * 1000),
  lossPercent: (() => {
    const p = whole('loss', values.loss, d.lossPercent, 0)
    if (p >= 100) {
      process.stderr.write(`soak: --loss must be below 100 %, got ${p}\n`)
      process.exit(2)
    }
    return p
  })(),
  skewMs: Math.round(whole('skew', values.skew, d.skewMs / 1000, 0) * 1000),
  seed: Math.floor(whole('seed', values.seed, d.seed, 0)),
  slotSeconds: whole('slot-seconds', values['slot-seconds'], d.slotSeconds, 1),
  seatsPerTrip: whole('seats', values.seats, d.seatsPerTrip, 1),
  cancelPercent: (() => {
    const p = whole('cancel', values.cancel, d.cancelPercent, 0)
    if (p > 100) {
      process.stderr.write(`soak: --cancel is a share of the bookings, at most 100 %, got ${p}\n`)
      process.exit(2)
    }
    return p
  })(),
  keep: values.keep,
  ...(values.quiet
    ? {}
    : {
        onProgress: (l: Record<string, unknown>) => {
          process.stderr.write(JSON.stringify(l) + '\n')
        }
      })
})
process.stdout.write(JSON.stringify(result, null, 2) + '\n')
process.exitCode = result.violations.length > 0 ? 1 : 0
