/**
 * `npm run bench`: measures startup, gossip propagation, negotiation throughput, the default
 * simulation, settlement, journey planning, mobility bookings, settlement per journey and pay-per-use
 * receipts, each in its own child process so the figures do not pollute each other, and prints one
 * JSON document on stdout. Progress goes to stderr. Measurement only: nothing here asserts a timing.
 */
import { spawn } from 'node:child_process'
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { simHeapFlags } from '@kvartal/cli'

const here = dirname(fileURLToPath(import.meta.url))

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`)
}

/**
 * Runs `node --expose-gc [nodeFlags] bench/<script> ...args` and returns the JSON document it printed
 * last. The simulation children get the V8 heap flags `kvartal sim` runs with
 * (packages/cli/src/sim-memory.ts), so that their peak RSS is the simulator's.
 */
async function child(script: string, args: string[], limitMs: number, nodeFlags: readonly string[] = []): Promise<unknown> {
  const t0 = performance.now()
  log(`${script} ${args.join(' ')}`)
  const proc = spawn(process.execPath, ['--expose-gc', ...nodeFlags, join(here, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  proc.stdout.setEncoding('utf8')
  proc.stdout.on('data', (chunk: string) => {
    out += chunk
  })
  // the child has its own watchdog; this one only catches a child that cannot even print
  const killer = setTimeout(() => {
    log(`${script}: killing the child after ${limitMs} ms`)
    proc.kill('SIGKILL')
  }, limitMs)
  const code = await new Promise<number | null>(resolve => {
    proc.on('error', err => {
      log(`${script}: ${err.message}`)
      resolve(null)
    })
    proc.on('close', c => {
      resolve(c)
    })
  })
  clearTimeout(killer)
  log(`${script} ${args.join(' ')}: exit ${code} after ${Math.round(performance.now() - t0)} ms`)
  const line = out
    .trim()
    .split('\n')
    .filter(l => l.startsWith('{'))
    .at(-1)
  if (line == null) return { error: `${script} printed no result (exit ${code})` }
  try {
    return JSON.parse(line) as unknown
  } catch {
    return { error: `${script} printed no JSON (exit ${code}): ${line.slice(0, 200)}` }
  }
}

const t0 = performance.now()
const doc = {
  node: process.version,
  cpus: cpus().length,
  date: new Date().toISOString(),
  startup: [await child('startup.ts', ['50'], 180_000), await child('startup.ts', ['200'], 180_000)],
  // what the startup figures are compared against: at most 10 MB RSS per node at N = 200
  startupTarget: { n: 200, rssPerNodeMB: 10 },
  gossip: await child('gossip.ts', ['50', '20'], 150_000),
  negotiation: await child('negotiation.ts', ['5'], 150_000),
  simulation: await child('simulation.ts', [], 270_000, simHeapFlags),
  // the default day (24 buildings + 12 mobility providers) on 2 cores: its wall time and peak RSS, all-in (issue 9)
  simulationTarget: { wallMs: 30_000, peakRssMB: 400 },
  settlement: await child('settlement.ts', ['10000'], 150_000),
  // mobility groundwork (issue 5): McRAPTOR planning on a generated timetable of ≥ 1,000 stops and ≥ 10,000 trips
  planner: await child('planner.ts', [], 120_000),
  // bookings per second across three providers (three transit operators, 8 travellers; real nodes, level journals, one shared local ledger)
  booking: await child('booking.ts', ['6'], 120_000),
  // on-chain transactions per journey with daily settlement (periodSlots 96): bookings, and the period's transactions
  // (attestations, carried by payments)
  journeySettlement: await child('booking.ts', ['day'], 180_000),
  // pay-per-use receipts: the traveller checks and signs, the vehicle verifies and applies (one core, in process)
  receipts: await child('receipts.ts', ['8000'], 120_000),
  // ms until a stock libp2p peer flooding bad gossip is graylisted and pruned (docs/faults.md)
  hostilePeer: await child('hostile.ts', ['5'], 120_000),
  // the simulator at district size (issue 9): 100 and 200 buildings on generated feeders, energy only,
  // four midday slots; `npm run bench:large` runs whole days at 200 (with mobility) and 1,000 buildings
  scale: [
    await child('scale.ts', ['100', '4', '44', 'energy', '1'], 300_000, simHeapFlags),
    await child('scale.ts', ['200', '4', '44', 'energy', '1'], 600_000, simHeapFlags),
    // the same on two processes (kvartal sim --workers 2): CPU and peak RSS summed over the processes
    await child('scale.ts', ['200', '4', '44', 'energy', '2'], 600_000, simHeapFlags)
  ],
  scaleTargets: {
    messagesPerNodePerSlotAt1000VersusAt24: 2,
    cpuMsPerDelivery: 0.5,
    rssPerNodeMBAt1000: 5,
    localShare: 0.995,
    welfareShare: 0.99,
    ledgerTransactionsPerTrade: 0.05
  },
  totalMs: 0
}
doc.totalMs = Math.round(performance.now() - t0)
process.stdout.write(JSON.stringify(doc, null, 2) + '\n')
