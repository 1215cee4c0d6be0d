/**
 * Figure 1, one child per N: `node --expose-gc bench/startup.ts N [batch]`. Starts N building nodes in
 * this process (memory transport, one simulated clock, level journals without fsync, each bootstrapping
 * to 4 random earlier nodes) and reports the start rate and the memory each node costs.
 */
import { createDistrict, gc, info, round, runChild, sleep, withTimeout } from './common.ts'

const n = Number(process.argv[2] ?? 50)
const batch = Number(process.argv[3] ?? n)
const MB = 1024 * 1024

runChild(`startup(${n})`, 150_000, async () => {
  if (!Number.isInteger(n) || n < 1) throw new Error(`N must be a positive integer, got ${process.argv[2]}`)
  const d = await createDistrict(Array.from({ length: n }, () => ({})))
  try {
    gc()
    const before = process.memoryUsage()
    const hostUp: number[] = []
    const t0 = performance.now()
    d.nodes.forEach(node => {
      node.on(e => {
        if (e.type === 'started') hostUp.push(performance.now() - t0)
      })
    })
    for (let i = 0; i < n; i += batch) {
      await withTimeout(
        Promise.all(
          d.nodes.slice(i, i + batch).map(async node => {
            await node.start()
          })
        ),
        120_000,
        `starting nodes ${i}..${i + batch - 1}`
      )
    }
    const startMs = performance.now() - t0
    gc()
    const after = process.memoryUsage()
    const connections = d.nodes.reduce((a, node) => a + node.host.getConnections().length, 0) / n
    const meshPeers =
      d.nodes.reduce(
        (a, node) =>
          a + (node.host.services.pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers('/kvartal/bench/offer/1').length,
        0
      ) / n
    hostUp.sort((a, b) => a - b)
    // the same after three quiet seconds: what a started district costs once startup garbage is gone
    await sleep(3_000)
    gc()
    const settled = process.memoryUsage()
    info(`startup N=${n}: ${Math.round(startMs)} ms, rss +${round((after.rss - before.rss) / MB, 1)} MB`)
    const t1 = performance.now()
    await d.close()
    const stopMs = performance.now() - t1
    return {
      n,
      startMs: Math.round(startMs),
      nodesPerSecond: round(n / (startMs / 1000), 1),
      rssPerNodeMB: round((after.rss - before.rss) / n / MB, 2),
      heapPerNodeMB: round((after.heapUsed - before.heapUsed) / n / MB, 2),
      rssSettledPerNodeMB: round((settled.rss - before.rss) / n / MB, 2),
      heapSettledPerNodeMB: round((settled.heapUsed - before.heapUsed) / n / MB, 2),
      peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
      baselineRssMB: round(before.rss / MB, 1),
      externalPerNodeMB: round((after.external + after.arrayBuffers - before.external - before.arrayBuffers) / n / MB, 2),
      // time until every node's journal and libp2p host were up (the `started` event); the rest of
      // startMs is the node waiting in `joining` for its gossip mesh
      hostsUpMs: Math.round(hostUp.at(-1) ?? 0),
      connectionsPerNode: round(connections, 1),
      meshPeersPerNode: round(meshPeers, 1),
      stopMs: Math.round(stopMs),
      gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function'
    }
  } finally {
    await d.close()
  }
})
