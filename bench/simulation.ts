/**
 * Figure 4: `node bench/simulation.ts`. Runs the default scenario (24 buildings, 96 slots, memory
 * transport) as `kvartal sim` does and reports its headline metrics, and the simulator's mobility
 * metrics when the scenario has mobility (journeys, payments, receipts, on-chain transactions per journey).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultScenario, runScenario } from '@kvartal/sim'
import { info, runChild } from './common.ts'
import { useSimBufferPool } from '@kvartal/cli'

// the Buffer slabs `kvartal sim` uses (its V8 heap flags come from run.ts's command line)
useSimBufferPool()

runChild('simulation', 240_000, async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'kvartal-bench-sim-'))
  try {
    let last = 0
    const r = await runScenario(defaultScenario, {
      outDir,
      onProgress: (done, total) => {
        const pct = Math.floor((done / total) * 10)
        if (pct > last) {
          last = pct
          info(`simulation: ${done}/${total} ticks`)
        }
      }
    })
    const m = r.metrics
    const nodes = r.buildings.length + (r.vehicles?.length ?? 0)
    // the peak of the run as the kernel counted it (KiB), all-in; run.ts starts this child with the heap
    // flags `kvartal sim` runs with (packages/cli/src/sim-memory.ts). Target: ≤ 400 MB (issue 9)
    const peakRss = process.resourceUsage().maxRSS * 1024
    return {
      buildings: m.buildings,
      nodes,
      peakRssMB: Math.round(peakRss / 1e6),
      rssPerNodeMB: Math.round((peakRss / 1e6 / nodes) * 100) / 100,
      slots: m.slots,
      wallMs: r.wallMs,
      startupMs: r.startupMs,
      wallMsPerSlot: r.wallMsPerSlot,
      localShare: m.localShare,
      welfareShare: m.welfareShare,
      trades: m.trades,
      messagesPerNode: m.perNode.messages,
      bytesPerNode: m.perNode.bytes,
      // anti-entropy pulls (topic-sync): how much gossip had missed, and what catching up cost
      catchUp: m.catchUp,
      latencyP50Ms: m.latencyMs.p50,
      latencyP99Ms: m.latencyMs.p99,
      ticks: r.ticks,
      gossipLate: r.gossipLate,
      negotiations: m.negotiations,
      consistency: m.consistency,
      // settled as one daily period on the local ledger: ledger transactions per trade, one per node (a payer's payment
      // carries its root; target ≤ 0.05)
      settlement: r.settlement,
      // the simulator's own mobility figures (sim/src/mobility-metrics.ts), absent when the scenario has none
      mobility: r.mobility
    }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
})
