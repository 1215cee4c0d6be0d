import type { ProcessGossipStats } from '@kvartal/mesh'
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError, type NodeEvent } from '@kvartal/protocol'
import { SettlementError, type LocalLedger } from '@kvartal/settlement'
import type { DistrictRunConfig } from './district-run-config.ts'
import type { DistrictRunResult, NodeResult } from './district-run-result.ts'
import type { SimNodeSpec } from './node-spec.ts'
import { driveTicks } from './tick-driver.ts'
import { Rpc, RemoteError, type WireError } from './ipc.ts'
import type { GossipCounts, Probe } from './quiescence.ts'
import type { JourneyOutcome } from './trip-agent.ts'
import type { Scenario } from './scenario.ts'
import { buildFeeders } from './grid-scenario.ts'
import { hasConditions } from './links/network-scenario.ts'

/** What the coordinator sends a worker first. */
export interface WorkerInit {
  readonly scenario: Scenario
  /** the district's nodes this worker runs (indices into the prepared scenario's nodes) */
  readonly indices: readonly number[]
  readonly dataRoot: string
}

/** A worker's answer to a poll: `Probe` with each node's counts under its district index. */
export interface WorkerProbe extends Omit<Probe, 'counts'> {
  readonly counts: Array<[number, GossipCounts]>
}

export interface WorkerRunOptions {
  /** processes to spread the district over (at least 2) */
  readonly workers: number
  /** the period's ledger: held here, reached by every worker over IPC */
  readonly ledger: LocalLedger
  readonly onEvent?: (e: NodeEvent) => void
  readonly onJourney?: (o: JourneyOutcome) => void
  readonly onProgress?: (done: number, total: number) => void | Promise<void>
}

/** Ledger calls a worker may make: what `localSettlement` needs, nothing more (no minting). */
export const ledgerCalls = ['submit', 'byKey', 'byDigest', 'balance'] as const

const workerEntry = fileURLToPath(new URL('./district-worker.ts', import.meta.url))

/**
 * Runs a scenario on several processes. Each worker prepares the same scenario (deterministic: the same
 * nodes, keys and profiles) and runs its share of the nodes, every one a real libp2p host on TCP at
 * 127.0.0.1 speaking noise, with the real level journal. This process holds the one simulated clock:
 * it moves every worker's clock to the next tick together, then polls them all until every node of the
 * district is idle and every gossip message has arrived (asked twice, since the polls of several
 * processes do not see one instant: quiescence.ts), the same barrier as in one process. It also holds
 * the period's ledger, which the workers' nodes reach over IPC as a real node reaches its ledger over
 * the network.
 *
 * Whole feeders go to one worker, so most connections and most gossip stay inside a process; relays,
 * vehicles and trades across feeders cross between them.
 */
