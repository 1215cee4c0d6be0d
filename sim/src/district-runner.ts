import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SimulatedClock, shareVerification, verificationMemoStats } from '@kvartal/protocol'
import { identityFromSeed, memoryListenAddress } from '@kvartal/mesh'
import { seededRandom } from '@kvartal/market'
import { outstandingByTopic, probeNodes, type GossipCounts } from './quiescence.ts'
import { processGossipFor } from './process-topics.ts'
import { LinkController } from './links/link-controller.ts'
import { hasConditions } from './links/network-scenario.ts'
import type { DistrictRunConfig } from './district-run-config.ts'
import { nodeResult, type DistrictRunResult, type NodeResult } from './district-run-result.ts'
import { simNode } from './sim-node.ts'
import { driveTicks, runStartMs } from './tick-driver.ts'
import { dialAlong, dialPlan } from './dial-plan.ts'
import type { SimNodeSpec } from './node-spec.ts'

export type { SimNodeSpec }

/**
 * Runs one district in this process: every node a real libp2p host (memory transport, or TCP on
 * loopback) with a real level journal, all driven by one simulated clock. After each tick the runner
 * waits until every node is idle and every announcement has reached every node, so a run is repeatable
 * whatever the machine's speed. `runOnWorkers` (worker-runner.ts) runs the same on several processes.
 */
export async function runDistrict(config: DistrictRunConfig): Promise<DistrictRunResult> {
  const c = config
  const t0 = performance.now()
  shareVerification(c.shareVerification)
  const dataRoot = c.dataRoot ?? (await mkdtemp(join(tmpdir(), 'kvartal-sim-')))
  const clock = new SimulatedClock(runStartMs(c))
  const identities = await Promise.all(c.nodes.map(async n => await identityFromSeed(n.keySeed)))
  const dials = dialPlan(c.nodes, c.degree, seededRandom(c.seed))
  // link conditions (links/): hooks in every host; partitions and churn applied between ticks
  const links =
    c.network != null && hasConditions(c.network)
      ? new LinkController(c.network, {
          names: c.nodes.map(n => n.name),
          feederOf: i => c.nodes[i].grid?.feeder,
          identities,
          dials,
          slots: c.slots,
          seed: c.seed,
          make: (i, network) => simNode(c, i, { clock, dataRoot, bootstrap: [], ledger: c.ledger, network }),
          afterStart: (i, n) => c.nodes[i].afterStart?.(n)
        })
      : undefined
  const processGossip = processGossipFor(
    c.district,
    c.nodes,
    c.nodes.map((_, i) => i),
    links == null && c.processGossip
  )
  const nodes = c.nodes.map((_spec, i) => {
    const bootstrap: string[] = []
    if (c.transport === 'memory') {
      for (const j of dials[i]) bootstrap.push(`${memoryListenAddress(identities[j])}/p2p/${identities[j].peerId.toString()}`)
    }
    return simNode(c, i, { clock, dataRoot, bootstrap, ledger: c.ledger, network: links?.hooksFor(i), processGossip })
  })
  links?.attach(nodes)
  try {
    await Promise.all(nodes.map(async n => await n.start()))
    // TCP ports are only known once listening: every node listens first, then dials its plan
    if (c.transport === 'tcp')
      await dialAlong(
        c,
        nodes,
        nodes.map((_, i) => i),
        dials,
        j => nodes[j].host.getMultiaddrs()[0].toString()
      )
    nodes.forEach((n, i) => {
      c.nodes[i].afterStart?.(n)
    })
    const startupMs = performance.now() - t0
    const { ticks, gossipLate, closing } = await driveTicks(c, clock, {
      probe: async () => {
        const p = await probeNodes(nodes)
        return links?.adjust(p) ?? p
      },
      ...(links != null
        ? {
            advance: async (t: number) => {
              await links.before(t)
              clock.advanceTo(t)
            }
          }
        : {}),
      onTick:
        c.onTick == null
          ? undefined
          : async now => {
              await c.onTick!(now, nodes)
            },
      describeLate: (missed, counts) => lateReport(c, missed, counts)
    })
    await links?.finish()
    await Promise.all(
      nodes.map(async n => {
        await n.idle()
      })
    )
    const results: NodeResult[] = []
    for (let i = 0; i < nodes.length; i++) results.push(await nodeResult(c, c.nodes[i], nodes[i]))
    return {
      nodes: results,
      wallMs: performance.now() - t0,
      startupMs,
      ticks,
      gossipLate,
      ...(closing != null ? { closing } : {}),
      verification: { ...verificationMemoStats },
      ...(links != null ? { network: links.figures() } : {}),
      ...(processGossip != null ? { gossipBus: { ...processGossip.stats } } : {})
    }
  } finally {
    await Promise.all(
      nodes.map(async n => {
        await n.stop().catch(() => {})
      })
    )
    shareVerification(false)
    if (c.dataRoot == null) await rm(dataRoot, { recursive: true, force: true })
  }
}

/**
 * Who is still waiting, and on which topics: each late node with what has not reached it on each topic it
 * reads, counted since the start (`missed` is what it was already excused). It listed the node's received
 * counts on its router's topics; the mobility zones' topics, where the churn day's late ticks were, were not
 * among them.
 */
function lateReport(c: DistrictRunConfig, missed: readonly number[], counts: readonly GossipCounts[]): string {
  const byTopic = outstandingByTopic(counts)
  return byTopic
    .map((m, i) => [i, m, [...m.values()].reduce((a, x) => a + x, 0) - missed[i]] as const)
    .filter(([, , x]) => x > 0)
    .map(
      ([i, m, x]) =>
        `${c.nodes[i].name}(${c.nodes[i].grid?.feeder ?? ''}${c.nodes[i].grid?.relay === true ? ' relay' : ''}) ${x}: ` +
        JSON.stringify(Object.fromEntries([...m].map(([t, n]) => [t.split('/').slice(2).join('/'), n])))
    )
    .join('; ')
}
