import { describe, expect, it } from 'vitest'
import { districtDigestTopic, feederDigestTopic, mobilityTopic, topicFor } from '@kvartal/protocol'
import { runScenario, validateScenario } from '../src/index.ts'
import { localTopics, processGossipFor } from '../src/process-topics.ts'
import type { SimNodeSpec } from '../src/district-runner.ts'

/** nodes 0–1 on f1, 2–3 on f2, 4–5 on f3 (only what processGossipFor reads of a node) */
const nodes = ['f1', 'f1', 'f2', 'f2', 'f3', 'f3'].map((feeder, i) => ({ name: `b${i}`, grid: { feeder } })) as unknown as SimNodeSpec[]
const feederTopics = (f: string): string[] => [topicFor('d', 'offer', f), topicFor('d', 'bid', f), feederDigestTopic('d', f)]

describe('which topics a simulation process carries on its bus (process-topics.ts)', () => {
  it('the whole district in one process: every topic, and nothing leaves it', () => {
    const bus = processGossipFor('d', nodes, [0, 1, 2, 3, 4, 5], true)!
    for (const t of [...feederTopics('f1'), districtDigestTopic('d'), mobilityTopic('d')]) expect(bus.local(t)).toBe(true)
  })

  it(
    'on a worker, the topics of the feeders it holds whole stay in it; a split ' +
      "feeder, the district's digests and mobility are shared with the other workers",
    () => {
      const here = localTopics('d', nodes, [0, 1, 2, 3, 4])
      for (const t of [...feederTopics('f1'), ...feederTopics('f2')]) expect(here.has(t)).toBe(true)
      for (const t of [...feederTopics('f3'), districtDigestTopic('d'), mobilityTopic('d'), topicFor('d', 'offer')])
        expect(here.has(t)).toBe(false)
      // a worker without a feeder's nodes does not hold it either
      expect(localTopics('d', nodes, [4, 5]).has(topicFor('d', 'offer', 'f1'))).toBe(false)
      // and the worker's bus carries every topic (none goes over gossipsub)
      const bus = processGossipFor('d', nodes, [0, 1, 2, 3, 4], true, () => {})!
      for (const t of [...feederTopics('f3'), districtDigestTopic('d'), mobilityTopic('d')]) expect(bus.local(t)).toBe(true)
    }
  )

  it('none when the scenario asks for gossipsub', () => {
    expect(processGossipFor('d', nodes, [0, 1, 2, 3, 4, 5], false)).toBeUndefined()
  })
})

describe('the process bus changes how fast a simulation runs, not what its market does', () => {
  it("the same scenario and seed give the same market figures on the bus and over every node's gossipsub", async () => {
    const base = {
      slots: { first: 44, count: 4 },
      buildings: { generate: { count: 12 } },
      grid: { feeders: { generate: { buildingsPerFeeder: 6 } } },
      mobility: false as const
    }
    const bus = await runScenario(validateScenario({ ...base, gossip: 'process' }))
    const gossipsub = await runScenario(validateScenario({ ...base, gossip: 'gossipsub' }))
    const a = bus.metrics
    const b = gossipsub.metrics
    expect(a.trades).toBeGreaterThan(10)
    // runs of one seed differ by the order in which equal offers meet buyers: 1 % as in load-independence.test.ts
    expect(Math.abs(a.localEnergyWh - b.localEnergyWh)).toBeLessThanOrEqual(b.localEnergyWh * 0.01)
    expect(Math.abs(a.welfareNanos - b.welfareNanos)).toBeLessThanOrEqual(b.welfareNanos * 0.01)
    // every node received every announcement once either way
    expect(Math.abs(a.gossipPerNodePerSlot.mean - b.gossipPerNodePerSlot.mean)).toBeLessThanOrEqual(b.gossipPerNodePerSlot.mean * 0.05)
    for (const m of [a, b]) {
      expect(m.negotiations.failed).toBe(0)
      // results.json's refusals by code add up to the rejected negotiations
      expect(m.negotiations.rejected).toBeGreaterThan(0)
      expect(Object.values(m.negotiations.refusals).reduce((x, y) => x + y, 0)).toBe(m.negotiations.rejected)
      expect(m.consistency.oversoldSlots).toBe(0)
      expect(m.consistency.mismatched).toBe(0)
    }
    expect(bus.gossipLate).toBe(0)
  }, 240_000)
})