export async function runOnWorkers(
  s: Scenario,
  p: { readonly nodes: readonly SimNodeSpec[]; readonly run: Omit<DistrictRunConfig, 'ledger' | 'onEvent' | 'onProgress' | 'onTick'> },
  o: WorkerRunOptions
): Promise<DistrictRunResult> {
  if (!Number.isInteger(o.workers) || o.workers < 2)
    throw new ConfigError('workers', `runOnWorkers needs at least 2 workers, got ${o.workers}`)
  const t0 = performance.now()
  const groups = assignWorkers(p.nodes, o.workers)
  const dataRoot = await mkdtemp(join(tmpdir(), 'kvartal-sim-'))
  const children: ChildProcess[] = []
  const rpcs: Rpc[] = []
  let stopping = false
  /** each node's results, as its worker hands them over at the end (a batch at a time) */
  const nodes: NodeResult[] = new Array(p.nodes.length)
  try {
    const exited: Array<Promise<void>> = []
    for (const [w, indices] of groups.entries()) {
      const child = fork(workerEntry, [], {
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        execArgv: workerExecArgv()
      })
      children.push(child)
      const rpc = new Rpc(child, `simulator worker ${w}`, revive)
      rpcs.push(rpc)
      exited.push(
        new Promise<void>(resolve =>
          child.once('exit', (code, signal) => {
            rpc.close(
              new Error(
                `simulator worker ${w} (${indices.length} nodes) ` +
                  `exited${stopping ? '' : ' before the run ended'}: ${signal ?? `code ${code}`}`
              )
            )
            resolve()
          })
        )
      )
      rpc.handle('ledger', async ({ call, args }: { call: (typeof ledgerCalls)[number]; args: unknown[] }) => {
        if (!ledgerCalls.includes(call)) throw new Error(`a worker may not call the ledger's "${String(call)}"`)
        return await (o.ledger[call] as (...a: unknown[]) => Promise<unknown>)(...args)
      })
      rpc.handle('events', (events: NodeEvent[]) => {
        for (const e of events) o.onEvent?.(e)
      })
      rpc.handle('journeys', (outcomes: JourneyOutcome[]) => {
        for (const j of outcomes) o.onJourney?.(j)
      })
      rpc.handle('results', (batch: Array<[number, NodeResult]>) => {
        for (const [i, r] of batch) nodes[i] = r
      })
      // one worker's bus to the others' (process-topics.ts): what its nodes published on topics read elsewhere
      rpc.handle('gossip', (batch: unknown) => {
        for (const other of rpcs) if (other !== rpc) other.notify('gossip', batch)
      })
    }
    const all = async <T>(type: string, body?: unknown): Promise<T[]> =>
      await Promise.all(rpcs.map(async r => await r.request<T>(type, body)))
    const listening = await Promise.all(
      groups.map(
        async (indices, w) =>
          await rpcs[w].request<{ pid: number; addrs: Array<[number, string[]]> }>('init', {
            scenario: s,
            indices,
            dataRoot
          } satisfies WorkerInit)
      )
    )
    const addrs: Record<number, string[]> = Object.fromEntries(listening.flatMap(l => l.addrs))
    await all('dial', { addrs })
    const startupMs = performance.now() - t0
    const config: DistrictRunConfig = { ...p.run, ledger: o.ledger, onProgress: o.onProgress }
    const hasTrips = p.nodes.some(n => n.mobility != null)
    const { ticks, gossipLate, closing } = await driveTicks(config, undefined, {
      advance: async t => {
        await all('advance', t)
      },
      probe: async () => {
        const probes = await all<WorkerProbe>('probe')
        const counts: GossipCounts[] = new Array(p.nodes.length)
        let busy = false
        let inFlight = 0
        let workBegun = 0
        let pendingConfirms = 0
        for (const x of probes) {
          busy ||= x.busy
          inFlight += x.inFlight
          workBegun += x.workBegun
          pendingConfirms += x.pendingConfirms
          for (const [i, c] of x.counts) counts[i] = c
        }
        return { busy, inFlight, workBegun, pendingConfirms, counts }
      },
      confirm: true,
      ...(hasTrips
        ? {
            onTick: async (t: number) => {
              await all('tick', t)
            }
          }
        : {})
    })
    const finished = await all<{
      verification: { hits: number; misses: number }
      gossipBus?: ProcessGossipStats
      usage: { cpuMs: number; peakRssBytes: number }
    }>('finish')
    const missing = p.nodes.findIndex((_, i) => nodes[i] == null)
    if (missing >= 0) throw new Error(`no results from the worker of node ${p.nodes[missing].name}`)
    const verification = { hits: 0, misses: 0 }
    let gossipBus: ProcessGossipStats | undefined
    for (const f of finished) {
      verification.hits += f.verification.hits
      verification.misses += f.verification.misses
      if (f.gossipBus != null) {
        const b = (gossipBus ??= { published: 0, received: 0, delivered: 0, deliveryMs: 0 })
        b.published += f.gossipBus.published
        b.received += f.gossipBus.received
        b.delivered += f.gossipBus.delivered
        b.deliveryMs += f.gossipBus.deliveryMs
      }
    }
    stopping = true
    await all('stop')
    for (const child of children) child.disconnect()
    await Promise.all(exited)
    return {
      nodes,
      wallMs: performance.now() - t0,
      startupMs,
      ticks,
      gossipLate,
      ...(closing != null ? { closing } : {}),
      verification,
      ...(gossipBus != null ? { gossipBus } : {}),
      processes: listening.map((l, w) => ({ pid: l.pid, nodes: groups[w], ...finished[w].usage }))
    }
  } finally {
    stopping = true
    for (const c of children) if (c.exitCode == null && c.signalCode == null) c.kill('SIGKILL')
    await rm(dataRoot, { recursive: true, force: true })
  }
}

