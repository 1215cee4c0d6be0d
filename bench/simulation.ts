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

runChild('simulation', 240_000, async () => {
  const outDir = await mkdtemp(join(tmpdir(), 'kvartal-bench-sim-'))
  try {
    let last = 0
    const r = await runScenario(defaultScenario, {
      outDir,
      onProgress: (done, total) => {
        const pct = Math.floor(done / total * 10)
        if (pct > last) { last = pct; info(`simulation: ${done}/${total} ticks`) }
      }
    })
    const m = r.metrics
    return {
      buildings: m.buildings,
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
      // settled as one daily period on the local ledger: payments + attestations per trade (target < 0.1)
      settlement: r.settlement,
      // the simulator's own mobility figures (sim/src/mobility-metrics.ts), absent when the scenario has none
      mobility: r.mobility
    }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
})
