/**
 * One process of a simulation spread over several (worker-runner.ts): it prepares the scenario as the
 * coordinator did, runs its share of the nodes over TCP on 127.0.0.1, and does what the coordinator
 * asks — listen, dial, move the clock, report its nodes' state, play its buildings' trips, hand over
 * the results. Started by `runOnWorkers` with `child_process.fork`; not a command of its own.
 */
import { SimulatedClock, shareVerification, verificationMemoStats, type NodeEvent } from '@kvartal/protocol'
import { seededRandom } from '@kvartal/market'
import { SettlementError, type LocalLedger } from '@kvartal/settlement'
import type { KvartalNode } from '@kvartal/node'
import type { BusMessage, ProcessGossip } from '@kvartal/mesh'
import type { DistrictRunConfig, LedgerAccess } from './district-run-config.ts'
import { nodeResult, type NodeResult } from './district-run-result.ts'
import { dialAlong, dialPlan } from './dial-plan.ts'
import { simNode } from './sim-node.ts'
import { runStartMs } from './tick-driver.ts'
import { Rpc, RemoteError, type IpcPort, type WireError } from './ipc.ts'
import { nodeView } from './node-view.ts'
import { probeNodes } from './quiescence.ts'
import { processGossipFor } from './process-topics.ts'
import { prepareScenario } from './prepared-scenario.ts'
import type { JourneyOutcome, TripAgent } from './trip-agent.ts'
import type { ledgerCalls, WorkerInit, WorkerProbe } from './worker-runner.ts'

// the coordinator's `kvartal sim` bounds Node's Buffer slabs (packages/cli/src/sim-memory.ts: a kept
// message must not pin a 64 KiB slab); a worker holds its share of the district the same way. The V8
// heap flags come with the coordinator's execArgv, which fork passes on
Buffer.poolSize = 8 * 1024

const rpc = new Rpc(process as unknown as IpcPort, 'the simulation coordinator', (e: WireError) =>
  e.name === 'SettlementError' && e.code != null ? new SettlementError(e.code, e.message) : new RemoteError(e)
)

let events: NodeEvent[] = []
let journeys: JourneyOutcome[] = []
/** events and trip outcomes go to the coordinator ahead of each reply, so it sees them in order */
const flush = (): void => {
  if (events.length > 0) {
    rpc.notify('events', events)
    events = []
  }
  if (journeys.length > 0) {
    rpc.notify('journeys', journeys)
    journeys = []
  }
}
const answer = (type: string, fn: (body: any) => unknown): void => {
  rpc.handle(type, async body => {
    try {
      return await fn(body)
    } finally {
      flush()
    }
  })
}

/** The coordinator's ledger, reached over IPC: the calls a node's local settlement makes. */
const ledger: LedgerAccess = Object.fromEntries(
  (['submit', 'byKey', 'byDigest', 'balance'] satisfies (typeof ledgerCalls)[number][]).map(call => [
    call,
    async (...args: unknown[]) => await rpc.request('ledger', { call, args })
  ])
) as unknown as LedgerAccess

let c!: DistrictRunConfig
let clock!: SimulatedClock
/** this worker's nodes, at their district index (the other places are empty) */
const nodes: KvartalNode[] = []
let mine: KvartalNode[] = []
let indices: readonly number[] = []
let agent: TripAgent | undefined
let processGossip: ProcessGossip | undefined

answer('init', async (init: WorkerInit) => {
  indices = init.indices
  const p = await prepareScenario(init.scenario, 'tcp')
  c = {
    ...p.run,
    ledger: ledger as LocalLedger,
    onEvent: e => {
      events.push(e)
    }
  }
  shareVerification(c.shareVerification)
  clock = new SimulatedClock(runStartMs(c))
  // this worker's nodes gossip on its bus; what other workers' nodes read too goes to them over the coordinator
  processGossip = processGossipFor(c.district, c.nodes, indices, c.processGossip, batch => {
    rpc.notify('gossip', batch)
  })
  for (const i of indices)
    nodes[i] = simNode(c, i, { clock, dataRoot: init.dataRoot, bootstrap: [], ledger, inProcess: true, processGossip })
  mine = indices.map(i => nodes[i])
  await Promise.all(
    mine.map(async n => {
      await n.start()
    })
  )
  for (const i of indices) c.nodes[i].afterStart?.(nodes[i])
  const owned = new Set(indices)
  agent = p.agent(
    o => {
      journeys.push(o)
    },
    b => owned.has(b)
  )
  return {
    pid: process.pid,
    addrs: indices.map(i => [
      i,
      nodes[i].host
        .getMultiaddrs()
        .map(String)
        .filter(a => a.startsWith('/ip4/'))
    ])
  }
})

answer('dial', async ({ addrs }: { addrs: Record<number, string[]> }) => {
  // the same plan as in one process: each node dials earlier nodes of its feeder (and relays, relays)
  const dials = dialPlan(c.nodes, c.degree, seededRandom(c.seed))
  // a node of this process over the memory transport, any other over TCP
  const here = (j: number): string | undefined =>
    nodes[j]?.host
      .getMultiaddrs()
      .map(String)
      .find(a => a.startsWith('/memory/'))
  await dialAlong(c, nodes, indices, dials, j => here(j) ?? addrs[j].find(a => a.startsWith('/ip4/'))!)
})

// what other workers' nodes published on topics this worker's nodes read too (worker-runner.ts relays it)
rpc.handle('gossip', (batch: BusMessage[]) => {
  processGossip?.receive(batch)
})

answer('advance', (t: number) => {
  clock.advanceTo(t)
})

answer('probe', async (): Promise<WorkerProbe> => {
  const p = await probeNodes(mine)
  return {
    busy: p.busy,
    inFlight: p.inFlight,
    workBegun: p.workBegun,
    pendingConfirms: p.pendingConfirms,
    counts: indices.map((i, k) => [i, p.counts[k]])
  }
})

answer('tick', async (t: number) => {
  await agent?.onTick(t, nodes)
})

/** nodes whose results cross to the coordinator in one message */
const RESULTS_PER_MESSAGE = 25

answer('finish', async () => {
  await Promise.all(
    mine.map(async n => {
      await n.idle()
    })
  )
  // the results go over a few nodes at a time, each batch acknowledged before the next is read from the
  // journals: sent whole, a 500-node worker's day serialised into one message of hundreds of MB, and the
  // run's peak memory was this moment, twice the whole day's (docs/simulator.md, "Memory")
  for (let k = 0; k < indices.length; k += RESULTS_PER_MESSAGE) {
    const batch: Array<[number, NodeResult]> = []
    for (const i of indices.slice(k, k + RESULTS_PER_MESSAGE))
      batch.push([i, await nodeResult(c, c.nodes[i], nodes[i], nodeView(nodes[i]))])
    await rpc.request('results', batch)
  }
  const u = process.resourceUsage()
  return {
    verification: { ...verificationMemoStats },
    gossipBus: processGossip != null ? { ...processGossip.stats } : undefined,
    usage: { cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000), peakRssBytes: u.maxRSS * 1024 }
  }
})

answer('stop', async () => {
  await Promise.all(
    mine.map(async n => {
      await n.stop().catch(() => {})
    })
  )
})

// the coordinator closes the channel once the run is over (or went away): nothing left to do
process.on('disconnect', () => {
  process.exit(0)
})