/** V8's largest semi-space for a worker, MiB (the young generation is two of them) */
export const WORKER_SEMI_SPACE_MB = 64

/**
 * A worker's V8 flags: the coordinator's, with a larger young generation. `kvartal sim` runs with
 * 16 MiB semi-spaces (packages/cli/src/sim-memory.ts), which holds a 36-node day under its 400 MB. A
 * worker runs a share of a district of several feeders, hundreds of nodes allocating at once; each
 * scavenge copies what is still alive (messages and negotiations in flight), so fewer, larger ones copy
 * the same survivors less often. 200 buildings, 6 dawn slots, one process: 16 MiB 49.6 s of CPU and
 * 706 MB peak RSS, 32 MiB 46.7 s and 756 MB, 64 MiB 40.8 s and 823 MB. A semi-space size other than
 * the simulator's own 16 was the user's choice, and stays.
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const semi = /^--max[-_]semi[-_]space[-_]size=(\d+)$/
  const own = execArgv.filter(a => !(semi.exec(a)?.[1] === '16'))
  const chosen = [...own, ...nodeOptions.split(/\s+/)].some(a => semi.test(a))
  return chosen ? own : [...own, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`]
}

/**
 * How many processes `kvartal sim` uses when not told: one per core, but never more than the district
 * has feeders, since a worker runs whole feeders. A one-feeder district (the default day) stays in one
 * process: measured on 2 cores it gains nothing from a second one (38.6 against 39.9 s) and pays a
 * second process's memory. A district of several feeders gains about 1.2× on 2 cores (docs/simulator.md).
 */
export function defaultWorkers(s: Scenario, cores: number): number {
  // link conditions are modelled in one process (links/, docs/simulator.md)
  if (s.grid === false || hasConditions(s.network)) return 1
  const ids = s.buildings.list?.map(b => b.id) ?? Array.from({ length: s.buildings.generate?.count ?? 0 }, (_, i) => `b${i}`)
  const feeders = ids.length === 0 ? 1 : buildFeeders(s.grid, ids, 15).length
  return Math.max(1, Math.min(cores, feeders))
}

/**
 * Which nodes each worker runs: whole feeders (with the vehicles standing on them), the largest first
 * to the worker with the fewest nodes so far; without feeders, consecutive runs of nodes. Each list in
 * district order.
 */
export function assignWorkers(nodes: readonly SimNodeSpec[], workers: number): number[][] {
  const n = Math.min(workers, nodes.length)
  const groups: number[][] = Array.from({ length: n }, () => [])
  const byFeeder = new Map<string, number[]>()
  for (const [i, spec] of nodes.entries()) {
    const f = spec.grid?.feeder
    if (f == null) continue
    if (!byFeeder.has(f)) byFeeder.set(f, [])
    byFeeder.get(f)!.push(i)
  }
  if (byFeeder.size >= n) {
    for (const members of [...byFeeder.values()].sort((a, b) => b.length - a.length || a[0] - b[0])) {
      const least = groups.reduce((best, g, w) => (g.length < groups[best].length ? w : best), 0)
      groups[least].push(...members)
    }
    const placed = new Set(groups.flat())
    // nodes without a feeder (none in a scenario with a grid, but a hand-made list may have them)
    for (const [i] of nodes.entries()) if (!placed.has(i)) groups[i % n].push(i)
  } else {
    const size = Math.ceil(nodes.length / n)
    for (let i = 0; i < nodes.length; i++) groups[Math.floor(i / size)].push(i)
  }
  return groups.map(g => g.sort((a, b) => a - b)).filter(g => g.length > 0)
}

function revive(e: WireError): Error {
  if (e.name === 'SettlementError' && e.code != null) return new SettlementError(e.code, e.message)
  if (e.name === 'ConfigError' && e.field != null) return new ConfigError(e.field, e.message.replace(`${e.field}: `, ''))
  return new RemoteError(e)
}
