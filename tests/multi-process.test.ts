import { describe, expect, it } from 'vitest'
import { multiaddr } from '@multiformats/multiaddr'
import { seal, signerFromSeed, topicFor, type Announcement, type NodeEvent } from '@kvartal/protocol'
import { createHost, identityFromSeed } from '@kvartal/mesh'
import { prepareScenario, runScenario, validateScenario, type ScenarioResult } from '@kvartal/sim'
import { until } from './helpers/wait.ts'

/** a small district at midday: 16 buildings on 2 feeders, four slots, energy only */
const small = {
  slots: { first: 44, count: 4 },
  buildings: { generate: { count: 16 } },
  grid: { feeders: { generate: { buildingsPerFeeder: 8 } } },
  mobility: false as const
}
const scenario = validateScenario(small)

function sound(r: ScenarioResult): void {
  expect(r.metrics.negotiations.failed).toBe(0)
  expect(r.metrics.consistency.oversoldSlots).toBe(0)
  expect(r.metrics.consistency.mismatched).toBe(0)
  expect(r.metrics.consistency.feederSlotsOverLimit).toBe(0)
  expect(r.settlement.paidEqualsOwed).toBe(true)
  expect(r.settlement.totalPaidNanos).toBeGreaterThan(0)
  expect(r.settlement.verifiedTrades).toBe(r.metrics.trades)
  // slot by slot, what each side carried across feeders and paid in fees adds up to the run's figures
  const m = r.metrics
  const sum = (f: (p: (typeof m.perSlot)[number]) => number | undefined): number => m.perSlot.reduce((a, p) => a + (f(p) ?? 0), 0)
  expect(sum(p => p.crossFeederWh)).toBe(m.grid!.crossFeederWh)
  expect(sum(p => p.optimumCrossFeederWh)).toBe(m.grid!.optimumCrossFeederWh)
  expect(sum(p => p.optimumTradedWh)).toBe(m.optimumTradedWh)
  expect(sum(p => p.optimumGridFeesNanos)).toBe(m.grid!.optimumGridFeesNanos)
  // each slot's fees are rounded to whole nanos on their own
  expect(Math.abs(sum(p => p.gridFeesNanos) - m.grid!.gridFeesNanos)).toBeLessThanOrEqual(m.perSlot.length)
}

describe('kvartal sim --workers: the district on several processes, over TCP, with one simulated clock', () => {
  it('gives the same market figures as one process, each feeder whole in one process', async () => {
    const one = await runScenario(scenario)
    const two = await runScenario(scenario, { workers: 2 })
    expect(one.processes).toBeUndefined()
    // two processes, each a feeder's eight buildings
    expect(two.processes?.map(p => p.nodes.length)).toEqual([8, 8])
    const feederOf = new Map(two.buildings.map(b => [b.id, b.feeder]))
    for (const p of two.processes!) expect(new Set(p.nodes.map(n => feederOf.get(n))).size).toBe(1)
    sound(one)
    sound(two)
    // within noise: gossipsub's heartbeat and the processes' scheduling run on real time, so the order in
    // which equal-priced offers meet buyers may differ; the market's figures may not move by more than 1 %
    const a = one.metrics
    const b = two.metrics
    expect(a.trades).toBeGreaterThan(10)
    expect(Math.abs(a.localEnergyWh - b.localEnergyWh)).toBeLessThanOrEqual(a.localEnergyWh * 0.01)
    expect(Math.abs(a.welfareNanos - b.welfareNanos)).toBeLessThanOrEqual(a.welfareNanos * 0.01)
    // the relays' digests crossed between the processes' gossip buses (over the coordinator): every
    // message reached every reader, and buyers bought across feeders as in one process
    expect(two.gossipLate).toBe(0)
    expect(b.grid!.crossFeederWh).toBeGreaterThan(0)
    expect(Math.abs(a.grid!.crossFeederWh - b.grid!.crossFeederWh)).toBeLessThanOrEqual(a.grid!.crossFeederWh * 0.05)
    // every node settled its period on the coordinator's ledger
    expect(two.settlement.ledgerTransactions).toBeGreaterThan(0)
    expect(two.gridOperator!.receivedNanos).toBe(one.gridOperator!.receivedNanos)
  }, 300_000)

  it('a forged announcement is refused by every node of every process, though each process shares its signature checks', async () => {
    // an outsider reaches the nodes over gossipsub, so the nodes gossip over it here; on the simulator's
    // own bus (the default) the same refusal is tested in tests/feeders.test.ts
    const scenario = validateScenario({ ...small, gossip: 'gossipsub' })
    const seed = new Uint8Array(32).fill(83)
    const mallory = await identityFromSeed(seed)
    const attacker = await createHost({ identity: mallory, district: scenario.district, transport: 'tcp', loopback: true })
    const listening = new Map<string, string>()
    const onEvent = (e: NodeEvent): void => {
      if (e.type === 'started')
        listening.set(
          e.node,
          String(e.detail)
            .split(' ')
            .find(a => a.startsWith('/ip4/127.0.0.1/tcp/'))!
        )
    }
    const feeders = (await prepareScenario(scenario)).feeders.map(f => f.id)
    expect(feeders).toHaveLength(2)
    const attack = async (): Promise<void> => {
      for (const f of feeders) attacker.services.pubsub.subscribe(topicFor(scenario.district, 'offer', f))
      for (const a of listening.values()) await attacker.dial(multiaddr(a))
      await until(
        () => feeders.every(f => attacker.services.pubsub.getSubscribers(topicFor(scenario.district, 'offer', f)).length === 8),
        "eight subscribers on every feeder's offer topic"
      )
      const now = Date.now()
      for (const f of feeders) {
        const a: Announcement = {
          version: 1,
          district: scenario.district,
          trader: mallory.signer.publicKey,
          seq: 5,
          issuedAt: now,
          validUntil: now + 3_600_000,
          offers: [],
          bids: [],
          addrs: [],
          feeder: f
        }
        const good = seal('announcement', a, signerFromSeed(seed))
        await attacker.services.pubsub.publish(topicFor(scenario.district, 'offer', f), good)
        // the same signature on other bytes: every node must check anew and refuse
        const signature = good.slice(-64)
        const forged = seal(
          'announcement',
          { ...a, seq: 6, offers: [{ slot: 0, energyWh: 10_000, price: 100_000_000 }] },
          { publicKey: mallory.signer.publicKey, sign: () => signature }
        )
        await attacker.services.pubsub.publish(topicFor(scenario.district, 'offer', f), forged)
      }
    }
    await attacker.start()
    try {
      const r = await runScenario(scenario, {
        workers: 2,
        onEvent,
        onProgress: async done => {
          if (done === 1) await attack()
        }
      })
      expect(r.processes).toHaveLength(2)
      expect(listening.size).toBe(16)
      // every node, in both processes, received the attacker's messages and refused the forged one
      for (const b of r.buildings) expect(b.gossipRefused?.['bad-signature'], b.id).toBeGreaterThanOrEqual(1)
      expect(r.verification.hits).toBeGreaterThan(0)
      sound(r)
    } finally {
      await attacker.stop()
    }
  }, 300_000)
})
