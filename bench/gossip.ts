/**
 * Figure 2: `node bench/gossip.ts [N] [publishers]`. Starts N nodes (memory transport, one simulated
 * clock that never moves, so no node publishes on its own: their positions are 0), waits for the mesh,
 * then has `publishers` different nodes each publish one signed offer announcement and measures, per
 * (message, receiving node) pair, the real time until that node emitted `announcement-received`.
 * Rounds: staggered (one publish every 100 ms, nearly unloaded propagation), burst (all at once), and burst
 * with signature checks shared across the process as the simulator shares them; each three times after one
 * staggered round to warm up, the median reported with every round's CPU per delivery.
 */
import { firstOpenSlot, seal, shareVerification, toHex, type Announcement } from '@kvartal/protocol'
import type { KvartalNode } from '@kvartal/node'
import { createDistrict, district, info, percentile, round, runChild, sleep, slots, withTimeout } from './common.ts'

const n = Number(process.argv[2] ?? 50)
const publishers = Number(process.argv[3] ?? 20)
const DEADLINE_MS = 5_000
/** rounds of each kind; the median is reported */
const ROUNDS = 3

interface Pending {
  t0: number
  got: Set<number>
}

runChild(`gossip(${n})`, 120_000, async () => {
  const d = await createDistrict(Array.from({ length: n }, () => ({})))
  try {
    await withTimeout(
      Promise.all(
        d.nodes.map(async node => {
          await node.start()
        })
      ),
      60_000,
      'starting nodes'
    )
    info(`gossip: ${n} nodes started, waiting 2 s for the mesh`)
    await sleep(2_000)
    // the mesh's upkeep (heartbeats, IHAVE gossip), which every round's CPU includes: its cost per second, idle
    const idle0 = process.cpuUsage()
    const idleT0 = performance.now()
    await sleep(2_000)
    const idleCpu = process.cpuUsage(idle0)
    const idleCpuMsPerSecond = round(((idleCpu.user + idleCpu.system) / 1000 / (performance.now() - idleT0)) * 1000, 1)

    let pending = new Map<string, Pending>()
    let samples: number[] = []
    d.nodes.forEach((node, i) => {
      node.on(e => {
        if (e.type !== 'announcement-received' || e.peer == null) return
        const p = pending.get(e.peer)
        if (p == null || p.got.has(i)) return
        p.got.add(i)
        samples.push(performance.now() - p.t0)
      })
    })

    // publishers spread evenly over the node list (early nodes have more connections than late ones)
    const senders = Array.from({ length: Math.min(publishers, n) }, (_, k) => d.nodes[Math.floor((k * n) / Math.min(publishers, n))])
    const announcement = async (node: KvartalNode): Promise<Uint8Array> => {
      const now = d.clock.now()
      const first = firstOpenSlot(slots, now)
      // above anything this node published (the journal's counter is what the node itself uses)
      const seq = await node.journal.nextCounter('announce-offer', now)
      const a: Announcement = {
        version: 1,
        district,
        trader: node.identity.signer.publicKey,
        seq,
        issuedAt: now,
        validUntil: now + 60 * 60_000,
        offers: [
          { slot: first, energyWh: 1_000, price: 500_000_000 },
          { slot: first + 1, energyWh: 1_000, price: 500_000_000 }
        ],
        bids: [],
        addrs: node.host
          .getMultiaddrs()
          .slice(0, 4)
          .map(m => m.bytes)
      }
      return seal('announcement', a, node.identity.signer)
    }

    const round_ = async (label: string, gapMs: number): Promise<Record<string, number>> => {
      pending = new Map()
      samples = []
      const envelopes = await Promise.all(senders.map(announcement))
      const cpu0 = process.cpuUsage()
      const publishes: Array<Promise<void>> = []
      for (let k = 0; k < senders.length; k++) {
        if (k > 0 && gapMs > 0) await sleep(gapMs)
        const node = senders[k]
        pending.set(toHex(node.identity.signer.publicKey), { t0: performance.now(), got: new Set([d.nodes.indexOf(node)]) })
        publishes.push(node.router.publish('offer', envelopes[k]))
      }
      await Promise.all(publishes)
      const expected = senders.length * (n - 1)
      const lastT0 = Math.max(...[...pending.values()].map(p => p.t0))
      while (samples.length < expected && performance.now() - lastT0 < DEADLINE_MS) await sleep(5)
      // CPU of the whole process (publishing, every copy gossipsub forwards, noise, yamux, validation)
      // per message delivered to a node: what one delivery costs when one machine plays every node
      const cpu = process.cpuUsage(cpu0)
      const sorted = [...samples].sort((a, b) => a - b)
      const missing = expected - samples.length
      info(
        `gossip ${label}: ${samples.length}/${expected} deliveries, p50 ` +
          `${round(percentile(sorted, 0.5))} ms, max ${round(sorted.at(-1) ?? 0)} ms`
      )
      return {
        deliveries: samples.length,
        p50Ms: round(percentile(sorted, 0.5)),
        p99Ms: round(percentile(sorted, 0.99)),
        maxMs: round(sorted.at(-1) ?? 0),
        missingAfter5s: missing,
        cpuMsPerDelivery: round((cpu.user + cpu.system) / 1000 / Math.max(1, samples.length), 3),
        // of which the kernel's (system time): the memory transport makes no system calls of its own
        systemMsPerDelivery: round(cpu.system / 1000 / Math.max(1, samples.length), 3)
      }
    }

    // Each kind of round ROUNDS times, its median reported (single rounds on this VM spread ±25 %), after one
    // staggered round not counted: a node runs for months, and its first messages pay for the JIT's warm-up
    const repeated = async (label: string, gapMs: number): Promise<Record<string, number | number[]>> => {
      const runs: Array<Record<string, number>> = []
      for (let r = 0; r < ROUNDS; r++) {
        runs.push(await round_(label, gapMs))
        await sleep(500)
      }
      const median = [...runs].sort((a, b) => a.cpuMsPerDelivery - b.cpuMsPerDelivery)[Math.floor(runs.length / 2)]
      return { ...median, cpuMsPerDeliveryRounds: runs.map(r => r.cpuMsPerDelivery) }
    }
    const warmUp = await round_('warm-up (staggered, not counted)', 100)
    await sleep(500)
    const staggered = await repeated('staggered', 100)
    const burst = await repeated('burst', 0)
    // as the simulator runs: each distinct signature checked once per process (shareVerification)
    shareVerification(true)
    const burstSharedVerification = await repeated('burst, shared verification', 0)
    shareVerification(false)
    const meshPeers =
      d.nodes.reduce(
        (a, node) =>
          a +
          (node.host.services.pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(`/kvartal/${district}/offer/1`)
            .length,
        0
      ) / n
    const refused: Record<string, number> = {}
    for (const node of d.nodes) for (const [k, v] of Object.entries(node.router.stats.refused)) refused[k] = (refused[k] ?? 0) + v
    return {
      n,
      messages: senders.length,
      expectedDeliveries: senders.length * (n - 1),
      // the headline figures are the staggered round's
      p50Ms: staggered.p50Ms,
      p99Ms: staggered.p99Ms,
      maxMs: staggered.maxMs,
      missingAfter5s: staggered.missingAfter5s,
      rounds: ROUNDS,
      idleCpuMsPerSecond,
      warmUp,
      staggered,
      burst,
      burstSharedVerification,
      // target (issue 9): CPU per delivery ≤ 0.5 ms; the stock-libp2p figure to beat is 1.0 ms
      cpuMsPerDeliveryTarget: 0.5,
      meshPeersPerNode: round(meshPeers, 1),
      refused
    }
  } finally {
    await d.close()
  }
})
