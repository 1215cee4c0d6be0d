/**
 * `node bench/scale.ts <buildings> [slots] [firstSlot] [mobility|energy] [workers]`: the simulator at district size
 * (workers: as `kvartal sim` picks them when not given).
 * Runs the default scenario with `buildings` generated buildings on generated feeders (about 40 each),
 * energy only unless `mobility` is "mobility" (then vehicles scale with the buildings: the default
 * scenario's 6 bikes, 3 scooters and 2 cars per 24 buildings), and reports what grows with the district:
 * wall time, peak RSS per node, gossip messages received per node per slot, bytes per node per slot,
 * CPU per gossip delivery, and the market's figures against the central optimum with the same fees
 * and limits. Nothing here asserts a timing.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { availableParallelism } from 'node:os'
import { defaultScenario, defaultWorkers, runScenario, validateScenario } from '@kvartal/sim'
import { info, round, runChild } from './common.ts'
import { useSimBufferPool } from '@kvartal/cli'

// the Buffer slabs `kvartal sim` uses (its V8 heap flags come from run.ts's command line)
useSimBufferPool()

const buildings = Number(process.argv[2] ?? 200)
const slots = Number(process.argv[3] ?? 96)
const first = Number(process.argv[4] ?? 0)
const withMobility = process.argv[5] === 'mobility'
// on several processes (`kvartal sim --workers`): CPU and peak RSS then add up every process's.
// Not given: as many as `kvartal sim` would use here (one per core, at most one per feeder)
const workersArg = process.argv[6]

runChild(`scale(${buildings})`, 4 * 3_600_000, async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'kvartal-bench-scale-'))
  const scale = buildings / 24
  const m = defaultScenario.mobility
  const scenario = validateScenario({
    ...defaultScenario,
    slots: { ...defaultScenario.slots, count: slots, first },
    buildings: { generate: { count: buildings } },
    mobility:
      withMobility && m !== false
        ? { ...m, vehicles: { ...m.vehicles, bikes: Math.round(6 * scale), scooters: Math.round(3 * scale), cars: Math.round(2 * scale) } }
        : false
  })
  const workers = workersArg != null ? Number(workersArg) : defaultWorkers(scenario, availableParallelism())
  const cpu0 = process.cpuUsage()
  try {
    let last = 0
    const r = await runScenario(scenario, {
      outDir,
      workers,
      onProgress: (done, total) => {
        const pct = Math.floor((done / total) * 10)
        if (pct > last) {
          last = pct
          info(`scale(${buildings}): ${done}/${total} ticks`)
        }
      }
    })
    // the peak of the whole run as the kernel counted it (maxRSS, KiB), all-in: the process's own modules
    // too. Sampling missed peaks between samples (a full GC's moment); run.ts starts this child with the
    // heap flags `kvartal sim` runs with
    const own = process.cpuUsage(cpu0)
    const peakRss = process.resourceUsage().maxRSS * 1024 + (r.processes ?? []).reduce((a, p) => a + (p.peakRssBytes ?? 0), 0)
    const workerCpuUs = (r.processes ?? []).reduce((a, p) => a + (p.cpuMs ?? 0) * 1000, 0)
    const cpu = { user: own.user + workerCpuUs, system: own.system }
    const x = r.metrics
    const nodes = r.buildings.length + (r.vehicles?.length ?? 0)
    const deliveries = x.gossipPerNodePerSlot.mean * nodes * x.slots
    return {
      buildings,
      workers,
      nodes,
      feeders: r.feeders?.length ?? 1,
      slots: x.slots,
      firstSlot: first,
      wallMs: r.wallMs,
      startupMs: r.startupMs,
      wallMsPerSlot: r.wallMsPerSlot,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      peakRssMB: Math.round(peakRss / 1e6),
      rssPerNodeMB: round(peakRss / 1e6 / nodes, 2),
      gossipPerNodePerSlot: x.gossipPerNodePerSlot,
      bytesPerNodePerSlot: Math.round(x.perNode.bytes / x.slots),
      messagesPerNodePerSlot: round(x.perNode.messages / x.slots, 2),
      // the whole simulation's CPU divided by gossip deliveries: an upper bound (it includes negotiation, journals, settlement)
      cpuMsPerGossipDeliveryUpperBound: deliveries === 0 ? null : round((cpu.user + cpu.system) / 1000 / deliveries, 3),
      localShare: x.localShare,
      welfareShare: x.welfareShare,
      // what the shares are of: the physical maximum ignores prices and fees; the optimum trades less where
      // a buyer's limit does not cover a seller's with the fee
      localEnergyWh: x.localEnergyWh,
      physicalMaxWh: x.physicalMaxWh,
      optimumTradedWh: x.optimumTradedWh,
      trades: x.trades,
      negotiations: x.negotiations,
      grid: x.grid,
      consistency: x.consistency,
      latencyP50Ms: x.latencyMs.p50,
      latencyP99Ms: x.latencyMs.p99,
      gossipLate: r.gossipLate,
      verification: r.verification,
      // gossip on the simulator's buses: each delivery is a reader's validator (decode, signature check
      // shared per process, apply to its book); the real ms they took per delivery
      ...(r.gossipBus != null
        ? {
            gossipBus: {
              published: r.gossipBus.published,
              delivered: r.gossipBus.delivered,
              msPerDelivery: round(r.gossipBus.deliveryMs / Math.max(1, r.gossipBus.delivered), 4)
            }
          }
        : {}),
      settlement: {
        onChainTransactions: r.settlement.onChainTransactions,
        perTrade: r.settlement.onChainTransactionsPerTrade,
        paidEqualsOwed: r.settlement.paidEqualsOwed,
        verifiedTrades: r.settlement.verifiedTrades
      },
      ...(r.mobility != null ? { journeys: r.mobility.journeys } : {})
    }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
})
